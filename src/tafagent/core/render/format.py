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


def _word(key: str, lang: str, english: str) -> str:
    """A formatter word ("n/a", "yes", a unit name) in ``lang`` from the card catalog; ``english`` otherwise."""
    if lang == "en":
        return english
    from tafagent.core.messages import catalog  # messages imports this module: look the catalog up lazily

    return catalog(lang).get(key, english)


def unit_text(unit: str, lang: str = "en") -> str:
    """A unit in ``lang``: words ("tokens", "months") are translated, symbols (GB, tok/s, USD/Mtok) stay."""
    return _word(f"card.unit.{unit}", lang, unit) if unit else unit


def fmt(value: Any, unit: str = "", lang: str = "en") -> str:
    """Human number formatting: thousands separators, 4 significant digits for small floats, n/a for None;
    the digits get ``lang``'s marks and unit words their translation ('8 192 jetons' in French)."""
    if value is None:
        return _word("card.fmt.na", lang, "n/a")
    if isinstance(value, bool):
        return _word("card.fmt.yes", lang, "yes") if value else _word("card.fmt.no", lang, "no")
    if isinstance(value, int):
        text = f"{value:,}"
    elif isinstance(value, float):
        if not math.isfinite(value):
            return _word("card.fmt.na", lang, "n/a")
        if value == 0:
            text = "0"
        elif abs(value) >= 1e15 or abs(value) < 1e-3:
            text = f"{value:.3e}"
        elif abs(value) >= 1000:
            text = f"{value:,.0f}"
        else:
            text = f"{value:.4g}"
    else:
        return f"{value} {unit_text(unit, lang)}".strip() if unit and unit != "dimensionless" else str(value)
    text = localise_number(text, lang)
    if unit == "bytes":
        gb = localise_number(f"{value / 1e9:.3f}", lang)
        gib = localise_number(f"{value / 2**30:.3f}", lang)
        return f"{text} B ({gb} GB, {gib} GiB)"
    return f"{text} {unit_text(unit, lang)}".strip() if unit and unit not in ("dimensionless",) else text


def fmt_count(n: int | None, lang: str = "en") -> str:
    """8030261248 → '8.03 B' ('8,03 B' in ES/FR); small counts stay exact."""
    if n is None:
        return _word("card.fmt.na", lang, "n/a")
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(n) >= scale:
            text = f"{n / scale:.3g}" if abs(n) / scale < 100 else f"{n / scale:.0f}"
            return f"{localise_number(text, lang)} {suffix}"
    return str(n)


def fmt_value(value: Any, lang: str = "en") -> str:
    """A compact human rendering of a spec field value (numbers with ``lang``'s marks)."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _word("card.fmt.yes", lang, "yes") if value else _word("card.fmt.no", lang, "no")
    if isinstance(value, int):
        return localise_number(f"{value:,}", lang)
    if isinstance(value, float):
        return localise_number(f"{value:,.6g}", lang)
    if isinstance(value, (list, tuple)):
        if value and len(set(value)) < len(value):
            runs = _runs(list(value))
            return ", ".join(f"{v}×{n}" if n > 1 else str(v) for v, n in runs)
        return ", ".join(str(v) for v in value)
    if hasattr(value, "to_dict"):
        parts = [
            f"{k}={fmt_value(v, lang)}"
            for k, v in value.to_dict().items()
            if k not in ("raw", "params") and v is not None
        ]
        return ", ".join(parts)
    if isinstance(value, dict):
        return ", ".join(f"{k}={fmt_value(v, lang)}" for k, v in value.items())
    return str(value)


def _runs(values: list[Any]) -> list[tuple[Any, int]]:
    runs: list[tuple[Any, int]] = []
    for v in values:
        if runs and runs[-1][0] == v:
            runs[-1] = (v, runs[-1][1] + 1)
        else:
            runs.append((v, 1))
    return runs


def bytes_gb_gib(n: float, lang: str = "en") -> str:
    """``n`` bytes as '16.06 GB (14.96 GiB)': decimal and binary units side by side, in ``lang``'s marks."""
    return f"{localise_number(f'{n / 1e9:,.2f}', lang)} GB ({localise_number(f'{n / GIB:,.2f}', lang)} GiB)"
