"""The routed recipe's parameters, read from the question and converted to the recipe's units.

What a recipe reads is its own declaration (``AskSpec.readers``, applied in order); each reader here is
one way of turning recognised quantities into parameters, noting every conversion that is a convention.
Values are then coerced and range-checked with the registry's own :func:`coerce` before anything runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, get_args

from tafagent.core.ask.declared import get_declared
from tafagent.core.ask.lexicon import Entity
from tafagent.core.ask.quantities import Quantity, per_day, per_month
from tafagent.core.ask.reading import Note, Reading
from tafagent.core.errors import TafError
from tafagent.core.recipes.ask_spec import AskSpec, Reader
from tafagent.core.recipes.base import coerce


@dataclass
class _Filling:
    """The parameters being filled for one recipe, and what was noted on the way."""

    recipe_id: str
    reading: Reading
    model: str | None  # preset id or Hub id
    unknown: Entity | None  # an unknown model named when no known one was
    notes: list[Note]
    params: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


def assign(
    recipe_id: str, spec: AskSpec, r: Reading, model: str | None, notes: list[Note]
) -> tuple[dict[str, Any], str | None]:
    """The recipe's parameters read from the question, and why it cannot run (None when it can)."""
    fill = _Filling(recipe_id, r, model, r.unknown_models[0] if r.unknown_models and model is None else None, notes)
    if spec.needs_theta and model is None and not r.of("theta"):
        _no_architecture(fill)
    size = _size(r, fill.unknown, notes)
    if size is not None:
        fill.params[spec.size_param] = size
    elif spec.size_required and model is None and fill.unknown is not None and fill.error is None:
        fill.error = _unknown_model_error(fill.unknown)
    for reader in spec.readers:
        READERS[reader](fill)
    if r.apis and "api" not in spec.readers and fill.error is None and model is not None:
        notes.append(Note("api_not_input", {"api": r.apis[0].value, "recipe": recipe_id}))
    return fill.params, fill.error


def validate(recipe_id: str, params: dict[str, Any], error: str | None) -> tuple[dict[str, Any], str | None]:
    """Coerce and range-check every value with the registry's Param (a bad value is reported, not run)."""
    recipe = get_declared(recipe_id)
    clean: dict[str, Any] = {}
    for name, value in params.items():
        param = recipe.param(name)
        if param is None or param.unused:
            continue
        try:
            clean[param.name] = coerce(param, value, recipe_id)
        except TafError as exc:
            error = error or exc.one_line()
    return clean, error


def overflow_error(recipe_id: str, r: Reading) -> str | None:
    """A number too large to compute with ('1e400') is an error, never silently replaced by a default."""
    overflows = r.of("overflow")
    if not overflows:
        return None
    text = overflows[0].text.strip()
    shown = text if len(text) <= 40 else text[:32] + "…"
    return (
        f"the number '{shown}' in the question is too large to compute with — write it as an "
        f"ordinary figure within the parameter's range (`taf recipe --list` shows the ranges of {recipe_id})"
    )


# ---- the model ---------------------------------------------------------------------------------------
def _no_architecture(fill: _Filling) -> None:
    """An architecture recipe with no model and no θ: an error when a model was named, else a note."""
    r = fill.reading
    if fill.unknown is not None:
        fill.error = _unknown_model_error(fill.unknown)
    elif r.apis:
        fill.error = (
            f"'{r.apis[0].value}' is an API model whose architecture is not public, so {fill.recipe_id} cannot "
            "compute it — name an open model: a preset (see `taf presets`) or a Hub id (org/name)"
        )
    else:
        fill.notes.append(Note("no_model", {"recipe": fill.recipe_id}))


def _unknown_model_error(entity: Entity) -> str:
    hint = f"did you mean {', '.join(entity.suggestions)}? " if entity.suggestions else ""
    return (
        f"'{entity.text}' is not an embedded preset — {hint}name a preset (see `taf presets`) or give its Hub id "
        "(org/name) so its config can be loaded"
    )


def _size(r: Reading, unknown: Entity | None, notes: list[Note]) -> float | None:
    sizes = r.of("params")
    if sizes:
        return sizes[0].value
    if unknown is not None and unknown.size is not None:
        notes.append(Note("size_from_name", {"text": unknown.text, "value": unknown.size}))
        return unknown.size
    return None


