"""``taf memory MODEL --context L``: exact serving memory, capacity, and either speed ranges (it fits) or the
rescue ladder (it does not)."""

from __future__ import annotations

import argparse
import difflib
import re
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
from tafagent.core.memory.report import MemoryReport, context_warning, memory_report, position_source, speed_withheld
from tafagent.core.memory.runtimes import ENGINES
from tafagent.core.memory.serving import TP_SIZES, vllm_capacity_message
from tafagent.core.messages import catalog, tr
from tafagent.core.render.format import bytes_gb_gib as _bytes
from tafagent.core.render.format import localise_number
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
            data["localized"] = _localized(spec, report, data, lang)
        emit_json(data)
        return 0
    render_memory(console(), spec, report, data, args, lang)
    return 0


def render_memory(
    out: Any, spec: ModelSpec, report: MemoryReport, data: dict[str, Any], args: argparse.Namespace, lang: str
) -> None:
    """The text of `taf memory` in ``lang``: components, KV by layer kind, position limit, fit, speed or rescue."""
    out.print(
        f"[bold]{plain(spec.model_id)}[/bold]"
        + plain(
            tr(
                "serving.memory.header",
                lang,
                model="",
                tokens=args.context,
                batch=args.batch,
                engine=data["engine_version"],
            )
        )
    )
    out.print(_components_table(report, data, args, lang))
    out.print(_kv_layers_table(data, lang))
    limit = data["position_limit"]
    source = position_source(spec, lang)
    out.print(
        plain(
            tr("serving.memory.position", lang, tokens=limit["tokens"], source=source)
            if limit["tokens"]
            else tr("serving.memory.position_none", lang, source=source)
        )
    )
    if report.gpu is not None:
        _print_gpu_fit(out, report.gpu, report, data, args, lang)
        if data["fits"]:
            _print_speed(out, data, args, lang)
        else:
            out.print(f"[red]{plain(tr('serving.memory.no_speed', lang))}[/red] {plain(_withheld_text(data, lang))}")
            _print_rescue(out, report, lang)
        if data.get("capacity_message") and report.budget is not None:
            message = vllm_capacity_message(report.plan, report.context, report.budget.kv_available_bytes, lang)
            out.print(plain(tr("serving.capacity", lang, message=message)))
    for warning in _warnings(spec, report, lang):
        out.print(f"[yellow]{plain(tr('serving.warning', lang))}[/yellow] {plain(warning)}")


def _warnings(spec: ModelSpec, report: MemoryReport, lang: str) -> list[str]:
    """The report's warnings in ``lang`` (the context one localised; the spec's and the weights' as written)."""
    english = context_warning(spec, report.context)
    local = context_warning(spec, report.context, lang)
    return [local if warning == english and local else warning for warning in report.warnings]


def _withheld_text(data: dict[str, Any], lang: str) -> str:
    """Why no speed figure is shown, in ``lang`` (the same figures as ``speed_withheld`` in JSON)."""
    short = data["kv_bytes"] - data["budget"]["kv_available_bytes"]
    return speed_withheld(data["model"], data["gpu"], short, data["min_gpus"], data["context"], lang)


def _localized(spec: ModelSpec, report: MemoryReport, data: dict[str, Any], lang: str) -> dict[str, Any]:
    """The report's sentences in ``lang``, added to JSON under ``localized`` (the English keys stay as they are)."""
    localized: dict[str, Any] = {
        "position_limit": position_source(spec, lang),
        "warnings": _warnings(spec, report, lang),
    }
    if data.get("speed_withheld"):
        localized["speed_withheld"] = _withheld_text(data, lang)
    if "fits" in data:
        localized["fits"] = tr("serving.memory.fits" if data["fits"] else "serving.memory.does_not_fit", lang)
    return localized


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


