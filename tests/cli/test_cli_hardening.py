"""Hostile input to `taf`: every case ends with one stderr line (exit 1 or 2), strict UTF-8 JSON, no hang.

Regression tests for measured defects: overflowing or non-ASCII numbers, file names the OS refuses or that
are not UTF-8, rich markup in user text, named pipes and devices as inputs or outputs, and the unroutable
`taf ask` that exited 1 without a word. A sample runs as real `taf` processes; the rest runs in-process.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tafagent.adapters.files import check_output_file, read_text_file
from tafagent.cli.common import port_number, token_count
from tafagent.cli.main import main
from tafagent.cli.output import emit_json, plain, safe_text
from tafagent.core.errors import ConfigError, UsageError
from tafagent.core.spec.limits import MAX_POSITIONS

HUGE = "9" * 5000
TINY_LLAMA: dict[str, Any] = {
    "architectures": ["LlamaForCausalLM"],
    "model_type": "llama",
    "hidden_size": 256,
    "intermediate_size": 512,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "vocab_size": 1000,
    "max_position_embeddings": 2048,
    "rope_theta": 10000.0,
    "torch_dtype": "bfloat16",
}
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX only")


def run_main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """`taf ARGV` in-process, with argparse's SystemExit turned into its exit code."""
    try:
        code = main(list(argv))
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def run_taf(*argv: str | bytes, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    """A real `taf` process; the timeout turns a hang into a failure instead of a stuck suite."""
    return subprocess.run(
        [sys.executable, "-m", "tafagent", *argv], capture_output=True, timeout=120, cwd=cwd, check=False
    )


def assert_one_line_error(code: int, err: str, expected_code: int, *fragments: str) -> None:
    assert code == expected_code, err
    assert "Traceback" not in err
    assert err.count("\n") == 1 and err.endswith("\n"), err
    for fragment in fragments:
        assert fragment in err, err


def write_model(folder: Path, **overrides: Any) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps({**TINY_LLAMA, **overrides}), encoding="utf-8")
    return folder


# ---- 1. numbers: bounded, finite, ASCII ------------------------------------------------------------------

BAD_NUMBERS = [
    (["memory", "llama-3-8b", "--context", "1e400"], "--context"),
    (["memory", "llama-3-8b", "--context", HUGE], "--context"),
    (["memory", "llama-3-8b", "--context", str(MAX_POSITIONS + 1)], "--context"),
    (["memory", "llama-3-8b", "--context", "１２"], "--context"),
    (["memory", "llama-3-8b", "--context", "32k", "--batch", "1e400"], "--batch"),
    (["memory", "llama-3-8b", "--context", "32k", "--batch", "1e7"], "--batch"),
    (["memory", "llama-3-8b", "--context", "32k", "--tp", HUGE], "--tp"),
    (["memory", "llama-3-8b", "--context", "32k", "--gpu-memory-utilization", "1e400"], "--gpu-memory-utilization"),
    (["profile", "llama-3-8b", "--t-eval", "1e400"], "--t-eval"),
    (["profile", "llama-3-8b", "--budget", HUGE], "--budget"),
    (["compare", "llama-3-8b", "mistral-7b", "--t-eval", HUGE], "--t-eval"),
    (["diagnose", "gpt2", "--prompts", "1e400"], "--prompts"),
    (["diagnose", "gpt2", "--N", HUGE], "--N"),
    (["diagnose", "gpt2", "--curve-queries", "1e9"], "--curve-queries"),
    (["diagnose", "gpt2", "--fit-min-distance", "1e400"], "--fit-min-distance"),
    (["diagnose", "gpt2", "--distances", f"10,{HUGE}"], "--distances"),
    (["diagnose", "gpt2", "--seeds", "1,99999999999"], "--seeds"),
    (["diagnose", "gpt2", "--seeds", "１"], "--seeds"),
    (["ask", "Will Llama-3-8B handle 32K?", "--llm-timeout", "nan"], "--llm-timeout"),
    (["ask", "Will Llama-3-8B handle 32K?", "--llm-timeout", "inf"], "--llm-timeout"),
    (["ask", "Will Llama-3-8B handle 32K?", "--llm-timeout", "-1"], "--llm-timeout"),
    (["ask", "Will Llama-3-8B handle 32K?", "--llm-timeout", "0"], "--llm-timeout"),
    (["ask", "Will Llama-3-8B handle 32K?", "--llm-timeout", "1e400"], "--llm-timeout"),
    (["web", "--port", "１２３４５"], "--port"),
    (["web", "--port", "65536"], "--port"),
    (["web", "--port", HUGE], "--port"),
    (["web", "--port", "-1"], "--port"),
]


