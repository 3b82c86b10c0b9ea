"""Every generated launch command parses under the flag list extracted from its engine's own argument parser.

tests/data/engine_flags/{vllm,sglang,llama_cpp,ollama}.json hold the flags (names, aliases, value types, choices)
read from each engine's source at a named commit; the small checker below plays argparse: each flag exists, takes
a value when it is not a switch, and the value has the right type, range and choice.
"""

from __future__ import annotations

import itertools
import json
import shlex
from pathlib import Path
from typing import Any

import pytest

from tafagent.core.launch import LaunchCommand, LaunchRequest, launch_commands

FLAGS_DIR = Path(__file__).resolve().parents[1] / "data" / "engine_flags"
_SPEC_FILE = {"vllm": "vllm.json", "sglang": "sglang.json", "llama.cpp": "llama_cpp.json", "ollama": "ollama.json"}


def _spec(engine: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FLAGS_DIR / _SPEC_FILE[engine]).read_text(encoding="utf-8"))
    return data


def _check_value(flag: str, value: str, rule: dict[str, Any]) -> None:
    """The value's type, range and choice, as the engine's parser would check them."""
    kind = rule.get("type", "str")
    if "choices" in rule:
        assert value in rule["choices"], f"{flag} {value!r} not in {rule['choices']}"
    if kind == "int":
        number: float = int(value)  # raises on '1.5' or 'abc', like argparse type=int
    elif kind == "float":
        number = float(value)
    else:
        assert value != "", f"{flag} got an empty value"
        return
    assert number >= rule.get("min", number), f"{flag} {value} below {rule['min']}"
    assert number <= rule.get("max", number), f"{flag} {value} above {rule['max']}"
    assert number > rule.get("gt", number - 1), f"{flag} {value} must be > {rule['gt']}"
    assert number <= rule.get("le", number), f"{flag} {value} must be ≤ {rule['le']}"
    assert number >= rule.get("ge", number), f"{flag} {value} must be ≥ {rule['ge']}"


