"""The falsification dashboard of spec §7.12, regenerated from the packaged data.

:data:`CLAIMS` is the table of the 23 falsifiers: id, claim, the reference's status and a judge, one small
function per claim that returns (status, evidence, n) from the data; each states its rule in its docstring.
Claims the panel cannot test (mathematical statements, experiments not in the panel) say why.
:func:`falsification_dashboard` runs the table.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from tafagent.core.laws.pade import d_horizon, l_niah, theta_design
from tafagent.core.validation.comparison import Case
from tafagent.core.validation.laws_delta import law_delta_instruct
from tafagent.core.validation.laws_gamma import law_pade
from tafagent.core.validation.laws_kv_cache import law_df_window, law_soft_decay
from tafagent.core.validation.laws_niah import NIAH_PASS_ACCURACY, law_niah_ceiling
from tafagent.core.validation.panel import load_panel, outcome_set
from tafagent.core.validation.panel_rows import (
    params_M,
    random_rope_rows,
    row_pade,
    text_random_pairs,
    text_rope_rows,
)
from tafagent.core.validation.refit import refit_check
from tafagent.core.validation.report import Claim, Dashboard
from tafagent.core.validation.stats import fmt, mean, ols_through_origin, real_number

__all__ = ["CLAIMS", "ClaimCheck", "falsification_dashboard"]

Verdict = tuple[str, str, int | None]  # (status, evidence, n)
UNTESTABLE = "untestable-with-this-data"


@dataclass(frozen=True)
class ClaimCheck:
    """One falsifier: what it claims, what the reference said, and how the data judge it."""

    id: str
    claim: str
    reference_status: str
    judge: Callable[[], Verdict]


def _grade(confirmed: bool, partial: bool) -> str:
    return "confirmed" if confirmed else ("partial" if partial else "refuted")


def _untestable(why: str) -> Callable[[], Verdict]:
    def judge() -> Verdict:
        return UNTESTABLE, why, None

    return judge


def _f1_pade_relative_error() -> Verdict:
    """Relative error of γ_Padé on canonical RoPE text rows with 0 < γ < 1: confirmed if the mean is < 5 %."""
    phase_a = [c for c in law_pade().primary.cases if 0.0 < c.observed_value < 1.0]
    rel = [abs(c.observed_value - c.predicted_value) / c.observed_value for c in phase_a]
    mape = mean(rel)
    median_rel = statistics.median(rel) if rel else None
    status = _grade(mape is not None and mape < 0.05, bool(median_rel and median_rel < 0.05))
    evidence = (
        "canonical RoPE text rows with 0 < γ < 1: mean relative error "
        f"{fmt(None if mape is None else 100 * mape, '.0f')} %, median "
        f"{fmt(None if median_rel is None else 100 * median_rel, '.0f')} %, "
        f"{sum(1 for x in rel if x <= 0.05)}/{len(rel)} within 5 % (the reference's n = 9 was a curated subset)"
    )
    return status, evidence, len(rel)


def _f2_niah_collapse() -> Verdict:
    """NIAH collapse vs 2·d_horizon with the measured γ: confirmed if every model's points are consistent."""
    niah = law_niah_ceiling().comparison("measured_gamma")
    per_model: dict[str, list[Case]] = {}
    for c in niah.cases:
        per_model.setdefault(c.model, []).append(c)
    consistent = {m: all(c.hit for c in cs) for m, cs in per_model.items()}
    niah_rows = outcome_set("niah_logprob_ntk")
    niah_70m = next(o for o in niah_rows if o.model.endswith("pythia-70m"))
    ceiling_70m = l_niah(d_horizon(real_number(niah_70m.theta), real_number(niah_70m.gamma_quoted_by_file)))
    rows_70m = [o for o in niah_rows if o.model.endswith("pythia-70m") and float(o.cond_value) == 1.0]
    passed = [float(o.x_value) for o in rows_70m if float(o.value) >= NIAH_PASS_ACCURACY]
    failed = [float(o.x_value) for o in rows_70m if float(o.value) < NIAH_PASS_ACCURACY]
    bracket = f"between {max(passed):g} and {min(failed):g}" if passed and failed else "not bracketed"
    status = _grade(all(consistent.values()), bool(consistent.get("pythia-70m")))
    evidence = (
        "with the measured γ (not the circular γ_Padé): pythia-70m predicted L_NIAH^c = "
        f"{fmt(ceiling_70m, ',.0f')}, collapse observed {bracket} (the grid cannot resolve 1 %); the same rule is "
        + ", ".join(f"{m} {'consistent' if ok else 'wrong'}" for m, ok in sorted(consistent.items()))
        + f" ({niah.hits}/{niah.n} points); the collapse tracks T_train = 2048"
    )
    return status, evidence, niah.n


