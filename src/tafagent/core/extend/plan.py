"""``taf extend MODEL --to L``: the RoPE scaling that stretches a model to L tokens, and what it costs and risks.

The factor is s = L / T_base, where T_base is the length the model's RoPE frequencies were trained at: its
trained length (:mod:`tafagent.core.spec.context_facts`), or ``original_max_position_embeddings`` when the model
already carries a scaling rule (the new block replaces it). The plan holds the config block for transformers
(and its legacy form), the vLLM and llama.cpp flags, the batch-1 memory at L (weights + KV, exact for the KV),
X-2's verdict at L on the patched spec, and what the literature measured for the method with and without
fine-tuning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from tafagent.core.audit import RecipeResult
from tafagent.core.errors import UsageError
from tafagent.core.evidence import Evidence, EvidenceNote
from tafagent.core.extend.blocks import (
    EngineCommand,
    RopeBlock,
    llama_cpp_command,
    llama_cpp_gap,
    rope_block,
    vllm_command,
)
from tafagent.core.extend.literature import MethodLiterature, largest_documented_factor, method_literature
from tafagent.core.memory.kv import kv_plan
from tafagent.core.memory.weights import weights_bytes
from tafagent.core.messages import Msg
from tafagent.core.recipes.registry import run_recipe
from tafagent.core.spec.context_facts import ContextFacts, context_facts
from tafagent.core.spec.context_lengths import FINGERPRINT_KEYS
from tafagent.core.spec.fields_positions import table_trained_length
from tafagent.core.spec.limits import MAX_POSITIONS
from tafagent.core.spec.model_spec import FieldSource, ModelSpec, RopeScaling

METHODS = ("yarn", "linear", "dynamic", "longrope", "llama3")
MEMORY_ENGINE = "vllm"
# Context lengths are written in binary thousands: 32k = 32,768 tokens, 1M = 1,048,576.
_TOKEN_SUFFIX = {"": 1, "k": 1024, "m": 1024**2}


def parse_context_tokens(text: str) -> int:
    """'32k' → 32,768, '128K' → 131,072, '1M' → 1,048,576, '40960' → 40,960 (k = 1024: context lengths are
    powers of two); UsageError for anything else."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*", text.replace(",", "").replace("_", ""))
    if not match:
        raise UsageError(f"not a context length: {text!r}", "write it like 32768, 32k or 1M (k = 1,024 tokens)")
    value = float(match.group(1)) * _TOKEN_SUFFIX[match.group(2).lower()]
    if value != int(value) or not 1 <= value <= MAX_POSITIONS:
        raise UsageError(f"not a whole number of tokens up to {MAX_POSITIONS:,}: {text!r}", "e.g. --to 32k")
    return int(value)


@dataclass(frozen=True)
class ExtensionPlan:
    """Everything ``taf extend`` shows for one model, method and target length."""

    model_id: str
    block: RopeBlock
    base_source: str
    vllm: EngineCommand
    llama_cpp: EngineCommand | None
    llama_cpp_note: str | None
    memory: dict[str, Any]
    x2_before: dict[str, Any]
    x2_after: dict[str, Any]
    facts_before: ContextFacts
    facts_after: ContextFacts
    literature: MethodLiterature
    notes: tuple[str, ...]
    # for other languages (not in to_dict): the notes as messages, X-2's results before and after
    note_msgs: tuple[Msg, ...] = field(default=(), compare=False)
    x2_results: tuple[RecipeResult, ...] = field(default=(), compare=False)

    def note_texts(self, lang: str = "en") -> list[str]:
        """The notes in ``lang``."""
        return [m.text(lang) for m in self.note_msgs] if self.note_msgs else list(self.notes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "model_id": self.model_id,
            "method": self.block.method,
            "target_tokens": self.block.target_tokens,
            "base_tokens": self.block.base_tokens,
            "base_source": self.base_source,
            "factor": self.block.factor,
            "transformers": self.block.to_dict(),
            "vllm": self.vllm.to_dict(),
            "llama_cpp": self.llama_cpp.to_dict() if self.llama_cpp else None,
            "llama_cpp_note": self.llama_cpp_note,
            "memory": dict(self.memory),
            "x2_without_extension": dict(self.x2_before),
            "x2": dict(self.x2_after),
            "x2_assumes": "the patched config, not fine-tuned: an extension no model card documents reads as "
            "degradation past the trained length; x2_without_extension is the original config at that length",
            "context_before": self.facts_before.to_dict(),
            "context_after": self.facts_after.to_dict(),
            "literature": self.literature.to_dict(),
            "notes": list(self.notes),
        }


