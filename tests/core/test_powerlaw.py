"""core.decay: the γ fit (spec §5.6), bootstrap CI, uniform null, KL grammar and the Diagnosis file format."""

from __future__ import annotations

import copy
import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tafagent.core.decay.corpus_result import CorpusResult, build_corpus_result
from tafagent.core.decay.diagnosis import Diagnosis
from tafagent.core.decay.fit import PowerLawFit, bootstrap_gamma_ci, fit_power_law
from tafagent.core.decay.grammar import kl_grammar
from tafagent.core.decay.interpretation import gamma_band, kl_level
from tafagent.core.decay.null import null_attention, uniform_attention, uniform_null
from tafagent.core.decay.protocol import DISTANCES_FAST, DISTANCES_FULL
from tafagent.core.errors import ConfigError
from tafagent.core.laws.pade import gamma_pade
from tafagent.core.laws.thermo import thermodynamic_profile

# ---- the fit -----------------------------------------------------------------------------------------


def test_fit_golden_example_spec_5_6() -> None:
    ds = [10, 50, 200, 1000]
    fit = fit_power_law(ds, [0.05 * d**-0.8 for d in ds])
    assert fit.gamma == pytest.approx(0.8, abs=1e-13)
    assert fit.log_A == pytest.approx(-2.9957322735539895, abs=1e-12)
    assert fit.R2 == 1.0
    assert fit.distances == (10, 50, 200, 1000)


@settings(max_examples=200, deadline=None)
@given(
    gamma=st.floats(min_value=-0.5, max_value=3.0),
    amplitude=st.floats(min_value=1e-6, max_value=10.0),
    distances=st.lists(st.integers(min_value=1, max_value=100_000), min_size=2, max_size=12, unique=True),
)
def test_fit_recovers_gamma_of_exact_power_laws(gamma: float, amplitude: float, distances: list[int]) -> None:
    values = [amplitude * d**-gamma for d in distances]
    fit = fit_power_law(distances, values)
    assert fit.gamma == pytest.approx(gamma, abs=1e-9)
    assert fit.log_A == pytest.approx(math.log(amplitude), abs=1e-7 * max(1.0, abs(math.log(amplitude))) + 1e-7)
    if abs(gamma) > 1e-3:  # R² of (nearly) flat data is rounding noise over rounding noise
        assert fit.R2_exact == pytest.approx(1.0, abs=1e-9)
    for d in distances:
        assert fit.predict(d) == pytest.approx(amplitude * d**-gamma, rel=1e-7)


def test_fit_r2_is_rounded_like_the_reference_and_keeps_the_exact_value() -> None:
    ds = [10, 20, 50, 100, 200]
    values = [0.1 * d**-0.7 * (1.0 + 0.05 * (-1) ** i) for i, d in enumerate(ds)]
    fit = fit_power_law(ds, values)
    assert round(fit.R2_exact, 6) == fit.R2
    assert fit.R2_exact != fit.R2


def test_fit_skips_non_finite_and_non_positive_points() -> None:
    fit = fit_power_law([10, 20, 30, 40], [0.1, math.nan, 0.0, 0.1 * 4**-1.0])
    assert fit.distances == (10, 40)
    assert fit.gamma == pytest.approx(1.0)


@pytest.mark.parametrize(("ds", "vs"), [([10], [0.1]), ([10, 20], [0.1, math.nan]), ([10, 10], [0.1, 0.2])])
def test_fit_with_fewer_than_two_usable_points_raises_instead_of_nan(ds: list[int], vs: list[float]) -> None:
    with pytest.raises(ValueError):
        fit_power_law(ds, vs)


# ---- bootstrap ----------------------------------------------------------------------------------------


def _noisy_samples(gamma: float, n: int, paired: bool) -> dict[int, list[float]]:
    import random

    rng = random.Random(3)
    return {d: [0.05 * d**-gamma * math.exp(rng.gauss(0.0, 0.2)) for _ in range(n)] for d in DISTANCES_FULL}


