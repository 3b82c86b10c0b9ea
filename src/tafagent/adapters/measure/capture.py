"""Attention probabilities of a few query rows, computed during an ordinary (SDPA/flash) forward pass.

The fast protocol never asks the model for its T×T attention maps. Instead, while the model runs its
usual attention kernel, this module reads the post-RoPE queries and keys that the kernel receives and
computes softmax rows only for the query positions it needs:

    p[h, r, k] = softmax_k( s·⟨q[h, pos_r], key[h // g, k]⟩ (→ softcap) + mask[pos_r, k] + bias )

with the model's own scaling s, logit soft-capping (Gemma-2), additive or boolean mask (causal, sliding
window, ALiBi bias folded into the mask), grouped-query head mapping (query head h reads key head
h // g, g = H / H_kv, as ``repeat_kv`` does) and attention sinks (gpt-oss ``s_aux``). Cost per layer:
R·T·d multiply-adds for R rows instead of T²·d, and R·T floats of memory instead of T².

Three capture routes, chosen per model:

* **attention interface** (Llama, Mistral, Qwen2/3, Gemma-2/3, GPT-NeoX, GPT-2, Phi-3, GPT-J, Jamba, …):
  transformers ≥ 4.48 dispatches every attention call through ``ALL_ATTENTION_FUNCTIONS``. We register
  ``taf_rows_<base>`` (base = the model's own implementation, e.g. ``sdpa``) that computes the rows and
  then calls the base implementation unchanged, register the base's mask builder under the same name,
  and switch the model to it for the duration of the capture.
* **SDPA call** (Falcon, which calls ``torch.nn.functional.scaled_dot_product_attention`` itself, with
  ALiBi folded into its float mask): the function is wrapped for the duration of the capture and the
  rows are computed from its arguments, attributed to the attention module that is running.
* **returned probabilities** (Bloom, whose attention always materialises its probabilities, ALiBi
  included): the rows are sliced from the module's own output.
"""

from __future__ import annotations

import contextvars
import inspect
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any

from tafagent.adapters.measure._deps import require_torch
from tafagent.core.errors import TafError

DEFAULT_CHUNK_ROWS = 64  # rows per softmax chunk: 64·H·T float32 temporaries (32 heads, T = 32K: 256 MiB)

RowsCallback = Callable[[int, Any], None]
"""Called once per attention layer and forward: (layer index, probabilities [B, H, R, T_keys] float32)."""

_ACTIVE: contextvars.ContextVar[RowCapture | None] = contextvars.ContextVar("taf_row_capture", default=None)
_REGISTERED: set[str] = set()
_ATTENTION_CLASS = re.compile(r"Attention\d*$")


def attention_rows(
    query: Any,
    key: Any,
    rows: Sequence[int],
    *,
    scaling: float | None = None,
    mask: Any = None,
    is_causal: bool = True,
    sliding_window: int | None = None,
    softcap: float | None = None,
    sinks: Any = None,
    chunk_rows: int | None = DEFAULT_CHUNK_ROWS,
) -> Any:
    """Softmax attention probabilities for the query positions ``rows``: a float32 [B, H, R, T_k] tensor.

    ``query`` is [B, H, T_q, D] and ``key`` [B, H_kv, T_k, D] (H_kv divides H; query head h reads key
    head h // (H/H_kv)). ``rows`` are absolute positions; with T_q < T_k the queries are the last T_q
    positions. ``mask``: a 4-D boolean (True = attend) or additive float mask over [.., T_q, T_k], or
    None for causal (``is_causal``) attention restricted to ``sliding_window`` keys (key k is visible to
    query q iff q − W < k ≤ q, the transformers convention). Logits are s·q·k, soft-capped as
    c·tanh(x/c) when ``softcap`` is set; ``sinks`` ([H]) adds one extra logit per head to the softmax
    normaliser (its probability is dropped). Computed in float32 whatever the model's dtype.

    ``chunk_rows``: at most that many rows are computed at once (None: all), so the float32 temporaries
    (logits, mask, softmax) stay at chunk·H·T_k floats: memory O(T_k), never O(T_q·T_k). Chunks are
    independent softmaxes, so the result equals the unchunked one.
    """
    rows = [int(r) for r in rows]
    if chunk_rows is not None and len(rows) > chunk_rows:
        torch = require_torch()
        parts = [
            attention_rows(
                query,
                key,
                rows[start : start + chunk_rows],
                scaling=scaling,
                mask=mask,
                is_causal=is_causal,
                sliding_window=sliding_window,
                softcap=softcap,
                sinks=sinks,
                chunk_rows=None,
            )
            for start in range(0, len(rows), chunk_rows)
        ]
        return torch.cat(parts, dim=2)
    return _rows_once(query, key, rows, scaling, mask, is_causal, sliding_window, softcap, sinks)