def _flag_index(flags: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    index: dict[str, tuple[str, dict[str, Any]]] = {}
    for name, rule in flags.items():
        for spelling in (name, *rule.get("aliases", ())):
            assert spelling not in index, f"{spelling} listed twice"
            index[spelling] = (name, rule)
    return index


def parse_argv(
    argv: tuple[str, ...], program: list[str], positional: list[str], flags: dict[str, Any]
) -> dict[str, Any]:
    """argparse-like parse of ``argv``: program words, positionals, then flags; returns {canonical flag: value}."""
    assert list(argv[: len(program)]) == program, f"{argv[: len(program)]} is not {program}"
    rest = list(argv[len(program) :])
    parsed: dict[str, Any] = {}
    for name in positional:
        assert rest and not rest[0].startswith("-"), f"missing positional {name}"
        parsed[name] = rest.pop(0)
    index = _flag_index(flags)
    while rest:
        token = rest.pop(0)
        key = "--" + token[2:].replace("_", "-") if token.startswith("--") else token
        assert key in index, f"unknown flag {token}"
        name, rule = index[key]
        assert name not in parsed, f"{name} given twice"
        if rule.get("type") == "bool":
            parsed[name] = token
            continue
        assert rest, f"{token} needs a value"
        value = rest.pop(0)
        assert not (value.startswith("-") and not value.lstrip("-").isdigit()), f"{token} got flag {value} as value"
        _check_value(token, value, rule)
        parsed[name] = value
    for name, rule in flags.items():
        assert not rule.get("required") or name in parsed, f"required flag {name} missing"
    return parsed


def _check_ollama(command: LaunchCommand, spec: dict[str, Any]) -> None:
    """serve: env VAR=VALUE … ollama serve; create: ollama create NAME -f Modelfile (+ its text); curl: options."""
    argv = command.argv
    if argv[0] == "env":
        assignments = [a for a in argv[1:] if "=" in a]
        assert list(argv[1 + len(assignments) :]) == spec["programs"]["serve"]["program"]
        for assignment in assignments:
            var, value = assignment.split("=", 1)
            assert var in spec["env"], f"unknown Ollama variable {var}"
            rule = spec["env"][var]
            _check_value(var, value if rule["type"] != "bool" else str(int(value in ("1", "true"))), rule)
    elif argv[:2] == ("ollama", "create"):
        program = spec["programs"]["create"]
        parse_argv(argv, program["program"], program["positional"], program["flags"])
        ((name, content),) = command.files
        assert name == argv[argv.index("-f") + 1]
        for line in content.strip().splitlines():
            instruction, *words = line.split()
            assert instruction in spec["modelfile_instructions"], line
            if instruction == "PARAMETER":
                option, value = words
                _check_value(option, value, spec["runner_options"][option])
    else:
        assert argv[0] == "curl" and "-d" in argv
        body = json.loads(argv[argv.index("-d") + 1])
        for option, value in body["options"].items():
            _check_value(option, str(value), spec["runner_options"][option])


def check_command(command: LaunchCommand) -> dict[str, Any]:
    """Parse ``command`` with its engine's extracted flag list (AssertionError naming the offending flag)."""
    assert shlex.split(command.text) == list(command.argv), "text does not round-trip to argv"
    spec = _spec(command.engine)
    assert command.checked_against, "checked_against is empty"
    for source in spec["source"]["files"]:
        assert source["commit"][:8] in command.checked_against, f"{source['path']} commit not named in checked_against"
    for flag, replacement in spec.get("removed", {}).items():
        assert flag not in command.argv, f"{flag} was removed from {command.engine}; use {replacement}"
    if command.engine == "ollama":
        _check_ollama(command, spec)
        return {}
    return parse_argv(command.argv, spec["program"], spec["positional"], spec["flags"])


# A range of requests: TP 1/2/4/8, every KV dtype an engine takes, context short to long, batch sizes,
# GPU-memory fractions, ports, and (llama.cpp, Ollama) full and partial offloads.
_KV = {
    "vllm": ("auto", "bf16", "fp16", "fp32", "fp8", "fp8_e4m3", "fp8_e5m2", "int8"),
    "sglang": ("auto", "bf16", "fp32", "fp8", "fp8_e4m3", "fp8_e5m2"),
    "llama.cpp": ("auto", "fp16", "bf16", "fp32", "q8_0", "q4_0"),
    "ollama": ("auto", "fp16", "q8_0", "q4_0"),
}
_MODELS = {
    "vllm": ("meta-llama/Llama-3.1-8B-Instruct", "/models/my model (v2)"),
    "sglang": ("Qwen/Qwen2.5-72B-Instruct", "/data/it's here/model"),
    "llama.cpp": ("/models/Llama 3.1 8B/model-Q4_K_M.gguf", "bartowski/Llama-3.1-8B-Instruct-GGUF"),
    "ollama": ("llama3.1:8b", "/models/my model.gguf"),
}


def _requests(engine: str) -> list[LaunchRequest]:
    out = []
    grid = itertools.product(_MODELS[engine], (1, 2, 4, 8), _KV[engine], (None, 4096, 131072), (None, 1, 16))
    for i, (model, tp, kv, context, seqs) in enumerate(grid):
        layers = (None, None), (None, 80), (20, 80), (0, 32), (999, None)
        n_gpu_layers, n_layers = layers[i % len(layers)]
        out.append(
            LaunchRequest(
                model=model,
                engine=engine,
                tensor_parallel_size=tp,
                max_model_len=context,
                max_num_seqs=seqs,
                gpu_memory_utilization=(None, 0.9, 0.85, 1.0)[i % 4],
                kv_cache_dtype=kv,
                quantization=(None, "fp8", "bf16")[i % 3] if engine in ("vllm", "sglang") else None,
                n_gpu_layers=n_gpu_layers,
                n_layers=n_layers,
                port=(None, 8000, 30001)[i % 3],
            )
        )
    return out


@pytest.mark.parametrize("engine", ["vllm", "sglang", "llama.cpp", "ollama"])
def test_every_generated_command_parses_under_the_engines_own_flag_list(engine: str) -> None:
    requests = _requests(engine)
    assert len(requests) >= 200
    for request in requests:
        for command in launch_commands(request):
            assert command.engine == engine
            check_command(command)


def test_the_checker_rejects_what_the_engines_would_reject() -> None:
    spec = _spec("vllm")
    bad = [
        ("vllm", "serve", "m", "--tensor-parallel", "2"),  # not a flag of the list
        ("vllm", "serve", "m", "--kv-cache-dtype", "q4_0"),  # not a choice
        ("vllm", "serve", "m", "--max-model-len"),  # missing value
        ("vllm", "serve", "m", "--gpu-memory-utilization", "1.5"),  # outside (0, 1]
        ("vllm", "serve", "m", "--max-num-seqs", "2.5"),  # not an int
    ]
    for argv in bad:
        with pytest.raises((AssertionError, ValueError)):
            parse_argv(argv, spec["program"], spec["positional"], spec["flags"])


@pytest.mark.parametrize("engine", ["vllm", "sglang", "llama.cpp", "ollama"])
def test_flag_data_files_name_their_source_and_commit(engine: str) -> None:
    spec = _spec(engine)
    assert spec["engine"] == engine
    assert spec["source"]["version"]
    for source in spec["source"]["files"]:
        assert len(source["commit"]) == 40 and source["path"]
