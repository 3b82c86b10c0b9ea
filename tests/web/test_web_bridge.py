"""The browser app's Python side (tafagent.web.bridge), tested without a browser.

Every number the page shows comes from these handlers, so they must equal the core calls the CLI makes,
turn bad input into one-line errors, and emit strict JSON (no NaN/Infinity, which JSON.parse rejects).
"""

from __future__ import annotations

import json
import math
import shlex
import subprocess
import sys
from typing import Any

import pytest

from support.configs import LLAMA_3_8B
from tafagent.core.card import CardOptions, profile
from tafagent.core.compare import compare
from tafagent.core.recipes import run_recipe
from tafagent.core.spec.presets import get_preset
from tafagent.core.validation import falsification_dashboard, validate
from tafagent.web import bridge


def call(action: str, request: Any = None) -> dict[str, Any]:
    text = bridge.call(action, json.dumps(request if request is not None else {}))
    # strict JSON: what the browser's JSON.parse accepts
    data = json.loads(text, parse_constant=lambda c: pytest.fail(f"non-standard JSON constant {c}"))
    assert isinstance(data, dict) and isinstance(data.get("ok"), bool)
    return data


def ok(action: str, request: Any = None) -> dict[str, Any]:
    data = call(action, request)
    assert data["ok"], data.get("error")
    return data


def error(action: str, request: Any = None) -> str:
    data = call(action, request)
    assert not data["ok"]
    message = data["error"]
    assert "\n" not in message and "Traceback" not in message and len(message) < 400
    return message


def roundtrip(value: Any) -> Any:
    """What the page receives for a core value (JSON with non-finite floats as null)."""
    return json.loads(json.dumps(bridge._finite(value)))


# ---------------------------------------------------------------------------------------------- equality with the core
def test_profile_card_equals_the_core_card() -> None:
    data = ok("profile_card", {"model": "llama-3-8b", "t_eval": "32768", "gamma_obs": "0.62"})
    card = profile(get_preset("llama-3-8b").spec(), CardOptions(T_eval=32768, gamma_obs=0.62))
    assert data["card"] == roundtrip(card.to_dict())
    assert data["card"]["key_numbers"]["kv_cache_bytes"] == 4 * 2**30  # 32 layers · 8 KV heads · 128 · 2 · 2 B · 32768
    assert set(data["localized"]) == set(card.recipes)
    assert data["markdown"].startswith("#")


def test_profile_accepts_aliases_and_hub_configs() -> None:
    by_alias = ok("profile_card", {"model": "Llama-3-8B"})
    pasted = ok("profile_card", {"model": "meta-llama/Meta-Llama-3-8B", "config_text": json.dumps(LLAMA_3_8B)})
    assert by_alias["card"]["key_numbers"]["kv_cache_bytes"] == pasted["card"]["key_numbers"]["kv_cache_bytes"]
    assert pasted["card"]["model"]["model_id"] == "meta-llama/Meta-Llama-3-8B"


def test_whatif_is_the_core_x2_at_that_length() -> None:
    spec = get_preset("qwen2.5-7b").spec()
    for T in (1000, 32768, 131072):
        data = ok("whatif", {"model": "qwen2.5-7b", "t_eval": T})
        assert data["result"] == roundtrip(run_recipe("X-2", {"T_eval": T}, model=spec).to_dict())


def test_compare_equals_the_core_comparison() -> None:
    data = ok(
        "compare_models",
        {"models": [{"model": "llama-3-8b"}, {"model": "mistral-7b"}], "recipe": "X-2", "t_eval": 16384},
    )
    specs = [get_preset(m).spec() for m in ("llama-3-8b", "mistral-7b")]
    assert data["comparison"] == roundtrip(compare(specs, "X-2", {"T_eval": 16384}).to_dict())
    assert "KV cache memory" in data["columns"] and len(data["localized"]) == 2


def test_run_one_recipe_types_string_parameters_like_the_cli() -> None:
    data = ok("run_one_recipe", {"recipe": "X-3", "params": {"USD_budget": "5000", "gpu": "H100 SXM", "n_gpus": "8"}})
    expected = run_recipe("X-3", {"USD_budget": 5000.0, "gpu": "H100 SXM", "n_gpus": 8})
    assert data["result"] == roundtrip(expected.to_dict())


