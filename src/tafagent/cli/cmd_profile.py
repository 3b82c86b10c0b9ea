"""``taf profile MODEL``: the TAF Card."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from tafagent.adapters.files import check_output_file
from tafagent.adapters.sources import load_spec
from tafagent.cli.common import (
    add_catalog_option,
    load_catalogs,
    number,
    output_language,
    token_count,
    write_or_print,
)
from tafagent.cli.model_options import add_closed_form_option, add_model_options, model_kwargs
from tafagent.cli.output import console, emit_json, write_stderr


def register(subparsers: Any, parent: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "profile",
        parents=[parent],
        help="the TAF Card: every recipe for one model",
        description="The TAF Card of MODEL: the verdict of every recipe, the key numbers with their evidence, "
        "diagnostics and the falsifiers in scope. Measured values (from `taf diagnose`) replace closed forms.",
    )
    parser.add_argument("model", metavar="MODEL")
    parser.add_argument(
        "--t-eval", type=token_count, help="target context length (default: the model's T_train; at most 2^34)"
    )
    parser.add_argument("--gamma-obs", type=number, help="measured attention decay γ (text corpus)")
    parser.add_argument("--gamma-random", type=number, help="γ measured on random tokens")
    parser.add_argument("--gamma-text", type=number, help="γ measured on natural text (for X-23; default --gamma-obs)")
    parser.add_argument(
        "--diagnosis",
        type=Path,
        metavar="FILE",
        help="a `taf diagnose --out` file (or v0.5.3's JSON): its measured γ feed the card "
        "(explicit --gamma-* flags win)",
    )
    parser.add_argument("--budget", type=number, default=5000.0, help="training budget in USD for X-3 (default 5000)")
    parser.add_argument("--api-model", default="GPT-4o", help="API compared in X-1 (default GPT-4o)")
    parser.add_argument("--monthly-tokens-m", type=number, default=10.0, help="monthly volume in Mtok for X-1")
    parser.add_argument("--tokens-per-day", type=number, default=1e7, help="daily volume for X-5 (default 1e7)")
    parser.add_argument(
        "--format",
        choices=("text", "md", "html"),
        default="text",
        help="text (terminal), md (Markdown) or html (self-contained report)",
    )
    parser.add_argument("-o", "--output", type=Path, help="write the md/html report to this file")
    add_catalog_option(parser)
    add_closed_form_option(parser)
    add_model_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from tafagent.cli.render import render_card
    from tafagent.core.card import CardOptions, profile  # the engine loads only for the commands that run it
    from tafagent.core.render.card_text import card_texts
    from tafagent.core.render.report import card_html, card_markdown

    lang = output_language(args) or "en"
    if args.output is not None:  # before any work: a bad -o must not cost the run, nor hang on a pipe
        check_output_file(args.output, "-o", example="card.html")
    spec = load_spec(args.model, **model_kwargs(args))
    options = CardOptions(
        T_eval=args.t_eval,
        gamma_obs=args.gamma_obs,
        gamma_random=args.gamma_random,
        gamma_text=args.gamma_text,
        closed_form=args.closed_form,
        diagnosis=diagnosis_gammas_of(args.diagnosis, spec, lang) if args.diagnosis else None,
        USD_budget=args.budget,
        target_tokens_per_day=args.tokens_per_day,
        api_model=args.api_model,
        monthly_tokens_M=args.monthly_tokens_m,
    )
    card = profile(spec, options, load_catalogs(args.catalog))
    if args.json:  # English keys and values; another language adds its texts under "localized"
        data = card.to_dict()
        if lang != "en":
            data["localized"] = card_texts(card, lang)
        emit_json(data)
    elif args.format == "md":
        write_or_print(card_markdown(card, lang), args.output)
    elif args.format == "html":
        write_or_print(card_html(card, lang), args.output)
    else:
        render_card(console(), card, lang)
    return 0


def diagnosis_gammas_of(path: Path, spec: Any, lang: str = "en") -> Any:
    """The measured γ of a diagnosis file for the card (core.gamma_source.DiagnosisGammas), or None when the
    model has no attention. Warns on stderr when the file measured another model or a γ indistinguishable from
    uniform attention (the card then marks its measured-γ checks and lowers confidence)."""
    from tafagent.adapters.measure import load_diagnosis
    from tafagent.core.gamma_source import choose_gammas, diagnosis_gammas, gamma_label_text
    from tafagent.core.messages import tr

    diagnosis = load_diagnosis(path)
    if diagnosis.status == "no_attention":
        write_stderr(f"note: {path} measured no attention ({diagnosis.message}); the card uses predictions\n")
        return None
    gammas = diagnosis_gammas(diagnosis, str(path))
    for choice in choose_gammas(spec, diagnosis=gammas).values():
        for warning in () if choice is None else choice.warnings:
            write_stderr(f"{tr('card.spec.warning', lang)} {gamma_label_text(warning, lang)}\n")
        if choice is not None and choice.warnings:
            break  # the same file: each warning once
    return gammas
