"""Hugging Face Hub adapter: ``org/name[@revision]`` → ModelSpec, with exact weight sizes from file headers.

Built on ``huggingface_hub`` (extra ``[hub]``, imported inside functions):

* ``HfApi.model_info`` (``GET /api/models/{repo}[/revision/{rev}]``) gives the commit sha and the file list;
* ``hf_hub_download`` fetches ``config.json`` through ``/{repo}/resolve/{rev}/config.json`` into the Hub cache
  (so LFS files resolve to their content, never to pointer text, and a warm cache works offline);
* safetensors and GGUF headers are read with HTTP range requests on the same ``/resolve/`` URLs through the
  library's HTTP session (a few KB per file; no weights are downloaded) and parsed by the pure
  :mod:`tafagent.core.spec.weight_headers`.

The environment is read at call time (``HF_ENDPOINT``, ``HF_HOME``/``HF_HUB_CACHE``, ``HF_HUB_OFFLINE``,
``HF_TOKEN``, ``HF_HUB_ETAG_TIMEOUT``) and passed to the library explicitly, because ``huggingface_hub``
freezes its own copies at import. ``TAF_HUB_ATTEMPTS`` (3) and ``TAF_HUB_BACKOFF_S`` (1.0) bound the retries
of transient failures (timeouts, connection errors, HTTP 408/429/5xx): exponential backoff, at most 8 s.
Every failure becomes one :class:`TafError` line with its fix; a token is never shown.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import os
import re
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

from tafagent.adapters.errors import HubAccessError, HubError, HubUnavailableError
from tafagent.core.errors import (
    ConfigError,
    DependencyError,
    HeaderTruncatedError,
    ModelNotFoundError,
    TafError,
    UsageError,
    WeightHeaderError,
)
from tafagent.core.spec.config_text import MAX_CONFIG_BYTES, REPO_ID, parse_config_text
from tafagent.core.spec.model_spec import FieldSource, ModelSpec
from tafagent.core.spec.presets import suggest_presets
from tafagent.core.spec.resolve import resolve_spec
from tafagent.core.spec.weight_headers import (
    GGUFConfig,
    GGUFHeader,
    HeaderWeights,
    SafetensorsHeader,
    check_params,
    gguf_to_config,
    parse_gguf_header,
    parse_safetensors_header,
    safetensors_header_length,
    summarize_gguf,
    summarize_safetensors,
)

T = TypeVar("T")

DEFAULT_ENDPOINT = "https://huggingface.co"
DEFAULT_TIMEOUT_S = 10.0
DEFAULT_ATTEMPTS = 3
DEFAULT_BACKOFF_S = 1.0
MAX_BACKOFF_S = 8.0
TRANSIENT_STATUS = frozenset({408, 429, 500, 502, 503, 504})
CONFIG_FILE = "config.json"
SAFETENSORS_INDEX = "model.safetensors.index.json"
SAFETENSORS_SINGLE = "model.safetensors"
GPTQ_QUANTIZE_CONFIG = "quantize_config.json"  # older GPTQ repos keep bits/group size here, not in config.json
SAFETENSORS_FIRST_READ_BYTES = 64 * 1024  # most headers fit: one request per file
GGUF_FIRST_READ_BYTES = 1 << 20
MAX_GGUF_HEADER_BYTES = 256 << 20  # metadata with a 256k-token vocabulary and merges is ~10 MB
HEADER_WORKERS = 8
LFS_POINTER_PREFIX = b"version https://git-lfs.github.com/spec/"
GGUF_PREFERENCE = ("Q4_K_M", "Q4_K_S", "Q5_K_M", "Q6_K", "Q8_0", "Q5_K_S", "Q4_0", "BF16", "F16")
_SPLIT_GGUF = re.compile(r"-(\d{5})-of-(\d{5})\.gguf$", re.IGNORECASE)


# =============================================================================================
# Settings and references
# =============================================================================================
@dataclass(frozen=True)
class HubSettings:
    """Where and how to reach the Hub, read from the environment at call time."""

    endpoint: str
    cache_dir: Path
    offline: bool
    token: str | None = field(repr=False)
    token_origin: str
    timeout_s: float
    attempts: int
    backoff_s: float

    @classmethod
    def from_env(cls, token: str | None = None, environ: Mapping[str, str] | None = None) -> HubSettings:
        """Settings from ``environ`` (default ``os.environ``); an explicit ``token`` wins over ``HF_TOKEN``."""
        env = os.environ if environ is None else environ
        endpoint = (env.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).strip().rstrip("/")
        default_home = Path(env.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "huggingface"
        home = Path(env.get("HF_HOME") or default_home).expanduser()
        cache = Path(env.get("HF_HUB_CACHE") or env.get("HUGGINGFACE_HUB_CACHE") or home / "hub").expanduser()
        offline = _truthy(env.get("HF_HUB_OFFLINE")) or _truthy(env.get("TRANSFORMERS_OFFLINE"))
        found, origin = _find_token(token, env, home)
        attempts = int(_env_number(env, "TAF_HUB_ATTEMPTS", DEFAULT_ATTEMPTS))
        return cls(
            endpoint=endpoint,
            cache_dir=cache,
            offline=offline,
            token=found,
            token_origin=origin,
            timeout_s=_env_number(env, "HF_HUB_ETAG_TIMEOUT", DEFAULT_TIMEOUT_S),
            attempts=max(1, attempts),
            backoff_s=max(0.0, _env_number(env, "TAF_HUB_BACKOFF_S", DEFAULT_BACKOFF_S)),
        )

    @property
    def endpoint_label(self) -> str:
        return "the Hugging Face Hub" if self.endpoint == DEFAULT_ENDPOINT else f"the Hub at {self.endpoint}"


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def _env_number(env: Mapping[str, str], name: str, default: float) -> float:
    text = env.get(name)
    if text is None or not text.strip():
        return default
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"environment variable {name}={text!r} is not a number", f"unset {name} or fix it") from None
    if value != value or value < 0:
        raise UsageError(f"environment variable {name}={text!r} must be a number ≥ 0", f"unset {name} or fix it")
    return value


def _find_token(explicit: str | None, env: Mapping[str, str], home: Path) -> tuple[str | None, str]:
    """--token, then HF_TOKEN, HUGGING_FACE_HUB_TOKEN, then the saved login (HF_TOKEN_PATH or HF_HOME/token)."""
    if explicit is not None and explicit.strip():
        return explicit.strip(), "--token"
    for name in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"):
        value = env.get(name, "").strip()
        if value:
            return value, name
    path = Path(env.get("HF_TOKEN_PATH") or home / "token").expanduser()
    try:
        saved = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        saved = ""
    return (saved, f"the saved login ({path})") if saved else (None, "none")


@dataclass(frozen=True)
class HubRef:
    """A repo id and the revision asked for (None = the default branch)."""

    repo_id: str
    revision: str | None

    @property
    def label(self) -> str:
        return self.repo_id if self.revision is None else f"{self.repo_id}@{self.revision}"


def parse_hub_ref(model: str, revision: str | None = None) -> HubRef:
    """``org/name[@revision]``; a revision both in the name and in ``revision`` must agree."""
    text = model.strip()
    name, sep, in_name = text.partition("@")
    name = name.strip().strip("/")
    if not REPO_ID.match(name):
        raise ModelNotFoundError(f"'{text}' is not a Hub id", "a Hub id looks like org/name or org/name@revision")
    rev = in_name.strip() if sep else None
    if sep and not rev:
        raise UsageError(f"'{text}' ends with '@' but names no revision", "write org/name@main or drop the '@'")
    if revision is not None and revision.strip():
        if rev is not None and rev != revision.strip():
            raise UsageError(
                f"two revisions given for {name}: '@{rev}' and --revision {revision.strip()}", "give one of them"
            )
        rev = revision.strip()
    return HubRef(name, rev)


# =============================================================================================
# The library
# =============================================================================================
@dataclass(frozen=True)
class _Lib:
    """The parts of huggingface_hub (and its HTTP library) this adapter uses."""

    hub: ModuleType
    errors: ModuleType
    transport: ModuleType
    version: str

    def error(self, name: str) -> type[BaseException]:
        """An error class by name; one missing in this library version matches nothing."""
        found = getattr(self.errors, name, None)
        return found if isinstance(found, type) else _NeverRaised


class _NeverRaised(Exception):
    """Stands in for an error class that the installed huggingface_hub does not define."""


def _library() -> _Lib:
    try:
        hub = importlib.import_module("huggingface_hub")
        errors = importlib.import_module("huggingface_hub.errors")
        utils = importlib.import_module("huggingface_hub.utils")
    except ImportError as exc:
        raise DependencyError(
            "reading Hub ids needs the huggingface_hub package", "pip install 'tafagent[hub]'"
        ) from exc
    # huggingface_hub ≥ 1.0 speaks httpx (2.x: httpx2); its session tells which module raises transport errors.
    transport = importlib.import_module(type(utils.get_session()).__module__.split(".")[0])
    if not hasattr(transport, "TimeoutException"):
        raise DependencyError(
            f"huggingface_hub {hub.__version__} is too old for tafagent", "pip install -U 'tafagent[hub]'"
        )
    return _Lib(hub, errors, transport, hub.__version__)


@contextmanager
def _quiet_library() -> Iterator[None]:
    """Keep huggingface_hub's retry warnings off stderr: failures reach the user as one TafError line."""
    logger = logging.getLogger("huggingface_hub")
    previous = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(previous)