def _components_table(report: MemoryReport, data: dict[str, Any], args: argparse.Namespace, lang: str) -> Any:
    """Bytes of each component (weights, KV, prefill activations) and their total, with how each is counted."""
    from rich.table import Table

    table = Table(show_header=True)
    table.add_column(tr("serving.memory.col.component", lang))
    table.add_column(tr("serving.memory.col.bytes", lang), justify="right")
    table.add_column("GB / GiB", justify="right")
    table.add_column(tr("serving.memory.col.how", lang), overflow="fold")
    w = report.weights
    evidence = w.evidence.label.value
    table.add_row(
        tr("serving.memory.row.weights", lang),
        _n(w.n_bytes, lang),
        _size(w.n_bytes, lang),
        plain(
            tr(
                "serving.memory.how.weights",
                lang,
                format=w.format,
                formula=_formula(w.formula, lang),
                bits=w.bits_per_weight,
                evidence=catalog(lang).get(f"card.evidence.{evidence}", evidence),
            )
        ),
    )
    table.add_row(
        tr("serving.memory.row.kv_token", lang),
        _n(data["kv_bytes_per_token"], lang),
        "",
        plain(tr("serving.memory.how.kv_token", lang, dtype=data["kv_dtype"])),
    )
    table.add_row(
        tr("serving.memory.row.kv_sequence", lang),
        _n(data["kv_bytes_per_sequence"], lang),
        _size(data["kv_bytes_per_sequence"], lang),
        tr("serving.memory.how.kv_sequence", lang, tokens=args.context),
    )
    table.add_row(
        tr("serving.memory.row.kv_total", lang),
        _n(report.kv_bytes, lang),
        _size(report.kv_bytes, lang),
        tr("serving.memory.how.kv_total", lang, batch=args.batch),
    )
    activation = data["activation"]
    table.add_row(
        tr("serving.memory.row.activations", lang),
        _n(data["activation_bytes"], lang),
        _size(data["activation_bytes"], lang),
        plain(
            tr(
                "serving.memory.how.activations",
                lang,
                attn=activation["attn_implementation"],
                scores=activation["attention_scores_bytes"],
                note=_activation_note(activation["note"], lang),
            )
        ),
    )
    table.add_row(
        f"[bold]{tr('serving.memory.row.total', lang)}[/bold]",
        _n(report.total_bytes, lang),
        _size(report.total_bytes, lang),
        "",
    )
    return table


def _formula(formula: str, lang: str) -> str:
    """The weights' formula in ``lang`` where the catalog has it ("16 bits per parameter"); else as written."""
    match = re.fullmatch(r"(\d+) bits per parameter", formula)
    return tr("serving.weights.bits_per_parameter", lang, bits=match.group(1)) if match else formula


def _activation_note(note: str, lang: str) -> str:
    """How the prefill peak is counted, in ``lang`` (the catalog's sentence is the one ``activations`` writes)."""
    return tr("serving.activation.note", lang) if note == tr("serving.activation.note", "en") else note


def _n(value: int, lang: str) -> str:
    """An exact integer with the language's grouping marks ("16,060,522,496" in English)."""
    return localise_number(f"{value:,}", lang)


def _size(n_bytes: int, lang: str) -> str:
    """'16.06 GB (14.96 GiB)' with the language's decimal marks."""
    return localise_number(_bytes(n_bytes), lang)


def _kv_layers_table(data: dict[str, Any], lang: str) -> Any:
    """The KV cache by layer kind: tokens each layer holds under the engine's rules, bytes and formula."""
    from rich.table import Table

    layers = Table(title=tr("serving.memory.kv.title", lang), title_justify="left")
    for key in ("kind", "layers", "tokens"):
        layers.add_column(tr(f"serving.memory.kv.{key}", lang), overflow="fold")
    layers.add_column(tr("serving.memory.col.bytes", lang), overflow="fold")
    layers.add_column(tr("serving.memory.kv.formula", lang), overflow="fold")
    for group in data["kv"]["layers"]:
        layers.add_row(
            plain(group["kind"]),
            str(group["n_layers"]),
            _n(group["tokens_cached_per_layer"], lang),
            _n(group["bytes"], lang),
            plain(_kv_formula(group["formula"], lang)),
        )
    return layers


def _kv_formula(formula: str, lang: str) -> str:
    """A layer kind's KV formula with its sliding-window cap in ``lang`` (the formula itself is notation)."""
    match = re.fullmatch(r"(.*), capped at the (\d+)-token window", formula)
    return match.group(1) + tr("serving.kv.window", lang, window=match.group(2)) if match else formula


