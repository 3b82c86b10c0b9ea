"""The Hub adapter against a real HTTP server on 127.0.0.1 that answers like huggingface.co (tests/hub_server.py).

``HF_ENDPOINT`` points huggingface_hub at the server; ``HF_HOME`` is a temporary folder; no test touches the
network or the user's cache. Nothing in the HTTP path is mocked.
"""

from __future__ import annotations

import copy
import hashlib
import json
import socket
import sys
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from support.hub_fixtures import (
    TINY_LLAMA,
    gguf_tensor_bytes,
    gptq_tensors,
    llama3_8b_q4_k_m_header,
    llama_tensors,
    safetensors_bytes,
    safetensors_data_bytes,
    tiny_gguf,
)
from support.hub_server import HubServer, Repo, RepoFile, as_file, isolate_hub_env
from tafagent.adapters.errors import HubAccessError, HubUnavailableError
from tafagent.adapters.hub.loader import load_hub_spec
from tafagent.adapters.hub.reference import parse_hub_ref
from tafagent.adapters.hub.settings import HubSettings
from tafagent.adapters.hub.weight_files import choose_gguf
from tafagent.adapters.sources import load_spec
from tafagent.cli.main import main
from tafagent.core.errors import (
    ConfigError,
    DependencyError,
    ModelNotFoundError,
    TafError,
    UnsupportedModelError,
    UsageError,
)
from tafagent.core.spec.weights_summary import HeaderWeights

pytest.importorskip("huggingface_hub")

GOOD_TOKEN = "hf_test_good_token"
TINY_TENSORS = llama_tensors(TINY_LLAMA)
TINY_N_PARAMS = 106_816


def _config(**changes: Any) -> dict[str, Any]:
    config = copy.deepcopy(TINY_LLAMA)
    config.update(changes)
    return config


def _tiny_files(config: dict[str, Any] | None = None) -> dict[str, Any]:
    config = config or TINY_LLAMA
    return {
        "config.json": config,
        "model.safetensors": RepoFile(safetensors_bytes(llama_tensors(config)), lfs=True),
        "README.md": b"# tiny\n",
    }


def _sharded() -> Repo:
    first, second = TINY_TENSORS[:11], TINY_TENSORS[11:]
    names = ("model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors")
    index = {
        "metadata": {"total_size": safetensors_data_bytes(TINY_TENSORS)},
        "weight_map": {name: shard for shard, part in zip(names, (first, second), strict=False) for name, _, _ in part},
    }
    return Repo.of(
        "org/sharded",
        {
            "config.json": TINY_LLAMA,
            "model.safetensors.index.json": index,
            names[0]: RepoFile(safetensors_bytes(first), lfs=True),
            names[1]: RepoFile(safetensors_bytes(second), lfs=True),
        },
    )


GPTQ_CONFIG = _config(
    torch_dtype="float16",
    quantization_config={"quant_method": "gptq", "bits": 4, "group_size": 32, "desc_act": False, "sym": True},
)
GPTQ_TENSORS = gptq_tensors(TINY_LLAMA, 4, 32)
LLAVA_CONFIG = {
    "architectures": ["LlavaForConditionalGeneration"],
    "model_type": "llava",
    "image_token_index": 32000,
    "text_config": {k: v for k, v in TINY_LLAMA.items() if k != "architectures"},
    "vision_config": {"model_type": "clip_vision_model", "hidden_size": 32, "num_hidden_layers": 1},
}
VISION_TENSORS = [
    ("vision_tower.vision_model.encoder.layers.0.mlp.fc1.weight", "BF16", [64, 32]),
    ("multi_modal_projector.linear_1.weight", "BF16", [64, 32]),
]
VIT_CONFIG = {"model_type": "vit", "architectures": ["ViTModel"], "hidden_size": 768, "num_hidden_layers": 12}
GGUF_BYTES, GGUF_TENSORS = tiny_gguf(n_merges=80_000)  # a 2.9 MB header: needs more than one range read
Q4KM_HEADER, Q4KM_DATA_BYTES, _ = llama3_8b_q4_k_m_header()
BAD_SAFETENSORS = b"\x10\x00\x00\x00\x00\x00\x00\x00{{{{ not json }}}"


