"""Shared pieces of the fuzz suites (tests/cli/test_fuzz_cli.py, tests/cli/test_fuzz_bridge.py): hostile values,
JSON written as raw text (5,000-digit integers, NaN, 1e400, deep nesting, bytes that are not UTF-8), the
in-process and real-process runners of `taf`, and the properties every run must hold.

The suites are derandomized by default (tests/conftest.py); ``TAF_HYPOTHESIS=explore`` searches new examples
and ``TAF_FUZZ_EXAMPLES=N`` sets how many each fuzz test tries.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import math
import os
import signal
import subprocess
import sys
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tafagent.cli.main import main

PRESETS_DIR = Path(__file__).resolve().parents[2] / "src" / "tafagent" / "core" / "data" / "presets"
PRESET_CONFIGS: list[tuple[str, dict[str, Any]]] = [
    (path.stem, json.loads(path.read_text(encoding="utf-8"))["config"]) for path in sorted(PRESETS_DIR.glob("*.json"))
]
PRESET_NAMES = ("llama-3-8b", "mistral-7b", "gemma-2-9b", "gpt2", "pythia-70m", "mixtral-8x7b", "qwen3-8b")
RECIPE_IDS = ("X-1", "X-2", "X-3", "X-5", "X-19", "X-21", "X-22", "X-23")
HUGE = "9" * 5000
PROCESS_TIMEOUT_S = 60  # a real `taf` run that takes longer is a hang
IN_PROCESS_TIMEOUT_S = 60  # SIGALRM bound of one in-process run
MAX_STDERR_LINES = 3


def examples(default: int) -> int:
    """``max_examples`` of a fuzz test: ``TAF_FUZZ_EXAMPLES`` when set, else ``default`` (x5 when exploring)."""
    if os.environ.get("TAF_FUZZ_EXAMPLES"):
        return int(os.environ["TAF_FUZZ_EXAMPLES"])
    return default * (5 if os.environ.get("TAF_HYPOTHESIS") == "explore" else 1)


def fuzz_settings(default: int) -> settings:
    return settings(
        max_examples=examples(default),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


def real_process_settings(n: int = 3) -> settings:
    """A small sample of real `taf` processes (the bulk runs in-process); not shrunk, each run costs ~0.5 s."""
    from hypothesis import Phase

    return settings(
        max_examples=n,
        deadline=None,
        phases=(Phase.explicit, Phase.reuse, Phase.generate),
        suppress_health_check=list(HealthCheck),
    )


# ---------------------------------------------------------------------------------------------- raw JSON
class Raw(str):
    """JSON text written as it is (``9`` x 5000, ``NaN``, ``1e400``, ``[[[…]]]``)."""


class RawBytes(bytes):
    """Bytes written as they are (a JSON string holding bytes that are not UTF-8)."""


def to_json_bytes(value: Any) -> bytes:
    """``value`` as JSON bytes, with ``Raw``/``RawBytes`` pieces and non-finite floats written verbatim."""
    if isinstance(value, RawBytes):
        return bytes(value)
    if isinstance(value, Raw):
        return str(value).encode("utf-8", "surrogateescape")
    if isinstance(value, dict):
        items = (to_json_bytes(str(k)) + b": " + to_json_bytes(v) for k, v in value.items())
        return b"{" + b", ".join(items) + b"}"
    if isinstance(value, (list, tuple)):
        return b"[" + b", ".join(to_json_bytes(v) for v in value) + b"]"
    return json.dumps(value).encode("ascii")  # NaN/Infinity as Python writes them, strings \u-escaped


RAW_NUMBERS = [
    Raw(HUGE),
    Raw("-" + HUGE),
    Raw("1" + "0" * 400),
    Raw("1e400"),
    Raw("-1e400"),
    Raw("1e-400"),
    Raw("NaN"),
    Raw("Infinity"),
    Raw("-Infinity"),
    Raw("-0"),
    Raw("1.7976931348623157e308"),
    Raw("4.9e-324"),
    Raw("0.0"),
]
MARKUP_TEXTS = [
    "[/]",
    "[link=x]",
    "[link=file:///etc/passwd]click[/link]",
    "[bold red]x",
    "run[/]",
    "\x1b[31mred\x1b[0m",
    "a\x00b",
    "line\nbreak",
    "\r",
    "\u200b",
    "\u202eevil",
    "x" * 10_000,
    "",
    " ",
    "１２",
    "32k",
    "\ud800",
    "\udcff",
    "__proto__",
]
RAW_STRINGS = [RawBytes(b'"bad\xff\xfe bytes"'), RawBytes(b'"\xc3("'), Raw('"\\ud800 lone"'), Raw('"\\u0000"')]
JSON_KEYS = st.one_of(
    st.sampled_from(["__proto__", "constructor", "prototype", "", "name", "type", "factor", "x" * 300]),
    st.text(max_size=8),
)


def deep(depth: int, kind: str) -> Raw:
    return Raw("[" * depth + "]" * depth) if kind == "list" else Raw('{"a": ' * depth + "1" + "}" * depth)


DEEP = st.builds(deep, st.sampled_from([65, 200, 1_000, 5_000, 100_000]), st.sampled_from(["list", "dict"]))
NUMBERS = st.one_of(
    st.sampled_from([0, -1, 1, 2, 2**31, 2**63, 2**64 + 1, 10**30, -(10**30), 0.5, -0.0, 1e-300, 1e300]),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(RAW_NUMBERS),
)
TEXTS = st.one_of(st.sampled_from(MARKUP_TEXTS), st.text(max_size=20), st.sampled_from(RAW_STRINGS))
LEAVES = st.one_of(st.none(), st.booleans(), NUMBERS, TEXTS)
HOSTILE = st.one_of(
    LEAVES,
    DEEP,
    st.recursive(
        LEAVES, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(JSON_KEYS, inner, max_size=3), max_leaves=6
    ),
)


def tree_paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path (keys and indices) inside a JSON tree, parents before children."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from tree_paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from tree_paths(item, (*prefix, index))


@st.composite
def mutated_tree(draw: st.DrawFn, base: Any, extra_keys: tuple[str, ...] = (), max_changes: int = 4) -> Any:
    """``base`` with 1..max_changes changes: a value replaced by a hostile one, a key dropped or a key added."""
    tree = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, max_changes))):
        paths = list(tree_paths(tree))
        path = draw(st.sampled_from(paths))
        action = draw(st.sampled_from(["replace", "replace", "drop", "add"]))
        if not path:
            if action == "replace" and draw(st.integers(0, 9)) == 0:
                return draw(HOSTILE)  # the whole file is no object
            continue
        parent = tree
        for step in path[:-1]:
            parent = parent[step]
        if action == "drop":
            del parent[path[-1]]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(extra_keys) if extra_keys else JSON_KEYS)] = draw(HOSTILE)
        else:
            parent[path[-1]] = draw(HOSTILE)
    return tree


def whole_file_oddity(text: bytes) -> st.SearchStrategy[bytes]:
    """What else a file holds: a BOM, a truncation, no bytes, a bare 5,000-digit number, bytes that are not UTF-8."""
    return st.sampled_from(
        [
            b"\xef\xbb\xbf" + text,
            text[: len(text) // 2],
            b"",
            b"   ",
            HUGE.encode(),
            b"\xff\xfe" + text,
            text.replace(b'"', b'"\xff', 1),
            b"NaN",
            b"null",
            b"[]",
        ]
    )


@st.composite
def json_file_bytes(draw: st.DrawFn, base: Any, extra_keys: tuple[str, ...] = ()) -> bytes:
    """The bytes of a mutated JSON file: mostly ``base`` with hostile changes, sometimes an odd whole file."""
    data = to_json_bytes(draw(mutated_tree(base, extra_keys)))
    return draw(whole_file_oddity(data)) if draw(st.integers(0, 7)) == 0 else data


# ---------------------------------------------------------------------------------------------- files
CONFIG_KEYS = (
    "rope_scaling", "sliding_window", "layer_types", "head_dim", "num_experts", "num_local_experts",
    "num_experts_per_tok", "text_config", "quantization_config", "torch_dtype", "model_type", "architectures",
    "n_positions", "n_embd", "n_layer", "n_head", "max_position_embeddings", "rope_theta", "num_key_value_heads",
    "tie_word_embeddings", "use_sliding_window", "partial_rotary_factor", "rotary_pct", "kv_lora_rank",
)  # fmt: skip
ROPE_SCALING = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from(["linear", "dynamic", "yarn", "llama3", "longrope", *MARKUP_TEXTS[:5]]) | HOSTILE,
        "rope_type": st.sampled_from(["linear", "dynamic", "yarn", "llama3", "default"]) | HOSTILE,
        "factor": HOSTILE,
        "original_max_position_embeddings": HOSTILE,
        "low_freq_factor": HOSTILE,
        "high_freq_factor": HOSTILE,
    },
)


@st.composite
def config_file(draw: st.DrawFn) -> bytes:
    """A preset's real config.json with hostile changes (a rope_scaling block now and then), as bytes."""
    _, base = draw(st.sampled_from(PRESET_CONFIGS))
    base = copy.deepcopy(base)
    if draw(st.integers(0, 3)) == 0:
        base["rope_scaling"] = draw(ROPE_SCALING)
    return draw(json_file_bytes(base, CONFIG_KEYS))