def test_inspect_config_reports_sources_and_the_card() -> None:
    data = ok("inspect_config", {"config_text": json.dumps(LLAMA_3_8B), "t_eval": 8192})
    assert data["spec"]["n_kv_heads"] == 8 and data["spec"]["sources"]["n_kv_heads"]["kind"] == "config"
    assert data["card"]["key_numbers"]["kv_cache_bytes"] == 2**30


def test_ask_routes_and_answers_in_the_requested_language() -> None:
    data = ok("ask_question", {"question": "¿Puede Llama-3-8B manejar 4096 tokens de contexto?", "lang": "es"})
    answer = data["answer"]  # 4,096: inside the 8K training context, a YES ("SÍ" in Spanish)
    assert answer["recipe_id"] == "X-2" and answer["params"]["T_eval"] == 4096
    assert answer["localized"]["verdict"] != answer["result"]["verdict"]  # a Spanish label, not the code


def test_validation_summary_rows_are_the_cli_table() -> None:
    data = ok("validation_summary")
    report = validate()
    # the CLI's rows, each with its title in the page's language (English here, so the same words)
    assert [{k: v for k, v in row.items() if k != "title_text"} for row in data["rows"]] == roundtrip(
        report.summary_rows()
    )
    assert all(row["title_text"] == row["title"] for row in data["rows"])
    french = ok("validation_summary", {"lang": "fr"})
    assert any(row["title_text"] != row["title"] for row in french["rows"])
    assert {row["law"] for row in data["rows"]} == {law.key for law in report.laws}
    assert all(
        row["n"] >= 0 and row["support"] in ("backs", "contradicts", "mixed", "insufficient", "untestable")
        for row in data["rows"]
    )
    claims = [{k: v for k, v in c.items() if k != "claim_text"} for c in data["dashboard"]["claims"]]
    assert {**data["dashboard"], "claims": claims} == roundtrip(falsification_dashboard().to_dict())
    assert all(c["claim_text"] == c["claim"] for c in data["dashboard"]["claims"])  # English: the same words


def test_phase_diagram_points_are_the_canonical_panel_rows() -> None:
    data = ok("phase_diagram", {"model": "llama-3-8b", "t_eval": 8192})
    assert len(data["points"]) > 30 and all(p["corpus"] in ("text", "random") for p in data["points"])
    user = data["user"]
    assert user["x"] == pytest.approx(math.log10(500000.0))
    from tafagent.core.laws.pade import gamma_pade

    assert user["y"] == gamma_pade(500000.0, 8192)


def test_decay_curves_are_normalised_power_laws() -> None:
    data = ok("profile_card", {"model": "llama-3-8b", "gamma_obs": 0.5})
    series = {s["kind"]: s for s in data["decay"]["series"]}
    assert {"predicted", "measured"} <= set(series)
    for s in data["decay"]["series"]:
        ys = [p["y"] for p in s["points"]]
        assert sum(ys) == pytest.approx(1.0)
        first, last = s["points"][0], s["points"][-1]
        assert first["y"] / last["y"] == pytest.approx((last["x"] / first["x"]) ** s["gamma"])


def test_numbers_come_with_the_core_formatted_text() -> None:
    """The page shows the core's formatter's text (``*_display``) next to the raw values it keeps in data-value."""
    from tafagent.core.render.format import fmt
    from tafagent.core.render.report import step_result_text

    data = ok("profile_card", {"model": "llama-3-8b", "t_eval": 32768})
    card = profile(get_preset("llama-3-8b").spec(), CardOptions(T_eval=32768))
    assert data["key_display"]["kv_cache_bytes"] == fmt(4 * 2**30, "bytes")
    assert data["key_display"]["d_horizon"] == fmt(card.key_numbers["d_horizon"], "tokens")
    for rid, result in card.recipes.items():
        expected = [None if s.result is None else step_result_text(s) for s in result.chain]
        assert data["step_display"][rid] == expected, rid


