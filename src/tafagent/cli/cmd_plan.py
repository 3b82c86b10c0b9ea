"""``taf plan MODEL --context L (--concurrency C | --tokens-per-day N)``: the cheapest serving plan (GPU type,
tensor parallel, replicas, sequences per replica), the runners-up and why they lost, and the launch command."""

from __future__ import annotations

import argparse
from typing import Any

from tafagent.adapters.sources import load_spec
from tafagent.cli.common import add_catalog_option, batch_size, bounded_number, load_catalogs, token_count
from tafagent.cli.model_options import add_model_options, model_kwargs
from tafagent.cli.output import console, emit_json, plain
from tafagent.core.memory.planner import ServingPlanResult, plan_serving
from tafagent.core.memory.planner_search import ServingPlan
from tafagent.core.memory.runtimes import ENGINES
from tafagent.core.render.format import GIB

_SHOWN_RUNNERS_UP = 12  # text only; --json lists every candidate


def register(subparsers: Any, parent: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "plan",
        parents=[parent],
        help="cheapest serving plan: GPU type × tensor parallel × replicas × sequences, with launch command",
        description="Search every catalog GPU (or --gpu ...) at each tensor-parallel size up to 8 that splits the "
        "heads, with replicas and sequences per replica, for the plans that hold the model under the engine's "
        "memory rules (as `taf memory`) and meet the target at the slow end of the calibrated speed range; rank "
        "them by $/Mtok. Shows the best plan, the runners-up with why they lost, and the launch command.",
    )
    parser.add_argument("model", metavar="MODEL")
    parser.add_argument("--context", type=token_count, required=True, help="tokens per sequence, prompt + output")
    parser.add_argument("--concurrency", type=batch_size, help="sequences in flight at once (at least)")
    parser.add_argument(
        "--tokens-per-day", type=bounded_number(1e16, "--tokens-per-day 100e6"), help="tokens generated per day"
    )
    parser.add_argument(
        "--max-ms-per-token",
        type=bounded_number(1e6, "--max-ms-per-token 50"),
        help="longest decode step (ms per generated token of each sequence)",
    )
    parser.add_argument(
        "--gpu", nargs="+", action="extend", help="catalog GPU(s) to consider (default: any = the whole catalog)"
    )
    parser.add_argument("--engine", default="vllm", help=f"{', '.join(ENGINES)} (default vllm)")
    parser.add_argument("--weights-dtype", default=None, help="auto (the checkpoint's), bf16, fp8, int8, awq, gptq ...")
    parser.add_argument("--kv-dtype", default="auto", help="auto, bf16, fp16, fp8, int8, q8_0, q4_0")
    add_catalog_option(parser)
    add_model_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.concurrency is None and args.tokens_per_day is None:
        from tafagent.core.errors import UsageError

        raise UsageError("taf plan needs a target", "pass --concurrency C and/or --tokens-per-day N")
    spec = load_spec(args.model, **model_kwargs(args))
    result = plan_serving(
        spec,
        args.context,
        concurrency=args.concurrency,
        tokens_per_day=args.tokens_per_day,
        max_ms_per_token=args.max_ms_per_token,
        gpus=args.gpu,
        engine=args.engine,
        weights_dtype=args.weights_dtype,
        kv_dtype=args.kv_dtype,
        gpu_catalog=load_catalogs(args.catalog),
    )
    if args.json:
        emit_json(result.to_dict())
        return 0
    out = console()
    out.print(plain(headline(result)))
    if result.runners_up:
        out.print(_runners_up_table(result.runners_up[:_SHOWN_RUNNERS_UP]))
        hidden = len(result.runners_up) - _SHOWN_RUNNERS_UP
        if hidden > 0:
            out.print(plain(f"… {hidden} more candidates in --json"))
    chosen = result.best or result.closest
    for command in chosen.launch if chosen else []:
        for note in command.get("notes", []):
            out.print(plain(f"# {note}"), style="dim")
        out.print(plain(command.get("text") or f"# {command.get('note', '')}"))
    for note in result.notes:
        out.print(plain(f"note: {note}"))
    return 0


def headline(result: ServingPlanResult) -> str:
    """The best (or closest) plan in one sentence: GPUs, TP, replicas, sequences, $/Mtok, evidence."""
    plan = result.best or result.closest
    if plan is None:
        return f"No plan: no GPU in the selection can hold {result.model} under {result.engine}."
    target = result.target.describe()
    lead = "Best plan" if result.met else f"No plan meets {target}; closest"
    speed = plan.tok_s_range or [0.0, 0.0]
    cost = "unpriced" if plan.usd_per_mtok is None else f"${plan.usd_per_mtok:.2f}/Mtok (${plan.usd_per_hour:.2f}/h)"
    mape = (plan.evidence.get("decode") or {}).get("statistic", "")
    sentence = (
        f"{lead} for {result.model} ({result.engine}): {plan.label()} = {plan.n_gpus} GPU(s), at most "
        f"{plan.max_seqs} sequences per replica, {speed[0]:,.0f}–{speed[1]:,.0f} tok/s decode, {cost}"
        f" — memory exact, speed fitted ({mape}, sized at the slow end)."
    )
    if not result.met and plan.change:
        sentence += f" To meet it: {plan.change}."
    return sentence


def _runners_up_table(plans: tuple[ServingPlan, ...]) -> Any:
    """One row per runner-up: the plan, memory per GPU, speed, $/h, $/Mtok, and why it lost."""
    from rich.table import Table

    table = Table(show_header=True, title="runners-up")
    for name, justify in (
        ("plan", "left"),
        ("seqs", "right"),
        ("weights + KV / GPU", "right"),
        ("tok/s", "right"),
        ("ms/step", "right"),
        ("$/h", "right"),
        ("$/Mtok", "right"),
        ("why it lost", "left"),
    ):
        table.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for p in plans:
        memory = p.memory_per_gpu or {}
        used = (
            f"{memory['weights_bytes_per_gpu'] / GIB:.1f} + {memory['kv_used_bytes'] / GIB:.1f} GiB"
            if memory and p.max_seqs
            else ""
        )
        speed = f"{p.tok_s_range[0]:,.0f}–{p.tok_s_range[1]:,.0f}" if p.tok_s_range else ""
        step = f"{p.step_ms_range[0]:.1f}–{p.step_ms_range[1]:.1f}" if p.step_ms_range else ""
        table.add_row(
            plain(p.label()),
            str(p.max_seqs or ""),
            used,
            speed,
            step,
            "" if p.usd_per_hour is None else f"{p.usd_per_hour:.2f}",
            "" if p.usd_per_mtok is None else f"{p.usd_per_mtok:.2f}",
            plain(p.why),
        )
    return table
