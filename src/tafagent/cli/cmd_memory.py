"""``taf memory MODEL --context L``: exact serving memory, capacity, and either speed ranges (it fits) or the
rescue ladder (it does not)."""

from __future__ import annotations

import argparse
import difflib
from typing import Any

from tafagent.adapters.sources import load_spec
from tafagent.cli.common import (
    add_catalog_option,
    batch_size,
    gpu_count,
    load_catalogs,
    number,
    output_language,
    token_count,
)
from tafagent.cli.model_options import add_model_options, model_kwargs
from tafagent.cli.output import console, emit_json, plain
from tafagent.core.catalogs import GPU, Catalogs
from tafagent.core.errors import ConfigError
from tafagent.core.memory.report import MemoryReport, memory_report
from tafagent.core.memory.report_text import memory_texts
from tafagent.core.memory.report_view import memory_view
from tafagent.core.memory.runtimes import ENGINES
from tafagent.core.spec.model_spec import ModelSpec


def register(subparsers: Any, parent: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "memory",
        parents=[parent],
        help="exact serving memory: weights, KV per layer kind, activations, capacity",
        description="Weights by storage format, the KV cache summed per layer kind under an engine's rules "
        "(transformers, vLLM paging, SGLang, llama.cpp), prefill activations; with --gpu: whether it fits, the "
        "longest context (capped at the model's position limit) and largest batch that fit, the fewest GPUs, and "
        "either calibrated speed ranges (when it fits) or a rescue ladder (when it does not). Bytes are exact "
        "integers in JSON; text shows GB (10^9) and GiB (2^30), named.",
    )
    parser.add_argument("model", metavar="MODEL")
    parser.add_argument(
        "--context", type=token_count, required=True, help="tokens per sequence, prompt + output (at most 2^34)"
    )
    parser.add_argument("--batch", type=batch_size, default=1, help="concurrent sequences (default 1, at most 10^6)")
    parser.add_argument(
        "--weights-dtype",
        default="auto",
        help="auto (the checkpoint's), stored, bf16, fp16, fp32, fp8, int8, nf4, nf4-dq, gptq, awq, "
        "gguf-q8_0, gguf-q6_k, gguf-q5_k_m, gguf-q4_k_m, gguf-q4_0 ...",
    )
    parser.add_argument("--kv-dtype", default="auto", help="auto, bf16, fp16, fp32, fp8, int8, q8_0, q4_0")
    parser.add_argument(
        "--engine",
        default="transformers",
        help=f"whose memory rules apply: {', '.join(ENGINES)} (default transformers)",
    )
    parser.add_argument("--gpu", help="a GPU from the catalog (H100, A100 80GB, RTX 4090, MI300X ...)")
    parser.add_argument(
        "--tp", type=gpu_count, default=1, help="tensor-parallel GPUs, weights and KV heads split (at most 1024)"
    )
    parser.add_argument("--gpu-memory-utilization", type=number, help="vLLM's fraction of GPU memory (default 0.9)")
    parser.add_argument(
        "--attn",
        default="auto",
        choices=("auto", "sdpa", "eager"),
        help="attention implementation for the prefill peak: auto = what transformers runs for this model type "
        "(eager where it has no SDPA, e.g. bloom, gemma2), sdpa, or eager (materialises T×T scores)",
    )
    add_catalog_option(parser)
    add_model_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    spec = load_spec(args.model, **model_kwargs(args))
    catalogs = load_catalogs(args.catalog)  # read (and checked) even without --gpu: a bad file is never ignored
    gpu = _gpu(catalogs, args.gpu) if args.gpu else None
    report = memory_report(
        spec,
        args.context,
        args.batch,
        weights_dtype=args.weights_dtype,
        kv_dtype=args.kv_dtype,
        engine=args.engine,
        gpu=gpu,
        tp=args.tp,
        gpu_memory_utilization=args.gpu_memory_utilization,
        attn_implementation=args.attn,
    )
    data = report.to_dict()
    lang = output_language(args) or "en"
    if args.json:
        if lang != "en":
            data["localized"] = memory_texts(spec, report, data, lang)
        emit_json(data)
        return 0
    render_memory(console(), spec, report, data, args, lang)
    return 0


