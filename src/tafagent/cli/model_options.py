"""``--revision`` and ``--token``: the Hub options every command with a MODEL argument accepts; ``--closed-form``
(profile, recipe): the γ-source choice of core.gamma_source."""

from __future__ import annotations

import argparse
from typing import Any


def add_model_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--revision REV`` and ``--token TOKEN`` (both apply to Hub ids only)."""
    group = parser.add_argument_group("Hugging Face Hub")
    group.add_argument(
        "--revision",
        metavar="REV",
        help="branch, tag or commit sha of a Hub model (default: main; org/name@REV works too)",
    )
    group.add_argument(
        "--token",
        metavar="TOKEN",
        help="Hub access token for gated or private models (default: HF_TOKEN or your saved login; never printed)",
    )


def model_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    """The keyword arguments of ``load_spec`` taken from parsed options (None where not given)."""
    return {"revision": getattr(args, "revision", None), "token": getattr(args, "token", None)}


def add_closed_form_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--closed-form``: decide on the v0.5.3 closed form, ignoring the panel's and any diagnosis's γ."""
    parser.add_argument(
        "--closed-form",
        action="store_true",
        help="use the closed-form γ (v0.5.3) instead of a measured one (the shipped panel's, for a model it measured)",
    )
