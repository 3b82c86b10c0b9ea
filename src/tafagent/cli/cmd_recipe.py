"""``taf recipe ID [--model M] [--set k=v ...]`` and ``taf recipe --list``."""

from __future__ import annotations

import argparse
from typing import Any

from tafagent.adapters.sources import load_spec
from tafagent.cli.common import add_catalog_option, load_catalogs, output_language, parse_sets
from tafagent.cli.model_options import add_closed_form_option, add_model_options, model_kwargs
from tafagent.cli.output import console, emit_json, plain, write_stdout
from tafagent.core.errors import UsageError
from tafagent.core.messages import Msg, catalog, recipe_label, tr
from tafagent.core.recipes.base import Param, Recipe, param_help, recipe_description


def register(subparsers: Any, parent: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "recipe",
        parents=[parent],
        help="run one recipe with its full audit chain (or --list them)",
        description="Run one recipe. --model fills the architecture inputs from a preset, config or Hub id; "
        "--set name=value overrides any parameter (the reference's names such as theta, T_eval, n_params, "
        "N_params, has_SWA, gpu, mfu, api_model are accepted). Numbers accept 32k, 8e9, 7B.",
    )
    parser.add_argument(
        "recipe_id", nargs="?", metavar="ID", help="a recipe id such as X-2 (`taf recipe --list` shows all)"
    )
    parser.add_argument("--list", action="store_true", help="list the recipes with their parameters and defaults")
    parser.add_argument("--model", metavar="MODEL", help="fill architecture inputs from this model")
    parser.add_argument("--set", action="append", metavar="NAME=VALUE", help="set a parameter (repeatable)")
    parser.add_argument("--format", choices=("text", "md"), default="text")
    add_catalog_option(parser)
    add_closed_form_option(parser)
    add_model_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from tafagent.cli.render import render_result
    from tafagent.core.gamma_source import run_recipe_with_gamma
    from tafagent.core.render.report import result_markdown

    lang = output_language(args) or "en"
    if args.list:
        return _list(args, lang)
    if not args.recipe_id:
        raise UsageError("name a recipe id or use --list", "e.g. taf recipe X-2 --model llama-3-8b").in_words(
            Msg("cli.error.recipe_needs_id"), Msg("cli.error.example", command="taf recipe X-2 --model llama-3-8b")
        )
    model = load_spec(args.model, **model_kwargs(args)) if args.model else None
    result = run_recipe_with_gamma(  # a model the panel measured gets its measured γ, labelled, unless --closed-form
        args.recipe_id,
        parse_sets(args.set),
        model=model,
        catalogs=load_catalogs(args.catalog),
        closed_form=args.closed_form,
    )
    if args.json:  # English keys and values as always; the texts in the asked language beside them
        emit_json(result.to_dict() | ({"localized": result.localized_dict(lang)} if lang != "en" else {}))
    elif args.format == "md":
        write_stdout(result_markdown(result, "#", lang) + "\n")
    else:
        render_result(console(), result, lang)
    return 0


def _list(args: argparse.Namespace, lang: str = "en") -> int:
    """The recipes with their parameters, in ``lang`` (JSON: the English records, plus ``localized`` texts)."""
    from tafagent.core.recipes import list_recipes

    recipes = list_recipes()
    if args.json:
        emit_json([_listed_json(r, lang) for r in recipes])
        return 0
    from rich.table import Table

    out = console()
    for recipe in recipes:
        table = Table(
            title=plain(list_title(recipe, lang)),
            title_justify="left",
            caption=plain(recipe_description(recipe, lang)),
            caption_justify="left",
        )
        for column in ("parameter", "type", "default", "range", "help"):
            table.add_column(plain(tr(f"recipe.list.col.{column}", lang)), overflow="fold")
        for p in recipe.params:
            table.add_row(*map(plain, param_cells(recipe, p, lang)))
        out.print(table)
    return 0


def _listed_json(recipe: Recipe, lang: str) -> dict[str, Any]:
    """A recipe's JSON record; in another language than English, its texts in that language under ``localized``."""
    record = recipe.to_dict()
    if lang == "en":
        return record
    record["localized"] = {
        "name": recipe_label(recipe.id, lang, recipe.name),
        "description": recipe_description(recipe, lang),
        "params": {p.name: param_help(p, lang, recipe.id) for p in recipe.params},
    }
    return record


def list_title(recipe: Recipe, lang: str = "en") -> str:
    """'X-2 — Long Context Viability (long-context; §2, §26)': a recipe's table title in ``lang``."""
    return tr(
        "recipe.list.title",
        lang,
        id=recipe.id,
        name=recipe_label(recipe.id, lang, recipe.name),
        category=catalog(lang).get(f"recipe.category.{recipe.category}", recipe.category),
        sections=", ".join(recipe.sections),
    )


def param_cells(recipe: Recipe, p: Param, lang: str = "en") -> tuple[str, str, str, str, str]:
    """One row of `taf recipe --list`: name, type, default, range and unit, help (with its aliases), in ``lang``."""
    from tafagent.core.audit import unit_text
    from tafagent.core.render.format import fmt, localise_number

    rng = []
    if p.minimum is not None:
        rng.append(f"{'>' if p.exclusive_minimum else '≥'} {localise_number(f'{p.minimum:g}', lang)}")
    if p.maximum is not None:
        rng.append(f"≤ {localise_number(f'{p.maximum:g}', lang)}")
    default = "—" if p.default is None else fmt(p.default, "", lang)
    if p.from_model:
        default = tr("recipe.list.from_model", lang, default=default)
    help_text = param_help(p, lang, recipe.id)
    if p.aliases:
        help_text = tr("recipe.list.aliases", lang, help=help_text, aliases=", ".join(p.aliases))
    unit = f" {unit_text(p.unit, lang)}" if p.unit else ""
    return p.name, p.kind, default, " ".join(rng) + unit, help_text