def _f6_df_truncation() -> Verdict:
    """KV truncation at D_f for γ in the band: confirmed if ΔPPL ≤ 0 in every run, partial in a majority."""
    df_law = law_df_window()
    in_zone = df_law.comparison("measured_gamma_in_band")
    fails = "; ".join(f"{c.model}: {c.detail}" for c in in_zone.failures(None))
    own_in_band = df_law.fitted["experiment_D_f_in_band"]
    evidence = (
        f"kv_window_ppl, γ in the band, window = the engine's D_f: ΔPPL ≤ 0 in {in_zone.hits}/{in_zone.n} Pythia "
        f"runs (at the experiment's own D_f windows: {own_in_band['hits']}/{own_in_band['n']})"
        + (f"; fails: {fails}" if fails else "")
    )
    return _grade(in_zone.hits == in_zone.n, in_zone.hits * 2 > in_zone.n), evidence, in_zone.n


def _prune_series() -> tuple[dict[str, list[tuple[float, float]]], dict[str, float]]:
    """dead_band_prune perplexities: (% pruned, ppl) per model, and each model's unpruned perplexity."""
    prune: dict[str, list[tuple[float, float]]] = {}
    base_ppl: dict[str, float] = {}
    for o in outcome_set("dead_band_prune"):
        if o.metric != "perplexity":
            continue
        if o.cond_value == "none":
            base_ppl[o.model] = float(o.value)
        elif float(o.x_value) > 0:
            prune.setdefault(o.model, []).append((100.0 * float(o.x_value), float(o.value)))
    return prune, base_ppl


def _f7_pruning_linear() -> Verdict:
    """Slope through the origin of ΔPPL on % pruned: confirmed within 25 % of 0.18 (R² ≥ 0.9), partial within 50 %."""
    prune, base_ppl = _prune_series()
    slopes: dict[str, float] = {}
    r2s: dict[str, float | None] = {}
    for model, pts in sorted(prune.items()):
        xs = [p for p, _ in pts]
        ys = [ppl - base_ppl[model] for _, ppl in pts]
        slopes[model], _ = ols_through_origin(xs, ys)
        sst = math.fsum(y * y for y in ys)  # uncentred: the line goes through the origin
        sse = math.fsum((y - slopes[model] * x) ** 2 for x, y in zip(xs, ys, strict=True))
        r2s[model] = 1.0 - sse / sst if sst else None
    close = all(abs(s - 0.18) <= 0.25 * 0.18 for s in slopes.values())
    loose = all(abs(s - 0.18) <= 0.5 * 0.18 for s in slopes.values())
    evidence = "dead_band_prune, slope through the origin of ΔPPL on % pruned: " + ", ".join(
        f"{m.rsplit('/', 1)[-1]} {s:.3f}/% (uncentred R² {fmt(r2s[m])}, n = {len(prune[m])})" for m, s in slopes.items()
    )
    status = _grade(close and all((v or 0) >= 0.9 for v in r2s.values()), loose)
    return status, evidence, sum(len(v) for v in prune.values())


