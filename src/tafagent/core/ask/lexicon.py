"""What the router recognises by name: models (presets, Hub ids, loose forms, typos), GPUs and APIs.
(The words that point at each recipe are the recipes' own: ``AskSpec.cues``, scored by ``ask/intent.py``.)

Model names are matched on runs of word tokens joined without separators (``Llama3-8B``, ``llama 3 8b``
and ``Meta-Llama-3-8B`` all give ``llama38b``), so spelling variants need no list. A typo is accepted
only when the digits agree exactly and the letters are close (``lama 3 8b`` → Meta-Llama-3-8B, never
``falcon 40b`` → falcon-7b). GPU and API names come from the catalogs in use, plus a few loose forms
(``Claude 3.5 Sonnet`` → the catalog's Claude-Sonnet-4) that are always reported as assumptions.
"""

from __future__ import annotations

import difflib
import itertools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Literal, TypeVar

from tafagent.core.ask.text import overlaps as _overlaps
from tafagent.core.catalogs import Catalogs
from tafagent.core.spec.presets import find_preset, list_presets

_T = TypeVar("_T")
_Token = tuple[str, int, int]  # (text, start, end) in the folded question

EntityKind = Literal["preset", "hub", "gpu", "api", "unknown_model", "unknown_gpu"]


@dataclass(frozen=True)
class Entity:
    """A name recognised in the question."""

    kind: EntityKind
    value: str  # preset id, Hub id, catalog GPU/API name, or the raw text for unknown names
    span: tuple[int, int]
    text: str  # as written in the question
    loose: bool = False  # matched through a typo, a family name or a loose alias: reported in `assumed`
    size: float | None = None  # parameter count read from an unknown model's name ("falcon 40b" → 4e10)
    suggestions: tuple[str, ...] = field(default=())
    strength: float = 1.0  # how surely an API was named: scales the `api` signal ("sonnet" alone is weak)
    chosen_from: tuple[str, ...] = ()  # a family + size read as its newest preset: the other presets it could be