def _repos() -> list[Repo]:
    llava_tensors = llama_tensors(TINY_LLAMA, prefix="language_model.") + VISION_TENSORS
    return [
        Repo.of("org/tiny", _tiny_files()),
        _sharded(),
        Repo.of("org/gptq", {"config.json": GPTQ_CONFIG, "model.safetensors": safetensors_bytes(GPTQ_TENSORS)}),
        Repo.of(
            "org/gptq-old",
            {
                "config.json": _config(torch_dtype="float16"),
                "quantize_config.json": {"bits": 4, "group_size": 32, "desc_act": False},
                "gptq_model-4bit-32g.safetensors": safetensors_bytes(GPTQ_TENSORS),
            },
        ),
        Repo.of(
            "org/tiny-GGUF",
            {
                "tiny.Q8_0.gguf": RepoFile(GGUF_BYTES, lfs=True),
                "tiny.Q4_K_M.gguf": RepoFile(GGUF_BYTES, lfs=True),
                "mmproj-tiny-f16.gguf": RepoFile(b"GGUF-not-read", lfs=True),
                "README.md": b"# GGUF\n",
            },
        ),
        Repo.of(
            "org/llama3-8b-GGUF",
            {
                "Meta-Llama-3-8B.Q4_K_M.gguf": RepoFile(
                    Q4KM_HEADER, lfs=True, virtual_size=len(Q4KM_HEADER) + Q4KM_DATA_BYTES
                )
            },
        ),
        Repo.of("org/llava", {"config.json": LLAVA_CONFIG, "model.safetensors": safetensors_bytes(llava_tensors)}),
        Repo.of("org/gated", _tiny_files(), gated=True, tokens=frozenset({GOOD_TOKEN})),
        Repo.of("org/private", _tiny_files(), private=True, tokens=frozenset({GOOD_TOKEN})),
        Repo.of("org/flaky", _tiny_files()),
        Repo.of("org/slow", _tiny_files()),
        Repo.of("org/malformed", {"config.json": b'{"model_type": "llama", "hidden_size": 64,,}'}),
        Repo.of("org/lfs-config", {"config.json": RepoFile(json.dumps(TINY_LLAMA).encode(), lfs=True)}),
        Repo.of("org/vit", {"config.json": VIT_CONFIG, "model.safetensors": safetensors_bytes(VISION_TENSORS)}),
        Repo.of("org/bin-only", {"config.json": TINY_LLAMA, "pytorch_model.bin": b"\x80\x02pickle"}),
        Repo.of(
            "org/bad-weights", {"config.json": TINY_LLAMA, "model.safetensors": b"\x10\x00\x00\x00\x00\x00\x00\x00{{{{"}
        ),
        Repo.of("org/no-config", {"README.md": b"# nothing\n"}),
        Repo.of("org/gguf-with-config", {"config.json": _gguf_twin_config(), "tiny-Q4_K_M.gguf": GGUF_BYTES}),
        Repo.of("org/pointer-committed", {"config.json": RepoFile(b"", lfs=True).pointer_text()}),
        Repo(
            "org/revs",
            {
                "main": {name: as_file(v) for name, v in _tiny_files().items()},
                "v1": {name: as_file(v) for name, v in _tiny_files(_config(num_hidden_layers=3)).items()},
            },
        ),
    ]


def _gguf_twin_config() -> dict[str, Any]:
    """The transformers config of the tiny GGUF model (what a GGUF repo that ships config.json carries)."""
    return _config(
        hidden_size=256,
        intermediate_size=512,
        num_attention_heads=4,
        num_key_value_heads=2,
        vocab_size=512,
        max_position_embeddings=4096,
    )


@pytest.fixture
def hub_env(tmp_path, monkeypatch) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """A clean Hub environment: temporary HF_HOME, no token, online, fast retries."""
    isolate_hub_env(monkeypatch, tmp_path / "hf_home")
    yield


