"""Property-based fuzzing of `taf`: hostile configs, numbers, catalog and diagnosis files.

Every run, whatever the input, exits 0, 1 or 2, writes no traceback and at most 3 lines on stderr, finishes
within a bound, and with --json and exit 0 writes strict UTF-8 JSON (no NaN/Infinity) on stdout. The bulk runs
in-process through ``main()``; a sample of each family runs as real `taf` processes (``*_in_a_real_process``).
Derandomized by default; ``TAF_HYPOTHESIS=explore TAF_FUZZ_EXAMPLES=2000`` searches further.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from support.fuzz_support import (
    MARKUP_TEXTS,
    NUMBER_TEXTS,
    PRESET_NAMES,
    RECIPE_IDS,
    Outcome,
    check_outcome,
    config_file,
    diagnosis_file,
    fuzz_settings,
    json_file_bytes,
    option,
    options,
    real_process_settings,
    run_in_process,
    run_real,
)
from tafagent.core.catalogs import default_catalogs
from tafagent.core.recipes import list_recipes


@pytest.fixture(autouse=True, scope="module")
def _offline() -> Iterator[None]:
    """No example may reach the network (a hostile name must not become a Hub download)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HF_HUB_OFFLINE", "1")
        yield


def run_both(argv: list[str], real: bool) -> Outcome:
    return run_real(list(argv)) if real else run_in_process(list(argv))


# ---- (a) mutated real configs -----------------------------------------------------------------------------

FOLDER_NAMES = ("model", "run[", "[link=x]m", "a b", "[bold]x", "x]")  # no "/" in a folder name
CONFIG_COMMANDS = (
    ("spec", "{}"),
    ("profile", "{}"),
    ("memory", "{}", "--context", "4096"),
    ("recipe", "X-2", "--model", "{}"),
)


@st.composite
def config_run(draw: st.DrawFn) -> tuple[bytes, str, bool, tuple[str, ...], bool]:
    data = draw(config_file())
    return (
        data,
        draw(st.sampled_from(FOLDER_NAMES)),
        draw(st.booleans()),  # the folder, or the config.json in it
        draw(st.sampled_from(CONFIG_COMMANDS)),
        draw(st.booleans()),  # --json
    )


def check_config_run(run: tuple[bytes, str, bool, tuple[str, ...], bool], real: bool) -> None:
    data, folder_name, as_folder, command, json_mode = run
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / folder_name
        folder.mkdir()
        (folder / "config.json").write_bytes(data)
        target = str(folder if as_folder else folder / "config.json")
        argv = [target if part == "{}" else part for part in command] + (["--json"] if json_mode else [])
        check_outcome(run_both(argv, real), json_mode)


@fuzz_settings(800)
@given(config_run())
def test_mutated_preset_configs(run: tuple[bytes, str, bool, tuple[str, ...], bool]) -> None:
    check_config_run(run, real=False)


@real_process_settings(3)
@given(config_run())
def test_mutated_preset_configs_in_a_real_process(run: tuple[bytes, str, bool, tuple[str, ...], bool]) -> None:
    check_config_run(run, real=True)


# ---- (b) arguments --------------------------------------------------------------------------------------

GPU_NAMES = st.sampled_from(["H100", "A100 80GB", "RTX 4090", "MI300X", "nope", *MARKUP_TEXTS[:6]])
DTYPES = st.sampled_from(["auto", "stored", "bf16", "fp8", "nf4", "gguf-q4_k_m", "int3", "[/]", "", "\u200bbf16"])


def mostly(good: list[str], hostile: st.SearchStrategy[str] = NUMBER_TEXTS) -> st.SearchStrategy[str]:
    """A value that is valid about half the time, so an argv with several options reaches past argparse."""
    return st.one_of(st.sampled_from(good), hostile)