def key(text: str) -> str:
    """Separator-free lower-case key (``Meta-Llama-3.1-8B`` → ``metallama318b``)."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


_TOKEN = re.compile(r"[a-z0-9]+(?:\.[a-z0-9]+)*")
_SIZE_TOKEN = re.compile(r"^(\d+(?:\.\d+)?)([bm])$")
_MOE_TOKEN = re.compile(r"^\d+x\d+(?:\.\d+)?b$")
HUB_ID = re.compile(r"(?<![\w./-])([A-Za-z0-9][\w.-]{0,95})/([A-Za-z0-9][\w.-]{0,95})(?![\w/])")
_UNIT_WORDS = {
    "day", "d", "month", "mo", "year", "yr", "h", "hr", "hour", "s", "sec", "second", "mtok", "tok", "token",
    "tokens", "week", "dia", "mes", "jour", "mois", "an", "hora", "heure", "gpu", "gpus", "user", "request",
    "m", "k", "b", "million", "mtokens", "1m", "output", "input", "hard", "soft", "text", "random",
}  # fmt: skip

# Families that name open models; a family word followed by a size is a model mention even when it is
# not a preset (so it can be reported instead of silently ignored).
MODEL_FAMILIES = (
    "llama", "codellama", "tinyllama", "mistral", "mixtral", "qwen", "gemma", "phi", "pythia", "gpt", "falcon",
    "bloom", "mamba", "deepseek", "olmo", "yi", "baichuan", "internlm", "chatglm", "glm", "starcoder", "smollm",
    "opt", "gptj", "neox", "mpt", "stablelm", "jamba", "granite", "solar", "vicuna", "zephyr", "nemotron", "dbrx",
    "minicpm", "exaone", "aya", "command", "codestral", "ministral", "nemo", "llava", "cerebras", "persimmon",
)  # fmt: skip
# A bare family word naming exactly one embedded preset.
FAMILY_DEFAULT = {
    "mistral": "mistralai/Mistral-7B-v0.1",
    "mixtral": "mistralai/Mixtral-8x7B-v0.1",
    "falcon": "tiiuae/falcon-7b",
    "mamba": "state-spaces/mamba-2.8b-hf",
    "bloom": "bigscience/bloom-560m",
    "phi3": "microsoft/Phi-3-mini-4k-instruct",
    "nemo": "mistralai/Mistral-Nemo-Base-2407",
    "mistralnemo": "mistralai/Mistral-Nemo-Base-2407",
}
_AMBIGUOUS_FAMILIES = ("llama", "llama3", "llama31", "llama32", "qwen", "qwen25", "gemma", "gemma2", "pythia", "qwen2")


@cache
def _preset_keys() -> dict[str, str]:
    keys: dict[str, str] = {}
    for preset in list_presets():
        for name in (preset.label, *preset.aliases):
            keys.setdefault(key(name), preset.model_id)
    return keys


@cache
def _preset_keys_by_digits() -> dict[str, tuple[str, ...]]:
    grouped: dict[str, list[str]] = {}
    for k in _preset_keys():
        grouped.setdefault(re.sub(r"\D", "", k), []).append(k)
    return {d: tuple(v) for d, v in grouped.items()}


@cache
def _family_members(family: str) -> tuple[str, ...]:
    members = []
    for preset in list_presets():
        if key(preset.label).startswith(family) or any(key(a).startswith(family) for a in preset.aliases):
            members.append(preset.aliases[0] if preset.aliases else preset.model_id)
    return tuple(members)


def _tokens(low: str) -> list[_Token]:
    return [(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(low)]


def _scan(
    low: str, taken: list[tuple[int, int]], widest: int, name_of: Callable[[list[_Token]], _T | None]
) -> list[tuple[tuple[int, int], _T]]:
    """Greedy longest match, left to right: at each free token, the widest run of up to ``widest``
    contiguous tokens that ``name_of`` recognises is taken as one name, and the scan resumes after it."""
    tokens = [t for t in _tokens(low) if not _overlaps((t[1], t[2]), taken)]
    found: list[tuple[tuple[int, int], _T]] = []
    i = 0
    while i < len(tokens):
        for width in range(min(widest, len(tokens) - i), 0, -1):
            run = tokens[i : i + width]
            if not _contiguous(low, run):
                continue
            value = name_of(run)
            if value is not None:
                found.append(((tokens[i][1], tokens[i + width - 1][2]), value))
                i += width
                break
        else:
            i += 1
    return found


def find_hub_ids(text: str, taken: list[tuple[int, int]]) -> list[Entity]:
    """``org/name`` Hub ids; a preset's Hub id resolves to the preset. Units (``tokens/day``) are skipped."""
    found = []
    for match in HUB_ID.finditer(text):
        org, name = match.group(1), match.group(2)
        span = (match.start(), match.end())
        if _overlaps(span, taken):
            continue
        preset = find_preset(f"{org}/{name}")
        if preset is not None:
            found.append(Entity("preset", preset.model_id, span, match.group(0)))
            continue
        name_low, org_low = name.lower().rstrip("."), org.lower()
        if name_low in _UNIT_WORDS or org_low in _UNIT_WORDS or re.fullmatch(r"[\d.,]+[kmbt]?", org_low):
            continue
        if not (re.search(r"\d", name_low) or "-" in name_low) or not re.search(r"[a-z]", name_low):
            continue
        if key(org_low) in gpu_keys_default() or key(name_low) in gpu_keys_default():
            continue
        found.append(Entity("hub", f"{org}/{name.rstrip('.')}", span, match.group(0)))
    return found


def _size_value(token: str) -> float | None:
    match = _SIZE_TOKEN.match(token)
    if match:
        return float(match.group(1)) * (1e9 if match.group(2) == "b" else 1e6)
    return None


