"""The capabilities by id, and the one entry point that runs any of them (validated like a recipe)."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from functools import cache
from typing import Any

from tafagent.core.audit import RecipeResult
from tafagent.core.catalogs import Catalogs
from tafagent.core.errors import UsageError
from tafagent.core.recipes.base import Recipe
from tafagent.core.recipes.registry import run_declared
from tafagent.core.spec.model_spec import ModelSpec

# Modules of this package that declare a CAPABILITY, in the order `taf ask` breaks score ties.
CAPABILITY_MODULES = ("memory", "plan", "launch", "extend", "diagnose", "compare")


@cache
def list_capabilities() -> tuple[Recipe, ...]:
    """Every capability, in tie-break order (imported on first use, so the router stays cheap to import)."""
    found = []
    for name in CAPABILITY_MODULES:
        module = importlib.import_module(f"tafagent.core.capabilities.{name}")
        found.append(module.CAPABILITY)
    return tuple(found)


def find_capability(capability_id: str) -> Recipe | None:
    return next((c for c in list_capabilities() if c.id == capability_id), None)


def get_capability(capability_id: str) -> Recipe:
    found = find_capability(capability_id)
    if found is None:
        known = ", ".join(c.id for c in list_capabilities())
        raise UsageError(f"unknown capability '{capability_id}'", f"known: {known}")
    return found


def run_capability(
    capability_id: str,
    params: Mapping[str, Any] | None = None,
    *,
    model: ModelSpec | None = None,
    catalogs: Catalogs | None = None,
) -> RecipeResult:
    """Run one capability with the recipes' validation (unknown parameters, ranges, choices)."""
    return run_declared(get_capability(capability_id), params, model=model, catalogs=catalogs)
