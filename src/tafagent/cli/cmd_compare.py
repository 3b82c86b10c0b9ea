"""``taf compare A B [C] --recipe ID``: models side by side on one recipe."""

from __future__ import annotations

import argparse
from typing import Any

from tafagent.adapters.sources import load_spec
from tafagent.cli.common import add_catalog_option, load_catalogs, output_language, parse_sets, token_count
from tafagent.cli.model_options import add_model_options, model_kwargs
from tafagent.cli.output import console, emit_json, write_stdout
from tafagent.core.errors import UsageError


def register(subparsers: Any, parent: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "compare",
        parents=[parent],
        help="2-3 models side by side on one recipe",
        description="Run one recipe on two or three models with the same shared inputs.",
    )
    parser.add_argument("models", nargs="+", metavar="MODEL")
    parser.add_argument("--recipe", default="X-2", help="recipe id (default X-2)")
    parser.add_argument("--t-eval", type=token_count, help="shared target context length (at most 2^34)")
    parser.add_argument("--set", action="append", metavar="NAME=VALUE", help="shared parameter (repeatable)")
    parser.add_argument("--format", choices=("text", "md"), default="text")
    add_catalog_option(parser)
    add_model_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from tafagent.cli.render import render_comparison
    from tafagent.core.compare import compare
    from tafagent.core.render.card_text import comparison_texts
    from tafagent.core.render.report import comparison_markdown

    lang = output_language(args) or "en"
    if not 2 <= len(args.models) <= 3:
        raise UsageError(
            f"compare takes 2 or 3 models, got {len(args.models)}", "e.g. taf compare llama-3-8b mistral-7b"
        )
    shared: dict[str, Any] = parse_sets(args.set)
    if args.t_eval is not None:
        shared["T_eval"] = args.t_eval
    specs = [load_spec(m, **model_kwargs(args)) for m in args.models]
    comparison = compare(specs, args.recipe, shared, load_catalogs(args.catalog))
    if args.json:
        data = comparison.to_dict()  # English keys and values; another language adds its texts under "localized"
        if lang != "en":
            data["localized"] = comparison_texts(comparison, lang)
        emit_json(data)
    elif args.format == "md":
        write_stdout(comparison_markdown(comparison, lang))
    else:
        render_comparison(console(), comparison, lang)
    return 0
