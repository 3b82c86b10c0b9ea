"""Numbers in a question and what they measure: lengths, model sizes, money, token volumes, γ values, ...

Conventions (documented, and reported in ``assumed`` whenever they matter):

* Scale suffixes are decimal: ``32K`` = 32,000 tokens (as in the reference's own examples, "32K" →
  ``T_eval = 32000``), ``1M`` = 1,000,000, ``7B`` = 7·10⁹, ``15T`` = 15·10¹²; words too (``50 million``,
  ``mil millones``, ``milliards``, ``万``, ``亿``). Write 32768 for the power of two.
* ``32,000`` uses a thousands comma in every language; ``0,85`` and ``1,5`` are decimal commas;
  ``5.000`` is five thousand in Spanish and French questions, 5.0 in English ones; ``5 000`` groups
  thousands in French and Spanish.
* Money is read in the currency written; only US dollars are converted by nothing. Other currencies
  are *treated as USD-equivalent, without conversion* (the caller flags it).

Every quantity records its span so the router can explain what it read.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from tafagent.core.ask.text import overlaps as _overlaps

# ---- numbers ----------------------------------------------------------------------------------------
_NUM_EN = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:\.\d{3}){2,}|\d+(?:[.,]\d+)?)(?:e[+-]?\d+)?"
_NUM_SPACE = (  # French and Spanish also group thousands with (no-break) spaces: "5 000"
    r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:\.\d{3}){2,}|\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:,\d+)?|"
    r"\d+(?:[.,]\d+)?)(?:e[+-]?\d+)?"
)
_SUFFIX = (
    r"(?:(?P<suf>bn|mm|k|m|b|t)(?![a-z])"
    r"|\s?(?P<sufw>grand|mil\s+millones|milliards?|billions?|millones"
    r"|millon|millions?|thousands?|trillions?|mille|mil)(?![a-z])"
    r"|\s?(?P<sufc>万亿|十亿|百万|千万|万|亿|千))?"
)
_SCALE = {
    "grand": 1e3, "k": 1e3, "m": 1e6, "mm": 1e6, "b": 1e9, "bn": 1e9, "t": 1e12,
    "thousand": 1e3, "thousands": 1e3, "mil": 1e3, "mille": 1e3,
    "million": 1e6, "millions": 1e6, "millon": 1e6, "millones": 1e6,
    "billion": 1e9, "billions": 1e9, "milliard": 1e9, "milliards": 1e9, "mil millones": 1e9,
    "trillion": 1e12, "trillions": 1e12,
    "千": 1e3, "万": 1e4, "百万": 1e6, "千万": 1e7, "亿": 1e8, "十亿": 1e9, "万亿": 1e12,
}  # fmt: skip
_CURRENCY_PREFIX = r"(?P<cur>us\$|\$|€|£|¥|usd\s?|eur\s?)?"
_CN_NUM = r"(?P<cn>[零〇一二两三四五六七八九十百千万亿]*[十百千万亿][零〇一二两三四五六七八九十百千万亿]*)"
_WORD_NUM = (
    r"(?P<wn>a|an|one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|forty|fifty|a hundred|one hundred|"
    r"hundred|half a|un|una|une|dos|deux|tres|trois|cinco|cinq|diez|dix|veinte|vingt|cincuenta|cinquante|cien|cent)"
    r"\s+(?P<wsuf>thousand|million|billion|trillion|millon|millones|million|millions|milliard|milliards|mil millones)"
    r"(?![a-z])"
)
_WORD_VALUES = {
    "a": 1, "an": 1, "one": 1, "un": 1, "una": 1, "une": 1, "half a": 0.5, "two": 2, "dos": 2, "deux": 2,
    "three": 3, "tres": 3, "trois": 3, "four": 4, "five": 5, "cinco": 5, "cinq": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "diez": 10, "dix": 10, "twenty": 20, "veinte": 20, "vingt": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "cincuenta": 50, "cinquante": 50, "hundred": 100, "a hundred": 100,
    "one hundred": 100, "cien": 100, "cent": 100,
}  # fmt: skip


def _number_regex(num: str) -> re.Pattern[str]:
    return re.compile(
        r"(?<![a-z0-9_])(?<!\d[.,])" + _CURRENCY_PREFIX + r"\s?(?P<num>" + num + r")" + _SUFFIX + r"(?![0-9])"
        "|" + _CN_NUM + "|(?<![a-z])" + _WORD_NUM
    )


_NUMBER = {"en": _number_regex(_NUM_EN), "space": _number_regex(_NUM_SPACE)}


def to_float(text: str, lang: str = "en", *, decimal_dot: bool = False) -> float:
    """'32,000' → 32000; '0,85' → 0.85; '5.000' → 5000 in es/fr (5.0 in en); '5 000' → 5000.

    ``decimal_dot`` marks a small decimal (γ, MFU, a percentage): then '.' and ',' are both decimal
    marks ('1,045' → 1.045, as a Spanish or French γ is written).
    """
    s = re.sub(r"[ \u00a0\u202f]", "", text)
    mantissa, _, exponent = s.partition("e")
    if "," in mantissa and "." in mantissa:
        mantissa = mantissa.replace(",", "") if mantissa.index(",") < mantissa.index(".") else _swap(mantissa)
    elif "," in mantissa and decimal_dot and mantissa.count(",") == 1:
        mantissa = mantissa.replace(",", ".")
    elif "," in mantissa:
        head, *groups = mantissa.split(",")
        thousands = head not in ("0", "") and all(len(g) == 3 for g in groups)
        mantissa = mantissa.replace(",", "") if thousands else mantissa.replace(",", ".")
    elif mantissa.count(".") > 1:
        mantissa = mantissa.replace(".", "")
    elif "." in mantissa and not decimal_dot and lang in ("es", "fr"):
        head, tail = mantissa.split(".")
        if len(tail) == 3 and head not in ("0", ""):
            mantissa = head + tail
    value = float(mantissa)  # a 400-digit literal saturates to inf
    if not exponent or not math.isfinite(value):
        return value
    # float() of the rebuilt literal saturates to inf / 0.0 ('1e400', '0E400') where value * 10**exponent
    # would raise OverflowError; extract() keeps an infinite value as an "overflow" quantity, and the
    # router reports it as an error naming the number (never a silent default)
    return float(f"{value!r}e{int(exponent)}")


def _swap(s: str) -> str:
    return s.replace(".", "").replace(",", ".")


def parse_cn(text: str) -> float:
    """Chinese numerals with multipliers: 五千 → 5000, 三万二千 → 32000, 一亿五千万 → 1.5e8, 十亿 → 1e9."""
    digits = {
        "零": 0,
        "〇": 0,
        "一": 1,
        "二": 2,
        "两": 2,
        "三": 3,
        "四": 4,
        "五": 5,
        "六": 6,
        "七": 7,
        "八": 8,
        "九": 9,
    }
    units = {"十": 10, "百": 100, "千": 1000}
    total = section = number = 0.0
    for char in text:
        if char in digits:
            number = digits[char]
        elif char in units:
            section += (number or 1) * units[char]
            number = 0
        elif char == "万":
            section = (section + number) * 1e4
            number = 0
        elif char == "亿":
            total = (total + section + number) * 1e8
            section = number = 0
    return total + section + number


# ---- what the numbers measure ------------------------------------------------------------------------
@dataclass(frozen=True)
class Quantity:
    """One number read from the question, with what it measures."""

    kind: str  # length, params, money, gpu_price, api_price, volume, tokens, gamma, delta_gamma, theta,
    #            t_train, layers, heads, kv_heads, d_head, gpus, users, mfu, kv_mass, precision, percent, bare,
    #            overflow (a number too large to compute with; ``hint`` holds what it would have measured)
    value: float
    span: tuple[int, int]
    text: str
    period: str | None = None  # volumes: day, week, month, year, hour, second
    currency: str | None = None  # money: USD, EUR, GBP, CNY, JPY; None when no currency was written
    qualifier: str | None = None  # gamma: text / random / obs; precision: kv; tokens: train; users: plain
    scaled: bool = False  # written with a scale suffix (32K, 7B, 50 million)
    hint: str = ""  # the word that decided the kind (before = preceding word)


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
    r"\s?(?P<c>usd|us\$|dollars?|dolares|dolar|bucks|eur"
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
_EVERY = r"(?:per|a|an|each|every|por|al|a la|la|cada|par|chaque)\s+"
_PERIOD_AFTER = (
    (
        "day",
        r"/\s*(?:day|d|dia|jour)(?![a-z])|/\s*(?:天|日)|" + _EVERY + r"(?:day|dia|jour)(?![a-z])|daily|diari[oa]s?|"
        r"quotidien\w*|每天|每日|一天",
    ),
    (
        "week",
        r"/\s*(?:week|wk|semana|semaine)(?![a-z])|" + _EVERY + r"(?:week|semana|semaine)(?![a-z])|weekly|"
        r"semanal\w*|hebdomadaire\w*|每周|每星期",
    ),
    (
        "month",
        r"/\s*(?:month|mo|mes|mois)(?![a-z])|/\s*月|" + _EVERY + r"(?:month|mes|mois)(?![a-z])|monthly|"
        r"mensual\w*|mensuel\w*|每月|每个月|一个月",
    ),
    (
        "year",
        r"/\s*(?:year|yr|ano|an)(?![a-z])|/\s*年|" + _EVERY + r"(?:year|ano|an)(?![a-z])|yearly|annually|"
        r"anual\w*|annuel\w*|每年|一年",
    ),
    (
        "hour",
        r"/\s*(?:hour|hr|h|hora|heure)(?![a-z])|/\s*小时|" + _EVERY + r"(?:hour|hora|heure)(?![a-z])|hourly|每小时",
    ),
    ("second", r"/\s*(?:second|sec|s)(?![a-z])|/\s*秒|" + _EVERY + r"(?:second|segundo|seconde)(?![a-z])|每秒"),
)
_PERIOD_AFTER_RE = tuple((p, re.compile(r"\s*(?:" + rx + ")")) for p, rx in _PERIOD_AFTER)
_PERIOD_AFTER_TOKENS_ONLY = (("day", re.compile(r"\s*(?:天|日)")), ("month", re.compile(r"\s*(?:月)")))
_NEAR = r"[^\d;,.!?]{0,14}$"  # a period word just before the number, same clause
_PERIOD_BEFORE = (
    ("day", re.compile(r"(?:每天|每日|日均|一天|daily|per day|a day|al dia|por dia|par jour|diari[oa]s?|quotidien\w*)"
                       + _NEAR)),
    ("month", re.compile(r"(?:每月|每个月|月均|一个月|monthly|per month|a month|al mes|por mes|par mois|mensual\w*|"
                         r"mensuel\w*)" + _NEAR)),
    ("year", re.compile(r"(?:每年|yearly|annual\w*|per year|al ano|par an)" + _NEAR)),
)  # fmt: skip
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


def _scale_of(match: re.Match[str]) -> tuple[float, str]:
    for group in ("suf", "sufw", "sufc"):
        suffix = match.group(group)
        if suffix:
            return _SCALE[re.sub(r"\s+", " ", suffix)], suffix
    return 1.0, ""


def number_at(match: re.Match[str], lang: str) -> tuple[float, bool, str]:
    """(value, scaled, suffix) of a match of the number regex."""
    if match.group("cn"):
        return parse_cn(match.group("cn")), True, match.group("cn")
    if match.group("wn"):
        suffix = re.sub(r"\s+", " ", match.group("wsuf"))
        return _WORD_VALUES[match.group("wn")] * _SCALE[suffix], True, suffix
    scale, suffix = _scale_of(match)
    return to_float(match.group("num"), lang) * scale, bool(suffix), suffix


# ---- specialised patterns (run first, they claim their numbers) ---------------------------------------
_N = r"(?P<num>\d+(?:[.,]\d+)?(?:e[+-]?\d+)?)"
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
    r"|(?:n_layers|num_hidden_layers|layers)\s*[=:]\s*(?P<num2>\d+)"
)
_KV_HEADS = re.compile(
    r"(?<![\d.])(?P<num>\d+)\s*-?\s*(?:kv|key[- ]value|k/v)[\s-]*(?:heads?|cabezas|tetes|头)|"
    r"(?:n_kv_heads|num_key_value_heads|kv heads)\s*[=:]\s*(?P<num2>\d+)|(?P<num3>\d+)\s*个\s*kv\s*头"
)
_HEADS = re.compile(
    r"(?<![\d.])(?P<num>\d+)\s*-?\s*(?:attention |query |q )?(?:heads?|cabezas(?: de atencion)?|tetes(?: d'attention)?|"
    r"个?注意力头|个头)(?![a-z])|(?:n_heads|n_attention_heads|num_attention_heads)\s*[=:]\s*(?P<num2>\d+)"
)
_D_HEAD = re.compile(r"(?:head[_\s-]?dim(?:ension)?|d_head|head size)\s*(?:=|:|of|is|de)?\s*(?P<num>\d+)")
_USERS = re.compile(
    r"(?<!\d)(?<!\d[.,])(?P<num>\d+(?:,\d{3})*)(?P<suf>k)?\s*(?:个)?\s*(?P<q>concurrent"
    r"|simultaneous|parallel|concurrentes|simultane\w*|"
    r"paralel\w*)?\s*(?:users?|requests?|sessions?|usuarios|utilisateurs|peticiones|solicitudes|requetes|connexions|"
    r"clients?|用户|请求|并发(?:请求|用户)?)(?P<q2>\s*(?:at once|at the same time|a la vez|en simultaneo|en meme temps|"
    r"a la fois|同时))?"
    r"|(?:batch(?: size)?|concurrency|并发数?|并发用户数?)\s*(?:of|=|:|de)?\s*(?P<num2>\d+)"
)
_GPU_COUNT = re.compile(
    r"(?<!\d)(?<!\d[.,])(?P<num>\d+)\s*(?:gpus?|cards?|tarjetas|cartes|张卡|块卡|张|块|卡)(?![a-z])"
)
_MFU = re.compile(
    r"mfu\s*(?:of|=|:|de|at|a|à|is|around|about|~)?\s*(?P<num>\d+(?:[.,]\d+)?)\s*(?P<pct>%)?|"
    r"(?P<num2>\d+(?:[.,]\d+)?)\s*%\s*(?:de\s+|d')?mfu"
)
_KV_MASS = re.compile(
    r"(?:keep|keeps|keeping|retain\w*|preserv\w*|conservar|mantener|garder"
    r"|conserver|保留)\s*(?:about |around |at least |al menos |au moins )?"
    r"(?P<num>\d+(?:[.,]\d+)?)\s*%|(?P<num2>\d+(?:[.,]\d+)?)\s*%\s*(?:of\s+(?:the\s+)?|de\s+(?:la\s+)?)?"
    r"(?:attention|mass|masa|masse|注意力)|(?:kv_mass_fraction|(?<![a-z])f)\s*=\s*(?P<num3>0?[.,]\d+)"
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
    """Every quantity in ``masked`` (the folded question with names blanked), left to right."""
    found: list[Quantity] = []
    taken: list[tuple[int, int]] = []

    def claim(q: Quantity) -> None:
        taken.append(q.span)  # an unusable number still hides its span from the other readers
        if not math.isfinite(q.value):
            # '1e400' overflows: kept apart so the router reports it instead of running on a default
            q = replace(q, kind="overflow", hint=q.kind)
        found.append(q)

    _gammas(masked, lang, claim, taken)
    for match in _THETA.finditer(masked):
        value = to_float(match.group("num"), lang, decimal_dot=True) * (
            _SCALE[match.group("suf")] if match.group("suf") else 1
        )
        claim(Quantity("theta", value, match.span(), match.group(0), scaled=bool(match.group("suf"))))
    for match in _T_TRAIN.finditer(masked):
        if _overlaps(match.span(), taken):
            continue
        suffix = match.group("suf") or match.group("sufw") or ""
        explicit = re.match(
            r"t_train|max_position|training (?:context|length|window|seq)|native|训练长度|训练上下文|原生",
            match.group(0),
        )
        if not (suffix or match.group("unit") or explicit):
            continue  # "trained on 4 H100s" is not a training length
        value = to_float(match.group("num"), lang) * (_SCALE[suffix] if suffix else 1)
        if value >= 1e8:
            claim(Quantity("tokens", value, match.span(), match.group(0), qualifier="train", scaled=bool(suffix)))
        else:
            claim(Quantity("t_train", value, match.span(), match.group(0), scaled=bool(suffix)))
    for kind, pattern in (("kv_heads", _KV_HEADS), ("layers", _LAYERS), ("heads", _HEADS), ("d_head", _D_HEAD)):
        for match in pattern.finditer(masked):
            if _overlaps(match.span(), taken):
                continue
            raw = next(g for g in (match.groupdict().get(n) for n in ("num", "num2", "num3")) if g)
            claim(Quantity(kind, float(raw), match.span(), match.group(0)))
    for match in _MFU.finditer(masked):
        raw = match.group("num") or match.group("num2")
        value = to_float(raw, lang, decimal_dot=True)
        if match.group("num2") or match.group("pct") or value > 1:
            value /= 100.0
        claim(Quantity("mfu", value, match.span(), match.group(0)))
    for match in _KV_MASS.finditer(masked):
        if _overlaps(match.span(), taken):
            continue
        raw = match.group("num") or match.group("num2") or match.group("num3")
        value = to_float(raw, lang, decimal_dot=True)
        claim(Quantity("kv_mass", value / 100.0 if value > 1 else value, match.span(), match.group(0)))
    for match in _PRECISION.finditer(masked):
        if _overlaps(match.span(), taken):
            continue
        name = re.sub(r"[^a-z0-9]", "", match.group("p"))
        near = masked[max(0, match.start() - 20) : match.end() + 20]
        qualifier = "kv" if re.search(r"kv|cache|缓存", near) else None
        claim(Quantity("precision", _PRECISION_BYTES[name], match.span(), match.group(0), qualifier=qualifier))
    for match in _USERS.finditer(masked):
        if _overlaps(match.span(), taken):
            continue
        if match.group("num2"):
            claim(Quantity("users", float(match.group("num2")), match.span(), match.group(0)))
            continue
        after = masked[match.end() : match.end() + 20]
        if any(rx.match(after) for _, rx in _PERIOD_AFTER_RE):
            continue  # "10,000 users a day" is a daily audience, not concurrency
        value = to_float(match.group("num"), lang) * (1e3 if match.group("suf") else 1)
        plain = not (match.group("q") or match.group("q2") or "并发" in match.group(0))
        claim(Quantity("users", value, match.span(), match.group(0), qualifier="plain" if plain else None))
    _gpu_counts(masked, gpu_spans or [], claim, taken)
    for match in _PERCENT.finditer(masked):
        if not _overlaps(match.span(), taken):
            claim(
                Quantity("percent", to_float(match.group("num"), lang, decimal_dot=True), match.span(), match.group(0))
            )
    for match in _SWA.finditer(masked):
        if not _overlaps(match.span(), taken):
            claim(Quantity("swa", 1.0, match.span(), match.group(0)))

    number = _NUMBER["space" if lang in ("es", "fr") else "en"]
    for match in number.finditer(masked):
        span = match.span()
        if match.group(0).strip() == "" or _overlaps(span, taken):
            continue
        quantity = _classify(masked, match, lang)
        if quantity is not None:
            claim(quantity)
    found.sort(key=lambda q: q.span)
    return found


def _gammas(masked: str, lang: str, claim, taken: list[tuple[int, int]]) -> None:  # type: ignore[no-untyped-def]
    keyword_ends = [m.end() for m in re.finditer(r"γ|gamma|gama", masked)]
    for match in _GAMMA.finditer(masked):
        value = to_float(match.group("num"), lang, decimal_dot=True)
        if abs(value) > 5:
            continue
        if match.group("delta"):
            claim(Quantity("delta_gamma", value, match.span(), match.group(0)))
            continue
        qualifier = _qualifier(match.group("sub") or "")
        if qualifier is None:
            qualifier = _qualifier(match.group("mid") or "")
        if qualifier is None:
            after = re.split(r"[,;]| and | y | et |和|与|，", masked[match.end() : match.end() + 30])[0]
            qualifier = _qualifier(after)
        if qualifier is None:
            before = re.split(r"[,;\d]| and | y | et |和|与|，", masked[max(0, match.start() - 16) : match.start()])[-1]
            qualifier = _qualifier(before)
        sub = (match.group("sub") or "").strip(" _-")
        if qualifier is None and sub.startswith(("obs", "measured")):
            qualifier = "obs"
        claim(Quantity("gamma", value, match.span(), match.group(0), qualifier=qualifier))
    # "γ = 0.93 on text and 1.0 on random tokens": later decimals with a qualifier, shortly after a γ word
    for match in re.finditer(r"(?<!\d)(?<!\d[.,])(?P<num>[-+]?\d+[.,]\d+)", masked):
        if _overlaps(match.span(), taken):
            continue
        near_keyword = any(0 < match.start() - end < 80 for end in keyword_ends)
        if not near_keyword and not _ON_CORPUS.match(masked[match.end() : match.end() + 30]):
            continue
        after = re.split(r"[,;\d]| and | y | et |和|与", masked[match.end() : match.end() + 28])[0]
        before = re.split(r"[,;\d]| and | y | et |和|与", masked[max(0, match.start() - 14) : match.start()])[-1]
        qualifier = _qualifier(after) or _qualifier(before)
        value = to_float(match.group("num"), lang, decimal_dot=True)
        if qualifier in ("text", "random") and abs(value) <= 5:
            claim(Quantity("gamma", value, match.span(), match.group(0), qualifier=qualifier))


def _qualifier(text: str) -> str | None:
    has_text, has_random = bool(_TEXT_WORDS.search(text)), bool(_RANDOM_WORDS.search(text))
    if has_random and not has_text:
        return "random"
    if has_text and not has_random:
        return "text"
    if "obs" in text or "measured" in text:
        return "obs"
    return None


def _gpu_counts(masked: str, gpu_spans: list[tuple[int, int]], claim, taken: list[tuple[int, int]]) -> None:  # type: ignore[no-untyped-def]
    for start, end in gpu_spans:
        before = re.search(
            r"(?<!\d)(?<!\d[.,])(\d+)\s*(?:x|\*|张|块|个)?\s*(?:nvidia\s+|amd\s+)?$", masked[max(0, start - 16) : start]
        )
        if before:
            offset = max(0, start - 16) + before.start(1)
            span = (offset, offset + len(before.group(1)))
            if not _overlaps(span, taken):
                claim(Quantity("gpus", float(before.group(1)), span, before.group(0)))
                continue
        after = re.match(r"(?:s)?\s*(?:gpus?\s*)?(?:x|\*)\s*(\d+)(?![\d.,])", masked[end : end + 16])
        if after:
            span = (end + after.start(1), end + after.end(1))
            if not _overlaps(span, taken):
                claim(Quantity("gpus", float(after.group(1)), span, after.group(0)))
    for match in _GPU_COUNT.finditer(masked):
        if not _overlaps(match.span(), taken):
            claim(Quantity("gpus", float(match.group("num")), match.span(), match.group(0)))


def _classify(masked: str, match: re.Match[str], lang: str) -> Quantity | None:
    """Decide what one number measures from the words around it."""
    start, end = match.span()
    text = match.group(0).strip()
    try:
        value, scaled, suffix = number_at(match, lang)
    except (ValueError, OverflowError):
        return None
    after = masked[end : end + 48]
    before = masked[max(0, start - 48) : start]
    span = (start, end)

    currency = None
    prefix = (match.group("cur") or "").strip() if match.groupdict().get("cur") is not None else ""
    if prefix:
        currency = _CURRENCY_CODE.get(prefix, "USD")
    else:
        cur_after = _CURRENCY_AFTER.match(after)
        if cur_after:
            currency = _CURRENCY_CODE.get(cur_after.group("c"), "USD")
            after = after[cur_after.end() :]
            span = (start, end + cur_after.end())
            text = masked[start : span[1]].strip()
    if currency is None and suffix == "grand":
        currency = "USD"  # "10 grand"
    if currency is None and re.search(r"[$€£]\s*$", before):
        currency = _CURRENCY_CODE.get(before.rstrip()[-1], "USD")
    if currency is not None:
        if _RATE_HOUR.match(after):
            return Quantity("gpu_price", value, span, text, currency=currency, scaled=scaled)
        if _RATE_MTOK.match(after):
            return Quantity("api_price", value, span, text, currency=currency, scaled=scaled)
        period = _period_after(after, tokens=False)
        return Quantity("money", value, span, text, period=period, currency=currency, scaled=scaled)

    if _MEMORY_AFTER.match(after):
        return Quantity("memory", value, span, text, scaled=scaled)

    tokens = _TOKENS_WORD.match(after)
    rest = after[tokens.end() :] if tokens else after
    big = suffix.strip() in ("b", "bn", "billion", "billions", "milliard", "milliards", "mil millones", "十亿", "亿")
    if not tokens and (_PARAMS_AFTER.match(after) or (big and _MODEL_AFTER.match(after))):
        return Quantity("params", value, span, text, scaled=scaled, hint="params")
    period = _period_after(rest, tokens=bool(tokens)) or _period_before(before)
    if period is not None:
        return Quantity("volume", value, span, text, period=period, scaled=scaled, hint="tokens" if tokens else "")
    if tokens:
        if _CONTEXT_AFTER.match(rest) or value <= 1e7:
            return Quantity("length", value, span, text, scaled=scaled, hint="tokens")
        train = bool(_TRAIN_NEAR.search(before[-30:]) or _TRAIN_NEAR.match(rest.strip()) or "train" in tokens.group(0))
        return Quantity("tokens", value, span, text, qualifier="train" if train else None, scaled=scaled)
    if _CONTEXT_AFTER.match(after):
        return Quantity("length", value, span, text, scaled=scaled, hint="context")
    if _PARAMS_AFTER.match(after) or _PARAMS_BEFORE.search(before):
        return Quantity("params", value, span, text, scaled=scaled, hint="params")
    millions = suffix in ("m", "million", "millions", "millones", "millon", "百万")
    if big or (millions and (_MODEL_AFTER.match(after) or _MODEL_BEFORE.search(before))):
        return Quantity("params", value, span, text, scaled=scaled, hint="size")
    if _LENGTH_BEFORE.search(before):
        return Quantity("length", value, span, text, scaled=scaled, hint="before")
    if _MONEY_BEFORE.search(before) or _MONEY_AFTER.match(after):
        return Quantity("money", value, span, text, scaled=scaled, hint="budget")
    if suffix in ("k", "thousand", "thousands", "mille", "千", "万") and value <= 1e7:
        return Quantity("length", value, span, text, scaled=scaled, hint="k")
    if (
        suffix in ("m", "million", "millions", "millones", "millon")
        and value <= 1e7
        and re.search(r"(?:context|contexto|contexte|上下文|window)\s*(?:of|de|:)?\s*$", before)
    ):
        return Quantity("length", value, span, text, scaled=scaled, hint="before")
    at = bool(_AT_BEFORE.search(before))
    return Quantity("bare", value, span, text, scaled=scaled, hint="at" if at else "")


def _period_after(text: str, *, tokens: bool) -> str | None:
    for period, pattern in _PERIOD_AFTER_RE:
        if pattern.match(text):
            return period
    if tokens:
        for period, pattern in _PERIOD_AFTER_TOKENS_ONLY:
            if pattern.match(text):
                return period
    return None


def _period_before(text: str) -> str | None:
    for period, pattern in _PERIOD_BEFORE:
        if pattern.search(text):
            return period
    return None


DAYS_PER = {"day": 1.0, "week": 7.0, "month": 30.0, "year": 365.0, "hour": 1 / 24, "second": 1 / 86400}


def per_day(value: float, period: str) -> float:
    """Tokens per day from a volume in ``period`` (a month counts 30 days, a year 365)."""
    return value / DAYS_PER[period]


def per_month(value: float, period: str) -> float:
    """Tokens per month from a volume in ``period`` (a year is 12 months; shorter periods count 30 days)."""
    if period == "year":
        return value / 12.0
    return per_day(value, period) * 30.0