def _unknown_model_architecture(fill: _Filling) -> None:
    if fill.model is None and fill.unknown is not None:
        fill.notes.append(Note("unknown_model_arch", {"text": fill.unknown.text}))


# ---- lengths and architecture ------------------------------------------------------------------------
def _length(fill: _Filling) -> None:
    """T_eval: the longest length written (or a bare "at 8192"), with notes on what was chosen."""
    value = _longest_length(fill)
    if value is not None:
        fill.params["T_eval"] = value


def _context(fill: _Filling) -> None:
    """context (memory, plan, launch): the same reading as T_eval."""
    value = _longest_length(fill)
    if value is not None:
        fill.params["context"] = value


def _longest_length(fill: _Filling) -> int | None:
    """The longest length written (or a bare "at 8192"), with notes on what was chosen."""
    r, notes = fill.reading, fill.notes
    lengths = r.of("length")
    if not lengths:
        bare = [q for q in r.of("bare") if q.hint == "at" and 256 <= q.value <= 2**34 and q.value == int(q.value)]
        if not bare:
            return None
        lengths = bare
        notes.append(Note("bare_length", {"text": bare[0].text, "value": int(bare[0].value)}))
    negative = [q for q in lengths if q.value < 0]
    # a negative length is refused by the recipe's own range check, never dropped in favour of a larger one
    chosen = negative[0] if negative else max(lengths, key=lambda q: q.value)
    if len({q.value for q in lengths}) > 1:
        notes.append(Note("several_lengths", {"value": int(chosen.value)}))
    if chosen.scaled:
        notes.append(Note("k_decimal", {"text": chosen.text, "value": round(chosen.value)}))
    return round(chosen.value)  # finite (extract() keeps overflows apart); the registry checks


def _copy_first(fill: _Filling, names: tuple[tuple[str, str], ...]) -> None:
    """params[name] = the first quantity of each kind, for (kind, name) pairs."""
    for kind, name in names:
        found = fill.reading.of(kind)
        if found:
            fill.params[name] = found[0].value


def _architecture(fill: _Filling) -> None:
    _copy_first(
        fill,
        (
            ("theta", "theta"),
            ("t_train", "T_train"),
            ("layers", "n_layers"),
            ("heads", "n_attention_heads"),
            ("kv_heads", "n_kv_heads"),
            ("d_head", "d_head"),
        ),
    )
    if fill.reading.of("swa") and fill.model is None:
        fill.params["has_SWA"] = True


def _kv_shape(fill: _Filling) -> None:
    _copy_first(fill, (("layers", "n_layers"), ("kv_heads", "n_kv_heads"), ("d_head", "d_head")))


# ---- hardware, APIs and money ------------------------------------------------------------------------
def _money(q: Quantity, notes: list[Note]) -> float:
    if q.currency is None:
        notes.append(Note("no_currency", {"value": q.value}))
    elif q.currency != "USD":
        notes.append(Note("fx", {"text": q.text, "value": q.value, "currency": q.currency}))
    return q.value


def _gpu(fill: _Filling) -> None:
    r, notes = fill.reading, fill.notes
    if r.gpus:
        fill.params["gpu"] = r.gpus[0].value
        if len({g.value for g in r.gpus}) > 1:
            notes.append(Note("several_gpus", {"gpu": r.gpus[0].value}))
    elif r.unknown_gpus:
        notes.append(Note("unknown_gpu", {"text": r.unknown_gpus[0].text}))
    counts = r.of("gpus")
    if counts:
        fill.params["n_gpus"] = int(counts[0].value)
    _copy_first(fill, (("mfu", "mfu"),))
    prices = r.of("gpu_price")
    if prices:
        fill.params["gpu_usd_per_hour"] = _money(prices[0], notes)


def _gpu_ranked(fill: _Filling) -> None:
    if fill.reading.gpus:
        fill.notes.append(Note("gpu_ranked", {"gpu": fill.reading.gpus[0].value}))


def _api(fill: _Filling) -> None:
    if fill.reading.apis:
        api = max(fill.reading.apis, key=lambda e: e.strength)
        fill.params["api_model"] = api.value
        if api.loose:
            fill.notes.append(Note("loose_api", {"text": api.text, "api": api.value}))


def _budget(fill: _Filling) -> None:
    money = fill.reading.of("money")
    budgets = [q for q in money if q.period is None] or money
    if budgets:
        fill.params["USD_budget"] = _money(budgets[0], fill.notes)
        if budgets[0].period is not None:
            fill.notes.append(Note("budget_period", {"text": budgets[0].text}))


