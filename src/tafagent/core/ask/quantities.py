"""Numbers in a question and what they measure: lengths, model sizes, money, token volumes, γ values, ...

How the numbers themselves are written (grouping, decimal commas, ``32K`` = 32,000, ``万``) is
:mod:`tafagent.core.ask.numerals`. Money is read in the currency written; only US dollars are converted by
nothing. Other currencies are *treated as USD-equivalent, without conversion* (the caller flags it).

Every quantity records its span so the router can explain what it read. The :class:`Quantity` record and
the minus-sign rule are :mod:`tafagent.core.ask.quantity`; period words and per-day conversions
:mod:`tafagent.core.ask.quantities_periods`; batch sizes and latencies :mod:`tafagent.core.ask.quantities_serving`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from tafagent.core.ask.numerals import SCALE, number_at, number_pattern, to_float
from tafagent.core.ask.quantities_periods import DAYS_PER, per_day, per_month, period_after_patterns
from tafagent.core.ask.quantities_periods import period_after as _period_after
from tafagent.core.ask.quantities_periods import period_before as _period_before
from tafagent.core.ask.quantities_serving import batch_sizes, latencies
from tafagent.core.ask.quantity import Claims as _Claims
from tafagent.core.ask.quantity import Quantity
from tafagent.core.ask.quantity import minus_before as _minus_before
from tafagent.core.ask.quantity import signed as _signed

__all__ = ["DAYS_PER", "Quantity", "extract", "per_day", "per_month"]


_TOKENS_WORD = re.compile(
    r"\s*-?\s*(?:de\s+|d')?(?:(?:pre-?)?training\s+|entrenamiento\s+"
    r"|训练)?(?:tokens?|toks?|词元|个?tokens?|个词元|jetons?)(?![a-z])"
)
_CONTEXT_AFTER = re.compile(
    r"\s*-?\s*(?:of\s+)?(?:context|ctx|window|contexto|contexte"
    r"|上下文|length|prompt|input|sequence|seq|longitud|longueur|"
    r"ventana|fenetre|长度|窗口)"
)
_PARAMS_AFTER = re.compile(r"\s*-?\s*(?:param\w*|parametros?|parametres?|参数|个参数|weights)")
_MODEL_AFTER = re.compile(
    r"\s*-?\s*(?:的)?(?:models?|modelos?|modeles?|模型|检查点|checkpoints?|llms?|networks?|dense)(?![a-z])"
)
_MODEL_BEFORE = re.compile(r"(?:checkpoints?|models?|modelos?|modeles?|llms?|模型|检查点)\s*(?:de|of|d'|:|with)?\s*$")
_MEMORY_AFTER = re.compile(r"\s*(?:gb|gib|tb|mb|g|go|gigabytes?|de vram|of vram|vram|显存)(?![a-z])")
_CURRENCY_AFTER = re.compile(
    r"\s?(?:de\s|d')?(?P<c>usd|us\$|dollars?|dolares|dolar|bucks|eur"
    r"|euros?|€|\$|£|gbp|pounds?|美元|美金|刀|块钱|元|rmb|人民币|欧元|yuan)"
    r"(?![a-z])"
)
_CURRENCY_CODE = {
    "$": "USD", "us$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD", "dolares": "USD", "dolar": "USD",
    "bucks": "USD", "美元": "USD", "美金": "USD", "刀": "USD", "€": "EUR", "eur": "EUR", "euro": "EUR",
    "euros": "EUR", "欧元": "EUR", "£": "GBP", "gbp": "GBP", "pound": "GBP", "pounds": "GBP", "¥": "CNY",
    "元": "CNY", "块钱": "CNY", "rmb": "CNY", "人民币": "CNY", "yuan": "CNY",
}  # fmt: skip
_RATE_HOUR = re.compile(
    r"\s*(?:/\s*(?:gpu[- ]?)?(?:h|hr|hour|hora|heure|小时)(?![a-z])"
    r"|per\s+(?:gpu[- ]?)?hour|an?\s+hour|(?:por|la)\s+hora|"
    r"par\s+heure|de\s+l'heure|每小时|一小时)"
)
_RATE_MTOK = re.compile(r"\s*(?:/\s*m(?:tok|tokens)?(?![a-z])|per\s+(?:1m|million|mtok)|por\s+millon|par\s+million)")
_LENGTH_BEFORE = re.compile(
    r"(?:context(?:\s+(?:length|window|size))?|ctx|length"
    r"|window|contexto|longitud|contexte|longueur|上下文(?:长度|窗口)?|"
    r"长度|窗口|seq(?:uence)?[\s_]?len(?:gth)?|t_eval|prompts? of|inputs? of|documents? of|l\s*=)"
    r"\s*(?:of|de|=|:|is|es|est|to|a|à|达到|为|是|到|up to|hasta|jusqu'a"
    r"|around|about)?\s*(?:about|around|~|≈|unos|environ|约)?\s*$"
)
_PARAMS_BEFORE = re.compile(
    r"(?:n_params|n params|params?|parameters?|size|parametros"
    r"|parametres|参数量?|规模)\s*(?:=|:|of|de|is|es|est|为|是|约)?\s*$"
)
_MONEY_BEFORE = re.compile(
    r"(?:budget|presupuesto|预算|spend|gastar|depenser|costs?|coste"
    r"|cout|price|precio|prix)\s*(?:of|de|is|es|est|:|=|为|是|约|"
    r"about|around|~|d'environ|de unos)?\s*$"
)
_MONEY_AFTER = re.compile(r"\s*(?:to spend|para gastar|a depenser|de presupuesto|budget|的预算|预算)")
_TRAIN_NEAR = re.compile(r"train\w*|entren\w*|entrain\w*|训练|pretrain\w*|corpus|dataset")
_AT_BEFORE = re.compile(r"(?:at|to|a|à|en|de|con|avec|with|of|in|para|pour|for|在|到|用|上)\s*$")


# ---- specialised patterns (run first, they claim their numbers) ---------------------------------------
_N = r"(?P<num>-?\d+(?:[.,]\d+)?(?:e[+-]?\d+)?)"
_GAMMA = re.compile(
    r"(?P<delta>δ\s*|delta[\s_-]?)?(?<![a-z])(?P<kw>γ|gamma"
    r"|gama)(?P<sub>[_\s-]?(?:obs(?:erved)?|text|txt|random(?:_obs)?|rand|"
    r"measured|texto|texte|aleatorio|aleatoire|随机|文本))?(?P<mid>[^0-9\n+-]{0,28}?)(?P<num>[-+]?\d+(?:[.,]\d+)?)"
    r"(?![\d.,]*\s*(?:k|m|b|t|tokens?)(?![a-z]))"
)
_ON_CORPUS = re.compile(
    r"\s*(?:on|en|sur|con|avec|with|for|para|pour|在)\s+(?:the\s+|des\s+|los\s+"
    r"|les\s+)?(?:text|texto|texte|文本|random|aleatori|aleatoire|随机|natural)"
)
_TEXT_WORDS = re.compile(r"text|texto|texte|文本|natural|prose|mongo|wiki|real data|datos reales")
_RANDOM_WORDS = re.compile(r"random|aleatori\w*|aleatoire\w*|随机")
_THETA = re.compile(
    r"(?:θ|theta|rope[_\s-]?theta|rope[\s_-]?base(?:\s+frequency)?|base frequency|base de rope|基频|rope基数|base\s*θ)"
    r"\s*(?:=|:|of|is|de|es|est|为|是|≈|~)?\s*" + _N + r"(?P<suf>k|m)?(?![a-z0-9])"
)
_T_TRAIN = re.compile(
    r"(?:t_train|(?:pre-?)?trained (?:at|on|with|to|for) (?:a |an )?"
    r"|training (?:context|length|window|seq(?:uence)? len(?:gth)?)"
    r"(?: of| is)?|max_position_embeddings|native (?:context|window)(?: of| is)?|entrenad[oa] (?:a|con|en) |"
    r"entraine (?:a|sur|avec) |训练长度|训练上下文|原生上下文)\s*(?:=|:)?\s*"
    + _N
    + r"(?:(?P<suf>bn|k|m|b|t)(?![a-z])|\s(?P<sufw>trillion|billion|million|thousand)(?![a-z]))?"
    r"\s*(?P<unit>tokens?|context|ctx|contexto|contexte)?"
)
_LAYERS = re.compile(
    r"(?<![\d.])(?P<num>\d+)\s*-?\s*(?:layers?|capas|couches|层|blocks)(?![a-z])"
    r"|(?:n_layers|num_hidden_layers|layers)\s*[=:]\s*(?P<num2>-?\d+)"
)
_KV_HEADS = re.compile(
    r"(?<![\d.])(?P<num>\d+)\s*-?\s*(?:kv|key[- ]value|k/v)[\s-]*(?:heads?|cabezas|tetes|头)|"
    r"(?:n_kv_heads|num_key_value_heads|kv heads)\s*[=:]\s*(?P<num2>-?\d+)|(?P<num3>\d+)\s*个\s*kv\s*头"
)
_HEADS = re.compile(
    r"(?<![\d.])(?P<num>\d+)\s*-?\s*(?:attention |query |q )?(?:heads?|cabezas(?: de atencion)?|tetes(?: d'attention)?|"
    r"个?注意力头|个头)(?![a-z])|(?:n_heads|n_attention_heads|num_attention_heads)\s*[=:]\s*(?P<num2>-?\d+)"
)
_D_HEAD = re.compile(r"(?:head[_\s-]?dim(?:ension)?|d_head|head size)\s*(?:=|:|of|is|de)?\s*(?P<num>-?\d+)")
_USERS = re.compile(
    r"(?<!\d)(?<!\d[.,])(?P<num>\d+(?:,\d{3})*)(?P<suf>k)?\s*(?:个)?\s*(?P<q>concurrent"
    r"|simultaneous|parallel|concurrentes|simultane\w*|"
    r"paralel\w*)?\s*(?:users?|requests?|sessions?|usuarios|utilisateurs|peticiones|solicitudes|requetes|connexions|"
    r"clients?|用户|请求|并发(?:请求|用户)?)(?P<q2>\s*(?:at once|at the same time|a la vez|en simultaneo|en meme temps|"
    r"a la fois|同时))?"
    r"|(?:concurrency|并发数?|并发用户数?)\s*(?:of|=|:|de)?\s*(?P<num2>-?\d+)"
)
_GPU_COUNT = re.compile(
    r"(?<!\d)(?<!\d[.,])(?P<num>\d+)\s*(?:gpus?|cards?|tarjetas|cartes|张卡|块卡|张|块|卡)(?![a-z])"
)
_MFU = re.compile(
    r"mfu\s*(?:of|=|:|de|at|a|à|is|around|about|~)?\s*(?P<num>-?\d+(?:[.,]\d+)?)\s*(?P<pct>%)?|"
    r"(?P<num2>\d+(?:[.,]\d+)?)\s*%\s*(?:de\s+|d')?mfu"
)
_KV_MASS = re.compile(
    r"(?:keep|keeps|keeping|retain\w*|preserv\w*|conservar|mantener|garder"
    r"|conserver|保留)\s*(?:about |around |at least |al menos |au moins )?"
    r"(?P<num>-?\d+(?:[.,]\d+)?)\s*%|(?P<num2>\d+(?:[.,]\d+)?)\s*%\s*(?:of\s+(?:the\s+)?|de\s+(?:la\s+)?)?"
    r"(?:attention|mass|masa|masse|注意力)|(?:kv_mass_fraction|(?<![a-z])f)\s*=\s*(?P<num3>-?0?[.,]\d+)"
)
_PRECISION = re.compile(
    r"(?<![a-z0-9])(?P<p>int8|int4|fp8|fp16|bf16|fp32|float16|float32|bfloat16|8[\s-]?bits?|4[\s-]?bits?|16[\s-]?bits?|"
    r"q4(?:_k_m|_k_s|_0)?|q8(?:_0)?|awq|gptq|nf4|half precision|full precision)(?![a-z0-9])"
)
_PRECISION_BYTES = {
    "int8": 1.0, "fp8": 1.0, "8bit": 1.0, "8bits": 1.0, "q8": 1.0, "q80": 1.0,
    "int4": 0.5, "4bit": 0.5, "4bits": 0.5, "q4": 0.5, "q4km": 0.5, "q4ks": 0.5, "q40": 0.5, "awq": 0.5,
    "gptq": 0.5, "nf4": 0.5, "fp16": 2.0, "bf16": 2.0, "16bit": 2.0, "16bits": 2.0, "float16": 2.0,
    "bfloat16": 2.0, "halfprecision": 2.0, "fp32": 4.0, "float32": 4.0, "fullprecision": 4.0,
}  # fmt: skip
_PERCENT = re.compile(r"(?<!\d)(?<!\d[.,])(?P<num>\d+(?:[.,]\d+)?)\s*(?:%|percent|por ciento|pour cent)")
_SWA = re.compile(
    r"sliding[- ]window(?: attention)?|(?<![a-z])swa(?![a-z])|ventana deslizante|fenetre glissante|滑动窗口"
)


def extract(masked: str, lang: str, gpu_spans: list[tuple[int, int]] | None = None) -> list[Quantity]:
    """Every quantity in ``masked`` (the folded question with names blanked), left to right.

    The specialised readers run first, in this order, and claim their numbers; what is left is classified
    from the words around each number.
    """
    claims = _Claims()
    _gammas(masked, lang, claims)
    _thetas(masked, lang, claims)
    _training_lengths(masked, lang, claims)
    _architecture_counts(masked, claims)
    latencies(masked, lang, claims)
    batch_sizes(masked, claims)
    _mfus(masked, lang, claims)
    _kv_masses(masked, lang, claims)
    _precisions(masked, claims)
    _users(masked, lang, claims)
    _gpu_counts(masked, gpu_spans or [], claims)
    _percents_and_swa(masked, lang, claims)
    for match in number_pattern(lang).finditer(masked):
        if match.group(0).strip() == "" or not claims.free(match.span()):
            continue
        quantity = _classify(masked, match, lang)
        if quantity is not None:
            claims.claim(quantity)
    return sorted(claims.found, key=lambda q: q.span)


def _thetas(masked: str, lang: str, claims: _Claims) -> None:
    for match in _THETA.finditer(masked):
        suffix = match.group("suf")
        value = to_float(match.group("num"), lang, decimal_dot=True) * (SCALE[suffix] if suffix else 1)
        claims.claim(Quantity("theta", value, match.span(), match.group(0), scaled=bool(suffix)))


def _training_lengths(masked: str, lang: str, claims: _Claims) -> None:
    """``trained at 8K``: a training context length, or training tokens when it is ≥ 10⁸."""
    for match in _T_TRAIN.finditer(masked):
        if not claims.free(match.span()):
            continue
        suffix = match.group("suf") or match.group("sufw") or ""
        explicit = re.match(
            r"t_train|max_position|training (?:context|length|window|seq)|native|训练长度|训练上下文|原生",
            match.group(0),
        )
        if not (suffix or match.group("unit") or explicit):
            continue  # "trained on 4 H100s" is not a training length
        value = to_float(match.group("num"), lang) * (SCALE[suffix] if suffix else 1)
        if value >= 1e8:
            claims.claim(
                Quantity("tokens", value, match.span(), match.group(0), qualifier="train", scaled=bool(suffix))
            )
        else:
            claims.claim(Quantity("t_train", value, match.span(), match.group(0), scaled=bool(suffix)))


def _architecture_counts(masked: str, claims: _Claims) -> None:
    for kind, pattern in (("kv_heads", _KV_HEADS), ("layers", _LAYERS), ("heads", _HEADS), ("d_head", _D_HEAD)):
        for match in pattern.finditer(masked):
            if not claims.free(match.span()):
                continue
            group = next(n for n in ("num", "num2", "num3") if match.groupdict().get(n))
            value = _signed(masked, match, group, float(match.group(group)))
            claims.claim(Quantity(kind, value, match.span(), match.group(0)))


def _mfus(masked: str, lang: str, claims: _Claims) -> None:
    for match in _MFU.finditer(masked):
        group = "num" if match.group("num") else "num2"
        value = _signed(masked, match, group, to_float(match.group(group), lang, decimal_dot=True))
        if match.group("num2") or match.group("pct") or value > 1:
            value /= 100.0
        claims.claim(Quantity("mfu", value, match.span(), match.group(0)))


def _kv_masses(masked: str, lang: str, claims: _Claims) -> None:
    for match in _KV_MASS.finditer(masked):
        if not claims.free(match.span()):
            continue
        group = next(n for n in ("num", "num2", "num3") if match.group(n))
        value = _signed(masked, match, group, to_float(match.group(group), lang, decimal_dot=True))
        claims.claim(Quantity("kv_mass", value / 100.0 if value > 1 else value, match.span(), match.group(0)))


def _precisions(masked: str, claims: _Claims) -> None:
    """Bytes per value of a written precision; ``kv`` when the words around it name the KV cache."""
    for match in _PRECISION.finditer(masked):
        if not claims.free(match.span()):
            continue
        name = re.sub(r"[^a-z0-9]", "", match.group("p"))
        near = masked[max(0, match.start() - 20) : match.end() + 20]
        qualifier = "kv" if re.search(r"kv|cache|缓存", near) else None
        claims.claim(Quantity("precision", _PRECISION_BYTES[name], match.span(), match.group(0), qualifier=qualifier))


def _users(masked: str, lang: str, claims: _Claims) -> None:
    """Concurrent users; ``plain`` when the question does not say they are simultaneous."""
    for match in _USERS.finditer(masked):
        if not claims.free(match.span()):
            continue
        if match.group("num2"):
            value = _signed(masked, match, "num2", float(match.group("num2")))
            claims.claim(Quantity("users", value, match.span(), match.group(0)))
            continue
        after = masked[match.end() : match.end() + 20]
        if any(rx.match(after) for _, rx in period_after_patterns()):
            continue  # "10,000 users a day" is a daily audience, not concurrency
        value = _signed(masked, match, "num", to_float(match.group("num"), lang) * (1e3 if match.group("suf") else 1))
        plain = not (match.group("q") or match.group("q2") or "并发" in match.group(0))
        claims.claim(Quantity("users", value, match.span(), match.group(0), qualifier="plain" if plain else None))


def _percents_and_swa(masked: str, lang: str, claims: _Claims) -> None:
    for match in _PERCENT.finditer(masked):
        if claims.free(match.span()):
            value = _signed(masked, match, "num", to_float(match.group("num"), lang, decimal_dot=True))
            claims.claim(Quantity("percent", value, match.span(), match.group(0)))
    for match in _SWA.finditer(masked):
        if claims.free(match.span()):
            claims.claim(Quantity("swa", 1.0, match.span(), match.group(0)))


def _gammas(masked: str, lang: str, claims: _Claims) -> None:
    keyword_ends = [m.end() for m in re.finditer(r"γ|gamma|gama", masked)]
    for match in _GAMMA.finditer(masked):
        value = to_float(match.group("num"), lang, decimal_dot=True)
        if abs(value) > 5:
            continue
        if match.group("delta"):
            claims.claim(Quantity("delta_gamma", value, match.span(), match.group(0)))
            continue
        claims.claim(Quantity("gamma", value, match.span(), match.group(0), qualifier=_gamma_qualifier(masked, match)))
    # "γ = 0.93 on text and 1.0 on random tokens": later decimals with a qualifier, shortly after a γ word
    for match in re.finditer(r"(?<!\d)(?<!\d[.,])(?P<num>[-+]?\d+[.,]\d+)", masked):
        if not claims.free(match.span()):
            continue
        near_keyword = any(0 < match.start() - end < 80 for end in keyword_ends)
        if not near_keyword and not _ON_CORPUS.match(masked[match.end() : match.end() + 30]):
            continue
        after = re.split(r"[,;\d]| and | y | et |和|与", masked[match.end() : match.end() + 28])[0]
        before = re.split(r"[,;\d]| and | y | et |和|与", masked[max(0, match.start() - 14) : match.start()])[-1]
        qualifier = _qualifier(after) or _qualifier(before)
        value = to_float(match.group("num"), lang, decimal_dot=True)
        if qualifier in ("text", "random") and abs(value) <= 5:
            claims.claim(Quantity("gamma", value, match.span(), match.group(0), qualifier=qualifier))


def _gamma_qualifier(masked: str, match: re.Match[str]) -> str | None:
    """text / random / obs from the γ's subscript, the words inside the match, just after it, or just before."""
    qualifier = _qualifier(match.group("sub") or "") or _qualifier(match.group("mid") or "")
    if qualifier is None:
        after = re.split(r"[,;]| and | y | et |和|与|，", masked[match.end() : match.end() + 30])[0]
        qualifier = _qualifier(after)
    if qualifier is None:
        before = re.split(r"[,;\d]| and | y | et |和|与|，", masked[max(0, match.start() - 16) : match.start()])[-1]
        qualifier = _qualifier(before)
    sub = (match.group("sub") or "").strip(" _-")
    if qualifier is None and sub.startswith(("obs", "measured")):
        qualifier = "obs"
    return qualifier


