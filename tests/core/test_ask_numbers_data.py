"""The per-language number rules (``core/data/i18n/numbers_<lang>.json``) and the forms they let `taf ask`
read: magnitude words and abbreviations (``1,5 Mrd.``, ``mil millones``, ``1,5 Md``, ``un milliard``),
batch sizes and latencies, in the four languages."""

from __future__ import annotations

import json
import math
from importlib import resources

import pytest

from tafagent.core.ask.numerals import SCALE, number_rules, to_float
from tafagent.core.ask.quantity import Quantity
from tafagent.core.ask.reading import read
from tafagent.core.catalogs import default_catalogs
from tafagent.core.messages import LANGUAGES

CATALOGS = default_catalogs()


def _quantities(question: str) -> list[Quantity]:
    return read(question, CATALOGS).quantities


def _only(question: str) -> Quantity:
    found = _quantities(question)
    assert len(found) == 1, [(q.kind, q.value) for q in found]
    return found[0]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_has_a_numbers_file_with_the_same_tables(lang: str) -> None:
    path = resources.files("tafagent.core").joinpath(f"data/i18n/numbers_{lang}.json")
    english = json.loads(resources.files("tafagent.core").joinpath("data/i18n/numbers_en.json").read_text("utf-8"))
    data = json.loads(path.read_text(encoding="utf-8"))
    assert set(data) == set(english)
    assert set(data["periods"]) == set(english["periods"])
    assert data["_about"].strip(), "each file states its conventions and sources"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_magnitude_word_is_read_with_its_multiplier(lang: str) -> None:
    rules = number_rules(lang)
    for word, multiplier in {**rules.magnitudes, **rules.after_digits_only}.items():
        if word == "grand":  # slang for a thousand dollars: read as money, checked below
            continue
        found = _quantities(f"2 {word} tokens")
        assert [q.value for q in found] == [pytest.approx(2 * multiplier)], (word, found)


def test_grand_is_a_thousand_dollars() -> None:
    q = _only("a budget of 10 grand")
    assert (q.kind, q.value, q.currency) == ("money", 10000, "USD")


def test_one_multiplier_per_word_across_languages() -> None:
    assert SCALE["mil millones"] == 1e9 and SCALE["mil"] == 1e3 and SCALE["万"] == 1e4 and SCALE["亿"] == 1e8
    assert SCALE["mrd."] == SCALE["md"] == SCALE["mds"] == SCALE["milliard"] == 1e9


@pytest.mark.parametrize(
    ("text", "lang", "value"),
    [("5.000", "es", 5000), ("5.000", "fr", 5000), ("5.000", "en", 5.0), ("5.000", "zh", 5.0), ("1,5", "en", 1.5)],
)
def test_grouping_conventions_come_from_the_data(text: str, lang: str, value: float) -> None:
    assert number_rules(lang).dot_groups_thousands == (lang in ("es", "fr"))
    assert math.isclose(to_float(text, lang), value)


@pytest.mark.parametrize(
    ("question", "value", "period"),
    [
        ("1,5 Mrd. tokens/day", 1.5e9, "day"),
        ("How much for 1.5 bn tokens per month?", 1.5e9, "month"),
        ("mil millones de tokens al día", 1e9, "day"),
        ("¿Cuánto cuesta procesar 1,5 Mrd. de tokens al mes?", 1.5e9, "month"),
        ("1,5 Md de tokens par jour", 1.5e9, "day"),
        ("Combien coûtent 2 Mds de tokens par mois ?", 2e9, "month"),
        ("每天十亿 token", 1e9, "day"),
        ("每月 1,5 Mrd. token", 1.5e9, "month"),
    ],
)
def test_magnitude_words_read_as_volumes(question: str, value: float, period: str) -> None:
    q = _only(question)
    assert (q.kind, q.period) == ("volume", period)
    assert q.value == pytest.approx(value)


@pytest.mark.parametrize(
    ("question", "kind", "value"),
    [
        ("un milliard de tokens", "tokens", 1e9),
        ("a billion tokens", "tokens", 1e9),
        ("dos mil millones de tokens", "tokens", 2e9),
        ("3.2 万 token", "length", 32000),
        ("256 mil tokens", "length", 256000),
        ("deux mille tokens", "length", 2000),
    ],
)
def test_counts_keep_their_values(question: str, kind: str, value: float) -> None:
    q = _only(question)
    assert (q.kind, q.value) == (kind, pytest.approx(value))


@pytest.mark.parametrize(
    ("question", "value"),
    [
        ("batch size 16", 16),
        ("serve it with a batch of 8", 8),
        ("un batch de 8", 8),
        ("une taille de lot de 4", 4),
        ("lote de 4", 4),
        ("tamaño de lote 32", 32),
        ("批量 4", 4),
        ("批大小为 8", 8),
    ],
)
def test_batch_sizes_are_users_qualified_batch(question: str, value: float) -> None:
    q = _only(question)
    assert (q.kind, q.value, q.qualifier) == ("users", value, "batch")


def test_a_batch_size_is_not_a_token_count() -> None:
    kinds = [(q.kind, q.qualifier) for q in _quantities("batch of 8k tokens")]
    assert ("users", "batch") not in kinds


@pytest.mark.parametrize(
    ("question", "value", "qualifier", "hint"),
    [
        ("under 50 ms per token", 50, "per_token", "max"),
        ("moins de 50 ms par token", 50, "per_token", "max"),
        ("menos de 50 ms por token", 50, "per_token", "max"),
        ("每个 token 50 毫秒以内", 50, "per_token", "max"),
        ("TTFT under 0.5 s", 500, "first_token", "max"),
        ("latencia de 1,5 segundos", 1500, None, ""),
        ("a 200 ms latency", 200, None, ""),
    ],
)
def test_latencies_in_milliseconds(question: str, value: float, qualifier: str | None, hint: str) -> None:
    q = _only(question)
    assert (q.kind, q.qualifier, q.hint) == ("latency_ms", qualifier, hint)
    assert q.value == pytest.approx(value)


def test_seconds_without_a_latency_word_are_not_a_latency() -> None:
    assert all(q.kind != "latency_ms" for q in _quantities("train for 2 s on 4 GPUs"))


def test_a_latency_does_not_leave_a_bare_number_behind() -> None:
    kinds = [q.kind for q in _quantities("Llama-3-8B at 32k context under 50 ms per token")]
    assert kinds == ["length", "latency_ms"]
