"""What checkpoint headers say about the weights, and how that compares with the config's parameter count.

:class:`HeaderWeights` is the summary that the safetensors and GGUF readers (``safetensors_header``,
``gguf_header``) produce from file headers alone; :class:`ParamsCheck` sets its logical parameter count
against the config-derived ``n_params``, so a config that does not describe the stored weights is flagged.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tafagent.core.spec.model_spec import StoredWeights


@dataclass(frozen=True, slots=True)
class HeaderWeights(StoredWeights):
    """:class:`StoredWeights` plus what the headers say about the *logical* weights.

    ``n_params_logical`` counts the weights the checkpoint represents: packed tensors are unpacked
    (a GPTQ/AWQ int32 ``qweight`` holds 32/bits weights per element), quantisation scales, zero points
    and non-parameter buffers are left out. ``n_params_non_text`` is the part of it in vision/audio towers
    and projectors (a multimodal config's ``n_params`` counts the language model only).
    ``quantized_bits_per_weight`` is 8·(packed + scale/zero bytes) / weights in packed tensors.
    """

    n_params_logical: int | None = None
    n_params_non_text: int = 0
    n_quant_overhead_bytes: int = 0
    n_buffer_elements: int = 0
    quantized_bits_per_weight: float | None = None
    tensor_count: int = 0

    @property
    def n_params_text(self) -> int | None:
        return None if self.n_params_logical is None else self.n_params_logical - self.n_params_non_text


def bits_per_weight(n_bytes: int, n_weights: int | None) -> float | None:
    """8 · bytes / weights; None when there are no (known) weights."""
    return 8.0 * n_bytes / n_weights if n_weights else None


# =============================================================================================
# Cross-check with the config-derived count
# =============================================================================================
PARAMS_TOLERANCE = 0.01  # relative disagreement above which the spec carries a warning


@dataclass(frozen=True, slots=True)
class ParamsCheck:
    """The header-derived logical parameter count against the config-derived ``n_params``."""

    n_params_config: int
    n_params_headers: int
    scope: str  # "all tensors" or "language-model tensors"
    tolerance: float = PARAMS_TOLERANCE

    @property
    def relative_difference(self) -> float:
        """(headers − config) / config."""
        return (self.n_params_headers - self.n_params_config) / self.n_params_config if self.n_params_config else 0.0

    @property
    def agrees(self) -> bool:
        return abs(self.relative_difference) <= self.tolerance

    def describe(self) -> str:
        return (
            f"checkpoint headers hold {self.n_params_headers:,} parameters ({self.scope}), the config implies "
            f"{self.n_params_config:,} ({self.relative_difference:+.2%})"
        )

    def warning(self) -> str | None:
        """The warning text when the two disagree by more than the tolerance, else None."""
        if self.agrees:
            return None
        return (
            f"{self.describe()}: they differ by more than {self.tolerance:.0%}, so the config-derived n_params "
            "(and what is computed from it) may not describe these weights"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_params_config": self.n_params_config,
            "n_params_headers": self.n_params_headers,
            "scope": self.scope,
            "relative_difference": self.relative_difference,
            "tolerance": self.tolerance,
            "agrees": self.agrees,
        }


def check_params(n_params_config: int, weights: StoredWeights | None) -> ParamsCheck | None:
    """Compare counts when the headers gave a logical count (language-model tensors for multimodal repos)."""
    if not isinstance(weights, HeaderWeights) or n_params_config <= 0:
        return None
    n_params_text = weights.n_params_text  # the logical count less vision/audio towers (all of it when none)
    if n_params_text is None:
        return None
    scope = "language-model tensors" if weights.n_params_non_text else "all tensors"
    return ParamsCheck(n_params_config, n_params_text, scope)


def iter_dtypes(weights: StoredWeights) -> Iterable[tuple[str, int, int]]:
    """(dtype, elements, bytes) rows in a stable order, largest byte share first."""
    rows = [(d, weights.elements_by_dtype.get(d, 0), b) for d, b in weights.bytes_by_dtype.items()]
    return sorted(rows, key=lambda row: (-row[2], row[0]))
