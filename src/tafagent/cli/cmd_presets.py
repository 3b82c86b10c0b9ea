"""``taf presets``: the embedded models, with the facts that matter at a glance."""

from __future__ import annotations

import argparse
from typing import Any

from tafagent.cli.output import console, emit_json, plain
from tafagent.core.render.format import fmt_count
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

    table = Table(title=f"{len(rows)} embedded presets", title_justify="left")
    for column in ("id", "aliases", "family", "params", "T_train", "RoPE θ", "window"):
        table.add_column(column, no_wrap=column in ("id", "family"))
    for row in rows:
        params = fmt_count(row["n_params"])
        if row["n_params_active"] != row["n_params"]:
            params += f" ({fmt_count(row['n_params_active'])} active)"
        table.add_row(
            plain(row["id"]),
            plain(", ".join(row["aliases"])),
            plain(row["family"]),
            params,
            f"{row['T_train']:,}" if row["T_train"] else "—",
            f"{row['rope_theta']:,.0f}" if row["rope_theta"] else "—",
            f"{row['sliding_window']:,}" if row["sliding_window"] else "—",
        )
    console().print(table)
    return 0