def _print_gpu_fit(
    out: Any, gpu: GPU, report: MemoryReport, data: dict[str, Any], args: argparse.Namespace, lang: str
) -> None:
    """Whether the load fits the GPU (the budget line and its notes), the capacity limits and the fewest GPUs."""
    b = data["budget"]
    verdict = (
        f"[green]{tr('serving.memory.fits', lang)}[/green]"
        if data["fits"]
        else f"[red]{tr('serving.memory.does_not_fit', lang)}[/red]"
    )
    line = tr(
        "serving.memory.fit_line",
        lang,
        gpu="\x00",
        tp=args.tp,
        engine=data["engine"],
        verdict="\x01",
        usable=_size(b["usable_bytes"], lang),
        budget=_size(b["budget_bytes"], lang),
        weights=_size(b["weights_bytes_per_gpu"], lang),
        activations=_size(b["activation_bytes"], lang),
        overhead=_size(b["overhead_bytes"], lang),
        kv=_size(b["kv_available_bytes"], lang),
    )
    out.print(plain(line).replace("\x00", f"[bold]{plain(gpu.name)}[/bold]").replace("\x01", verdict))
    for note in report.budget.note_texts(lang) if report.budget else b["notes"]:
        out.print(f"  · {plain(note)}")
    limit = data["position_limit"]["tokens"]
    capped = tr("serving.memory.capped", lang) if limit is not None and data["max_context"] == limit else ""
    out.print(
        plain(
            tr(
                "serving.memory.longest",
                lang,
                batch=args.batch,
                context=data["max_context"],
                capped=capped,
                tokens=args.context,
                max_batch=data["max_batch"],
            )
        )
    )
    fewest = data["min_gpus"]
    if fewest:
        usd = fewest["usd_per_hour"]
        price = tr("serving.memory.price", lang, usd=usd) if usd is not None else ""
        out.print(plain(tr("serving.memory.fewest", lang, gpu=gpu.name, n=fewest["n_gpus"], price=price)))
    else:
        out.print(plain(tr("serving.memory.even", lang, n=max(TP_SIZES), gpu=gpu.name)))


def _basis(figure: dict[str, Any], lang: str) -> str:
    """'engine fit on n measurements, leave-one-out error x %' for a speed figure."""
    basis = figure.get("basis", {})
    mape = basis.get("mape_loo")
    error = tr("serving.speed.error", lang, mape=mape * 100) if isinstance(mape, (int, float)) else ""
    source = basis.get("borrowed_from")
    borrowed = tr("serving.speed.borrowed", lang, source=source) if source else ""
    return tr(
        "serving.speed.basis",
        lang,
        engine=figure.get("engine", ""),
        n=basis.get("measurements", "?"),
        borrowed=borrowed,
        error=error,
    )


def _print_speed(out: Any, data: dict[str, Any], args: argparse.Namespace, lang: str) -> None:
    """The decode and prefill ranges, each with its basis (the engine's fit and its error on its data)."""
    t = data["throughput"]
    low, high = t["expected_tok_s_range"]
    step_low, step_high = t["step_seconds_range"]
    bound = catalog(lang).get(f"serving.speed.bound.{t['bound']}", f"{t['bound']}-bound")
    out.print(
        plain(
            tr(
                "serving.speed.decode",
                lang,
                low=low,
                high=high,
                batch=args.batch,
                step_low=step_low * 1000,
                step_high=step_high * 1000,
                ceiling=t["ceiling_tok_s"],
                bound=bound,
                basis=_basis(t, lang),
            )
        )
    )
    p = data["prefill"]
    first, last = p["expected_seconds_range"]
    out.print(
        plain(
            tr(
                "serving.speed.prefill",
                lang,
                tokens=args.context,
                batch=args.batch,
                first=first * 1000,
                last=last * 1000,
                floor=p["floor_seconds"] * 1000,
                basis=_basis(p, lang),
            )
        )
    )


def _print_rescue(out: Any, report: MemoryReport, lang: str) -> None:
    """The rescue ladder: each change alone, its new per-GPU total, whether it fits, and its published cost."""
    from rich.table import Table

    if not report.rescue:
        out.print(tr("serving.rescue.none", lang))
        return
    table = Table(title=tr("serving.rescue.title", lang), title_justify="left")
    for key in ("change", "total", "fits", "quality", "speed"):
        table.add_column(tr(f"serving.rescue.{key}", lang), overflow="fold")
    sources: list[str] = []
    for rung in report.rescue:
        evidence = catalog(lang).get(f"card.evidence.{rung.evidence}", rung.evidence)
        cited = f"{rung.sources[0]} ({evidence})"  # the source is a citation: it stays as written
        if cited not in sources:
            sources.append(cited)
        table.add_row(
            plain(rung.change_text(lang)),
            _size(rung.total_bytes_per_gpu, lang),
            f"[green]{tr('serving.yes', lang)}[/green]" if rung.fits else f"[red]{tr('serving.no', lang)}[/red]",
            plain(f"{rung.quality_text(lang)} [{sources.index(cited) + 1}]"),
            plain(rung.speed_text(lang)),
        )
    out.print(table)
    for index, cited in enumerate(sources, 1):
        out.print(plain(f"  [{index}] {cited}"))