@pytest.fixture
def hub(hub_env, monkeypatch) -> Iterator[HubServer]:  # type: ignore[no-untyped-def]
    server = HubServer().add(*_repos())
    server.rename("old-org/tiny", "org/tiny")
    with server:
        monkeypatch.setenv("HF_ENDPOINT", server.endpoint)
        yield server


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ---------------------------------------------------------------------------------------------- success paths
def test_plain_repo_gives_spec_provenance_and_exact_bytes(hub: HubServer) -> None:
    spec = load_hub_spec("org/tiny")
    repo = hub.repos["org/tiny"]
    assert spec.model_id == "org/tiny" and spec.n_params == TINY_N_PARAMS
    p = spec.provenance
    assert p["repo_id"] == "org/tiny" and p["revision"] == repo.sha("main") and p["revision_requested"] == "main"
    config_bytes = repo.revisions["main"]["config.json"].data
    assert p["config_sha256"] == hashlib.sha256(config_bytes).hexdigest()
    sw = spec.stored_weights
    assert isinstance(sw, HeaderWeights)
    assert sw.n_bytes == safetensors_data_bytes(TINY_TENSORS)  # to the byte
    assert sw.bytes_by_dtype == {"BF16": 2 * TINY_N_PARAMS} and sw.bits_per_weight == 16.0
    assert sw.n_params_logical == spec.n_params and spec.warnings == ()
    assert not any("/raw/" in path for path in hub.paths())
    assert all("authorization" not in r.headers for r in hub.requests if r.server == "cdn")
    # Only the header was read: the first 64 KiB range, not the whole file.
    assert hub.bytes_served("/blobs/") <= 64 * 1024


def test_sharded_repo_reads_every_shard_header(hub: HubServer) -> None:
    spec = load_hub_spec("org/sharded")
    sw = spec.stored_weights
    assert sw is not None and sw.files == ("model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors")
    assert sw.n_bytes == safetensors_data_bytes(TINY_TENSORS) and sw.n_elements == TINY_N_PARAMS
    ranged = [r for r in hub.requests if r.server == "hub" and "range" in r.headers]
    assert {r.path.rsplit("/", 1)[-1] for r in ranged} == set(sw.files)


def test_headers_agree_with_huggingface_hub_own_safetensors_reader(hub: HubServer) -> None:
    from huggingface_hub import HfApi

    library = HfApi(endpoint=hub.endpoint).get_safetensors_metadata("org/sharded", token=False)
    ours = load_hub_spec("org/sharded").stored_weights
    assert ours is not None and library.parameter_count == ours.elements_by_dtype


def test_gptq_checkpoint_logical_params_and_bits_per_weight(hub: HubServer) -> None:
    spec = load_hub_spec("org/gptq")
    sw = spec.stored_weights
    assert isinstance(sw, HeaderWeights)
    total = safetensors_data_bytes(GPTQ_TENSORS)
    assert sw.n_bytes == total and set(sw.bytes_by_dtype) == {"F16", "I32"}
    assert sw.n_params_logical == spec.n_params == TINY_N_PARAMS
    assert sw.bits_per_weight == pytest.approx(8 * total / TINY_N_PARAMS)
    assert spec.quantization is not None and spec.quantization.bits == 4.0
    assert sw.quantized_bits_per_weight is not None and 4.0 < sw.quantized_bits_per_weight < 5.2
    assert spec.warnings == ()


def test_old_gptq_repo_takes_bits_from_quantize_config_json(hub: HubServer) -> None:
    spec = load_hub_spec("org/gptq-old")
    sw = spec.stored_weights
    assert isinstance(sw, HeaderWeights) and sw.files == ("gptq_model-4bit-32g.safetensors",)
    assert sw.n_params_logical == TINY_N_PARAMS
    assert any("quantize_config.json" in note for note in sw.notes)


def test_gguf_only_repo_yields_a_spec_from_the_gguf_header(hub: HubServer) -> None:
    spec = load_hub_spec("org/tiny-GGUF")
    assert (spec.model_type, spec.n_layers, spec.d_model, spec.n_heads, spec.n_kv_heads) == ("llama", 2, 256, 4, 2)
    assert (spec.d_ff, spec.vocab_size, spec.T_train, spec.rope_theta) == (512, 512, 4096, 500000.0)
    assert spec.sources["d_model"].key == "llama.embedding_length"
    assert "GGUF" in spec.sources["d_model"].note
    assert spec.sources["vocab_size"].kind == "derived" and "token_embd" in spec.sources["vocab_size"].note
    sw = spec.stored_weights
    assert isinstance(sw, HeaderWeights) and sw.format == "gguf" and sw.files == ("tiny.Q4_K_M.gguf",)
    assert sw.n_bytes == sum(gguf_tensor_bytes(shape, kind) for _, shape, kind in GGUF_TENSORS)
    assert set(sw.elements_by_dtype) == {"F32", "F16", "Q8_0", "Q4_K", "Q6_K"}
    assert sw.n_params_logical == spec.n_params and spec.warnings == ()
    assert spec.provenance["gguf_alternatives"] == "tiny.Q8_0.gguf"
    assert spec.provenance["gguf_header_sha256"]
    reads = [r for r in hub.requests if r.server == "cdn"]
    assert len(reads) >= 2  # the 2.9 MB header took more than the first 1 MiB read
    assert not any("mmproj" in path for path in hub.paths())


