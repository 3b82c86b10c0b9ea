"""The eight TAF recipes (spec §3) and their registry."""

from .base import Param, ParameterError, Recipe
from .registry import RECIPES, get_recipe, list_recipes, run_recipe

__all__ = ["RECIPES", "Param", "ParameterError", "Recipe", "get_recipe", "list_recipes", "run_recipe"]