def test_display_texts_use_the_languages_marks_and_steps_carry_their_law() -> None:
    data = ok("whatif", {"model": "qwen2.5-7b", "t_eval": 32768, "lang": "fr"})
    laws = [step["law"] for step in data["result"]["chain"]]
    assert {"gamma_pade", "gamma_decomposition", "d_horizon", "l_niah"} <= set(laws)
    d_horizon = data["step_display"][laws.index("d_horizon")]
    assert d_horizon.endswith(" tokens") and "\u202f" in d_horizon and "," not in d_horizon
    assert data["step_display"][laws.index("gamma_pade")].startswith("0,")
    kv = ok("profile_card", {"model": "llama-3-8b", "t_eval": 32768, "lang": "fr"})["key_display"]["kv_cache_bytes"]
    assert kv == "4\u202f294\u202f967\u202f296 B (4,295 GB, 4,000 GiB)"  # the unit's own comma stays


def test_boot_sends_the_core_number_marks() -> None:
    from tafagent.core.render.format import NUMBER_DECIMAL, NUMBER_GROUP

    data = ok("boot")
    assert data["number_group"] == NUMBER_GROUP and data["number_decimal"] == NUMBER_DECIMAL


# ---------------------------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("action", "request_", "needle"),
    [
        ("profile_card", {"model": "llama-3-8bb"}, "did you mean"),
        ("profile_card", {"model": ""}, "no model given"),
        ("profile_card", {"model": "llama-3-8b", "t_eval": "a lot"}, "'t_eval' must be a number"),
        ("profile_card", {"model": "llama-3-8b", "t_eval": "-5"}, "out of range"),
        ("profile_card", {"model": "llama-3-8b", "t_eval": "1e400"}, "out of range"),
        ("profile_card", {"model": "llama-3-8b", "t_eval": "100.5"}, "whole number"),
        ("profile_card", {"model": "x/y", "config_text": "{not json"}, "JSON"),
        ("profile_card", {"model": "x/y", "config_text": "[1, 2]"}, ""),
        ("compare_models", {"models": [{"model": "llama-3-8b"}]}, "2 or 3 models"),
        ("run_one_recipe", {"recipe": "X-99"}, "X-99"),
        ("run_one_recipe", {"recipe": "X-3", "params": {"USD_budget": "lots"}}, "USD_budget"),
        ("inspect_config", {"config_text": ""}, "paste a config.json"),
        ("inspect_config", {"config_text": json.dumps({"model_type": "llama"})}, ""),
        ("ask_question", {"question": "   "}, "type a question"),
        ("diagnose_command", {"model": "gpt2", "protocol": "slow"}, "unknown protocol"),
        ("load_diagnosis_file", {"text": "{"}, "not valid JSON"),
        ("load_diagnosis_file", {"text": '{"gamma": "high"}'}, ""),
    ],
)
def test_bad_input_is_one_line(action: str, request_: dict[str, Any], needle: str) -> None:
    assert needle.lower() in error(action, request_).lower()


def test_malformed_requests_are_one_line() -> None:
    assert "unknown action" in json.loads(bridge.call("eval", "{}"))["error"]
    assert not json.loads(bridge.call("profile_card", "[1]"))["ok"]
    assert not json.loads(bridge.call("profile_card", "{"))["ok"]
    huge = json.dumps({"model": "llama-3-8b", "config_text": "x" * (3 * 1024 * 1024)})
    assert "too large" in json.loads(bridge.call("profile_card", huge))["error"]


# ---------------------------------------------------------------------------------------------- import / export
def envelope(**overrides: Any) -> str:
    data = {
        "_taf_export": True,
        "type": "profile",
        "version": "0.1.0",
        "exported_at": "2026-11-26T00:00:00Z",
        "inputs": {"model": "llama-3-8b", "t_eval": "32768"},
        "result": {"anything": "ignored"},
    }
    data.update(overrides)
    return json.dumps(data)