def test_llama3_8b_q4_k_m_bits_per_weight_without_downloading_weights(hub: HubServer) -> None:
    spec = load_hub_spec("org/llama3-8b-GGUF")
    sw = spec.stored_weights
    assert sw is not None and spec.n_params == 8_030_261_248 == sw.n_params_logical  # type: ignore[attr-defined]
    assert sw.n_bytes == Q4KM_DATA_BYTES and 4.8 < (sw.bits_per_weight or 0) < 5.0
    assert hub.bytes_served() < 8 * 2**20 < Q4KM_DATA_BYTES / 500


def test_multimodal_repo_reads_text_config_and_compares_text_tensors(hub: HubServer) -> None:
    spec = load_hub_spec("org/llava")
    assert spec.model_type == "llama" and spec.n_params == TINY_N_PARAMS
    assert spec.sources["d_model"].key == "text_config.hidden_size"
    sw = spec.stored_weights
    assert isinstance(sw, HeaderWeights) and sw.n_params_non_text == 2 * 64 * 32
    assert not any("differ by more than" in w for w in spec.warnings)
    assert any("multimodal" in w for w in spec.warnings)


def test_params_disagreement_over_one_percent_is_a_warning_showing_both(hub: HubServer) -> None:
    extra = [*TINY_TENSORS, ("model.extra_head.weight", "BF16", [256, 64])]
    hub.add(Repo.of("org/extra", {"config.json": TINY_LLAMA, "model.safetensors": safetensors_bytes(extra)}))
    spec = load_hub_spec("org/extra")
    warning = next(w for w in spec.warnings if "differ by more than 1%" in w)
    assert f"{TINY_N_PARAMS + 256 * 64:,}" in warning and f"{TINY_N_PARAMS:,}" in warning


def test_revisions_name_at_revision_and_commit_sha(hub: HubServer) -> None:
    repo = hub.repos["org/revs"]
    assert load_hub_spec("org/revs").n_layers == 2
    v1 = load_hub_spec("org/revs@v1")
    assert v1.n_layers == 3 and v1.provenance["revision"] == repo.sha("v1")
    assert v1.provenance["revision_requested"] == "v1" and v1.model_id == "org/revs@v1"
    assert load_hub_spec("org/revs", revision="v1").n_layers == 3
    assert load_hub_spec("org/revs", revision=repo.sha("v1")).n_layers == 3
    with pytest.raises(UsageError, match="two revisions"):
        load_hub_spec("org/revs@main", revision="v1")
    with pytest.raises(ModelNotFoundError, match="no revision 'v9'"):
        load_hub_spec("org/revs@v9")


def test_redirect_of_a_renamed_repo_is_followed(hub: HubServer) -> None:
    spec = load_hub_spec("old-org/tiny")
    assert spec.n_params == TINY_N_PARAMS and spec.provenance["repo_id"] == "org/tiny"
    assert any(r.path.startswith("/api/models/old-org/tiny") for r in hub.requests)


def test_lfs_tracked_config_resolves_to_content_never_pointer_text(hub: HubServer) -> None:
    with urllib.request.urlopen(f"{hub.endpoint}/org/lfs-config/raw/main/config.json") as trap:
        assert trap.read().startswith(b"version https://git-lfs.github.com/spec/v1")
    hub.requests.clear()
    spec = load_hub_spec("org/lfs-config")
    assert spec.n_params == TINY_N_PARAMS
    assert not any("/raw/" in path for path in hub.paths())
    assert any("/blobs/" in path for path in hub.paths(server="cdn"))


def test_a_committed_lfs_pointer_is_named_as_such(hub: HubServer) -> None:
    with pytest.raises(ConfigError, match="Git LFS pointer"):
        load_hub_spec("org/pointer-committed")


def test_gguf_repo_with_a_config_json_takes_sizes_from_the_gguf(hub: HubServer) -> None:
    spec = load_hub_spec("org/gguf-with-config")
    assert spec.sources["d_model"].key == "hidden_size"  # the architecture came from config.json
    sw = spec.stored_weights
    assert (
        sw is not None
        and sw.format == "gguf"
        and sw.n_bytes == sum(gguf_tensor_bytes(s, k) for _, s, k in GGUF_TENSORS)
    )
    assert spec.warnings == ()


