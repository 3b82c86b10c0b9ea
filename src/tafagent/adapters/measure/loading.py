"""Load a causal LM for measurement: local directory or Hub id, device and dtype, never split from its inputs.

Deliberate fix (spec §9.1 item 8): v0.5.3 left a non-quantized model on the CPU while it sent the inputs
to CUDA, so every forward failed silently. Here the model is moved to the chosen device (or spread by
``device_map="auto"``) and inputs are always created on the device of the input embeddings.
``trust_remote_code`` is off unless asked for (v0.5.3 always turned it on).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tafagent.adapters.errors import MeasurementMemoryError
from tafagent.adapters.measure._deps import require_torch, require_transformers
from tafagent.core.errors import (
    ConfigError,
    DependencyError,
    ModelNotFoundError,
    UnsupportedModelError,
    UsageError,
)
from tafagent.core.spec.config_text import HUB_ID
from tafagent.core.spec.model_spec import ModelSpec
from tafagent.core.spec.presets import find_preset
from tafagent.core.spec.resolve import resolve_spec

DTYPES = {"float32": "float32", "fp32": "float32", "float16": "float16", "fp16": "float16", "half": "float16"}
DTYPES |= {"bfloat16": "bfloat16", "bf16": "bfloat16"}
FOUR_BIT_QUANTIZATION = "bitsandbytes 4-bit (nf4 weights, float16 compute, double quantization)"
GPU_FILL_LIMIT = 0.85  # above this share of free GPU memory for the weights alone, spread with device_map="auto"


@dataclass
class LoadedModel:
    """A model ready to measure, with what the protocols need to know about it."""

    model: Any
    tokenizer: Any | None
    config: Any
    name: str
    source: str
    spec: ModelSpec | None
    device: str
    input_device: Any
    dtype: str
    device_map: str | None = None
    quantization: str | None = None
    vocab_size: int = 0
    special_ids: frozenset[int] = frozenset()
    notes: list[str] = field(default_factory=list)

    @property
    def n_layers(self) -> int | None:
        value = getattr(self.config, "num_hidden_layers", None) or getattr(self.config, "n_layer", None)
        return int(value) if isinstance(value, int) else (self.spec.n_layers if self.spec else None)

    @property
    def max_positions(self) -> int | None:
        """The longest sequence the model accepts (absolute positions) or was trained for; None if unbounded."""
        return self.spec.T_train if self.spec is not None else None

    @property
    def family(self) -> str | None:
        return self.spec.family if self.spec is not None else None

    def window(self, layer: int) -> int | None:
        """The sliding window of ``layer`` (None for full attention), from the config."""
        if self.spec is None or self.spec.sliding_window is None:
            return None
        kinds = self.spec.layer_kinds()
        if layer < len(kinds) and kinds[layer] == "sliding_attention":
            return self.spec.sliding_window
        return None


def resolve_source(model: str) -> str:
    """MODEL → a local directory or a Hub id (a preset name maps to its Hub id)."""
    name = model.strip()
    if not name:
        raise ModelNotFoundError("empty model name", "give a local model directory or a Hub id like org/name")
    path = Path(name).expanduser()
    if path.exists():
        if path.is_dir():
            if not (path / "config.json").is_file():
                raise ModelNotFoundError(
                    f"directory '{path}' has no config.json", "pass a model directory with weights"
                )
            return str(path)
        raise ModelNotFoundError(
            f"'{path}' is a file; `taf diagnose` needs a model directory with weights",
            "pass the directory that holds config.json and the weights",
        )
    if name.startswith(("/", "./", "../", "~", ".\\")) or name.endswith(".json"):
        raise ModelNotFoundError(f"no such path: '{name}'", "check the model directory")
    preset = find_preset(name)
    if preset is not None:
        return preset.model_id
    if HUB_ID.match(name):
        return name
    raise ModelNotFoundError(
        f"'{name}' is neither a local model directory nor a Hub id", "pass a directory or an id like org/name"
    )


def resolve_device(requested: str) -> str:
    """``auto`` → cuda, else mps, else cpu; an explicit device must exist."""
    torch = require_torch()
    choice = requested.strip().lower()
    if choice == "auto":
        if torch.cuda.is_available():
            return "cuda"
        mps = getattr(torch.backends, "mps", None)
        return "mps" if mps is not None and mps.is_available() else "cpu"
    if choice == "cpu":
        return "cpu"
    if choice.startswith("cuda"):
        if not torch.cuda.is_available():
            raise UsageError(f"--device {requested}: no CUDA device is available", "use --device cpu or auto")
        index = choice.partition(":")[2]
        if index and (not index.isdigit() or int(index) >= torch.cuda.device_count()):
            raise UsageError(f"--device {requested}: no such CUDA device", f"{torch.cuda.device_count()} available")
        return choice
    if choice == "mps":
        mps = getattr(torch.backends, "mps", None)
        if mps is None or not mps.is_available():
            raise UsageError("--device mps: Apple MPS is not available", "use --device cpu or auto")
        return "mps"
    raise UsageError(f"unknown --device {requested!r}", "use auto, cpu, cuda, cuda:N or mps")


def resolve_dtype(requested: str, device: str) -> str:
    """``auto`` → float32 on CPU, bfloat16 on CUDA (float16 without bf16 support), float16 on MPS."""
    choice = requested.strip().lower()
    if choice == "auto":
        if device.startswith("cuda"):
            return "bfloat16" if require_torch().cuda.is_bf16_supported() else "float16"
        return "float16" if device == "mps" else "float32"
    if choice not in DTYPES:
        raise UsageError(f"unknown --dtype {requested!r}", "use auto, float32, bfloat16 or float16")
    return DTYPES[choice]


def load_config(source: str, *, trust_remote_code: bool, revision: str | None) -> Any:
    """The transformers config, with one-line errors for missing, gated, offline and custom-code models."""
    transformers = require_transformers()
    try:
        return transformers.AutoConfig.from_pretrained(source, trust_remote_code=trust_remote_code, revision=revision)
    except OSError as error:
        raise ModelNotFoundError(f"cannot load '{source}': {_first_line(error)}", _hub_hint()) from None
    except (ValueError, KeyError) as error:
        text = _first_line(error)
        if "trust_remote_code" in text:
            raise UnsupportedModelError(
                f"'{source}' needs its own modelling code", "re-run with --trust-remote-code if you trust its authors"
            ) from None
        raise UnsupportedModelError(
            f"cannot read the config of '{source}': {text}", "is it a transformers model?"
        ) from None


def check_causal_lm(config: Any, name: str, *, trust_remote_code: bool) -> None:
    """Raise UnsupportedModelError unless ``config`` describes a decoder-only causal LM."""
    from transformers.models.auto.modeling_auto import MODEL_FOR_CAUSAL_LM_MAPPING_NAMES

    model_type = getattr(config, "model_type", None)
    auto_map = getattr(config, "auto_map", None) or {}
    custom = trust_remote_code and "AutoModelForCausalLM" in auto_map
    architectures = [str(a) for a in (getattr(config, "architectures", None) or [])]
    causal_arch = any("CausalLM" in a or "LMHead" in a for a in architectures)
    if getattr(config, "is_encoder_decoder", False) or not (custom or model_type in MODEL_FOR_CAUSAL_LM_MAPPING_NAMES):
        raise UnsupportedModelError(
            f"'{name}' is not a causal language model (model_type {model_type!r})",
            "taf diagnose measures decoder-only LMs that load with AutoModelForCausalLM",
        )
    if architectures and not causal_arch and not getattr(config, "is_decoder", True):
        raise UnsupportedModelError(
            f"'{name}' is an encoder ({', '.join(architectures)}), not a causal language model",
            "taf diagnose measures decoder-only LMs",
        )


def load_model(
    model: str,
    *,
    device: str = "auto",
    dtype: str = "auto",
    device_map: str | None = None,
    load_in_4bit: bool = False,
    trust_remote_code: bool = False,
    revision: str | None = None,
    attn_implementation: str | None = None,
    tokenizer: str | None = None,
) -> LoadedModel:
    """Load MODEL (local directory, Hub id or preset name) with its tokenizer, on one device or spread.

    ``tokenizer`` (a directory or Hub id) replaces the model's own, e.g. for a checkpoint saved without
    tokenizer files; without any, random prompts draw from the embedding rows and the config's special ids.

    ``attn_implementation`` None keeps transformers' choice (SDPA where the model supports it); the
    reference protocol asks for ``eager``. 4-bit loading needs CUDA and bitsandbytes. With
    ``device_map`` None on CUDA, weights that would fill more than 85 % of the free memory are spread
    with ``device_map="auto"`` (accelerate), which also offloads to the CPU.
    """
    torch = require_torch()
    require_transformers()  # a missing extra is named before any option is checked
    # bad device/dtype options fail before anything goes to the network
    resolved_device = resolve_device(device)
    resolved_dtype = resolve_dtype(dtype, resolved_device)
    source, revision = _source_and_revision(model, revision)
    config = load_config(source, trust_remote_code=trust_remote_code, revision=revision)
    check_causal_lm(config, model, trust_remote_code=trust_remote_code)
    spec = _spec_or_none(config, source)
    torch_dtype = getattr(torch, resolved_dtype)
    notes: list[str] = []
    kwargs: dict[str, Any] = {"dtype": torch_dtype, "trust_remote_code": trust_remote_code, "revision": revision}
    if attn_implementation is not None:
        kwargs["attn_implementation"] = attn_implementation
    quantization = None
    if load_in_4bit:
        kwargs["quantization_config"] = _four_bit_config(resolved_device)
        device_map = device_map or "auto"
        quantization = FOUR_BIT_QUANTIZATION
    if device_map is None and resolved_device.startswith("cuda") and spec is not None:
        device_map = _spread_if_too_big(spec, torch_dtype, resolved_device, notes)
    if device_map is not None:
        kwargs["device_map"] = _device_map_argument(device_map, resolved_device)
    loaded = _from_pretrained(source, kwargs, model=model, device=resolved_device, dtype=resolved_dtype)
    if device_map is None and quantization is None:
        loaded = loaded.to(resolved_device)
    loaded.eval()
    input_device = loaded.get_input_embeddings().weight.device
    found = _tokenizer_or_none(
        source, trust_remote_code=trust_remote_code, revision=revision, notes=notes, tokenizer=tokenizer
    )
    return LoadedModel(
        model=loaded,
        tokenizer=found,
        config=config,
        name=model,
        source=source,
        spec=spec,
        device=str(input_device) if device_map is None else f"{resolved_device} (device_map=auto)",
        input_device=input_device,
        dtype=resolved_dtype if quantization is None else "4-bit",
        device_map=device_map,
        quantization=quantization,
        vocab_size=_drawable_vocab_size(loaded, found),
        special_ids=_special_ids(config, found),
        notes=notes,
    )


def _source_and_revision(model: str, revision: str | None) -> tuple[str, str | None]:
    """MODEL → (local directory or Hub repo id, revision); a Hub id may carry ``@revision`` like every
    other command accepts."""
    source = resolve_source(model)
    if not Path(source).exists():
        from tafagent.adapters.hub.reference import parse_hub_ref

        ref = parse_hub_ref(source, revision)
        source, revision = ref.repo_id, ref.revision
    return source, revision


def _four_bit_config(device: str) -> Any:
    """bitsandbytes 4-bit weights: nf4, float16 compute, double quantization (CUDA only)."""
    if not device.startswith("cuda"):
        raise UsageError("--load-in-4bit needs a CUDA device", "drop --load-in-4bit or use --device cuda")
    try:
        import bitsandbytes  # noqa: F401
    except ImportError:
        raise DependencyError("--load-in-4bit needs bitsandbytes", "pip install bitsandbytes") from None
    return require_transformers().BitsAndBytesConfig(
        load_in_4bit=True, bnb_4bit_compute_dtype=require_torch().float16, bnb_4bit_use_double_quant=True
    )


def _spread_if_too_big(spec: ModelSpec, torch_dtype: Any, device: str, notes: list[str]) -> str | None:
    """``"auto"`` (with a note) when the weights alone would fill more than GPU_FILL_LIMIT of the free GPU
    memory, else None (the model goes to ``device`` whole)."""
    torch = require_torch()
    weight_bytes = spec.n_params * torch.tensor([], dtype=torch_dtype).element_size()
    free_bytes = torch.cuda.mem_get_info(torch.device(device))[0]
    if weight_bytes <= GPU_FILL_LIMIT * free_bytes:
        return None
    notes.append(
        f"weights (~{weight_bytes / 1e9:.1f} GB) exceed {GPU_FILL_LIMIT:.0%} of the free GPU memory "
        f"({free_bytes / 1e9:.1f} GB): spread with device_map='auto' (CPU offload)"
    )
    return "auto"


def _device_map_argument(device_map: str, device: str) -> Any:
    """The ``device_map`` that from_pretrained gets: accelerate's ``"auto"``, or everything on the CPU."""
    if device_map != "auto":
        raise UsageError(f"unknown --device-map {device_map!r}", "use --device-map auto")
    try:
        import accelerate  # noqa: F401
    except ImportError:
        raise DependencyError("device_map='auto' needs accelerate", "pip install 'tafagent[diagnose]'") from None
    return "auto" if device != "cpu" else {"": "cpu"}