def _rows_once(
    query: Any,
    key: Any,
    rows: Sequence[int],
    scaling: float | None,
    mask: Any,
    is_causal: bool,
    sliding_window: int | None,
    softcap: float | None,
    sinks: Any,
) -> Any:
    """:func:`attention_rows` for one chunk of rows."""
    torch = require_torch()
    batch, n_heads, q_len, head_dim = query.shape
    n_kv_heads, k_len = key.shape[1], key.shape[2]
    if n_heads % n_kv_heads:
        raise ValueError(f"query heads ({n_heads}) are not a multiple of key heads ({n_kv_heads})")
    offset = k_len - q_len
    positions = torch.as_tensor(list(rows), dtype=torch.long, device=query.device)
    n_rows = positions.numel()
    q = query.index_select(2, positions - offset).float()
    k = key.float()
    group = n_heads // n_kv_heads
    if group > 1:
        logits = torch.matmul(q.reshape(batch, n_kv_heads, group * n_rows, head_dim), k.transpose(-1, -2))
        logits = logits.reshape(batch, n_heads, n_rows, k_len)
    else:
        logits = torch.matmul(q, k.transpose(-1, -2))
    logits = logits * (head_dim**-0.5 if scaling is None else float(scaling))
    if softcap:
        logits = torch.tanh(logits / softcap) * softcap
    if mask is not None and getattr(mask, "dim", lambda: 0)() == 4:
        rows_mask = mask.index_select(-2, (positions - offset).to(mask.device))[..., :k_len].to(logits.device)
        if rows_mask.dtype == torch.bool:
            logits = logits.masked_fill(~rows_mask, float("-inf"))
        else:
            logits = logits + rows_mask.float()
    elif is_causal:
        keys = torch.arange(k_len, device=logits.device)
        allowed = keys[None, :] <= positions[:, None]
        if sliding_window:
            allowed = allowed & (keys[None, :] > positions[:, None] - int(sliding_window))
        logits = logits.masked_fill(~allowed, float("-inf"))
    if sinks is not None:
        sink = sinks.float().to(logits.device).reshape(1, n_heads, 1, 1).expand(batch, n_heads, n_rows, 1)
        return torch.softmax(torch.cat([logits, sink], dim=-1), dim=-1)[..., :-1]
    return torch.softmax(logits, dim=-1)


def uses_attention_interface(model: Any) -> bool:
    """True when the model dispatches attention through transformers' ``ALL_ATTENTION_FUNCTIONS``."""
    checker = getattr(model, "_can_set_attn_implementation", None)
    if callable(checker):
        try:
            return bool(checker())
        except Exception:  # a private helper; fall back to reading the modeling source
            pass
    module = sys.modules.get(type(model).__module__)
    try:
        return module is not None and "ALL_ATTENTION_FUNCTIONS.get_interface(" in inspect.getsource(module)
    except (OSError, TypeError):
        return False


def attention_modules(model: Any) -> list[Any]:
    """The model's self-attention modules (class name ending in ``Attention``), outermost ones only."""
    found: list[tuple[str, Any]] = []
    for name, module in model.named_modules():
        if _ATTENTION_CLASS.search(type(module).__name__) and not any(name.startswith(p + ".") for p, _ in found):
            found.append((name, module))
    return [module for _, module in found]