def find_presets(low: str, taken: list[tuple[int, int]]) -> list[Entity]:
    """Exact preset mentions: the longest run of tokens whose joined key is a preset id, label or alias."""
    keys = _preset_keys()

    def model_id(run: list[_Token]) -> str | None:
        if not re.search(r"[a-z]", run[0][0]):
            return None  # a name starts with a letter
        return keys.get(key("".join(t[0] for t in run)))

    return [Entity("preset", value, span, low[span[0] : span[1]]) for span, value in _scan(low, taken, 6, model_id)]


def find_model_mentions(low: str, taken: list[tuple[int, int]]) -> list[Entity]:
    """Typos of presets (``lama 3 8b``), bare family names (``Mistral``) and unknown ``family + size`` models."""
    tokens = [t for t in _tokens(low) if not _overlaps((t[1], t[2]), taken)]
    used: set[int] = set()  # indexes of the tokens already part of a name (each pass skips them)
    found = _sized_mentions(low, tokens, used)
    found += _unitless_sizes(low, tokens, used)
    found += _family_words(low, tokens, used)
    found.sort(key=lambda e: e.span)
    return found


def _sized_mentions(low: str, tokens: list[_Token], used: set[int]) -> list[Entity]:
    """Runs ending with a size token: a typo of a preset, else an unknown model when it starts with a family."""
    found: list[Entity] = []
    for j, (tok, _start, _end) in enumerate(tokens):
        tail = re.sub(r"^[a-z]+", "", tok)
        if j in used or not (_SIZE_TOKEN.match(tail) or _MOE_TOKEN.match(tail)):
            continue
        hit = _sized_run(low, tokens, j, used)
        if hit is None:
            continue
        i, model_id, joined = hit
        last = j
        while last + 1 < len(tokens) and last + 1 not in used and tokens[last + 1][0] in _VARIANTS:
            if not _contiguous(low, tokens[last : last + 2]) or not _variant_belongs(joined, tokens[last + 1][0]):
                break
            last += 1  # "llama 3 8b instruct": the variant word belongs to the name
        span = (tokens[i][1], tokens[last][2])
        text = low[span[0] : span[1]]
        written = [t[0] for t in tokens[i:j]] + [tok[: len(tok) - len(tail)]]
        newest = _newest_of_family_size(written, tail) if model_id is None else None
        if model_id is not None:
            found.append(Entity("preset", model_id, span, text, loose=True))
        elif newest is not None:
            found.append(Entity("preset", newest[0], span, text, loose=True, chosen_from=newest[1]))
        else:
            size = _size_value(tail) if _SIZE_TOKEN.match(tail) else None
            found.append(Entity("unknown_model", text, span, text, size=size, suggestions=tuple(_suggest(joined))))
        used.update(range(i, last + 1))
    return found


def _sized_run(low: str, tokens: list[_Token], j: int, used: set[int]) -> tuple[int, str | None, str] | None:
    """(first token, preset id or None, joined key) of a name ending at token ``j``: the longest run (up to four
    tokens) that is a typo of a preset, else the longest that starts with a family word."""
    hit: tuple[int, str | None, str] | None = None
    for i in range(max(0, j - 3), j + 1):
        if any(k in used for k in range(i, j + 1)) or not re.match(r"[a-z]", tokens[i][0]):
            continue
        run = tokens[i : j + 1]
        if not _contiguous(low, run) or not all(_VERSIONISH.match(t[0]) for t in run[1:-1]):
            continue
        joined = key("".join(t[0] for t in run))
        typo = _typo_match(joined)
        if typo is not None:
            return i, typo, joined
        if hit is None and _family_of(tokens[i][0]) is not None:
            hit = (i, None, joined)
    return hit


@cache
def _release_dates() -> dict[str, str]:
    text = resources.files("tafagent.core").joinpath("data/model_releases.json").read_text(encoding="utf-8")
    releases: dict[str, str] = json.loads(text)["releases"]
    return releases


