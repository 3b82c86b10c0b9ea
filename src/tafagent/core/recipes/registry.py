"""The recipe registry: ids, names, typed parameters, and one entry point to run any recipe."""

from __future__ import annotations

import difflib
import importlib
import pkgutil
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from tafagent.core.audit import Confidence, ConfidenceCheck, JoinedMsg, RecipeResult
from tafagent.core.catalogs import Catalogs, default_catalogs
from tafagent.core.errors import ParameterError, UsageError
from tafagent.core.laws.registry import panel_key
from tafagent.core.messages import Msg
from tafagent.core.recipes.base import (
    Param,
    Recipe,
    RecipeContext,
    missing_model_inputs,
    param_help_key,
    resolve_inputs,
)
from tafagent.core.recipes.common import not_rope
from tafagent.core.spec.model_spec import ModelSpec

RECIPE_MODULE = re.compile(r"^x\d+_")  # recipe modules: x02_long_context.py, ...
_registered: dict[str, Recipe] = {}  # id → recipe, filled on first use (discovery) and by register_recipe


def _discover() -> None:
    """Import every ``x<N>_*.py`` module of this package and register its ``RECIPE``: adding a recipe is adding
    one module (no list to edit). Runs once, on first use, so that importing the registry stays cheap."""
    import tafagent.core.recipes as package

    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if RECIPE_MODULE.match(info.name):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            recipe = getattr(module, "RECIPE", None)
            if isinstance(recipe, Recipe):
                _registered.setdefault(recipe.id, recipe)


def _recipes() -> dict[str, Recipe]:
    if not _registered:
        _discover()
    return _registered


def register_recipe(recipe: Recipe) -> Recipe:
    """Add a recipe defined outside this package (a plug-in, a test); it then shows in every list, the card
    (when it has a ``card_rank``), ``taf ask`` (when it declares ``ask``) and the web page's recipe forms."""
    recipes = _recipes()
    if recipe.id in recipes and recipes[recipe.id] is not recipe:
        raise UsageError(f"a recipe with id '{recipe.id}' is already registered", "choose another id")
    recipes[recipe.id] = recipe
    return recipe


def unregister_recipe(recipe_id: str) -> None:
    """Remove a recipe added with :func:`register_recipe` (tests clean up with it)."""
    _recipes().pop(recipe_id, None)


def list_recipes() -> tuple[Recipe, ...]:
    """Every recipe in list order (``Recipe.order``: the reference's registry order, spec §2.10)."""
    return tuple(sorted(_recipes().values(), key=lambda r: (r.order, r.id)))


def card_recipes() -> tuple[Recipe, ...]:
    """The recipes the TAF Card runs, in card order (``Recipe.card_rank``)."""
    on_card = [r for r in _recipes().values() if r.card_rank is not None]
    return tuple(sorted(on_card, key=lambda r: (r.card_rank or 0, r.id)))


def get_recipe(recipe_id: str) -> Recipe:
    """A recipe by id ('X-2', 'x2', 'X2' all work); unknown ids suggest the closest."""
    key = recipe_id.strip().upper().replace("_", "-")
    if key.startswith("X") and not key.startswith("X-"):
        key = "X-" + key[1:]
    recipes = _recipes()
    if key in recipes:
        return recipes[key]
    ids = [r.id for r in list_recipes()]
    close = difflib.get_close_matches(key, ids, n=2)
    hint = (f"did you mean {' or '.join(close)}? " if close else "") + "known: " + ", ".join(ids)
    raise UsageError(f"unknown recipe '{recipe_id}'", hint)


def run_recipe(
    recipe_id: str,
    params: Mapping[str, Any] | None = None,
    *,
    model: ModelSpec | None = None,
    catalogs: Catalogs | None = None,
) -> RecipeResult:
    """Run one recipe. ``params`` use the recipe's parameter names or the reference's aliases; values
    may be typed or strings ('8e9', '32k', 'true'). Model fields fill what the user did not give."""
    return run_declared(get_recipe(recipe_id), params, model=model, catalogs=catalogs)


