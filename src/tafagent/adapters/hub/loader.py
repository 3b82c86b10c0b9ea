"""``load_hub_spec``: a Hub repo ``org/name[@revision]`` → ModelSpec, with exact weight sizes from file headers.

The flow, one request pattern per step:

1. model info (``GET /api/models/{repo}[/revision/{rev}]``, :mod:`tafagent.adapters.hub.model_info`) gives
   the commit sha and the file list; offline (HF_HUB_OFFLINE) it is skipped, and when the Hub does not
   answer the Hub cache must do;
2. ``config.json`` through the Hub cache (:mod:`tafagent.adapters.hub.files`), resolved by the core;
   a repo with no config.json but GGUF files is read from the GGUF metadata instead;
3. the safetensors (or GGUF) headers by range requests (:mod:`tafagent.adapters.hub.headers`), at most
   MAX_HEADER_FILES files: failing to read them is a warning, never a wrong number.

All of it runs under one deadline (``TAF_HUB_DEADLINE_S``, :mod:`tafagent.adapters.hub.guard`). Every
failure becomes one :class:`TafError` line with its fix (:mod:`tafagent.adapters.hub.translate`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from tafagent.adapters.hub.deadline import HubDeadline
from tafagent.adapters.hub.files import (
    CONFIG_FILE,
    download_file,
    parse_json_bytes,
    read_cached,
    sha_from_cache_path,
)
from tafagent.adapters.hub.guard import guarded
from tafagent.adapters.hub.headers import read_each, read_gguf_header, read_safetensors_header
from tafagent.adapters.hub.library import load_library, quiet_library
from tafagent.adapters.hub.model_info import fetch_listing
from tafagent.adapters.hub.reference import parse_hub_ref
from tafagent.adapters.hub.retry import RetriesExhausted, library_errors
from tafagent.adapters.hub.session import HubSession
from tafagent.adapters.hub.settings import HubSettings
from tafagent.adapters.hub.translate import cold_cache_error, translate
from tafagent.adapters.hub.weight_files import (
    GPTQ_QUANTIZE_CONFIG,
    NO_QUANT_BITS,
    SAFETENSORS_INDEX,
    QuantBits,
    choose_gguf,
    header_files_over_cap,
    quant_bits_from_config,
    quant_bits_from_quantize_config,
    root_safetensors,
    shards_from_index,
)
from tafagent.core.errors import ConfigError, TafError
from tafagent.core.spec.gguf_config import GGUFConfig, gguf_to_config
from tafagent.core.spec.gguf_header import summarize_gguf
from tafagent.core.spec.model_spec import FieldSource, ModelSpec
from tafagent.core.spec.resolve import resolve_spec
from tafagent.core.spec.safetensors_header import summarize_safetensors
from tafagent.core.spec.weights_summary import HeaderWeights, attach_header_weights

FETCHED_BY_MODE = {
    "online": "downloaded or revalidated through the Hub cache",
    "offline": "Hub cache (HF_HUB_OFFLINE)",
    "fallback": "Hub cache (the Hub did not answer)",
}


def load_hub_spec(
    model: str, *, revision: str | None = None, token: str | None = None, read_weights: bool = True
) -> ModelSpec:
    """The ModelSpec of Hub repo ``model`` (``org/name[@revision]``), with provenance and exact weight sizes.

    ``read_weights=False`` skips the header reads (config only). Raises :class:`TafError` subclasses only.
    Everything it asks the Hub runs under one deadline, ``TAF_HUB_DEADLINE_S`` (default 60 s).
    """
    ref = parse_hub_ref(model, revision)
    settings = HubSettings.from_env(token)
    lib = load_library()
    deadline = HubDeadline.start(settings.deadline_s, settings.timeout_s)
    with quiet_library(), guarded(lib, deadline):
        return _Loader(HubSession(lib, settings, ref, deadline)).load(read_weights)


@dataclass
class _Snapshot:
    """What the Hub said about the repo: canonical id, commit sha, files; or that the cache must do."""

    repo_id: str
    sha: str | None
    files: tuple[str, ...] | None
    mode: str  # "online", "offline" (HF_HUB_OFFLINE) or "fallback" (the Hub did not answer)
    gated: Any = None


class _Loader:
    """One load: the session, the warnings gathered on the way, and the failure that forced the cache."""

    def __init__(self, session: HubSession) -> None:
        self.session = session
        self.ref = session.ref
        self.warnings: list[str] = []
        self.fallback_error: BaseException | None = None

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
        sha = sha_from_cache_path(path) or snapshot.sha
        raw = read_cached(path, f"{self.ref.repo_id}/{CONFIG_FILE}")
        config = parse_json_bytes(raw, f"{self.ref.label}: {CONFIG_FILE}")
        provenance = self._provenance(snapshot, sha, CONFIG_FILE, hashlib.sha256(raw).hexdigest())
        spec = self._resolve(config, provenance)
        if read_weights and snapshot.files is not None and sha is not None:
            spec = self._with_safetensors(spec, snapshot, sha, config)
        elif read_weights:
            why = "offline (HF_HUB_OFFLINE)" if snapshot.mode == "offline" else "the Hub did not answer"
            spec = replace(spec, provenance={**spec.provenance, "weights": f"not read: {why}"})
        return replace(spec, warnings=(*spec.warnings, *self.warnings))

    def _snapshot(self) -> _Snapshot:
        if self.session.settings.offline:
            return _Snapshot(self.ref.repo_id, None, None, "offline")
        try:
            listing = fetch_listing(self.session)
        except RetriesExhausted as exhausted:
            # The Hub did not answer: a cached copy still gives an answer (with a warning).
            self.fallback_error = exhausted
            return _Snapshot(self.ref.repo_id, None, None, "fallback")
        except Exception as error:
            raise self._translate(error) from None
        return _Snapshot(listing.repo_id, listing.sha, listing.files, "online", listing.gated)

    def _download(self, filename: str, snapshot: _Snapshot, revision: str | None = None) -> str:
        """A repo file through the Hub cache (``/resolve/``); offline, or when the Hub does not answer, the cache."""
        failure = self.fallback_error
        if snapshot.mode == "online":
            try:
                return download_file(self.session, filename, revision=revision, local_only=False)
            except RetriesExhausted as exhausted:
                failure = exhausted  # the library fell back to its cache here before its retries were cut
            except Exception as error:
                raise self._translate(error, filename=filename) from None
        try:
            path = download_file(self.session, filename, revision=revision, local_only=True)
        except Exception:
            if snapshot.mode == "online" and failure is not None:
                raise self._translate(failure, filename=filename, cache_checked=True) from None
            raise cold_cache_error(self.session, filename, self.fallback_error) from None
        if failure is not None and filename == CONFIG_FILE:
            reason = self._translate(failure).message
            sha = sha_from_cache_path(path)
            self.warnings.append(
                f"{reason}; using the cached {filename} of revision {sha[:12] if sha else 'unknown'} "
                "(it may be out of date; set HF_HUB_OFFLINE=1 to skip the network)"
            )
        return path

    def _pinned_json(self, filename: str, sha: str) -> dict[str, Any]:
        """A small JSON repo file at the config's commit, through the cache."""
        snapshot = _Snapshot(self.ref.repo_id, sha, None, "online")
        raw = read_cached(self._download(filename, snapshot, revision=sha), filename)
        return parse_json_bytes(raw, f"{self.ref.label}: {filename}")

    def _resolve(self, config: Mapping[str, Any], provenance: dict[str, str]) -> ModelSpec:
        try:
            return resolve_spec(config, self.ref.label, provenance=provenance)
        except ConfigError as error:
            # The resolver's own type (UnsupportedModelError for vision-only, embedding, encoder-decoder
            # configs) and hint reach the user, prefixed with the repo so they know which config spoke.
            raise type(error)(f"{self.ref.label}: {error.message}", error.hint, field=error.field) from None

    def _provenance(self, snapshot: _Snapshot, sha: str | None, config_file: str, digest: str) -> dict[str, str]:
        out = {
            "source": "huggingface-hub",
            "repo_id": snapshot.repo_id,
            "revision_requested": self.ref.revision or "main",
            "revision": sha or "unknown",
            "config_file": config_file,
            "config_sha256": digest,
            "endpoint": self.session.settings.endpoint,
            "fetched": FETCHED_BY_MODE[snapshot.mode],
        }
        if snapshot.gated not in (None, False):
            out["gated"] = str(snapshot.gated)
        return out

    def _translate(self, error: BaseException, *, filename: str = CONFIG_FILE, cache_checked: bool = False) -> TafError:
        return translate(
            error, self.session, filename=filename, cache_checked=cache_checked, fallback_error=self.fallback_error
        )

    # ---- safetensors ---------------------------------------------------------------------------
    def _with_safetensors(self, spec: ModelSpec, snapshot: _Snapshot, sha: str, config: Mapping[str, Any]) -> ModelSpec:
        files = snapshot.files or ()
        try:
            shards = self._safetensors_files(files, sha)
            if not shards:
                return self._without_safetensors(spec, snapshot, sha)
            over_cap = header_files_over_cap(shards)
            if over_cap is not None:
                return _weights_not_read(spec, over_cap)
            bits, method, origin = self._quant_bits(spec, config, files, sha)
            headers = read_each(shards, lambda name: read_safetensors_header(self.session, name, sha))
            source = f"safetensors headers of {len(shards)} file(s) of {snapshot.repo_id}@{sha[:12]}"
            weights = summarize_safetensors(
                headers, source=source, quant_bits=bits, quant_method=method, tied_embeddings=spec.tie_embeddings
            )
            if origin:
                weights = replace(weights, notes=(*weights.notes, origin))
        except (TafError, RetriesExhausted, *library_errors(self.session.lib)) as error:
            return self._weights_failed(spec, error)
        return self._attach(spec, weights)

    def _without_safetensors(self, spec: ModelSpec, snapshot: _Snapshot, sha: str) -> ModelSpec:
        """A repo with a config.json but no safetensors: GGUF headers give the sizes, else say what it has."""
        files = snapshot.files or ()
        ggufs, _ = choose_gguf(files)
        over_cap = header_files_over_cap(ggufs)
        if over_cap is not None:
            return _weights_not_read(spec, over_cap)
        if ggufs:
            read = read_each(ggufs, lambda name: read_gguf_header(self.session, name, sha))
            source = f"GGUF header(s) of {', '.join(ggufs)} in {snapshot.repo_id}@{sha[:12]}"
            weights = summarize_gguf({name: header for name, (header, _) in read.items()}, source=source)
            return self._attach(spec, weights)
        what = "only PyTorch .bin files" if any(f.endswith(".bin") for f in files) else "no safetensors files"
        return _weights_not_read(spec, f"the repo has {what}")

    def _safetensors_files(self, files: tuple[str, ...], sha: str) -> tuple[str, ...]:
        if SAFETENSORS_INDEX in files:
            return shards_from_index(self._pinned_json(SAFETENSORS_INDEX, sha), files)
        return root_safetensors(files)

    def _quant_bits(self, spec: ModelSpec, config: Mapping[str, Any], files: tuple[str, ...], sha: str) -> QuantBits:
        """Bit width and method of packed weights: quantization_config, MLX 'quantization', quantize_config.json."""
        found = quant_bits_from_config(spec.quantization, config)
        if found is None and GPTQ_QUANTIZE_CONFIG in files:
            found = quant_bits_from_quantize_config(self._pinned_json(GPTQ_QUANTIZE_CONFIG, sha))
        return found or NO_QUANT_BITS

    # ---- GGUF ------------------------------------------------------------------------------------
    def _from_gguf(self, snapshot: _Snapshot, ggufs: tuple[str, ...], others: tuple[str, ...]) -> ModelSpec:
        sha = snapshot.sha or self.ref.revision or "main"
        over_cap = header_files_over_cap(ggufs)
        # Over the cap only the first shard is read: its metadata is the config; the sizes stay unread.
        to_read = ggufs[:1] if over_cap is not None else ggufs
        try:
            read = read_each(to_read, lambda name: read_gguf_header(self.session, name, sha))
        except (RetriesExhausted, *library_errors(self.session.lib)) as error:
            raise self._translate(error, filename=ggufs[0]) from None
        first_header, first_bytes = read[ggufs[0]]
        gguf_config = gguf_to_config(first_header)
        provenance = self._provenance(snapshot, snapshot.sha, f"{ggufs[0]} (GGUF metadata)", "")
        del provenance["config_sha256"]
        provenance["gguf_header_sha256"] = hashlib.sha256(first_bytes).hexdigest()
        if others:
            provenance["gguf_alternatives"] = ", ".join(others[:8]) + (" …" if len(others) > 8 else "")
        spec = self._resolve(gguf_config.config, provenance)
        spec = replace(spec, sources=_gguf_sources(spec.sources, gguf_config, ggufs[0]))
        if over_cap is not None:
            return replace(_weights_not_read(spec, over_cap), warnings=(*spec.warnings, *self.warnings))
        source = f"GGUF header(s) of {', '.join(ggufs)} in {snapshot.repo_id}@{sha[:12]}"
        weights = summarize_gguf({name: header for name, (header, _) in read.items()}, source=source)
        if gguf_config.notes:
            weights = replace(weights, notes=(*weights.notes, *gguf_config.notes))
        spec = self._attach(spec, weights)
        return replace(spec, warnings=(*spec.warnings, *self.warnings))

    # ---- weights → spec ----------------------------------------------------------------------------
    def _attach(self, spec: ModelSpec, weights: HeaderWeights) -> ModelSpec:
        return attach_header_weights(spec, weights)

    def _weights_failed(self, spec: ModelSpec, error: BaseException) -> ModelSpec:
        # Weight sizes supplement the config: failing to read them is a warning, never a wrong number.
        reason = self._translate(error).one_line()
        self.warnings.append(f"exact weight sizes unavailable: {reason}")
        return replace(spec, provenance={**spec.provenance, "weights": "not read (see warnings)"})


def _weights_not_read(spec: ModelSpec, why: str) -> ModelSpec:
    """The spec without stored weights, saying why (its parameter count stays the config's)."""
    return replace(spec, provenance={**spec.provenance, "weights": f"not read: {why}"})


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