def _newest_of_family_size(written: list[str], size_token: str) -> tuple[str, tuple[str, ...]] | None:
    """'llama' + '70b' → (the newest Llama preset whose name has the size 70b, the other candidates).

    People write a family and a size ("Llama-70B", "Qwen 7B") and mean the current model of that size: the
    newest release wins (``data/model_releases.json``), a base model before its instruct/chat twin of the same
    date. A version written between them must match exactly ("Llama 3 70B" is not Llama 3.3). The answer
    reports the choice and the alternatives (router note ``family_model``).
    """
    family = _family_of(written[0]) if written else None
    if family is None or not _SIZE_TOKEN.match(size_token):
        return None
    version = _version_of(written, family)
    dates = _release_dates()
    candidates = []
    for preset in list_presets():
        words = re.split(r"[-_/]", preset.model_id.split("/")[-1].lower())
        if size_token not in words or not any(word.startswith(family) for word in words):
            continue
        name_words = words[next(k for k, w in enumerate(words) if w.startswith(family)) : words.index(size_token)]
        if version and _version_of(name_words, family) != version:
            continue
        candidates.append(preset.model_id)
    if not candidates:
        return None
    tuned = re.compile(r"-(?:it|instruct|chat)$", re.IGNORECASE)
    ranked = sorted(candidates, key=lambda m: (dates.get(m, ""), not tuned.search(m)), reverse=True)
    return ranked[0], tuple(ranked[1:])


def _version_of(words: list[str], family: str) -> str:
    """The version written in a name's words before its size: 'qwen2.5' → '2.5', ['llama', '3'] → '3'."""
    first = words[0][len(family) :] if words and words[0].startswith(family) else ""
    return ".".join(part for part in [first, *words[1:]] if part and re.fullmatch(r"v?\d+(?:\.\d+)*", part))


def _unitless_sizes(low: str, tokens: list[_Token], used: set[int]) -> list[Entity]:
    """A family name with its size written without the unit ("Llama-3-8" → llama38b)."""
    keys = _preset_keys()
    found: list[Entity] = []
    for i, (tok, start, _end) in enumerate(tokens):
        if i in used or _family_of(tok) is None:
            continue
        for j in range(min(i + 3, len(tokens) - 1), i, -1):
            run = tokens[i : j + 1]
            if any(k in used for k in range(i, j + 1)) or not run[-1][0].isdigit() or not _contiguous(low, run):
                continue
            joined = key("".join(t[0] for t in run)) + "b"
            if joined in keys:
                span = (start, run[-1][2])
                found.append(Entity("preset", keys[joined], span, low[span[0] : span[1]], loose=True))
                used.update(range(i, j + 1))
                break
    return found


def _family_words(low: str, tokens: list[_Token], used: set[int]) -> list[Entity]:
    """Bare family names: one embedded preset (``Mistral``), or a family of several (``Llama 3``, unknown)."""
    found: list[Entity] = []
    for i, (tok, start, end) in enumerate(tokens):
        if i in used:
            continue
        pair = key(tok + tokens[i + 1][0]) if i + 1 < len(tokens) and i + 1 not in used else None
        pair_ok = pair is not None and _contiguous(low, tokens[i : i + 2])
        if pair_ok and pair in FAMILY_DEFAULT:
            span = (start, tokens[i + 1][2])
            found.append(Entity("preset", FAMILY_DEFAULT[pair], span, low[span[0] : span[1]], loose=True))
            used.update((i, i + 1))
        elif key(tok) in FAMILY_DEFAULT:
            found.append(Entity("preset", FAMILY_DEFAULT[key(tok)], (start, end), tok, loose=True))
            used.add(i)
        elif pair_ok and pair in _AMBIGUOUS_FAMILIES:
            span = (start, tokens[i + 1][2])
            text = low[span[0] : span[1]]
            members = _family_members(re.sub(r"\d+$", "", pair or ""))
            found.append(Entity("unknown_model", text, span, text, suggestions=members[:4]))
            used.update((i, i + 1))
        elif key(tok) in _AMBIGUOUS_FAMILIES:
            members = _family_members(re.sub(r"\d+$", "", key(tok)))
            found.append(Entity("unknown_model", tok, (start, end), tok, suggestions=members[:4]))
            used.add(i)
    return found