def test_bootstrap_is_deterministic_and_brackets_the_fit() -> None:
    samples = _noisy_samples(0.8, 40, paired=False)
    ci1 = bootstrap_gamma_ci(samples, paired=False, n_resamples=300, seed=5)
    ci2 = bootstrap_gamma_ci(samples, paired=False, n_resamples=300, seed=5)
    assert ci1 == ci2 and ci1 is not None
    means = [sum(samples[d]) / len(samples[d]) for d in DISTANCES_FULL]
    gamma = fit_power_law(DISTANCES_FULL, means).gamma
    assert ci1[0] < gamma < ci1[1]
    assert ci1[1] - ci1[0] < 0.2
    assert bootstrap_gamma_ci(samples, paired=True, n_resamples=300, seed=5) != ci1


def test_bootstrap_of_noiseless_prompts_collapses_to_the_fit() -> None:
    samples = {d: [0.05 * d**-0.6] * 5 for d in DISTANCES_FAST}
    low, high = bootstrap_gamma_ci(samples, paired=True, n_resamples=50)  # type: ignore[misc]
    assert low == pytest.approx(0.6, abs=1e-12) and high == pytest.approx(0.6, abs=1e-12)


def test_bootstrap_needs_two_prompts() -> None:
    assert bootstrap_gamma_ci({10: [0.1], 100: [0.01]}, paired=True) is None
    assert bootstrap_gamma_ci({10: [0.1], 100: [0.01]}, paired=False) is None


# ---- the uniform null -------------------------------------------------------------------------------


def test_uniform_null_of_the_reference_protocol_is_about_0_69_and_exact() -> None:
    null = uniform_null("reference", DISTANCES_FULL)
    assert null.attn_by_distance == {d: 1.0 / (d + 50) for d in DISTANCES_FULL}
    assert null.gamma == pytest.approx(fit_power_law(DISTANCES_FULL, [1 / (d + 50) for d in DISTANCES_FULL]).gamma)
    assert 0.68 < null.gamma < 0.70  # type: ignore[operator]


def test_uniform_null_with_sliding_window_and_curve_rows() -> None:
    assert uniform_attention(99, 49) == pytest.approx(1 / 100)
    assert uniform_attention(99, 49, sliding_window=40) == 0.0  # key outside the window
    assert uniform_attention(99, 80, sliding_window=40) == pytest.approx(1 / 40)
    assert uniform_attention(10, 11) == 0.0  # future key
    # half the layers windowed: the layer mean, as the measurement averages layers
    mixed = null_attention("reference", [10, 100], windows=[None, 32])
    assert mixed[10] == pytest.approx((1 / 60 + 1 / 32) / 2)
    assert mixed[100] == pytest.approx(1 / 150 / 2)
    flat = uniform_null("curve", DISTANCES_FULL, query_positions=[2049])
    assert flat.gamma == 0.0 and set(flat.attn_by_distance.values()) == {1 / 2050}
    partial = null_attention("curve", [10, 1500], query_positions=[1049, 2049])
    assert partial[10] == pytest.approx((1 / 1050 + 1 / 2050) / 2) and partial[1500] == pytest.approx(1 / 2050)
    assert 3000 not in null_attention("curve", [3000], query_positions=[2049])


# ---- KL grammar --------------------------------------------------------------------------------------


def test_kl_grammar_is_zero_for_a_pure_power_law_and_levels_follow_spec_5_8() -> None:
    curve = {d: 0.05 * d**-0.8 for d in DISTANCES_FULL}
    fit = fit_power_law(list(curve), list(curve.values()))
    assert kl_grammar(curve, fit) == pytest.approx(0.0, abs=1e-10)
    assert (kl_level(0.06), kl_level(0.02), kl_level(0.001), kl_level(None)) == ("HIGH", "MODERATE", "LOW", None)


def test_kl_grammar_uses_finite_distances_only_deliberate_fix_9_2_item_12() -> None:
    curve = {d: 0.05 * d**-0.8 for d in DISTANCES_FAST}
    fit = fit_power_law(list(curve), list(curve.values()))
    curve_with_failure = {**curve, 2000: math.nan}
    assert kl_grammar(curve_with_failure, fit) == pytest.approx(0.0, abs=1e-10)


