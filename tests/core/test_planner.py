"""The serving planner (core/memory/planner.py): GPU × TP × replicas × sequences, ranked by $/Mtok."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from tafagent.core.catalogs import default_catalogs
from tafagent.core.errors import ConfigError, UsageError
from tafagent.core.memory.kv import kv_plan
from tafagent.core.memory.planner import plan_serving, tried_tp_sizes
from tafagent.core.memory.serving import max_batch, memory_budget
from tafagent.core.memory.speed import decode_throughput
from tafagent.core.memory.weights import weights_bytes
from tafagent.core.recipes.registry import run_recipe
from tafagent.core.spec.presets import get_preset


def _spec(name: str = "llama-3.3-70b"):  # type: ignore[no-untyped-def]
    return get_preset(name).spec()


def test_70b_at_100m_tokens_a_day_is_a_multi_gpu_plan_under_5_usd_per_mtok() -> None:
    """Issue 14: the single-GPU search answered "45 × MI300X, ~$20/Mtok"; a TP plan costs a fraction."""
    result = plan_serving(_spec(), 4096, tokens_per_day=100e6)
    best = result.best
    assert result.met and best is not None and best.tp > 1 and best.n_gpus < 10
    assert best.usd_per_mtok is not None and best.usd_per_mtok < 5
    # the served volume is the target: $/Mtok = $/h ÷ target tokens per hour
    assert best.usd_per_mtok == pytest.approx(best.usd_per_hour / (100e6 / 24 / 1e6))
    assert best.tok_s_range[0] * 86400 >= 100e6  # met at the slow end of the speed range
    assert best.launch and "--tensor-parallel-size" in best.launch[0]["argv"]
    assert str(best.tp) in best.launch[0]["argv"] and str(best.max_seqs) in best.launch[0]["argv"]


def test_the_best_plan_uses_the_same_memory_and_speed_as_taf_memory() -> None:
    spec = _spec()
    best = plan_serving(spec, 4096, tokens_per_day=100e6).best
    assert best is not None
    gpu = default_catalogs().gpu(best.gpu)
    weights = weights_bytes(spec, "auto")
    kv = kv_plan(spec, "vllm", "auto", best.tp)
    budget = memory_budget(spec, gpu, weights, "vllm", best.tp, None, 4096, 1)
    assert best.memory_per_gpu["kv_available_bytes"] == budget.kv_available_bytes
    assert best.max_seqs == min(256, max_batch(kv, budget.kv_available_bytes, 4096))
    speed = decode_throughput(spec, gpu, weights, kv, 4096, best.max_seqs, tp=best.tp, engine="vllm")
    assert best.tok_s_range == pytest.approx([best.replicas * s for s in speed["expected_tok_s_range"]])


def test_concurrency_is_a_lower_bound_not_a_trap() -> None:
    """32 users once flipped X-5 to NO; now the plan holds ≥ 32 sequences in flight."""
    result = plan_serving(_spec(), 4096, tokens_per_day=100e6, concurrency=32)
    best = result.best
    assert result.met and best is not None and best.replicas * best.max_seqs >= 32
    many = plan_serving(_spec(), 4096, concurrency=2000, gpus=["H100"])
    assert many.met and many.best.replicas * many.best.max_seqs >= 2000 and many.best.replicas > 1


def test_runners_up_say_why_they_lost() -> None:
    result = plan_serving(_spec(), 4096, tokens_per_day=100e6, gpus=["H100", "H200", "A100 80GB"])
    why = {(p.gpu, p.tp): p for p in result.runners_up}
    assert why[("H100 SXM", 1)].status == "does_not_fit" and "does not fit" in why[("H100 SXM", 1)].why
    costlier = [p for p in result.runners_up if p.status == "ok"]
    assert costlier and all(p.why.startswith(("cost:", "same cost")) for p in costlier)
    assert all(p.usd_per_mtok >= result.best.usd_per_mtok for p in costlier)
    assert all(p.memory_per_gpu for p in result.runners_up if p.status in ("ok", "does_not_fit"))


def test_a_tp_that_does_not_divide_the_kv_heads_is_skipped_with_the_reason() -> None:
    spec = replace(_spec("qwen2.5-7b"))  # 28 query heads, 4 KV heads: TP 8 splits neither evenly
    assert spec.n_heads == 28 and spec.n_kv_heads == 4
    assert 8 in tried_tp_sizes(spec) and 7 not in tried_tp_sizes(spec)  # 7 divides 28 but not 4
    result = plan_serving(spec, 4096, concurrency=8, gpus=["H100"])
    invalid = [p for p in result.runners_up if p.status == "tp_invalid"]
    assert [p.tp for p in invalid] == [8] and "does not divide the 28 attention heads" in invalid[0].why


def test_latency_bound_caps_the_batch_and_an_impossible_one_gives_the_closest_plan() -> None:
    spec = _spec()
    free = plan_serving(spec, 4096, concurrency=64, gpus=["H100"]).best
    bound = plan_serving(spec, 4096, concurrency=64, gpus=["H100"], max_ms_per_token=free.step_ms_range[1] * 0.8)
    assert bound.met and bound.best.step_ms_range[1] <= free.step_ms_range[1] * 0.8
    impossible = plan_serving(spec, 4096, concurrency=8, max_ms_per_token=1.0)
    assert not impossible.met and impossible.best is None and impossible.closest is not None
    assert impossible.closest.status == "too_slow" and "max_ms_per_token ≥" in impossible.closest.change
    assert impossible.closest.launch  # the closest plan still says how to start it


def test_nothing_fits_gives_the_closest_plan_and_the_memory_it_lacks() -> None:
    result = plan_serving(_spec(), 4096, concurrency=1, gpus=["RTX 4090"])
    assert not result.met and result.closest is not None and result.closest.status == "does_not_fit"
    assert result.closest.tp == 8 and "GiB more memory per GPU" in result.closest.change


def test_a_context_past_the_position_limit_is_planned_with_a_warning() -> None:
    result = plan_serving(_spec("llama-3-8b"), 32768, concurrency=1, gpus=["H100"])
    assert result.met and any("past meta-llama/Meta-Llama-3-8B's position limit of 8,192" in n for n in result.notes)
    assert not any("position limit" in n for n in plan_serving(_spec("llama-3-8b"), 8192, concurrency=1).notes)


def test_unpriced_gpus_are_never_the_cheapest() -> None:
    catalogs = default_catalogs()
    cheap = replace(catalogs.gpu("H200"), usd_per_hour=None)
    catalogs = replace(catalogs, gpus=tuple(cheap if g.name == "H200" else g for g in catalogs.gpus))
    result = plan_serving(_spec(), 4096, tokens_per_day=100e6, gpu_catalog=catalogs)
    assert result.best.usd_per_mtok is not None
    unpriced = [p.usd_per_mtok for p in result.runners_up if p.gpu == "H200" and p.status == "ok"]
    assert unpriced and set(unpriced) == {None}
    only = plan_serving(_spec(), 4096, tokens_per_day=100e6, gpu_catalog=catalogs, gpus=["H200"])
    assert only.met and only.best.usd_per_mtok is None and only.best.gpu == "H200"


def test_concurrency_only_prices_the_tokens_the_sequences_generate() -> None:
    best = plan_serving(_spec(), 4096, concurrency=16, gpus=["H100"]).best
    assert best.served_tok_s <= best.tok_s_range[0] + 1e-9
    assert best.usd_per_mtok == pytest.approx(best.usd_per_hour / (best.served_tok_s * 3600 / 1e6))


@pytest.mark.parametrize("engine", ["vllm", "sglang", "llama.cpp", "transformers"])
def test_every_engine_plans(engine: str) -> None:
    result = plan_serving(_spec("llama-3-8b"), 4096, concurrency=4, engine=engine, gpus=["H100", "RTX 4090"])
    assert result.met and result.engine == engine and result.best.evidence["decode"]["label"] == "fitted"
    if engine == "transformers":
        assert "not a server" in result.best.launch[0]["note"]
    else:
        assert result.best.launch[0]["engine"] == engine


def test_bad_input_is_one_clear_line() -> None:
    with pytest.raises(ConfigError) as gpu:
        plan_serving(_spec(), 4096, concurrency=1, gpus=["H10"])
    assert "did you mean 'H100 SXM'" in (gpu.value.hint or "")
    with pytest.raises(ConfigError) as engine:
        plan_serving(_spec(), 4096, concurrency=1, engine="vlm")
    assert "did you mean 'vllm'" in (engine.value.hint or "")
    for bad in ({"concurrency": 0}, {"tokens_per_day": -1.0}, {"max_ms_per_token": math.inf}):
        with pytest.raises(UsageError):
            plan_serving(_spec(), 4096, **bad)  # type: ignore[arg-type]
    with pytest.raises(UsageError):
        plan_serving(_spec(), 0, concurrency=1)


def test_x5_runs_on_the_planner_and_gives_the_same_plan() -> None:
    """Done criterion of issue 14: `taf recipe X-5` and `taf plan` agree."""
    spec = _spec()
    planned = plan_serving(spec, 4096, tokens_per_day=100e6).best
    r = run_recipe("X-5", {"target_tokens_per_day": 100e6, "T_eval": 4096}, model=spec)
    row = r.chain[-1].result[0]
    assert r.verdict == "YES" and r.chain[-1].name == "Serving plan"
    assert (row["gpu"], row["tp"], row["replicas"], row["max_seqs"]) == (
        planned.gpu,
        planned.tp,
        planned.replicas,
        planned.max_seqs,
    )
    assert row["USD_per_Mtok"] == pytest.approx(planned.usd_per_mtok) and planned.label() in r.reason
    assert "vllm serve" in r.mitigation and r.chain[-1].breakdown["plan"]["launch"]
    users = run_recipe("X-5", {"target_tokens_per_day": 100e6, "concurrent_users": 32}, model=spec)
    assert users.verdict == "YES"  # concurrency is a lower bound, not a trap
    strict = run_recipe("X-5", {"target_tokens_per_day": 100e6, "max_ms_per_token": 1.0}, model=spec)
    assert strict.verdict == "NO" and "closest" in strict.reason and "ms per token" in strict.mitigation


def test_llama_cpp_splits_layers_so_its_multi_gpu_step_is_timed_as_one_gpu() -> None:
    spec = _spec()
    best = plan_serving(spec, 4096, concurrency=8, engine="llama.cpp", gpus=["H100"]).best
    assert best is not None and best.tp > 1
    gpu, weights = default_catalogs().gpu("H100"), weights_bytes(spec, "auto")
    one_gpu = decode_throughput(
        spec, gpu, weights, kv_plan(spec, "llama.cpp", "auto", 1), 4096, best.max_seqs, tp=1, engine="llama.cpp"
    )
    assert best.step_ms_range == pytest.approx([s * 1e3 for s in one_gpu["step_seconds_range"]])