def _from_pretrained(source: str, kwargs: dict[str, Any], *, model: str, device: str, dtype: str) -> Any:
    """AutoModelForCausalLM.from_pretrained with one-line errors for out-of-memory, missing and odd models."""
    torch = require_torch()
    try:
        return require_transformers().AutoModelForCausalLM.from_pretrained(source, **kwargs)
    except torch.OutOfMemoryError:
        raise MeasurementMemoryError(
            f"'{model}' does not fit in {device} memory at {dtype}",
            "try --device-map auto (CPU offload), --dtype bfloat16 or --load-in-4bit",
        ) from None
    except OSError as error:
        raise ModelNotFoundError(f"cannot load the weights of '{source}': {_first_line(error)}", _hub_hint()) from None
    except (ValueError, KeyError, TypeError) as error:
        raise UnsupportedModelError(f"cannot load '{source}' as a causal LM: {_first_line(error)}") from None


def from_model(model: Any, *, tokenizer: Any = None, name: str = "model") -> LoadedModel:
    """Wrap an already loaded ``PreTrainedModel`` (Python API and tests); nothing is moved. A placeholder
    tokenizer (:func:`is_placeholder_tokenizer`) counts as none."""
    if tokenizer is not None and is_placeholder_tokenizer(tokenizer):
        tokenizer = None
    config = model.config
    spec = _spec_or_none(config, name)
    input_device = model.get_input_embeddings().weight.device
    dtype = str(next(model.parameters()).dtype).removeprefix("torch.")
    return LoadedModel(
        model=model,
        tokenizer=tokenizer,
        config=config,
        name=name,
        source=name,
        spec=spec,
        device=str(input_device),
        input_device=input_device,
        dtype=dtype,
        vocab_size=_drawable_vocab_size(model, tokenizer),
        special_ids=_special_ids(config, tokenizer),
    )