def run_declared(
    recipe: Recipe,
    params: Mapping[str, Any] | None = None,
    *,
    model: ModelSpec | None = None,
    catalogs: Catalogs | None = None,
) -> RecipeResult:
    """Run a declared computation (a registered recipe, or one of ``tafagent.core.capabilities``): inputs
    validated and merged (defaults < model < user), then ``recipe.compute`` and the panel's evidence."""
    catalogs = catalogs or default_catalogs()
    user = dict(params or {})
    if recipe.needs_rope and model is not None and model.rope_theta is None and not _gives_theta(recipe, user):
        # A RoPE law asked about an ALiBi/absolute/SSM model: say so before validating RoPE inputs.
        ctx = RecipeContext(recipe, {p.name: None for p in recipe.params}, {}, catalogs, model)
        return not_rope(ctx)
    values, sources = resolve_inputs(recipe, user, model)
    ctx = RecipeContext(recipe, values, sources, catalogs, model)
    missing = missing_model_inputs(recipe, values)
    if missing:
        return _model_lacks_inputs(ctx, missing)
    _cross_checks(ctx)
    return attach_panel_evidence(recipe.compute(ctx))


def _model_lacks_inputs(ctx: RecipeContext, missing: list[Param]) -> RecipeResult:
    """NOT APPLICABLE, naming the inputs the model's config does not state (never a failure of the card)."""
    name = ctx.model.model_id if ctx.model is not None else "this model"
    listed = JoinedMsg(
        *(Msg("recipe.missing.item", name=p.name, help=Msg(param_help_key(p, ctx.recipe.id))) for p in missing)
    )
    example = " ".join(f"--set {p.name}=VALUE" for p in missing)
    lacks = ", ".join(p.name for p in missing)
    return ctx.result(
        [],
        "NOT APPLICABLE",
        Msg("recipe.missing.reason", recipe=ctx.recipe.id, listed=listed, model=name),
        Msg("recipe.missing.mitigation", recipe=ctx.recipe.id, model=name, example=example),
        [f"missing_{p.name}" for p in missing],
        [
            ConfidenceCheck(
                "applicable", "miss", f"{name} lacks {lacks}", Msg("confidence.note.lacks", model=name, names=lacks)
            )
        ],
    )


def attach_panel_evidence(result: RecipeResult) -> RecipeResult:
    """Put, next to each predictive step, what the shipped reference measurements say about its law."""
    from tafagent.core.validation import law_evidence  # the panel loads on first use only

    chain = tuple(
        replace(step, panel=law_evidence(key).to_dict()) if (key := panel_key(step.law)) is not None else step
        for step in result.chain
    )
    contradicted = sorted(
        {step.panel["law_key"] for step in chain if step.panel and step.panel["support"] == "contradicts"}
    )
    if not contradicted:
        return replace(result, chain=chain)
    laws = ", ".join(contradicted)
    check = ConfidenceCheck(
        "reference panel",
        "warn",
        f"the shipped measurements contradict: {laws} (`taf validate`)",
        Msg("confidence.note.panel_contradicts", laws=laws),
    )
    confidence = Confidence((*result.confidence.checks, check))
    caveats = (*result.caveats, *(f"panel_contradicts_{law.split(':')[0]}" for law in contradicted))
    return replace(result, chain=chain, confidence=confidence, caveats=tuple(dict.fromkeys(caveats)))


def _gives_theta(recipe: Recipe, user: Mapping[str, Any]) -> bool:
    theta = recipe.param("theta")
    return theta is not None and any(recipe.param(k) is theta for k in user)


def _cross_checks(ctx: RecipeContext) -> None:
    """Constraints between parameters (single-parameter ranges are checked on input)."""
    values = ctx.values
    used = {p.name for p in ctx.recipe.params if not p.unused}
    heads, kv = values.get("n_attention_heads"), values.get("n_kv_heads")
    if {"n_attention_heads", "n_kv_heads"} <= used and heads is not None and kv is not None and kv > heads:
        raise ParameterError(
            f"n_kv_heads ({kv}) cannot exceed n_attention_heads ({heads})",
            "GQA shares each KV head among several query heads",
            field="n_kv_heads",
        )
    if values.get("gpu") is not None:  # an optional GPU (a capability's) may be absent
        ctx.catalogs.gpu(values["gpu"])
    if "api_model" in values and not (
        values.get("api_input_usd_per_Mtok") is not None and values.get("api_output_usd_per_Mtok") is not None
    ):
        ctx.catalogs.api(values["api_model"])
