"""A recipe is one module: the registry discovers it, and every surface (list, card, web forms) shows it.

The throw-away recipe below is defined here, in a test module, and registered with ``register_recipe`` only:
no other file is edited, yet it appears in ``taf recipe --list``, on the TAF Card and in the web page's
recipe forms (the bridge's ``boot`` answer the page builds its forms from).
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from tafagent.cli.main import main
from tafagent.core.audit import VERDICT_TONES, law_step
from tafagent.core.messages import LANGUAGES, catalog
from tafagent.core.recipes.ask_spec import AskSpec
from tafagent.core.recipes.base import Param, Recipe, RecipeContext
from tafagent.core.recipes.registry import card_recipes, get_recipe, list_recipes, register_recipe, unregister_recipe

REFERENCE_ORDER = ("X-1", "X-2", "X-3", "X-5", "X-19", "X-21", "X-22", "X-23")  # spec §2.10
CARD_ORDER = ("X-2", "X-19", "X-1", "X-3", "X-5", "X-21", "X-22", "X-23")


def _compute(ctx: RecipeContext):  # type: ignore[no-untyped-def]
    ratio = ctx["T_eval"] / 1000
    step = law_step(1, "gamma_pade", {"T_eval": ctx["T_eval"]}, ratio, "a throw-away number")
    return ctx.result([step], "YES", "it works", "nothing to do")


def _card_params(card: Mapping[str, Any]) -> dict[str, Any]:
    return {"T_eval": card["T_eval"]}


THROWAWAY = Recipe(
    id="X-99",
    name="Throw-away Test Recipe",
    description="Exists only in a test module.",
    category="test",
    sections=("§0",),
    params=(Param("T_eval", "int", "evaluation length", default=1000, minimum=1, unit="tokens"),),
    compute=_compute,
    order=99,
    card_rank=99,
    card_params=_card_params,
    ask=AskSpec(cues={"en": ((r"frobnicat\w*", 5.0),)}, readers=("length",)),
)


@pytest.fixture
def throwaway() -> Iterator[Recipe]:
    register_recipe(THROWAWAY)
    try:
        yield THROWAWAY
    finally:
        unregister_recipe(THROWAWAY.id)


def _taf_json(*argv: str) -> Any:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        assert main([*argv, "--json"]) == 0
    return json.loads(out.getvalue())


def test_the_eight_package_recipes_are_discovered_in_the_reference_order() -> None:
    assert tuple(r.id for r in list_recipes()) == REFERENCE_ORDER
    assert tuple(r.id for r in card_recipes()) == CARD_ORDER


def test_a_recipe_defined_in_a_test_module_shows_everywhere(throwaway: Recipe) -> None:
    assert get_recipe("x99") is throwaway
    listed = [r["id"] for r in _taf_json("recipe", "--list")]
    assert listed[-1] == "X-99"
    card = _taf_json("profile", "llama-3-8b", "--t-eval", "4000")
    assert card["recipes"]["X-99"]["verdict"] == "YES"
    assert card["recipes"]["X-99"]["chain"][0]["law"] == "gamma_pade"
    from tafagent.web import bridge

    boot = json.loads(bridge.call("boot", "{}"))
    assert "X-99" in [r["id"] for r in boot["recipes"]]
    form = next(r for r in boot["recipes"] if r["id"] == "X-99")
    assert [p["name"] for p in form["params"]] == ["T_eval"]
    answer = _taf_json("ask", "Please frobnicate llama-3-8b at 32k")
    assert answer["recipe_id"] == "X-99"
    assert answer["params"] == {"T_eval": 32000}
    assert "it works" in answer["answer"] and "nothing to do" in answer["answer"]


def test_registering_a_second_recipe_under_a_taken_id_is_refused(throwaway: Recipe) -> None:
    from tafagent.core.errors import UsageError

    with pytest.raises(UsageError):
        register_recipe(Recipe(**{**THROWAWAY.__dict__, "name": "another"}))


def test_every_verdict_has_exactly_one_tone_and_a_message_in_every_language() -> None:
    for lang in LANGUAGES:
        verdicts = {key.removeprefix("verdict.") for key in catalog(lang) if key.startswith("verdict.")}
        assert verdicts == set(VERDICT_TONES), lang
