"""A memory report as its reader sees it, in a language: the lines and tables of ``taf memory``, built once here
and drawn by the CLI (rich) and by the browser app (DOM). Numbers keep the core's formats with the language's
marks; every sentence comes from the message catalogs (``serving.memory.*``, ``serving.speed.*``,
``serving.rescue.*``). The raw values stay in ``MemoryReport.to_dict()``; this is only their wording.
"""

from __future__ import annotations

import re
from typing import Any

from tafagent.core.memory.report import MemoryReport, position_source
from tafagent.core.memory.report_text import warning_texts, withheld_text
from tafagent.core.memory.serving import TP_SIZES, vllm_capacity_message
from tafagent.core.messages import catalog, tr
from tafagent.core.render.format import bytes_gb_gib, localise_number
from tafagent.core.spec.model_spec import ModelSpec


def count_text(value: int, lang: str) -> str:
    """An exact integer with the language's grouping marks ("16,060,522,496" in English)."""
    return localise_number(f"{value:,}", lang)


def size_text(n_bytes: int, lang: str) -> str:
    """'16.06 GB (14.96 GiB)' with the language's decimal marks."""
    return localise_number(bytes_gb_gib(n_bytes), lang)


def _formula(formula: str, lang: str) -> str:
    """The weights' formula in ``lang`` where the catalog has it ("16 bits per parameter"); else as written."""
    match = re.fullmatch(r"(\d+) bits per parameter", formula)
    return tr("serving.weights.bits_per_parameter", lang, bits=match.group(1)) if match else formula


def _activation_note(note: str, lang: str) -> str:
    """How the prefill peak is counted, in ``lang`` (the catalog's sentence is the one ``activations`` writes)."""
    return tr("serving.activation.note", lang) if note == tr("serving.activation.note", "en") else note


def _kv_formula(formula: str, lang: str) -> str:
    """A layer kind's KV formula with its sliding-window cap in ``lang`` (the formula itself is notation)."""
    match = re.fullmatch(r"(.*), capped at the (\d+)-token window", formula)
    return match.group(1) + tr("serving.kv.window", lang, window=match.group(2)) if match else formula


def header_text(data: dict[str, Any], lang: str) -> str:
    """' — 32,000 tokens × batch 1, engine …' (after the model id, which the caller writes in bold)."""
    return tr(
        "serving.memory.header",
        lang,
        model="",
        tokens=data["context"],
        batch=data["batch"],
        engine=data["engine_version"],
    )


def components_table(report: MemoryReport, data: dict[str, Any], lang: str) -> dict[str, Any]:
    """Bytes of each component (weights, KV, prefill activations) and their total, with how each is counted.

    ``rows``: [label, exact bytes, GB / GiB, how]; the last row is the total."""
    w = report.weights
    evidence = w.evidence.label.value
    activation = data["activation"]
    rows = [
        [
            tr("serving.memory.row.weights", lang),
            count_text(w.n_bytes, lang),
            size_text(w.n_bytes, lang),
            tr(
                "serving.memory.how.weights",
                lang,
                format=w.format,
                formula=_formula(w.formula, lang),
                bits=w.bits_per_weight,
                evidence=catalog(lang).get(f"card.evidence.{evidence}", evidence),
            ),
        ],
        [
            tr("serving.memory.row.kv_token", lang),
            count_text(data["kv_bytes_per_token"], lang),
            "",
            tr("serving.memory.how.kv_token", lang, dtype=data["kv_dtype"]),
        ],
        [
            tr("serving.memory.row.kv_sequence", lang),
            count_text(data["kv_bytes_per_sequence"], lang),
            size_text(data["kv_bytes_per_sequence"], lang),
            tr("serving.memory.how.kv_sequence", lang, tokens=data["context"]),
        ],
        [
            tr("serving.memory.row.kv_total", lang),
            count_text(report.kv_bytes, lang),
            size_text(report.kv_bytes, lang),
            tr("serving.memory.how.kv_total", lang, batch=data["batch"]),
        ],
        [
            tr("serving.memory.row.activations", lang),
            count_text(data["activation_bytes"], lang),
            size_text(data["activation_bytes"], lang),
            tr(
                "serving.memory.how.activations",
                lang,
                attn=activation["attn_implementation"],
                scores=activation["attention_scores_bytes"],
                note=_activation_note(activation["note"], lang),
            ),
        ],
        [
            tr("serving.memory.row.total", lang),
            count_text(report.total_bytes, lang),
            size_text(report.total_bytes, lang),
            "",
        ],
    ]
    columns = [
        tr("serving.memory.col.component", lang),
        tr("serving.memory.col.bytes", lang),
        "GB / GiB",
        tr("serving.memory.col.how", lang),
    ]
    return {"columns": columns, "rows": rows}