def plan_extension(spec: ModelSpec, target_tokens: int, method: str = "yarn") -> ExtensionPlan:
    """The extension of ``spec`` to ``target_tokens`` with ``method`` (UsageError for what cannot be done)."""
    facts = context_facts(spec)
    base, base_source = _check_request(spec, facts, target_tokens, method)
    block = rope_block(spec, method, base, target_tokens)
    patched = extended_spec(spec, block)
    literature = method_literature(method)
    before, after = (run_recipe("X-2", {"T_eval": target_tokens}, model=s) for s in (spec, patched))
    note_msgs = _notes(spec, facts, block, literature)
    return ExtensionPlan(
        model_id=spec.model_id,
        block=block,
        base_source=base_source,
        vllm=vllm_command(spec.model_id, block),
        llama_cpp=llama_cpp_command(block),
        llama_cpp_note=None if llama_cpp_command(block) else llama_cpp_gap(method),
        memory=_memory(spec, patched, base, target_tokens),
        x2_before=_x2(before),
        x2_after=_x2(after),
        facts_before=facts,
        facts_after=context_facts(patched),
        literature=literature,
        notes=tuple(m.text() for m in note_msgs),
        note_msgs=note_msgs,
        x2_results=(before, after),
    )


def _check_request(spec: ModelSpec, facts: ContextFacts, target: int, method: str) -> tuple[int, str]:
    """(T_base, its source), or one UsageError naming what is wrong and the fix."""
    name = spec.model_id
    if method not in METHODS:
        raise UsageError(f"unknown extension method {method!r}", f"use one of {', '.join(METHODS)}")
    if spec.rope_theta is None:
        raise UsageError(
            f"{name} has no RoPE ({spec.family}): RoPE scaling cannot extend it",
            "ALiBi, learned-position and state-space models need another method; see `taf spec`",
        )
    if spec.model_type == "phi3":
        raise UsageError(
            f"{name} is a Phi-3 model: transformers' Phi3Config turns any rope scaling into longrope, which needs "
            "per-dimension short_factor/long_factor lists",
            "use a Phi-3 release trained long (e.g. microsoft/Phi-3-mini-128k-instruct) instead of extending this one",
        )
    if method == "longrope":
        raise UsageError(
            "longrope needs per-dimension short_factor/long_factor lists found by LongRoPE's search for this model "
            "(Ding et al. 2024, arXiv:2402.13753); tafagent cannot make them",
            "use --method yarn",
        )
    base, base_source = _base_tokens(spec, facts)
    if target <= (facts.trained_tokens or base):
        trained = facts.trained_tokens or base
        raise UsageError(
            f"--to {target:,} is at or below the trained length {trained:,} of {name}: nothing to extend",
            f"serve it as it is with --max-model-len {target}",
        )
    if spec.rope_scaling is not None and facts.extended_tokens and target <= facts.extended_tokens:
        raise UsageError(
            f"{name} already reaches {facts.extended_tokens:,} tokens with its rope_scaling "
            f"({spec.rope_scaling.type}): nothing to add for --to {target:,}",
            f"serve it with --max-model-len {target}",
        )
    ceiling, ceiling_method, source = largest_documented_factor()
    if target / base > ceiling:
        raise UsageError(
            f"factor {target / base:g} ({target:,} / {base:,}) is beyond what any RoPE method documents "
            f"(at most {ceiling:g}: {ceiling_method}, {source})",
            f"choose --to {int(base * ceiling):,} or less",
        )
    return base, base_source


def _base_tokens(spec: ModelSpec, facts: ContextFacts) -> tuple[int, str]:
    """The length the RoPE frequencies were trained at: the pre-scaling length, else the trained length."""
    scaling = spec.rope_scaling
    if scaling is not None and scaling.original_max_position_embeddings:
        why = f"rope_scaling.original_max_position_embeddings (the new block replaces the model's {scaling.type})"
        return scaling.original_max_position_embeddings, why
    if facts.trained_tokens is None:
        raise UsageError(
            f"the trained length of {spec.model_id} is unknown (its config states no max positions)",
            "pass a config.json with max_position_embeddings",
        )
    return facts.trained_tokens, f"trained length: {facts.trained_source}"


