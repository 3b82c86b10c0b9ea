"""Ask in plain words: a deterministic, offline router from a question to a recipe and its typed
parameters, and a plain-language answer from the audit chain (English, Spanish, French, Chinese).

    from tafagent.core.ask import ask, route
    route("Will Llama-3-8B handle 32K context?").recipe_id      # 'X-2'
    ask("¿Qué GPU sirve Qwen2.5-7B a 10M tokens al día?").answer  # in Spanish

Standard library only (it runs in the browser under Pyodide); same question → same result.
"""

from tafagent.core.ask.assist import Assistant
from tafagent.core.ask.reading import Note
from tafagent.core.ask.router import Route, Suggestion, route
from tafagent.core.ask.service import AskResult, ModelLoader, ask
from tafagent.core.ask.summary import fmt_number, numbers_in, summarize
from tafagent.core.errors import LLMReplyError

__all__ = [
    "AskResult",
    "Assistant",
    "LLMReplyError",
    "ModelLoader",
    "Note",
    "Route",
    "Suggestion",
    "ask",
    "fmt_number",
    "numbers_in",
    "route",
    "summarize",
]