# a single letter may be a version ("phi 3 v") but not the article or preposition of a sentence ("mixtral a 20M
# tokens": Spanish "a", French "à" once accents are folded, "y", "e", "o")
_VERSIONISH = re.compile(
    r"^(?:v?\d+(?:\.\d+)*[a-z]?|(?![aeoy]$)[a-z]\d*|neox|mini|small|medium|large|xl|base|chat|instruct|coder|nemo)$"
)
_VARIANTS = {"instruct", "chat", "it", "base", "hf", "v0.1", "v0.2", "v0.3", "v1", "v2", "v3", "4k", "128k", "32k"}


def _variant_belongs(joined: str, variant: str) -> bool:
    """A context-length variant ("4k", "128k") is part of the name only when a preset is named so
    ("phi 3 mini 4k"); otherwise it is the question's length ("llama 8b 32k retrieval")."""
    return not re.fullmatch(r"\d+k", variant) or any(k.startswith(joined + variant) for k in _preset_keys())


def _contiguous(low: str, run: list[_Token]) -> bool:
    """Tokens separated only by separators (space, '-', '_', ':', '/'), so a name never spans a sentence."""
    return all(re.fullmatch(r"[\s\-_:/]{0,2}", low[a[2] : b[1]]) for a, b in itertools.pairwise(run))


def _family_of(token: str) -> str | None:
    letters = re.match(r"[a-z]+", token)
    if not letters:
        return None
    word = letters.group(0)
    return word if word in MODEL_FAMILIES else None


def _typo_match(joined: str) -> str | None:
    """A preset whose key has the same digits and letters at least 84 % alike (difflib ratio)."""
    digits = re.sub(r"\D", "", joined)
    keys = _preset_keys()
    best, best_ratio = None, 0.0
    for candidate in _preset_keys_by_digits().get(digits, ()):
        ratio = difflib.SequenceMatcher(None, joined, candidate).ratio()
        if ratio > best_ratio:
            best, best_ratio = candidate, ratio
    if best is not None and best_ratio >= 0.84:
        return keys[best]
    return None


def _suggest(joined: str) -> list[str]:
    keys = _preset_keys()
    close = difflib.get_close_matches(joined, list(keys), n=6, cutoff=0.6)
    out: list[str] = []
    for k in close:
        preset = find_preset(keys[k])
        if preset is None:
            continue
        shown = preset.aliases[0] if preset.aliases else preset.model_id
        if shown not in out:
            out.append(shown)
    return out[:3]


# ---- GPUs and APIs ---------------------------------------------------------------------------------
_GPU_EXTRA = {
    "h10080gb": "H100 SXM", "a10080g": "A100 80GB", "a10040g": "A100 40GB", "mi300": "MI300X",
    # French writes gigabytes "Go"
    "a10040go": "A100 40GB", "a10080go": "A100 80GB", "h10080go": "H100 SXM",
}  # fmt: skip
_UNKNOWN_GPU = re.compile(
    r"(?<![a-z0-9])(v100|t4|l4|a10g?|a6000|a40|a30|(?:rtx\s?)?(?:3090|3080|4080|6000)|h800|h20|gh200|mi250x?|mi325x|"
    r"tpu(?:\s?v\d+)?|l20|gaudi\s?\d?)s?(?![a-z0-9])"
)
# Loose API names: (key, catalog name, strength). Strength < 1 for single common words.
_API_LOOSE = (
    ("chatgpt", "GPT-4o", 0.6),
    ("openai", "GPT-4o", 0.6),
    ("gpt4", "GPT-4o", 0.8),
    ("gpt4turbo", "GPT-4o", 0.8),
    ("claude", "Claude-Sonnet-4", 0.6),
    ("anthropic", "Claude-Sonnet-4", 0.6),
    ("sonnet", "Claude-Sonnet-4", 0.5),
    ("opus", "Claude-Opus-4", 0.5),
    ("haiku", "Claude-Haiku-4", 0.5),
    ("claude35sonnet", "Claude-Sonnet-4", 1.0),
    ("claude37sonnet", "Claude-Sonnet-4", 1.0),
    ("claude3opus", "Claude-Opus-4", 1.0),
    ("claude3haiku", "Claude-Haiku-4", 1.0),
    ("geminipro", "Gemini-1.5-Pro", 0.8),
    ("gemini15", "Gemini-1.5-Pro", 1.0),
    ("deepseekchat", "DeepSeek-V3", 1.0),
    ("togetherai", "Llama-3.3-70B (Together)", 1.0),
)


