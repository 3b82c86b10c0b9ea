"""``taf presets``: the embedded models, with the facts that matter at a glance."""

from __future__ import annotations

import argparse
from typing import Any

from tafagent.cli.common import output_language
from tafagent.cli.output import console, emit_json, plain
from tafagent.core.messages import tr
from tafagent.core.render.format import fmt_count, localise_number
from tafagent.core.spec.presets import list_presets


def register(subparsers: Any, parent: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "presets",
        parents=[parent],
        help="list the embedded presets (no network needed)",
        description="List the embedded model presets. Each one is the model's public config.json, resolved "
        "like any other config; aliases are case-insensitive.",
    )
    parser.set_defaults(run=run)


def preset_rows() -> list[dict[str, Any]]:
    rows = []
    for preset in list_presets():
        spec = preset.spec()
        rows.append(
            {
                "id": preset.model_id,
                "label": preset.label,
                "aliases": list(preset.aliases),
                "model_type": spec.model_type,
                "family": spec.family,
                "attention": spec.attention,
                "n_params": spec.n_params,
                "n_params_active": spec.n_params_active,
                "T_train": spec.T_train,
                "rope_theta": spec.rope_theta,
                "sliding_window": spec.sliding_window,
            }
        )
    return rows


def run(args: argparse.Namespace) -> int:
    rows = preset_rows()
    if args.json:
        emit_json(rows)
        return 0
    from rich.table import Table

    lang = output_language(args) or "en"
    table = Table(title=tr("card.presets.title", lang, n=len(rows)), title_justify="left")
    for column in ("id", "aliases", "family", "params", "T_train", "RoPE θ", "window"):
        table.add_column(tr(f"card.presets.col.{column}", lang), no_wrap=column in ("id", "family"))
    for row in rows:
        params = fmt_count(row["n_params"], lang)
        if row["n_params_active"] != row["n_params"]:
            params += " " + tr("card.presets.active", lang, n=fmt_count(row["n_params_active"], lang))
        table.add_row(
            plain(row["id"]),
            plain(", ".join(row["aliases"])),
            plain(row["family"]),
            params,
            localise_number(f"{row['T_train']:,}", lang) if row["T_train"] else "—",
            localise_number(f"{row['rope_theta']:,.0f}", lang) if row["rope_theta"] else "—",
            localise_number(f"{row['sliding_window']:,}", lang) if row["sliding_window"] else "—",
        )
    console().print(table)
    return 0
