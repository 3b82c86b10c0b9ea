"""Compare 2–3 models on one recipe (spec §4.2).

Every recipe works here: model fields fill each recipe's own parameter names (the reference passed
``n_params`` to recipes that wanted ``N_params``, so X-1 and X-5 rows were all ERROR, and X-22 needed
a measurement it could not get — spec §9.2 item 3). Shared values apply to every row; a shared value
a recipe does not take (e.g. a context length for X-1) is ignored and listed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tafagent.core.audit import RecipeResult, _clean
from tafagent.core.catalogs import Catalogs
from tafagent.core.errors import UsageError
from tafagent.core.messages import catalog, recipe_label, tr
from tafagent.core.recipes import get_recipe, list_recipes, run_recipe
from tafagent.core.spec.model_spec import ModelSpec


@dataclass(frozen=True)
class Comparison:
    recipe_id: str
    recipe_name: str
    shared_params: dict[str, Any]
    ignored_params: tuple[str, ...]
    rows: tuple[tuple[ModelSpec, RecipeResult], ...]

    def key_number_columns(self) -> list[str]:
        """Union of the rows' key-number names, in first-seen order."""
        columns: list[str] = []
        for _, result in self.rows:
            for name in result.key_numbers():
                if name not in columns:
                    columns.append(name)
        return columns

    def column_header(self, name: str, lang: str = "en") -> str:
        """'KV cache memory (GB; exact)': a key-number column with its unit and the step's evidence label, in
        ``lang`` (the step's name and unit through the audit methods, the label through the card catalog)."""
        from tafagent.core.render.card_text import step_name_text  # the renderers' module imports this one

        for _, result in self.rows:
            step = result.step_named(name)
            if step is not None:
                unit = result.key_number_unit(name)
                if unit and unit == step.unit:
                    unit = step.unit_text(lang)
                if lang != "en" and unit:
                    unit = catalog(lang).get(f"card.unit.{unit}", unit)
                label = step.evidence.label.value
                evidence = catalog(lang).get(f"card.evidence.{label}", label) if lang != "en" else label
                key = "card.compare.column_unit" if unit else "card.compare.column"
                return tr(key, lang, name=step_name_text(step, lang), unit=unit, evidence=evidence)
        return name

    def recipe_name_text(self, lang: str = "en") -> str:
        """The recipe's name in ``lang`` (the registry's English name in English)."""
        return recipe_label(self.recipe_id, lang, self.recipe_name) if lang != "en" else self.recipe_name

    def to_dict(self) -> dict[str, Any]:
        return {
            "recipe_id": self.recipe_id,
            "recipe_name": self.recipe_name,
            "shared_params": _clean(self.shared_params),
            "ignored_params": list(self.ignored_params),
            "rows": [
                {
                    "model": spec.model_id,
                    "verdict": result.verdict,
                    "tone": result.tone,
                    "reason": result.reason,
                    "key_numbers": _clean(result.key_numbers()),
                    "result": result.to_dict(),
                }
                for spec, result in self.rows
            ],
        }


def compare(
    specs: Sequence[ModelSpec],
    recipe_id: str = "X-2",
    shared_params: Mapping[str, Any] | None = None,
    catalogs: Catalogs | None = None,
) -> Comparison:
    """Run ``recipe_id`` on each of 2–3 models with the same shared parameters."""
    if not 2 <= len(specs) <= 3:
        raise UsageError(f"compare needs 2 or 3 models, got {len(specs)}", "name two or three models")
    recipe = get_recipe(recipe_id)
    shared = dict(shared_params or {})
    unknown = [k for k in shared if not any(r.param(k) is not None for r in list_recipes())]
    if unknown:
        raise UsageError(
            f"no recipe has a parameter named {', '.join(repr(k) for k in unknown)}",
            f"see `taf recipe --list` for the parameters of {recipe.id}",
        )
    usable = {k: v for k, v in shared.items() if recipe.param(k) is not None}
    ignored = tuple(k for k in shared if k not in usable)
    rows = tuple((spec, run_recipe(recipe.id, usable, model=spec, catalogs=catalogs)) for spec in specs)
    return Comparison(recipe.id, recipe.name, usable, ignored, rows)
