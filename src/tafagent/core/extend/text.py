"""The sentences of a context extension in a language: X-2 before and after, the notes, what the literature
measured, and where the base length comes from. Shared by ``taf extend`` (text and ``--json``'s "localized") and
the browser app."""

from __future__ import annotations

import re
from typing import Any

from tafagent.core.extend.plan import ExtensionPlan
from tafagent.core.messages import tr


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
