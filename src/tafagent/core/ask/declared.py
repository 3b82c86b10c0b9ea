"""What ``taf ask`` can route to: the recipes whose ``Recipe.ask`` declares an AskSpec, and the capabilities
(memory, plan, launch, extend, diagnose, compare; :mod:`tafagent.core.capabilities`), declared the same way.

Read on every call (a few dozen objects), so a recipe added later with ``register_recipe`` is routed to at
once; what is compiled from the declarations is cached by the callers on the declarations themselves.
"""

from __future__ import annotations

from tafagent.core.capabilities.registry import find_capability, list_capabilities
from tafagent.core.recipes.ask_spec import AskSpec
from tafagent.core.recipes.base import Recipe
from tafagent.core.recipes.registry import get_recipe, list_recipes

NOT_DECLARED = AskSpec()  # a recipe without a declaration (forced by id): only the model size is read


def askable() -> tuple[tuple[str, AskSpec], ...]:
    """(id, its AskSpec) of every askable recipe then capability, in that order (the order that breaks ties)."""
    declared = (*list_recipes(), *list_capabilities())
    return tuple((item.id, item.ask) for item in declared if item.ask is not None)


def recipe_ids() -> tuple[str, ...]:
    return tuple(rid for rid, _spec in askable())


def get_declared(declared_id: str) -> Recipe:
    """A capability by its exact id, else a registered recipe (UsageError with suggestions for an unknown id)."""
    return find_capability(declared_id) or get_recipe(declared_id)


def is_capability(declared_id: str | None) -> bool:
    return declared_id is not None and find_capability(declared_id) is not None


def spec_of(declared_id: str) -> AskSpec:
    """The AskSpec of a recipe or capability (UsageError for an unknown id)."""
    return get_declared(declared_id).ask or NOT_DECLARED


def find_spec(declared_id: str) -> AskSpec | None:
    """The AskSpec of ``declared_id`` exactly as written, None when nothing askable has that id."""
    return next((spec for rid, spec in askable() if rid == declared_id), None)