def test_bin_only_repo_says_weights_were_not_read(hub: HubServer) -> None:
    spec = load_hub_spec("org/bin-only")
    assert spec.stored_weights is None and "only PyTorch .bin" in spec.provenance["weights"]


def test_corrupt_weights_header_is_a_warning_not_a_failure(hub: HubServer) -> None:
    spec = load_hub_spec("org/bad-weights")
    assert spec.stored_weights is None and spec.n_params == TINY_N_PARAMS
    assert any(w.startswith("exact weight sizes unavailable") for w in spec.warnings)


# ---------------------------------------------------------------------------------------------- tokens, gated
def test_gated_repo_without_token_says_accept_licence_and_set_token(hub: HubServer) -> None:
    with pytest.raises(HubAccessError) as error:
        load_hub_spec("org/gated")
    line = error.value.one_line()
    assert "gated" in line and "/org/gated" in line and "HF_TOKEN" in line and "--token" in line


def test_gated_repo_with_a_token_without_access(hub: HubServer) -> None:
    with pytest.raises(HubAccessError, match="has no access") as error:
        load_hub_spec("org/gated", token="hf_other")
    assert "hf_other" not in error.value.one_line()  # a token is never shown


@pytest.mark.parametrize("how", ["argument", "HF_TOKEN", "saved login"])
def test_gated_repo_with_a_token_sends_it(hub: HubServer, monkeypatch, tmp_path, how: str) -> None:  # type: ignore[no-untyped-def]
    token = None
    if how == "argument":
        token = GOOD_TOKEN
    elif how == "HF_TOKEN":
        monkeypatch.setenv("HF_TOKEN", GOOD_TOKEN)
    else:
        (tmp_path / "hf_home").mkdir(exist_ok=True)
        (tmp_path / "hf_home" / "token").write_text(GOOD_TOKEN + "\n")
    spec = load_hub_spec("org/gated", token=token)
    assert spec.n_params == TINY_N_PARAMS and spec.provenance["gated"] == "manual"
    sent = [r.headers.get("authorization") for r in hub.requests if r.server == "hub"]
    assert sent and all(value == f"Bearer {GOOD_TOKEN}" for value in sent)
    assert all("authorization" not in r.headers for r in hub.requests if r.server == "cdn")


def test_private_repo_without_token_is_not_found_with_a_token_hint(hub: HubServer) -> None:
    with pytest.raises(ModelNotFoundError) as error:
        load_hub_spec("org/private")
    assert "set HF_TOKEN or pass --token" in error.value.one_line()
    assert load_hub_spec("org/private", token=GOOD_TOKEN).n_params == TINY_N_PARAMS


# ---------------------------------------------------------------------------------------------- failures
def test_missing_repo_suggests_presets(hub: HubServer) -> None:
    with pytest.raises(ModelNotFoundError) as error:
        load_hub_spec("meta-llama/Lama-3.1-8B")
    assert "meta-llama/Llama-3.1-8B" in error.value.suggestions
    assert "did you mean" in error.value.one_line() and "no model 'meta-llama/Lama-3.1-8B'" in error.value.message


def test_server_error_then_success_is_retried(hub: HubServer) -> None:
    hub.fail("/api/models/org/flaky", 500, times=1)
    hub.fail("/org/flaky/resolve/main/config.json", 502, times=1, method="GET")  # the content download
    hub.fail("/model.safetensors", 503, times=1, method="GET")  # the header range read
    spec = load_hub_spec("org/flaky")
    assert spec.n_params == TINY_N_PARAMS and spec.stored_weights is not None
    assert len([p for p in hub.paths() if p.startswith("/api/models/org/flaky")]) == 2


def test_server_errors_that_persist_end_in_a_clear_message(hub: HubServer) -> None:
    hub.fail("/api/models/org/flaky", 500, times=100)
    with pytest.raises(HubUnavailableError) as error:
        load_hub_spec("org/flaky")
    line = error.value.one_line()
    assert "HTTP 500" in line and "3 tries" in line and "nothing is cached" in line and "config.json" in line
    assert len([p for p in hub.paths() if p.startswith("/api/models/org/flaky")]) == 3