def test_gamma_band_spec_5_8() -> None:
    assert [gamma_band(g) for g in (0.5, 0.8, 1.0, 1.2, 1.5)] == [
        "very long-range (large-θ class)",
        "long-range (standard RoPE, Phase A)",
        "Hagedorn crossover",
        "short-range (AbsPE / short training)",
        "highly local (possible SWA / very short context)",
    ]


# ---- the Diagnosis -------------------------------------------------------------------------------------


def _result(corpus: str, gamma: float, distances: tuple[int, ...] = DISTANCES_FAST) -> CorpusResult:
    samples = {d: [0.05 * d**-gamma * (1 + 0.01 * i) for i in range(4)] for d in distances}
    return build_corpus_result(
        corpus,
        samples,
        paired=True,
        seeds=[42],
        per_seed_means={42: {d: sum(v) / len(v) for d, v in samples.items()}},
        layer_head_means={0: {d: [v[0], v[1]] for d, v in samples.items()}},
        curve={
            "query_positions": [max(distances) + 49],
            "distances": list(distances),
            "attn": [0.05 * d**-gamma for d in distances],
            "samples": samples,
            "layer_attn": {0: [0.05 * d**-gamma for d in distances]},
        },
        bootstrap_resamples=100,
    )


def _diagnosis(**kwargs: object) -> Diagnosis:
    fields = {
        "model": "tiny",
        "protocol": "fast",
        "corpus": "both",
        "status": "complete",
        "results": {"text": _result("text", 0.9), "random": _result("random", 0.7)},
        "N": None,
        "theta": 10000.0,
        "env": {"torch": "x"},
        "attention_layers": (0,),
        "n_layers": 1,
        "notes": ("a note",),
    }
    fields.update(kwargs)
    return Diagnosis(**fields)  # type: ignore[arg-type]


def test_diagnosis_headline_numbers_and_card_mapping() -> None:
    diagnosis = _diagnosis()
    assert diagnosis.gamma == pytest.approx(0.9) and diagnosis.gamma_text == pytest.approx(0.9)
    assert diagnosis.gamma_random == pytest.approx(0.7)
    assert diagnosis.delta_gamma_text_random == pytest.approx(0.2)
    assert diagnosis.card_inputs() == {
        "gamma_obs": diagnosis.gamma_text,
        "gamma_text": diagnosis.gamma_text,
        "gamma_random": diagnosis.gamma_random,
    }
    random_only = _diagnosis(corpus="random", results={"random": _result("random", 0.7)})
    assert random_only.card_inputs()["gamma_obs"] == random_only.gamma_random


def test_gamma_pade_uses_the_largest_measured_distance_deliberate_fix_9_2_item_12() -> None:
    short = _diagnosis(results={"random": _result("random", 0.7, (10, 50, 200))})
    assert short.T_pade == 200
    assert short.gamma_pade == pytest.approx(gamma_pade(10000.0, 200))
    assert short.thermo_N == 200  # N defaults to the protocol's T


def test_delta_gamma_zero_stays_zero_deliberate_fix_9_2_item_12() -> None:
    diagnosis = _diagnosis()
    theta = 1000.0 * math.sqrt(2) / 2 * (1 + diagnosis.gamma) / (1 - diagnosis.gamma)  # γ_P(θ, 1000) = γ
    exact = _diagnosis(theta=theta)
    assert exact.delta_gamma == pytest.approx(0.0, abs=1e-9) and exact.delta_gamma is not None
    assert _diagnosis(theta=None).gamma_pade is None and _diagnosis(theta=None).delta_gamma is None


