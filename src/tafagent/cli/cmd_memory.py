"""``taf memory MODEL --context L``: exact serving memory, capacity, and either speed ranges (it fits) or the
rescue ladder (it does not)."""

from __future__ import annotations

import argparse
import difflib
from typing import Any

from tafagent.adapters.sources import load_spec
from tafagent.cli.common import add_catalog_option, batch_size, gpu_count, load_catalogs, number, token_count
from tafagent.cli.model_options import add_model_options, model_kwargs
from tafagent.cli.output import console, emit_json, plain
from tafagent.core.catalogs import GPU, Catalogs
from tafagent.core.errors import ConfigError
from tafagent.core.memory.report import MemoryReport, memory_report
from tafagent.core.memory.runtimes import ENGINES
from tafagent.core.memory.serving import TP_SIZES
from tafagent.core.render.format import bytes_gb_gib as _bytes


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
    if args.json:
        emit_json(data)
        return 0
    out = console()
    out.print(
        f"[bold]{plain(spec.model_id)}[/bold] — {args.context:,} tokens × {args.batch} sequence(s), "
        + plain(data["engine_version"])
    )
    out.print(_components_table(report, data, args))
    out.print(_kv_layers_table(data))
    limit = data["position_limit"]
    out.print(
        plain(
            f"Position limit: {limit['tokens']:,} tokens ({limit['source']})"
            if limit["tokens"]
            else f"Position limit: none ({limit['source']})"
        )
    )
    if gpu is not None:
        _print_gpu_fit(out, gpu, data, args)
        if data["fits"]:
            _print_speed(out, data, args)
        else:
            out.print(f"[red]No speed figures:[/red] {plain(data['speed_withheld'])}")
            _print_rescue(out, data)
        if data.get("capacity_message"):
            out.print(f"vLLM check: {plain(data['capacity_message'])}")
    for warning in report.warnings:
        out.print(f"[yellow]warning:[/yellow] {plain(warning)}")
    return 0


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


def _components_table(report: MemoryReport, data: dict[str, Any], args: argparse.Namespace) -> Any:
    """Bytes of each component (weights, KV, prefill activations) and their total, with how each is counted."""
    from rich.table import Table

    table = Table(show_header=True)
    table.add_column("component")
    table.add_column("bytes", justify="right")
    table.add_column("GB / GiB", justify="right")
    table.add_column("how", overflow="fold")
    w = report.weights
    table.add_row(
        "weights",
        f"{w.n_bytes:,}",
        _bytes(w.n_bytes),
        plain(f"{w.format}: {w.formula} ({w.bits_per_weight:.3g} bits/weight; {w.evidence.label.value})"),
    )
    table.add_row(
        "KV per token", f"{data['kv_bytes_per_token']:,}", "", plain(f"{data['kv_dtype']}, layers whose cache grows")
    )
    table.add_row(
        "KV per sequence",
        f"{data['kv_bytes_per_sequence']:,}",
        _bytes(data["kv_bytes_per_sequence"]),
        f"at {args.context:,} tokens, engine rules applied",
    )
    table.add_row("KV total", f"{report.kv_bytes:,}", _bytes(report.kv_bytes), f"× {args.batch} sequences")
    table.add_row(
        "prefill activations",
        f"{data['activation_bytes']:,}",
        _bytes(data["activation_bytes"]),
        plain(
            f"{data['activation']['attn_implementation']}: scores {data['activation']['attention_scores_bytes']:,} B; "
            f"{data['activation']['note']}"
        ),
    )
    table.add_row("[bold]total[/bold]", f"{report.total_bytes:,}", _bytes(report.total_bytes), "")
    return table


def _kv_layers_table(data: dict[str, Any]) -> Any:
    """The KV cache by layer kind: tokens each layer holds under the engine's rules, bytes and formula."""
    from rich.table import Table

    layers = Table(title="KV by layer kind", title_justify="left")
    for column in ("kind", "layers", "tokens cached / layer", "bytes", "formula"):
        layers.add_column(column, overflow="fold")
    for group in data["kv"]["layers"]:
        layers.add_row(
            plain(group["kind"]),
            str(group["n_layers"]),
            f"{group['tokens_cached_per_layer']:,}",
            f"{group['bytes']:,}",
            plain(group["formula"]),
        )
    return layers


