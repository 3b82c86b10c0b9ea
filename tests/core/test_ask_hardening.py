"""Hardening of how `taf ask` reads numbers: invisible characters, minus signs, other digits, exponents.

Each test reproduces a measured defect: "3\\u200b2k" read as 2,000, "-32k" read as 32,000 (the sign dropped),
"θ = 10⁶" read as 106. The rule behind each fix is in the docstrings of tafagent.core.ask.text (digits and
invisible characters) and tafagent.core.ask.quantities (the sign).
"""

from __future__ import annotations

import pytest

from tafagent.core.ask import ask, route
from tafagent.core.ask.text import prepare


def t_eval(question: str) -> object:
    routed = route(question)
    assert routed.recipe_id == "X-2" and routed.error is None, (routed.recipe_id, routed.error)
    return routed.params.get("T_eval")


# ---------------------------------------------------------------------------------------------- format characters
@pytest.mark.parametrize("invisible", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200b\u200d"])
def test_an_invisible_character_inside_a_number_does_not_split_it(invisible: str) -> None:
    assert t_eval(f"Will Llama-3-8B handle 3{invisible}2k context?") == 32000
    assert t_eval(f"Will Llama-3-8B handle 32{invisible}k context?") == 32000
    assert t_eval(f"Will Llama-3-8B handle 32,{invisible}768 tokens of context?") == 32768


def test_an_invisible_character_between_words_is_a_word_break() -> None:
    assert t_eval("Will Llama-3-8B handle 32k\u200bcontext?") == 32000
    assert prepare("a\u200bb").text == "a b" and prepare("a\x00b").text == "a b"


def test_prepared_text_and_folded_copy_stay_aligned() -> None:
    prepared = prepare("Wíll ３\u200b２K θ=10⁶ ٣٢ 2^15 -５")
    assert len(prepared.text) == len(prepared.low)


# ---------------------------------------------------------------------------------------------- minus signs
def test_a_negative_length_is_an_out_of_range_error_not_a_positive_one() -> None:
    routed = route("Will Llama-3-8B handle -32k context?")
    assert routed.recipe_id == "X-2" and "T_eval" not in routed.params
    assert routed.error is not None and "T_eval" in routed.error and "-32000" in routed.error
    result = ask("Will Llama-3-8B handle -32k context?")
    assert result.result is None and result.error and "\n" not in result.error and "out of range" in result.error


@pytest.mark.parametrize(
    ("question", "param"),
    [
        ("I have a budget of -$500, can I train a 7B model?", "USD_budget"),
        ("I have a budget of $-500, can I train a 7B model?", "USD_budget"),
        ("Serve Llama-3-8B to -10 concurrent users", "concurrency"),  # the serving plan
        ("Which GPU to serve llama-3-8b at -100M tokens/day?", "tokens_per_day"),  # the planner now (was X-5)
        ("Llama-3-8B 能处理-32k上下文吗？", "T_eval"),
        ("theta=-10000, T_train 4096, will 32k work?", "theta"),
    ],
)
def test_a_minus_sign_makes_lengths_counts_and_money_negative(question: str, param: str) -> None:
    routed = route(question)
    assert routed.error is not None and param in routed.error and "out of range" in routed.error, routed.error
    assert param not in routed.params


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Will Llama-3-8B handle 8k-32k context?", 32000),  # a range
        ("Will Llama-3-8B handle 32K context?", 32000),  # the name's hyphens
        ("Will Llama-3-8B handle 32k-token prompts?", 32000),
    ],
)
def test_a_hyphen_after_a_word_or_number_is_not_a_sign(question: str, expected: int) -> None:
    assert t_eval(question) == expected


# ---------------------------------------------------------------------------------------------- digits
@pytest.mark.parametrize(
    "question",
    [
        "Llama-3-8B 能处理 ３２k 上下文吗？",  # full-width digits, as a Chinese keyboard types them
        "Llama-3-8B 能处理 ３２Ｋ 上下文吗？",
        "Llama-3-8B 能处理３２０００个token的上下文吗？",
        "Will Llama-3-8B handle ٣٢k context?",  # Arabic-Indic digits
        "Will Llama-3-8B handle ३२k context?",  # Devanagari digits
    ],
)
def test_digits_of_other_keyboards_and_scripts_read_as_their_value(question: str) -> None:
    assert t_eval(question) == 32000


def test_a_full_width_chinese_question_answers_in_chinese() -> None:
    result = ask("Llama-3-8B 能处理 ３２k 上下文吗？")
    assert result.ok and result.language == "zh" and result.params["T_eval"] == 32000


@pytest.mark.parametrize(
    ("question", "theta"),
    [
        ("rope theta 10⁶ with 32k context, will it work?", 1e6),
        ("rope theta 10^6 with 32k context, will it work?", 1e6),
        ("rope theta 5×10⁵ with 32k context, will it work?", 5e5),
        ("rope theta １０＾６ with 32k context, will it work?", 1e6),
    ],
)
def test_an_exponent_is_never_read_as_more_digits(question: str, theta: float) -> None:
    routed = route(question)
    assert routed.params["theta"] == theta and routed.params["T_eval"] == 32000


def test_powers_of_two_and_absurd_powers() -> None:
    assert t_eval("Will Llama-3-8B handle 2^15 context?") == 32768
    assert t_eval("Will Llama-3-8B handle 2¹⁵ context?") == 32768
    routed = route("Will Llama-3-8B handle 2^99999 context?")
    assert routed.error is not None and "too large" in routed.error


def test_a_negative_length_among_several_is_refused_not_dropped() -> None:
    from tafagent.core.ask.router import route

    routed = route("Can llama-3-8b do needle retrieval at 8k or -32k?")
    assert routed.params.get("T_eval") == -32000 or routed.error is not None
