"""Validation of X-2's needle-in-a-haystack ceiling L_NIAH^c = 2·d_horizon (§26.2/§26.5) against where
retrieval actually collapses: the panel's NIAH log-prob runs (with NTK-scaled θ), published RULER scores
and the passkey series (excluded, with the reason stated).
"""

from __future__ import annotations

from functools import cache

from tafagent.core.laws.constants import NIAH_EVIDENCE
from tafagent.core.laws.decomposition import gamma_decompose
from tafagent.core.laws.pade import d_horizon, gamma_pade, l_niah
from tafagent.core.laws.registry import get_law
from tafagent.core.messages import Msg
from tafagent.core.validation.comparison import Case, Comparison, categorical_comparison, support_rate
from tafagent.core.validation.panel import OutcomeRow, load_panel, outcome_set
from tafagent.core.validation.panel_rows import params_M
from tafagent.core.validation.report import LawReport
from tafagent.core.validation.stats import real_number

__all__ = ["NIAH_PASS_ACCURACY", "RULER_THRESHOLD", "law_niah_ceiling"]

NIAH_PASS_ACCURACY = 0.5  # L_NIAH^c is the length where needle retrieval falls to 50 %
RULER_THRESHOLD = 85.6  # RULER's effective-context threshold (Llama-2-7B's 4K score, Hsieh et al. 2024)
_RULE = f"predicted retrieval (L < L_NIAH^c) matches observed accuracy ≥ {NIAH_PASS_ACCURACY}"

_RULER_ARCH = {
    # RULER model → embedded preset with the same architecture (the instruct/chat variant shares the base config).
    "meta-llama/Llama-3.1-70B-Instruct": "meta-llama/Llama-3.1-70B",
    "mistralai/Mixtral-8x7B-Instruct-v0.1": "mistralai/Mixtral-8x7B-v0.1",
}


def _niah_formula() -> str:
    """L_NIAH^c with d_horizon written out, from the law registry's texts of both laws."""
    horizon = get_law("d_horizon").formula.split(" = ", 1)[1]  # "d_h = θ(1−γ)√2/(1+γ)" → its right-hand side
    return get_law("l_niah").formula.replace("d_horizon", horizon) + "; retrieval holds for L < L_NIAH^c"


def _niah_ceiling_closed_form(
    theta: float, L: float, has_gqa: bool, has_swa: bool, n_params: float
) -> tuple[float | None, float]:
    """X-2 without a measurement: L_NIAH^c = 2·d_horizon(θ, γ_corrected(θ, L)) (the chain of steps 1–4)."""
    g_corr = gamma_decompose(gamma_pade(theta, L), has_gqa, has_swa, n_params)["gamma_corrected"]
    dh = d_horizon(theta, g_corr)
    if dh is not None and abs(dh - L) <= 1e-9 * max(dh, L):  # X-2 snaps the identity D-NEW-1 (no δ applies)
        dh = float(L)
    return l_niah(dh), g_corr


def _retrieval_case(
    model: str,
    ref: str,
    L: float,
    ceiling: float | None,
    score: float,
    detail: str,
    threshold: float = NIAH_PASS_ACCURACY,
    measure: str = "accuracy {:.2f}",
) -> Case:
    """Predicted retrieval (L < ceiling) against observed retrieval (score ≥ threshold); ``measure`` shows the score."""
    predicted_ok = ceiling is not None and ceiling > L
    observed_ok = score >= threshold
    return Case(
        model,
        ref,
        "retrieves" if predicted_ok else "fails",
        "retrieves" if observed_ok else "fails",
        predicted_ok == observed_ok,
        None,
        f"L = {L:g}, L_NIAH^c = {'n/a' if ceiling is None else f'{ceiling:,.0f}'}, {measure.format(score)}; {detail}",
    )


def _retrieves(c: Case) -> bool:
    return c.observed == "retrieves"


def _niah_cases() -> tuple[list[Case], list[Case], list[Case]]:
    """NIAH log-prob points: (ceiling from the measured γ at α = 1, closed-form ceiling at every NTK α,
    the γ-free baseline 'retrieves iff L ≤ T_train' at α = 1)."""
    panel = load_panel()
    measured, closed, t_train = [], [], []
    for o in outcome_set("niah_logprob_ntk"):
        label = o.model.rsplit("/", 1)[-1]
        alpha, L, theta = float(o.cond_value), float(o.x_value), real_number(o.theta)
        row = panel.rows_for(o.model)[0]
        cf_ceiling, g_corr = _niah_ceiling_closed_form(alpha * theta, L, row.has_gqa, row.has_swa, params_M(row) * 1e6)
        closed.append(
            _retrieval_case(
                f"{label} α={alpha:g}", o.gt_id, L, cf_ceiling, float(o.value), f"γ_corrected = {g_corr:.3f}"
            )
        )
        if alpha == 1.0 and o.gamma_quoted_by_file is not None:
            ceiling = l_niah(d_horizon(theta, o.gamma_quoted_by_file))
            measured.append(
                _retrieval_case(label, o.gt_id, L, ceiling, float(o.value), f"measured γ = {o.gamma_quoted_by_file}")
            )
            T_train = real_number(o.T_train)
            t_train.append(
                _retrieval_case(
                    label, o.gt_id, L, T_train + 0.5, float(o.value), f"baseline rule: retrieves iff L ≤ {T_train:g}"
                )
            )
    return measured, closed, t_train


