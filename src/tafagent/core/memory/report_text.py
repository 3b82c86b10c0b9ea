"""The sentences of a memory report in a language: warnings, why no speed is shown, where the position limit comes
from, fits / does not fit. Shared by ``taf memory`` (text and ``--json``'s "localized") and the browser app."""

from __future__ import annotations

from typing import Any

from tafagent.core.memory.report import MemoryReport, context_warning, position_source, speed_withheld
from tafagent.core.messages import tr
from tafagent.core.spec.model_spec import ModelSpec


def warning_texts(spec: ModelSpec, report: MemoryReport, lang: str) -> list[str]:
    """The report's warnings in ``lang`` (the context one localised; the spec's and the weights' as written)."""
    english = context_warning(spec, report.context)
    local = context_warning(spec, report.context, lang)
    return [local if warning == english and local else warning for warning in report.warnings]


def withheld_text(data: dict[str, Any], lang: str) -> str:
    """Why no speed figure is shown, in ``lang`` (the same figures as ``speed_withheld`` in JSON)."""
    short = data["kv_bytes"] - data["budget"]["kv_available_bytes"]
    return speed_withheld(data["model"], data["gpu"], short, data["min_gpus"], data["context"], lang)


def memory_texts(spec: ModelSpec, report: MemoryReport, data: dict[str, Any], lang: str) -> dict[str, Any]:
    """The report's sentences in ``lang``, added to JSON under ``localized`` (the English keys stay as they are)."""
    localized: dict[str, Any] = {
        "position_limit": position_source(spec, lang),
        "warnings": warning_texts(spec, report, lang),
    }
    if data.get("speed_withheld"):
        localized["speed_withheld"] = withheld_text(data, lang)
    if "fits" in data:
        localized["fits"] = tr("serving.memory.fits" if data["fits"] else "serving.memory.does_not_fit", lang)
    return localized