def _money_not_input(fill: _Filling) -> None:
    money = fill.reading.of("money")
    if money:
        fill.notes.append(Note("money_not_input", {"text": money[0].text}))


# ---- token volumes, users, precisions -----------------------------------------------------------------
def _volume(r: Reading) -> Quantity | None:
    volumes = r.of("volume")
    if volumes:
        return volumes[0]
    counts = [q for q in r.of("tokens") if q.qualifier != "train"]
    counts += [q for q in r.of("bare") if q.scaled and q.value >= 1e6]
    return counts[0] if counts else None


def _monthly_volume(fill: _Filling) -> None:
    volume = _volume(fill.reading)
    if volume is None:
        return
    monthly_M = per_month(volume.value, volume.period or "month") / 1e6
    fill.params["monthly_tokens_M"] = monthly_M
    if volume.period is None:
        fill.notes.append(Note("no_period_month", {"text": volume.text}))
    elif volume.period != "month":
        fill.notes.append(Note("to_month", {"text": volume.text, "value": monthly_M}))


def _daily_volume(fill: _Filling, name: str = "target_tokens_per_day") -> None:
    volume = _volume(fill.reading)
    if volume is None:
        return
    daily = per_day(volume.value, volume.period or "day")
    fill.params[name] = daily
    if volume.period is None:
        fill.notes.append(Note("no_period_day", {"text": volume.text}))
    elif volume.period != "day":
        fill.notes.append(Note("to_day", {"text": volume.text, "value": daily}))


def _users(fill: _Filling) -> None:
    users = fill.reading.of("users")
    if users:
        fill.params["concurrent_users"] = int(users[0].value)
        if users[0].qualifier == "plain":
            fill.notes.append(Note("users_concurrent", {"value": int(users[0].value)}))


def _training_tokens(fill: _Filling) -> None:
    train = [q for q in fill.reading.of("tokens") if q.qualifier == "train"]
    if train:
        fill.params["D_tokens"] = train[0].value


def _training_tokens_or_billions(fill: _Filling) -> None:
    train = [q for q in fill.reading.of("tokens") if q.qualifier == "train" or q.value >= 1e9]
    if train:
        fill.params["D_tokens"] = train[0].value


def _batch(fill: _Filling) -> None:
    """batch: concurrent sequences, from a batch size or a number of users/requests."""
    found = fill.reading.of("batch") or fill.reading.of("users")
    if found:
        fill.params["batch"] = int(found[0].value)


def _gpu_fit(fill: _Filling) -> None:
    """gpu and tp for a fit question: the GPU named ("4090", "2x A100 80GB"), else the catalog's only GPU of the
    memory written ("my 24 GB card" → RTX 4090, noted)."""
    r, notes = fill.reading, fill.notes
    if r.gpus:
        fill.params["gpu"] = r.gpus[0].value
        counts = r.of("gpus")
        if counts:
            fill.params["tp"] = int(counts[0].value)
        return
    if r.unknown_gpus:
        notes.append(Note("unknown_gpu", {"text": r.unknown_gpus[0].text}))
        return
    memory = r.of("memory")
    if memory:
        from tafagent.core.catalogs import default_catalogs

        same = [g.name for g in default_catalogs().gpus if g.vram_GB == memory[0].value]
        if len(same) == 1:
            fill.params["gpu"] = same[0]
            notes.append(Note("card_by_memory", {"value": memory[0].value, "gpu": same[0]}))


def precision_dtype(text: str) -> str | None:
    """The dtype name a written precision means ("fp8 kv cache" → fp8, "4-bit" → int4, "q8_0" → q8_0)."""
    low = text.lower().replace(" ", "").replace("-", "")
    table = (
        ("q8", "q8_0"), ("q4", "q4_0"), ("nf4", "nf4"), ("awq", "awq"), ("gptq", "gptq"), ("fp8", "fp8"),
        ("float8", "fp8"), ("int8", "int8"), ("8bit", "int8"), ("int4", "int4"), ("4bit", "int4"),
        ("bf16", "bf16"), ("bfloat16", "bf16"), ("fp16", "fp16"), ("float16", "fp16"), ("half", "fp16"),
        ("fp32", "fp32"), ("float32", "fp32"), ("full", "fp32"),
    )  # fmt: skip
    return next((name for word, name in table if word in low), None)