def kv_layers_table(data: dict[str, Any], lang: str) -> dict[str, Any]:
    """The KV cache by layer kind: tokens each layer holds under the engine's rules, bytes and formula."""
    columns = [tr(f"serving.memory.kv.{key}", lang) for key in ("kind", "layers", "tokens")]
    columns += [tr("serving.memory.col.bytes", lang), tr("serving.memory.kv.formula", lang)]
    rows = [
        [
            group["kind"],
            str(group["n_layers"]),
            count_text(group["tokens_cached_per_layer"], lang),
            count_text(group["bytes"], lang),
            _kv_formula(group["formula"], lang),
        ]
        for group in data["kv"]["layers"]
    ]
    return {"title": tr("serving.memory.kv.title", lang), "columns": columns, "rows": rows}


def position_text(spec: ModelSpec, data: dict[str, Any], lang: str) -> str:
    limit = data["position_limit"]
    source = position_source(spec, lang)
    if limit["tokens"]:
        return tr("serving.memory.position", lang, tokens=limit["tokens"], source=source)
    return tr("serving.memory.position_none", lang, source=source)


def fit_view(report: MemoryReport, data: dict[str, Any], lang: str) -> dict[str, Any]:
    """Whether the load fits the GPU: the verdict, the budget line (``gpu`` and ``verdict`` are the placeholders
    ``\\x00`` and ``\\x01`` in ``line_template``, for a caller that styles them), its notes, the capacity limits and
    the fewest GPUs."""
    assert report.gpu is not None
    b = data["budget"]
    verdict = tr("serving.memory.fits" if data["fits"] else "serving.memory.does_not_fit", lang)
    template = tr(
        "serving.memory.fit_line",
        lang,
        gpu="\x00",
        tp=data["tp"],
        engine=data["engine"],
        verdict="\x01",
        usable=size_text(b["usable_bytes"], lang),
        budget=size_text(b["budget_bytes"], lang),
        weights=size_text(b["weights_bytes_per_gpu"], lang),
        activations=size_text(b["activation_bytes"], lang),
        overhead=size_text(b["overhead_bytes"], lang),
        kv=size_text(b["kv_available_bytes"], lang),
    )
    limit = data["position_limit"]["tokens"]
    capped = tr("serving.memory.capped", lang) if limit is not None and data["max_context"] == limit else ""
    longest = tr(
        "serving.memory.longest",
        lang,
        batch=data["batch"],
        context=data["max_context"],
        capped=capped,
        tokens=data["context"],
        max_batch=data["max_batch"],
    )
    gpu = report.gpu.name
    fewest = data["min_gpus"]
    if fewest:
        usd = fewest["usd_per_hour"]
        price = tr("serving.memory.price", lang, usd=usd) if usd is not None else ""
        fewest_line = tr("serving.memory.fewest", lang, gpu=gpu, n=fewest["n_gpus"], price=price)
    else:
        fewest_line = tr("serving.memory.even", lang, n=max(TP_SIZES), gpu=gpu)
    return {
        "fits": data["fits"],
        "verdict": verdict,
        "gpu": gpu,
        "line_template": template,
        "line": template.replace("\x00", gpu).replace("\x01", verdict),
        "notes": list(report.budget.note_texts(lang) if report.budget else b["notes"]),
        "longest": longest,
        "fewest": fewest_line,
    }


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