def _module_eager(module: Any) -> Callable[..., Any]:
    function = getattr(sys.modules.get(type(module).__module__), "eager_attention_forward", None)
    if function is None:
        raise RuntimeError(f"{type(module).__name__}: no eager_attention_forward in its modeling module")
    return function


def _interface_wrapper(base: str) -> Callable[..., Any]:
    from transformers.modeling_utils import ALL_ATTENTION_FUNCTIONS

    def taf_rows_attention(module: Any, query: Any, key: Any, value: Any, attention_mask: Any, **kwargs: Any) -> Any:
        capture = _ACTIVE.get()
        if capture is not None:
            capture.from_interface(module, query, key, attention_mask, kwargs)
        if base == "eager" or base not in ALL_ATTENTION_FUNCTIONS:
            implementation = _module_eager(module)
        else:
            implementation = ALL_ATTENTION_FUNCTIONS[base]
        return implementation(module, query, key, value, attention_mask, **kwargs)

    return taf_rows_attention


def _register_interface(base: str) -> str:
    """Register ``taf_rows_<base>`` (attention function and mask builder); returns the name."""
    from transformers.masking_utils import ALL_MASK_ATTENTION_FUNCTIONS, AttentionMaskInterface
    from transformers.modeling_utils import AttentionInterface

    name = f"taf_rows_{base}"
    if name not in _REGISTERED:
        AttentionInterface.register(name, _interface_wrapper(base))
        mask_base = base if base in ALL_MASK_ATTENTION_FUNCTIONS else "eager"
        AttentionMaskInterface.register(name, ALL_MASK_ATTENTION_FUNCTIONS[mask_base])
        _REGISTERED.add(name)
    return name


class StopForward(Exception):
    """Ends a forward pass early: the last attention layer's rows are in, nothing after it is needed."""


