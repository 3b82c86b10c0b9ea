"""Diagnosis files for tests that consume them (profile --diagnosis, the browser app): exact power laws run
through the real fitting code, so the stored γ are what `taf diagnose` would write for such curves."""

from __future__ import annotations

from typing import Any

from tafagent.core.decay.corpus_result import build_corpus_result
from tafagent.core.decay.diagnosis import Diagnosis
from tafagent.core.decay.fit import fit_power_law

DISTANCES = (10, 50, 200, 1000)


def corpus(name: str, gamma: float, n_prompts: int = 4) -> Any:
    # per-prompt values scatter ±1 % around A·d^−γ, so the bootstrap has something to resample
    samples = {d: [0.3 * d**-gamma * (1 + 0.01 * (i - 1.5)) for i in range(n_prompts)] for d in DISTANCES}
    means = {d: sum(v) / len(v) for d, v in samples.items()}
    return build_corpus_result(
        name,
        samples,
        paired=True,
        seeds=(42,),
        per_seed_means={42: means},
        layer_head_means={0: {d: [means[d], means[d]] for d in DISTANCES}},
        bootstrap_resamples=200,
    )


def diagnosis(
    model: str = "meta-llama/Meta-Llama-3-8B", gamma_text: float | None = 0.62, gamma_random: float | None = 0.41
) -> dict[str, Any]:
    """A `taf diagnose --corpus both` file (or one corpus when the other γ is None), as a dict."""
    results = {}
    if gamma_text is not None:
        results["text"] = corpus("text", gamma_text)
    if gamma_random is not None:
        results["random"] = corpus("random", gamma_random)
    kind = "both" if len(results) == 2 else next(iter(results))
    return Diagnosis(
        model=model, protocol="fast", corpus=kind, status="complete", results=results, N=1000, theta=500000.0
    ).to_dict()


def reference_diagnosis(model: str = "EleutherAI/pythia-70m", gamma: float = 0.7) -> dict[str, Any]:
    """The JSON v0.5.3's diagnose_model.py writes (spec §5.9), for the same kind of curve."""
    attn = {d: 0.3 * d**-gamma for d in DISTANCES}
    return {
        "model": model,
        "N": 2048,
        "theta_nom": 10000.0,
        "fast_mode": True,
        "attn_by_distance": {str(d): v for d, v in attn.items()},
        "fit_power_law": {"gamma": fit_power_law(list(attn), list(attn.values())).gamma},
    }