def speed_lines(data: dict[str, Any], lang: str) -> list[str]:
    """The decode and prefill ranges, each with its basis (the engine's fit and its error on its data)."""
    t = data["throughput"]
    low, high = t["expected_tok_s_range"]
    step_low, step_high = t["step_seconds_range"]
    bound = catalog(lang).get(f"serving.speed.bound.{t['bound']}", f"{t['bound']}-bound")
    decode = tr(
        "serving.speed.decode",
        lang,
        low=low,
        high=high,
        batch=data["batch"],
        step_low=step_low * 1000,
        step_high=step_high * 1000,
        ceiling=t["ceiling_tok_s"],
        bound=bound,
        basis=_basis(t, lang),
    )
    p = data["prefill"]
    first, last = p["expected_seconds_range"]
    prefill = tr(
        "serving.speed.prefill",
        lang,
        tokens=data["context"],
        batch=data["batch"],
        first=first * 1000,
        last=last * 1000,
        floor=p["floor_seconds"] * 1000,
        basis=_basis(p, lang),
    )
    return [decode, prefill]


def rescue_table(report: MemoryReport, lang: str) -> dict[str, Any] | None:
    """The rescue ladder: each change alone, its new per-GPU total, whether it fits, its published cost; the
    sources numbered once (a source is a citation: it stays as written). None when there is no rung."""
    if not report.rescue:
        return None
    sources: list[str] = []
    rows: list[dict[str, Any]] = []
    for rung in report.rescue:
        evidence = catalog(lang).get(f"card.evidence.{rung.evidence}", rung.evidence)
        cited = f"{rung.sources[0]} ({evidence})"
        if cited not in sources:
            sources.append(cited)
        rows.append(
            {
                "change": rung.change_text(lang),
                "total": size_text(rung.total_bytes_per_gpu, lang),
                "fits": rung.fits,
                "fits_text": tr("serving.yes" if rung.fits else "serving.no", lang),
                "quality": f"{rung.quality_text(lang)} [{sources.index(cited) + 1}]",
                "speed": rung.speed_text(lang),
            }
        )
    columns = [tr(f"serving.rescue.{key}", lang) for key in ("change", "total", "fits", "quality", "speed")]
    return {"title": tr("serving.rescue.title", lang), "columns": columns, "rows": rows, "sources": sources}


def memory_view(spec: ModelSpec, report: MemoryReport, data: dict[str, Any], lang: str) -> dict[str, Any]:
    """Everything ``taf memory`` writes, in ``lang``, in the order it writes it (see the module docstring)."""
    view: dict[str, Any] = {
        "model": spec.model_id,
        "header": header_text(data, lang),
        "components": components_table(report, data, lang),
        "kv_layers": kv_layers_table(data, lang),
        "position": position_text(spec, data, lang),
        "warning_label": tr("serving.warning", lang),
        "warnings": warning_texts(spec, report, lang),
    }
    if report.gpu is None:
        return view
    view["fit"] = fit_view(report, data, lang)
    if data["fits"]:
        view["speed"] = speed_lines(data, lang)
    else:
        view["no_speed"] = {"label": tr("serving.memory.no_speed", lang), "text": withheld_text(data, lang)}
        view["rescue"] = rescue_table(report, lang)
        view["rescue_none"] = tr("serving.rescue.none", lang)
    if data.get("capacity_message") and report.budget is not None:
        message = vllm_capacity_message(report.plan, report.context, report.budget.kv_available_bytes, lang)
        view["capacity"] = tr("serving.capacity", lang, message=message)
    return view