def render_memory(
    out: Any, spec: ModelSpec, report: MemoryReport, data: dict[str, Any], args: argparse.Namespace, lang: str
) -> None:
    """The text of `taf memory` in ``lang`` (``core.memory.report_view``, drawn with rich): components, KV by layer
    kind, position limit, fit, speed or rescue."""
    view = memory_view(spec, report, data, lang)
    out.print(f"[bold]{plain(view['model'])}[/bold]" + plain(view["header"]))
    out.print(_table(view["components"], bold_last=True, justify=("left", "right", "right", "left")))
    out.print(_table(view["kv_layers"]))
    out.print(plain(view["position"]))
    fit = view.get("fit")
    if fit is not None:
        verdict = f"[green]{plain(fit['verdict'])}[/green]" if fit["fits"] else f"[red]{plain(fit['verdict'])}[/red]"
        line = plain(fit["line_template"]).replace("\x00", f"[bold]{plain(fit['gpu'])}[/bold]")
        out.print(line.replace("\x01", verdict))
        for note in fit["notes"]:
            out.print(f"  · {plain(note)}")
        out.print(plain(fit["longest"]))
        out.print(plain(fit["fewest"]))
        for line in view.get("speed", []):
            out.print(plain(line))
        if "no_speed" in view:
            out.print(f"[red]{plain(view['no_speed']['label'])}[/red] {plain(view['no_speed']['text'])}")
            _print_rescue(out, view)
        if view.get("capacity"):
            out.print(plain(view["capacity"]))
    for warning in view["warnings"]:
        out.print(f"[yellow]{plain(view['warning_label'])}[/yellow] {plain(warning)}")


def _gpu(catalogs: Catalogs, name: str) -> GPU:
    """The catalog's GPU, or one line naming the closest catalog GPU."""
    try:
        return catalogs.gpu(name)
    except ConfigError as error:
        # every name and alias, each pointing back to its GPU's catalog name
        spellings = {spelling.lower(): g.name for g in catalogs.gpus for spelling in (g.name, *g.aliases)}
        close = difflib.get_close_matches(name.strip().lower(), list(spellings), n=1, cutoff=0.4)
        if not close:
            raise
        guess = spellings[close[0]]
        raise ConfigError(error.message, f"did you mean '{guess}'? {error.hint}", field="gpu") from None


def _table(view: dict[str, Any], *, bold_last: bool = False, justify: tuple[str, ...] = ()) -> Any:
    """A table of the view (``columns``, ``rows`` of texts, an optional ``title``) as rich draws it."""
    from rich.table import Table

    table = Table(show_header=True, title=view.get("title"), title_justify="left")
    for i, name in enumerate(view["columns"]):
        table.add_column(name, justify=justify[i] if i < len(justify) else "left", overflow="fold")  # type: ignore[arg-type]
    for i, row in enumerate(view["rows"]):
        cells = [plain(cell) for cell in row]
        if bold_last and i == len(view["rows"]) - 1:
            cells[0] = f"[bold]{cells[0]}[/bold]"
        table.add_row(*cells)
    return table


def _print_rescue(out: Any, view: dict[str, Any]) -> None:
    """The rescue ladder: each change alone, its new per-GPU total, whether it fits, and its published cost."""
    from rich.table import Table

    rescue = view.get("rescue")
    if rescue is None:
        out.print(view["rescue_none"])
        return
    table = Table(title=rescue["title"], title_justify="left")
    for name in rescue["columns"]:
        table.add_column(name, overflow="fold")
    for rung in rescue["rows"]:
        colour = "green" if rung["fits"] else "red"
        table.add_row(
            plain(rung["change"]),
            rung["total"],
            f"[{colour}]{rung['fits_text']}[/{colour}]",
            plain(rung["quality"]),
            plain(rung["speed"]),
        )
    out.print(table)
    for index, cited in enumerate(rescue["sources"], 1):
        out.print(plain(f"  [{index}] {cited}"))