def _diagnosis_bases() -> list[dict[str, Any]]:
    from support.diagnosis_files import diagnosis, reference_diagnosis

    return [diagnosis(), diagnosis(gamma_random=None), reference_diagnosis()]


DIAGNOSIS_BASES = _diagnosis_bases()
DIAGNOSIS_KEYS = ("schema", "status", "gamma", "results", "card_inputs", "model", "corpus", "attn_by_distance", "N")


@st.composite
def diagnosis_file(draw: st.DrawFn) -> bytes:
    """A valid diagnosis file (tests/diagnosis_files.py) with hostile changes, as bytes."""
    return draw(json_file_bytes(draw(st.sampled_from(DIAGNOSIS_BASES)), DIAGNOSIS_KEYS))


# ---------------------------------------------------------------------------------------------- command lines
# fmt: off
HOSTILE_NUMBER_TEXTS = [
    "1e400", "-1e400", HUGE, "-" + HUGE, "1" + "0" * 400, "１２", "１２３４５", "٣٢", "-1", "0", "-0", "0.0",
    "nan", "NaN", "-nan", "inf", "-inf", "Infinity", "32k", "32K", "1.5M", "7B", "1e9", "1e-9", "1e-400",
    "0x10", "1_000", "5,000", "\u200b12", "12\u200b", "1\u200b2", " 12 ", "", "1e", "e5", "--1", "+5", "4.5",
    "2^34", "17179869184", "17179869185", "1e6", "1e7", "0.9", "1.0", "1.01", "4096", "8192", "1", "2", "3",
]
# fmt: on
NUMBER_TEXTS = st.one_of(
    st.sampled_from(HOSTILE_NUMBER_TEXTS),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.floats().map(repr),
    st.builds(lambda n, s: f"{n}{s}", st.integers(-100, 10**6), st.sampled_from(["k", "K", "M", "B", "e9", "e400"])),
)


