"""The browser app's serving modes (Fit & plan, Extend): request → the same core calls as ``taf memory``,
``taf plan`` and ``taf extend``, answered as JSON-ready dicts.

Each function takes the page's parsed request and returns the response body; :mod:`tafagent.web.bridge` wraps
them (one-line errors, strict JSON) and registers them under the names in :data:`SERVING_FUNCTIONS`. The raw
results are the CLI's ``--json`` (``to_dict()``, compared with it by the browser tests); the wording is the CLI's
text (``report_view``, ``plan_text``, ``extend.text``) in the page's language, so the page formats nothing itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tafagent.core.catalogs import default_catalogs
from tafagent.core.errors import ConfigError, UsageError
from tafagent.core.messages import tr
from tafagent.core.spec.limits import MAX_BATCH, MAX_POSITIONS, MAX_TP
from tafagent.web.request_fields import choice_field, flag_field, lang_field, number_field, shown, text_field

# The serving and extension modules are imported by the functions that use them: the page's first card (the
# bridge is imported at boot) must not pay for the planner, the launch builders and the extension literature.

MAX_TOKENS_PER_DAY = 1e16  # as `taf plan --tokens-per-day`
MAX_MS_PER_TOKEN = 1e6  # as `taf plan --max-ms-per-token`
MAX_DTYPE_CHARS = 40
SHOWN_RUNNERS_UP = 12  # as `taf plan`'s text; the raw result lists every candidate


def _model_spec(data: dict[str, Any]) -> Any:
    from tafagent.web.bridge import model_spec  # the one place a request names a model (preset, Hub or pasted)

    return model_spec(data)


def _whole(data: dict[str, Any], key: str, maximum: float, *, default: int | None = None) -> int | None:
    """A whole number in [1, maximum] (the CLI's ``whole_number``), ``default`` when the field is empty."""
    value = number_field(data, key, integer=True, minimum=1, maximum=maximum)
    return default if value is None else value


def _positive(data: dict[str, Any], key: str, maximum: float) -> float | None:
    """A number in (0, maximum] (the CLI's ``bounded_number``), None when the field is empty."""
    value = number_field(data, key, maximum=maximum)
    if value is not None and value <= 0:
        raise ConfigError(f"'{key}' must be > 0 and at most {maximum:,g}, got {value:g}", "fix the field", field=key)
    return value


def _dtype(data: dict[str, Any], key: str) -> str:
    value = text_field(data, key, MAX_DTYPE_CHARS).strip()
    return value or "auto"


def _gpu(data: dict[str, Any]) -> Any:
    """The catalog GPU the form names, or None; an unknown name is one line listing the catalog."""
    name = text_field(data, "gpu", 80).strip()
    if not name:
        return None
    catalogs = default_catalogs()
    try:
        return catalogs.gpu(name)
    except ConfigError:
        raise UsageError(
            f"unknown GPU {shown(name)}", "choose one of the menu: " + ", ".join(g.name for g in catalogs.gpus[:8])
        ) from None


def fit_and_plan(data: dict[str, Any]) -> dict[str, Any]:
    """`taf memory` (always) and `taf plan` (when a target is given: tokens per day and/or concurrency).

    The memory report uses the form's GPU (none: the bytes only); the planner searches the whole catalog, or only
    that GPU when ``plan_this_gpu`` is set."""
    from tafagent.core.launch import command_note_texts
    from tafagent.core.memory.plan_text import plan_texts, runners_up_table
    from tafagent.core.memory.planner import plan_serving
    from tafagent.core.memory.report import memory_report
    from tafagent.core.memory.report_text import memory_texts
    from tafagent.core.memory.report_view import memory_view
    from tafagent.core.memory.runtimes import ENGINES

    spec = _model_spec(data)
    lang = lang_field(data)
    context = _whole(data, "context", MAX_POSITIONS)
    if context is None:
        raise UsageError("give the context length (tokens per sequence)", "e.g. 32k")
    batch = _whole(data, "batch", MAX_BATCH, default=1) or 1
    tp = _whole(data, "tp", MAX_TP, default=1) or 1
    engine = choice_field(data, "engine", ENGINES, "vllm")
    weights_dtype = _dtype(data, "weights_dtype")
    kv_dtype = _dtype(data, "kv_dtype")
    gpu = _gpu(data)
    report = memory_report(
        spec, context, batch, weights_dtype=weights_dtype, kv_dtype=kv_dtype, engine=engine, gpu=gpu, tp=tp
    )
    memory = report.to_dict()
    answer: dict[str, Any] = {
        "memory": memory,
        "memory_localized": memory_texts(spec, report, memory, lang),
        "memory_view": memory_view(spec, report, memory, lang),
    }
    tokens_per_day = _positive(data, "tokens_per_day", MAX_TOKENS_PER_DAY)
    concurrency = _whole(data, "concurrency", MAX_BATCH)
    if tokens_per_day is None and concurrency is None:
        answer["plan"] = None  # the page says how to ask for one
        return answer
    only = gpu is not None and flag_field(data, "plan_this_gpu")
    result = plan_serving(
        spec,
        context,
        concurrency=concurrency,
        tokens_per_day=tokens_per_day,
        max_ms_per_token=_positive(data, "max_ms_per_token", MAX_MS_PER_TOKEN),
        gpus=[gpu.name] if only else None,
        engine=engine,
        weights_dtype=None if weights_dtype == "auto" else weights_dtype,
        kv_dtype=kv_dtype,
    )
    chosen = result.best or result.closest
    answer["plan"] = result.to_dict()
    answer["plan_localized"] = plan_texts(result, lang)
    answer["plan_view"] = {
        "runners_up": runners_up_table(result.runners_up[:SHOWN_RUNNERS_UP], lang),
        "more": tr("serving.plan.more", lang, n=len(result.runners_up) - SHOWN_RUNNERS_UP)
        if len(result.runners_up) > SHOWN_RUNNERS_UP
        else "",
        "launch": [
            {"text": command.get("text") or "", "notes": command_note_texts(command, lang)}
            for command in (chosen.launch if chosen else [])
        ],
        "notes": [tr("serving.plan.note", lang, note=note) for note in result.note_texts(lang)],
    }
    return answer


def extend_context(data: dict[str, Any]) -> dict[str, Any]:
    """`taf extend MODEL --to L --method M`: the rope block, engine flags, memory and X-2 at L, the literature."""
    from tafagent.core.extend import METHODS, parse_context_tokens, plan_extension
    from tafagent.core.extend.text import extend_texts, extend_view

    spec = _model_spec(data)
    lang = lang_field(data)
    target_text = text_field(data, "target", 40).strip()
    if not target_text:
        raise UsageError("give the target length", "e.g. 128k (k = 1,024 tokens, as `taf extend --to`)")
    if not target_text.isascii():
        raise ConfigError(f"'target' must be ASCII digits, got {shown(target_text)}", "e.g. 128k", field="target")
    target = parse_context_tokens(target_text)
    method = choice_field(data, "method", METHODS, "yarn")
    plan = plan_extension(spec, target, method)
    after = plan.x2_results[1]
    return {
        "extension": plan.to_dict(),
        "localized": extend_texts(plan, lang),
        "view": extend_view(plan, lang),
        "x2_tone": after.tone,  # good / caution / bad, for the verdict badge
    }


# name the page calls → function(request) -> response
SERVING_FUNCTIONS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "fit_and_plan": fit_and_plan,
    "extend_context": extend_context,
}
