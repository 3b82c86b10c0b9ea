"""The TAF recipes (spec §3): one module each (``x<N>_<name>.py``), discovered by the registry."""

from tafagent.core.errors import ParameterError
from tafagent.core.recipes.base import Param, Recipe
from tafagent.core.recipes.registry import get_recipe, list_recipes, register_recipe, run_recipe

__all__ = ["Param", "ParameterError", "Recipe", "get_recipe", "list_recipes", "register_recipe", "run_recipe"]
