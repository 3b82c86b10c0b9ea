"""`taf plan MODEL --context L (--concurrency C | --tokens-per-day N)`: best plan, runners-up, launch command."""

from __future__ import annotations

import json

import pytest

from tafagent.cli.main import main


def run(capsys, *argv: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_plan_json_finds_a_multi_gpu_plan_under_5_usd_and_x5_agrees(capsys) -> None:  # type: ignore[no-untyped-def]
    """Done criterion of issue 14: `taf plan` and `taf recipe X-5` give the same multi-GPU plan."""
    code, out, err = run(capsys, "plan", "llama-3.3-70b", "--context", "4096", "--tokens-per-day", "100e6", "--json")
    data = json.loads(out)
    best = data["best"]
    assert code == 0 and err == "" and data["met"] is True
    assert best["n_gpus"] > 1 and best["usd_per_mtok"] < 5 and best["memory_per_gpu"]["kv_used_bytes"] > 0
    assert best["launch"][0]["argv"][:2] == ["vllm", "serve"] and data["runners_up"]
    assert all(p["why"] for p in data["runners_up"])
    code, out, _ = run(
        capsys,
        "recipe",
        "X-5",
        "--model",
        "llama-3.3-70b",
        "--set",
        "target_tokens_per_day=100e6",
        "--set",
        "T_eval=4096",
        "--json",
    )
    x5 = json.loads(out)
    row = x5["chain"][-1]["result"][0]
    assert code == 0 and x5["verdict"] == "YES"
    assert (row["gpu"], row["tp"], row["replicas"], row["max_seqs"]) == (
        best["gpu"],
        best["tp"],
        best["replicas"],
        best["max_seqs"],
    )
    assert row["USD_per_Mtok"] == pytest.approx(best["usd_per_mtok"])


def test_plan_text_best_first_then_runners_up_then_launch(capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(
        capsys, "plan", "llama-3.3-70b", "--context", "4096", "--concurrency", "32", "--gpu", "H100", "H200"
    )
    lines = out.splitlines()
    assert code == 0 and lines[0].startswith("Best plan for meta-llama/Llama-3.3-70B-Instruct (vllm):")
    assert "$" in out and "/Mtok" in out and "fitted" in out and "runners-up" in out and "why it lost" in out
    assert "does not fit" in out and "vllm serve meta-llama/Llama-3.3-70B-Instruct --tensor-parallel-size" in out


def test_plan_with_an_impossible_latency_names_the_closest_plan(capsys) -> None:  # type: ignore[no-untyped-def]
    argv = ("plan", "llama-3.3-70b", "--context", "4096", "--concurrency", "8", "--max-ms-per-token", "1")
    code, out, _ = run(capsys, *argv, "--json")
    data = json.loads(out)
    assert code == 0 and data["met"] is False and data["best"] is None and data["closest"]["change"]
    code, out, _ = run(capsys, *argv)
    assert out.startswith("No plan meets 8 sequences of 4,096 tokens, ≤ 1 ms/token; closest") and "To meet it" in out


@pytest.mark.parametrize("engine", ["sglang", "llama.cpp"])
def test_plan_other_engines(capsys, engine: str) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(
        capsys, "plan", "llama-3-8b", "--context", "8192", "--concurrency", "4", "--engine", engine, "--json"
    )
    data = json.loads(out)
    assert code == 0 and data["engine"] == engine and data["best"]["launch"][0]["engine"] == engine


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (("--concurrency", "4", "--gpu", "H10"), "did you mean 'H100 SXM'"),
        (("--concurrency", "4", "--engine", "vlm"), "did you mean 'vllm'"),
        ((), "needs a target"),
        (("--concurrency", "0"), "expected a positive whole number"),
    ],
)
def test_plan_bad_input_is_one_line(capsys, argv: tuple[str, ...], needle: str) -> None:  # type: ignore[no-untyped-def]
    try:
        code = main(["plan", "llama-3-8b", "--context", "4096", *argv])
    except SystemExit as stop:  # argparse's own errors exit 2
        code = int(stop.code or 0)
    out, err = capsys.readouterr()
    assert code != 0 and out == "" and needle in err and len(err.strip().splitlines()) == 1
