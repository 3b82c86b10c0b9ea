"""``taf profile MODEL``: the TAF Card."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..adapters.model_source import load_spec
from ..core.card import CardOptions, profile
from ..core.report import card_html, card_markdown
from .common import add_catalog_option, load_catalogs, number, positive_int, write_or_print
from .model_options import add_model_options, model_kwargs
from .output import console, emit_json
from .render import render_card


def register(subparsers: Any, parent: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "profile",
        parents=[parent],
        help="the TAF Card: every recipe for one model",
        description="The TAF Card of MODEL: the verdict of every recipe, the key numbers with their evidence, "
        "diagnostics and the falsifiers in scope. Measured values (from `taf diagnose`) replace closed forms.",
    )
    parser.add_argument("model", metavar="MODEL")
    parser.add_argument("--t-eval", type=positive_int, help="target context length (default: the model's T_train)")
    parser.add_argument("--gamma-obs", type=number, help="measured attention decay γ (text corpus)")
    parser.add_argument("--gamma-random", type=number, help="γ measured on random tokens")
    parser.add_argument("--gamma-text", type=number, help="γ measured on natural text (for X-23; default --gamma-obs)")
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
    add_model_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    spec = load_spec(args.model, **model_kwargs(args))
    options = CardOptions(
        T_eval=args.t_eval,
        gamma_obs=args.gamma_obs,
        gamma_random=args.gamma_random,
        gamma_text=args.gamma_text,
        USD_budget=args.budget,
        target_tokens_per_day=args.tokens_per_day,
        api_model=args.api_model,
        monthly_tokens_M=args.monthly_tokens_m,
    )
    card = profile(spec, options, load_catalogs(args.catalog))
    if args.json:
        emit_json(card.to_dict())
    elif args.format == "md":
        write_or_print(card_markdown(card), args.output)
    elif args.format == "html":
        write_or_print(card_html(card), args.output)
    else:
        render_card(console(), card)
    return 0
