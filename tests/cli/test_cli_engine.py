"""`taf profile`, `taf compare`, `taf recipe`: JSON contracts, text/Markdown/HTML output, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tafagent.cli.main import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_profile_json_contract(capsys) -> None:
    code, out, err = run(capsys, "profile", "llama-3-8b", "--t-eval", "32k", "--json")
    data = json.loads(out)
    assert code == 0 and err == ""
    assert {"model", "key_numbers", "recipes", "diagnostics"} <= set(data)
    assert data["model"]["sources"]["n_kv_heads"]["key"] == "num_key_value_heads"
    assert data["key_numbers"]["T_eval"] == 32000
    assert data["recipes"]["X-2"]["verdict"] == "NO"  # 32K is beyond Llama-3-8B's 8K training context
    assert data["recipes"]["X-2"]["chain"][0]["evidence"]["label"] == "derived"


def test_profile_text_shows_summary_and_diagnostics(capsys) -> None:
    code, out, _ = run(capsys, "profile", "qwen2.5-7b")
    assert code == 0 and "TAF Card" in out and "✅" in out and "Diagnostics" in out and "F2" in out


def test_profile_with_measurements(capsys) -> None:
    code, out, _ = run(capsys, "profile", "llama-3-8b", "--gamma-obs", "1.0455", "--gamma-random", "0.7589", "--json")
    data = json.loads(out)
    x2 = data["recipes"]["X-2"]
    # within the 8K training context a horizon-less measured γ lowers X-2's confidence, not its verdict
    assert code == 0 and x2["verdict"] == "YES" and x2["inputs"]["gamma_obs"] == 1.0455
    assert any(c["name"] == "agreement" and c["status"] == "warn" for c in x2["confidence"]["checks"])
    assert data["diagnostics"]["gamma_source"].startswith("measured")


def test_profile_markdown_and_html_reports(capsys, tmp_path: Path) -> None:
    code, out, _ = run(capsys, "profile", "mistral-7b", "--format", "md")
    assert code == 0 and out.startswith("# TAF Card — mistralai/Mistral-7B-v0.1") and "## Audit chains" in out
    target = tmp_path / "card.html"
    code, out, _ = run(capsys, "profile", "gemma-2-9b", "--format", "html", "-o", str(target))
    html = target.read_text(encoding="utf-8")
    assert code == 0 and out == ""
    assert html.startswith("<!doctype html>") and "Content-Security-Policy" in html and "<script" not in html


def test_html_report_escapes_model_ids(capsys, llama_config, write_config) -> None:
    path = write_config(llama_config, "<img src=x onerror=alert(1)>/config.json")
    code, out, _ = run(capsys, "profile", str(path.parent), "--format", "html")
    assert code == 0 and "<img src=x" not in out and "&lt;img src=x" in out


def test_profile_non_rope_model(capsys) -> None:
    code, out, _ = run(capsys, "profile", "gpt2", "--json")
    data = json.loads(out)
    assert code == 0 and data["recipes"]["X-2"]["verdict"] == "NOT APPLICABLE"
    assert data["key_numbers"]["gamma_pade"] is None


def test_profile_bad_option_is_usage_error(capsys) -> None:
    with pytest.raises(SystemExit) as info:
        main(["profile", "llama-3-8b", "--t-eval", "lots"])
    assert info.value.code == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_recipe_json_and_reference_names(capsys) -> None:
    code, out, _ = run(capsys, "recipe", "X-5", "--set", "n_params=8e9", "--json")
    data = json.loads(out)
    assert code == 0 and data["verdict"] == "YES" and data["inputs"]["N_params"] == 8e9
    assert {
        "recipe_id",
        "recipe_name",
        "inputs",
        "chain",
        "verdict",
        "reason",
        "mitigation",
        "caveats",
        "confidence",
    } <= set(data)


def test_recipe_with_model_and_markdown(capsys) -> None:
    code, out, _ = run(capsys, "recipe", "X-19", "--model", "qwen2.5-7b", "--set", "T_eval=32768", "--format", "md")
    assert code == 0 and "# X-19 — KV Compression Decision" in out and "D_f window" in out


def test_recipe_list(capsys) -> None:
    code, out, _ = run(capsys, "recipe", "--list", "--json")
    data = json.loads(out)
    assert code == 0 and [r["id"] for r in data] == ["X-1", "X-2", "X-3", "X-5", "X-19", "X-21", "X-22", "X-23"]
    x2 = next(r for r in data if r["id"] == "X-2")
    assert any(p["name"] == "T_eval" and p["default"] == 32000 for p in x2["params"])
    code, out, _ = run(capsys, "recipe", "--list")
    assert code == 0 and "X-23" in out


@pytest.mark.parametrize(
    "argv,needle",
    [
        (["recipe", "X-9"], "unknown recipe"),
        (["recipe", "X-2", "--set", "theta=-1"], "theta"),
        (["recipe", "X-2", "--set", "thetaa=1"], "thetaa"),
        (["recipe", "X-2", "--set", "theta"], "name=value"),
        (["recipe", "X-3", "--set", "gpu=RTX 5060Ti"], "gpu_usd_per_hour"),
        (["recipe"], "--list"),
    ],
)
def test_recipe_errors_are_one_line(capsys, argv, needle) -> None:
    code, out, err = run(capsys, *argv)
    assert code in (1, 2) and out == "" and needle in err and err.count("\n") == 1


def test_compare_json_contract(capsys) -> None:
    code, out, _ = run(
        capsys, "compare", "llama-3-8b", "mistral-7b", "qwen2.5-7b", "--recipe", "X-2", "--t-eval", "16000", "--json"
    )
    data = json.loads(out)
    assert code == 0 and data["recipe_id"] == "X-2"
    assert [r["verdict"] for r in data["rows"]] == ["NO", "NO", "YES"]  # 16K: beyond 8K, beyond 8K, within 32K
    assert {"model", "verdict", "reason", "key_numbers"} <= set(data["rows"][0])


def test_compare_text_and_md(capsys) -> None:
    code, out, _ = run(capsys, "compare", "llama-3-8b", "gpt2", "--recipe", "X-5")
    assert code == 0 and "Hardware Selection" in out
    code, out, _ = run(capsys, "compare", "llama-3-8b", "gpt2", "--recipe", "X-1", "--format", "md")
    assert code == 0 and out.startswith("# Compare — X-1")


def test_compare_needs_two_or_three(capsys) -> None:
    code, _, err = run(capsys, "compare", "llama-3-8b", "--recipe", "X-2")
    assert code == 2 and "2 or 3" in err


def test_catalog_override_file(capsys, tmp_path: Path) -> None:
    catalog = tmp_path / "prices.json"
    catalog.write_text(
        json.dumps(
            {
                "gpus": [{"name": "H100 SXM", "usd_per_hour": 1.0}],
                "apis": [{"name": "MyAPI", "input_usd_per_Mtok": 1, "output_usd_per_Mtok": 2}],
            }
        )
    )
    code, out, _ = run(capsys, "recipe", "X-3", "--catalog", str(catalog), "--json")
    data = json.loads(out)
    assert code == 0 and data["chain"][0]["result"] == 5000.0
    code, out, _ = run(capsys, "recipe", "X-1", "--catalog", str(catalog), "--set", "api_model=MyAPI", "--json")
    assert code == 0 and json.loads(out)["chain"][4]["result"] == 1.5
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"gpus": [{"name": "H100 SXM", "usd_per_hour": 0}]}))
    code, _, err = run(capsys, "recipe", "X-3", "--catalog", str(bad))
    assert code == 1 and "never 0" in err
    for aliases in (5, "h100", [1, 2]):  # a list of names, or a one-line error (was a TypeError traceback)
        bad.write_text(json.dumps({"gpus": [{"name": "H100 SXM", "usd_per_hour": 1.0, "aliases": aliases}]}))
        code, _, err = run(capsys, "recipe", "X-3", "--catalog", str(bad))
        assert code == 1 and "must be a list of names" in err and "Traceback" not in err
    # an override row without aliases keeps the built-in ones
    code, out, _ = run(capsys, "recipe", "X-3", "--catalog", str(catalog), "--set", "gpu=h100", "--json")
    assert code == 0 and "H100 SXM" in out
