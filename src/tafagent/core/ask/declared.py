"""The recipes that ``taf ask`` can route to: those whose ``Recipe.ask`` declares an AskSpec.

Read from the registry on every call (it is a few dozen objects), so a recipe added later with
``register_recipe`` is routed to at once; what is compiled from the declarations is cached by the
callers on the declarations themselves.
"""

from __future__ import annotations

from tafagent.core.recipes.ask_spec import AskSpec
from tafagent.core.recipes.registry import get_recipe, list_recipes

NOT_DECLARED = AskSpec()  # a recipe without a declaration (forced by id): only the model size is read


def askable() -> tuple[tuple[str, AskSpec], ...]:
    """(recipe id, its AskSpec) of every askable recipe, in list order (the order that breaks score ties)."""
    return tuple((recipe.id, recipe.ask) for recipe in list_recipes() if recipe.ask is not None)


def recipe_ids() -> tuple[str, ...]:
    return tuple(rid for rid, _spec in askable())


def spec_of(recipe_id: str) -> AskSpec:
    """The AskSpec of a registered recipe (UsageError for an unknown id)."""
    return get_recipe(recipe_id).ask or NOT_DECLARED


def find_spec(recipe_id: str) -> AskSpec | None:
    """The AskSpec of ``recipe_id`` exactly as written, None when no askable recipe has that id."""
    return next((spec for rid, spec in askable() if rid == recipe_id), None)