PARAM_NAMES = sorted({p.name for r in list_recipes() for p in r.params})
SET_VALUES = mostly(["32k", "8e9", "0.5", "2", "7B"]) | st.sampled_from(
    ["true", "false", "yes", "H100", "GPT-4o", "vllm", "[/]", "a=b", ""]
)
SET_PAIRS = st.builds(
    lambda k, v: f"{k}={v}",
    st.sampled_from(PARAM_NAMES) | st.sampled_from(["", "__proto__", "nope", "x" * 300, "T_eval=", "[/]"]),
    SET_VALUES,
) | st.sampled_from(["novalue", "=", "==", "T_eval"])
MEMORY = {
    "--batch": mostly(["1", "8", "64", "1k"]),
    "--tp": mostly(["1", "2", "8"]),
    "--gpu-memory-utilization": mostly(["0.9", "0.5", "1"]),
    "--gpu": GPU_NAMES,
    "--weights-dtype": DTYPES,
    "--kv-dtype": DTYPES,
    "--engine": st.sampled_from(["transformers", "vllm", "llama.cpp", "ollama"]),
    "--attn": st.sampled_from(["sdpa", "eager"]),
}
PROFILE = {
    "--t-eval": mostly(["32k", "8192", "1M"]),
    "--gamma-obs": mostly(["0.5", "0.9", "1.2"]),
    "--gamma-random": mostly(["0.4", "0.1"]),
    "--gamma-text": mostly(["0.6", "0.8"]),
    "--budget": mostly(["5000", "1e6"]),
    "--monthly-tokens-m": mostly(["100", "1"]),
    "--tokens-per-day": mostly(["1e7", "1e9"]),
    "--api-model": st.sampled_from(["GPT-4o", "claude opus", "nope", *MARKUP_TEXTS[:6]]),
    "--format": st.sampled_from(["text", "md"]),
}
COMPARE = {
    "--t-eval": mostly(["32k", "4096"]),
    "--recipe": st.sampled_from([*RECIPE_IDS, "X-99", "[/]", ""]),
    "--set": SET_PAIRS,
}
ASK = {
    "--llm-timeout": mostly(["1", "0.5"]),
    "--lang": st.sampled_from(["en", "es", "fr", "zh", "de"]),
    "--llm-url": st.sampled_from(["http://127.0.0.1:9/v1", "file:///etc/passwd", "not a url", "[/]", "ftp://x"]),
}
DIAGNOSE = {
    "--prompts": mostly(["30", "1"]),
    "--N": mostly(["2048", "32k"]),
    "--curve-queries": mostly(["1", "16"]),
    "--fit-min-distance": mostly(["30", "1"]),
    "--theta": mostly(["10000", "5e5"]),
    "--distances": st.lists(mostly(["10", "50", "1000"]), min_size=1, max_size=4).map(",".join),
    "--seeds": st.lists(mostly(["42", "7"]), min_size=1, max_size=3).map(",".join),
    "--device": st.sampled_from(["nope", "cuda:x", "cuda:-1", "[/]", "cpu"]),
    "--dtype": st.sampled_from(["auto", "float32", "int4", "[/]"]),
    "--protocol": st.sampled_from(["fast", "reference", "slow"]),
    "--corpus": st.sampled_from(["random", "text", "both", "none"]),
    "--text": st.sampled_from(["/nonexistent/taf-fuzz.txt", "[/]"]),
}
QUESTIONS = st.sampled_from(
    [
        "Will Llama-3-8B handle {} context?",
        "How much memory does mistral-7b need at {} tokens with batch {}?",
        "Train a {} parameter model on H100 for {} tokens or use GPT-4o?",
        "Can I serve {} tokens per day of qwen3-8b on an RTX 4090?",
        "¿Puede Llama-3-8B manejar {} de contexto?",
        "{}",
    ]
)


@st.composite
def question(draw: st.DrawFn) -> str:
    template = draw(QUESTIONS)
    numbers = [draw(NUMBER_TEXTS | st.sampled_from(MARKUP_TEXTS)) for _ in range(template.count("{}"))]
    return template.format(*numbers)


@st.composite
def argument_run(draw: st.DrawFn) -> list[str]:
    """One of memory/profile/compare/recipe/ask with hostile option values."""
    command = draw(st.sampled_from(["memory", "profile", "compare", "recipe", "ask"]))
    model = draw(st.sampled_from(PRESET_NAMES))
    if command == "memory":
        argv = [
            "memory",
            model,
            *option("--context", draw(mostly(["4096", "32k", "128k"])), draw(st.booleans())),
            *draw(options(MEMORY)),
        ]
    elif command == "profile":
        argv = ["profile", model, *draw(options(PROFILE))]
    elif command == "compare":
        models = draw(
            st.lists(st.sampled_from(PRESET_NAMES), min_size=2, max_size=3)
            | st.lists(st.sampled_from(PRESET_NAMES), min_size=1, max_size=4)
        )
        argv = ["compare", *models, *draw(options(COMPARE))]
    elif command == "recipe":
        recipe = draw(st.sampled_from([*RECIPE_IDS, "x-2", "X-99", "", "[/]"]))
        argv = ["recipe", recipe, *(["--model", model] if draw(st.booleans()) else [])]
        for pair in draw(st.lists(SET_PAIRS, max_size=4)):
            argv += option("--set", pair, draw(st.booleans()))
    else:
        argv = ["ask", draw(question()), *draw(options(ASK, max_size=2))]
    return argv + (["--json"] if draw(st.booleans()) else [])


