"""The eight TAF recipes (spec §3) and their registry."""

from tafagent.core.errors import ParameterError
from tafagent.core.recipes.base import Param, Recipe
from tafagent.core.recipes.registry import RECIPES, get_recipe, list_recipes, run_recipe

__all__ = ["RECIPES", "Param", "ParameterError", "Recipe", "get_recipe", "list_recipes", "run_recipe"]
