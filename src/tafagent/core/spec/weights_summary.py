"""What checkpoint headers say about the weights, and how that compares with the config's parameter count.

:class:`HeaderWeights` is the summary that the safetensors and GGUF readers (``safetensors_header``,
``gguf_header``) produce from file headers alone; :class:`ParamsCheck` sets its logical parameter count
against the config-derived ``n_params``, so a config that does not describe the stored weights is flagged.
:func:`stored_weights_problem` says when headers cannot be the weight size at all (no tensors, or far fewer
parameters than the config: a partial or broken upload), and :func:`attach_header_weights` puts headers on
a spec with every such warning.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from tafagent.core.spec.model_spec import ModelSpec, StoredWeights


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


# =============================================================================================
# Headers that cannot be the weight size
# =============================================================================================
# Below half the config's parameters the headers describe a partial upload (missing shards) or another model,
# not these weights; a quantised checkpoint still holds every parameter (packed), so it stays far above.
MIN_HEADER_SHARE = 0.5
# When the logical count is unknown (packing of unknown width), bytes are compared instead: no real format
# stores fewer bits per weight than llama.cpp's IQ1_S (1.56 bpw).
MIN_STORED_BITS_PER_WEIGHT = 1.5


def stored_weights_problem(n_params_config: int, weights: StoredWeights) -> str | None:
    """Why ``weights`` (read from headers) cannot be the model's weight size, or None when they can.

    No tensors or no bytes; a logical count under MIN_HEADER_SHARE of ``n_params_config``; or, with no
    logical count, fewer bytes than MIN_HEADER_SHARE of the parameters at MIN_STORED_BITS_PER_WEIGHT.
    """
    if weights.n_elements == 0 or weights.n_bytes == 0 or not weights.bytes_by_dtype:
        return f"the {weights.format} headers hold no tensors"
    if n_params_config <= 0:
        return None
    counted = weights.n_params_text if isinstance(weights, HeaderWeights) else None
    if counted is not None:
        if counted < MIN_HEADER_SHARE * n_params_config:
            return (
                f"the {weights.format} headers hold {counted:,} parameters, under {MIN_HEADER_SHARE:.0%} of the "
                f"{n_params_config:,} the config implies"
            )
        return None
    if 8 * weights.n_bytes < MIN_HEADER_SHARE * n_params_config * MIN_STORED_BITS_PER_WEIGHT:
        return (
            f"the {weights.format} headers hold {weights.n_bytes:,} bytes, under {MIN_HEADER_SHARE:.0%} of the "
            f"config's {n_params_config:,} parameters at {MIN_STORED_BITS_PER_WEIGHT:g} bits each"
        )
    return None


def unusable_headers_warning(problem: str) -> str:
    """The warning for headers that are not used as the weight size (one text, so callers can deduplicate)."""
    return f"checkpoint headers not used as the weight size: {problem}; weight bytes follow from the config instead"


def header_warnings(n_params_config: int, weights: StoredWeights) -> list[str]:
    """Every warning headers raise against the config: a disagreement over PARAMS_TOLERANCE, and headers that
    cannot be the weight size."""
    warnings: list[str] = []
    check = check_params(n_params_config, weights)
    if check is not None and check.warning():
        warnings.append(check.warning() or "")
    problem = stored_weights_problem(n_params_config, weights)
    if problem is not None:
        warnings.append(unusable_headers_warning(problem))
    return warnings


def attach_header_weights(spec: ModelSpec, weights: StoredWeights) -> ModelSpec:
    """``spec`` with the headers' weights, their comparison with the config in the notes, every warning of
    :func:`header_warnings` and the headers' source in the provenance (the Hub adapter's last step)."""
    check = check_params(spec.n_params, weights)
    if check is not None:
        weights = replace(weights, notes=(*weights.notes, check.describe()))
    new = [w for w in header_warnings(spec.n_params, weights) if w not in spec.warnings]
    provenance = {**spec.provenance, "weights": weights.source}
    return replace(spec, stored_weights=weights, warnings=(*spec.warnings, *new), provenance=provenance)


def iter_dtypes(weights: StoredWeights) -> Iterable[tuple[str, int, int]]:
    """(dtype, elements, bytes) rows in a stable order, largest byte share first."""
    rows = [(d, weights.elements_by_dtype.get(d, 0), b) for d, b in weights.bytes_by_dtype.items()]
    return sorted(rows, key=lambda row: (-row[2], row[0]))
