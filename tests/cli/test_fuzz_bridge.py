"""Property-based fuzzing of the browser app's bridge (``tafagent.web.bridge.call``).

Every handler gets random JSON requests (valid fields about half the time, hostile values otherwise:
``__proto__`` keys, NaN, 1e400, 5,000-digit integers, deep nesting, long strings, bytes that are not UTF-8).
The answer is always strict JSON, ``{"ok": true, ...}`` or ``{"ok": false, "error": "<one line>"}``; never an
exception, never an internal error (the wrapper's last resort for an exception no check caught), within a bound.
"""

from __future__ import annotations

import json
import signal
import time
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from support.fuzz_support import (
    DEEP,
    DIAGNOSIS_BASES,
    HOSTILE,
    JSON_KEYS,
    MARKUP_TEXTS,
    PRESET_CONFIGS,
    PRESET_NAMES,
    RECIPE_IDS,
    Raw,
    config_file,
    diagnosis_file,
    fuzz_settings,
    mutated_tree,
    strict_loads,
    to_json_bytes,
)
from tafagent.web import bridge, bridge_files

CALL_TIMEOUT_S = 30
MAX_ERROR_CHARS = 400  # the wrapper's limit for a project error line


# Values that pass the request's strict-JSON check (finite, no reserved key, shallow), so they reach the field
# checks and the core; HOSTILE values are refused for the whole request, so they come less often.
SOFT_LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**300), max_value=10**300),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([m for m in MARKUP_TEXTS if m != "__proto__"]),
    st.text(max_size=20),
)
SOFT = st.recursive(
    SOFT_LEAVES,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=5,
)


BAD = st.one_of(SOFT, SOFT, HOSTILE)
TOO_LONG = "a" * (2 * 1024 * 1024 + 1)  # over the bridge's 2 MB request limit


def field(valid: st.SearchStrategy[Any], *bad: Any) -> tuple[st.SearchStrategy[Any], st.SearchStrategy[Any]]:
    """A request field: how a valid value is drawn, and how a wrong one is (field-specific cases or BAD)."""
    specific = [b for b in bad if isinstance(b, st.SearchStrategy)]
    constants = [b for b in bad if not isinstance(b, st.SearchStrategy)]
    return valid, st.one_of(*specific, *([st.sampled_from(constants)] if constants else []), BAD)


def _decoded(data: bytes, draw: st.DrawFn) -> str:
    """JSON bytes as the page's text; undecodable bytes become lone surrogates now and then (a JavaScript string
    may hold them), else U+FFFD."""
    return data.decode("utf-8", draw(st.sampled_from(["replace", "replace", "surrogateescape"])))


@st.composite
def mutated_config_text(draw: st.DrawFn) -> str:
    return _decoded(draw(config_file()), draw)


@st.composite
def mutated_diagnosis_text(draw: st.DrawFn) -> str:
    return _decoded(draw(diagnosis_file()), draw)


def export(kind: str, inputs: Any, marker: Any = True, exported_at: Any = "2026-05-02T10:00:00Z") -> dict[str, Any]:
    return {"_taf_export": marker, "type": kind, "inputs": inputs, "exported_at": exported_at}


VALID_EXPORTS = [
    export("profile", {"model": "llama-3-8b", "t_eval": "32k"}),
    export("compare", {"m1": "llama-3-8b", "m2": "mistral-7b", "recipe": "X-2"}),
    export("recipe", {"recipe": "X-2", "p.T_eval": "32k", "p.theta": 500000.0}),
    export("ask", {"q": "Will Llama-3-8B handle 32K context?"}),
]


@st.composite
def mutated_export_text(draw: st.DrawFn) -> str:
    """An export file of the app (check_import) with hostile changes; input names a mode may or may not have."""
    kind = draw(st.sampled_from([*bridge_files.EXPORT_KINDS, "nope", ""]))
    names = bridge_files.EXPORT_INPUTS.get(kind, ("model",))
    keys = st.sampled_from([*names, "p.T_eval", "p.__proto__", "p." + "x" * 80, "nope"]) | JSON_KEYS
    inputs = draw(st.dictionaries(keys, st.sampled_from(["llama-3-8b", "32k", 4096, 0.5]) | BAD, max_size=5) | BAD)
    base = export(kind, inputs, draw(st.sampled_from([True, 1, "true"]) | BAD), draw(st.just("2026") | BAD))
    return _decoded(to_json_bytes(draw(mutated_tree(base, ("inputs", "type", "_taf_export"), 2))), draw)


