"""What ``taf ask`` needs to know about a recipe, declared by the recipe itself as data.

A recipe becomes answerable by ``taf ask`` by giving its :class:`~tafagent.core.recipes.base.Recipe`
an ``ask=AskSpec(...)``: the words that point at it in each language (:attr:`AskSpec.cues`), what the
recognised names and quantities add to its score (:attr:`AskSpec.signals`), how the question fills its
parameters (:attr:`AskSpec.readers`), and the function that chooses its plain-language answer
(:attr:`AskSpec.answer`). The router (``tafagent.core.ask``) reads these from the registry; it holds no
per-recipe table. The answer's sentences are templates in ``core/data/i18n/ask_<lang>.json`` under
``summary`` (``"<recipe id>.<variant>.finding"``, ``.support``, ``.action``), with the recipe's name under
``recipes`` and a default suggestion reason under ``reasons`` (``"reason.default.<recipe id>"``).

This module imports nothing from ``tafagent.core.ask`` (the router imports the registry, which imports
the recipes): the answer function receives an :class:`AnswerDraft` that ask implements.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from tafagent.core.audit import RecipeResult, Step

# (regular expression, weight). Cues run on the question folded to lower case without accents, with the
# recognised names (models, GPUs, APIs) blanked out; each cue counts once. A pattern starting with an
# ASCII letter only matches at the start of a word; other patterns (CJK, groups) match anywhere.
Cue = tuple[str, float]

# What the recognised names and quantities say, each firing at most once per question, in this order:
Signal = Literal[
    "length",  # a context length ("32K tokens", "at 128k context")
    "model",  # an open model is named (a preset, a Hub id, or an unknown "family + size")
    "model_with_length",  # ... and a length is written too
    "model_without_length",  # ... and no length is written
    "money",  # an amount of money (a budget)
    "gpu_price",  # a price per GPU-hour
    "daily_volume",  # a token volume per day, hour or second
    "monthly_volume",  # a token volume per week, month or year
    "api",  # a hosted API model (GPT-4o, Claude, ...); the weight is scaled by how surely it was named
    "gpu",  # a GPU name, in the catalog or not
    "gamma_text_and_random",  # γ on text and γ on random tokens
    "gamma_random",  # γ on random tokens only
    "gamma",  # a γ value, none of them on random tokens
    "delta_gamma",  # a Δγ value
    "users",  # a number of users or concurrent requests
    "kv_mass",  # the share of attention mass to keep ("keep 90 %")
    "kv_precision",  # a precision said of the KV cache ("fp8 KV cache")
    "weight_precision",  # any other precision ("int4", "bf16")
    "theta",  # a RoPE θ
    "t_train",  # a training context length
    "size_without_model",  # a parameter count ("7B parameters") and no model named
    "memory",  # an amount of memory ("24 GB")
    "training_tokens",  # a token count said to be for training
    "mfu_or_gpu_count",  # an MFU or a number of GPUs
]

# How the question fills the recipe's parameters, one step each, applied in the order declared:
Reader = Literal[
    "unknown_model_architecture",  # note that an unknown model's layers and heads are defaults
    "length",  # T_eval from the length written (or a bare "at 8192")
    "architecture",  # theta, T_train, n_layers, n_attention_heads, n_kv_heads, d_head, has_SWA (no model)
    "kv_shape",  # n_layers, n_kv_heads, d_head
    "gpu",  # gpu, n_gpus, mfu, gpu_usd_per_hour
    "gpu_ranked",  # note that the recipe ranks every GPU, the one named included
    "api",  # api_model (the surest API named)
    "monthly_volume",  # monthly_tokens_M (a month counts 30 days)
    "daily_volume",  # target_tokens_per_day
    "users",  # concurrent_users
    "budget",  # USD_budget
    "money_not_input",  # note that an amount of money is not one of the inputs
    "training_tokens",  # D_tokens from a count said to be for training
    "training_tokens_or_billions",  # D_tokens from a count for training, or any count ≥ 10⁹
    "training_mode",  # training = lora / full_finetune when the question says so (else the default, pretrain)
    "context",  # context (capabilities) from the length written, read like T_eval
    "batch",  # batch from a batch size or a number of users / requests
    "gpu_fit",  # gpu and tp from the GPU named, else the catalog's only GPU of the memory written
    "kv_dtype",  # kv_dtype from a precision said of the KV cache
    "weights_dtype",  # weights_dtype from any other precision
    "diagnose_scope",  # scope (sweep / per_head) and max_distance for the how-to-measure answer
    "compare_models",  # models: the embedded models named, comma-separated
    "extend_target",  # to (the length to reach) and method (yarn, linear, dynamic, longrope, llama3)
    "daily_tokens",  # tokens_per_day (the planner) from a token volume per day, hour or second
    "concurrency",  # concurrency from a number of users or requests in flight
    "latency",  # max_ms_per_token from a per-token latency limit
    "gpu_plan",  # gpu for the planner (GPU counts are the planner's to choose)
    "engine",  # engine named (vllm, sglang, llama.cpp / -ngl / gguf, ollama)
    "weight_bytes",  # bytes_per_weight from the first precision not said of the KV cache
    "weight_bytes_first",  # bytes_per_weight from the first precision written
    "kv_bytes",  # bytes_per_element from a precision said of the KV cache
    "kv_mass",  # kv_mass_fraction ("keep 90 %", or a percentage)
    "gamma_obs",  # gamma_obs from a γ on text or unlabelled (a γ on random tokens is noted, not used)
    "gamma_random",  # gamma_random_obs (an unlabelled γ is taken as one, and noted)
    "gamma_pair",  # gamma_text and gamma_random (notes when only one or a Δγ is given)
]


class AnswerDraft(Protocol):
    """What an answer function fills: the values its templates name, and which sentences to use.

    Numbers are formatted in the answer's language by ``kind``: int, num, dec1…dec4, signed2…signed4,
    usd, usd2, pct, count (5.17 billion). A value that is not a finite number is left out, and so is
    every sentence whose template names it: a sentence is dropped rather than printed half-filled.
    """

    lang: str  # the answer's language (en, es, fr, zh)

    def number(self, name: str, value: Any, kind: str) -> None: ...

    def text(self, name: str, value: str) -> None: ...

    def ref(self, name: str, step: Step | None) -> None:
        """``{name}`` = the step's § section and evidence label (nothing when the chain lacks the step)."""

    def step(self, name: str, step: Step | None, kind: str) -> None:
        """``{name}`` = the step's result and ``{name}_ref`` = its reference, when the chain has the step."""

    def word(self, group: str, key: str) -> str:
        """``key`` translated from the language file's ``group`` (e.g. ``phases``), else ``key`` itself."""

    def support(self, key: str | None) -> None:
        """Use the template ``key`` as the supporting sentence; None: no supporting sentence."""

    def action(self, key: str) -> None:
        """Use the template ``key`` as the action sentence."""


