"""``taf extend MODEL --to L [--method yarn|linear|dynamic|longrope|llama3]``: the RoPE scaling to reach L tokens."""

from __future__ import annotations

import argparse
import json
from typing import Any

from tafagent.adapters.sources import load_spec
from tafagent.cli.common import output_language
from tafagent.cli.model_options import add_model_options, model_kwargs
from tafagent.cli.output import console, emit_json, plain
from tafagent.core.errors import UsageError
from tafagent.core.extend import METHODS, ExtensionPlan, parse_context_tokens, plan_extension
from tafagent.core.extend.text import base_source_text, extend_texts
from tafagent.core.messages import Msg, catalog, tr
from tafagent.core.render.format import bytes_gb_gib, localise_number


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
    out = console()
    block = plan.block
    head = tr(
        "serving.extend.head",
        lang,
        model=plan.model_id,
        target=block.target_tokens,
        method=block.method,
        factor=f"{block.factor:g}",
        base=block.base_tokens,
    )
    out.print(f"[bold]{plain(head)}[/bold]")
    out.print(plain(tr("serving.extend.base", lang, source=base_source_text(plan.base_source, lang))))
    out.print(plain(tr("serving.extend.config", lang)))
    out.print(plain(json.dumps(block.config_patch, indent=2)))
    out.print(plain(tr("serving.extend.legacy", lang, json=f'"rope_scaling": {json.dumps(block.rope_scaling)}')))
    out.print("[bold]vLLM:[/bold] " + plain(plan.vllm.text))
    if plan.llama_cpp is not None:
        out.print("[bold]llama.cpp:[/bold] " + plain(plan.llama_cpp.text))
    else:
        out.print("[bold]llama.cpp:[/bold] " + plain(plan.llama_cpp_note or ""))
    _render_memory(plan.memory, lang)
    _render_x2(plan, lang)
    _render_literature(plan, lang)
    for note in plan.note_texts(lang):
        out.print(f"  [dim]{plain(note)}[/dim]")


def _render_memory(memory: dict[str, Any], lang: str) -> None:
    line = tr(
        "serving.extend.memory",
        lang,
        engine=memory["engine"],
        weights=bytes_gb_gib(memory["weights_bytes"], lang),
        kv=bytes_gb_gib(memory["kv_bytes"], lang),
        kv_dtype=memory["kv_dtype"],
        kv_base=bytes_gb_gib(memory["kv_bytes_at_base"], lang),
        total=bytes_gb_gib(memory["total_bytes"], lang),
        excludes=Msg("serving.extend.excludes"),
    )
    console().print(plain(line))


def _render_x2(plan: ExtensionPlan, lang: str) -> None:
    out = console()
    before, after = plan.x2_results
    # X-2 on the patched config: the extension is the config's, not documented training, so past the trained
    # length it reads as degradation until the model is fine-tuned there (see the literature below).
    shown_after, shown_before = after.localized(lang), before.localized(lang)
    out.print(
        plain(
            tr(
                "serving.extend.x2_after",
                lang,
                target=plan.block.target_tokens,
                verdict=shown_after["verdict"],
                reason=shown_after["reason"],
            )
        )
    )
    out.print(
        plain(tr("serving.extend.x2_before", lang, verdict=shown_before["verdict"], reason=shown_before["reason"]))
    )


def _render_literature(plan: ExtensionPlan, lang: str) -> None:
    from rich.table import Table

    lit = plan.literature
    out = console()
    out.print(plain(tr("serving.extend.literature", lang, paper=lit.paper)))  # the paper: a citation
    if not lit.results:
        return
    table = Table(show_lines=False)
    for column in ("model", "factor", "fine_tuning", "metric", "tokens", "value", "source"):
        table.add_column(tr(f"serving.extend.col.{column}", lang), overflow="fold")
    catalog_of = catalog(lang)
    for r in lit.results:
        factor = f"{r['factor']:g}" if r.get("factor") else f"θ×{r.get('theta_multiplier', 1):g}"
        row = (
            r["model"],
            factor,
            catalog_of.get(f"serving.lit.ft.{r['fine_tuning']}", r["fine_tuning"]),
            catalog_of.get(f"serving.lit.metric.{r['metric']}", r["metric"]),
            localise_number(f"{r['length_tokens']:,}", lang),
            localise_number(f"{r['value']:g}", lang),
        )
        table.add_row(*(plain(x) for x in row), plain(r["source"]))  # the source: a citation
    out.print(table)