def option(name: str, value: str, equals: bool) -> list[str]:
    """``--name value``, or ``--name=value`` (the only way argparse takes a value starting with '-')."""
    return [f"{name}={value}"] if equals or value.startswith("-") else [name, value]


@st.composite
def options(draw: st.DrawFn, table: dict[str, st.SearchStrategy[str]], max_size: int = 4) -> list[str]:
    """A few of ``table``'s options, each with a drawn value."""
    names = draw(st.lists(st.sampled_from(sorted(table)), max_size=max_size, unique=True))
    argv: list[str] = []
    for name in names:
        argv += option(name, draw(table[name]), draw(st.booleans()))
    return argv


# ---------------------------------------------------------------------------------------------- runners
@dataclass
class Outcome:
    argv: list[str]
    code: Any
    out: str
    err: str
    out_bytes: bytes
    seconds: float


def _alarm(signum: int, frame: Any) -> None:
    raise TimeoutError(f"in-process run took over {IN_PROCESS_TIMEOUT_S} s")


def run_in_process(argv: list[str]) -> Outcome:
    """`taf ARGV` through ``main()``: stdout is a strict UTF-8 stream as a pipe is, stderr backslash-escapes as
    Python's is; an exception out of ``main`` is recorded with its traceback (which fails the properties)."""
    out_bytes, err_bytes = io.BytesIO(), io.BytesIO()
    out = io.TextIOWrapper(out_bytes, encoding="utf-8", errors="strict", newline="")
    err = io.TextIOWrapper(err_bytes, encoding="utf-8", errors="backslashreplace", newline="")
    started = time.monotonic()
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(IN_PROCESS_TIMEOUT_S)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code: Any = main(argv)
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
            except Exception:
                code = "exception"
                err.write(traceback.format_exc())
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    seconds = time.monotonic() - started
    with contextlib.suppress(Exception):
        out.flush()
    err.flush()
    raw = out_bytes.getvalue()
    return Outcome(
        argv, code, raw.decode("utf-8", "replace"), err_bytes.getvalue().decode("utf-8", "replace"), raw, seconds
    )


