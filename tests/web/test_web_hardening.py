"""Hardening of the browser app's edges: what the page sends the bridge, and the folder `taf web --dir` builds into.

Each test reproduces a measured defect: `--dir` deleting a user's folder that held a site.json, NaN / 1e400 /
``__proto__`` passing through an import, a model id ``--trust-remote-code`` becoming a flag of the command the
page writes, and request fields that were used unchecked. No browser is needed: the page calls
``tafagent.web.bridge.call(name, json_text)``, and so do these tests.
"""

from __future__ import annotations

import hashlib
import json
import shlex
from pathlib import Path
from typing import Any

import pytest

from support.npm_stand_in import stand_in_node_modules
from tafagent.core.errors import UsageError
from tafagent.web import build
from tafagent.web.bridge import call


def answer(action: str, request: Any) -> dict[str, Any]:
    text = request if isinstance(request, str) else json.dumps(request)
    data = json.loads(call(action, text), parse_constant=lambda c: pytest.fail(f"non-standard JSON constant {c}"))
    assert isinstance(data, dict) and isinstance(data.get("ok"), bool)
    return data


def error(action: str, request: Any) -> str:
    data = answer(action, request)
    assert not data["ok"], data
    message = data["error"]
    assert "\n" not in message and "Traceback" not in message and "internal error" not in message
    assert len(message) < 400
    return message


# ---------------------------------------------------------------------------------------------- taf web --dir
@pytest.fixture
def fake_tools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """npm's pyodide and chart.js as empty stand-ins, and a wheel build that writes a stand-in wheel."""
    modules = stand_in_node_modules(tmp_path)

    def fake_wheel(out_dir: Path) -> Path:
        out_dir.mkdir(parents=True, exist_ok=True)
        wheel = out_dir / "tafagent-0.0.0-py3-none-any.whl"
        wheel.write_bytes(b"PK")
        return wheel

    monkeypatch.setattr(build, "build_wheel", fake_wheel)
    monkeypatch.setattr(build, "find_node_modules", lambda explicit=None, fetch=False: modules)
    return modules


def snapshot(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in folder.rglob("*")
        if p.is_file()
    }


def test_a_users_folder_with_site_json_is_never_deleted(tmp_path: Path, fake_tools: Path) -> None:
    user = tmp_path / "thesis"
    user.mkdir()
    (user / "site.json").write_text('{"hub_endpoint": "https://huggingface.co"}', encoding="utf-8")
    (user / "chapter1.tex").write_text("years of work", encoding="utf-8")
    before = snapshot(user)
    with pytest.raises(UsageError) as refused:
        build.build_site(user)
    line = refused.value.one_line()
    assert "nothing was deleted" in line and "--dir" in line and "empty this one" in line and "\n" not in line
    assert snapshot(user) == before


def test_taf_web_build_only_refuses_a_users_folder_in_one_line(
    tmp_path: Path, fake_tools: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tafagent.cli.main import main

    user = tmp_path / "mine"
    user.mkdir()
    (user / "site.json").write_text("{}", encoding="utf-8")
    (user / "notes.txt").write_text("keep me", encoding="utf-8")
    assert main(["web", "--build-only", "--dir", str(user)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "holds no earlier tafagent build" in err and "Traceback" not in err
    assert (user / "notes.txt").read_text(encoding="utf-8") == "keep me" and (user / "site.json").exists()


def test_an_empty_folder_is_used_and_an_earlier_build_is_replaced(tmp_path: Path, fake_tools: Path) -> None:
    site = tmp_path / "empty"
    site.mkdir()
    build.build_site(site)
    marker = json.loads((site / build.BUILD_MARKER).read_text(encoding="utf-8"))
    assert set(marker["files"]) == set(snapshot(site)) - {build.BUILD_MARKER}
    assert "index.html" in marker["files"] and "wheels/tafagent-0.0.0-py3-none-any.whl" in marker["files"]
    assert build.build_problem(site) is None
    first = snapshot(site)
    build.build_site(site)  # an untouched earlier build: replaced
    assert snapshot(site) == first
    assert not [p for p in site.iterdir() if p.name.startswith(build.STAGING_PREFIX)]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda site: (site / "index.html").write_text("mine", encoding="utf-8"), "'index.html' was changed"),
        (lambda site: (site / "vendor" / "notes.txt").write_text("x", encoding="utf-8"), "'vendor/notes.txt'"),
        (lambda site: (site / "wheels" / "old").mkdir(), "'wheels/old' is not from the build"),
        (lambda site: (site / "style.css").unlink(), "'style.css' was removed"),
        (lambda site: (site / "link").symlink_to(site / "index.html"), "'link' is not a plain file"),
    ],
)
def test_an_edited_build_is_not_ours_to_delete(tmp_path: Path, fake_tools: Path, change: Any, problem: str) -> None:
    site = tmp_path / "site"
    build.build_site(site)
    change(site)
    before = snapshot(site)
    with pytest.raises(UsageError, match="holds no earlier tafagent build") as refused:
        build.build_site(site)
    assert problem in refused.value.one_line()
    assert snapshot(site) == before
    assert build.site_is_stale(site, build.DEFAULT_HUB_ENDPOINT)  # `taf web` would rebuild it, which refuses


