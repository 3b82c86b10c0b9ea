"""Typed recipe parameters, the recipe record, and input validation at the edge.

A recipe declares its parameters (type, default, range, unit, help, the ModelSpec field that fills
it, and accepted aliases such as the reference's ``N_params``/``n_params``). :func:`resolve_inputs`
turns model values, user values (typed or strings from ``--set``) and defaults into validated
inputs, recording where each came from; a bad value is a :class:`ParameterError` naming it.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from tafagent.core.audit import Confidence, ConfidenceCheck, RecipeResult, Step
from tafagent.core.catalogs import Catalogs
from tafagent.core.errors import ParameterError
from tafagent.core.messages import Msg, catalog
from tafagent.core.numbers import parse_number
from tafagent.core.recipes.ask_spec import AskSpec
from tafagent.core.spec.model_spec import ModelSpec

ParamKind = Literal["float", "int", "bool", "str"]
# A caveat as a recipe states it: a code, a message (a sentence), or a code with the message that renders it.
Caveat = str | Msg | tuple[str, Msg]


@dataclass(frozen=True)
class Param:
    """One typed recipe parameter."""

    name: str
    kind: ParamKind
    help: str
    default: Any = None
    optional: bool = False  # None is a valid value (e.g. a measurement not taken)
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    choices: Literal["gpu", "api"] | None = None  # validated against the catalogs
    options: tuple[str, ...] = ()  # a fixed enumeration (checked case-insensitively)
    aliases: tuple[str, ...] = ()
    from_model: str | None = None  # key of model_inputs() that fills it
    unused: bool = False  # accepted for compatibility with the reference's parameter list

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "type": self.kind,
            "default": self.default,
            "optional": self.optional,
            "unit": self.unit,
            "help": self.help,
        }
        if self.minimum is not None:
            out["minimum"] = self.minimum
            out["exclusive_minimum"] = self.exclusive_minimum
        if self.maximum is not None:
            out["maximum"] = self.maximum
        if self.choices:
            out["choices"] = self.choices
        if self.options:
            out["options"] = list(self.options)
        if self.aliases:
            out["aliases"] = list(self.aliases)
        if self.from_model:
            out["from_model"] = self.from_model
        if self.unused:
            out["unused"] = True
        return out


def param_help_key(param: Param, recipe_id: str) -> str:
    """The catalog key of a parameter's help: ``param.<recipe>.<name>`` where the recipe words it its own way,
    else the shared ``param.<name>``."""
    key = f"param.{recipe_id}.{param.name}"
    return key if key in catalog("en") else f"param.{param.name}"


def param_help(param: Param, lang: str = "en", recipe_id: str | None = None) -> str:
    """A parameter's help text in ``lang``: ``param.<recipe>.<name>``, else ``param.<name>``, else its English
    ``help`` (a parameter shared by several recipes has one message)."""
    if lang == "en":
        return param.help
    texts = catalog(lang)
    if recipe_id is not None and f"param.{recipe_id}.{param.name}" in texts:
        return texts[f"param.{recipe_id}.{param.name}"]
    return texts.get(f"param.{param.name}") or param.help


def recipe_description(recipe: Recipe, lang: str = "en") -> str:
    """A recipe's one-line description in ``lang`` (``recipe.<id>.description``; English as the fallback)."""
    return catalog(lang).get(f"recipe.{recipe.id}.description") or recipe.description


@dataclass(frozen=True)
class RecipeContext:
    """What a recipe computes from: validated inputs, their sources, catalogs and the model if any."""

    recipe: Recipe
    values: dict[str, Any]
    sources: dict[str, str]
    catalogs: Catalogs
    model: ModelSpec | None = None

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def result(
        self,
        chain: list[Step],
        verdict: str,
        reason: Msg | str,
        mitigation: Msg | str,
        caveats: Sequence[Caveat] | None = None,
        checks: list[ConfidenceCheck] | None = None,
    ) -> RecipeResult:
        """Assemble the RecipeResult; ``reason``/``mitigation`` messages are rendered in English and kept
        as keys so every interface can show them in the user's language. A caveat is a code (its sentence is
        ``caveat.<code>``), a message (kept in JSON as its English sentence) or a (code, message) pair."""
        inputs = {p.name: self.values[p.name] for p in self.recipe.params if not p.unused}
        entries: list[str] = []
        caveat_msgs: dict[str, Msg] = {}
        for caveat in caveats or ():
            if isinstance(caveat, Msg):
                entry, msg = caveat.text(), caveat
            elif isinstance(caveat, tuple):
                entry, msg = caveat
            else:
                entries.append(caveat)
                continue
            entries.append(entry)
            caveat_msgs[entry] = msg
        return RecipeResult(
            recipe_id=self.recipe.id,
            recipe_name=self.recipe.name,
            inputs=inputs,
            chain=tuple(chain),
            verdict=verdict,
            reason=reason.text() if isinstance(reason, Msg) else reason,
            mitigation=mitigation.text() if isinstance(mitigation, Msg) else mitigation,
            caveats=tuple(entries),
            confidence=Confidence(tuple(checks or ())),
            input_sources={k: v for k, v in self.sources.items() if k in inputs},
            reason_msg=reason if isinstance(reason, Msg) else None,
            mitigation_msg=mitigation if isinstance(mitigation, Msg) else None,
            caveat_msgs=caveat_msgs,
        )


