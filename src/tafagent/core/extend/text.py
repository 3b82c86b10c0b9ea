"""The sentences of a context extension in a language: X-2 before and after, the notes, what the literature
measured, and where the base length comes from. Shared by ``taf extend`` (text and ``--json``'s "localized") and
the browser app."""

from __future__ import annotations

import json
import re
from typing import Any

from tafagent.core.extend.plan import ExtensionPlan
from tafagent.core.messages import Msg, catalog, tr
from tafagent.core.render.format import bytes_gb_gib, localise_number


def extend_texts(plan: ExtensionPlan, lang: str) -> dict[str, Any]:
    """The extension's texts in ``lang`` (the JSON's "localized"): X-2 before and after, notes, literature."""
    before, after = plan.x2_results
    return {
        "x2": after.localized(lang) | {"caveats": after.caveat_texts(lang)},
        "x2_without_extension": before.localized(lang) | {"caveats": before.caveat_texts(lang)},
        "notes": plan.note_texts(lang),
        "literature": {
            "fine_tuning": tr(f"serving.lit.{plan.block.method}.fine_tuning", lang),
            "without_fine_tuning": tr(f"serving.lit.{plan.block.method}.without_fine_tuning", lang),
        },
    }


def base_source_text(source: str, lang: str) -> str:
    """Where the base length comes from, in ``lang`` (the cited source itself stays as written)."""
    trained = re.fullmatch(r"trained length: (.*)", source, re.DOTALL)
    if trained:
        return tr("serving.extend.base_trained", lang, source=trained.group(1))
    original = re.fullmatch(
        r"rope_scaling\.original_max_position_embeddings \(the new block replaces the model's (.*)\)", source
    )
    if original:
        return tr("serving.extend.base_original", lang, type=original.group(1))
    return source


def extend_view(plan: ExtensionPlan, lang: str = "en") -> dict[str, Any]:
    """Everything ``taf extend`` writes, in ``lang``, in its order: the headline, where the base length comes
    from, the config block (JSON, and the legacy ``rope_scaling`` key), the vLLM and llama.cpp flags, batch-1
    memory at the new length, X-2 after and before, what the literature measured (a table), and the notes.
    Drawn by the CLI (rich) and the browser app; citations (papers, sources) stay as written."""
    block = plan.block
    memory = plan.memory
    before, after = plan.x2_results
    # X-2 on the patched config: the extension is the config's, not documented training, so past the trained
    # length it reads as degradation until the model is fine-tuned there (see the literature).
    shown_after, shown_before = after.localized(lang), before.localized(lang)
    lit = plan.literature
    catalog_of = catalog(lang)
    rows = []
    for r in lit.results:
        factor = f"{r['factor']:g}" if r.get("factor") else f"θ×{r.get('theta_multiplier', 1):g}"
        rows.append(
            [
                r["model"],
                factor,
                catalog_of.get(f"serving.lit.ft.{r['fine_tuning']}", r["fine_tuning"]),
                catalog_of.get(f"serving.lit.metric.{r['metric']}", r["metric"]),
                localise_number(f"{r['length_tokens']:,}", lang),
                localise_number(f"{r['value']:g}", lang),
                r["source"],
            ]
        )
    columns = ("model", "factor", "fine_tuning", "metric", "tokens", "value", "source")
    return {
        "head": tr(
            "serving.extend.head",
            lang,
            model=plan.model_id,
            target=block.target_tokens,
            method=block.method,
            factor=f"{block.factor:g}",
            base=block.base_tokens,
        ),
        "base": tr("serving.extend.base", lang, source=base_source_text(plan.base_source, lang)),
        "config_label": tr("serving.extend.config", lang),
        "config_json": json.dumps(block.config_patch, indent=2),
        "legacy": tr("serving.extend.legacy", lang, json=f'"rope_scaling": {json.dumps(block.rope_scaling)}'),
        "vllm": plan.vllm.text,
        "llama_cpp": plan.llama_cpp.text if plan.llama_cpp is not None else None,
        "llama_cpp_note": plan.llama_cpp_note if plan.llama_cpp is None else None,
        "memory": tr(
            "serving.extend.memory",
            lang,
            engine=memory["engine"],
            weights=bytes_gb_gib(memory["weights_bytes"], lang),
            kv=bytes_gb_gib(memory["kv_bytes"], lang),
            kv_dtype=memory["kv_dtype"],
            kv_base=bytes_gb_gib(memory["kv_bytes_at_base"], lang),
            total=bytes_gb_gib(memory["total_bytes"], lang),
            excludes=Msg("serving.extend.excludes"),
        ),
        "x2_after": tr(
            "serving.extend.x2_after",
            lang,
            target=block.target_tokens,
            verdict=shown_after["verdict"],
            reason=shown_after["reason"],
        ),
        "x2_before": tr(
            "serving.extend.x2_before", lang, verdict=shown_before["verdict"], reason=shown_before["reason"]
        ),
        "literature": tr("serving.extend.literature", lang, paper=lit.paper),
        "literature_table": {
            "columns": [tr(f"serving.extend.col.{c}", lang) for c in columns],
            "rows": rows,
        }
        if rows
        else None,
        "notes": plan.note_texts(lang),
    }
