"""French and Chinese typography of the ask and recipe strings (``core/data/i18n``).

French sets a no-break space (U+00A0, as capabilities_fr.json does) before ``:``, ``;``, ``!`` and ``?`` and
inside guillemets; Chinese uses full-width punctuation (``：，；？！``) next to Chinese characters. Placeholders
(their format specs hold colons), URLs, code in backticks and ratios such as ``1:1`` are exempt.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from importlib import resources
from typing import Any

import pytest

from tafagent.core.messages import CATALOG_FILES

NBSP = "\u00a0"
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_EXEMPT = re.compile(r"`[^`]*`|https?://\S+|\d+:\d+")
_FR_TIGHT = re.compile(r"[^\W_][:;!?](?=\s|$)")  # 'Routage: X', 'tient?' with no space at all
_FR_BREAKING = re.compile(r" [:;!?»]|« ")  # an ordinary space may break the line before the mark
_CJK = "\u3400-\u4dbf\u4e00-\u9fff"
_ZH_ASCII = re.compile(rf"[{_CJK}]\s*[:,;?!]|[:,;?!]\s*[{_CJK}]")


def _values(data: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _values(value, f"{path}.{key}" if path else key)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _values(value, f"{path}[{index}]")
    elif isinstance(data, str):
        yield path, data


def _strings(name: str) -> list[tuple[str, str]]:
    text = resources.files("tafagent.core").joinpath(f"data/i18n/{name}.json").read_text(encoding="utf-8")
    return list(_values(json.loads(text)))


def _checked(text: str, placeholder: str) -> str:
    """``text`` with the exempt parts blanked; a placeholder stands for a word (``{recipe}:`` still counts)."""
    return _EXEMPT.sub(lambda m: " " * len(m.group()), _PLACEHOLDER.sub(placeholder, text))


def _offenders(name: str, pattern: re.Pattern[str], placeholder: str) -> list[str]:
    return [f"{path}: {value!r}" for path, value in _strings(name) if pattern.search(_checked(value, placeholder))]


@pytest.mark.parametrize("name", ["ask_fr", *(f"{n}_fr" for n in CATALOG_FILES)])
def test_french_punctuation_takes_a_no_break_space(name: str) -> None:
    assert _offenders(name, _FR_TIGHT, "X") == []
    assert _offenders(name, _FR_BREAKING, "X") == []


@pytest.mark.parametrize("name", ["ask_zh", *(f"{n}_zh" for n in CATALOG_FILES)])
def test_chinese_uses_full_width_punctuation(name: str) -> None:
    # a placeholder is a value, so it stands for a digit: the interval "[{lo}, {hi}]" keeps its ASCII comma
    assert _offenders(name, _ZH_ASCII, "0") == []


def test_the_checks_catch_what_they_are_for() -> None:
    assert _FR_TIGHT.search(_checked("Routage: {recipe}", "X"))
    assert _FR_TIGHT.search(_checked("{recipe}: ok", "X"))
    assert _FR_BREAKING.search("Routage : X")
    assert not _FR_TIGHT.search(_checked(f"Routage{NBSP}: {{x:,.0f}} ratio 1:1 `a: b` https://x.org", "X"))
    assert _ZH_ASCII.search("模型:X") and _ZH_ASCII.search("模型,上下文")
    assert not _ZH_ASCII.search(_checked("模型：{x:,.0f}，1:1 [{lo}, {hi}] 内", "0"))