def _qualifier(text: str) -> str | None:
    has_text, has_random = bool(_TEXT_WORDS.search(text)), bool(_RANDOM_WORDS.search(text))
    if has_random and not has_text:
        return "random"
    if has_text and not has_random:
        return "text"
    if "obs" in text or "measured" in text:
        return "obs"
    return None


def _gpu_counts(masked: str, gpu_spans: list[tuple[int, int]], claims: _Claims) -> None:
    """``4 H100``, ``H100 x 4``, ``8 GPUs``: the number of GPUs."""
    for start, end in gpu_spans:
        before = re.search(
            r"(?<!\d)(?<!\d[.,])(\d+)\s*(?:x|\*|张|块|个)?\s*(?:nvidia\s+|amd\s+)?$", masked[max(0, start - 16) : start]
        )
        if before:
            offset = max(0, start - 16) + before.start(1)
            span = (offset, offset + len(before.group(1)))
            if claims.free(span):
                value = -float(before.group(1)) if _minus_before(masked, offset) else float(before.group(1))
                claims.claim(Quantity("gpus", value, span, before.group(0)))
                continue
        after = re.match(r"(?:s)?\s*(?:gpus?\s*)?(?:x|\*)\s*(-?\d+)(?![\d.,])", masked[end : end + 16])
        if after:
            span = (end + after.start(1), end + after.end(1))
            if claims.free(span):
                claims.claim(Quantity("gpus", float(after.group(1)), span, after.group(0)))
    for match in _GPU_COUNT.finditer(masked):
        if claims.free(match.span()):
            value = _signed(masked, match, "num", float(match.group("num")))
            claims.claim(Quantity("gpus", value, match.span(), match.group(0)))