def _f10_gqa_signature() -> Verdict:
    """Δγ = γ_random − γ_text < −0.1 at ≥ 400M: confirmed if GQA models show it > 30 points more often than MHA."""
    big = [(t, r) for t, r in text_random_pairs() if params_M(t) >= 400.0]
    gqa_rows = [(t, r) for t, r in big if t.has_gqa]
    mha_rows = [(t, r) for t, r in big if not t.has_gqa]
    rate_gqa = mean([1.0 if r.gamma - t.gamma < -0.1 else 0.0 for t, r in gqa_rows]) or 0.0
    rate_mha = mean([1.0 if r.gamma - t.gamma < -0.1 else 0.0 for t, r in mha_rows]) or 0.0
    gap = rate_gqa - rate_mha
    evidence = (
        f"Δγ = γ_random − γ_text below −0.1 in {rate_gqa:.0%} of GQA models (n = {len(gqa_rows)}) and "
        f"{rate_mha:.0%} of MHA models (n = {len(mha_rows)}) at ≥ 400M: not a GQA signature"
    )
    return _grade(gap > 0.3, gap > 0.1), evidence, len(big)


def _f11_swa_signature() -> Verdict:
    """Δγ = γ_random − γ_text > +0.3: confirmed if ≥ 80 % of the flagged models have a sliding window."""
    pairs = text_random_pairs()
    flagged = [(t.model_label, r.gamma - t.gamma, t) for t, r in pairs if r.gamma - t.gamma > 0.3]
    swa_flagged = [m for m, _, t in flagged if t.has_swa]
    precision = len(swa_flagged) / len(flagged) if flagged else None
    evidence = (
        f"Δγ = γ_random − γ_text > +0.3 in {len(flagged)} models ("
        + ", ".join(f"{m} {d:+.2f}" for m, d, _ in flagged)
        + f"), of which {len(swa_flagged)} have a sliding window ({sum(1 for t, _ in pairs if t.has_swa)} windowed "
        "models in all): not specific"
    )
    return (
        _grade(precision is not None and precision >= 0.8, bool(precision and precision >= 0.5)),
        evidence,
        len(pairs),
    )


def _f12_mamba_lcrit() -> Verdict:
    """Mamba L_crit = 45 on every seed: partial at best, since α = 0.703 has no curve to check."""
    mamba = [o for o in outcome_set("lcrit_residual_transplant") if "mamba" in o.model.lower()]
    lcrit_values = sorted({int(o.value) for o in mamba if o.value is not None})
    seeds = sorted({str(o.cond_value) for o in mamba})
    evidence = (
        f"lcrit_residual_transplant: L_crit_90/99 = {lcrit_values} on seeds {', '.join(seeds)} ({len(mamba)} values); "
        "α = 0.703 is a tier-C summary number with no attention curve (Mamba has no attention matrix), so it "
        "cannot be checked"
    )
    return ("partial" if lcrit_values == [45] else "refuted"), evidence, len(mamba)


def _f14_rlhf_shift() -> Verdict:
    """|γ(instruct) − γ(base)| ≤ 0.072 in every RLHF pair: confirmed; partial if the largest is ≤ 1.5 × 0.072."""
    pairs = law_delta_instruct().comparison("rlhf_pairs")
    shifts = [abs(c.observed_value) for c in pairs.cases]
    panel = load_panel()
    tier_c = sum(1 for c in pairs.cases if any(panel.row(rid).tier == "C" for rid in c.ref.split("/")))
    within = sum(1 for s in shifts if s <= 0.072)
    worst = max(shifts) if shifts else None
    status = _grade(bool(shifts) and within == len(shifts), worst is not None and worst <= 1.5 * 0.072)
    evidence = (
        f"rlhf_pairs: |Δγ| ≤ 0.072 in {within}/{len(shifts)} pairs, largest {fmt(worst, '.3f')} "
        f"({', '.join(f'{c.model} {c.observed_value:+.3f}' for c in pairs.cases)}; {tier_c} of the pairs "
        "include a tier-C summary value)"
    )
    return status, evidence, len(shifts)


