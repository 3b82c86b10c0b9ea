"""Exact serving memory: weights by storage format, KV cache per layer type and engine, SSM state,
prefill activations, capacity (inverse) questions and an honest throughput range.

The reference's X-5 used weights = N·bytes, KV = 2·L·n_kv·d_h·seq·B for every layer and tokens/s =
bandwidth / model size (spec §3.4). Here:

* weights follow the storage format (bf16, fp8, int8, GPTQ/AWQ with group scales and zeros,
  bitsandbytes NF4, GGUF bits per weight), exact from checkpoint headers when an adapter read them;
* the KV cache is summed per layer kind: full attention keeps every token, sliding-window layers are
  capped at the window (with each engine's extra tokens), MLA layers keep a latent, Mamba layers keep
  a fixed state per sequence; each engine's paging (vLLM blocks, llama.cpp padding) is applied;
* throughput is a physical ceiling (bytes read per decode step, FLOPs per prefill) times an efficiency
  range fitted on published measurements (``data/throughput_calibration.json``).

Modules, in dependency order: ``dtypes`` (element widths, byte units), ``runtimes`` (engine profiles
from ``data/runtimes.json``), ``parallel`` (which tensor-parallel sizes split the heads, vLLM's rule),
``weights``, ``kv``, ``activations``, ``serving`` (per-GPU budget and capacity questions), ``speed``
(decode and prefill ranges), ``report`` (everything `taf memory` shows, its inputs bounded).

Units: bytes are integers; "GB" = 10⁹ bytes, "GiB" = 2³⁰ bytes, named as such everywhere.
"""