def _silent_tqdm(lib: _Lib) -> type:
    """huggingface_hub's progress bar class, always disabled (config files are tiny; stdout stays clean)."""

    class _Silent(lib.hub.utils.tqdm):  # type: ignore[misc, name-defined]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["disable"] = True
            super().__init__(*args, **kwargs)

    return _Silent


class _Exhausted(Exception):
    """A transient failure that outlived the bounded retries."""

    def __init__(self, error: BaseException, attempts: int) -> None:
        super().__init__(str(error))
        self.error = error
        self.attempts = attempts


# =============================================================================================
# Entry point
# =============================================================================================
def load_hub_spec(
    model: str, *, revision: str | None = None, token: str | None = None, read_weights: bool = True
) -> ModelSpec:
    """The ModelSpec of Hub repo ``model`` (``org/name[@revision]``), with provenance and exact weight sizes.

    ``read_weights=False`` skips the header reads (config only). Raises :class:`TafError` subclasses only.
    """
    ref = parse_hub_ref(model, revision)
    settings = HubSettings.from_env(token)
    lib = _library()
    with _quiet_library():
        return _Loader(lib, settings, ref).load(read_weights)


@dataclass
class _Snapshot:
    """What the Hub said about the repo: canonical id, commit sha, files; or that the cache must do."""

    repo_id: str
    sha: str | None
    files: tuple[str, ...] | None
    mode: str  # "online", "offline" (HF_HUB_OFFLINE) or "fallback" (the Hub did not answer)
    gated: Any = None