@cache
def gpu_keys_default() -> frozenset[str]:
    from tafagent.core.catalogs import default_catalogs

    return frozenset(_gpu_keys(default_catalogs()))


@cache
def _gpu_keys(catalogs: Catalogs) -> dict[str, str]:
    keys: dict[str, str] = {}
    for gpu in catalogs.gpus:
        for name in (gpu.name, *gpu.aliases):
            keys.setdefault(key(name), gpu.name)
    for k, name in _GPU_EXTRA.items():
        if any(g.name == name for g in catalogs.gpus):
            keys.setdefault(k, name)
    return keys


@cache
def _api_keys(catalogs: Catalogs) -> dict[str, tuple[str, bool, float]]:
    keys: dict[str, tuple[str, bool, float]] = {}
    for api in catalogs.apis:
        for name in (api.name, *api.aliases):
            keys.setdefault(key(name), (api.name, False, 1.0))
    for k, name, strength in _API_LOOSE:
        if any(a.name == name for a in catalogs.apis):
            keys.setdefault(k, (name, True, strength))
    return keys


def find_gpus(low: str, taken: list[tuple[int, int]], catalogs: Catalogs) -> list[Entity]:
    keys = _gpu_keys(catalogs)

    def gpu_name(run: list[_Token]) -> str | None:
        if "de" in (run[0][0], run[-1][0]):  # only between the name and its memory size
            return None
        # "A100 de 40 GB": the Spanish/French "de" between a GPU and its memory is not part of the name
        joined = key("".join(t[0] for t in run if t[0] != "de"))
        for candidate in (joined, joined[:-1] if joined.endswith("s") else None):  # "4 H100s"
            if candidate and candidate in keys:
                if candidate.isdigit() and _looks_like_quantity(low, run[-1][2]):
                    continue  # "4090 tokens" is a number, not an RTX 4090
                return keys[candidate]
        return None

    found = [Entity("gpu", name, span, low[span[0] : span[1]]) for span, name in _scan(low, taken, 4, gpu_name)]
    taken_now = [*taken, *(e.span for e in found)]
    for match in _UNKNOWN_GPU.finditer(low):
        span = (match.start(), match.end())
        if not _overlaps(span, taken_now):
            found.append(Entity("unknown_gpu", match.group(0), span, match.group(0)))
    found.sort(key=lambda e: e.span)
    return found


def _looks_like_quantity(low: str, end: int) -> bool:
    return bool(re.match(r"\s*(?:tokens?|tok|k\b|m\b|usd|\$|€|dollars|%|gb|layers|users)", low[end : end + 12]))


def find_apis(low: str, taken: list[tuple[int, int]], catalogs: Catalogs) -> list[Entity]:
    keys = _api_keys(catalogs)

    def api(run: list[_Token]) -> tuple[str, bool, float] | None:
        return keys.get(key("".join(t[0] for t in run)))

    return [
        Entity("api", name, span, low[span[0] : span[1]], loose=loose, strength=strength)
        for span, (name, loose, strength) in _scan(low, taken, 4, api)
    ]