def _f16_holographic_pruning() -> Verdict:
    """Pruning from L_prune ≥ L_crit_pred: confirmed only if no such run raises perplexity."""
    costs = []
    for o in outcome_set("dead_band_prune"):
        match = re.search(r"L_crit_pred=(\d+)", o.author_prediction or "")
        if o.metric != "perplexity" or not match or o.cond_value == "none" or float(o.x_value) <= 0:
            continue
        if int(o.cond_value) >= int(match.group(1)):
            costs.append((o.model.rsplit("/", 1)[-1], int(o.cond_value), float(o.value) - float(o.reference_value)))
    free = sum(1 for _, _, d in costs if d <= 0.0)
    evidence = "dead_band_prune, pruning from L_prune ≥ L_crit_pred: " + ", ".join(
        f"{m} L={L} ΔPPL {d:+.2f}" for m, L, d in costs
    )
    return ("confirmed" if costs and free == len(costs) else "refuted"), evidence, len(costs)


def _f17_soft_decay() -> Verdict:
    """Where the regime applies soft decay must beat the best hard cutoff (partial), and the full KV (confirmed)."""
    soft = law_soft_decay()
    regime = soft.comparison("measured_gamma")
    full = soft.comparison("vs_full_kv")
    applicable = [c for c in regime.cases if c.predicted == "applies"]
    soft_wins = sum(1 for c in applicable if c.observed == "soft decay wins")
    all_win = bool(applicable) and soft_wins == len(applicable)
    evidence = (
        f"kv_decay_modes ({regime.n} Pythias at 2·T_train): the regime applies to {len(applicable)}, where soft "
        f"decay beats the best hard cutoff in {soft_wins}/{len(applicable)}; where it does not apply ("
        + ", ".join(f"{c.model}: {c.observed}" for c in regime.cases if c.predicted != "applies")
        + f"); soft decay beats keeping the full KV in {full.hits}/{full.n} (the full-KV baseline is itself "
        "beyond T_train)"
    )
    return _grade(all_win and full.hits == full.n, all_win), evidence, regime.n


def _f18_mittag_leffler() -> Verdict:
    """Median of refitted A_0·Γ(1−γ) over canonical curves: confirmed within 0.8–1.25, partial within 0.5–2."""
    canonical_ids = {r.row_id for r in load_panel().rows if r.canonical}
    ratios = [
        row["amplitude_A0"] * math.gamma(1.0 - row["gamma_stored"])
        for row in refit_check().rows
        if row["row_id"] in canonical_ids and 0.0 < row["gamma_stored"] < 1.0
    ]
    median = statistics.median(ratios) if ratios else None
    status = _grade(median is not None and 0.8 <= median <= 1.25, median is not None and 0.5 <= median <= 2.0)
    evidence = (
        f"refitted A_0 / (1/Γ(1−γ)) over canonical curves with 0 < γ < 1: median {fmt(median)} "
        f"(range {fmt(min(ratios) if ratios else None)}–{fmt(max(ratios) if ratios else None)})"
    )
    return status, evidence, len(ratios)


def _f19_pade_variance() -> Verdict:
    """r² of γ_Padé against measured text γ: confirmed ≥ 0.5, partial ≥ 0.1."""
    pade = law_pade()
    text = pade.primary
    r2 = pade.fitted["variance_explained_text"]
    centroid = pade.fitted["centroid_text"]
    evidence = (
        f"text: r² = {fmt(r2, '.3f')} (n = {text.n}), MSE {fmt(text.mse, '.3f')} vs "
        f"{fmt(text.mse_of_panel_mean, '.3f')} for the panel mean; random: r = "
        f"{fmt(pade.comparison('random_T_eval').pearson_r)}; only the centroid is near (mean measured "
        f"{fmt(centroid['mean_measured'], '.3f')} vs mean γ_Padé {fmt(centroid['mean_pade'], '.3f')}, "
        f"bias {fmt(text.bias, '+.3f')})"
    )
    return _grade(r2 is not None and r2 >= 0.5, r2 is not None and r2 >= 0.1), evidence, text.n