def test_thermodynamics_uses_core_thermo_with_spec_5_9_names() -> None:
    diagnosis = _diagnosis(N=2000)
    thermo = diagnosis.thermodynamics()
    assert thermo is not None
    profile = thermodynamic_profile(diagnosis.gamma, 2000, 10000.0)  # type: ignore[arg-type]
    assert thermo["Cv"] == profile.C_V and thermo["theta_eff_pade"] == profile.theta_eff
    assert {"Z", "U", "S", "F", "Cv", "chi", "xi", "T_attn", "D90", "D90_frac", "delta_H_90", "phase"} <= set(thermo)
    negative = _diagnosis(results={"random": _result("random", -0.2)})
    assert negative.thermodynamics() is None  # γ ≤ 0 has no d^−γ Boltzmann profile


def test_diagnosis_round_trips_through_its_dict() -> None:
    import json

    diagnosis = _diagnosis()
    data = json.loads(json.dumps(diagnosis.to_dict(), allow_nan=False))
    again = Diagnosis.from_dict(data)
    assert again.to_dict() == diagnosis.to_dict()
    assert isinstance(again.results["text"].fit, PowerLawFit)


def test_no_attention_diagnosis_has_no_numbers() -> None:
    diagnosis = _diagnosis(status="no_attention", results={}, message="no attention to measure")
    data = diagnosis.to_dict()
    assert data["gamma"] is None and data["thermodynamics"] is None and data["gamma_pade"] is None
    assert Diagnosis.from_dict(data).status == "no_attention"


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(schema="other"), "not a taf diagnosis"),
        (lambda d: d.pop("model"), "'model': missing"),
        (lambda d: d.update(model=3), "'model': expected a string"),
        (lambda d: d.update(status="done"), "'status': expected one of"),
        (lambda d: d["results"]["text"]["fit"].update(gamma=math.nan), "not a finite number"),
        (lambda d: d["results"]["text"]["fit"].update(gamma="0.9"), "expected a number"),
        (lambda d: d["results"]["text"]["attn_by_distance"].update(x=0.1), "is not an integer"),
        (lambda d: d.update(theta=-1.0), "must be > 0"),
        (lambda d: d.update(gamma=0.5), "inconsistent"),
        (lambda d: d["results"]["text"].update(gamma_ci95=[1.0, 0.5]), "low"),
        (lambda d: d["results"].update(video=d["results"]["text"]), "unknown corpus"),
    ],
)
def test_from_dict_rejects_bad_files_with_one_line(mutate: object, message: str) -> None:
    data = copy.deepcopy(_diagnosis().to_dict())
    mutate(data)  # type: ignore[operator]
    with pytest.raises(ConfigError) as error:
        Diagnosis.from_dict(data)
    assert message in error.value.one_line() and "\n" not in error.value.one_line()


def test_from_dict_rejects_non_objects() -> None:
    for bad in ([], "x", None, 3):
        with pytest.raises(ConfigError):
            Diagnosis.from_dict(bad)


def test_reads_the_v0_5_3_cli_json() -> None:
    ds = DISTANCES_FULL
    curve = {str(d): 0.03 * d**-0.75 for d in ds}
    fit = fit_power_law(ds, [curve[str(d)] for d in ds])
    data = {
        "model": "EleutherAI/pythia-70m",
        "theta_nom": 10000,
        "N": 2000,
        "fast_mode": False,
        "fit_power_law": {"gamma": fit.gamma, "log_A": fit.log_A, "R2": fit.R2},
        "gamma": fit.gamma,
        "Cv": math.nan,
        "attn_by_distance": curve,
    }
    diagnosis = Diagnosis.from_reference_dict(data)
    assert diagnosis.protocol == "reference-v0.5.3" and diagnosis.gamma_random == pytest.approx(0.75)
    assert diagnosis.gamma_text is None and diagnosis.N == 2000
    data["fit_power_law"]["gamma"] = 0.1
    with pytest.raises(ConfigError):
        Diagnosis.from_reference_dict(data)


