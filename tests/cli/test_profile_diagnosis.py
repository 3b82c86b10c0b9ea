"""`taf profile --diagnosis FILE`: measured γ from a diagnosis file replace the closed forms on the card."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support.diagnosis_files import diagnosis, reference_diagnosis
from tafagent.cli.main import main


def card_json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[dict, str]:
    assert main(["profile", *argv, "--json"]) == 0
    captured = capsys.readouterr()
    return json.loads(captured.out), captured.err


def test_diagnosis_fills_the_measured_gammas(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "diagnosis.json"
    path.write_text(json.dumps(diagnosis(gamma_text=0.62, gamma_random=0.41)), encoding="utf-8")
    card, _ = card_json(["llama-3-8b", "--diagnosis", str(path)], capsys)
    by_flags, _ = card_json(
        ["llama-3-8b", "--gamma-obs", "0.62", "--gamma-text", "0.62", "--gamma-random", "0.41"], capsys
    )
    assert card["key_numbers"]["gamma_obs"] == pytest.approx(0.62)
    # same card as typing the measured values by hand (up to the fit's last bits)
    assert card["recipes"].keys() == by_flags["recipes"].keys()
    assert {k: v["verdict"] for k, v in card["recipes"].items()} == {
        k: v["verdict"] for k, v in by_flags["recipes"].items()
    }


def test_explicit_flags_win_over_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "diagnosis.json"
    path.write_text(json.dumps(diagnosis(gamma_text=0.62, gamma_random=0.41)), encoding="utf-8")
    card, _ = card_json(["llama-3-8b", "--diagnosis", str(path), "--gamma-obs", "0.9"], capsys)
    assert card["key_numbers"]["gamma_obs"] == 0.9


def test_reference_v053_files_are_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "old.json"
    path.write_text(json.dumps(reference_diagnosis(gamma=0.7)), encoding="utf-8")
    card, _ = card_json(["pythia-70m", "--diagnosis", str(path)], capsys)
    assert card["key_numbers"]["gamma_obs"] == pytest.approx(0.7)


def test_bad_diagnosis_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "notes.json"
    path.write_text('{"hello": 1}', encoding="utf-8")
    assert main(["profile", "llama-3-8b", "--diagnosis", str(path)]) != 0
    err = capsys.readouterr().err
    assert "not a taf diagnosis file" in err and "Traceback" not in err and err.count("\n") <= 2
    assert main(["profile", "llama-3-8b", "--diagnosis", str(tmp_path / "missing.json")]) != 0
    assert "does not exist" in capsys.readouterr().err
