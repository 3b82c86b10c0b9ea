"""vLLM and SGLang load an fp32 checkpoint in fp16 under `--dtype auto`; transformers keeps the config's dtype."""

from __future__ import annotations

from tafagent.core.catalogs import default_catalogs
from tafagent.core.memory.planner import plan_serving
from tafagent.core.memory.report import memory_report
from tafagent.core.spec.presets import get_preset


def test_fp32_checkpoint_is_served_in_fp16_by_vllm_and_sglang_only() -> None:
    spec = get_preset("gemma-2-9b").spec()  # config torch_dtype float32
    gpu = default_catalogs().gpu("H100")
    served = {engine: memory_report(spec, 4096, engine=engine, gpu=gpu).weights for engine in ("vllm", "sglang")}
    eager = memory_report(spec, 4096, engine="transformers").weights
    assert eager.format == "fp32" and all(w.format == "fp16" for w in served.values())
    assert served["vllm"].n_bytes * 2 == eager.n_bytes
    plan = plan_serving(spec, 4096, concurrency=1, gpus=["H100"])
    assert plan.best is not None and plan.best.memory_per_gpu is not None


def test_an_explicit_format_is_kept() -> None:
    spec = get_preset("gemma-2-9b").spec()
    assert memory_report(spec, 4096, engine="vllm", weights_dtype="fp32").weights.format == "fp32"