@pytest.mark.parametrize(("argv", "flag"), BAD_NUMBERS, ids=lambda v: " ".join(v)[:60] if isinstance(v, list) else v)
def test_bad_numbers_are_one_line_usage_errors(capsys, argv: list[str], flag: str) -> None:
    code, out, err = run_main(capsys, *argv)
    assert_one_line_error(code, err, 2, f"argument {flag}")
    assert out == ""
    assert len(err) < 300  # the 5,000-digit value is shortened, not echoed


@pytest.mark.parametrize("value", ["1e400", HUGE])
def test_overflowing_context_in_a_real_process(value: str) -> None:
    result = run_taf("memory", "llama-3-8b", "--context", value, "--json")
    err = result.stderr.decode()
    assert_one_line_error(result.returncode, err, 2, "argument --context", "up to 17,179,869,184")
    assert result.stdout == b""


def test_number_types_accept_what_people_type_up_to_the_documented_maximum() -> None:
    assert token_count("32k") == 32_000 and token_count("1e4") == 10_000 and token_count("5,000") == 5_000
    assert token_count(str(MAX_POSITIONS)) == MAX_POSITIONS
    assert port_number("0") == 0 and port_number("65535") == 65_535
    for bad in ("0", "1.5", "nan", "１２", str(MAX_POSITIONS + 1)):
        with pytest.raises(argparse.ArgumentTypeError):
            token_count(bad)


def test_ascii_digits_still_work_where_full_width_ones_are_refused(capsys) -> None:
    code, out, err = run_main(capsys, "memory", "llama-3-8b", "--context", "12", "--json")
    assert code == 0 and err == "" and json.loads(out)["context"] == 12


# ---- 2. file names the OS refuses, bytes that are not UTF-8 ----------------------------------------------


@pytest.mark.parametrize("name", ["a" * 5000, "a" * 5000 + ".json", "a/" * 3000 + "b", "~no-such-user-taf/x"])
def test_unusable_model_names_are_one_line_errors(capsys, name: str) -> None:
    code, out, err = run_main(capsys, "spec", name)
    assert_one_line_error(code, err, 1)
    assert out == ""


def test_long_name_in_a_real_process() -> None:
    result = run_taf("spec", "a" * 5000)
    assert_one_line_error(result.returncode, result.stderr.decode(), 1)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file names are bytes")
def test_non_utf8_path_gives_valid_utf8_json_and_text(tmp_path: Path) -> None:
    folder = os.fsencode(tmp_path) + b"/bad\xffdir"
    write_model(Path(os.fsdecode(folder)))
    result = run_taf("spec", folder, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout.decode("utf-8"))  # strict: raw invalid UTF-8 would fail here
    assert data["model_id"].endswith("bad\udcffdir")
    result = run_taf("spec", folder)
    assert result.returncode == 0 and b"Traceback" not in result.stderr
    assert "bad\\xffdir" in result.stdout.decode("utf-8")


def test_lone_surrogates_are_escaped(capsys) -> None:
    emit_json({"model": "bad\udcffdir"})
    out = capsys.readouterr().out
    assert "\\udcff" in out and json.loads(out)["model"] == "bad\udcffdir"
    out.encode("utf-8")
    assert safe_text("bad\udcffdir") == "bad\\xffdir"
    assert plain("run[/]x") == "run\\[/]x"


# ---- 3. rich markup in user text -------------------------------------------------------------------------

MARKUP_DIRS = ["run[/]x", "l[link=http:/e.com]k[/link]", "b[bold]"]