def test_check_import_accepts_an_export_and_ignores_its_numbers() -> None:
    data = ok("check_import", {"text": envelope()})
    assert data == {
        "ok": True,
        "type": "profile",
        "inputs": {"model": "llama-3-8b", "t_eval": "32768"},
        "exported_at": "2026-11-26T00:00:00Z",
    }


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("not json", "not valid JSON"),
        ("[]", "not a tafagent export"),
        (json.dumps({"type": "profile", "inputs": {}}), "not a tafagent export"),
        (envelope(type="diagnose"), "unknown export type"),
        (envelope(inputs={"model": "llama-3-8b", "onload": "x"}), "has no input 'onload'"),
        (envelope(inputs={"model": {"nested": 1}}), "must be text or a number"),
        (envelope(inputs={"model": True}), "must be text or a number"),
        ("[" * 100_000, "nested too deeply"),
        (envelope(type="<img src=x onerror=alert(1)>"), "unknown export type"),
        (envelope(inputs=["model"]), "no valid 'inputs'"),
        (envelope(inputs={"model": "x" * 300_000}), "too long"),
    ],
)
def test_check_import_rejects_bad_files(text: str, needle: str) -> None:
    assert needle.lower() in error("check_import", {"text": text}).lower()


# ---------------------------------------------------------------------------------------------- diagnose helpers
def test_diagnose_command_is_shell_quoted() -> None:
    hostile = "gpt2; rm -rf ~ $(whoami) `id`"
    command = ok(
        "diagnose_command",
        {"model": hostile, "protocol": "reference", "corpus": "both", "device": "cuda", "fast": True},
    )["command"]
    argv = shlex.split(command)
    assert argv[:3] == ["taf", "diagnose", hostile]
    assert argv[3:] == [
        "--protocol",
        "reference",
        "--corpus",
        "both",
        "--fast",
        "--device",
        "cuda",
        "--out",
        "diagnosis.json",
        "--plot",
        "decay.png",
    ]