def run_real(argv: list[str | bytes]) -> Outcome:
    """A real `taf` process, offline, bounded by ``PROCESS_TIMEOUT_S``."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "NO_COLOR": "1"}
    started = time.monotonic()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "tafagent", *argv],
            capture_output=True,
            timeout=PROCESS_TIMEOUT_S,
            check=False,
            env=env,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as expired:
        raise AssertionError(f"`taf {shown_argv(argv)}` ran over {PROCESS_TIMEOUT_S} s") from expired
    return Outcome(
        [os.fsdecode(a) for a in argv],
        result.returncode,
        result.stdout.decode("utf-8", "replace"),
        result.stderr.decode("utf-8", "replace"),
        result.stdout,
        time.monotonic() - started,
    )


def shown_argv(argv: list[Any]) -> str:
    return " ".join(repr(a)[:80] for a in argv)


# ---------------------------------------------------------------------------------------------- properties
def _refuse_constant(name: str) -> Any:
    raise ValueError(f"non-finite constant {name} in JSON output")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"non-finite number {text[:40]} in JSON output")
    return value


def strict_loads(text: str) -> Any:
    """``json.loads`` that refuses NaN, Infinity and numbers beyond float (1e400)."""
    return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)


def check_outcome(outcome: Outcome, json_mode: bool) -> None:
    """The properties of every `taf` run: exit 0/1/2, no traceback, ≤ 3 stderr lines, bounded time, and with
    --json and exit 0 strict UTF-8 JSON on stdout."""
    where = f"`taf {shown_argv(outcome.argv)}` → {outcome.code}\nstderr: {outcome.err[-3000:]}"
    assert "Traceback" not in outcome.err and "Traceback" not in outcome.out, where
    assert outcome.code in (0, 1, 2), where
    assert len(outcome.err.splitlines()) <= MAX_STDERR_LINES, where
    assert outcome.seconds < PROCESS_TIMEOUT_S, where
    if json_mode and outcome.code == 0:
        text = outcome.out_bytes.decode("utf-8")  # strict: invalid UTF-8 fails here
        strict_loads(text)