class _Loader:
    def __init__(self, lib: _Lib, settings: HubSettings, ref: HubRef) -> None:
        self.lib = lib
        self.settings = settings
        self.ref = ref
        self.warnings: list[str] = []
        self.fallback_error: BaseException | None = None
        # A string sends that token; False sends none (never the library's implicit lookup, which reads
        # paths frozen at import time).
        self.token_arg: str | bool = settings.token or False

    # ---- flow --------------------------------------------------------------------------------
    def load(self, read_weights: bool) -> ModelSpec:
        snapshot = self._snapshot()
        if snapshot.files is not None and CONFIG_FILE not in snapshot.files:
            ggufs, others = choose_gguf(snapshot.files)
            if ggufs:
                return self._from_gguf(snapshot, ggufs, others)
            raise ConfigError(
                f"'{self.ref.label}' has neither a config.json nor a GGUF file",
                "tafagent reads a transformers config.json or a GGUF header; pass a local config.json instead",
            )
        path = self._download(CONFIG_FILE, snapshot)
        sha = _sha_from_cache_path(path) or snapshot.sha
        raw = _read_cached(path, f"{self.ref.repo_id}/{CONFIG_FILE}")
        config = _parse_config_bytes(raw, f"{self.ref.label}: {CONFIG_FILE}")
        provenance = self._provenance(snapshot, sha, CONFIG_FILE, hashlib.sha256(raw).hexdigest())
        spec = self._resolve(config, provenance)
        if read_weights and snapshot.files is not None and sha is not None:
            spec = self._with_safetensors(spec, snapshot, sha, config)
        elif read_weights:
            why = "offline (HF_HUB_OFFLINE)" if snapshot.mode == "offline" else "the Hub did not answer"
            spec = replace(spec, provenance={**spec.provenance, "weights": f"not read: {why}"})
        return replace(spec, warnings=(*spec.warnings, *self.warnings))

    def _snapshot(self) -> _Snapshot:
        if self.settings.offline:
            return _Snapshot(self.ref.repo_id, None, None, "offline")
        api = self.lib.hub.HfApi(endpoint=self.settings.endpoint)
        try:
            info = self._retrying(
                lambda: api.model_info(
                    self.ref.repo_id,
                    revision=self.ref.revision,
                    timeout=self.settings.timeout_s,
                    token=self.token_arg,
                )
            )
        except _Exhausted as exhausted:
            # The Hub did not answer: a cached copy still gives an answer (with a warning).
            self.fallback_error = exhausted
            return _Snapshot(self.ref.repo_id, None, None, "fallback")
        except Exception as error:
            raise self._translate(error) from None
        files = tuple(s.rfilename for s in (info.siblings or ()))
        return _Snapshot(info.id or self.ref.repo_id, info.sha, files, "online", getattr(info, "gated", None))

    def _download(self, filename: str, snapshot: _Snapshot, revision: str | None = None) -> str:
        """A repo file through the Hub cache (``/resolve/``); offline or after a failure, the cache only."""
        local_only = snapshot.mode != "online"

        def call() -> str:
            return str(
                self.lib.hub.hf_hub_download(
                    self.ref.repo_id,
                    filename,
                    revision=revision or self.ref.revision or "main",
                    cache_dir=str(self.settings.cache_dir),
                    token=self.token_arg,
                    local_files_only=local_only,
                    endpoint=self.settings.endpoint,
                    etag_timeout=self.settings.timeout_s,
                    tqdm_class=_silent_tqdm(self.lib),
                )
            )

        try:
            # The library retries a failed HEAD itself but not a failed GET of the content: retry both here.
            path = call() if local_only else self._retrying(call)
        except Exception as error:
            if local_only:
                raise self._cold_cache(filename) from None
            raise self._translate(error, filename=filename) from None
        if snapshot.mode == "fallback" and self.fallback_error is not None and filename == CONFIG_FILE:
            reason = self._translate(self.fallback_error).message
            sha = _sha_from_cache_path(str(path))
            self.warnings.append(
                f"{reason}; using the cached {filename} of revision {sha[:12] if sha else 'unknown'} "
                "(it may be out of date; set HF_HUB_OFFLINE=1 to skip the network)"
            )
        return str(path)

    def _resolve(self, config: Mapping[str, Any], provenance: dict[str, str]) -> ModelSpec:
        try:
            return resolve_spec(config, self.ref.label, provenance=provenance)
        except ConfigError as error:
            # The resolver's own type (UnsupportedModelError for vision-only, embedding, encoder-decoder
            # configs) and hint reach the user, prefixed with the repo so they know which config spoke.
            raise type(error)(f"{self.ref.label}: {error.message}", error.hint, field=error.field) from None

    def _provenance(self, snapshot: _Snapshot, sha: str | None, config_file: str, digest: str) -> dict[str, str]:
        mode = {
            "online": "downloaded or revalidated through the Hub cache",
            "offline": "Hub cache (HF_HUB_OFFLINE)",
            "fallback": "Hub cache (the Hub did not answer)",
        }[snapshot.mode]
        out = {
            "source": "huggingface-hub",
            "repo_id": snapshot.repo_id,
            "revision_requested": self.ref.revision or "main",
            "revision": sha or "unknown",
            "config_file": config_file,
            "config_sha256": digest,
            "endpoint": self.settings.endpoint,
            "fetched": mode,
        }
        if snapshot.gated not in (None, False):
            out["gated"] = str(snapshot.gated)
        return out

    # ---- safetensors ---------------------------------------------------------------------------
    def _with_safetensors(self, spec: ModelSpec, snapshot: _Snapshot, sha: str, config: Mapping[str, Any]) -> ModelSpec:
        files = snapshot.files or ()
        try:
            shards = self._safetensors_files(files, sha)
            if not shards:
                ggufs, _ = choose_gguf(files)
                if ggufs:  # a GGUF repo that also carries config.json: the GGUF headers give the sizes
                    read = self._parallel(ggufs, lambda name: self._gguf_header(name, sha))
                    source = f"GGUF header(s) of {', '.join(ggufs)} in {snapshot.repo_id}@{sha[:12]}"
                    weights = summarize_gguf({name: header for name, (header, _) in read.items()}, source=source)
                    return self._attach(spec, weights)
                what = "only PyTorch .bin files" if any(f.endswith(".bin") for f in files) else "no safetensors files"
                return replace(spec, provenance={**spec.provenance, "weights": f"not read: the repo has {what}"})
            bits, method, origin = self._quant_bits(spec, config, files, sha)
            headers = self._parallel(shards, lambda name: self._safetensors_header(name, sha))
            source = f"safetensors headers of {len(shards)} file(s) of {snapshot.repo_id}@{sha[:12]}"
            weights = summarize_safetensors(
                headers, source=source, quant_bits=bits, quant_method=method, tied_embeddings=spec.tie_embeddings
            )
            if origin:
                weights = replace(weights, notes=(*weights.notes, origin))
        except (TafError, _Exhausted, *self._library_errors()) as error:
            return self._weights_failed(spec, error)
        return self._attach(spec, weights)

    def _safetensors_files(self, files: tuple[str, ...], sha: str) -> tuple[str, ...]:
        if SAFETENSORS_INDEX in files:
            raw = _read_cached(self._pinned(SAFETENSORS_INDEX, sha), SAFETENSORS_INDEX)
            index = _parse_config_bytes(raw, f"{self.ref.label}: {SAFETENSORS_INDEX}")
            weight_map = index.get("weight_map")
            if not isinstance(weight_map, dict) or not all(isinstance(v, str) for v in weight_map.values()):
                raise WeightHeaderError(f"{SAFETENSORS_INDEX} has no valid weight_map", "the repo index is corrupt")
            shards = tuple(sorted(set(weight_map.values())))
            missing = [s for s in shards if s not in files]
            if missing:
                raise WeightHeaderError(
                    f"{SAFETENSORS_INDEX} names {len(missing)} shard(s) the repo lacks (e.g. {missing[0]})",
                    "the repo upload is incomplete",
                )
            return shards
        root = sorted(f for f in files if f.endswith(".safetensors") and "/" not in f)
        if SAFETENSORS_SINGLE in root:
            return (SAFETENSORS_SINGLE,)
        # Mistral-style repos also carry consolidated.safetensors (the same weights in another layout).
        return tuple(f for f in root if not f.startswith("consolidated")) or tuple(root)

    def _quant_bits(
        self, spec: ModelSpec, config: Mapping[str, Any], files: tuple[str, ...], sha: str
    ) -> tuple[float | None, str | None, str]:
        """Bit width and method of packed weights: quantization_config, MLX 'quantization', quantize_config.json."""
        quant = spec.quantization
        if quant is not None:
            bits = quant.bits
            groups = quant.raw.get("config_groups")
            if bits is None and isinstance(groups, dict):  # compressed-tensors
                for group in groups.values():
                    num_bits = group.get("weights", {}).get("num_bits") if isinstance(group, dict) else None
                    if isinstance(num_bits, int) and num_bits > 0:
                        bits = float(num_bits)
                        break
            return bits, quant.method, ""
        mlx = config.get("quantization")
        if isinstance(mlx, dict) and isinstance(mlx.get("bits"), int) and mlx["bits"] > 0:
            return float(mlx["bits"]), "mlx", "bit width from config.json 'quantization' (MLX)"
        if GPTQ_QUANTIZE_CONFIG in files:
            raw = _read_cached(self._pinned(GPTQ_QUANTIZE_CONFIG, sha), GPTQ_QUANTIZE_CONFIG)
            qc = _parse_config_bytes(raw, f"{self.ref.label}: {GPTQ_QUANTIZE_CONFIG}")
            bits = qc.get("bits")
            if isinstance(bits, int) and bits > 0:
                method = qc.get("quant_method") if isinstance(qc.get("quant_method"), str) else "gptq"
                return float(bits), method, f"bit width from {GPTQ_QUANTIZE_CONFIG} ({bits} bits)"
        return None, None, ""

    def _safetensors_header(self, filename: str, sha: str) -> SafetensorsHeader:
        origin = f"{self.ref.repo_id}/{filename}"
        data = self._range(filename, sha, 0, SAFETENSORS_FIRST_READ_BYTES)
        length = safetensors_header_length(data, origin)
        if len(data) < 8 + length:
            data += self._range(filename, sha, len(data), 8 + length - len(data))
        return parse_safetensors_header(data, origin)

    # ---- GGUF ------------------------------------------------------------------------------------
    def _from_gguf(self, snapshot: _Snapshot, ggufs: tuple[str, ...], others: tuple[str, ...]) -> ModelSpec:
        sha = snapshot.sha or self.ref.revision or "main"
        try:
            read = self._parallel(ggufs, lambda name: self._gguf_header(name, sha))
        except (_Exhausted, *self._library_errors()) as error:
            raise self._translate(error, filename=ggufs[0]) from None
        headers = {name: header for name, (header, _) in read.items()}
        first_header, first_bytes = read[ggufs[0]]
        gguf_config = gguf_to_config(first_header)
        provenance = self._provenance(snapshot, snapshot.sha, f"{ggufs[0]} (GGUF metadata)", "")
        del provenance["config_sha256"]
        provenance["gguf_header_sha256"] = hashlib.sha256(first_bytes).hexdigest()
        if others:
            provenance["gguf_alternatives"] = ", ".join(others[:8]) + (" …" if len(others) > 8 else "")
        spec = self._resolve(gguf_config.config, provenance)
        spec = replace(spec, sources=_gguf_sources(spec.sources, gguf_config, ggufs[0]))
        source = f"GGUF header(s) of {', '.join(ggufs)} in {snapshot.repo_id}@{sha[:12]}"
        weights = summarize_gguf(headers, source=source)
        if gguf_config.notes:
            weights = replace(weights, notes=(*weights.notes, *gguf_config.notes))
        spec = self._attach(spec, weights)
        return replace(spec, warnings=(*spec.warnings, *self.warnings))

    def _gguf_header(self, filename: str, sha: str) -> tuple[GGUFHeader, bytes]:
        origin = f"{self.ref.repo_id}/{filename}"
        data = self._range(filename, sha, 0, GGUF_FIRST_READ_BYTES)
        at_end = len(data) < GGUF_FIRST_READ_BYTES
        while True:
            try:
                header = parse_gguf_header(data, origin)
                return header, data[: header.data_offset]
            except HeaderTruncatedError as short:
                if at_end:
                    raise WeightHeaderError(f"{origin} ends inside its header", "the file is truncated") from None
                target = max(short.needed_bytes, 2 * len(data))
                if target > MAX_GGUF_HEADER_BYTES:
                    raise WeightHeaderError(
                        f"{origin}: the GGUF header is larger than {MAX_GGUF_HEADER_BYTES >> 20} MiB",
                        "the file is corrupt or not a model GGUF",
                    ) from None
                more = self._range(filename, sha, len(data), target - len(data))
                at_end = len(more) < target - len(data)
                data += more

    # ---- weights → spec ----------------------------------------------------------------------------
    def _attach(self, spec: ModelSpec, weights: HeaderWeights) -> ModelSpec:
        check = check_params(spec.n_params, weights)
        warnings = list(spec.warnings)
        if check is not None:
            weights = replace(weights, notes=(*weights.notes, check.describe()))
            if check.warning():
                warnings.append(check.warning() or "")
        provenance = {**spec.provenance, "weights": weights.source}
        return replace(spec, stored_weights=weights, warnings=tuple(warnings), provenance=provenance)

    def _weights_failed(self, spec: ModelSpec, error: BaseException) -> ModelSpec:
        # Weight sizes supplement the config: failing to read them is a warning, never a wrong number.
        reason = self._translate(error).one_line()
        self.warnings.append(f"exact weight sizes unavailable: {reason}")
        return replace(spec, provenance={**spec.provenance, "weights": "not read (see warnings)"})

    # ---- HTTP helpers ------------------------------------------------------------------------------
    def _pinned(self, filename: str, sha: str) -> str:
        """A small repo file at the config's commit, through the cache."""
        snapshot = _Snapshot(self.ref.repo_id, sha, None, "online")
        return self._download(filename, snapshot, revision=sha)

    def _range(self, filename: str, sha: str, start: int, length: int) -> bytes:
        """Bytes [start, start+length) of a repo file via ``/resolve/`` (shorter at the end of the file)."""
        lib = self.lib
        url = lib.hub.hf_hub_url(self.ref.repo_id, filename, revision=sha, endpoint=self.settings.endpoint)
        headers = lib.hub.utils.build_hf_headers(
            token=self.token_arg,
            headers={"Range": f"bytes={start}-{start + length - 1}", "Accept-Encoding": "identity"},
        )

        def call() -> bytes:
            session = lib.hub.utils.get_session()
            with session.stream(
                "GET", url, headers=headers, timeout=self.settings.timeout_s, follow_redirects=True
            ) as response:
                if response.status_code == 416:
                    return b""  # the range starts at or after the end of the file
                if response.status_code >= 400:
                    response.read()
                    lib.hub.utils.hf_raise_for_status(response)
                # A server that ignores Range answers 200 with the whole file: skip to `start`, stop at `length`.
                skip = start if response.status_code == 200 else 0
                out = bytearray()
                for chunk in response.iter_bytes():
                    if skip:
                        cut = min(skip, len(chunk))
                        chunk, skip = chunk[cut:], skip - cut
                    out += chunk
                    if len(out) >= length:
                        break
                return bytes(out[:length])

        return self._retrying(call)

    def _parallel(self, names: tuple[str, ...], read: Callable[[str], T]) -> dict[str, T]:
        if len(names) == 1:
            return {names[0]: read(names[0])}
        with ThreadPoolExecutor(max_workers=min(HEADER_WORKERS, len(names))) as pool:
            results = list(pool.map(read, names))
        return dict(zip(names, results, strict=True))

    def _retrying(self, call: Callable[[], T]) -> T:
        """Run ``call``; retry transient failures with exponential backoff; raise _Exhausted when they persist."""
        attempts = self.settings.attempts
        for attempt in range(1, attempts + 1):
            try:
                return call()
            except Exception as error:
                if not self._transient(error):
                    raise
                if attempt == attempts:
                    raise _Exhausted(error, attempts) from None
                time.sleep(min(self.settings.backoff_s * 2 ** (attempt - 1), MAX_BACKOFF_S))
        raise AssertionError("unreachable")  # pragma: no cover

    def _transient(self, error: BaseException) -> bool:
        t = self.lib.transport
        if isinstance(error, t.TimeoutException | t.NetworkError | t.RemoteProtocolError):
            return True
        if isinstance(error, self.lib.error("HfHubHTTPError")):
            response = getattr(error, "response", None)
            return response is not None and response.status_code in TRANSIENT_STATUS
        return False

    def _library_errors(self) -> tuple[type[BaseException], ...]:
        t = self.lib.transport
        return (self.lib.error("HfHubHTTPError"), t.HTTPError, t.StreamError, OSError)

    # ---- errors -------------------------------------------------------------------------------------
    def _cold_cache(self, filename: str) -> TafError:
        where = f"{self.ref.repo_id}@{self.ref.revision or 'main'}"
        if self.fallback_error is not None:
            reason = self._translate(self.fallback_error, cache_checked=True)
            return type(reason)(reason.message, reason.hint)
        return HubUnavailableError(
            f"offline mode (HF_HUB_OFFLINE) and {filename} of '{where}' is not in the Hub cache",
            f"unset HF_HUB_OFFLINE to download it, or pass a local config.json (searched {self.settings.cache_dir})",
        )

    def _translate(self, error: BaseException, *, filename: str = CONFIG_FILE, cache_checked: bool = False) -> TafError:
        """One TafError line with the fix for any failure of the library or the network.

        ``cache_checked``: the Hub cache was searched and holds nothing for this repo (say so in the hint).
        """
        attempts = 1
        if isinstance(error, _Exhausted):
            attempts, error = error.attempts, error.error
        if isinstance(error, TafError):
            return error
        lib, s, repo = self.lib, self.settings, self.ref.repo_id
        rev = self.ref.revision or "main"
        tries = f"{attempts} tries" if attempts > 1 else "1 try"
        page = f"https://huggingface.co/{repo}" if s.endpoint == DEFAULT_ENDPOINT else f"{s.endpoint}/{repo}"
        if isinstance(error, lib.error("GatedRepoError")):
            if s.token:
                return HubAccessError(
                    f"'{repo}' is a gated model and the token from {s.token_origin} has no access to it",
                    f"accept the licence on {page} with that token's account, or use a token that has access",
                )
            return HubAccessError(
                f"'{repo}' is a gated model: its files need an accepted licence and a token",
                f"accept the licence on {page}, then set HF_TOKEN or pass --token",
            )
        if isinstance(error, lib.error("RevisionNotFoundError")):
            return ModelNotFoundError(
                f"'{repo}' has no revision '{rev}'", "give a branch, tag or full commit sha that exists (default: main)"
            )
        if isinstance(error, lib.error("RepositoryNotFoundError")):
            suggestions = _suggestions(repo)
            hint = (f"did you mean {', '.join(suggestions)}? " if suggestions else "") + "check the spelling"
            hint += (
                "; if the repo is private, check that your token can read it"
                if s.token
                else "; if the repo is private, set HF_TOKEN or pass --token"
            )
            return ModelNotFoundError(f"no model '{repo}' on {s.endpoint_label}", hint, suggestions=suggestions)
        if isinstance(error, lib.error("RemoteEntryNotFoundError")):
            return ConfigError(
                f"'{self.ref.label}' has no {filename}", "check the repo's files; or pass a local config.json"
            )
        if isinstance(error, lib.error("OfflineModeIsEnabled")):
            return self._cold_cache(filename)
        if isinstance(error, lib.error("HFValidationError")):
            return ModelNotFoundError(f"'{self.ref.label}' is not a valid Hub id", "a Hub id looks like org/name")
        if cache_checked:
            cache_hint = (
                f"nothing is cached for {repo}@{rev} in {s.cache_dir}: retry when the Hub answers, "
                f"or download {CONFIG_FILE} and pass its path"
            )
        else:
            cache_hint = f"retry later, use a cached copy (HF_HUB_OFFLINE=1) or pass a local {CONFIG_FILE}"
        if isinstance(error, lib.error("HfHubHTTPError")):
            response = getattr(error, "response", None)
            status = response.status_code if response is not None else 0
            if status == 429:
                return HubUnavailableError(
                    f"{s.endpoint_label} is rate-limiting requests (HTTP 429, {tries})",
                    "wait a minute and retry; a token (HF_TOKEN) raises the limit",
                )
            if status in (401, 403):
                return HubAccessError(
                    f"{s.endpoint_label} refused access to '{repo}' (HTTP {status})",
                    "set HF_TOKEN or pass --token with a token that can read it",
                )
            if status >= 500:
                return HubUnavailableError(
                    f"{s.endpoint_label} failed with HTTP {status} for '{repo}' ({tries})", cache_hint
                )
            return HubError(f"{s.endpoint_label} answered HTTP {status} for '{repo}'", cache_hint)
        t = lib.transport
        if isinstance(error, t.TimeoutException):
            return HubUnavailableError(
                f"{s.endpoint_label} did not answer within {s.timeout_s:g} s ({tries})",
                f"check your connection or raise HF_HUB_ETAG_TIMEOUT; {cache_hint}",
            )
        if isinstance(error, t.NetworkError | t.RemoteProtocolError):
            return HubUnavailableError(
                f"cannot reach {s.endpoint_label} ({type(error).__name__})", f"check your connection; {cache_hint}"
            )
        if isinstance(error, lib.error("LocalEntryNotFoundError")):
            # Online, the library could not locate the file and had no cached copy: a network problem.
            return HubUnavailableError(
                f"could not download {filename} of '{self.ref.label}' from {s.endpoint_label}, and it is not cached",
                cache_hint,
            )
        if isinstance(error, lib.error("FileMetadataError")):
            return HubError(
                f"{s.endpoint} does not answer like a Hugging Face Hub", "check HF_ENDPOINT, proxy and certificates"
            )
        first_line = (str(error).strip().splitlines() or [type(error).__name__])[0][:200]
        return HubError(f"reading '{self.ref.label}' from {s.endpoint_label} failed: {first_line}", cache_hint)