def test_server_errors_fall_back_to_a_warm_cache_with_a_warning(hub: HubServer) -> None:
    first = load_hub_spec("org/flaky")
    hub.fail("/api/models/org/flaky", 502, times=100)
    spec = load_hub_spec("org/flaky")
    assert spec.n_params == first.n_params and spec.provenance["revision"] == first.provenance["revision"]
    assert any("HTTP 502" in w and "cached config.json" in w for w in spec.warnings)


def test_slow_server_times_out_after_bounded_retries(hub: HubServer, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("HF_HUB_ETAG_TIMEOUT", "0.2")
    monkeypatch.setenv("TAF_HUB_ATTEMPTS", "2")
    hub.delay("/api/models/org/slow", 3.0)
    with pytest.raises(HubUnavailableError) as error:
        load_hub_spec("org/slow")
    line = error.value.one_line()
    assert "did not answer within 0.2 s (2 tries)" in line and "HF_HUB_ETAG_TIMEOUT" in line


def test_malformed_config_json(hub: HubServer) -> None:
    with pytest.raises(ConfigError, match=r"'org/malformed: config.json' is not valid JSON \(line 1"):
        load_hub_spec("org/malformed")


def test_vision_only_config_says_what_it_is(hub: HubServer) -> None:
    with pytest.raises(UnsupportedModelError) as error:
        load_hub_spec("org/vit")
    assert error.value.message.startswith("org/vit: ") and "vision" in error.value.message


def test_repo_without_config_or_gguf(hub: HubServer) -> None:
    with pytest.raises(ConfigError, match=r"neither a config\.json nor a GGUF file"):
        load_hub_spec("org/no-config")


def test_offline_mode_uses_the_warm_cache_and_never_the_network(hub: HubServer, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    online = load_hub_spec("org/tiny")
    hub.requests.clear()
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    spec = load_hub_spec("org/tiny")
    assert hub.requests == []
    assert spec.n_params == online.n_params and spec.provenance["revision"] == online.provenance["revision"]
    assert spec.provenance["fetched"] == "Hub cache (HF_HUB_OFFLINE)" and spec.stored_weights is None
    assert spec.provenance["weights"] == "not read: offline (HF_HUB_OFFLINE)"
    assert spec.provenance["config_sha256"] == online.provenance["config_sha256"]


def test_offline_mode_with_a_cold_cache_says_nothing_is_cached(hub: HubServer, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(HubUnavailableError) as error:
        load_hub_spec("org/tiny")
    line = error.value.one_line()
    assert "offline mode" in line and "not in the Hub cache" in line and "local config.json" in line
    assert hub.requests == []


def test_no_network_uses_the_cache_or_says_it_is_empty(hub: HubServer, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    online = load_hub_spec("org/tiny")
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{_closed_port()}")
    spec = load_hub_spec("org/tiny")
    assert spec.provenance["revision"] == online.provenance["revision"]
    assert any(w.startswith("cannot reach the Hub at") and "cached config.json" in w for w in spec.warnings)
    with pytest.raises(HubUnavailableError) as error:
        load_hub_spec("org/sharded")
    line = error.value.one_line()
    assert "cannot reach" in line and "nothing is cached for org/sharded@main" in line


def test_missing_huggingface_hub_names_the_extra(hub_env, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(sys.modules, "huggingface_hub", None)
    with pytest.raises(DependencyError) as error:
        load_hub_spec("org/tiny")
    assert "pip install 'tafagent[hub]'" in error.value.one_line()


# ---------------------------------------------------------------------------------------------- pure helpers
def test_parse_hub_ref() -> None:
    assert parse_hub_ref("org/name") == parse_hub_ref(" org/name ")
    assert parse_hub_ref("org/name@v1.0").revision == "v1.0"
    assert parse_hub_ref("org/name", "dev").revision == "dev"
    for bad in ("org", "org/na me", "/name"):
        with pytest.raises(ModelNotFoundError):
            parse_hub_ref(bad)
    with pytest.raises(UsageError):
        parse_hub_ref("org/name@")


def test_choose_gguf_prefers_q4_k_m_groups_splits_and_skips_projectors() -> None:
    files = [
        "m.Q8_0.gguf",
        "m-Q4_K_M-00001-of-00002.gguf",
        "m-Q4_K_M-00002-of-00002.gguf",
        "mmproj-m-f16.gguf",
        "README.md",
    ]
    chosen, others = choose_gguf(files)
    assert chosen == ("m-Q4_K_M-00001-of-00002.gguf", "m-Q4_K_M-00002-of-00002.gguf") and others == ("m.Q8_0.gguf",)
    assert choose_gguf(["README.md"]) == ((), ())


def test_settings_read_the_environment_at_call_time(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {"HF_ENDPOINT": "http://mirror/", "HF_HOME": str(tmp_path), "HF_HUB_OFFLINE": "1", "HF_TOKEN": "hf_x"}
    s = HubSettings.from_env(environ=env)
    assert (s.endpoint, s.cache_dir, s.offline, s.token, s.token_origin) == (
        "http://mirror",
        tmp_path / "hub",
        True,
        "hf_x",
        "HF_TOKEN",
    )
    assert "hf_x" not in repr(s)
    assert HubSettings.from_env("hf_arg", environ=env).token_origin == "--token"
    with pytest.raises(UsageError, match="HF_HUB_ETAG_TIMEOUT"):
        HubSettings.from_env(environ={**env, "HF_HUB_ETAG_TIMEOUT": "soon"})


# ---------------------------------------------------------------------------------------------- MODEL resolution + CLI
def test_load_spec_resolves_hub_ids_and_presets_at_a_revision(hub: HubServer) -> None:
    assert load_spec("org/tiny").provenance["repo_id"] == "org/tiny"
    assert load_spec("org/revs@v1").n_layers == 3
    with pytest.raises(ModelNotFoundError):  # the preset's repo is not on this server: the Hub was asked
        load_spec("llama-3-8b", revision="main")
    assert any(p.startswith("/api/models/meta-llama/Meta-Llama-3-8B") for p in hub.paths())


def test_cli_spec_json_end_to_end(hub: HubServer, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["spec", "org/gptq", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["provenance"]["revision"] == hub.repos["org/gptq"].sha("main")
    assert payload["stored_weights"]["n_bytes"] == safetensors_data_bytes(GPTQ_TENSORS)
    assert payload["stored_weights"]["n_params_logical"] == TINY_N_PARAMS
    assert payload["weights_check"]["agrees"] is True
    assert payload["weights_check"]["n_params_config"] == payload["weights_check"]["n_params_headers"]


def test_cli_spec_text_shows_source_and_stored_weights(hub: HubServer, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["spec", "org/revs", "--revision", "v1", "--token", GOOD_TOKEN]) == 0
    out = capsys.readouterr().out
    assert "source: org/revs at revision" in out and "(v1)" in out
    assert "stored weights (safetensors" in out and "exact weight bytes:" in out and "agrees" in out
    assert GOOD_TOKEN not in out


def test_cli_profile_json_accepts_a_hub_id(hub: HubServer, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["profile", "org/tiny", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["model"]["provenance"]["repo_id"] == "org/tiny"


@pytest.mark.parametrize(
    ("model", "fragment"),
    [
        ("org/gated", "gated"),
        ("meta-llama/Lama-3.1-8B", "did you mean"),
        ("org/malformed", "not valid JSON"),
        ("org/vit", "vision"),
        ("org/no-config", "neither a config.json"),
        ("org/revs@v9", "no revision"),
    ],
)
def test_cli_failures_are_one_line_and_exit_1(hub: HubServer, capsys, model: str, fragment: str) -> None:  # type: ignore[no-untyped-def]
    assert main(["spec", model, "--json"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("taf: error: ") and fragment in lines[0]


def test_every_hub_failure_is_a_taf_error(hub: HubServer) -> None:
    hub.fail("/api/models/org/flaky", 404, times=1)  # a bare 404 without X-Error-Code
    with pytest.raises(TafError):
        load_hub_spec("org/flaky")


# ------------------------------------------------------------------------------------- errors in four languages
@pytest.mark.parametrize(
    ("repo", "token"),
    [("org/gated", None), ("org/gated", "hf_other"), ("org/private", None), ("org/does-not-exist", None)],
)
def test_hub_errors_have_their_text_in_every_language(hub: HubServer, repo: str, token: str | None) -> None:
    """The Hub's answers become one line in the user's language (issue 17): English unchanged, es/fr/zh with no
    English phrase of three words left (ids, URLs and flags excepted)."""
    from support.residue import english_residue

    with pytest.raises((HubAccessError, ModelNotFoundError)) as error:
        load_hub_spec(repo, token=token)
    english = error.value.one_line()
    assert english == error.value.one_line("en")
    for lang in ("es", "fr", "zh"):
        translated = error.value.one_line(lang)
        assert translated != english and english_residue(english, translated) == []
