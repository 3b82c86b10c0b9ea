"""The step-time law shared by every engine: one decode step or one prefill on one GPU of a tensor-parallel
group, from its bytes, FLOPs, layer count and all-reduce traffic, and an engine's few fitted constants.

    gpu_s  = max(k_bw · bytes / HBM_bandwidth, k_flops · FLOPs / peak) + k_bw · cpu_bytes / CPU_bandwidth
    host_s = host_per_layer_s · n_layers + fixed_s
    comm_s = n_all_reduce · (all_reduce_s + 2·(tp−1)/tp · message_bytes / link_bandwidth),  n_all_reduce = 2·n_layers
    step_s = max(gpu_s, host_s) + comm_s      engines that launch kernels one by one from Python (transformers):
                                              the CPU issues kernels while the GPU runs earlier ones
    step_s = gpu_s + host_s + comm_s          engines that replay CUDA graphs / fused kernels (vLLM, SGLang,
                                              llama.cpp): the host work between steps is not hidden

k_bw and k_flops are 1 / efficiency (≥ 1 on real kernels); every constant is fitted on the measurements in
``data/speed_calibration.json`` (core/memory/speed_fit.py).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

ALL_REDUCES_PER_LAYER = 2  # Megatron-style tensor parallelism: after attention and after the MLP


@dataclass(frozen=True)
class StepInputs:
    """What one GPU of the group does in one step: bytes it reads, FLOPs, layers, all-reduce traffic."""

    bytes_per_gpu: float
    flops_per_gpu: float
    hbm_GB_per_s: float
    bf16_tflops: float
    n_layers: int
    tp: int = 1
    all_reduce_message_bytes: float = 0.0  # tokens in the step · d_model · 2 bytes (bf16 activations)
    link_GB_per_s: float | None = None  # GPU-to-GPU, per direction
    cpu_bytes: float = 0.0  # llama.cpp layers left in system memory
    cpu_GB_per_s: float = 89.6

    @property
    def memory_s(self) -> float:
        return self.bytes_per_gpu / (self.hbm_GB_per_s * 1e9)

    @property
    def compute_s(self) -> float:
        return self.flops_per_gpu / (self.bf16_tflops * 1e12)

    @property
    def cpu_s(self) -> float:
        return self.cpu_bytes / (self.cpu_GB_per_s * 1e9) if self.cpu_bytes else 0.0

    @property
    def n_all_reduce(self) -> int:
        return ALL_REDUCES_PER_LAYER * self.n_layers if self.tp > 1 else 0

    @property
    def link_s(self) -> float:
        """Ring all-reduce transfer time of all the step's all-reduces (latency not included)."""
        if self.tp <= 1:
            return 0.0
        if not self.link_GB_per_s:
            return float("inf")  # no link: tensor parallelism is impossible, never free
        ring = 2.0 * (self.tp - 1) / self.tp * self.all_reduce_message_bytes
        return self.n_all_reduce * ring / (self.link_GB_per_s * 1e9)


@dataclass(frozen=True)
class EngineConstants:
    """One engine's fitted constants (seconds, or dimensionless factors = 1 / efficiency)."""

    bw_factor: float = 1.0
    flops_factor: float = 1.0
    host_per_layer_s: float = 0.0
    fixed_s: float = 0.0
    all_reduce_s: float = 0.0
    overlap: bool = False  # host work overlaps GPU work (eager kernel launches)

    def with_values(self, values: dict[str, float]) -> EngineConstants:
        """A copy with the named constants replaced (the fit's trial points)."""
        changes: dict[str, Any] = dict(values)
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class StepTime:
    """A predicted step split into its parts (seconds) and the part that bounds it."""

    seconds: float
    gpu_s: float
    host_s: float
    comm_s: float
    bound: str  # "memory" | "compute" | "overhead"


def step_time(inputs: StepInputs, k: EngineConstants) -> StepTime:
    """The step-time law of the module docstring."""
    memory = k.bw_factor * (inputs.memory_s + inputs.cpu_s)
    compute = k.flops_factor * inputs.compute_s
    gpu = max(memory, compute)
    host = k.host_per_layer_s * inputs.n_layers + k.fixed_s
    comm = inputs.n_all_reduce * k.all_reduce_s + inputs.link_s
    seconds = (max(gpu, host) if k.overlap else gpu + host) + comm
    bound = "overhead" if host > gpu else ("memory" if memory >= compute else "compute")
    return StepTime(seconds, gpu, host, comm, bound)


def inputs_from_row(row: dict[str, Any], phase: str) -> StepInputs:
    """The step of one calibration row (``data/speed_calibration.json``), split over its tensor-parallel GPUs."""
    tp = int(row.get("tp", 1))
    if phase == "decode":
        total_bytes = float(row["weights_bytes"]) + float(row["kv_bytes"])
        tokens = int(row["batch"])
    else:
        total_bytes = float(row.get("weights_bytes", 0.0))
        tokens = int(row["batch"]) * int(row["prompt_tokens"])
    return StepInputs(
        bytes_per_gpu=total_bytes / tp,
        flops_per_gpu=float(row["flops"]) / tp,
        hbm_GB_per_s=float(row["hbm_GB_per_s"]),
        bf16_tflops=float(row["bf16_tflops"]),
        n_layers=int(row["n_layers"]),
        tp=tp,
        all_reduce_message_bytes=2.0 * tokens * int(row["d_model"]),
        link_GB_per_s=row.get("link_GB_per_s"),
    )