def test_a_marker_cannot_point_outside_its_folder(tmp_path: Path, fake_tools: Path) -> None:
    outside = tmp_path / "precious.txt"
    outside.write_text("do not delete", encoding="utf-8")
    site = tmp_path / "site"
    site.mkdir()
    digest = hashlib.sha256(outside.read_bytes()).hexdigest()
    (site / build.BUILD_MARKER).write_text(json.dumps({"files": {"../precious.txt": digest}}), encoding="utf-8")
    with pytest.raises(UsageError, match="removed since the build"):
        build.build_site(site)
    assert outside.read_text(encoding="utf-8") == "do not delete"


def test_a_failed_build_leaves_the_folder_as_it_was(
    tmp_path: Path, fake_tools: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    build.build_site(site)
    before = snapshot(site)

    def failing_wheel(out_dir: Path) -> Path:
        raise UsageError("building the tafagent wheel failed: no setuptools", "pip install setuptools")

    monkeypatch.setattr(build, "build_wheel", failing_wheel)
    with pytest.raises(UsageError, match="wheel failed"):
        build.build_site(site)
    assert snapshot(site) == before and build.build_problem(site) is None


# ---------------------------------------------------------------------------------------------- check_import
def export(inputs: str = '{"model": "llama-3-8b", "t_eval": 32768}', result: str = "{}") -> str:
    return f'{{"_taf_export": true, "type": "profile", "exported_at": "2026", "inputs": {inputs}, "result": {result}}}'


def test_an_ordinary_export_still_imports() -> None:
    data = answer("check_import", {"text": export()})
    assert data["ok"] and data["inputs"] == {"model": "llama-3-8b", "t_eval": "32768"}


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400", "-1e400", "1" + "0" * 400])
def test_import_refuses_non_finite_numbers(number: str) -> None:
    message = error("check_import", {"text": export(f'{{"model": "llama-3-8b", "t_eval": {number}}}')})
    assert "'inputs.t_eval' is not a finite number" in message and number[:20] in message
    assert "not a finite number" in error("check_import", {"text": export(result=f'{{"gamma": [{number}]}}')})


@pytest.mark.parametrize("key", ["__proto__", "constructor", "prototype"])
def test_import_refuses_prototype_keys_at_any_depth(key: str) -> None:
    assert key in error("check_import", {"text": export(f'{{"model": "x", "{key}": "1"}}')})
    assert key in error("check_import", {"text": export(result=f'{{"card": [{{"a": {{"{key}": {{}}}}}}]}}')})
    recipe = f'{{"_taf_export": true, "type": "recipe", "inputs": {{"recipe": "X-2", "p.{key}": "1"}}}}'
    assert "has no input" in error("check_import", {"text": recipe})


def test_import_refuses_deep_and_large_files() -> None:
    deep = export(result="[" * 65 + "]" * 65)
    assert "nested too deeply" in error("check_import", {"text": deep})
    assert answer("check_import", {"text": export(result="[" * 60 + "]" * 60)})["ok"]
    many = json.dumps({f"p.x{i}": "1" for i in range(100)})
    assert "no valid 'inputs'" in error("check_import", {"text": export(many)})
    assert "too large" in error("check_import", {"text": export(result='"' + "x" * (2 * 1024 * 1024) + '"')})
    assert "exported_at" in error("check_import", {"text": export().replace('"2026"', '{"a": 1}')})


# ---------------------------------------------------------------------------------------------- every other handler
@pytest.mark.parametrize("action", ["boot", "profile_card", "run_one_recipe", "compare_models", "ask_question"])
def test_requests_are_strict_json_too(action: str) -> None:
    assert "__proto__" in error(action, '{"model": "llama-3-8b", "params": {"__proto__": {"x": 1}}}')
    assert "not a finite number (1e400)" in error(action, '{"model": "llama-3-8b", "t_eval": 1e400}')
    assert "not a finite number (NaN)" in error(action, '{"t_eval": NaN}')


def test_pasted_configs_are_checked_like_files() -> None:
    bad_key = json.dumps({"model_type": "llama", "rope_scaling": {"__proto__": {"polluted": True}}})
    assert "'rope_scaling' has the key '__proto__'" in error("profile_card", {"model": "a/b", "config_text": bad_key})
    inf = '{"model_type": "llama", "rope_theta": Infinity}'
    assert "'rope_theta' is not a finite number" in error("inspect_config", {"config_text": inf})


@pytest.mark.parametrize(
    ("action", "request_", "needle"),
    [
        ("profile_card", {"model": "llama-3-8b", "t_eval": 10**400}, "not a finite number"),
        ("profile_card", {"model": "llama-3-8b", "t_eval": "３２k"}, "ASCII digits"),
        ("profile_card", {"model": ["llama-3-8b"]}, "'model' must be text"),
        ("profile_card", {"model": "llama-3-8b", "config_text": 5}, "'config_text' must be text"),
        ("profile_card", {"model": "x" * 5000}, "'model' is too long"),
        ("classify", {"model": {"a": 1}}, "'model' must be text"),
        ("classify", {"model": "llama\u200b-3-8b"}, "invisible character"),
        ("compare_models", {"models": ["llama-3-8b", 5]}, "each model"),
        ("compare_models", {"models": ["llama-3-8b", "mistral-7b"], "recipe": "x" * 1000}, "'recipe' is too long"),
        ("run_one_recipe", {"recipe": "X-2", "params": {"T_eval": "３２k"}}, "ASCII digits"),
        ("run_one_recipe", {"recipe": "X-2", "params": {"T_eval": [1, 2]}}, "must be text, a number"),
        ("run_one_recipe", {"recipe": "X-3", "params": {"gpu": "H" * 500}}, "too long"),
        ("run_one_recipe", {"recipe": "X-2", "params": "T_eval=1"}, "malformed parameters"),
        ("ask_question", {"question": ["Will", "it", "fit?"]}, "'question' must be text"),
        ("localize_verdicts", {"verdicts": "GO"}, "must be a list"),
        ("localize_verdicts", {"verdicts": ["__proto__"]}, "not a verdict code"),
        ("load_diagnosis_file", {"text": '{"model": "gpt2", "gamma": NaN}'}, "'gamma' is not a finite number"),
    ],
)
def test_every_field_is_validated_at_the_edge(action: str, request_: dict[str, Any], needle: str) -> None:
    message = error(action, request_)
    assert needle in message
    assert "x" * 60 not in message and "H" * 60 not in message  # the value is shortened


# ---------------------------------------------------------------------------------------------- diagnose_command
@pytest.mark.parametrize("model", ["--trust-remote-code", "-rf", " --help", "-", "--device=cuda"])
def test_a_model_id_never_becomes_an_option(model: str) -> None:
    message = error("diagnose_command", {"model": model})
    assert "starts with '-'" in message and "option" in message and "./-name" in message


@pytest.mark.parametrize(
    ("request_", "needle"),
    [
        ({"model": "gpt2", "protocol": ["fast"]}, "unknown protocol"),
        ({"model": "gpt2", "corpus": "--trust-remote-code"}, "unknown corpus"),
        ({"model": "gpt2", "device": "cuda --trust-remote-code"}, "unknown device"),
        ({"model": "gpt2", "fast": "no"}, "'fast' must be true or false"),
        ({"model": "gpt2\n--trust-remote-code"}, "control or invisible character"),
        ({"model": 5}, "'model' must be text"),
    ],
)
def test_every_inserted_value_is_checked(request_: dict[str, Any], needle: str) -> None:
    assert needle in error("diagnose_command", request_)


@pytest.mark.parametrize("model", ["EleutherAI/pythia-70m", "./-odd folder", "gpt2; rm -rf ~ $(whoami)", "a/b@main"])
def test_the_command_parses_back_to_the_same_model_and_no_extra_flag(model: str) -> None:
    from tafagent.cli.main import build_parser

    command = answer("diagnose_command", {"model": model, "protocol": "reference", "fast": True})["command"]
    argv = shlex.split(command)
    assert argv[:3] == ["taf", "diagnose", model]
    args = build_parser().parse_args(argv[1:])
    assert args.model == model and args.trust_remote_code is False and args.protocol == "reference" and args.fast


@pytest.mark.parametrize("field", ["context", "batch", "tp", "concurrency"])
def test_an_absurd_size_is_quoted_short_never_digit_by_digit(field: str) -> None:
    request = {"model": "llama-3-8b", "context": "8k", "tokens_per_day": "1e6", field: "1e300"}
    message = error("fit_and_plan", request)
    assert "1e+300" in message and "0000000000" not in message