@fuzz_settings(1200)
@given(argument_run())
def test_hostile_arguments(argv: list[str]) -> None:
    check_outcome(run_in_process(argv), "--json" in argv)


@st.composite
def diagnose_run(draw: st.DrawFn) -> list[str]:
    """`taf diagnose` on a model that does not exist (it must fail before loading one), hostile options."""
    model = draw(st.sampled_from(["/nonexistent/taf-fuzz/model", "/nonexistent/[/bold]", "/nonexistent/\u200bx"]))
    argv = ["diagnose", model, *draw(options(DIAGNOSE, max_size=5))]
    return argv + (["--json"] if draw(st.booleans()) else [])


@fuzz_settings(200)
@given(diagnose_run())
def test_hostile_diagnose_arguments(argv: list[str]) -> None:
    check_outcome(run_in_process(argv), "--json" in argv)


@real_process_settings(3)
@given(st.one_of(argument_run(), diagnose_run()))
def test_hostile_arguments_in_a_real_process(argv: list[str]) -> None:
    check_outcome(run_real(list(argv)), "--json" in argv)


# ---- (c) catalog files ------------------------------------------------------------------------------------

CATALOGS = default_catalogs()
GPU_ROWS = [g.to_dict() for g in CATALOGS.gpus]
API_ROWS = [a.to_dict() for a in CATALOGS.apis]
CATALOG_KEYS = ("name", "aliases", "bf16_tflops", "vram_GB", "hbm_GB_per_s", "usd_per_hour", "tdp_W", "gpus", "apis")


@st.composite
def catalog_run(draw: st.DrawFn) -> tuple[bytes, list[str]]:
    """A catalog file with a GPU and an API row (a built-in one, renamed or not), mutated, and a command using it."""
    gpu = dict(draw(st.sampled_from(GPU_ROWS)))
    api = dict(draw(st.sampled_from(API_ROWS)))
    if draw(st.booleans()):
        gpu["name"], api["name"] = "Fuzz GPU", "Fuzz API"
    base = {"gpus": [gpu], "apis": [api]}
    data = draw(json_file_bytes(base, CATALOG_KEYS))
    gpu_name = gpu["name"] if isinstance(gpu.get("name"), str) else "H100"
    api_name = api["name"] if isinstance(api.get("name"), str) else "GPT-4o"
    command = draw(
        st.sampled_from(
            [
                ["memory", "llama-3-8b", "--context", "4096", "--gpu", gpu_name],
                ["profile", "llama-3-8b", "--api-model", api_name],
                ["recipe", "X-1", "--set", f"gpu={gpu_name}", "--set", f"api_model={api_name}"],
                ["recipe", "X-3", "--model", "mistral-7b", "--set", f"gpu={gpu_name}"],
                ["recipe", "X-5", "--model", "llama-3-8b"],
                ["ask", f"Train an 8B model on {gpu_name} or use {api_name}?"],
            ]
        )
    )
    return data, command + (["--json"] if draw(st.booleans()) else [])


def check_file_run(data: bytes, argv: list[str], flag: str, real: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "file.json")
        Path(path).write_bytes(data)
        check_outcome(run_both([*argv, flag, path], real), "--json" in argv)


@fuzz_settings(600)
@given(catalog_run())
def test_mutated_catalog_files(run: tuple[bytes, list[str]]) -> None:
    check_file_run(*run, "--catalog", real=False)


@real_process_settings(2)
@given(catalog_run())
def test_mutated_catalog_files_in_a_real_process(run: tuple[bytes, list[str]]) -> None:
    check_file_run(*run, "--catalog", real=True)


# ---- (d) diagnosis files ----------------------------------------------------------------------------------


@st.composite
def diagnosis_run(draw: st.DrawFn) -> tuple[bytes, list[str]]:
    data = draw(diagnosis_file())
    extra = draw(st.sampled_from([[], ["--gamma-obs", "0.5"], ["--t-eval", "32k"], ["--format", "md"]]))
    return data, ["profile", "llama-3-8b", *extra] + (["--json"] if draw(st.booleans()) else [])


@fuzz_settings(600)
@given(diagnosis_run())
def test_mutated_diagnosis_files(run: tuple[bytes, list[str]]) -> None:
    check_file_run(*run, "--diagnosis", real=False)


@real_process_settings(2)
@given(diagnosis_run())
def test_mutated_diagnosis_files_in_a_real_process(run: tuple[bytes, list[str]]) -> None:
    check_file_run(*run, "--diagnosis", real=True)