VALID_MODEL = st.sampled_from(PRESET_NAMES)
PRESET_TEXTS = [json.dumps(config) for _, config in PRESET_CONFIGS]
VALID_CONFIG_TEXT = st.sampled_from(PRESET_TEXTS)
VALID_MODEL_REQUEST = (
    VALID_MODEL
    | st.fixed_dictionaries({"model": VALID_MODEL})
    | st.fixed_dictionaries({"model": st.just("pasted"), "config_text": VALID_CONFIG_TEXT})
)
BAD_NUMBERS = ("1e400", "１２", -1, 0, "nan", "inf", "-inf", 1e308, 10**300, "32k\u200b", True, "", "0x10", "9" * 400)
MODEL = field(VALID_MODEL, "", "[/]", "org/..", "x" * 600, "a\u200bb", "-rf", "llama-3-8b\n", "org/name", TOO_LONG)
CONFIG_TEXT = field(VALID_CONFIG_TEXT, mutated_config_text(), mutated_config_text(), "", TOO_LONG)
T_EVAL = field(st.sampled_from([4096, "32k", 8192, "1M", 1, "4096"]), *BAD_NUMBERS)
GAMMA = field(st.sampled_from([0.5, 0.9, "0.4", 1.2, 0]), *BAD_NUMBERS)
LANG = field(st.sampled_from(["en", "es", "fr", "zh"]), "de", "", "EN", "__proto__")
RECIPE = field(st.sampled_from(RECIPE_IDS), "x-2", "X-99", "", "__proto__", "X-2\u200b")
PARAM_VALUES = {
    "T_eval": "32k", "theta": "5e5", "gpu": "H100", "api_model": "GPT-4o", "n_params": "8e9", "has_SWA": "true",
    "gamma_obs": "0.5", "USD_budget": 5000, "mfu": 0.4, "N_params": 8e9, "monthly_tokens_M": "100",
}  # fmt: skip
VALID_PARAMS = st.lists(st.sampled_from(sorted(PARAM_VALUES)), max_size=4, unique=True).map(
    lambda names: {n: PARAM_VALUES[n] for n in names}
)
BAD_PARAMS = st.dictionaries(st.sampled_from(sorted(PARAM_VALUES)) | JSON_KEYS, BAD | st.sampled_from(BAD_NUMBERS))
MODEL_FIELDS = {"model": MODEL, "config_text": CONFIG_TEXT, "lang": LANG}
FIELDS: dict[str, dict[str, tuple[st.SearchStrategy[Any], st.SearchStrategy[Any]]]] = {
    "boot": {},
    "classify": {"model": MODEL},
    "profile_card": {**MODEL_FIELDS, "t_eval": T_EVAL, "gamma_obs": GAMMA, "gamma_random": GAMMA, "gamma_text": GAMMA},
    "whatif": {**MODEL_FIELDS, "t_eval": T_EVAL, "gamma_obs": GAMMA},
    "compare_models": {
        "models": field(
            st.lists(VALID_MODEL_REQUEST, min_size=2, max_size=3),
            st.lists(VALID_MODEL_REQUEST | BAD | st.fixed_dictionaries({"config_text": mutated_config_text()})),
        ),
        "t_eval": T_EVAL,
        "recipe": RECIPE,
        "lang": LANG,
    },
    "run_one_recipe": {**MODEL_FIELDS, "recipe": RECIPE, "params": field(VALID_PARAMS, BAD_PARAMS)},
    "inspect_config": {"config_text": CONFIG_TEXT, "model": MODEL, "t_eval": T_EVAL, "lang": LANG},
    "ask_question": {
        "question": field(
            st.sampled_from(["Will Llama-3-8B handle 32K context?", "How much memory for mistral-7b at 1M tokens?"])
            | st.builds(
                "Will {} handle {} tokens?".format, st.sampled_from(PRESET_NAMES), st.sampled_from(BAD_NUMBERS)
            ),
            "",
            " ",
            TOO_LONG,
            "x" * 5000,
            "[link=x]?",
        ),
        "lang": LANG,
    },
    "phase_diagram": {"t_eval": T_EVAL, "model": MODEL, "config_text": CONFIG_TEXT},
    "validation_summary": {},
    "diagnose_command": {
        "model": MODEL,
        "protocol": field(st.sampled_from(["fast", "reference"]), "slow", "", "FAST"),
        "corpus": field(st.sampled_from(["random", "text", "both"]), "none", "Both"),
        "fast": field(st.booleans(), "true", 1, 0),
        "device": field(st.sampled_from(["auto", "cpu", "cuda", "mps"]), "cuda:0", "nope", "; rm -rf /"),
    },
    "load_diagnosis_file": {
        "text": field(st.sampled_from([json.dumps(d) for d in DIAGNOSIS_BASES]), mutated_diagnosis_text(), TOO_LONG)
    },
    "check_import": {
        "text": field(st.sampled_from([json.dumps(e) for e in VALID_EXPORTS]), mutated_export_text(), TOO_LONG)
    },
    "recipe_model_values": {**MODEL_FIELDS, "recipe": RECIPE},
    "fit_and_plan": {
        **MODEL_FIELDS,
        "context": T_EVAL,
        "batch": field(st.sampled_from([1, "8", 64]), *BAD_NUMBERS),
        "tp": field(st.sampled_from([1, "2", 4]), *BAD_NUMBERS, 3),
        "engine": field(st.sampled_from(["vllm", "transformers", "sglang", "llama.cpp"]), "tgi", "VLLM", ""),
        "gpu": field(st.sampled_from(["", "H100 SXM", "RTX 4090", "A100 40GB"]), "RTX 9999", "h100", "__proto__"),
        "weights_dtype": field(st.sampled_from(["auto", "bf16", "fp8", "awq", "gguf-q4_k_m"]), "fp3", "x" * 50),
        "kv_dtype": field(st.sampled_from(["auto", "fp8", "q8_0"]), "fp4", ""),
        "tokens_per_day": field(st.sampled_from(["100M", 1e8, "5e7"]), *BAD_NUMBERS),
        "concurrency": field(st.sampled_from([4, "16"]), *BAD_NUMBERS),
        "max_ms_per_token": field(st.sampled_from([50, "30"]), *BAD_NUMBERS),
        "plan_this_gpu": field(st.booleans(), "yes", 1),
    },
    "extend_context": {
        **MODEL_FIELDS,
        "target": field(st.sampled_from(["32k", "128k", "65536", "1M"]), *BAD_NUMBERS, "2k", "１２８k"),
        "method": field(st.sampled_from(["yarn", "linear", "dynamic", "longrope", "llama3"]), "ntk", "YARN", ""),
    },
    "localize_verdicts": {
        "lang": LANG,
        "verdicts": field(
            st.lists(st.sampled_from(["YES", "NO (API)", "MEMORY-LIMITED", "NEEDS MEASUREMENT"]), max_size=5),
            st.lists(st.sampled_from(["__proto__", "x" * 50, "", "verdict."]) | BAD, max_size=5),
            ["YES"] * 101,
        ),
    },
}
# handlers that do the same work whatever the request: a few examples are enough
SLOW_CONSTANT = {"boot", "validation_summary"}