def _drawable_vocab_size(model: Any, tokenizer: Any) -> int:
    """How many ids random prompts may draw from: the embedding rows, capped by the tokenizer's vocabulary
    (the reference draws below tokenizer.vocab_size)."""
    vocab = int(model.get_input_embeddings().weight.shape[0])
    if tokenizer is not None and isinstance(getattr(tokenizer, "vocab_size", None), int):
        vocab = min(vocab, int(tokenizer.vocab_size))
    return vocab


def _spec_or_none(config: Any, source: str) -> ModelSpec | None:
    try:
        return resolve_spec(config.to_dict(), source)
    except ConfigError:
        return None


TOKENIZER_FILES = (
    "tokenizer.json",
    "tokenizer_config.json",
    "tokenizer.model",
    "vocab.json",
    "vocab.txt",
    "merges.txt",
    "spiece.model",
    "sentencepiece.bpe.model",
    "tiktoken.model",
)


def _tokenizer_or_none(
    source: str, *, trust_remote_code: bool, revision: str | None, notes: list[str], tokenizer: str | None = None
) -> Any:
    """The model's tokenizer (or the one ``tokenizer`` names), or None with a note when there is none.

    A ``save_pretrained`` directory without tokenizer files gets none: transformers 5 would otherwise
    build a placeholder from the model type (e.g. GPT-NeoX's two special tokens) that tokenizes nothing.
    """
    transformers = require_transformers()
    chosen = tokenizer or source
    local = Path(chosen)
    if local.is_dir() and not any((local / name).is_file() for name in TOKENIZER_FILES):
        notes.append("no tokenizer files: random ids from the model's vocabulary (config special ids excluded)")
        return None
    try:
        loaded = transformers.AutoTokenizer.from_pretrained(
            chosen, trust_remote_code=trust_remote_code, revision=None if tokenizer else revision
        )
    except Exception as error:  # any failure only disables the text corpus; say why
        if tokenizer is not None:
            raise ModelNotFoundError(
                f"cannot load --tokenizer '{tokenizer}': {_first_line(error)}", _hub_hint()
            ) from None
        notes.append(f"no tokenizer ({_first_line(error)[:120]}): random ids from the model's vocabulary")
        return None
    if is_placeholder_tokenizer(loaded):
        notes.append(
            "no tokenizer files (only a placeholder of special tokens): random ids from the model's vocabulary"
        )
        return None
    return loaded