# ---------------------------------------------------------------------------------------------- layering
def test_bridge_imports_no_heavy_library() -> None:
    """The bridge runs in Pyodide, which has none of these."""
    heavy = ("torch", "transformers", "huggingface_hub", "numpy", "rich", "matplotlib", "requests", "httpx")
    code = (
        "import sys, json\nfrom tafagent.web import bridge\n"
        "bridge.call('boot'); bridge.call('profile_card', json.dumps({'model': 'llama-3-8b'}))\n"
        "bridge.call('ask_question', json.dumps({'question': 'Will Llama-3-8B handle 32K?'}))\n"
        "bridge.call('validation_summary'); bridge.call('phase_diagram')\n"
        f"print(','.join(m for m in {heavy!r} if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_boot_lists_presets_recipes_and_catalogs() -> None:
    data = ok("boot")
    assert len(data["presets"]) >= 30 and {r["id"] for r in data["recipes"]} >= {"X-2", "X-5", "X-19"}
    assert "H100 SXM" in data["gpus"] and data["languages"] == ["en", "es", "fr", "zh"]


# ---------------------------------------------------------------------------------------------- diagnosis files
def test_diagnosis_file_feeds_the_card_like_profile_diagnosis() -> None:
    from support.diagnosis_files import diagnosis, reference_diagnosis

    data = ok("load_diagnosis_file", {"text": json.dumps(diagnosis(gamma_text=0.62, gamma_random=0.41))})
    inputs = data["card_inputs"]
    assert inputs["gamma_obs"] == pytest.approx(0.62) and inputs["gamma_text"] == inputs["gamma_obs"]
    assert inputs["gamma_random"] == pytest.approx(0.41)
    assert data["diagnosis"]["schema"] and data["diagnosis"]["R2"] == pytest.approx(1.0)

    old = ok("load_diagnosis_file", {"text": json.dumps(reference_diagnosis(gamma=0.7))})
    assert old["card_inputs"]["gamma_random"] == pytest.approx(0.7) and old["card_inputs"]["gamma_text"] is None


def test_diagnosis_file_that_is_not_one_is_rejected() -> None:
    from support.diagnosis_files import diagnosis

    bad = diagnosis()
    bad["results"]["text"]["attn_by_distance"] = "lots"
    for text in (json.dumps({"gamma": 0.5}), json.dumps(bad), json.dumps([1, 2])):
        assert "taf diagnose" in error("load_diagnosis_file", {"text": text})


def test_every_handler_answers_hostile_types_with_one_line() -> None:
    hostile = [None, True, 1e308, -1, [], {}, [1, [2]], "x" * 1000, "[" * 5000, {"a": {"b": []}}]
    fields = ("model", "config_text", "t_eval", "gamma_obs", "recipe", "params", "models", "question", "text", "lang")
    for name in bridge.HANDLERS:
        for value in hostile:
            for field in fields:
                data = json.loads(bridge.call(name, json.dumps({field: value})))
                assert isinstance(data["ok"], bool)
                if not data["ok"]:
                    assert "\n" not in data["error"] and len(data["error"]) <= 400, (name, field, data["error"])


def test_numbers_are_read_like_the_cli() -> None:
    assert ok("profile_card", {"model": "llama-3-8b", "t_eval": "32k"})["card"]["key_numbers"]["T_eval"] == 32000


def test_numbers_in_errors_are_short() -> None:
    message = error("profile_card", {"model": "llama-3-8b", "t_eval": "1e300"})
    assert len(message) < 200 and "1e+300" in message
    assert "must be a number" in error("profile_card", {"model": "llama-3-8b", "t_eval": True})


def test_hub_ids_with_dot_segments_are_not_fetched() -> None:
    assert ok("classify", {"model": "org/.."})["hub_id"] is False
    assert ok("classify", {"model": "../etc"})["hub_id"] is False
    assert ok("classify", {"model": "org/model.v2"})["hub_id"] is True


def test_phase_curve_is_drawn_at_the_users_length() -> None:
    from tafagent.core.laws.pade import gamma_pade

    data = ok("phase_diagram", {"model": "llama-3-8b", "t_eval": 32768})
    assert data["T"] == 32768 and data["user"]["y"] == gamma_pade(500000.0, 32768)
    assert ok("phase_diagram")["T"] == 2000  # the reference diagram's T without a model


def test_ask_has_a_markdown_export() -> None:
    data = ok("ask_question", {"question": "Will Llama-3-8B handle 32K context?"})
    assert data["markdown"].startswith("# Will Llama-3-8B") and "## X-2" in data["markdown"]


# ---------------------------------------------------------------------------------------------- building the site
def test_build_never_deletes_a_folder_it_did_not_build(tmp_path) -> None:
    from tafagent.core.errors import UsageError
    from tafagent.web.build import _check_replaceable

    (tmp_path / "thesis.txt").write_text("years of work", encoding="utf-8")
    with pytest.raises(UsageError, match="holds no earlier tafagent build"):
        _check_replaceable(tmp_path)
    assert (tmp_path / "thesis.txt").exists()
    (tmp_path / "site.json").write_text("{}", encoding="utf-8")
    with pytest.raises(UsageError, match="holds no earlier tafagent build"):
        _check_replaceable(tmp_path)  # a site.json proves nothing: only the build marker's exact file list does
    assert (tmp_path / "thesis.txt").exists()


@pytest.mark.parametrize(
    ("endpoint", "origin"),
    [
        ("https://huggingface.co", "https://huggingface.co"),
        ("https://hf-mirror.com/", "https://hf-mirror.com"),
        ("http://127.0.0.1:8123", "http://127.0.0.1:8123"),
        ("https://mirror.example/hf", "https://mirror.example"),
    ],
)
def test_hub_endpoint_enters_the_csp_as_an_origin(endpoint: str, origin: str) -> None:
    from tafagent.web.build import content_security_policy, hub_origin

    assert hub_origin(endpoint) == origin
    csp = content_security_policy(endpoint)
    assert f"connect-src 'self' {origin}" in csp
    assert ("*.huggingface.co" in csp) == ("127.0.0.1" not in endpoint)


@pytest.mark.parametrize(
    "endpoint", ["ftp://hub", "huggingface.co", 'https://x">"<script>', "https://h/?q=1", "javascript:alert(1)"]
)
def test_bad_hub_endpoints_are_refused(endpoint: str) -> None:
    from tafagent.core.errors import UsageError
    from tafagent.web.build import content_security_policy

    with pytest.raises(UsageError, match="hub-endpoint"):
        content_security_policy(endpoint)