@pytest.mark.parametrize("name", MARKUP_DIRS)
@pytest.mark.parametrize(
    "argv",
    [
        ["spec", "{model}"],
        ["profile", "{model}"],
        ["memory", "{model}", "--context", "4k", "--gpu", "H100"],
        ["recipe", "X-2", "--model", "{model}"],
    ],
    ids=lambda v: v[0],
)
def test_markup_in_a_directory_name_is_shown_literally(tmp_path: Path, monkeypatch, capsys, name, argv) -> None:
    monkeypatch.chdir(tmp_path)
    write_model(tmp_path / name)
    code, out, err = run_main(capsys, *[a.format(model=name) for a in argv])
    assert code == 0, err
    assert name in out.replace("\n", "")


def test_markup_in_config_fields_is_shown_literally(write_config, capsys) -> None:
    path = write_config(
        {**TINY_LLAMA, "model_type": "[/]llama", "architectures": ["[/]X[bold]"], "torch_dtype": "[/]"}, "weird.json"
    )
    for argv in (["spec", str(path)], ["profile", str(path)], ["memory", str(path), "--context", "4k"]):
        code, out, err = run_main(capsys, *argv)
        assert code == 0 and "Traceback" not in err, err
    code, out, _ = run_main(capsys, "spec", str(path))
    assert "[/]llama" in out and "[/]X[bold]" in out


