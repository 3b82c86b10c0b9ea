"""``taf extend MODEL --to L [--method yarn|linear|dynamic|longrope|llama3]``: the RoPE scaling to reach L tokens."""

from __future__ import annotations

import argparse
import json
from typing import Any

from tafagent.adapters.sources import load_spec
from tafagent.cli.model_options import add_model_options, model_kwargs
from tafagent.cli.output import console, emit_json, plain
from tafagent.core.errors import UsageError
from tafagent.core.extend import METHODS, ExtensionPlan, parse_context_tokens, plan_extension
from tafagent.core.render.format import bytes_gb_gib


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
    if args.json:
        emit_json(plan.to_dict())
        return 0
    render_plan(plan)
    return 0


def render_plan(plan: ExtensionPlan) -> None:
    out = console()
    block = plan.block
    out.print(
        f"[bold]{plain(plan.model_id)}[/bold] → {block.target_tokens:,} tokens with {block.method}: factor "
        f"{block.factor:g} = {block.target_tokens:,} / {block.base_tokens:,}"
    )
    out.print(plain(f"  base length: {plan.base_source}"))
    out.print("[bold]config.json[/bold] (transformers 5.24 reads rope_parameters):")
    out.print(plain(json.dumps(block.config_patch, indent=2)))
    out.print(plain(f'  legacy key (transformers 4.x, vLLM): "rope_scaling": {json.dumps(block.rope_scaling)}'))
    out.print("[bold]vLLM:[/bold] " + plain(plan.vllm.text))
    if plan.llama_cpp is not None:
        out.print("[bold]llama.cpp:[/bold] " + plain(plan.llama_cpp.text))
    else:
        out.print("[bold]llama.cpp:[/bold] " + plain(plan.llama_cpp_note or ""))
    _render_memory(plan.memory)
    _render_x2(plan)
    _render_literature(plan)
    for note in plan.notes:
        out.print(f"  [dim]{plain(note)}[/dim]")


def _render_memory(memory: dict[str, Any]) -> None:
    out = console()
    out.print(
        f"[bold]memory[/bold] (batch 1, {memory['engine']}): weights {bytes_gb_gib(memory['weights_bytes'])} + KV "
        f"{bytes_gb_gib(memory['kv_bytes'])} ({memory['kv_dtype']}; {bytes_gb_gib(memory['kv_bytes_at_base'])} at "
        f"the base length) = {bytes_gb_gib(memory['total_bytes'])}; {plain(memory['excludes'])}"
    )


def _render_x2(plan: ExtensionPlan) -> None:
    out = console()
    before, after = plan.x2_before, plan.x2_after
    # X-2 on the patched config: the extension is the config's, not documented training, so past the trained
    # length it reads as degradation until the model is fine-tuned there (see the literature below).
    target = plan.block.target_tokens
    out.print(
        f"[bold]X-2 at {target:,} with the extension (not fine-tuned)[/bold]: {plain(after['verdict'])} — "
        f"{plain(after['reason'])}"
    )
    out.print(plain(f"  without the extension: {before['verdict']} — {before['reason']}"))


def _render_literature(plan: ExtensionPlan) -> None:
    from rich.table import Table

    lit = plan.literature
    out = console()
    out.print(plain(f"literature: {lit.paper}"))
    if not lit.results:
        return
    table = Table(show_lines=False)
    for column in ("model", "factor", "fine-tuning", "metric", "tokens", "value", "source"):
        table.add_column(column, overflow="fold")
    for r in lit.results:
        factor = f"{r['factor']:g}" if r.get("factor") else f"θ×{r.get('theta_multiplier', 1):g}"
        row = (r["model"], factor, r["fine_tuning"], r["metric"], f"{r['length_tokens']:,}", f"{r['value']:g}")
        table.add_row(*(plain(x) for x in row), plain(r["source"]))
    out.print(table)
