"""What the router recognises by name: models (presets, Hub ids, loose forms, typos), GPUs, APIs, and
the intent cues of the eight recipes in English, Spanish, French and Chinese.

Model names are matched on runs of word tokens joined without separators (``Llama3-8B``, ``llama 3 8b``
and ``Meta-Llama-3-8B`` all give ``llama38b``), so spelling variants need no list. A typo is accepted
only when the digits agree exactly and the letters are close (``lama 3 8b`` → Meta-Llama-3-8B, never
``falcon 40b`` → falcon-7b). GPU and API names come from the catalogs in use, plus a few loose forms
(``Claude 3.5 Sonnet`` → the catalog's Claude-Sonnet-4) that are always reported as assumptions.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
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
    strength: float = 1.0  # how strongly an API mention points at X-1 (single words like "sonnet" are weak)


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
    found: list[Entity] = []
    used: set[int] = set()
    # 1. runs ending with a size token: a typo of a preset, else an unknown model when it starts with a family
    for j, (tok, _start, _end) in enumerate(tokens):
        tail = re.sub(r"^[a-z]+", "", tok)
        if j in used or not (_SIZE_TOKEN.match(tail) or _MOE_TOKEN.match(tail)):
            continue
        hit = None
        for i in range(max(0, j - 3), j + 1):
            if any(k in used for k in range(i, j + 1)) or not re.match(r"[a-z]", tokens[i][0]):
                continue
            run = tokens[i : j + 1]
            if not _contiguous(low, run) or not all(_VERSIONISH.match(t[0]) for t in run[1:-1]):
                continue
            joined = key("".join(t[0] for t in run))
            typo = _typo_match(joined)
            if typo is not None:
                hit = ("preset", i, typo, joined)
                break
            if _family_of(tokens[i][0]) is not None and hit is None:
                hit = ("unknown_model", i, None, joined)
        if hit is None:
            continue
        kind, i, model_id, joined = hit
        last = j
        while last + 1 < len(tokens) and last + 1 not in used and tokens[last + 1][0] in _VARIANTS:
            if not _contiguous(low, tokens[last : last + 2]):
                break
            last += 1
        span = (tokens[i][1], tokens[last][2])
        text = low[span[0] : span[1]]
        if kind == "preset" and model_id is not None:
            found.append(Entity("preset", model_id, span, text, loose=True))
        else:
            size = _size_value(tail) if _SIZE_TOKEN.match(tail) else None
            found.append(Entity("unknown_model", text, span, text, size=size, suggestions=tuple(_suggest(joined))))
        used.update(range(i, last + 1))
    # 2. a family name with its size written without the unit ("Llama-3-8" → llama38b)
    keys = _preset_keys()
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
    # 3. bare family names
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
    found.sort(key=lambda e: e.span)
    return found


_VERSIONISH = re.compile(
    r"^(?:v?\d+(?:\.\d+)*[a-z]?|[a-z]\d*|neox|mini|small|medium|large|xl|base|chat|instruct|coder|nemo)$"
)
_VARIANTS = {"instruct", "chat", "it", "base", "hf", "v0.1", "v0.2", "v0.3", "v1", "v2", "v3", "4k", "128k", "32k"}


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
_GPU_EXTRA = {"h10080gb": "H100 SXM", "a10080g": "A100 80GB", "a10040g": "A100 40GB", "mi300": "MI300X"}
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
        joined = key("".join(t[0] for t in run))
        for candidate in (joined, joined[:-1] if joined.endswith("s") else None):  # "4 H100s"
            if candidate and candidate in keys:
                if candidate.isdigit() and _looks_like_quantity(low, run[-1][2]):
                    continue  # "4090 tokens" is a number, not an RTX 4090
                return keys[candidate]
        return None

    found = [Entity("gpu", name, span, low[span[0] : span[1]]) for span, name in _scan(low, taken, 3, gpu_name)]
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


# ---- intent cues -------------------------------------------------------------------------------------
# (pattern, weight) per recipe; patterns run on the folded lower-case question with names masked.
# ASCII patterns get a left word boundary; CJK patterns are matched anywhere.
_CUES: dict[str, tuple[tuple[str, float], ...]] = {
    "X-2": (
        (r"needles?|haystack|niah|passkey|lost in the middle", 3.5),
        (r"long[- ]?context|context (?:length|window|size|limit)|(?:length|size) of (?:the |its )?context", 3.0),
        (r"d_horizon|horizon", 2.5),
        (r"retriev\w*|recall\w*|find (?:a |the )?(?:fact|detail|needle)|look(?:ing)? up", 2.0),
        (r"handles?|handling|cope|manage|deal with|stay (?:accurate|coherent)|keep up", 1.5),
        (r"(?:extend|extending|stretch|stretching|push|pushing)(?: (?:the|its|it|them))?(?: context)?|extension", 1.5),
        (r"ntk|yarn|rope scaling|rope extension|position interpolation", 2.0),
        (
            r"long (?:documents?|inputs?|prompts?|texts?|files?"
            r"|conversations?|books?|transcripts?)|whole (?:book|codebase)",
            2.0,
        ),
        (r"hallucinat\w*|forget\w*|lose track", 1.5),
        (r"reliab\w*|accura\w*|degrad\w*|break down|fall apart|still work|work(?:s)? (?:well )?(?:at|with|up to)", 1.0),
        (r"contexts?|ctx|prompt length|input length|sequence length", 1.0),
        (r"aguja|pajar|contexto largo|largo contexto|ventana de contexto|longitud (?:de|del) contexto", 3.0),
        (r"recuper\w*|encontrar (?:un|el|una) dato", 2.0),
        (r"maneja\w*|soporta\w*|aguanta\w*|funciona\w*|rinde", 1.5),
        (r"extender\w*|ampliar\w*|alargar\w*|extension", 1.5),
        (r"documentos largos|textos largos|alucin\w*|olvid\w*", 1.5),
        (r"contexto", 1.0),
        (r"aiguille|botte de foin|contexte long|long contexte|fenetre de contexte|longueur de contexte", 3.0),
        (r"retrouv\w*|recuperer|recuperation", 2.0),
        (r"gere\w*|gerer|supporte\w*|tient|tenir|fonctionne\w*", 1.5),
        (r"etendre|allonger|l'etendre|prolonger", 1.5),
        (r"documents longs|textes longs|halluc\w*|oubli\w*", 1.5),
        (r"contexte", 1.0),
        (r"大海捞针|长上下文|上下文窗口|上下文长度|长文本|长文档|长序列", 3.0),
        (r"检索|召回|找到|查找", 2.0),
        (r"能否处理|能处理|处理得了|撑得住|支持|胜任|能不能跑|能跑|可靠|稳定|靠谱", 1.5),
        (r"扩展上下文|上下文扩展|外推|扩展到|延长", 1.5),
        (r"幻觉|遗忘", 1.5),
        (r"上下文|长度", 1.0),
    ),
    "X-19": (
        (
            r"kv[- ]?cache compression|compress\w* (?:the |my |its |our )?kv"
            r"|kv compression|kv[- ]cache (?:evict|trunc|prun|trim|compress)\w*",
            3.5,
        ),
        (r"soft(?:er)? (?:kv )?(?:decay|weighting|attenuation|fall-?off)|decay (?:the )?(?:old|distant) tokens", 3.5),
        (r"hard (?:cut[- ]?off|truncation|window|limit|cap)|hard-?cutoff", 3.0),
        (r"truncat\w*|evict\w*|cut[- ]?off", 2.0),
        (r"snapkv|pyramidkv|fastgen|h2o|streamingllm|scissorhands|kivi|attention sinks?", 3.0),
        (r"d_f|df window|cache window|cache_max_len|window of (?:the )?cache", 3.0),
        (
            r"(?:shrink|reduce|trim|prune|cap|bound|limit|drop) (?:the "
            r"|my |its )?(?:kv|cache)|drop (?:old|distant) tokens",
            2.5,
        ),
        (r"compress\w*", 1.5),
        (
            r"(?:truncat|evict|compress|trim|prun|shrink|cap|cut|drop|reduc|bound|limit)\w* (?:\w+ ){0,4}(?:kv|cache)",
            3.0,
        ),
        (r"kv|cache", 0.7),
        (r"compresion (?:de(?:l)? )?(?:la )?(?:cache|kv)|comprimir (?:la )?(?:cache|kv)", 3.5),
        (r"decaimiento suave|decaida suave|atenuacion suave|decaimiento progresivo", 3.5),
        (r"corte (?:duro|brusco|fijo|abrupto)|truncamiento (?:duro|fijo)", 3.0),
        (r"truncar\w*|truncamiento|truncado|recortar\w*|desaloj\w*|podar", 2.0),
        (r"comprimir|compresion", 1.5),
        (r"(?:truncar|comprimir|recortar|podar|reducir|limitar|desalojar)\w* (?:\w+ ){0,4}(?:kv|cache)", 3.0),
        (r"compression (?:du |de la )?(?:cache|kv)|compresser (?:le )?(?:cache|kv)", 3.5),
        (r"decroissance douce|attenuation douce|decroissance progressive|decroissance (?:en )?douceur", 3.5),
        (r"coupure (?:nette|dure|franche|brutale|stricte)|troncature (?:nette|dure|stricte)", 3.0),
        (r"tronquer|troncature|tronque|evincer|eviction|elaguer", 2.0),
        (r"compresser|compression", 1.5),
        (r"(?:tronquer|compresser|reduire|limiter|elaguer|couper)\w* (?:\w+ ){0,4}(?:kv|cache)", 3.0),
        (r"kv缓存压缩|压缩kv|kv压缩|缓存压缩|压缩缓存", 3.5),
        (r"软衰减|软性衰减|平滑衰减|渐进衰减", 3.5),
        (r"硬截断|硬切断|硬性截断|硬窗口|硬裁剪", 3.0),
        (r"截断|裁剪|淘汰|驱逐", 2.0),
        (r"压缩", 1.5),
        (r"(?:压缩|截断|裁剪|淘汰|缩减)[^。？！?]{0,40}缓存|缓存[^。？！?]{0,6}(?:压缩|截断|裁剪|淘汰)", 3.0),
        (r"缓存", 0.7),
    ),
    "X-1": (
        (r"build (?:or|vs\.?|versus) buy|make (?:or|vs\.?) buy", 4.0),
        (
            r"(?:train|build|fine[- ]?tune) (?:my|our|your) own|(?:my"
            r"|our) own (?:model|llm)|own model|in-house|homegrown",
            2.5,
        ),
        (r"custom (?:model|llm|training|trained)|bespoke model|domain model|private model", 2.5),
        (r"break[- ]?even|pay (?:itself )?back|payback|recoup|amortiz\w*|roi\b|return on investment", 3.0),
        (r"api|apis", 1.5),
        (r"self[- ]?host\w*|host (?:it )?(?:ourselves|myself)|run (?:it )?ourselves", 1.5),
        (r"cheaper|less expensive|more economical|cost[- ]effective|worth (?:it|training)|save money", 1.5),
        (r"subscription|pay(?:ing)? (?:for|per)|per[- ]token (?:pricing|price|cost)", 1.0),
        (r"train\w*", 0.5),
        (r"construir o comprar|entrenar (?:mi|nuestro|un) (?:propio )?modelo|modelo propio|propio modelo", 2.5),
        (r"personalizad\w*|a medida", 2.0),
        (r"punto de equilibrio|amortiz\w*|recuperar la inversion|rentab\w*", 3.0),
        (r"mas barato|mas economico|sale mas a cuenta|compensa", 1.5),
        (r"entrenar", 0.5),
        (r"entrainer (?:mon|notre|un) (?:propre )?modele|propre modele|modele maison|modele sur mesure", 2.5),
        (r"personnalise\w*|sur mesure", 2.0),
        (r"seuil de rentabilite|point mort|rentab\w*|amorti\w*", 3.0),
        (r"moins cher|plus economique|vaut(?:-il)? (?:mieux|le coup)", 1.5),
        (r"entrainer", 0.5),
        (r"自己训练|自训练|自研|自建|私有化|定制模型|专属模型", 2.5),
        (r"盈亏平衡|回本|收回成本|投资回报", 3.0),
        (r"还是(?:用|调用|直接用|买)|调用api|用api", 2.0),
        (r"更便宜|更划算|划算|省钱|成本更低", 1.5),
        (r"训练", 0.5),
    ),
    "X-3": (
        (r"budget\w*", 2.5),
        (r"what (?:model |size |kind of model |sort of model )?(?:can|could) (?:i|we) (?:afford|train|buy|build)", 3.0),
        (r"how (?:big|large|many param\w*)(?: a| of a)?(?: model)? (?:can|could) (?:i|we) (?:train|afford)", 3.5),
        (r"afford\w*|buys?\b|pre-?flight|largest model|biggest model|compute[- ]optimal|chinchilla[- ]optimal", 2.0),
        (r"spend\w*|to spend|gpu[- ]hours|training run", 1.0),
        (r"train\w*", 0.7),
        (r"presupuesto", 2.5),
        (r"que (?:modelo |tamano )?(?:puedo|podemos|podria) (?:entrenar|permitirme|costear)", 3.0),
        (r"permitir\w*|costear|modelo mas grande", 2.0),
        (r"gastar|invertir", 1.0),
        (r"entrenar|entrenamiento", 0.7),
        (
            r"quel (?:modele|taille) (?:puis-je|pouvons-nous"
            r"|peut-on) (?:entrainer|me permettre|m'offrir)|que puis-je entrainer",
            3.0,
        ),
        (r"me permettre|m'offrir|nous permettre|plus grand modele", 2.0),
        (r"depenser|investir", 1.0),
        (r"entrainer|entrainement", 0.7),
        (r"预算", 2.5),
        (r"能训练|可以训练|训练多大|能训多大|训得起|负担得起|能练", 3.0),
        (r"花费|花", 0.7),
        (r"训练", 0.7),
    ),
    "X-5": (
        (r"(?:which|what|best|right|cheapest|recommended) (?:gpu|card|hardware|accelerator|instance)s?", 3.5),
        (r"cheapest (?:way|option|setup) to (?:serve|host|run|deploy)|lowest[- ]cost (?:gpu|hardware|serving)", 3.0),
        (r"serv(?:e|es|ed|ing)|deploy\w*|provision\w*|inference (?:server|hardware|cost)", 2.5),
        (r"host\w*|inference|throughput|tokens? per second|tok/s|latency", 1.5),
        (r"(?:how much|enough|what) (?:vram|gpu memory|memory)|vram|memory (?:do|does|would|will) .{0,20}need", 3.0),
        (r"kv[- ]cache (?:size|memory|footprint)|size of (?:the )?kv[- ]cache|memory footprint", 2.5),
        (r"fits? (?:on|in|into)|run (?:it )?on|runs on|hardware", 1.5),
        (r"concurrent|simultaneous|users", 1.0),
        (r"gpus?", 1.0),
        (r"(?:que|cual|que tipo de) (?:gpu|tarjeta|hardware)|gpu mas barata|tarjeta mas barata", 3.5),
        (r"servir\w*|desplegar|despliegue|poner en produccion", 2.5),
        (r"alojar|inferencia|rendimiento|latencia", 1.5),
        (r"(?:cuanta|que) (?:memoria|vram)|memoria|cabe en|quepa en|caber en", 2.0),
        (r"(?:quel|quelle) (?:gpu|carte|materiel)|gpu le moins cher|carte la moins chere", 3.5),
        (r"servir|deployer|deploiement|mettre en production", 2.5),
        (r"heberger|inference|debit|latence", 1.5),
        (r"(?:combien de|quelle) (?:memoire|vram)|memoire|tient (?:sur|dans)|tenir sur", 2.0),
        (r"哪个gpu|哪款gpu|哪张卡|什么gpu|什么显卡|哪种gpu|选什么卡|哪块|用什么卡|哪款显卡|哪个显卡", 3.5),
        (r"部署|上线|推理服务|提供服务", 2.5),
        (r"推理|吞吐|延迟", 1.5),
        (r"显存|内存|放得下|装得下", 2.5),
        (r"最便宜|硬件|显卡", 1.5),
        (r"并发|用户", 1.0),
    ),
    "X-21": (
        (r"imprint\w*", 4.0),
        (r"purity|positional (?:bias|imprint|prior)|imprint law", 3.0),
        (
            r"anomalous training|unusual training|abnormal training|training history|weird training|strange training",
            3.0,
        ),
        (
            r"format conversion|converted (?:to|from|into)|conversion (?:to"
            r"|from)|gguf|re-?quantiz\w*|tampered|tampering",
            2.5,
        ),
        (r"heavily fine[- ]?tuned|over-?fine[- ]?tuned|fine[- ]?tuning history|original checkpoint", 2.0),
        (r"random[- ]tokens?|random sequences|random input", 1.5),
        (r"huella|impronta|pureza|sesgo posicional", 3.5),
        (r"entrenamiento (?:anomalo|inusual|raro|extrano)|historial de entrenamiento", 3.0),
        (r"conversion de formato|convertido (?:a|de|desde|en)|reconvertido", 2.5),
        (r"tokens aleatorios|secuencias aleatorias", 1.5),
        (r"empreinte|purete|biais positionnel", 3.5),
        (r"entrainement (?:anormal|inhabituel|etrange|bizarre)|historique d'entrainement", 3.0),
        (r"conversion de format|converti (?:en|depuis|de|vers)", 2.5),
        (r"tokens aleatoires|jetons aleatoires|sequences aleatoires", 1.5),
        (r"印记|烙印|纯度|位置偏置|位置偏差", 3.5),
        (r"异常训练|训练异常|训练历史|训练过程异常", 3.0),
        (r"格式转换|转换格式|转换过|转成|转过", 2.5),
        (r"随机token|随机词元|随机序列|随机输入", 1.5),
    ),
    "X-22": (
        (r"invariant|k[- ]invariant|compute[- ]context", 4.0),
        (r"in[- ]band|inside the band|within the band|panel (?:band|mean)|the band", 3.0),
        (r"outliers?|scaling anomal\w*|over-?trained|under-?trained", 2.0),
        (r"(?:inside|within|in|outside) (?:the )?(?:k |panel )band|k[- ]?band|k[- ]value|value of k", 3.0),
        (r"chinchilla", 1.0),
        (r"invariante|en banda|dentro de la banda|fuera de la banda", 3.5),
        (r"atipic\w*|anomalia de escal\w*|sobreentrenad\w*|subentrenad\w*", 2.0),
        (r"dans la bande|en bande|hors de la bande", 3.5),
        (r"aberrant\w*|anomalie d'echelle|sur-?entraine|sous-?entraine", 2.0),
        (r"不变量|带内|区间内|在带|面板区间", 3.5),
        (r"异常值|离群|缩放异常|过度训练|训练不足", 2.0),
    ),
    "X-23": (
        (r"induction[- ]?heads?|induction[- ]head", 4.0),
        (r"ih[- ]?phase|pre-?ih|post-?ih|ih formation", 3.5),
        (r"(?<![a-z])ih(?![a-z])", 2.0),
        (r"checkpoints?|intermediate (?:step|weights)", 1.5),
        (r"phase (?:transition|change)|before or after|has (?:it )?formed|formation", 1.5),
        (r"monitor\w*|during training|training run|mid-training", 1.0),
        (r"text vs\.? random|text and random|δγ|delta gamma|delta γ", 2.0),
        (r"cabezas? de induccion|fase ih", 4.0),
        (r"punto de control|puntos de control", 1.5),
        (r"vigilar|monitorizar|durante el entrenamiento", 1.0),
        (r"tetes? d'induction|phase ih", 4.0),
        (r"point de controle|points de controle", 1.5),
        (r"surveiller|pendant l'entrainement", 1.0),
        (r"归纳头|感应头|诱导头|ih相|ih阶段", 4.0),
        (r"检查点", 1.5),
        (r"监控|训练过程中|训练中", 1.0),
    ),
}


@cache
def compiled_cues() -> dict[str, tuple[tuple[re.Pattern[str], float], ...]]:
    out = {}
    for rid, cues in _CUES.items():
        compiled = []
        for pattern, weight in cues:
            prefix = r"(?<![a-z0-9])" if pattern[:1].isascii() and pattern[:1].isalpha() else ""
            compiled.append((re.compile(prefix + "(?:" + pattern + ")"), weight))
        out[rid] = tuple(compiled)
    return out


def score_cues(masked: str) -> tuple[dict[str, float], dict[str, list[str]]]:
    """Sum of cue weights per recipe (each cue counts once) and the words that matched."""
    scores: dict[str, float] = {}
    hits: dict[str, list[str]] = {}
    for rid, cues in compiled_cues().items():
        total = 0.0
        words: list[str] = []
        for pattern, weight in cues:
            match = pattern.search(masked)
            if match:
                total += weight
                words.append(match.group(0).strip())
        scores[rid] = total
        hits[rid] = words
    return scores, hits
