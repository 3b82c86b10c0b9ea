"""``taf spec MODEL``: the normalised architecture with the source of every field."""

from __future__ import annotations

import argparse
from typing import Any

from tafagent.adapters.sources import load_spec
from tafagent.cli.common import output_language
from tafagent.cli.model_options import add_model_options, model_kwargs
from tafagent.cli.output import console, emit_json, plain
from tafagent.core.messages import tr
from tafagent.core.render.format import fmt, fmt_count, fmt_value, localise_number
from tafagent.core.spec.context_facts import ContextFacts, context_facts, context_text
from tafagent.core.spec.model_spec import FieldSource, ModelSpec
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
    lang = output_language(args) or "en"
    spec = load_spec(args.model, **model_kwargs(args))
    if args.json:  # English keys and values; another language adds the context table's texts under "localized"
        payload = spec_payload(spec)
        if lang != "en":
            facts = context_facts(spec)
            payload["localized"] = {
                "lang": lang,
                "context_rows": [list(row) for row in context_rows(facts, lang)],
                "context_notes": [context_text(note, lang) for note in facts.notes],
            }
        emit_json(payload)
        return 0
    render_spec(spec, lang)
    return 0


def spec_payload(spec: ModelSpec) -> dict[str, Any]:
    """``spec.to_dict()`` plus ``weights_check`` (header vs config parameters, or null) and ``context``
    (claimed / trained / extended / attention-span / effective lengths, each with its source)."""
    payload = spec.to_dict()
    check = check_params(spec.n_params, spec.stored_weights)
    payload["weights_check"] = check.to_dict() if check is not None else None
    payload["context"] = context_facts(spec).to_dict()
    return payload


def source_text(source: FieldSource, lang: str = "en") -> str:
    """Where a spec field came from ("config: rope_theta", "derived — <note>") in ``lang``; the resolvers' notes
    are English sentences and stay so."""
    if lang == "en":
        return source.describe()
    kind = source.kind
    text = (
        tr("card.spec.source.config", lang, field=source.key)
        if kind == "config"
        else tr(f"card.spec.source.{kind}", lang)
        if kind in ("derived", "default", "preset", "user")
        else kind
    )
    return tr("card.spec.source.kind_note", lang, kind=text, note=source.note) if source.note else text


def render_spec(spec: ModelSpec, lang: str = "en", out: Any = None) -> None:
    """The spec table, the context lengths, provenance and stored weights, in ``lang``, on ``out`` (a rich
    Console; the command's stdout console when None)."""
    from rich.table import Table

    out = out or console()
    params = fmt_count(spec.n_params, lang)
    if spec.n_params_active != spec.n_params:
        params = tr("card.spec.active", lang, params=params, active=fmt_count(spec.n_params_active, lang))
    model_type = spec.model_type or tr("card.spec.unknown_type", lang)
    kind = plain(tr("card.spec.kind", lang, family=spec.family, model_type=model_type, params=params))
    out.print(f"[bold]{plain(spec.model_id)}[/bold] — {kind}")
    table = Table(show_lines=False)
    table.add_column(tr("card.spec.col.field", lang), no_wrap=True)
    table.add_column(tr("card.spec.col.value", lang), overflow="fold")
    table.add_column(tr("card.spec.col.source", lang), overflow="fold")
    for name in FIELD_ORDER:
        value = getattr(spec, name)
        source = spec.sources.get(name)
        shown = fmt_value(value, lang)
        if name in ("n_params", "n_params_active"):
            shown = f"{localise_number(f'{value:,}', lang)} ({fmt_count(value, lang)})"
        table.add_row(name, plain(shown), plain(source_text(source, lang)) if source else "")
    out.print(table)
    render_context(context_facts(spec), lang, out)
    render_provenance(spec, out, lang)
    render_stored_weights(spec, out, lang)
    for warning in spec.warnings:
        out.print(f"[yellow]{plain(tr('card.spec.warning', lang))}[/yellow] {plain(warning)}")


def _tokens(n: int | None, lang: str = "en") -> str:
    return localise_number(f"{n:,}", lang) if n is not None else "—"


def context_rows(facts: ContextFacts, lang: str = "en") -> list[tuple[str, str, str]]:
    """(fact, tokens, source) rows of the context table in ``lang``; facts a model does not have are left out."""

    def t(key: str, **params: object) -> str:
        return tr(f"card.ctx.{key}", lang, **params)

    def src(text: str | None) -> str:
        return context_text(text or "", lang)

    def tok(n: int | None) -> str:
        return _tokens(n, lang)

    rows = [
        (t("claimed"), tok(facts.claimed_tokens), src(facts.claimed_source)),
        (t("trained"), tok(facts.trained_tokens), src(facts.trained_source)),
    ]
    if facts.pretrained_tokens is not None and facts.pretrained_tokens != facts.trained_tokens:
        rows.append((t("pretrained"), tok(facts.pretrained_tokens), t("see_trained")))
    if facts.rope_scaling_type is not None:
        factor = f" ×{facts.rope_scaling_factor:g}" if facts.rope_scaling_factor else ""
        label = t("extended", type=facts.rope_scaling_type, factor=localise_number(factor, lang))
        rows.append((label, tok(facts.extended_tokens), src(facts.extended_source)))
    if facts.validated_tokens is not None:
        rows.append((t("validated"), tok(facts.validated_tokens), src(facts.validated_source)))
    if facts.sliding_window_tokens is not None:
        window_source = tr("card.spec.source.config", lang, field="sliding_window")
        rows.append((t("window"), tok(facts.sliding_window_tokens), window_source))
        if facts.stacked_span_tokens is not None:
            rows.append((t("stacked"), tok(facts.stacked_span_tokens), src(facts.stacked_span_source)))
    if facts.effective_tokens is not None:
        rows.append(
            (
                t("effective", benchmark=facts.effective_benchmark),
                tok(facts.effective_tokens),
                src(facts.effective_source),
            )
        )
    rows.append((t("usable"), tok(facts.usable_tokens), t("usable_source")))
    return rows


