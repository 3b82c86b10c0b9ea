"""Property tests: any text gives a clean AskResult (never an exception), strict JSON, a verdict or a reason."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tafagent.core.ask import AskResult, ask, numbers_in, route

FRAGMENTS = [
    "llama 3 8b", "Llama3-8B", "mistral", "qwen2.5-7b", "meta-llama/Meta-Llama-3-8B", "org/model-7b", "falcon 40b",
    "gpt-4o", "Claude Sonnet", "H100", "8x A100 80GB", "RTX 4090", "V100", "32K", "1M context", "32,000-token",
    "$5,000", "€5000", "5k USD", "五千美元", "100M tokens/day", "50 million tokens a month", "1B tokens per month",
    "7B", "70b params", "8e9", "γ_text = 0.93", "gamma_random 1.0", "gamma 1.045", "Δγ = -0.2", "θ=10000",
    "32 layers", "8 KV heads", "40% MFU", "int4", "16 concurrent users", "keep 95% of attention", "soft decay",
    "hard cutoff", "needle in a haystack", "induction heads", "imprint", "invariant", "budget", "which GPU",
    "train my own", "break-even", "¿", "上下文", "每天", "显存", "décroissance douce", "0", "-1", "1e400",
    "99999999999999", "0.0000001", "%", "/", "?", "tokens", "k", "M", "B",
]  # fmt: skip

questions = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=8).map(" ".join),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), min_size=1, max_size=10).map("".join),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(questions)
def test_any_text_gives_a_clean_result(question: str) -> None:
    result = ask(question)
    assert isinstance(result, AskResult)
    data = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    if result.recipe_id is None:
        assert result.why and 2 <= len(result.suggestions) <= 3
    elif result.ok:
        assert result.result is not None and result.answer
        assert set(result.param_sources.values()) <= {"question", "preset", "model", "default", "llm"}
        assert data["result"]["verdict"]
    else:
        assert result.error and "\n" not in result.error


@settings(max_examples=200, deadline=None)
@given(questions)
def test_routing_is_pure(question: str) -> None:
    first, second = route(question), route(question)
    assert (first.recipe_id, first.params, first.notes, first.error) == (
        second.recipe_id,
        second.params,
        second.notes,
        second.error,
    )


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.sampled_from(FRAGMENTS), min_size=2, max_size=8).map(" ".join),
    st.sampled_from(["en", "es", "fr", "zh"]),
)
def test_answers_only_hold_numbers_from_the_chain(question: str, lang: str) -> None:
    from test_ask_summary import allowed_numbers

    result = ask(question, language=lang)
    if result.result is None:
        return
    allowed = allowed_numbers(result.result, result.model, lang)
    assert [n for n in numbers_in(result.answer) if n not in allowed] == [], result.answer
