"""``taf spec MODEL``: the normalised architecture with the source of every field."""

from __future__ import annotations

import argparse
from typing import Any

from tafagent.adapters.sources import load_spec
from tafagent.cli.model_options import add_model_options, model_kwargs
from tafagent.cli.output import console, emit_json, plain
from tafagent.core.render.format import fmt_count, fmt_value
from tafagent.core.spec.context_facts import ContextFacts, context_facts
from tafagent.core.spec.model_spec import ModelSpec
from tafagent.core.spec.weights_summary import HeaderWeights, check_params, iter_dtypes

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
    parser.add_argument(
        "model", metavar="MODEL", help="preset/alias, path to config.json or its folder, or org/name[@revision]"
    )
    add_model_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    spec = load_spec(args.model, **model_kwargs(args))
    if args.json:
        emit_json(spec_payload(spec))
        return 0
    render_spec(spec)
    return 0


def spec_payload(spec: ModelSpec) -> dict[str, Any]:
    """``spec.to_dict()`` plus ``weights_check`` (header vs config parameters, or null) and ``context``
    (claimed / trained / extended / attention-span / effective lengths, each with its source)."""
    payload = spec.to_dict()
    check = check_params(spec.n_params, spec.stored_weights)
    payload["weights_check"] = check.to_dict() if check is not None else None
    payload["context"] = context_facts(spec).to_dict()
    return payload


def render_spec(spec: ModelSpec) -> None:
    from rich.table import Table

    out = console()
    params = fmt_count(spec.n_params)
    if spec.n_params_active != spec.n_params:
        params += f", {fmt_count(spec.n_params_active)} active per token"
    kind = plain(f"{spec.family} ({spec.model_type or 'unknown type'}), {params} parameters")
    out.print(f"[bold]{plain(spec.model_id)}[/bold] — {kind}")
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
        table.add_row(name, plain(shown), plain(source.describe()) if source else "")
    out.print(table)
    render_context(context_facts(spec))
    render_provenance(spec)
    render_stored_weights(spec)
    for warning in spec.warnings:
        out.print(f"[yellow]warning:[/yellow] {plain(warning)}")


def _tokens(n: int | None) -> str:
    return f"{n:,}" if n is not None else "—"


def context_rows(facts: ContextFacts) -> list[tuple[str, str, str]]:
    """(fact, tokens, source) rows of the context table; facts a model does not have are left out."""
    rows = [
        ("claimed (max positions)", _tokens(facts.claimed_tokens), facts.claimed_source),
        ("trained", _tokens(facts.trained_tokens), facts.trained_source),
    ]
    if facts.pretrained_tokens is not None and facts.pretrained_tokens != facts.trained_tokens:
        rows.append(("pre-trained (before long-context stage)", _tokens(facts.pretrained_tokens), "see trained"))
    if facts.rope_scaling_type is not None:
        factor = f" ×{facts.rope_scaling_factor:g}" if facts.rope_scaling_factor else ""
        label = f"extended ({facts.rope_scaling_type}{factor})"
        rows.append((label, _tokens(facts.extended_tokens), facts.extended_source or ""))
    if facts.validated_tokens is not None:
        rows.append(("extension validated to", _tokens(facts.validated_tokens), facts.validated_source or ""))
    if facts.sliding_window_tokens is not None:
        rows.append(("sliding window", _tokens(facts.sliding_window_tokens), "config: sliding_window"))
        if facts.stacked_span_tokens is not None:
            rows.append(
                ("stacked span (upper bound)", _tokens(facts.stacked_span_tokens), facts.stacked_span_source or "")
            )
    if facts.effective_tokens is not None:
        rows.append(
            (f"effective ({facts.effective_benchmark})", _tokens(facts.effective_tokens), facts.effective_source or "")
        )
    rows.append(("usable (trained or extended)", _tokens(facts.usable_tokens), "max(trained, extension)"))
    return rows


def render_context(facts: ContextFacts) -> None:
    """The context lengths, each with its provenance, then the notes (an over-claim first)."""
    from rich.table import Table

    out = console()
    table = Table(title="context length", show_lines=False)
    table.add_column("fact", no_wrap=True)
    table.add_column("tokens", justify="right", no_wrap=True)
    table.add_column("source", overflow="fold")
    for fact, tokens, source in context_rows(facts):
        table.add_row(plain(fact), tokens, plain(source))
    out.print(table)
    for note in facts.notes:
        out.print(f"  [dim]{plain(note)}[/dim]")


def render_provenance(spec: ModelSpec) -> None:
    """Where the config came from: repo, requested revision and commit, config hash."""
    p = spec.provenance
    if not p:
        return
    out = console()
    if p.get("source") == "huggingface-hub":
        revision = p.get("revision", "unknown")
        requested = p.get("revision_requested", "main")
        shown = revision if requested == revision else f"{revision} ({requested})"
        where = f"{p.get('repo_id')} at revision {shown}, {p.get('fetched', '')}"
        out.print("[bold]source:[/bold] " + plain(where))
        digest = p.get("config_sha256") or p.get("gguf_header_sha256")
        label = "config sha256" if "config_sha256" in p else "GGUF header sha256"
        out.print(plain(f"  {p.get('config_file', 'config.json')}; {label} {digest}; endpoint {p.get('endpoint')}"))
        if "gguf_alternatives" in p:
            out.print(plain(f"  other GGUF variants in the repo: {p['gguf_alternatives']}"))
        if "weights" in p:
            out.print(plain(f"  weights: {p['weights']}"))
    else:
        out.print("[bold]source:[/bold] " + plain(", ".join(f"{k}={v}" for k, v in p.items())))


def render_stored_weights(spec: ModelSpec) -> None:
    """Params by dtype, exact bytes, bits per weight, and the header/config parameter cross-check."""
    sw = spec.stored_weights
    if sw is None:
        return
    from rich.table import Table

    out = console()
    table = Table(title=plain(f"stored weights ({sw.format}, {len(sw.files)} file(s))"), show_lines=False)
    table.add_column("dtype", no_wrap=True)
    table.add_column("elements", justify="right")
    table.add_column("bytes", justify="right")
    table.add_column("share", justify="right")
    for dtype, elements, n_bytes in iter_dtypes(sw):
        share = n_bytes / sw.n_bytes if sw.n_bytes else 0.0
        table.add_row(plain(dtype), f"{elements:,}", f"{n_bytes:,}", f"{share:.1%}")
    table.add_row("total", f"{sw.n_elements:,}", f"{sw.n_bytes:,}", "100%")
    out.print(table)
    size = f"{sw.n_bytes:,} B ({sw.n_bytes / 1e9:.3f} GB, {sw.n_bytes / 2**30:.3f} GiB)"
    bpw = f", {sw.bits_per_weight:.3f} bits per weight" if sw.bits_per_weight else ""
    out.print(f"exact weight bytes: {size}{bpw}")
    if isinstance(sw, HeaderWeights) and sw.quantized_bits_per_weight:
        out.print(f"quantised layers: {sw.quantized_bits_per_weight:.3f} bits per weight including scales/zeros")
    check = check_params(spec.n_params, sw)
    if check is not None:
        verdict = "[green]agrees[/green]" if check.agrees else "[yellow]disagrees[/yellow]"
        out.print(
            f"parameters: headers {check.n_params_headers:,} ({check.scope}) vs config {check.n_params_config:,} "
            f"→ {check.relative_difference:+.3%}, {verdict} (tolerance {check.tolerance:.0%})"
        )
    for note in sw.notes:
        if check is None or note != check.describe():
            out.print(f"  [dim]{plain(note)}[/dim]")