# ---- a plain number, classified by the words around it ------------------------------------------------
@dataclass(frozen=True)
class _Number:
    """One written number and its surroundings (48 characters each side)."""

    value: float
    scaled: bool
    suffix: str
    span: tuple[int, int]
    text: str
    before: str
    after: str
    currency: str | None = None

    def as_(self, kind: str, **extra: Any) -> Quantity:
        """This number as a Quantity of ``kind`` (``extra``: period, currency, qualifier, hint)."""
        return Quantity(kind, self.value, self.span, self.text, scaled=self.scaled, **extra)


# the scale words by size (numbers_<lang>.json): a 10⁸–10⁹ word names a model size, a 10³–10⁴ one a length
_BIG = frozenset(w for w, v in SCALE.items() if 1e8 <= v <= 1e9)
_MILLIONS = frozenset(w for w, v in SCALE.items() if v == 1e6)
_MILLIONS_WRITTEN = frozenset(w for w in _MILLIONS if w.isascii())  # a context "of 1 million" is not 百万
_THOUSANDS = frozenset(w for w, v in SCALE.items() if 1e3 <= v <= 1e4 and w != "grand")


def _classify(masked: str, match: re.Match[str], lang: str) -> Quantity | None:
    """Decide what one number measures from the words around it."""
    start, end = match.span()
    try:
        value, scaled, suffix = number_at(match, lang)
    except (ValueError, OverflowError):
        return None
    if _minus_before(masked, start):  # the sign joins the number; the words before it are read without it
        start, value = start - 1, -value
    before, after = masked[max(0, start - 48) : start], masked[end : end + 48]
    prefix = (match.group("cur") or "").strip() if match.groupdict().get("cur") is not None else ""
    number = _with_currency(
        _Number(value, scaled, suffix, (start, end), masked[start:end].strip(), before, after), masked, prefix
    )
    if number.currency is not None:
        return _priced(number)
    if _MEMORY_AFTER.match(number.after):
        return number.as_("memory")
    return _counted(number) or _by_words_around(number)


