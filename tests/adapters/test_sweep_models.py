"""`taf sweep`'s models file and its panel files, without measuring anything (no torch needed)."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path

import pytest

from tafagent.adapters.sweep.models_list import parse_models, read_models, safe_name
from tafagent.adapters.sweep.panel_table import read_panel
from tafagent.core.errors import ConfigError, TafError, UsageError
from tafagent.core.validation import law_report, validate
from tafagent.core.validation.panel import GammaRow, load_panel, panel_from_json, shipped_panel, using_panel


def test_comments_blank_lines_duplicates_and_relative_dirs(tmp_path: Path) -> None:
    (tmp_path / "models" / "tiny").mkdir(parents=True)
    text = "# the panel\n\nEleutherAI/pythia-70m   # inline comment\nmodels/tiny\n  gpt2  \nEleutherAI/pythia-70m\n"
    entries = parse_models(text, tmp_path)
    assert [(e.ref, e.line, e.name, e.local) for e in entries] == [
        ("EleutherAI/pythia-70m", 3, "EleutherAI__pythia-70m", False),
        (str((tmp_path / "models" / "tiny").resolve()), 4, "tiny", True),
        ("gpt2", 5, "gpt2", False),
    ]


def test_a_relative_dir_is_read_next_to_the_models_file(tmp_path: Path) -> None:
    (tmp_path / "m1").mkdir()
    listing = tmp_path / "models.txt"
    listing.write_text("m1\n")
    assert read_models(listing)[0].ref == str((tmp_path / "m1").resolve())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("gpt2\n./missing-dir\n", "line 2: directory './missing-dir' does not exist"),
        ("gpt2\nnot a model\n", "line 2: 'not a model' holds a space"),
        ("gpt2\n!!bad!!\n", "line 2: '!!bad!!' is not a Hub id (org/name), a preset or a local directory"),
        ("# nothing\n\n", "lists no models"),
    ],
)
def test_bad_lines_are_one_line_errors_naming_the_line(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_models(text, tmp_path, source="models.txt")
    line = caught.value.one_line()
    assert expected in line and "\n" not in line


def test_two_models_that_would_share_a_result_file_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a" / "tiny").mkdir(parents=True)
    (tmp_path / "b" / "tiny").mkdir(parents=True)
    with pytest.raises(UsageError, match="lines 1 and 2 both save as 'tiny'"):
        parse_models("a/tiny\nb/tiny\n", tmp_path)


def test_missing_models_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(TafError, match="does not exist"):
        read_models(tmp_path / "nope.txt")


def test_safe_names() -> None:
    assert safe_name("org/name.v1", False) == "org__name.v1"
    assert safe_name("/x/y/my model[1]", True) == "my_model_1"


# ---- the panel files ------------------------------------------------------------------------------------------


def _row(**overrides: object) -> list[object]:
    """A shipped canonical row with some columns replaced (as a user panel row)."""
    base = shipped_panel().rows[0].to_dict()
    base.update(overrides)
    return [base[f.name] for f in fields(GammaRow)]


def _panel_text(rows: list[list[object]]) -> str:
    columns = [f.name for f in fields(GammaRow)]
    return json.dumps({"meta": {"snapshot": "taf sweep of test"}, "columns": columns, "rows": rows})


def test_panel_from_json_type_checks_every_value() -> None:
    panel = panel_from_json(_panel_text([_row(row_id="u1")]))
    assert panel.rows[0].row_id == "u1" and panel.outcomes == () and dict(panel.curves or {}) == {}
    for bad, message in [
        (_row(gamma="0.5"), "gamma must be float"),
        (_row(canonical=1), "canonical must be bool"),
        (_row(n_layers=2.5), "n_layers must be int | None"),
    ]:
        with pytest.raises(ConfigError, match=message):
            panel_from_json(_panel_text([bad]))
    with pytest.raises(ConfigError, match="appears twice"):
        panel_from_json(_panel_text([_row(row_id="x"), _row(row_id="x")]))
    with pytest.raises(ConfigError, match="not valid JSON"):
        panel_from_json("{")
    with pytest.raises(ConfigError, match="columns are not the panel schema"):
        panel_from_json(json.dumps({"meta": {}, "columns": ["gamma"], "rows": []}))


def test_a_user_panel_is_a_parameter_and_leaves_the_shipped_results_alone() -> None:
    shipped = validate().to_dict()
    rows = [r for r in shipped_panel().rows if r.canonical and r.is_rope][:6]
    user = panel_from_json(_panel_text([[r.to_dict()[f.name] for f in fields(GammaRow)] for r in rows]))
    report = validate(user)
    assert report.panel_counts["rows"] == 6
    assert report.law("pade").primary.n <= 6
    assert report.law("niah_ceiling").headline.startswith("no cases in this panel")
    assert validate(user) is report  # cached per panel
    assert law_report("niah_ceiling", user).support == "untestable"
    assert validate().to_dict() == shipped  # the shipped validation is unchanged afterwards
    with using_panel(user):
        assert load_panel() is user
    assert load_panel() is shipped_panel()


def test_read_panel_errors_are_one_line(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        read_panel(tmp_path / "missing")
    with pytest.raises(UsageError, match=r"has no gamma_panel\.json"):
        read_panel(tmp_path)
    (tmp_path / "gamma_panel.json").write_text("[]")
    with pytest.raises(ConfigError, match="not a γ panel"):
        read_panel(tmp_path)