def _kl_direct(curve: dict[int, float], fit: PowerLawFit) -> float:
    """Spec §5.7 KL written out literally (exp(log_A)·d^−γ in linear space), for ordinary curves."""
    ds = sorted(curve)
    observed = [max(curve[d], 1e-30) for d in ds]
    prior = [max(math.exp(fit.log_A) * d**-fit.gamma, 1e-30) for d in ds]
    p = [v / math.fsum(observed) for v in observed]
    q = [v / math.fsum(prior) for v in prior]
    return math.fsum(pi * math.log(pi / (qi + 1e-12)) for pi, qi in zip(p, q, strict=True) if pi > 1e-12)


@settings(max_examples=200, deadline=None)
@given(
    st.floats(min_value=0.1, max_value=2.0),
    st.floats(min_value=1e-4, max_value=1.0),
    st.lists(st.floats(min_value=-0.5, max_value=0.5), min_size=len(DISTANCES_FULL), max_size=len(DISTANCES_FULL)),
)
def test_kl_grammar_in_log_space_equals_the_linear_formula(gamma: float, amplitude: float, noise: list[float]) -> None:
    curve = {d: amplitude * d**-gamma * math.exp(e) for d, e in zip(DISTANCES_FULL, noise, strict=True)}
    fit = fit_power_law(list(curve), list(curve.values()))
    assert kl_grammar(curve, fit) == pytest.approx(_kl_direct(curve, fit), rel=1e-9, abs=1e-14)


def _v053(curve: dict[str, float], **extra: object) -> dict[str, object]:
    ds = [int(d) for d in curve]
    fit = fit_power_law(ds, [curve[str(d)] for d in ds])
    return {"model": "m", "fit_power_law": {"gamma": fit.gamma}, "attn_by_distance": curve, **extra}


def test_a_v0_5_3_curve_falling_to_1e_300_gives_a_finite_kl_not_an_overflow() -> None:
    # γ ≈ 993 and log_A ≈ 2285: exp(log_A) alone overflowed (OverflowError) before the log-space prior.
    diagnosis = Diagnosis.from_reference_dict(_v053({"10": 0.1, "20": 1e-300}))
    result = diagnosis.results["random"]
    assert result.gamma == pytest.approx(993.2565, rel=1e-6)
    assert result.kl_grammar is not None and abs(result.kl_grammar) < 1e-9
    data = diagnosis.to_dict()  # the whole file stays strict JSON and reads back
    assert Diagnosis.from_dict(copy.deepcopy(data)).gamma == diagnosis.gamma


@pytest.mark.parametrize(
    ("curve", "extra", "message"),
    [
        ({"0": 0.5, "10": 0.1, "20": 0.05}, {}, "a distance outside [1, 2**53]"),
        ({"-5": 0.5, "10": 0.1, "20": 0.05}, {}, "a distance outside [1, 2**53]"),
        ({"10": 0.1, str(2**53 + 1): 1e-30}, {}, "a distance outside [1, 2**53]"),
        ({"10": 0.1, "20": 0.05}, {"N": 2**53 + 1}, "'N': must be ≤"),
    ],
)
def test_impossible_v0_5_3_files_are_one_line_config_errors(
    curve: dict[str, float], extra: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError) as error:
        Diagnosis.from_reference_dict(_v053(curve, **extra))
    assert message in error.value.one_line() and "\n" not in error.value.one_line()


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.integers(min_value=1, max_value=2**53),
        st.floats(min_value=5e-324, max_value=1e308) | st.sampled_from([1e-300, 0.0, -1.0, 1e300]),
        min_size=2,
        max_size=6,
    )
)
def test_any_v0_5_3_curve_is_read_or_refused_with_a_config_error(curve: dict[int, float]) -> None:
    text_curve = {str(d): v for d, v in curve.items()}
    try:
        data = _v053(text_curve)
    except ValueError:  # fewer than two usable points: no γ to match, the file claims one anyway
        data = {"model": "m", "fit_power_law": {"gamma": 0.5}, "attn_by_distance": text_curve}
    try:
        diagnosis = Diagnosis.from_reference_dict(data)
    except ConfigError as error:
        assert "\n" not in error.one_line()
        return
    assert Diagnosis.from_dict(json.loads(json.dumps(diagnosis.to_dict(), allow_nan=False))).gamma == diagnosis.gamma