_MAGNITUDE_CURRENCY = re.compile(r"\s?(?P<m>[kmb])\s?(?P<c>\$|€|£)")
_MAGNITUDE_LETTER = {"k": 1e3, "m": 1e6, "b": 1e9}


def _with_currency(number: _Number, masked: str, prefix: str) -> _Number:
    """The currency written before or after the number (the span then covers a currency written after)."""
    if prefix:
        return replace(number, currency=_CURRENCY_CODE.get(prefix, "USD"))
    cur_after = _CURRENCY_AFTER.match(number.after)
    if cur_after:
        start, end = number.span[0], number.span[1] + cur_after.end()
        return replace(
            number,
            currency=_CURRENCY_CODE.get(cur_after.group("c"), "USD"),
            after=number.after[cur_after.end() :],
            span=(start, end),
            text=masked[start:end].strip(),
        )
    if number.suffix == "grand":
        return replace(number, currency="USD")  # "10 grand"
    magnitude = _MAGNITUDE_CURRENCY.match(number.after) if not number.scaled else None
    if magnitude:  # "1 M$", "500 k€": the magnitude letter sits between the number and the currency sign
        start, end = number.span[0], number.span[1] + magnitude.end()
        return replace(
            number,
            value=number.value * _MAGNITUDE_LETTER[magnitude.group("m")],
            scaled=True,
            currency=_CURRENCY_CODE.get(magnitude.group("c"), "USD"),
            after=number.after[magnitude.end() :],
            span=(start, end),
            text=masked[start:end].strip(),
        )
    if re.search(r"[$€£]\s*$", number.before):
        return replace(number, currency=_CURRENCY_CODE.get(number.before.rstrip()[-1], "USD"))
    return number