def extended_spec(spec: ModelSpec, block: RopeBlock) -> ModelSpec:
    """``spec`` as the patched config.json resolves: the new rope_scaling, and T_train from the new max positions
    (the trained-length table still applies when it knows the model with that claim, as in resolution)."""
    claimed = block.max_position_embeddings
    values = {key: getattr(spec, key) for key in FINGERPRINT_KEYS}
    found = table_trained_length(spec.model_id, values, claimed)
    note = "max positions set by `taf extend`"
    T_train, source = (
        found
        if found is not None and found[0] != claimed
        else (claimed, FieldSource("config", "max_position_embeddings", note))
    )
    extra = {
        k: v
        for k, v in block.rope_scaling.items()
        if k not in ("rope_type", "factor", "original_max_position_embeddings")
    }
    original = block.base_tokens if block.method in ("yarn", "llama3") else None
    scaling = RopeScaling(block.method, block.factor, original, extra)
    sources = dict(spec.sources)
    sources["T_train"] = source
    sources["rope_scaling"] = FieldSource("config", "rope_parameters", "set by `taf extend`")
    return replace(spec, rope_scaling=scaling, T_train=T_train, sources=sources)


def _memory(spec: ModelSpec, patched: ModelSpec, base: int, target: int) -> dict[str, Any]:
    """Batch-1 bytes at the target: weights + the KV cache of one sequence (vLLM paging), against the base length."""
    weights = weights_bytes(spec)
    plan = kv_plan(patched, MEMORY_ENGINE, "auto")
    kv_target = plan.bytes_per_sequence(target)
    kv_base = plan.bytes_per_sequence(base)
    return {
        "batch": 1,
        "engine": MEMORY_ENGINE,
        "weights_bytes": weights.n_bytes,
        "weights_format": weights.format,
        "weights_evidence": weights.evidence.to_dict(),
        "kv_bytes": kv_target,
        "kv_bytes_at_base": kv_base,
        "kv_dtype": plan.kv_dtype,
        "total_bytes": weights.n_bytes + kv_target,
        "kv_evidence": EvidenceNote(Evidence.EXACT, "2·n_kv·d_head·bytes per token per layer, engine paging").to_dict(),
        "excludes": "activations and engine overhead (see `taf memory MODEL --context L`)",
    }


def _x2(result: RecipeResult) -> dict[str, Any]:
    """X-2's verdict at the target length (its own evidence and confidence)."""
    return {
        "verdict": result.verdict,
        "reason": result.reason,
        "mitigation": result.mitigation,
        "caveats": list(result.caveats),
        "confidence": result.to_dict().get("confidence"),
    }


def _notes(spec: ModelSpec, facts: ContextFacts, block: RopeBlock, literature: MethodLiterature) -> tuple[Msg, ...]:
    """What the user must know before serving the patched config."""
    method = block.method
    notes = [
        Msg("serving.extend.note.keys", max_positions=block.max_position_embeddings),
        Msg("serving.extend.note.quality", target=block.target_tokens, text=literature_msg(method, "fine_tuning")),
        Msg("serving.extend.note.untuned", text=literature_msg(method, "without_fine_tuning")),
    ]
    documented = literature.max_documented_factor
    if documented is not None and block.factor > documented:
        notes.append(
            Msg(
                "serving.extend.note.beyond",
                factor=f"{block.factor:g}",
                method=method,
                documented=f"{documented:g}",
                source=literature.max_factor_source,
            )
        )
    if method == "dynamic":
        notes.append(Msg("serving.extend.note.dynamic", base=block.base_tokens))
    if spec.rope_scaling is not None:
        notes.append(
            Msg("serving.extend.note.replaces", type=spec.rope_scaling.type, factor=str(spec.rope_scaling.factor))
        )
    if facts.sliding_window_tokens is not None:
        notes.append(Msg("serving.extend.note.window", window=facts.sliding_window_tokens))
    if block.yarn_attention_factor is not None:
        notes.append(
            Msg("serving.extend.note.temperature", factor=f"{block.factor:g}", value=block.yarn_attention_factor)
        )
    return tuple(notes)


def literature_msg(method: str, field_name: str) -> Msg:
    """A method's literature note (``fine_tuning``, ``without_fine_tuning``) as a message: the data file's English
    text, translated in the catalogs (``serving.lit.<method>.<field>``; a test keeps the English equal)."""
    return Msg(f"serving.lit.{method}.{field_name}")