# =============================================================================================
# Pure helpers
# =============================================================================================
def choose_gguf(files: tuple[str, ...] | list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The GGUF model file(s) to read (all shards of a split file) and the other variants.

    Projector files (``mmproj``) are skipped; among quantisation variants the first of GGUF_PREFERENCE in
    the file name wins (Q4_K_M, the most downloaded mix), else the first name in sorted order.
    """
    ggufs = sorted(f for f in files if f.lower().endswith(".gguf") and "mmproj" not in f.rsplit("/", 1)[-1].lower())
    groups: dict[str, list[str]] = {}
    for name in ggufs:
        groups.setdefault(_SPLIT_GGUF.sub("", name), []).append(name)
    if not groups:
        return (), ()

    def rank(stem: str) -> tuple[int, str]:
        upper = stem.upper()
        for i, quant in enumerate(GGUF_PREFERENCE):
            if re.search(rf"(^|[^A-Z0-9]){quant}($|[^A-Z0-9])", upper):
                return i, stem
        return len(GGUF_PREFERENCE), stem

    chosen = min(groups, key=rank)
    others = tuple(sorted(stem for stem in groups if stem != chosen))
    return tuple(groups[chosen]), others


def _gguf_sources(sources: Mapping[str, FieldSource], cfg: GGUFConfig, filename: str) -> dict[str, FieldSource]:
    """Name the GGUF metadata key (or derivation) behind each field read from the synthesized config."""
    out: dict[str, FieldSource] = {}
    for name, source in sources.items():
        key = source.key
        if source.kind == "config" and key in cfg.key_sources:
            out[name] = FieldSource("config", cfg.key_sources[key], f"GGUF metadata of {filename}, read as {key}")
        elif source.kind == "config" and key in cfg.derived_notes:
            out[name] = FieldSource("derived", None, cfg.derived_notes[key])
        else:
            out[name] = source
    return out


def _sha_from_cache_path(path: str) -> str | None:
    """The commit sha of a file in the Hub cache: ``…/snapshots/<sha>/<file>``."""
    parts = Path(path).parts
    for i, part in enumerate(parts[:-1]):
        if part == "snapshots" and re.fullmatch(r"[0-9a-f]{40}", parts[i + 1]):
            return parts[i + 1]
    return None


def _read_cached(path: str, origin: str) -> bytes:
    try:
        size = os.path.getsize(path)
        if size > MAX_CONFIG_BYTES:
            raise ConfigError(f"{origin} is {size:,} bytes, far larger than a config file", "check the repo")
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise HubError(f"cannot read the cached {origin}: {exc.strerror or exc}", "check HF_HOME") from exc


def _parse_config_bytes(raw: bytes, origin: str) -> dict[str, Any]:
    """JSON object from bytes; LFS pointer text and malformed JSON get their own one-line errors."""
    if raw.startswith(LFS_POINTER_PREFIX):
        raise ConfigError(
            f"{origin} is a Git LFS pointer, not the file's content",
            "the repo committed the pointer itself; ask its owner to upload the real file, or pass a local config",
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"{origin} is not UTF-8 text", "the repo's file is corrupt; pass a local config") from None
    return parse_config_text(text, origin)


def _suggestions(repo_id: str) -> list[str]:
    """Did-you-mean names from the presets and aliases, for the full id and for its name part."""
    out: list[str] = []
    for name in (repo_id, repo_id.rsplit("/", 1)[-1]):
        for suggestion in suggest_presets(name):
            if suggestion not in out:
                out.append(suggestion)
    return out[:3]