def test_markup_in_compare_and_the_recipe_list(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    write_model(tmp_path / "run[/]x")
    code, out, err = run_main(capsys, "compare", "run[/]x", "llama-3-8b")
    assert code == 0 and "run[/]x" in out, err
    code, out, _ = run_main(capsys, "recipe", "--list")
    assert code == 0 and "[aliases:" in out  # rich used to swallow it as a tag


def test_markup_in_a_path_in_a_real_process(tmp_path: Path) -> None:
    write_model(tmp_path / "run[/]x")
    result = run_taf("spec", "run[/]x", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "run[/]x" in result.stdout.decode()


def _fake_diagnosis(model: str) -> Any:
    from support.diagnosis_files import corpus
    from tafagent.core.decay.diagnosis import Diagnosis

    return Diagnosis(
        model=model,
        protocol="fast",
        corpus="random",
        status="complete",
        results={"random": corpus("random", 0.5)},
        N=1000,
        theta=10000.0,
    )


def test_diagnose_report_on_a_markup_path(monkeypatch, capsys) -> None:
    from tafagent.adapters.measure import runner

    name = "run[/]x [link=http://e.com]k"
    monkeypatch.setattr(runner, "diagnose", lambda model, options, progress=None: _fake_diagnosis(name))
    code, out, err = run_main(capsys, "diagnose", name, "--device", "cpu")
    assert code == 0, err
    assert name in out


# ---- 4. named pipes and devices; outputs vetted before any work ------------------------------------------


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "p.json"
    os.mkfifo(path)
    return path


@needs_fifo
@pytest.mark.parametrize(
    "argv",
    [
        ["spec", "{fifo}"],
        ["spec", "{pipe}"],
        ["profile", "llama-3-8b", "--catalog", "{fifo}"],
        ["profile", "llama-3-8b", "--diagnosis", "{fifo}"],
        ["memory", "llama-3-8b", "--context", "4k", "--gpu", "H100", "--catalog", "{fifo}"],
    ],
    ids=lambda v: " ".join(v),
)
def test_named_pipes_as_inputs_do_not_hang(tmp_path: Path, fifo: Path, argv: list[str]) -> None:
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    result = run_taf(*[a.format(fifo=fifo, pipe=pipe) for a in argv])
    assert_one_line_error(result.returncode, result.stderr.decode(), 1, "named pipe")


@needs_fifo
def test_text_corpus_reader_refuses_a_pipe(fifo: Path) -> None:
    with pytest.raises(ConfigError, match="named pipe"):  # `diagnose --text` reads through this function
        read_text_file(fifo, "text file", 1024, "pass a UTF-8 text file with --text")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_a_device_is_not_read(capsys) -> None:
    code, _, err = run_main(capsys, "spec", "/dev/zero")
    assert_one_line_error(code, err, 1, "is a device")


@needs_fifo
def test_profile_output_to_a_pipe_is_refused_in_a_real_process(fifo: Path) -> None:
    result = run_taf("profile", "llama-3-8b", "--format", "md", "-o", str(fifo))
    assert_one_line_error(result.returncode, result.stderr.decode(), 2, "-o", "named pipe")


@pytest.mark.parametrize("target", ["{tmp}", "{tmp}/missing/card.md", "{tmp}/file.txt/card.md", "/dev/null"])
def test_bad_profile_output_is_refused_before_the_model_loads(tmp_path: Path, capsys, target: str) -> None:
    (tmp_path / "file.txt").write_text("x")
    # the model does not exist: the -o error coming first shows the check runs before any work
    code, out, err = run_main(capsys, "profile", "no-such-model-x", "--format", "md", "-o", target.format(tmp=tmp_path))
    assert_one_line_error(code, err, 2, "-o")
    assert out == "" and not (tmp_path / "missing").exists()


def test_good_profile_output_is_written(tmp_path: Path, capsys) -> None:
    target = tmp_path / "card.md"
    code, out, err = run_main(capsys, "profile", "llama-3-8b", "--format", "md", "-o", str(target))
    assert code == 0 and out == "" and err == "" and target.read_text().startswith("#")


def _refuse_to_measure(*_: Any, **__: Any) -> Any:
    raise AssertionError("the model was loaded before the output paths were checked")


@needs_fifo
@pytest.mark.parametrize(
    "flags",
    [
        ["--out", "{tmp}"],
        ["--out", "{fifo}"],
        ["--out", "{tmp}/file.txt/result.json"],
        ["--plot", "{tmp}/file.txt/decay.png"],
        ["--plot", "{tmp}"],
    ],
    ids=lambda v: " ".join(v),
)
def test_diagnose_checks_outputs_before_loading_the_model(tmp_path, fifo, monkeypatch, capsys, flags) -> None:
    if "--plot" in flags:
        pytest.importorskip("matplotlib")
    from tafagent.adapters.measure import runner

    (tmp_path / "file.txt").write_text("x")
    monkeypatch.setattr(runner, "diagnose", _refuse_to_measure)
    argv = [f.format(tmp=tmp_path, fifo=fifo) for f in flags]
    code, out, err = run_main(capsys, "diagnose", "gpt2", "--device", "cpu", *argv)
    assert_one_line_error(code, err, 2, flags[0])
    assert out == ""


def test_diagnose_out_into_new_folders_still_works(tmp_path: Path, monkeypatch, capsys) -> None:
    from tafagent.adapters.measure import runner

    monkeypatch.setattr(runner, "diagnose", lambda model, options, progress=None: _fake_diagnosis(model))
    target = tmp_path / "new" / "sub" / "result.json"
    code, out, err = run_main(capsys, "diagnose", "gpt2", "--device", "cpu", "--out", str(target), "--json")
    assert code == 0, err
    assert json.loads(target.read_text())["model"] == "gpt2" and json.loads(out)["model"] == "gpt2"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root may write anywhere")
def test_output_in_a_read_only_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        with pytest.raises(UsageError, match="not writable"):
            check_output_file(folder / "x.json", "--out", example="result.json")
    finally:
        folder.chmod(stat.S_IRWXU)


# ---- 5. an unroutable question says so on stderr ---------------------------------------------------------


def test_unroutable_question_in_text_mode_says_so(capsys) -> None:
    code, out, err = run_main(capsys, "ask", "qwerty zxcv blorp")
    assert_one_line_error(code, err, 1, "No deployment question recognised")
    assert out  # the panel with the reason and the likeliest recipes


def test_unroutable_question_in_json_mode_keeps_its_shape() -> None:
    result = run_taf("ask", "qwerty zxcv blorp", "--json")
    assert result.returncode == 1 and b"Traceback" not in result.stderr
    data = json.loads(result.stdout.decode("utf-8"))
    assert data["recipe_id"] is None and data["why"] and isinstance(data["suggestions"], list)


def test_a_broken_catalog_is_refused_even_without_a_gpu(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main(["memory", "llama-3-8b", "--context", "4096", "--catalog", str(broken)])
    assert code == 1 and "not valid JSON" in err.getvalue()