def _kv_dtype(fill: _Filling) -> None:
    chosen = next((q for q in fill.reading.of("precision") if q.qualifier == "kv"), None)
    name = precision_dtype(chosen.text) if chosen is not None else None
    if name is not None:
        fill.params["kv_dtype"] = {"int4": "q4_0", "nf4": "q4_0"}.get(name, name)


def _weights_dtype(fill: _Filling) -> None:
    chosen = next((q for q in fill.reading.of("precision") if q.qualifier != "kv"), None)
    name = precision_dtype(chosen.text) if chosen is not None else None
    if name is not None:
        fill.params["weights_dtype"] = {"q4_0": "gguf-q4_0", "q8_0": "gguf-q8_0"}.get(name, name)


_SWEEP_WORDS = re.compile(
    r"sweep|cluster|clúster|clúster|many models|list of models|varios modelos|plusieurs|集群|批量|多个模型"
)
_PER_HEAD_WORDS = re.compile(r"per[- ]?head|gamma field|γ field|por cabeza|par tete|每个注意力头|每个头")


def _diagnose_scope(fill: _Filling) -> None:
    low = fill.reading.prepared.low
    if _SWEEP_WORDS.search(low):
        fill.params["scope"] = "sweep"
    elif _PER_HEAD_WORDS.search(low):
        fill.params["scope"] = "per_head"
    value = _longest_length(fill)
    if value is not None:
        fill.params["max_distance"] = value


def _concurrency(fill: _Filling) -> None:
    """concurrency (the planner): users or requests in flight, or a batch size."""
    found = fill.reading.of("users")
    if found:
        fill.params["concurrency"] = int(found[0].value)


def _latency(fill: _Filling) -> None:
    """max_ms_per_token: a per-token latency limit ("under 50 ms per token")."""
    found = [q for q in fill.reading.of("latency_ms") if q.qualifier != "first_token"]
    if found:
        fill.params["max_ms_per_token"] = found[0].value


def _gpu_plan(fill: _Filling) -> None:
    """gpu (the planner searches tensor-parallel sizes itself; a GPU count written is a note, not a constraint)."""
    r = fill.reading
    if r.gpus:
        fill.params["gpu"] = r.gpus[0].value
    elif r.unknown_gpus:
        fill.notes.append(Note("unknown_gpu", {"text": r.unknown_gpus[0].text}))


_ENGINE_WORDS = (
    ("ollama", re.compile(r"\boll?a?ma\b")),
    ("llama.cpp", re.compile(r"llama\.?cpp|llama-server|llama server|-ngl|\bngl\b|\bgguf\b")),
    ("sglang", re.compile(r"sglang")),
    ("vllm", re.compile(r"\bvl?lm\b|max-model-len|gpu-memory-utilization|tensor-parallel")),
)


def _engine(fill: _Filling) -> None:
    low = fill.reading.prepared.low
    engine = next((name for name, words in _ENGINE_WORDS if words.search(low)), None)
    if engine is not None:
        fill.params["engine"] = engine


_METHOD_WORDS = (
    ("longrope", re.compile(r"longrope|long rope")),
    ("llama3", re.compile(r"llama ?3[- ]style|llama3 rope|rope_type.{0,3}llama3")),
    ("yarn", re.compile(r"\byarn\b")),
    ("dynamic", re.compile(r"dynamic|ntk")),
    ("linear", re.compile(r"linear|lineal|lineaire|线性")),
)


def _extend_target(fill: _Filling) -> None:
    """to: the longest length written; method: the RoPE scaling method named, if any."""
    value = _longest_length(fill)
    if value is not None:
        fill.params["to"] = value
    low = fill.reading.prepared.low
    method = next((name for name, words in _METHOD_WORDS if words.search(low)), None)
    if method is not None:
        fill.params["method"] = method


def _compare_models(fill: _Filling) -> None:
    """models: the distinct embedded models named, in question order (two or three)."""
    named = list(dict.fromkeys(e.value for e in fill.reading.models if e.kind == "preset"))
    if named:
        fill.params["models"] = ",".join(named[:3])


# Words that say the training is a fine-tune (checked on the folded question: lower case, no accents).
_LORA_WORDS = re.compile(r"\b(?:q?lora|low[- ]rank adapt\w*)\b")
_FINETUNE_WORDS = re.compile(
    r"fine[- ]?tun\w*|\bsft\b|ajuste fino|afinar|afinamiento|affin\w*|reglage fin|ajustement fin|微调|精调"
)