def _priced(number: _Number) -> Quantity:
    """An amount of money: a GPU-hour price, an API price per million tokens, or money (with its period)."""
    if _RATE_HOUR.match(number.after):
        return number.as_("gpu_price", currency=number.currency)
    if _RATE_MTOK.match(number.after):
        return number.as_("api_price", currency=number.currency)
    return number.as_("money", period=_period_after(number.after, tokens=False), currency=number.currency)


def _counted(number: _Number) -> Quantity | None:
    """A count of parameters or tokens: a model size, a token volume per period, a length or a corpus."""
    after, before, value = number.after, number.before, number.value
    tokens = _TOKENS_WORD.match(after)
    rest = after[tokens.end() :] if tokens else after
    big = number.suffix.strip() in _BIG
    if not tokens and (_PARAMS_AFTER.match(after) or (big and _MODEL_AFTER.match(after))):
        return number.as_("params", hint="params")
    period = _period_after(rest, tokens=bool(tokens)) or _period_before(before)
    if period is not None:
        return number.as_("volume", period=period, hint="tokens" if tokens else "")
    if not tokens:
        return None
    if _CONTEXT_AFTER.match(rest) or value <= 1e7:
        return number.as_("length", hint="tokens")
    train = bool(_TRAIN_NEAR.search(before[-30:]) or _TRAIN_NEAR.match(rest.strip()) or "train" in tokens.group(0))
    return number.as_("tokens", qualifier="train" if train else None)


