"""Optional LLM assist: the prompts, and the validation of every reply before anything runs.

The core never talks to a network. An *assistant* (``adapters/llm.py`` implements one for any
OpenAI-compatible ``/v1/chat/completions`` endpoint) only turns a (system, user) prompt pair into text.
Everything it says is checked here:

* a routing reply must be one JSON object whose ``recipe_id`` is in the registry and among the
  candidates offered, and whose ``params`` are the recipe's own parameters, typed and in range
  (the registry's :func:`coerce`); otherwise the whole reply is rejected;
* a rephrased answer may not contain any number that the deterministic answer does not contain.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from tafagent.core.ask.declared import get_declared
from tafagent.core.ask.summary import numbers_in, strings
from tafagent.core.errors import LLMReplyError, TafError
from tafagent.core.recipes.base import coerce


class Assistant(Protocol):
    """Anything that completes a chat prompt (an HTTP client, a local model, a test double)."""

    def complete(self, system: str, user: str, *, json_mode: bool = False) -> str: ...


def routing_prompt(candidates: Sequence[str]) -> str:
    """System prompt listing the candidate recipes with their parameters, types, units and ranges."""
    lines = [
        "You are a routing function for TAF, a tool that answers deployment questions about transformer LLMs.",
        "Choose the ONE recipe below that answers the user's question and read its parameters from the question.",
        'Reply with exactly one JSON object and nothing else: {"recipe_id": "<id>", "params": {"<name>": <value>}}.',
        "Use only parameter names listed for that recipe, numbers as plain JSON numbers (32K tokens = 32000), "
        "and omit any parameter the question does not state. "
        'If no recipe fits, reply {"recipe_id": null, "params": {}}.',
        "",
        "Recipes:",
    ]
    for rid in candidates:
        recipe = get_declared(rid)
        lines.append(f"{recipe.id}: {recipe.name} — {recipe.description}")
        params = []
        for p in recipe.params:
            if p.unused:
                continue
            bounds = ""
            if p.minimum is not None or p.maximum is not None:
                bounds = (
                    f", {p.minimum if p.minimum is not None else '-∞'}..{p.maximum if p.maximum is not None else '∞'}"
                )
            params.append(f"{p.name} ({p.kind}{', ' + p.unit if p.unit else ''}{bounds})")
        lines.append("  params: " + "; ".join(params))
    return "\n".join(lines)


def rephrase_prompt(language: str) -> str:
    name = strings(language).get("language", "English")
    return (
        f"Rephrase the user's text in plain {name} for a non-technical reader, in 4 to 6 sentences. "
        "Keep every number exactly as written (same digits, separators and signs) and keep every § reference. "
        "Do not add any number, fact or advice that is not in the text. Reply with the rephrased text only."
    )


def parse_json_object(text: str) -> dict[str, Any]:
    """The JSON object in a reply: the whole text, a fenced block, or the outermost ``{...}``."""
    cleaned = text.strip()
    fenced = re.search(r"```(?:json)?\s*(.*?)```", cleaned, re.DOTALL)
    candidates = [cleaned]
    if fenced:
        candidates.append(fenced.group(1).strip())
    if "{" in cleaned and "}" in cleaned:
        candidates.append(cleaned[cleaned.index("{") : cleaned.rindex("}") + 1])
    for candidate in candidates:
        try:
            data = json.loads(candidate)
        except ValueError:  # json.JSONDecodeError included
            continue
        if isinstance(data, dict):
            return data
    raise LLMReplyError("the LLM did not reply with a JSON object", f"reply began: {cleaned[:80]!r}")


def validate_choice(payload: Mapping[str, Any], candidates: Sequence[str]) -> tuple[str, dict[str, Any]]:
    """(recipe id, typed params) from a routing reply, or LLMReplyError saying what was wrong."""
    rid = payload.get("recipe_id")
    if rid is None:
        raise LLMReplyError("the LLM found no matching recipe")
    if not isinstance(rid, str):
        raise LLMReplyError(f"the LLM's recipe_id is not a string: {rid!r}")
    try:
        recipe = get_declared(rid)
    except TafError:
        raise LLMReplyError(f"the LLM named an unknown recipe '{rid}'") from None
    if recipe.id not in candidates:
        raise LLMReplyError(f"the LLM chose {recipe.id}, which is not among the candidates {', '.join(candidates)}")
    raw = payload.get("params") or {}
    if not isinstance(raw, Mapping):
        raise LLMReplyError("the LLM's params are not a JSON object")
    params: dict[str, Any] = {}
    for name, value in raw.items():
        param = recipe.param(str(name))
        if param is None or param.unused:
            raise LLMReplyError(f"the LLM gave '{name}', which is not a parameter of {recipe.id}")
        if value is None:
            continue
        try:
            params[param.name] = coerce(param, value, recipe.id)
        except TafError as exc:
            raise LLMReplyError(f"the LLM's value is invalid: {exc.one_line()}") from None
    return recipe.id, params


def validate_rephrase(original: str, rephrased: str) -> str:
    """The rephrased answer if it adds no number to ``original``; LLMReplyError otherwise."""
    text = rephrased.strip()
    if not text:
        raise LLMReplyError("the LLM returned an empty answer")
    if len(text) > 3 * len(original) + 200:
        raise LLMReplyError("the LLM's answer is far longer than the original")
    allowed = {n.lstrip("+") for n in numbers_in(original)}
    invented = [n for n in numbers_in(text) if n.lstrip("+") not in allowed]
    if invented:
        raise LLMReplyError(f"the LLM's answer has numbers that are not in the audit chain: {', '.join(invented[:5])}")
    return text