@dataclass(frozen=True)
class Recipe:
    id: str
    name: str
    description: str
    category: str
    sections: tuple[str, ...]
    params: tuple[Param, ...]
    compute: Callable[[RecipeContext], RecipeResult]
    needs_rope: bool = False
    reference_result_name: str = ""
    examples: tuple[str, ...] = field(default=())
    order: int = 0  # position in lists and menus (the reference's registry order, spec §2.10)
    card_rank: int | None = None  # position on the TAF Card (None: not on the card)
    # The card's options (T_eval, gamma_obs, gamma_random, gamma_text, USD_budget, target_tokens_per_day,
    # api_model, monthly_tokens_M) → this recipe's parameters; None values are dropped by the card.
    card_params: Callable[[Mapping[str, Any]], dict[str, Any]] | None = None
    ask: AskSpec | None = None  # what `taf ask` needs to route to it and answer (None: not askable)

    def param(self, name: str) -> Param | None:
        """The parameter called ``name`` or one of its aliases; exact spelling first, then any case."""
        for p in self.params:
            if p.name == name or name in p.aliases:
                return p
        folded = name.lower()
        for p in self.params:
            if p.name.lower() == folded or any(a.lower() == folded for a in p.aliases):
                return p
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "category": self.category,
            "uses_sections": list(self.sections),
            "params": [p.to_dict() for p in self.params],
        }


# ---- value parsing and validation -------------------------------------------------------------
def _shown(value: Any) -> str:
    """A value as an error message shows it: short, whatever the user typed (a 300-digit number, a long text)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) >= 1e15:
        return f"{float(value):.6g}"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…'"


def coerce(param: Param, value: Any, recipe_id: str) -> Any:
    """Convert and range-check one value for ``param``; ParameterError names it on failure."""
    where = f"parameter '{param.name}' of {recipe_id}"
    if value is None:
        if param.optional:
            return None
        raise ParameterError(f"{where} needs a value", _range_hint(param), field=param.name)
    if param.kind == "str":
        return _coerce_str(param, value, where)
    if param.kind == "bool":
        return _coerce_bool(param, value, where)
    value = _as_number(param, value, where)  # error messages below show the parsed number
    number = _finite_of_kind(param, value, where)
    _check_range(param, number, value, where)
    return number


def _coerce_str(param: Param, value: Any, where: str) -> str:
    """A non-empty, stripped string; with ``options``, the option it names (any case), spelled canonically."""
    if not isinstance(value, str) or not value.strip():
        raise ParameterError(
            f"{where} must be a non-empty string, got {_shown(value)}", _range_hint(param), field=param.name
        )
    text = value.strip()
    if not param.options:
        return text
    for option in param.options:
        if option.lower() == text.lower():
            return option
    raise ParameterError(
        f"{where} must be one of {', '.join(param.options)}, got {_shown(text)}",
        _range_hint(param),
        field=param.name,
    )


_TRUE_WORDS = ("true", "yes", "1", "on")
_FALSE_WORDS = ("false", "no", "0", "off")


def _coerce_bool(param: Param, value: Any, where: str) -> bool:
    """A bool, a yes/no word (true/yes/1/on, false/no/0/off, any case) or the integers 0 and 1."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in (*_TRUE_WORDS, *_FALSE_WORDS):
        return value.strip().lower() in _TRUE_WORDS
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise ParameterError(f"{where} must be true or false, got {_shown(value)}", "use true/false", field=param.name)


def _as_number(param: Param, value: Any, where: str) -> int | float:
    """The number ``value`` holds or spells ('8e9', '32k'); a bool or any other type is an error."""
    if isinstance(value, bool):
        raise ParameterError(f"{where} must be a number, got {_shown(value)}", _range_hint(param), field=param.name)
    if isinstance(value, str):
        try:
            value = parse_number(value)
        except ValueError:
            raise ParameterError(
                f"{where} must be a number, got {_shown(value)}", _range_hint(param), field=param.name
            ) from None
    if not isinstance(value, (int, float)):
        raise ParameterError(
            f"{where} must be a number, got {type(value).__name__}", _range_hint(param), field=param.name
        )
    return value