def _training_mode(fill: _Filling) -> None:
    low = fill.reading.prepared.low
    if _LORA_WORDS.search(low):
        fill.params["training"] = "lora"
    elif _FINETUNE_WORDS.search(low):
        fill.params["training"] = "full_finetune"


def _first_precision(fill: _Filling, name: str, accept: Callable[[Quantity], bool]) -> None:
    chosen = next((q for q in fill.reading.of("precision") if accept(q)), None)
    if chosen is not None:
        fill.params[name] = chosen.value


def _kv_mass(fill: _Filling) -> None:
    r = fill.reading
    kv_mass = r.of("kv_mass") or [q for q in r.of("percent") if 0 < q.value <= 100]
    if kv_mass:
        value = kv_mass[0].value
        fill.params["kv_mass_fraction"] = value / 100.0 if value > 1 else value


# ---- γ values ----------------------------------------------------------------------------------------
def _gammas(r: Reading, *qualifiers: str | None) -> list[Quantity]:
    return [g for g in r.of("gamma") if g.qualifier in qualifiers]


def _gamma_obs(fill: _Filling) -> None:
    gammas = _gammas(fill.reading, None, "obs", "text")
    if gammas:
        fill.params["gamma_obs"] = gammas[0].value
    elif fill.reading.of("gamma"):
        fill.notes.append(Note("gamma_random_ignored", {"value": fill.reading.of("gamma")[0].value}))


def _gamma_random(fill: _Filling) -> None:
    randoms, plain = _gammas(fill.reading, "random"), _gammas(fill.reading, None, "obs")
    if randoms:
        fill.params["gamma_random_obs"] = randoms[0].value
    elif plain:
        fill.params["gamma_random_obs"] = plain[0].value
        fill.notes.append(Note("gamma_as_random", {"value": plain[0].value}))


def _gamma_pair(fill: _Filling) -> None:
    r = fill.reading
    texts, randoms = _gammas(r, "text"), _gammas(r, "random")
    if texts:
        fill.params["gamma_text"] = texts[0].value
    if randoms:
        fill.params["gamma_random"] = randoms[0].value
    if r.of("delta_gamma") and not (texts and randoms):
        fill.notes.append(Note("delta_needs_both", {"value": r.of("delta_gamma")[0].value}))
    plain = _gammas(r, None, "obs")
    if plain and not (texts and randoms):
        fill.notes.append(Note("gamma_unlabelled", {"value": plain[0].value}))


READERS: dict[Reader, Callable[[_Filling], None]] = {
    "unknown_model_architecture": _unknown_model_architecture,
    "length": _length,
    "architecture": _architecture,
    "kv_shape": _kv_shape,
    "gpu": _gpu,
    "gpu_ranked": _gpu_ranked,
    "api": _api,
    "monthly_volume": _monthly_volume,
    "daily_volume": _daily_volume,
    "users": _users,
    "budget": _budget,
    "money_not_input": _money_not_input,
    "training_tokens": _training_tokens,
    "training_tokens_or_billions": _training_tokens_or_billions,
    "training_mode": _training_mode,
    "context": _context,
    "batch": _batch,
    "gpu_fit": _gpu_fit,
    "kv_dtype": _kv_dtype,
    "weights_dtype": _weights_dtype,
    "diagnose_scope": _diagnose_scope,
    "compare_models": _compare_models,
    "extend_target": _extend_target,
    "daily_tokens": lambda fill: _daily_volume(fill, "tokens_per_day"),
    "concurrency": _concurrency,
    "latency": _latency,
    "gpu_plan": _gpu_plan,
    "engine": _engine,
    "weight_bytes": lambda fill: _first_precision(fill, "bytes_per_weight", lambda q: q.qualifier != "kv"),
    "weight_bytes_first": lambda fill: _first_precision(fill, "bytes_per_weight", lambda q: True),
    "kv_bytes": lambda fill: _first_precision(fill, "bytes_per_element", lambda q: q.qualifier == "kv"),
    "kv_mass": _kv_mass,
    "gamma_obs": _gamma_obs,
    "gamma_random": _gamma_random,
    "gamma_pair": _gamma_pair,
}
if set(READERS) != set(get_args(Reader)):  # one reader per name that ask_spec.Reader lists
    raise RuntimeError("ask/parameters.py READERS and recipes/ask_spec.py Reader disagree")