def _checkpoint_swings() -> list[tuple[str, int, float, float]]:
    """Per pythia checkpoint series: (name, steps, largest later-minus-earlier rise, largest fall)."""
    trajectories: dict[str, list[tuple[int, float]]] = {}
    for r in load_panel().rows:
        if r.revision and r.revision.startswith("step") and r.experiment in ("training_trajectory", "gamma_field"):
            key = f"{r.model_label} ({r.experiment}, T_eval {r.T_eval})"
            trajectories.setdefault(key, []).append((int(r.revision[4:]), r.gamma))
    swings = []
    for key, pts in sorted(trajectories.items()):
        values = [g for _, g in sorted(pts)]
        # Largest later-minus-earlier increase and decrease: a monotone curve has one of them at 0.
        rise = max((values[j] - values[i] for i in range(len(values)) for j in range(i + 1, len(values))), default=0.0)
        drop = max((values[i] - values[j] for i in range(len(values)) for j in range(i + 1, len(values))), default=0.0)
        swings.append((key, len(values), max(rise, 0.0), max(drop, 0.0)))
    return swings


def _f21_training_trajectory() -> Verdict:
    """A tanh of log step is monotone: refuted if half the checkpoint series both rise and fall by > 0.05."""
    swings = _checkpoint_swings()
    non_monotone = [k for k, _, rise, drop in swings if rise > 0.05 and drop > 0.05]
    if not non_monotone:
        status = "confirmed"
    elif 2 * len(non_monotone) >= len(swings):
        status = "refuted"
    else:
        status = "partial"
    evidence = (
        "a tanh of log step is monotone in the step, but γ both rises and falls by more than 0.05 in "
        + f"{len(non_monotone)}/{len(swings)} checkpoint series ("
        + "; ".join(f"{k}: {n} steps, largest rise {rise:.2f}, largest fall {drop:.2f}" for k, n, rise, drop in swings)
        + ")"
    )
    return status, evidence, sum(n for _, n, _, _ in swings)


def _f23_involution() -> Verdict:
    """An algebraic identity; checked numerically on the panel's own (θ, T) pairs, which says nothing about the data."""
    worst = 0.0
    count = 0
    for r in text_rope_rows() + random_rope_rows():
        g = row_pade(r)
        if -1.0 < g < 1.0:
            theta = real_number(r.rope_theta)
            worst = max(worst, abs(theta_design(g, real_number(r.T_eval)) - theta) / theta)
            count += 1
    evidence = (
        f"an algebraic identity, not an empirical claim (the engine reproduces it on the panel's {count} (θ, T) "
        f"pairs to a relative error of {worst:.1e})"
    )
    return UNTESTABLE, evidence, None


