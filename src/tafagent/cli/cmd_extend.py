"""``taf extend MODEL --to L [--method yarn|linear|dynamic|longrope|llama3]``: the RoPE scaling to reach L tokens."""

from __future__ import annotations

import argparse
from typing import Any

from tafagent.adapters.sources import load_spec
from tafagent.cli.common import output_language
from tafagent.cli.model_options import add_model_options, model_kwargs
from tafagent.cli.output import console, emit_json, plain
from tafagent.core.errors import UsageError
from tafagent.core.extend import METHODS, ExtensionPlan, parse_context_tokens, plan_extension
from tafagent.core.extend.text import extend_texts, extend_view


def context_length(text: str) -> int:
    """argparse type: '32k' → 32,768 (k = 1,024 tokens), '1M', '40960'."""
    try:
        return parse_context_tokens(text)
    except UsageError as error:
        raise argparse.ArgumentTypeError(error.one_line()) from None


def register(subparsers: Any, parent: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "extend",
        parents=[parent],
        help="the RoPE scaling block (config.json, vLLM, llama.cpp) to stretch MODEL to L tokens, and its cost",
        description="Stretch a RoPE model past its trained length: the rope block for config.json (the schema "
        "transformers 5.24 reads, and the legacy rope_scaling key), the vLLM and llama.cpp flags, the batch-1 "
        "memory at L, X-2's verdict at L, and what the literature measured with and without fine-tuning. "
        "factor = L / the length the RoPE frequencies were trained at.",
    )
    parser.add_argument("model", metavar="MODEL", help="preset/alias, path to config.json or its folder, or Hub id")
    parser.add_argument(
        "--to", dest="target", type=context_length, required=True, help="target length (32k = 32,768 tokens)"
    )
    parser.add_argument("--method", choices=METHODS, default="yarn", help="RoPE scaling method (default yarn)")
    add_model_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    spec = load_spec(args.model, **model_kwargs(args))
    plan = plan_extension(spec, args.target, args.method)
    lang = output_language(args) or "en"
    if args.json:
        data = plan.to_dict()
        if lang != "en":
            data["localized"] = extend_texts(plan, lang)
        emit_json(data)
        return 0
    render_plan(plan, lang)
    return 0


def render_plan(plan: ExtensionPlan, lang: str = "en") -> None:
    """The text of `taf extend` in ``lang`` (``core.extend.text.extend_view``, drawn with rich)."""
    from rich.table import Table

    out = console()
    view = extend_view(plan, lang)
    out.print(f"[bold]{plain(view['head'])}[/bold]")
    out.print(plain(view["base"]))
    out.print(plain(view["config_label"]))
    out.print(plain(view["config_json"]))
    out.print(plain(view["legacy"]))
    out.print("[bold]vLLM:[/bold] " + plain(view["vllm"]))
    out.print("[bold]llama.cpp:[/bold] " + plain(view["llama_cpp"] or view["llama_cpp_note"] or ""))
    for key in ("memory", "x2_after", "x2_before", "literature"):
        out.print(plain(view[key]))
    if view["literature_table"] is not None:
        table = Table(show_lines=False)
        for column in view["literature_table"]["columns"]:
            table.add_column(column, overflow="fold")
        for row in view["literature_table"]["rows"]:
            table.add_row(*(plain(x) for x in row))
        out.print(table)
    for note in view["notes"]:
        out.print(f"  [dim]{plain(note)}[/dim]")
