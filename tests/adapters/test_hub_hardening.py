"""Hardening of the Hub adapter, each defect with its reproduction: real ``taf`` runs against tests/hub_server.py.

* one deadline per MODEL (``TAF_HUB_DEADLINE_S``) over every request, retry and backoff, huggingface_hub's
  own retries off (each request is sent at most ``TAF_HUB_ATTEMPTS`` times), messages with the real figures;
* revisions checked before any request (huggingface_hub writes ``refs/<revision>`` into the cache);
* config-sized files capped at 16 MiB before and while downloading, nothing over the cap left in the cache;
* malformed model info gives our one line, not the library's ``KeyError`` text;
* a cap on the number of weight headers read; a logger level that overlapping loads leave as they found it.

``tafagent.cli.main.main`` runs in-process (one test runs ``python -m tafagent`` as a subprocess);
``HF_ENDPOINT`` points at the fake Hub and small timeouts in the environment keep every test to seconds.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support.hub_fixtures import TINY_LLAMA, llama_tensors, safetensors_bytes
from support.hub_server import HubServer, Repo, RepoFile, as_file, isolate_hub_env
from tafagent.adapters.hub.library import quiet_library
from tafagent.adapters.hub.weight_files import MAX_HEADER_FILES
from tafagent.cli.main import main
from tafagent.core.spec.config_text import MAX_CONFIG_BYTES, revision_problem

pytest.importorskip("huggingface_hub")

TINY_N_PARAMS = 106_816
ESCAPING_REVISION = "../../../escaped"  # from <cache>/models--org--refs/refs/ to <HF_HOME>/escaped


def _tiny_files(layers: int = 2) -> dict[str, RepoFile]:
    config = {**TINY_LLAMA, "num_hidden_layers": layers}
    return {
        "config.json": as_file(config),
        "model.safetensors": RepoFile(safetensors_bytes(llama_tensors(config)), lfs=True),
    }


def _many_shards() -> Repo:
    shards = [f"model-{i:05d}-of-{MAX_HEADER_FILES + 1:05d}.safetensors" for i in range(1, MAX_HEADER_FILES + 2)]
    index = {"metadata": {}, "weight_map": {f"layer.{i}.weight": name for i, name in enumerate(shards)}}
    files: dict[str, Any] = {"config.json": TINY_LLAMA, "model.safetensors.index.json": index}
    files.update({name: RepoFile(b"never read", lfs=True) for name in shards})
    return Repo.of("org/many-shards", files)


def _repos() -> list[Repo]:
    return [
        Repo.of("org/tiny", _tiny_files()),
        Repo.of("org/big", {"config.json": RepoFile(b'{"model_type": "llama"', virtual_size=200_000_000)}),
        Repo.of("org/liar", {"config.json": RepoFile(b"{", virtual_size=40_000_000, declared_size=100)}),
        # The fake Hub answers 200 for the escaping revision too, as the endpoint of the measured defect did.
        Repo("org/refs", {"main": _tiny_files(), "refs/pr/1": _tiny_files(3), ESCAPING_REVISION: _tiny_files()}),
        _many_shards(),
    ]


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[HubServer]:
    isolate_hub_env(monkeypatch, tmp_path / "hf_home")
    server = HubServer().add(*_repos())
    with server:
        monkeypatch.setenv("HF_ENDPOINT", server.endpoint)
        yield server


def _taf(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str, float]:
    """``taf ARGV`` in-process: exit code, the stderr line (one line, or empty), stdout, seconds taken."""
    started = time.monotonic()
    code = main(list(argv))
    elapsed = time.monotonic() - started
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) <= 1 and "Traceback" not in captured.err, captured.err
    return code, (lines[0] if lines else ""), captured.out, elapsed


def _count(hub: HubServer, method: str, fragment: str) -> int:
    return sum(1 for r in hub.requests if r.method == method and fragment in r.path)


# ---------------------------------------------------------------------------------------------- 1. the deadline
def test_a_dribbling_model_info_ends_at_the_deadline(hub: HubServer, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TAF_HUB_DEADLINE_S", "2")
    monkeypatch.setenv("HF_HUB_ETAG_TIMEOUT", "1")
    hub.dribble("/api/models/org/tiny", 0.3)  # ~400 bytes, 8 every 0.3 s: 15 s, each wait under the timeout
    code, line, _, elapsed = _taf(capsys, "spec", "org/tiny")
    assert code == 1 and elapsed < 3.5
    assert "was still answering GET /api/models/org/tiny when the 2 s deadline ran out (1 try)" in line
    assert "TAF_HUB_DEADLINE_S" in line and _count(hub, "GET", "/api/models/") == 1


@pytest.mark.parametrize("method", ["HEAD", "GET"])
def test_a_slow_config_json_gets_attempts_tries_of_the_etag_timeout(
    hub: HubServer, capsys, monkeypatch, method
) -> None:  # type: ignore[no-untyped-def]
    """A slow HEAD, or a slow GET (the library's own download timeout, 10 s, no longer applies)."""
    monkeypatch.setenv("HF_HUB_ETAG_TIMEOUT", "0.3")
    hub.delay("/org/tiny/resolve/main/config.json", 30, method=method)
    code, line, _, elapsed = _taf(capsys, "spec", "org/tiny")
    assert code == 1 and elapsed < 3
    assert "did not answer within 0.3 s (3 tries)" in line and "HF_HUB_ETAG_TIMEOUT" in line
    assert _count(hub, method, "/config.json") == 3


def test_one_attempt_sends_each_request_once(hub: HubServer, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("HF_HUB_ETAG_TIMEOUT", "0.3")
    monkeypatch.setenv("TAF_HUB_ATTEMPTS", "1")
    hub.delay("/org/tiny/resolve/main/config.json", 30)
    code, line, _, elapsed = _taf(capsys, "spec", "org/tiny")
    assert code == 1 and elapsed < 1.5 and "within 0.3 s (1 try)" in line
    assert _count(hub, "HEAD", "/config.json") == 1 and _count(hub, "GET", "/config.json") == 0


def test_the_deadline_cuts_the_retries_short_and_says_so(hub: HubServer, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TAF_HUB_DEADLINE_S", "2.5")
    monkeypatch.setenv("HF_HUB_ETAG_TIMEOUT", "1")
    monkeypatch.setenv("TAF_HUB_ATTEMPTS", "10")
    hub.delay("/org/tiny/resolve/main/config.json", 30)
    code, line, _, elapsed = _taf(capsys, "spec", "org/tiny")
    tries = _count(hub, "HEAD", "/config.json")
    assert code == 1 and elapsed < 3.5 and tries <= 3
    assert f"({tries} tries; the 2.5 s deadline ran out)" in line and "TAF_HUB_DEADLINE_S (2.5 s per model)" in line


@pytest.mark.parametrize("method", [None, "GET"])
def test_a_500_on_config_json_is_tried_at_most_attempts_times(hub: HubServer, capsys, method) -> None:  # type: ignore[no-untyped-def]
    """Before: 7 HEAD requests per run (huggingface_hub retried a cold-cache HEAD 6 more times itself)."""
    hub.fail("/org/tiny/resolve/main/config.json", 500, times=100, method=method)
    code, line, _, _ = _taf(capsys, "spec", "org/tiny")
    assert code == 1 and "failed with HTTP 500 for 'org/tiny' (3 tries)" in line
    assert _count(hub, "HEAD", "/config.json") <= 3 and _count(hub, "GET", "/config.json") <= 3


def test_header_reads_count_against_the_deadline(hub: HubServer, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TAF_HUB_DEADLINE_S", "2")
    monkeypatch.setenv("HF_HUB_ETAG_TIMEOUT", "5")
    hub.delay("/blobs/", 30)  # the safetensors range read, on the CDN
    code, _, out, elapsed = _taf(capsys, "spec", "org/tiny", "--json")
    payload = json.loads(out)
    assert code == 0 and elapsed < 3.5 and payload["n_params"] == TINY_N_PARAMS
    assert payload["stored_weights"] is None
    assert any("exact weight sizes unavailable" in w and "2 s deadline" in w for w in payload["warnings"])


@pytest.mark.parametrize("value", ["0", "-1", "soon"])
def test_an_invalid_deadline_is_a_usage_error(hub: HubServer, capsys, monkeypatch, value: str) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TAF_HUB_DEADLINE_S", value)
    code, line, _, _ = _taf(capsys, "spec", "org/tiny")
    assert code == 2 and "TAF_HUB_DEADLINE_S" in line and hub.requests == []


# ---------------------------------------------------------------------------------------------- 2. revisions
def _files_outside(root: Path, cache: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and not p.is_relative_to(cache)]


def test_a_revision_that_escapes_the_cache_is_refused_before_any_request(hub: HubServer, tmp_path: Path) -> None:
    env = {**os.environ, "HF_HUB_DISABLE_TELEMETRY": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "tafagent", "spec", f"org/refs@{ESCAPING_REVISION}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and done.stdout == "" and "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"taf: error: revision '{ESCAPING_REVISION}' is not a valid")
    assert "contains '..'" in lines[0] and "refs/pr/N" in lines[0]
    assert hub.requests == []
    assert _files_outside(tmp_path, tmp_path / "hf_home" / "hub") == []


@pytest.mark.parametrize(
    ("revision", "shown"),
    [
        (ESCAPING_REVISION, "'../../../escaped'"),
        ("/etc/passwd", "starts with '/'"),
        ("a\\b", "contains '\\'"),
        ("a b", "whitespace"),
        ("a\x1bb", "'a\\x1bb'"),
        ("a/../b", "contains '..'"),
        ("x" * 300, "'" + "x" * 39 + "…'"),
    ],
)
def test_bad_revisions_give_one_line_naming_the_value(hub: HubServer, capsys, revision: str, shown: str) -> None:  # type: ignore[no-untyped-def]
    code, line, out, _ = _taf(capsys, "spec", "org/refs", "--revision", revision)
    assert code == 2 and out == "" and line.startswith("taf: error: revision '") and shown in line
    assert "--revision main" in line and hub.requests == []


def test_pr_refs_and_commit_shas_still_work(hub: HubServer, capsys) -> None:  # type: ignore[no-untyped-def]
    code, _, out, _ = _taf(capsys, "spec", "org/refs@refs/pr/1", "--json")
    assert code == 0 and json.loads(out)["n_layers"] == 3
    sha = hub.repos["org/refs"].sha("main")
    code, _, out, _ = _taf(capsys, "spec", "org/refs", "--revision", sha, "--json")
    assert code == 0 and json.loads(out)["provenance"]["revision"] == sha


def test_revision_rules() -> None:
    for good in ("main", "v1.0", "refs/pr/12", "feature/x-y_z", "0123456789abcdef0123456789abcdef01234567"):
        assert revision_problem(good) is None, good
    for bad in ("..", "a..b", "/a", "a/", "a//b", ".a", "a/.b", "a.lock", "a.", "@", "a@{1}", "a~1", "a^", "a:b"):
        assert revision_problem(bad) is not None, bad


# ---------------------------------------------------------------------------------------------- 3. config size
def _oversized_or_partial(hf_home: Path) -> list[Path]:
    return [
        p
        for p in hf_home.rglob("*")
        if p.is_file() and (p.stat().st_size > MAX_CONFIG_BYTES or p.name.endswith(".incomplete"))
    ]


def test_an_oversized_config_json_is_refused_from_its_declared_size(hub: HubServer, capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    code, line, _, _ = _taf(capsys, "spec", "org/big")
    assert code == 1 and "org/big/config.json is 200,000,000 bytes, far larger than a config file" in line
    assert _count(hub, "GET", "/config.json") == 0 and hub.bytes_served("/config.json") == 0
    assert _oversized_or_partial(tmp_path / "hf_home") == []


def test_a_config_json_that_lies_about_its_size_is_cut_at_the_cap(hub: HubServer, capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    code, line, _, _ = _taf(capsys, "spec", "org/liar")
    assert code == 1 and f"is more than {MAX_CONFIG_BYTES:,} bytes, far larger than a config file" in line
    assert _count(hub, "GET", "/config.json") == 1  # not retried: the answer is wrong, not the network
    assert _oversized_or_partial(tmp_path / "hf_home") == []


# ---------------------------------------------------------------------------------------------- 4. model info
@pytest.mark.parametrize(
    ("body", "shape"),
    [
        (b'{"id": "org/tiny", "siblings": "config.json"}', "'siblings' file list that is a string"),
        (b'{"id": "org/tiny", "siblings": {"config.json": {}}}', "'siblings' file list that is an object"),
        (b'{"id": "org/tiny", "siblings": ["config.json"]}', "file entry 0 of 'siblings' without a 'rfilename'"),
        (b'{"id": "org/tiny", "siblings": [{"name": "config.json"}]}', "without a 'rfilename' string"),
        (b'{"id": "org/tiny", "siblings": [{"rfilename": 7}]}', "without a 'rfilename' string"),
        (b'{"id": "org/tiny"}', "'siblings' file list that is null"),
        (b'{"id": "org/tiny", "sha": "../../x", "siblings": []}', "'sha' that is not a 40-hex commit id"),
        (b'{"id": ["org/tiny"], "siblings": []}', "an 'id' that is an array"),
        (b"[1, 2]", "an array instead of an object"),
        (b"<html>Welcome to nginx</html>", "text that is not JSON"),
        (b'{"id": "org/tiny", "siblings": [', "text that is not JSON"),
    ],
)
def test_malformed_model_info_gives_our_one_line(hub: HubServer, capsys, body: bytes, shape: str) -> None:  # type: ignore[no-untyped-def]
    hub.answer("/api/models/org/tiny", body)
    code, line, _, _ = _taf(capsys, "spec", "org/tiny")
    assert code == 1
    assert line.startswith(f"taf: error: the Hub at {hub.endpoint} answered GET /api/models/org/tiny with something")
    assert shape in line and "not a Hub model record" in line and "HF_ENDPOINT" in line
    for leak in ("string indices", "'rfilename'", "KeyError", "TypeError"):
        assert leak not in line.replace("a 'rfilename' string", "")


# ---------------------------------------------------------------------------------------------- 5. header reads
def test_an_index_with_more_shards_than_the_cap_reads_no_headers(hub: HubServer, capsys) -> None:  # type: ignore[no-untyped-def]
    code, _, out, _ = _taf(capsys, "spec", "org/many-shards", "--json")
    payload = json.loads(out)
    assert code == 0 and payload["n_params"] == TINY_N_PARAMS and payload["stored_weights"] is None
    weights = payload["provenance"]["weights"]
    assert f"{MAX_HEADER_FILES + 1} weight files" in weights and "MAX_HEADER_FILES" in weights
    assert "the parameter count is the config's" in weights
    assert not any("range" in r.headers for r in hub.requests)
    code, _, text, _ = _taf(capsys, "spec", "org/many-shards")
    assert code == 0 and "MAX_HEADER_FILES" in text


# ---------------------------------------------------------------------------------------------- the quiet logger
def test_overlapping_loads_leave_the_library_logger_level_as_they_found_it() -> None:
    logger = logging.getLogger("huggingface_hub")
    before = logger.level
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen: dict[str, int] = {}

    def first() -> None:
        with quiet_library():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second() -> None:
        first_in.wait(5)
        with quiet_library():
            second_in.set()
            first_out.wait(5)
            seen["after the first left"] = logger.level

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert seen == {"after the first left": logging.ERROR}
    assert logger.level == before