def _print_gpu_fit(out: Any, gpu: GPU, data: dict[str, Any], args: argparse.Namespace) -> None:
    """Whether the load fits the GPU (the budget line and its notes), the capacity limits and the fewest GPUs."""
    b = data["budget"]
    verdict = "[green]fits[/green]" if data["fits"] else "[red]does not fit[/red]"
    out.print(
        f"[bold]{plain(gpu.name)}[/bold] × {args.tp} ({data['engine']}): {verdict} — usable "
        f"{_bytes(b['usable_bytes'])}, budget {_bytes(b['budget_bytes'])}, weights/GPU "
        f"{_bytes(b['weights_bytes_per_gpu'])}, activations {_bytes(b['activation_bytes'])}, overhead "
        f"{_bytes(b['overhead_bytes'])}, KV available {_bytes(b['kv_available_bytes'])}"
    )
    for note in b["notes"]:
        out.print(f"  · {plain(note)}")
    limit = data["position_limit"]["tokens"]
    capped = " (the position limit)" if limit is not None and data["max_context"] == limit else ""
    out.print(
        f"Longest context at batch {args.batch}: {data['max_context']:,} tokens{capped}; largest batch at "
        f"{args.context:,} tokens: {data['max_batch']:,}"
    )
    fewest = data["min_gpus"]
    if fewest:
        price = f", ${fewest['usd_per_hour']:.2f}/h" if fewest["usd_per_hour"] is not None else ""
        out.print(plain(f"Fewest {gpu.name} GPUs (tensor parallel): {fewest['n_gpus']}{price}"))
    else:
        out.print(plain(f"Even {max(TP_SIZES)} × {gpu.name} do not fit this load."))


def _basis(figure: dict[str, Any]) -> str:
    """'engine, n measurements, leave-one-out error x %' for a speed figure."""
    basis = figure.get("basis", {})
    mape = basis.get("mape_loo")
    error = f", leave-one-out error {mape:.0%}" if isinstance(mape, (int, float)) else ""
    borrowed = f" (borrowed from {basis['borrowed_from']})" if basis.get("borrowed_from") else ""
    return f"{figure.get('engine', '')} fit on {basis.get('measurements', '?')} measurements{borrowed}{error}"


def _print_speed(out: Any, data: dict[str, Any], args: argparse.Namespace) -> None:
    """The decode and prefill ranges, each with its basis (the engine's fit and its error on its data)."""
    t = data["throughput"]
    low, high = t["expected_tok_s_range"]
    step_low, step_high = t["step_seconds_range"]
    out.print(
        plain(
            f"Decode: {low:,.0f}–{high:,.0f} tok/s over {args.batch} sequence(s) ({step_low * 1000:,.1f}–"
            f"{step_high * 1000:,.1f} ms per step; ceiling {t['ceiling_tok_s']:,.0f} tok/s, {t['bound']}-bound; "
            f"{_basis(t)})"
        )
    )
    p = data["prefill"]
    first, last = p["expected_seconds_range"]
    out.print(
        plain(
            f"Prefill of {args.context:,} tokens × {args.batch}: {first * 1000:,.0f}–{last * 1000:,.0f} ms "
            f"(floor {p['floor_seconds'] * 1000:,.0f} ms; {_basis(p)})"
        )
    )


def _print_rescue(out: Any, data: dict[str, Any]) -> None:
    """The rescue ladder: each change alone, its new per-GPU total, whether it fits, and its published cost."""
    from rich.table import Table

    if not data["rescue"]:
        out.print("No rung of the rescue ladder applies to this load.")
        return
    table = Table(title="Rescue ladder (each change alone, from your settings)", title_justify="left")
    for column in ("change", "total / GPU", "fits", "quality (published)", "speed"):
        table.add_column(column, overflow="fold")
    sources: list[str] = []
    for rung in data["rescue"]:
        cited = f"{rung['sources'][0]} ({rung['evidence']})"
        if cited not in sources:
            sources.append(cited)
        table.add_row(
            plain(rung["change"]),
            _bytes(rung["total_bytes_per_gpu"]),
            "[green]yes[/green]" if rung["fits"] else "[red]no[/red]",
            plain(f"{rung['quality']} [{sources.index(cited) + 1}]"),
            plain(rung["speed"]),
        )
    out.print(table)
    for index, cited in enumerate(sources, 1):
        out.print(plain(f"  [{index}] {cited}"))