_MATH = "a mathematical statement"
CLAIMS: tuple[ClaimCheck, ...] = (
    ClaimCheck("F1", "γ_Padé error (MAE) under 5 % for normal Phase-A models", "confirmed", _f1_pade_relative_error),
    ClaimCheck(
        "F2",
        "NIAH collapse point matches 2·d_horizon to 1 % on pythia-70m",
        "confirmed (refuted upstream as circular)",
        _f2_niah_collapse,
    ),
    ClaimCheck(
        "F3",
        "forward-hook recovery forecast by Fisher information, error ≤ 0.2 %",
        "confirmed",
        _untestable("no forward-hook recovery or Fisher-information measurements in the panel"),
    ),
    ClaimCheck(
        "F4",
        "pythia-70m early-vs-late layer asymmetry ratio ≈ 13.5×",
        "confirmed",
        _untestable(
            "the thermostat experiment is not in the panel (the per-layer γ file is a cross-check only and gives "
            "no ratio)"
        ),
    ),
    ClaimCheck(
        "F5",
        "entropy obeys an area law, S_γ = O(log N), for every γ > 0",
        "confirmed",
        _untestable("a property of the power-law distribution; the panel holds no entropy measurements at varying N"),
    ),
    ClaimCheck(
        "F6",
        "truncating the KV cache at D_f does not raise perplexity when 0.65 ≤ γ ≤ 0.85",
        "confirmed",
        _f6_df_truncation,
    ),
    ClaimCheck("F7", "pruning cost is linear: ΔPPL ≈ 0.18 per % of Q/K pruned", "confirmed", _f7_pruning_linear),
    ClaimCheck("F8", "for z ≪ 1 the Padé approximant saturates at order [1,1]", "confirmed", _untestable(_MATH)),
    ClaimCheck(
        "F9",
        "RoPE attention geometry is fractional-Euclidean with d_eff = 1/γ",
        "confirmed",
        _untestable("a mathematical statement; no geometric measurement in the panel"),
    ),
    ClaimCheck(
        "F10",
        "for models of 400M+ params, Δγ below −0.1 signals GQA / induction-head dominance",
        "confirmed",
        _f10_gqa_signature,
    ),
    ClaimCheck(
        "F11", "Δγ above +0.3 is the signature of alternating SWA (Gemma family)", "confirmed", _f11_swa_signature
    ),
    ClaimCheck("F12", "Mamba: L_crit = 45 and α = 0.703", "confirmed", _f12_mamba_lcrit),
    ClaimCheck(
        "F13",
        "the Hagedorn phase boundary sits at γ = 1",
        "confirmed",
        _untestable(
            "a definition (χ = 1/|γ − 1| diverges at γ = 1); measured γ spans both sides of 1 and nothing in the "
            "panel marks a transition there"
        ),
    ),
    ClaimCheck("F14", "RLHF moves γ by at most 0.072, depending on the recipe", "partial", _f14_rlhf_shift),
    ClaimCheck(
        "F15",
        "a sharp R_c boundary exists at R_c★ ≈ 1.68",
        "refuted",
        _untestable(
            "R_c is recorded for 6 cloud models only, without its definition or the observable it should separate"
        ),
    ),
    ClaimCheck(
        "F16",
        "pruning bands beyond L_crit costs no perplexity (holographic pruning)",
        "refuted",
        _f16_holographic_pruning,
    ),
    ClaimCheck(
        "F17",
        "when d_h is at least about T_train/2, soft horizon decay outperforms a hard cutoff",
        "partial",
        _f17_soft_decay,
    ),
    ClaimCheck(
        "F18", "the amplitude A_0 follows the Mittag-Leffler prefactor 1/Γ(1−γ)", "refuted", _f18_mittag_leffler
    ),
    ClaimCheck("F19", "γ_Padé explains the model-to-model variance of γ_obs", "partial", _f19_pade_variance),
    ClaimCheck("F20", "the β-flow is exactly a logistic ODE", "confirmed", _untestable(_MATH)),
    ClaimCheck(
        "F21", "γ over training follows tanh(log step) across pythia checkpoints", "refuted", _f21_training_trajectory
    ),
    ClaimCheck("F22", "closed form χ(z*) = (5+√17)/4 at the Cayley fixed point", "confirmed", _untestable(_MATH)),
    ClaimCheck(
        "F23",
        "θ_design composed with γ_Padé is the identity (T and d_horizon form an involution)",
        "confirmed",
        _f23_involution,
    ),
)


@cache
def falsification_dashboard() -> Dashboard:
    """Spec §7.12's 23 claims, each marked by what the packaged data supports (rules stated per claim)."""
    claims = []
    for check in CLAIMS:
        status, evidence, n = check.judge()
        claims.append(Claim(check.id, check.claim, check.reference_status, status, evidence, n))
    return Dashboard(tuple(claims))
