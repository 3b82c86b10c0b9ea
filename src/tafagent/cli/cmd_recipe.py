"""``taf recipe ID [--model M] [--set k=v ...]`` and ``taf recipe --list``."""

from __future__ import annotations

import argparse
from typing import Any

from tafagent.adapters.sources import load_spec
from tafagent.cli.common import add_catalog_option, load_catalogs, parse_sets
from tafagent.cli.model_options import add_closed_form_option, add_model_options, model_kwargs
from tafagent.cli.output import console, emit_json, plain, write_stdout
from tafagent.core.errors import UsageError


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

    if args.list:
        return _list(args)
    if not args.recipe_id:
        raise UsageError("name a recipe id or use --list", "e.g. taf recipe X-2 --model llama-3-8b")
    model = load_spec(args.model, **model_kwargs(args)) if args.model else None
    result = run_recipe_with_gamma(  # a model the panel measured gets its measured γ, labelled, unless --closed-form
        args.recipe_id,
        parse_sets(args.set),
        model=model,
        catalogs=load_catalogs(args.catalog),
        closed_form=args.closed_form,
    )
    if args.json:
        emit_json(result.to_dict())
    elif args.format == "md":
        write_stdout(result_markdown(result, "#") + "\n")
    else:
        render_result(console(), result)
    return 0


def _list(args: argparse.Namespace) -> int:
    from tafagent.core.recipes import list_recipes
    from tafagent.core.render.format import fmt

    recipes = list_recipes()
    if args.json:
        emit_json([r.to_dict() for r in recipes])
        return 0
    from rich.table import Table

    out = console()
    for recipe in recipes:
        table = Table(
            title=plain(f"{recipe.id} — {recipe.name} ({recipe.category}; {', '.join(recipe.sections)})"),
            title_justify="left",
            caption=plain(recipe.description),
            caption_justify="left",
        )
        for column in ("parameter", "type", "default", "range / unit", "help"):
            table.add_column(column, overflow="fold")
        for p in recipe.params:
            rng = []
            if p.minimum is not None:
                rng.append(f"{'>' if p.exclusive_minimum else '≥'} {p.minimum:g}")
            if p.maximum is not None:
                rng.append(f"≤ {p.maximum:g}")
            default = "—" if p.default is None else fmt(p.default)
            if p.from_model:
                default += " (or from --model)"
            help_text = p.help + (f" [aliases: {', '.join(p.aliases)}]" if p.aliases else "")
            cells = (p.name, p.kind, default, " ".join(rng) + (f" {p.unit}" if p.unit else ""), help_text)
            table.add_row(*map(plain, cells))
        out.print(table)
    return 0