class RowCapture:
    """Context manager: during forwards of ``model``, call ``on_rows(layer, probs)`` for every attention layer.

    ``probs`` is the float32 [B, H, R, T] tensor of :func:`attention_rows` for the absolute query positions
    ``query_positions`` (in that order). Layers are numbered by the module's ``layer_idx`` when it has one,
    else by call order within the forward. ``route`` says which capture route is in use.

    ``stop_early``: once a full forward has shown that every attention module runs exactly once, later
    forwards raise :class:`StopForward` right after the last attention layer's rows (before its attention
    kernel on the interface and SDPA routes), skipping what follows: the caller catches it and calls
    :meth:`forward_done` after every forward.
    """

    def __init__(
        self, model: Any, query_positions: Sequence[int], on_rows: RowsCallback, *, stop_early: bool = False
    ) -> None:
        self.model = model
        self.rows = [int(p) for p in query_positions]
        self.on_rows = on_rows
        self.stop_early = stop_early
        self._order: list[int] = []
        self._stop_at: int | None = None
        self.route = ""
        self.layers_seen: set[int] = set()
        self._base: str | None = None
        self._handles: list[Any] = []
        self._token: contextvars.Token[RowCapture | None] | None = None
        self._current: Any = None
        self._captured_current = False
        self._call_index = 0
        self._sdpa_original: Any = None

    # ---- lifecycle -------------------------------------------------------------------------------

    def __enter__(self) -> RowCapture:
        self._token = _ACTIVE.set(self)
        # Layers without a layer_idx are numbered by call order, restarted by every forward of the model
        # or of its decoder (the fast protocol calls the decoder directly).
        for top in {id(m): m for m in (self.model, getattr(self.model, "base_model", None)) if m is not None}.values():
            self._handles.append(top.register_forward_pre_hook(self._on_model_start))
        if uses_attention_interface(self.model):
            self.route = "attention-interface"
            base = str(self.model.config._attn_implementation or "eager")
            try:
                self.model.set_attn_implementation(_register_interface(base))
            except Exception as error:
                self.__exit__(None, None, None)
                raise TafError(
                    f"cannot route the attention of {type(self.model).__name__} through the row capture: {error}",
                    "use --protocol reference",
                ) from None
            self._base = base
        else:
            self.route = "sdpa-call/returned-probabilities"
            for module in attention_modules(self.model):
                self._handles.append(module.register_forward_pre_hook(self._on_attention_start))
                self._handles.append(module.register_forward_hook(self._on_attention_end))
            torch = require_torch()
            self._sdpa_original = torch.nn.functional.scaled_dot_product_attention
            torch.nn.functional.scaled_dot_product_attention = self._sdpa_wrapper()
        return self

    def __exit__(self, *exc: object) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles.clear()
        if self._sdpa_original is not None:
            require_torch().nn.functional.scaled_dot_product_attention = self._sdpa_original
            self._sdpa_original = None
        if self._base is not None:
            self.model.set_attn_implementation(self._base)
            self._base = None
        if self._token is not None:
            _ACTIVE.reset(self._token)
            self._token = None

    # ---- routes ----------------------------------------------------------------------------------

    def _on_model_start(self, *_: object) -> None:
        self._call_index = 0
        self._order = []
        self._current = None

    def forward_done(self) -> None:
        """After the first complete forward, arm early stopping if each attention module ran once."""
        if self.stop_early and self._stop_at is None and self._order and len(set(self._order)) == len(self._order):
            self._stop_at = self._order[-1]

    def _emit(self, module: Any, probs: Any) -> None:
        layer = getattr(module, "layer_idx", None)
        if not isinstance(layer, int):
            layer = self._call_index
        self._call_index += 1
        self.layers_seen.add(layer)
        self._order.append(id(module))
        self.on_rows(layer, probs)
        if self._stop_at == id(module):
            raise StopForward

    def from_interface(self, module: Any, query: Any, key: Any, mask: Any, kwargs: dict[str, Any]) -> None:
        """Rows from the arguments of an ``ALL_ATTENTION_FUNCTIONS`` call."""
        scaling = kwargs.get("scaling")
        if scaling is None:
            scaling = getattr(module, "scaling", None)
        if scaling is None and getattr(module, "head_dim", None):
            scaling = module.head_dim**-0.5
        is_causal = kwargs.get("is_causal")
        if is_causal is None:
            is_causal = getattr(module, "is_causal", True)
        probs = attention_rows(
            query,
            key,
            self.rows,
            scaling=scaling,
            mask=mask,
            is_causal=bool(is_causal),
            sliding_window=kwargs.get("sliding_window"),
            softcap=kwargs.get("softcap"),
            sinks=kwargs.get("s_aux"),
        )
        self._emit(module, probs)

    def _on_attention_start(self, module: Any, *_: object) -> None:
        self._current = module
        self._captured_current = False

    def _on_attention_end(self, module: Any, _args: object, output: Any) -> None:
        torch = require_torch()
        if not self._captured_current and isinstance(output, tuple) and len(output) > 1:
            probs = output[1]
            if isinstance(probs, torch.Tensor) and probs.dim() == 4:
                k_len = probs.shape[-1]
                offset = k_len - probs.shape[-2]
                index = torch.as_tensor([p - offset for p in self.rows], dtype=torch.long, device=probs.device)
                self._emit(module, probs.index_select(2, index).float())
        self._current = None
        self._captured_current = False

    def _sdpa_wrapper(self) -> Callable[..., Any]:
        original = self._sdpa_original
        signature = inspect.signature(_sdpa_reference_signature)

        def scaled_dot_product_attention(*args: Any, **kwargs: Any) -> Any:
            if self._current is not None and not self._captured_current:
                bound = signature.bind(*args, **kwargs)
                bound.apply_defaults()
                a = bound.arguments
                probs = attention_rows(
                    a["query"], a["key"], self.rows, scaling=a["scale"], mask=a["attn_mask"], is_causal=a["is_causal"]
                )
                self._captured_current = True
                self._emit(self._current, probs)
            return original(*args, **kwargs)

        return scaled_dot_product_attention


def _sdpa_reference_signature(
    query: Any,
    key: Any,
    value: Any,
    attn_mask: Any = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    enable_gqa: bool = False,
) -> None:
    """The documented signature of ``torch.nn.functional.scaled_dot_product_attention`` (for argument binding)."""
