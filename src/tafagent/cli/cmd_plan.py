"""``taf plan MODEL --context L (--concurrency C | --tokens-per-day N)``: the cheapest serving plan (GPU type,
tensor parallel, replicas, sequences per replica), the runners-up and why they lost, and the launch command."""

from __future__ import annotations

import argparse
from typing import Any

from tafagent.adapters.sources import load_spec
from tafagent.cli.common import (
    add_catalog_option,
    batch_size,
    bounded_number,
    load_catalogs,
    output_language,
    token_count,
)
from tafagent.cli.model_options import add_model_options, model_kwargs
from tafagent.cli.output import console, emit_json, plain
from tafagent.core.launch import command_note_texts
from tafagent.core.memory.plan_text import headline, plan_texts, runners_up_table
from tafagent.core.memory.planner import plan_serving
from tafagent.core.memory.planner_search import ServingPlan
from tafagent.core.memory.runtimes import ENGINES
from tafagent.core.messages import Msg, tr

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

        raise UsageError("taf plan needs a target", "pass --concurrency C and/or --tokens-per-day N").in_words(
            Msg("cli.error.plan_needs_target"), Msg("cli.error.plan_needs_target.hint")
        )
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
    lang = output_language(args)
    if args.json:
        data = result.to_dict()
        if lang != "en":
            data["localized"] = plan_texts(result, lang)
        emit_json(data)
        return 0
    out = console()
    out.print(plain(headline(result, lang)))
    if result.runners_up:
        out.print(_runners_up_table(result.runners_up[:_SHOWN_RUNNERS_UP], lang))
        hidden = len(result.runners_up) - _SHOWN_RUNNERS_UP
        if hidden > 0:
            out.print(plain(tr("serving.plan.more", lang, n=hidden)))
    # the launch commands: a shell snippet to paste, its notes as # comments (code, as the engines' docs write it)
    chosen = result.best or result.closest
    for command in chosen.launch if chosen else []:
        notes = command_note_texts(command, lang)
        if command.get("text"):
            for note in notes:
                out.print(plain(f"# {note}"), style="dim")
            out.print(plain(str(command["text"])))
        else:  # a planner note in place of a command ("run this on each of the 2 replicas")
            out.print(plain("# " + " ".join(notes)))
    for note in result.note_texts(lang):
        out.print(plain(tr("serving.plan.note", lang, note=note)))
    return 0


def _runners_up_table(plans: tuple[ServingPlan, ...], lang: str = "en") -> Any:
    """One row per runner-up (``core.memory.plan_text.runners_up_table``), drawn with rich."""
    from rich.table import Table

    view = runners_up_table(plans, lang)
    table = Table(show_header=True, title=view["title"])
    for name, justify in zip(view["columns"], view["justify"], strict=True):
        table.add_column(name, justify=justify, overflow="fold")
    for row in view["rows"]:
        table.add_row(*(plain(cell) for cell in row))
    return table
