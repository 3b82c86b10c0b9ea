"""The law registry: every law of the framework stated once, under a stable id.

A :class:`Law` holds what a reader needs to audit a number: the paper section, the formula as text, the
unit, the evidence behind it and, where the shipped reference panel can test it, the key of that test in
:mod:`tafagent.core.validation` (``panel_key``). Recipe steps carry the law id (``Step.law``); validation,
the TAF Card's key numbers, the web page and the docs look laws up here by id, never by display name, so a
renamed step keeps its evidence.

The texts are the reference's (TAF Agent v0.5.3, spec §2–§3) so results compare one to one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tafagent.core.errors import UsageError
from tafagent.core.evidence import Evidence, EvidenceNote
from tafagent.core.laws.constants import (
    ARCH_CONCENTRATION_EVIDENCE,
    CHINCHILLA_EVIDENCE,
    DECODE_ROOFLINE_EVIDENCE,
    DELTA_GQA_EVIDENCE,
    DF_ZONE_EVIDENCE,
    EMERGENCE_EVIDENCE,
    HALLUCINATION_EVIDENCE,
    HORIZON_EVIDENCE,
    IH_EVIDENCE,
    IMPRINT_EVIDENCE,
    K_EVIDENCE,
    KV_EVIDENCE,
    LORA_FLOPS_EVIDENCE,
    MEMORY_16N_EVIDENCE,
    NIAH_EVIDENCE,
    PADE_EVIDENCE,
    SOFT_DECAY_EVIDENCE,
    TRAINING_FLOPS_EVIDENCE,
)


@dataclass(frozen=True)
class Law:
    """One law: ``id`` is stable (used in JSON and code), ``name`` is what a step shows."""

    id: str
    name: str
    section: str
    formula: str
    unit: str
    evidence: EvidenceNote
    function: str = ""  # the dotted path of the function that computes it (documentation, not imported)
    panel_key: str | None = None  # the validation law that tests it on the shipped panel, if any

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "section": self.section,
            "formula": self.formula,
            "unit": self.unit,
            "evidence": self.evidence.to_dict(),
            "function": self.function,
            "panel_key": self.panel_key,
        }


_MEASURED_HORIZON = EvidenceNote(Evidence.DERIVED, "§26.2 horizon of the measured γ (measurement, not closed form)")
_SIZE_PHASE = EvidenceNote(Evidence.EXPLORATORY, "§30 size threshold")
_PURITY = EvidenceNote(Evidence.EXPLORATORY, "residual against the imprint law", statistic="95% CI ±0.18")
_DECOMPOSITION = EvidenceNote(Evidence.EXPLORATORY, "includes δ_post_IH, which did not replicate")

LAWS: dict[str, Law] = {
    law.id: law
    for law in (
        # §26 RoPE attention-decay law and its consequences
        Law("gamma_pade", "γ_Padé", "§26.1", "γ = (2θ − T√2)/(2θ + T√2)", "dimensionless", PADE_EVIDENCE,
            "tafagent.core.laws.pade.gamma_pade", "pade"),
        Law("gamma_decomposition", "γ-decomposition", "§26.10", "γ_Padé + δ_GQA + δ_SWA + δ_post_IH",
            "dimensionless", _DECOMPOSITION, "tafagent.core.laws.decomposition.gamma_decompose", "decomposition_v1"),
        Law("delta_gqa", "δ_GQA", "§26.10", "δ_GQA = +0.11 when n_kv < n_heads", "dimensionless",
            DELTA_GQA_EVIDENCE, "tafagent.core.laws.decomposition.gamma_decompose", "delta_gqa"),
        Law("d_horizon", "d_horizon", "§26.2", "d_h = θ(1−γ)√2/(1+γ)", "tokens", HORIZON_EVIDENCE,
            "tafagent.core.laws.pade.d_horizon", "niah_ceiling"),
        Law("d_horizon_measured", "d_horizon (measured γ_obs)", "§26.2", "d_h = θ(1−γ_obs)√2/(1+γ_obs)", "tokens",
            _MEASURED_HORIZON, "tafagent.core.laws.pade.d_horizon", "niah_ceiling:measured_gamma"),
        Law("l_niah", "L_NIAH^c", "§26.5", "L_NIAH^c = 2·d_horizon", "tokens", NIAH_EVIDENCE,
            "tafagent.core.laws.pade.l_niah", "niah_ceiling"),
        Law("p_hallucinate", "P_hallucinate", "§26.9", "max(0, 1−(d_h/L)^(1−γ))·√χ/(1+√χ)", "probability",
            HALLUCINATION_EVIDENCE, "tafagent.core.laws.pade.p_hallucinate"),
        Law("pdi", "PDI (measured γ_obs)", "§33.2", "PDI = θ(1−γ_obs)√2 / ((1+γ_obs)·T_eval)", "dimensionless",
            PADE_EVIDENCE, "tafagent.core.laws.diagnostics.pade_deviation_index", "pade"),
        Law("df_window", "D_f window", "§26.7", "smallest D with Σ_{d≤D} d^−γ ≥ f·Σ_{d≤N} d^−γ (exact discrete sum)",
            "tokens", DF_ZONE_EVIDENCE, "tafagent.core.laws.thermo.df_window", "df_window"),
        Law("soft_decay", "Soft decay régimen", "§26.8", "d_h ≳ T_train/2 (ratio = d_h / (T_train/2))", "",
            SOFT_DECAY_EVIDENCE, "tafagent.core.laws.pade.kv_soft_decay_regime", "soft_decay"),
        Law("gamma_deviation", "γ deviation from Padé", "§26.1", "γ_obs − γ_Padé", "dimensionless", PADE_EVIDENCE,
            "tafagent.core.laws.pade.gamma_pade", "pade"),
        # §28 imprint law
        Law("imprint_shift", "Imprint shift", "§28.1", "ν·log10(P/P_0), ν = −1/(2π)", "dimensionless",
            IMPRINT_EVIDENCE, "tafagent.core.laws.decomposition.imprint_shift", "delta_imprint"),
        Law("gamma_random", "γ_random predicted", "§28.1", "γ_Padé + ν·log10(P/P_0)", "dimensionless",
            IMPRINT_EVIDENCE, "tafagent.core.laws.imprint.gamma_random_predict", "imprint"),
        Law("imprint_purity", "Imprint purity", "§28.2", "obs − pred (clean within ±0.18)", "dimensionless",
            _PURITY, "tafagent.core.laws.imprint.imprint_purity", "imprint"),
        # §29 compute-context invariant
        Law("k_band", "K panel band", "§29", "K = γ·ln(N²·D); band = mean ± 1 std", "dimensionless", K_EVIDENCE,
            "tafagent.core.laws.imprint.compute_invariant_K", "k_band"),
        Law("k_invariant", "K = γ·log(N²·D)", "§29", "γ × ln(N²·D)", "dimensionless", K_EVIDENCE,
            "tafagent.core.laws.imprint.compute_invariant_K", "k_band"),
        Law("k_zscore", "z-score vs panel", "§29", "(K − μ)/σ", "σ", K_EVIDENCE,
            "tafagent.core.laws.imprint.compute_invariant_K", "k_band"),
        # §30 induction-head phase
        Law("ih_size_phase", "Size-based phase prediction", "§30", "P ≥ 400M ⇒ post-IH", "", _SIZE_PHASE,
            "tafagent.core.laws.imprint.ih_phase_expected", "ih_phase"),
        Law("ih_delta", "Δγ discriminator", "§30", "sign(γ_text − γ_random)", "dimensionless", IH_EVIDENCE,
            "tafagent.core.laws.imprint.ih_phase_check", "ih_phase"),
        # §33 architectural concentration
        Law("arch_concentration", "architectural concentration", "§33.1", "γ_text ≈ γ_Padé − 0.012·n_kv",
            "dimensionless", ARCH_CONCENTRATION_EVIDENCE, "tafagent.core.laws.diagnostics", "arch_concentration"),
        # §17/§19/§20 memory and economics
        Law("kv_cache", "KV cache memory", "§19.1", "2·L·n_kv·d_h·seq·B", "bytes", KV_EVIDENCE,
            "tafagent.core.memory"),
        Law("chinchilla_tokens", "Chinchilla optimal D", "§17.30", "D = 20·N", "tokens", CHINCHILLA_EVIDENCE,
            "tafagent.core.laws.economics.chinchilla_optimal_tokens"),
        Law("chinchilla_params", "Chinchilla-optimal N", "§17.30", "N = √(C/120) at D = 20N", "parameters",
            CHINCHILLA_EVIDENCE, "tafagent.core.laws.economics.chinchilla_optimal_params"),
        Law("training_flops", "Training FLOPs", "§17.10", "C = 6·N·D", "FLOPs", TRAINING_FLOPS_EVIDENCE,
            "tafagent.core.laws.economics.training_flops"),
        Law("training_flops_lora", "LoRA fine-tuning FLOPs", "§17.10 (LoRA)", "C = 4·N·D", "FLOPs",
            LORA_FLOPS_EVIDENCE, "tafagent.core.laws.economics.training_flops"),
        Law("training_memory_16n", "16N training memory", "§17.20", "model + grads + AdamW = 16 bytes/param",
            "bytes", MEMORY_16N_EVIDENCE, "tafagent.core.laws.economics.training_memory_16n_bytes"),
        Law("emergence", "Emergence threshold", "§17.60", "Wei 2022 capability tiers", "", EMERGENCE_EVIDENCE,
            "tafagent.core.laws.economics.emergent_threshold"),
        Law("decode_roofline", "Self-inference $/Mtok", "§19.9 / §20.12", "BW / model_GB → tok/s → $/Mtok",
            "USD/Mtok", DECODE_ROOFLINE_EVIDENCE, "tafagent.core.laws.economics.inference_cost_per_token"),
        Law("decode_speed", "Decode / prefill speed per engine", "§19.9", "roofline + host + all-reduce", "s",
            EvidenceNote(Evidence.FITTED, "fitted per engine, data/speed_calibration.json"),
            "tafagent.core.memory.speed.decode_throughput", "speed"),
    )
}  # fmt: skip


def get_law(law_id: str) -> Law:
    """The law registered as ``law_id``; an unknown id is a UsageError listing the known ones."""
    try:
        return LAWS[law_id]
    except KeyError:
        raise UsageError(f"unknown law '{law_id}'", "known: " + ", ".join(LAWS)) from None


def panel_key(law_id: str | None) -> str | None:
    """The validation key that tests ``law_id`` on the shipped panel (None: untested or no law)."""
    return None if law_id is None or law_id not in LAWS else LAWS[law_id].panel_key