def render_context(facts: ContextFacts, lang: str = "en", out: Any = None) -> None:
    """The context lengths, each with its provenance, then the notes (an over-claim first)."""
    from rich.table import Table

    out = out or console()
    table = Table(title=tr("card.spec.context_title", lang), show_lines=False)
    table.add_column(tr("card.spec.col.fact", lang), no_wrap=True)
    table.add_column(tr("card.spec.col.tokens", lang), justify="right", no_wrap=True)
    table.add_column(tr("card.spec.col.source", lang), overflow="fold")
    for fact, tokens, source in context_rows(facts, lang):
        table.add_row(plain(fact), tokens, plain(source))
    out.print(table)
    for note in facts.notes:
        out.print(f"  [dim]{plain(context_text(note, lang))}[/dim]")


def render_provenance(spec: ModelSpec, out: Any = None, lang: str = "en") -> None:
    """Where the config came from: repo, requested revision and commit, config hash."""
    p = spec.provenance
    if not p:
        return
    out = out or console()
    if p.get("source") == "huggingface-hub":
        revision = p.get("revision", "unknown")
        requested = p.get("revision_requested", "main")
        shown = revision if requested == revision else f"{revision} ({requested})"
        where = tr("card.spec.at_revision", lang, repo=p.get("repo_id"), revision=shown, fetched=p.get("fetched", ""))
        out.print(f"[bold]{plain(tr('card.spec.source_label', lang))}[/bold] " + plain(where))
        digest = p.get("config_sha256") or p.get("gguf_header_sha256")
        label = "config sha256" if "config_sha256" in p else "GGUF header sha256"
        out.print(plain(f"  {p.get('config_file', 'config.json')}; {label} {digest}; endpoint {p.get('endpoint')}"))
        if "gguf_alternatives" in p:
            out.print(plain("  " + tr("card.spec.gguf_alternatives", lang, variants=p["gguf_alternatives"])))
        if "weights" in p:
            out.print(plain("  " + tr("card.spec.weights", lang, weights=p["weights"])))
    else:
        label = plain(tr("card.spec.source_label", lang))
        out.print(f"[bold]{label}[/bold] " + plain(", ".join(f"{k}={v}" for k, v in p.items())))


def render_stored_weights(spec: ModelSpec, out: Any = None, lang: str = "en") -> None:
    """Params by dtype, exact bytes, bits per weight, and the header/config parameter cross-check."""
    sw = spec.stored_weights
    if sw is None:
        return
    from rich.table import Table

    out = out or console()
    title = tr("card.spec.stored_title", lang, format=sw.format, n=len(sw.files))
    table = Table(title=plain(title), show_lines=False)
    table.add_column(tr("card.spec.col.dtype", lang), no_wrap=True)
    for column in ("elements", "bytes", "share"):
        table.add_column(tr(f"card.spec.col.{column}", lang), justify="right")

    def count(n: int) -> str:
        return localise_number(f"{n:,}", lang)

    for dtype, elements, n_bytes in iter_dtypes(sw):
        share = n_bytes / sw.n_bytes if sw.n_bytes else 0.0
        table.add_row(plain(dtype), count(elements), count(n_bytes), localise_number(f"{share:.1%}", lang))
    table.add_row(tr("card.spec.total", lang), count(sw.n_elements), count(sw.n_bytes), "100%")
    out.print(table)
    size = fmt(sw.n_bytes, "bytes", lang)
    bpw = tr("card.spec.bpw", lang, bits=sw.bits_per_weight) if sw.bits_per_weight else ""
    out.print(plain(tr("card.spec.exact_bytes", lang, size=size) + bpw))
    if isinstance(sw, HeaderWeights) and sw.quantized_bits_per_weight:
        out.print(plain(tr("card.spec.quantised", lang, bits=sw.quantized_bits_per_weight)))
    check = check_params(spec.n_params, sw)
    if check is not None:
        word = tr("card.spec.agrees" if check.agrees else "card.spec.disagrees", lang)
        text = tr(
            "card.spec.check",
            lang,
            headers=check.n_params_headers,
            scope=check.scope,
            config=check.n_params_config,
            difference=check.relative_difference,
            verdict="TAF_VERDICT",
            tolerance=check.tolerance,
        )
        colour = "green" if check.agrees else "yellow"
        out.print(plain(text).replace("TAF_VERDICT", f"[{colour}]{plain(word)}[/{colour}]"))
    for note in sw.notes:
        if check is None or note != check.describe():
            out.print(f"  [dim]{plain(note)}[/dim]")
