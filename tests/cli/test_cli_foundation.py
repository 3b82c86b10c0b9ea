"""The `taf` command: presets, spec, MODEL resolution, JSON-only stdout, one-line errors and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tafagent.cli.main import main


def run_main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_presets_json(capsys) -> None:
    code, out, err = run_main(capsys, "presets", "--json")
    rows = json.loads(out)
    assert code == 0 and err == ""
    assert len(rows) >= 34
    llama = next(r for r in rows if r["id"] == "meta-llama/Meta-Llama-3-8B")
    assert llama["n_params"] == 8_030_261_248 and "llama-3-8b" in llama["aliases"]


def test_presets_table(capsys) -> None:
    code, out, _ = run_main(capsys, "presets")
    assert code == 0 and "Meta-Llama-3-8B" in out and "rope-gqa" in out


def test_spec_json_is_the_only_stdout(capsys) -> None:
    code, out, err = run_main(capsys, "spec", "llama-3-8b", "--json")
    data = json.loads(out)
    assert code == 0 and err == ""
    assert data["model_id"] == "meta-llama/Meta-Llama-3-8B"
    assert data["sources"]["n_kv_heads"] == {"kind": "config", "key": "num_key_value_heads"}
    assert data["n_params"] == 8_030_261_248


def test_spec_table_shows_sources(capsys) -> None:
    code, out, _ = run_main(capsys, "spec", "Mistral-7B")
    assert code == 0
    assert "config: sliding_window" in out and "preset" in out  # T_train documented by the preset


def test_spec_from_config_file_and_directory(capsys, llama_config, write_config) -> None:
    path = write_config(llama_config, "model/config.json")
    for target in (str(path), str(path.parent)):
        code, out, _ = run_main(capsys, "spec", target, "--json")
        assert code == 0 and json.loads(out)["n_layers"] == 32


def test_malformed_json_is_one_line(capsys, write_config) -> None:
    path = write_config(None, "broken.json", raw='{"model_type": "llama", "hidden_size": 4096,')
    code, out, err = run_main(capsys, "spec", str(path))
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "not valid JSON" in err


def test_json_array_config_is_refused(capsys, write_config) -> None:
    path = write_config([1, 2], "array.json")
    code, _, err = run_main(capsys, "spec", str(path))
    assert code == 1 and "not an object" in err


def test_bad_field_names_the_field(capsys, llama_config, write_config) -> None:
    llama_config["num_key_value_heads"] = 5
    path = write_config(llama_config)
    code, _, err = run_main(capsys, "spec", str(path))
    assert code == 1 and "not divisible" in err and err.count("\n") == 1


def test_unknown_model_suggests_presets(capsys) -> None:
    code, out, err = run_main(capsys, "spec", "lama-3-8b")
    assert code == 1 and out == ""
    assert "llama-3-8b" in err and err.startswith("taf: error:")


def test_directory_without_config(capsys, tmp_path: Path) -> None:
    code, _, err = run_main(capsys, "spec", str(tmp_path))
    assert code == 1 and "no config.json" in err


def test_hub_ids_explain_the_offline_path(capsys, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    code, _, err = run_main(capsys, "spec", "someorg/somemodel-7b")
    assert code == 1 and "config.json" in err


def test_usage_errors_exit_2_with_one_line(capsys) -> None:
    with pytest.raises(SystemExit) as info:
        main(["spec"])
    _, err = capsys.readouterr()
    assert info.value.code == 2 and err.count("\n") == 1
    with pytest.raises(SystemExit) as info:
        main(["no-such-command"])
    assert info.value.code == 2


def test_console_script_and_module_entry_points() -> None:
    taf = Path(sys.executable).with_name("taf")
    result = subprocess.run([str(taf), "spec", "gpt2", "--json"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["family"] == "abspe"
    result = subprocess.run([sys.executable, "-m", "tafagent", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and "tafagent" in result.stdout
    result = subprocess.run([str(taf), "spec", "nope-model"], capture_output=True, text=True)
    assert result.returncode == 1 and "Traceback" not in result.stderr