def _ruler_comparison() -> Comparison:
    """RULER (third party): config-only predictions for the models whose architecture ships as a preset."""
    from tafagent.core.spec.presets import find_preset  # local import: only this law needs the presets

    cases = []
    untested: list[str] = []
    for o in outcome_set("ruler_published"):
        arch_id = _RULER_ARCH.get(o.model)
        preset = find_preset(arch_id) if arch_id else None
        spec = preset.spec() if preset is not None else None
        if preset is None or spec is None or spec.rope_theta is None:
            if o.model not in untested:
                untested.append(o.model)
            continue
        L = float(o.x_value)
        ceiling, _ = _niah_ceiling_closed_form(spec.rope_theta, L, spec.has_gqa, spec.has_swa, float(spec.n_params))
        cases.append(
            _retrieval_case(
                o.model.rsplit("/", 1)[-1],
                o.gt_id,
                L,
                ceiling,
                float(o.value),
                f"architecture of preset {preset.model_id}",
                threshold=RULER_THRESHOLD,
                measure="RULER avg {:.1f}",
            )
        )
    return categorical_comparison(
        "ruler_closed_form",
        "RULER (published, 13 tasks): X-2's closed-form ceiling vs the RULER average ≥ 85.6",
        cases,
        f"predicted retrieval matches RULER avg ≥ {RULER_THRESHOLD}",
        _retrieves,
        [
            "architecture taken from the embedded base-model preset (the instruct variant shares the config)",
            f"no architecture packaged for {len(untested)} other RULER models: " + ", ".join(sorted(untested)),
        ],
    )


def _passkey_notes() -> list[str]:
    """Why each passkey series is excluded: it is below 50 % already at its shortest distance."""
    notes = []
    for set_name in ("passkey_transplant", "passkey_checkpoint"):
        series: dict[tuple[str, str], list[OutcomeRow]] = {}
        for o in outcome_set(set_name):
            if o.metric in ("exact_match", "accuracy") and (
                o.cond_value in ("base", None) or set_name != "passkey_transplant"
            ):
                series.setdefault((o.model, str(o.condition)), []).append(o)
        for (model, condition), rows in sorted(series.items()):
            shortest = min(rows, key=lambda r: float(r.x_value))
            best = max(float(r.value) for r in rows)
            notes.append(
                f"{set_name} {model.rsplit('/', 1)[-1]} ({condition}): accuracy {float(shortest.value):.2f} already at "
                f"the shortest distance {shortest.x_value} (best {best:.2f}): below 50 % before any distance effect, "
                "so the series cannot locate a ceiling (a prompt/format failure, per the panel README)"
            )
    return notes


def _niah_headline(closed: Comparison, measured: Comparison, baseline: Comparison) -> Msg:
    cf = closed.confusion or {}
    caught = cf.get("predicted_no_observed_no", 0)
    return Msg(
        "laws.headline.niah",
        n=closed.n,
        caught=caught,
        collapses=caught + cf.get("predicted_yes_observed_no", 0),
        hits=measured.hits,
        measured_n=measured.n,
        base_hits=baseline.hits,
        base_n=baseline.n,
    )


def _alpha4_note() -> str:
    alpha4 = [o for o in outcome_set("niah_logprob_ntk") if real_number(o.cond_value) == 4.0]
    alpha4_max = max(real_number(o.x_value) for o in alpha4)
    alpha4_min = min(real_number(o.value) for o in alpha4)
    return (
        "Observed collapses sit just past T_train = 2048 (panel README: collapse tracks T_train, not γ); at NTK "
        f"α = 4 retrieval holds at every tested length up to {alpha4_max:g} (lowest accuracy {alpha4_min:.2f})."
    )


@cache
def law_niah_ceiling() -> LawReport:
    """L_NIAH^c = 2·d_horizon = 2·θ(1−γ)√2/(1+γ) (§26.2/§26.5): retrieval holds for L < L_NIAH^c."""
    measured, closed, t_train = _niah_cases()
    measured_cmp = categorical_comparison(
        "measured_gamma",
        "NIAH (1-of-10 log-prob, α = 1): L_NIAH^c = 2·d_horizon(θ, γ_measured) vs where retrieval collapses",
        measured,
        _RULE,
        _retrieves,
        ["γ is the value the NIAH experiment file quotes (the e4 text γ, rounded)"],
    )
    closed_cmp = categorical_comparison(
        "closed_form",
        "NIAH at NTK α ∈ {1, 4, 8, 16}: X-2's closed-form ceiling with θ_eff = α·θ, T_eval = L",
        closed,
        _RULE,
        _retrieves,
    )
    baseline_cmp = categorical_comparison(
        "T_train_rule",
        "for comparison, a rule with no γ at all: retrieval works iff L ≤ T_train (α = 1)",
        t_train,
        _RULE,
        _retrieves,
    )
    passkey_cmp = categorical_comparison(
        "passkey",
        "passkey retrieval (CodeLlama-13b, Mistral-7B, pythia-70m checkpoints)",
        [],
        "excluded: no series reaches 50 % even at its shortest distance",
        notes=_passkey_notes(),
    )
    return LawReport(
        key="niah_ceiling",
        title="X-2 NIAH ceiling L_NIAH^c = 2·d_horizon",
        section=f"{get_law('d_horizon').section}/{get_law('l_niah').section}",
        formula=_niah_formula(),
        engine="core.laws.pade.d_horizon, core.laws.pade.l_niah, core.laws.decomposition.gamma_decompose",
        evidence=NIAH_EVIDENCE,
        support=support_rate(closed_cmp),
        headline="",
        headline_msg=_niah_headline(closed_cmp, measured_cmp, baseline_cmp),
        comparisons=(closed_cmp, measured_cmp, baseline_cmp, _ruler_comparison(), passkey_cmp),
        notes=(
            "With γ = γ_Padé(θ, L) the horizon equals L identically (D-NEW-1), so without a measurement the ceiling "
            "is 2·L shifted only by the δ terms: it cannot predict a collapse below θ·√2.",
            _alpha4_note(),
        ),
    )
