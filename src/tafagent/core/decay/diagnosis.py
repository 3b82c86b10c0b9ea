"""The :class:`Diagnosis` that ``taf diagnose`` produces (spec §5.5–§5.9): measured γ per corpus, its fit and
uniform null, γ_Padé for comparison and the derived thermodynamic profile, with its strict JSON round trip."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tafagent.core.decay.corpus_result import CorpusResult
from tafagent.core.decay.diagnosis_file import (
    MAX_FILE_LENGTH,
    THETA_BOUNDS,
    read_corpus_results,
    read_reference_file,
)
from tafagent.core.decay.interpretation import gamma_band, kl_level
from tafagent.core.decay.json_fields import DIAGNOSIS_FILE_HINT, FieldReader, str_keyed
from tafagent.core.errors import ConfigError
from tafagent.core.laws.pade import gamma_pade
from tafagent.core.laws.thermo import measured_phase_label, thermodynamic_profile

__all__ = ["DIAGNOSIS_SCHEMA", "Diagnosis"]

DIAGNOSIS_SCHEMA = "tafagent.diagnosis/1"


@dataclass(frozen=True)
class Diagnosis:
    """The result of ``taf diagnose``: measured γ per corpus, its fit and null, derived thermodynamics.

    ``results`` maps a corpus ("random", "text") to its :class:`CorpusResult`. The headline numbers
    (``gamma``, ``R2``, ``gamma_ci95``) are those of the text corpus when it was measured, else random.
    ``status``: ``complete``, ``partial`` (interrupted: fewer prompts than asked, see ``notes``) or
    ``no_attention`` (an attention-free model; ``message`` says so and every γ is None).
    ``N`` is the context length of the thermodynamic profile (default: the largest fitted distance) and
    ``theta`` the RoPE base (None without RoPE).
    """

    model: str
    protocol: str
    corpus: str
    status: str
    results: dict[str, CorpusResult]
    N: int | None
    theta: float | None
    env: dict[str, Any] = field(default_factory=dict)
    attention_layers: tuple[int, ...] = ()
    n_layers: int | None = None
    notes: tuple[str, ...] = ()
    message: str = ""

    # ---- headline numbers --------------------------------------------------------------------------

    @property
    def primary(self) -> CorpusResult | None:
        for corpus in ("text", "random"):
            if corpus in self.results:
                return self.results[corpus]
        return None

    @property
    def gamma(self) -> float | None:
        return None if self.primary is None else self.primary.gamma

    @property
    def gamma_text(self) -> float | None:
        result = self.results.get("text")
        return None if result is None else result.gamma

    @property
    def gamma_random(self) -> float | None:
        result = self.results.get("random")
        return None if result is None else result.gamma

    @property
    def delta_gamma_text_random(self) -> float | None:
        """Δγ = γ_text − γ_random (the imprint of natural text, X-21/X-23)."""
        if self.gamma_text is None or self.gamma_random is None:
            return None
        return self.gamma_text - self.gamma_random

    @property
    def T_pade(self) -> int | None:
        """The protocol's T: the largest distance that entered the fit (deliberate fix, spec §9.2 item 12)."""
        primary = self.primary
        if primary is None or primary.fit is None:
            return None
        return int(max(primary.fit.distances))

    @property
    def thermo_N(self) -> int | None:
        return self.N if self.N is not None else self.T_pade

    @property
    def gamma_pade(self) -> float | None:
        """γ_Padé(θ, T_pade) for comparison (spec §5.7 γ_pred); None without RoPE θ or without a fit."""
        if self.theta is None or self.theta <= 0 or self.T_pade is None:
            return None
        return gamma_pade(self.theta, self.T_pade)

    @property
    def delta_gamma(self) -> float | None:
        """γ − γ_Padé (None only when either is missing; 0.0 stays 0.0, spec §9.2 item 12)."""
        if self.gamma is None or self.gamma_pade is None:
            return None
        return self.gamma - self.gamma_pade

    def thermodynamics(self) -> dict[str, Any] | None:
        """Spec §5.7 profile at (γ, N, θ) from ``core.thermo`` (exact discrete sums), with the §5.9 key names."""
        gamma, n = self.gamma, self.thermo_N
        if gamma is None or n is None or not gamma > 0.0 or n < 1:
            return None
        profile = thermodynamic_profile(gamma, n, self.theta, flavour="discrete")
        return {
            "gamma": gamma,
            "N": n,
            "theta": self.theta,
            "flavour": profile.flavour,
            "Z": profile.Z,
            "U": profile.U,
            "S": profile.S,
            "F": profile.F,
            "Cv": profile.C_V,
            "chi": profile.chi,
            "xi": profile.xi,
            "T_attn": profile.T_attn,
            "D90": profile.D90,
            "D90_frac": profile.D90_frac,
            "delta_H_90": profile.delta_H_90,
            "theta_eff_pade": profile.theta_eff,
            "phase": profile.phase,
        }

    def card_inputs(self) -> dict[str, float | None]:
        """What ``taf profile --diagnosis`` feeds the card: gamma_obs (text γ, else random γ), gamma_text,
        gamma_random."""
        return {
            "gamma_obs": self.gamma_text if self.gamma_text is not None else self.gamma_random,
            "gamma_text": self.gamma_text,
            "gamma_random": self.gamma_random,
        }

    # ---- serialisation -----------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        primary = self.primary
        fit = None if primary is None else primary.fit
        gamma = self.gamma
        kl = None if primary is None else primary.kl_grammar
        return {
            "schema": DIAGNOSIS_SCHEMA,
            "model": self.model,
            "protocol": self.protocol,
            "corpus": self.corpus,
            "primary_corpus": None if primary is None else primary.corpus,
            "status": self.status,
            "message": self.message,
            "distances": [] if primary is None else list(primary.distances),
            "attn_by_distance": {} if primary is None else str_keyed(primary.attn_by_distance),
            "gamma": gamma,
            "log_A": None if fit is None else fit.log_A,
            "R2": None if fit is None else fit.R2,
            "R2_exact": None if fit is None else fit.R2_exact,
            "gamma_ci95": None if primary is None or primary.gamma_ci95 is None else list(primary.gamma_ci95),
            "fit_power_law": None if fit is None else {"gamma": fit.gamma, "log_A": fit.log_A, "R2": fit.R2},
            "uniform_null": None if primary is None else primary.null.to_dict(),
            "gamma_minus_null": None if primary is None else primary.gamma_minus_null,
            "distinguishable_from_uniform": None if primary is None else primary.distinguishable_from_uniform,
            "gamma_text": self.gamma_text,
            "gamma_random": self.gamma_random,
            "delta_gamma_text_random": self.delta_gamma_text_random,
            "card_inputs": self.card_inputs(),
            "N": self.thermo_N,
            "theta": self.theta,
            "T_pade": self.T_pade,
            "gamma_pade": self.gamma_pade,
            "delta_gamma": self.delta_gamma,
            "phase": None if gamma is None else measured_phase_label(gamma),
            "gamma_band": None if gamma is None else gamma_band(gamma),
            "kl_grammar": kl,
            "kl_level": kl_level(kl),
            "thermodynamics": self.thermodynamics(),
            "per_layer_gamma": {} if primary is None else str_keyed(primary.per_layer_gamma),
            "per_head_gamma": {} if primary is None else {str(k): list(v) for k, v in primary.per_head_gamma.items()},
            "attention_layers": {
                "measured": list(self.attention_layers),
                "n_layers": self.n_layers,
                "hybrid": bool(self.n_layers and 0 < len(self.attention_layers) < self.n_layers),
            },
            "curve": None if primary is None or primary.curve is None else primary.curve.to_dict(),
            "results": {corpus: result.to_dict() for corpus, result in self.results.items()},
            "env": dict(self.env),
            "notes": list(self.notes),
        }

    @classmethod
    def from_dict(cls, data: Any) -> Diagnosis:
        """Read back :meth:`to_dict` output, validating every field; ConfigError (one line) otherwise."""
        reader = FieldReader("diagnosis")
        if not isinstance(data, dict):
            raise ConfigError("not a taf diagnosis: expected a JSON object", DIAGNOSIS_FILE_HINT)
        if data.get("schema") != DIAGNOSIS_SCHEMA:
            raise ConfigError(
                f"not a taf diagnosis (schema {data.get('schema')!r}, expected {DIAGNOSIS_SCHEMA!r})",
                DIAGNOSIS_FILE_HINT,
            )
        results = read_corpus_results(reader, data)
        diagnosis = cls(
            model=reader.text(data, "model"),
            protocol=reader.text(data, "protocol"),
            corpus=reader.text(data, "corpus"),
            status=reader.choice(data, "status", ("complete", "partial", "no_attention")),
            results=results,
            N=reader.integer(data, "N", optional=True, minimum=1, maximum=MAX_FILE_LENGTH),
            theta=reader.number(data, "theta", optional=True, positive=True, bounds=THETA_BOUNDS),
            env=reader.mapping(data, "env"),
            attention_layers=tuple(reader.int_list(reader.mapping(data, "attention_layers"), "measured")),
            n_layers=reader.integer(reader.mapping(data, "attention_layers"), "n_layers", optional=True, minimum=0),
            notes=tuple(reader.str_list(data, "notes")),
            message=reader.text(data, "message", optional=True) or "",
        )
        diagnosis._check_stored_gamma(reader.number(data, "gamma", optional=True))
        return diagnosis

    def _check_stored_gamma(self, stored: float | None) -> None:
        """A file's headline γ must be the one its results give (an edited file is refused, not trusted)."""
        computed = self.gamma
        if (stored is None) != (computed is None) or (
            stored is not None and computed is not None and abs(stored - computed) > 1e-9 * max(1.0, abs(computed))
        ):
            raise ConfigError(
                f"diagnosis is inconsistent: gamma {stored!r} does not match its results ({computed!r})",
                "re-run `taf diagnose` instead of editing the file",
            )

    @classmethod
    def from_any(cls, data: Any) -> Diagnosis:
        """A parsed diagnosis file of either kind: ours (``taf diagnose --out``) or v0.5.3's JSON."""
        if isinstance(data, dict) and data.get("schema") == DIAGNOSIS_SCHEMA:
            return cls.from_dict(data)
        if isinstance(data, dict) and "fit_power_law" in data and "attn_by_distance" in data:
            return cls.from_reference_dict(data)
        raise ConfigError("not a taf diagnosis file", "use the JSON written by `taf diagnose --out`")

    @classmethod
    def from_reference_dict(cls, data: Any) -> Diagnosis:
        """Read the JSON that v0.5.3's ``diagnose_model.py`` writes (spec §5.9): random tokens, seed 42.

        Only its measured curve is taken (γ is refitted from ``attn_by_distance``, with its stored γ as a
        consistency check); everything derived is recomputed here.
        """
        reference = read_reference_file(data)
        return cls(
            model=reference.model,
            protocol="reference-v0.5.3",
            corpus="random",
            status="complete",
            results={"random": reference.result},
            N=reference.N,
            theta=reference.theta,
            env={"source": "v0.5.3 diagnose_model.py output", "seeds": [42], "fast_mode": reference.fast_mode},
            notes=("read from a v0.5.3 diagnose_model.py file: random tokens, seed 42 only",),
        )