# (result, draft) → the answer variant: its templates are "<recipe id>.<variant>.finding" and so on.
AnswerFunction = Callable[[RecipeResult, AnswerDraft], str]


@dataclass(frozen=True, eq=False)  # compared by identity, so the router can cache what it compiles from it
class AskSpec:
    """How ``taf ask`` recognises, fills and answers one recipe."""

    cues: Mapping[str, tuple[Cue, ...]] = field(default_factory=dict)  # language → cues
    signals: Mapping[Signal, float] = field(default_factory=dict)  # signal → weight added to the score
    readers: tuple[Reader, ...] = ()
    answer: AnswerFunction | None = None
    needs_theta: bool = False  # an architecture recipe: it needs a model (or an explicit θ) to compute
    size_param: str = "n_params"  # the parameter that takes a model size read from the question
    size_required: bool = False  # an unknown model named without a size is an error (not a default)
    default_size_note: bool = False  # the answer says so when the model size was a default
    announced_defaults: tuple[str, ...] = ()  # parameters whose default values are listed in `assumed`
    defaults_matter_with: str | None = None  # announce the defaults only when this input has a value
    fallback_rank: int | None = None  # rank among the suggestions offered when nothing matched (0 first)


def find_step(result: RecipeResult, name: str) -> Step | None:
    """The first step of the chain called ``name`` (or whose name starts with it)."""
    for step in result.chain:
        if step.name == name or step.name.startswith(name):
            return step
    return None


def step_value(step: Step | None, key: str | None = None) -> Any:
    """The step's result, or its entry ``key`` when the result is a dict (None when absent)."""
    if step is None:
        return None
    value = step.result
    if key is not None:
        return value.get(key) if isinstance(value, dict) else None
    return value