def is_placeholder_tokenizer(tokenizer: Any) -> bool:
    """True for a tokenizer without one ordinary (non-special, non-added) token: what transformers builds
    from the model type alone when a directory has no tokenizer files."""
    size = getattr(tokenizer, "vocab_size", None)
    if not isinstance(size, int) or size < 2:
        return True
    special = {int(i) for i in getattr(tokenizer, "all_special_ids", None) or [] if isinstance(i, int)}
    special.update(int(i) for i in (getattr(tokenizer, "added_tokens_decoder", None) or {}))
    try:
        vocab = tokenizer.get_vocab()
    except Exception:  # a tokenizer without get_vocab: judge by its size alone
        return size <= len(special)
    return not any(i not in special for i in vocab.values())


@contextlib.contextmanager
def quiet_transformers() -> Iterator[None]:
    """Silence transformers' and huggingface_hub's progress bars and warnings while loading (errors stay one
    line); restore after."""
    import logging as std_logging

    from transformers.utils import logging

    verbosity = logging.get_verbosity()
    bars = logging.is_progress_bar_enabled()
    hub_logger = std_logging.getLogger("huggingface_hub")  # its retry warnings are not the user's error line
    hub_level = hub_logger.level
    logging.set_verbosity_error()
    logging.disable_progress_bar()
    hub_logger.setLevel(std_logging.ERROR)
    try:
        yield
    finally:
        logging.set_verbosity(verbosity)
        hub_logger.setLevel(hub_level)
        if bars:
            logging.enable_progress_bar()


def _special_ids(config: Any, tokenizer: Any) -> frozenset[int]:
    ids: set[int] = set()
    for key in (
        "bos_token_id",
        "eos_token_id",
        "pad_token_id",
        "unk_token_id",
        "sep_token_id",
        "decoder_start_token_id",
    ):
        value = getattr(config, key, None)
        for item in value if isinstance(value, (list, tuple)) else [value]:
            if isinstance(item, int) and not isinstance(item, bool):
                ids.add(item)
    if tokenizer is not None:
        ids.update(int(i) for i in getattr(tokenizer, "all_special_ids", []) or [] if isinstance(i, int))
        ids.update(int(i) for i in (getattr(tokenizer, "added_tokens_decoder", None) or {}))
    return frozenset(ids)


def _first_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]


def _hub_hint() -> str:
    return "check the id or path; gated models need HF_TOKEN, and offline mode needs the model in the local cache"
