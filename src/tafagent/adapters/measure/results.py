"""Diagnosis files: write the JSON of ``taf diagnose --out`` and read it back for ``taf profile --diagnosis``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tafagent.adapters.files import read_text_file
from tafagent.core.decay.diagnosis import DIAGNOSIS_SCHEMA, Diagnosis
from tafagent.core.errors import ConfigError, UsageError
from tafagent.core.jsonsafe import JSONInputError, json_safe, parse_bounded_json

MAX_DIAGNOSIS_BYTES = 64 * 1024 * 1024


def diagnosis_json(diagnosis: Diagnosis) -> str:
    """Strict JSON (no NaN/Infinity: undefined values are null), UTF-8 text, indent 2."""
    return json.dumps(json_safe(diagnosis.to_dict()), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def save_diagnosis(diagnosis: Diagnosis, path: Path) -> None:
    """Write :func:`diagnosis_json` to ``path`` (parent directories are created)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(diagnosis_json(diagnosis), encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot write '{path}': {error.strerror or error}", "check the --out path") from None


def load_diagnosis(path: str | Path) -> Diagnosis:
    """Read a diagnosis file: ours (``taf diagnose --out``) or v0.5.3's ``diagnose_model.py`` JSON.

    Every field is validated; anything else (not JSON, another kind of JSON, wrong types, NaN where a
    number is required, a γ that does not match the stored curve) is a one-line ConfigError.
    """
    file = Path(path).expanduser()
    text = read_text_file(file, "diagnosis file", MAX_DIAGNOSIS_BYTES, "pass the JSON written by `taf diagnose --out`")
    try:
        data: Any = parse_bounded_json(text)
    except JSONInputError as error:
        raise ConfigError(
            f"'{file}' {error.problem}: it cannot be a diagnosis", "pass the JSON written by --out"
        ) from None
    except json.JSONDecodeError as error:
        raise ConfigError(
            f"'{file}' is not valid JSON (line {error.lineno}: {error.msg})", "pass the JSON written by --out"
        ) from None
    if isinstance(data, dict) and (data.get("schema") == DIAGNOSIS_SCHEMA or "fit_power_law" in data):
        return Diagnosis.from_any(data)
    raise ConfigError(f"'{file}' is not a taf diagnosis file", "pass the JSON written by `taf diagnose --out`")