@st.composite
def request(draw: st.DrawFn, name: str) -> str:
    """The JSON text of a request to ``name``: its fields (each present or not), 0-2 of them wrong and the rest
    valid, sometimes a hostile extra key, and now and then a request that is no object at all."""
    if draw(st.integers(0, 15)) == 0:
        return draw(
            st.sampled_from(["", "[]", "null", "NaN", "1e400", "{", '{"a": 1e400}', '{"__proto__": {}}', TOO_LONG])
            | DEEP
            | st.text(max_size=30)
        )
    fields = FIELDS[name]
    present = [key for key in sorted(fields) if draw(st.integers(0, 3)) > 0]
    wrong = set(draw(st.lists(st.sampled_from(present), max_size=2, unique=True))) if present else set()
    data: dict[str, Any] = {key: draw(fields[key][1] if key in wrong else fields[key][0]) for key in present}
    if draw(st.integers(0, 7)) == 0:
        data[draw(JSON_KEYS)] = draw(HOSTILE)
    return _decoded(to_json_bytes(data), draw)


def _alarm(signum: int, frame: Any) -> None:
    raise TimeoutError(f"bridge call took over {CALL_TIMEOUT_S} s")


def check_answer(name: str, text: str) -> None:
    """The properties of every bridge answer."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(CALL_TIMEOUT_S)
    started = time.monotonic()
    try:
        answer = bridge.call(name, text)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    where = f"bridge.call({name!r}, {text[:300]!r}…) → {answer[:600]!r}"
    assert time.monotonic() - started < CALL_TIMEOUT_S, where
    assert isinstance(answer, str), where
    data = strict_loads(answer)
    assert isinstance(data, dict) and isinstance(data.get("ok"), bool), where
    if not data["ok"]:
        error = data.get("error")
        assert isinstance(error, str) and error.strip(), where
        assert "\n" not in error and len(error) <= MAX_ERROR_CHARS, where
        assert not error.startswith("internal error"), where


@st.composite
def handler_call(draw: st.DrawFn, names: tuple[str, ...]) -> tuple[str, str]:
    name = draw(st.sampled_from(names))
    return name, draw(request(name))


FAST_HANDLERS = tuple(sorted(set(bridge.HANDLERS) - SLOW_CONSTANT))


def test_every_handler_is_fuzzed() -> None:
    assert set(FIELDS) == set(bridge.HANDLERS)


@fuzz_settings(1500)
@given(handler_call(FAST_HANDLERS))
def test_bridge_requests(call: tuple[str, str]) -> None:
    check_answer(*call)


@fuzz_settings(6)
@given(handler_call(tuple(sorted(SLOW_CONSTANT))))
def test_bridge_requests_to_constant_handlers(call: tuple[str, str]) -> None:
    check_answer(*call)


@fuzz_settings(100)
@given(
    st.text(max_size=40) | st.sampled_from(["__proto__", "constructor", "call", "HANDLERS", ""]), st.text(max_size=20)
)
def test_unknown_handler_names(name: str, text: str) -> None:
    if name not in bridge.HANDLERS:
        check_answer(name, text)


def test_deep_and_huge_raw_requests() -> None:
    """Fixed hostile requests to every handler (the cheapest regression net)."""
    raws = [Raw("9" * 5000), Raw("1e400"), Raw("NaN"), Raw("[" * 100_000 + "]" * 100_000)]
    for name in bridge.HANDLERS:
        for raw in raws:
            check_answer(name, str(raw))
            check_answer(name, to_json_bytes({"model": raw, "text": raw, "config_text": raw}).decode())
