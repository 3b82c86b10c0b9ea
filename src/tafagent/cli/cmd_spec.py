"""``taf spec MODEL``: the normalised architecture with the source of every field."""

from __future__ import annotations

import argparse
from typing import Any

from ..adapters.model_source import load_spec
from ..core.model_spec import ModelSpec
from .output import console, emit_json, fmt_count, fmt_value

# Display order: what a user checks first.
FIELD_ORDER = (
    "model_type",
    "architectures",
    "family",
    "attention",
    "n_params",
    "n_params_active",
    "n_layers",
    "d_model",
    "n_heads",
    "n_kv_heads",
    "d_head",
    "d_ff",
    "vocab_size",
    "tie_embeddings",
    "T_train",
    "rope_theta",
    "rope_scaling",
    "partial_rotary",
    "sliding_window",
    "layer_types",
    "moe",
    "mla",
    "ssm",
    "torch_dtype",
    "quantization",
    "n_params_breakdown",
)


def register(subparsers: Any, parent: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "spec",
        parents=[parent],
        help="the normalised architecture of MODEL, with the source of each field",
        description="Resolve MODEL (a preset or alias, a directory with config.json, a .json config file, or a "
        "Hub id) into the normalised spec every answer is built on. Each field names the config.json key it "
        "came from, or says it is a default or derived value.",
    )
    parser.add_argument("model", metavar="MODEL", help="preset/alias, path to config.json or its folder, or org/name")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    spec = load_spec(args.model)
    if args.json:
        emit_json(spec.to_dict())
        return 0
    render_spec(spec)
    return 0


def render_spec(spec: ModelSpec) -> None:
    from rich.table import Table

    out = console()
    params = fmt_count(spec.n_params)
    if spec.n_params_active != spec.n_params:
        params += f", {fmt_count(spec.n_params_active)} active per token"
    out.print(
        f"[bold]{spec.model_id}[/bold] — {spec.family} ({spec.model_type or 'unknown type'}), {params} parameters"
    )
    table = Table(show_lines=False)
    table.add_column("field", no_wrap=True)
    table.add_column("value", overflow="fold")
    table.add_column("source", overflow="fold")
    for name in FIELD_ORDER:
        value = getattr(spec, name)
        source = spec.sources.get(name)
        shown = fmt_value(value)
        if name in ("n_params", "n_params_active"):
            shown = f"{value:,} ({fmt_count(value)})"
        table.add_row(name, shown, source.describe() if source else "")
    out.print(table)
    for warning in spec.warnings:
        out.print(f"[yellow]warning:[/yellow] {warning}")
