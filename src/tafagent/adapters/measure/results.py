"""Diagnosis files: write the JSON of ``taf diagnose --out`` and read it back for ``taf profile --diagnosis``."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from ...core.errors import ConfigError, UsageError
from ...core.powerlaw import DIAGNOSIS_SCHEMA, Diagnosis

MAX_DIAGNOSIS_BYTES = 64 * 1024 * 1024


def diagnosis_json(diagnosis: Diagnosis) -> str:
    """Strict JSON (no NaN/Infinity: undefined values are null), UTF-8 text, indent 2."""
    return json.dumps(_strict(diagnosis.to_dict()), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


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
    try:
        size = file.stat().st_size
        if file.is_dir():
            raise ConfigError(f"'{file}' is a directory, not a diagnosis file", "pass the JSON written by --out")
        if size > MAX_DIAGNOSIS_BYTES:
            raise ConfigError(f"'{file}' is {size:,} bytes: too large for a diagnosis file", "pass the --out JSON")
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"diagnosis file '{file}' does not exist", "run `taf diagnose MODEL --out FILE` first"
        ) from None
    except UnicodeDecodeError:
        raise ConfigError(f"'{file}' is not a UTF-8 text file", "pass the JSON written by --out") from None
    except OSError as error:
        raise ConfigError(f"cannot read '{file}': {error.strerror or error}", "check the path") from None
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as error:
        raise ConfigError(
            f"'{file}' is not valid JSON (line {error.lineno}: {error.msg})", "pass the JSON written by --out"
        ) from None
    if isinstance(data, dict) and (data.get("schema") == DIAGNOSIS_SCHEMA or "fit_power_law" in data):
        return Diagnosis.from_any(data)
    raise ConfigError(f"'{file}' is not a taf diagnosis file", "pass the JSON written by `taf diagnose --out`")


def _strict(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _strict(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_strict(v) for v in value]
    return value