def _by_words_around(number: _Number) -> Quantity:
    """No unit: a length, a size, a budget or a bare number, from the words just before and after."""
    after, before, suffix, value = number.after, number.before, number.suffix, number.value
    if _CONTEXT_AFTER.match(after):
        return number.as_("length", hint="context")
    if _PARAMS_AFTER.match(after) or _PARAMS_BEFORE.search(before):
        return number.as_("params", hint="params")
    named_model = _MODEL_AFTER.match(after) or _MODEL_BEFORE.search(before)
    if suffix.strip() in _BIG or (suffix in _MILLIONS and named_model):
        return number.as_("params", hint="size")
    if _LENGTH_BEFORE.search(before):
        return number.as_("length", hint="before")
    if _MONEY_BEFORE.search(before) or _MONEY_AFTER.match(after):
        return number.as_("money", hint="budget")
    if suffix in _THOUSANDS and value <= 1e7:
        return number.as_("length", hint="k")
    if (
        suffix in _MILLIONS_WRITTEN
        and value <= 1e7
        and re.search(r"(?:context|contexto|contexte|上下文|window)\s*(?:of|de|:)?\s*$", before)
    ):
        return number.as_("length", hint="before")
    return number.as_("bare", hint="at" if _AT_BEFORE.search(before) else "")