def _finite_of_kind(param: Param, value: int | float, where: str) -> int | float:
    """``value`` as a finite float, or as an int when the parameter is whole-numbered."""
    number = float(value)
    if not math.isfinite(number):
        raise ParameterError(f"{where} must be finite, got {_shown(value)}", _range_hint(param), field=param.name)
    if param.kind != "int":
        return number
    if number != int(number):
        raise ParameterError(
            f"{where} must be a whole number, got {_shown(value)}", _range_hint(param), field=param.name
        )
    return int(number)


def _check_range(param: Param, number: float, value: Any, where: str) -> None:
    """Raise when ``number`` is below the minimum (strictly, when exclusive) or above the maximum.

    The message shows ``value``, the number as given (after parsing, when it was a text)."""
    if param.minimum is not None:
        bad = number <= param.minimum if param.exclusive_minimum else number < param.minimum
        if bad:
            raise ParameterError(f"{where} = {_shown(value)} is out of range", _range_hint(param), field=param.name)
    if param.maximum is not None and number > param.maximum:
        raise ParameterError(f"{where} = {_shown(value)} is out of range", _range_hint(param), field=param.name)


def _range_hint(param: Param) -> str:
    parts = []
    if param.minimum is not None:
        parts.append(f"{'>' if param.exclusive_minimum else '≥'} {param.minimum:g}")
    if param.maximum is not None:
        parts.append(f"≤ {param.maximum:g}")
    unit = f" {param.unit}" if param.unit else ""
    rng = f" ({' and '.join(parts)}{unit})" if parts else ""
    return f"{param.name}: {param.help}{rng}"


def model_inputs(spec: ModelSpec) -> dict[str, Any]:
    """The reference's flat recipe inputs filled from a ModelSpec (spec §2.11 key names)."""
    return {
        "theta": spec.rope_theta,
        "T_train": spec.T_train,
        "n_attention_heads": spec.n_heads,
        "n_kv_heads": spec.n_kv_heads,
        "d_head": spec.d_head,
        "n_layers": spec.n_layers,
        "n_params": float(spec.n_params),
        "has_SWA": spec.has_swa,
    }


def resolve_inputs(
    recipe: Recipe,
    user: Mapping[str, Any] | None,
    model: ModelSpec | None,
) -> tuple[dict[str, Any], dict[str, str]]:
    """Merge defaults < model values < user values; validate; return (values, sources)."""
    user = dict(user or {})
    given: dict[str, Any] = {}
    for key, value in user.items():
        param = recipe.param(key)
        if param is None:
            names = [p.name for p in recipe.params]
            close = difflib.get_close_matches(key, names, n=2)
            hint = f"did you mean {' or '.join(close)}? " if close else ""
            raise ParameterError(
                f"{recipe.id} has no parameter '{key}'", f"{hint}its parameters: {', '.join(names)}", field=key
            )
        if param.name in given and given[param.name] != value:
            raise ParameterError(
                f"parameter '{param.name}' of {recipe.id} was given twice (as '{key}')",
                "give it once",
                field=param.name,
            )
        given[param.name] = value

    from_model = model_inputs(model) if model is not None else {}
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for param in recipe.params:
        if param.name in given:
            raw, source = given[param.name], "user"
        elif param.from_model and model is not None and param.from_model in from_model:
            raw, source = from_model[param.from_model], f"model ({model.model_id})"
        else:
            raw, source = param.default, "default"
        if raw is None and param.from_model is not None and model is not None and source != "user":
            # The model lacks it (no RoPE θ, no max positions): θ's recipes say so themselves, run_recipe
            # answers NOT APPLICABLE for any other missing input (missing_model_inputs).
            values[param.name], sources[param.name] = None, source
            continue
        values[param.name] = coerce(param, raw, recipe.id)
        sources[param.name] = source
    return values, sources


def missing_model_inputs(recipe: Recipe, values: Mapping[str, Any]) -> list[Param]:
    """Required parameters that the model should have filled but could not (None from resolve_inputs): a
    BLOOM or Mamba config states no max positions, so T_train stays unknown. θ is left to the recipes, which
    answer a model without RoPE in their own words."""
    return [
        p
        for p in recipe.params
        if values.get(p.name) is None and p.from_model not in (None, "theta") and not p.optional and not p.unused
    ]
