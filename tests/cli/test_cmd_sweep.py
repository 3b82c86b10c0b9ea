"""`taf sweep` through the CLI: JSON on stdout only, quiet stderr off a terminal, resumption, one-line errors."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

transformers = pytest.importorskip("transformers")

from tafagent.adapters.sweep import JobOutcome, ModelEntry  # noqa: E402
from tafagent.cli.cmd_sweep import _SweepBar  # noqa: E402
from tafagent.cli.main import main  # noqa: E402

QUICK = ["--corpus", "random", "--distances", "4,10,25,40", "--prompts", "2", "--seeds", "42"]


@pytest.fixture(scope="module")
def models_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli-sweep")
    config = transformers.GPT2Config(n_embd=32, n_layer=1, n_head=2, n_positions=256, vocab_size=300)
    transformers.GPT2LMHeadModel(config).save_pretrained(root / "tiny-gpt2")
    listing = root / "models.txt"
    listing.write_text("tiny-gpt2  # a tiny random GPT-2\n")
    return listing


def test_json_run_then_resume(models_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["sweep", str(models_file), "--out", str(out), *QUICK, "--json"]) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert captured.err == ""  # no progress bar when stderr is not a terminal
    assert [m["name"] for m in data["measured"]] == ["tiny-gpt2"] and data["panel"]["rows"] == 1
    assert (out / "tiny-gpt2.random.json").is_file() and (out / "gamma_panel.json").is_file()

    assert main(["sweep", str(models_file), "--out", str(out), *QUICK]) == 0
    text = capsys.readouterr().out
    assert "1 already done, 0 measured" in text and "taf validate --panel" in text


def test_a_failed_model_exits_1_naming_the_failures_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty-model").mkdir()
    listing = tmp_path / "models.txt"
    listing.write_text("empty-model\n")
    assert main(["sweep", str(listing), "--out", str(tmp_path / "out"), *QUICK]) == 1
    captured = capsys.readouterr()
    assert "failures.json" in captured.err and captured.err.count("\n") == 1
    assert "failed" in captured.out


@pytest.mark.parametrize(
    ("lines", "code", "expected"),
    [
        ("gpt2\nnot/a/model/path\n", 2, "line 2: directory 'not/a/model/path' does not exist"),
        ("#only comments\n", 2, "lists no models"),
    ],
)
def test_bad_models_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lines: str, code: int, expected: str
) -> None:
    listing = tmp_path / "models.txt"
    listing.write_text(lines)
    assert main(["sweep", str(listing), "--out", str(tmp_path / "out")]) == code
    err = capsys.readouterr().err
    assert expected in err and err.count("\n") == 1


def test_out_that_is_a_file_and_missing_ray(
    models_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "file"
    target.write_text("")
    assert main(["sweep", str(models_file), "--out", str(target)]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` raises ImportError
    assert main(["sweep", str(models_file), "--out", str(tmp_path / "out"), "--ray", "auto"]) == 1
    err = capsys.readouterr().err
    assert "pip install 'tafagent[sweep]'" in err and err.count("\n") == 1


def test_progress_bar_counts_models(capsys: pytest.CaptureFixture[str]) -> None:
    entry = ModelEntry("org/model", 1, "org__model", False)
    with _SweepBar(True) as bar:
        listener = bar.listener()
        listener.on_plan(1)
        listener.on_start(entry)
        assert bar._progress.tasks[0].description == "measuring org__model"
        listener.on_done(JobOutcome("org__model", "org/model", 1, True, status="complete", gamma=0.5))
        assert bar._progress.tasks[0].completed == 1
    assert capsys.readouterr().out == ""  # the bar writes to stderr only


@pytest.mark.parametrize(
    ("address", "expected"), [("nonsense", "is not auto or HOST:PORT"), ("127.0.0.1:1", "cannot reach")]
)
def test_a_bad_ray_address_is_one_line(
    models_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], address: str, expected: str
) -> None:
    pytest.importorskip("ray")
    assert main(["sweep", str(models_file), "--out", str(tmp_path / "out"), "--ray", address]) == 2
    err = capsys.readouterr().err
    assert expected in err and err.count("\n") == 1
