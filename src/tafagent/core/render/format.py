"""The one formatter of numbers, counts, bytes and units, for every interface (CLI, Markdown/HTML, web, ask).

Numbers are written the Python way ('8,192.5') and then given the language's grouping and decimal marks
(ES/FR: '8\u202f192,5'), so a French reader never takes '8,192' for eight and a bit. Bytes are shown in both
decimal GB and binary GiB, named as such.
"""

from __future__ import annotations

import math
from typing import Any

GIB = 2**30  # bytes in a GiB (binary); "GB" in this package is always 10⁹ bytes
# The language's number marks (the web page receives them from the bridge, not from a copy).
NUMBER_GROUP = {"en": ",", "zh": ",", "es": "\u202f", "fr": "\u202f"}
NUMBER_DECIMAL = {"en": ".", "zh": ".", "es": ",", "fr": ","}


def localise_number(text: str, lang: str) -> str:
    """A number formatted the Python way ('8,192.5') with the language's grouping and decimal marks."""
    if lang not in ("es", "fr"):
        return text
    marks: dict[str, str | int | None] = {",": NUMBER_GROUP[lang], ".": NUMBER_DECIMAL[lang]}
    return text.translate(str.maketrans(marks))


def significant(value: float, digits: int = 3) -> str:
    """``value`` to ``digits`` significant digits, never in exponent form, trailing zeros removed, written the
    Python way (5170000.0 → '5,170,000'; 0.012345 → '0.0123'); give it the language's marks with localise_number."""
    if value == 0:
        return "0"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(value))))
    text = f"{value:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def fmt(value: Any, unit: str = "") -> str:
    """Human number formatting: thousands separators, 4 significant digits for small floats, n/a for None."""
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        text = f"{value:,}"
    elif isinstance(value, float):
        if not math.isfinite(value):
            return "n/a"
        if value == 0:
            text = "0"
        elif abs(value) >= 1e15 or abs(value) < 1e-3:
            text = f"{value:.3e}"
        elif abs(value) >= 1000:
            text = f"{value:,.0f}"
        else:
            text = f"{value:.4g}"
    else:
        text = str(value)
    if unit == "bytes" and isinstance(value, (int, float)):
        return f"{text} B ({value / 1e9:.3f} GB, {value / 2**30:.3f} GiB)"
    return f"{text} {unit}".strip() if unit and unit not in ("dimensionless",) else text


def fmt_count(n: int | None) -> str:
    """8030261248 → '8.03 B'; small counts stay exact."""
    if n is None:
        return "n/a"
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(n) >= scale:
            return f"{n / scale:.3g} {suffix}" if abs(n) / scale < 100 else f"{n / scale:.0f} {suffix}"
    return str(n)


def fmt_value(value: Any) -> str:
    """A compact human rendering of a spec field value."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.6g}"
    if isinstance(value, (list, tuple)):
        if value and len(set(value)) < len(value):
            runs = _runs(list(value))
            return ", ".join(f"{v}×{n}" if n > 1 else str(v) for v, n in runs)
        return ", ".join(str(v) for v in value)
    if hasattr(value, "to_dict"):
        parts = [
            f"{k}={fmt_value(v)}" for k, v in value.to_dict().items() if k not in ("raw", "params") and v is not None
        ]
        return ", ".join(parts)
    if isinstance(value, dict):
        return ", ".join(f"{k}={fmt_value(v)}" for k, v in value.items())
    return str(value)


def _runs(values: list[Any]) -> list[tuple[Any, int]]:
    runs: list[tuple[Any, int]] = []
    for v in values:
        if runs and runs[-1][0] == v:
            runs[-1] = (v, runs[-1][1] + 1)
        else:
            runs.append((v, 1))
    return runs


def bytes_gb_gib(n: float) -> str:
    """``n`` bytes as '16.06 GB (14.96 GiB)': decimal and binary units side by side."""
    return f"{n / 1e9:,.2f} GB ({n / GIB:,.2f} GiB)"
