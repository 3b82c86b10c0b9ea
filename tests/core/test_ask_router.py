"""The question router: the spec's six example questions, a table of realistic questions across the eight
recipes and four languages (expected recipe, model and every parameter read from the question), and
questions that must not route. ``benchmarks/bench_ask.py`` prints accuracy and timing on this table.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from tafagent.core.ask import route

L3 = "meta-llama/Meta-Llama-3-8B"
L31 = "meta-llama/Llama-3.1-8B"
L31_70 = "meta-llama/Llama-3.1-70B"
L32_1 = "meta-llama/Llama-3.2-1B"
L32_3 = "meta-llama/Llama-3.2-3B"
L33_70 = "meta-llama/Llama-3.3-70B-Instruct"
M7 = "mistralai/Mistral-7B-v0.1"
NEMO = "mistralai/Mistral-Nemo-Base-2407"
MIX = "mistralai/Mixtral-8x7B-v0.1"
Q7 = "Qwen/Qwen2.5-7B"
Q15 = "Qwen/Qwen2.5-1.5B"
Q72 = "Qwen/Qwen2.5-72B"
Q3_8 = "Qwen/Qwen3-8B"
G9 = "google/gemma-2-9b"
G2 = "google/gemma-2-2b"
PHI = "microsoft/Phi-3-mini-4k-instruct"
P1B = "EleutherAI/pythia-1b"
P14 = "EleutherAI/pythia-1.4b"
P28 = "EleutherAI/pythia-2.8b"
P410 = "EleutherAI/pythia-410m"
P70 = "EleutherAI/pythia-70m"
FALCON = "tiiuae/falcon-7b"
GPT2 = "openai-community/gpt2"
NONE = "-"  # no model expected

# The reference UI's six "Try an example" questions (spec §7.8.2, js/main.js EXAMPLES), verbatim.
SPEC_EXAMPLES: list[tuple[str, str, dict[str, Any], str]] = [
    ("Will Meta-Llama-3-8B handle 32000-token NIAH retrieval reliably?", "X-2", {"T_eval": 32000}, L3),
    ("I have $5000 to spend on training. What model can I afford?", "X-3", {"USD_budget": 5000}, NONE),
    ("Should I use Mistral-7B-v0.1 at 16K context or extend it first?", "X-2", {"T_eval": 16000}, M7),
    (
        "Compare cheapest GPU to serve Llama-3-8B at 10 million tokens per day.",
        "X-5",
        {"target_tokens_per_day": 1e7},
        L3,
    ),
    ("Should I use soft KV decay or hard cutoff for Qwen2.5-7B at 32K?", "X-19", {"T_eval": 32000}, Q7),
    (
        "Is it cheaper to train an 8B custom model or use GPT-4o for 50M tokens/month?",
        "X-1",
        {"N_params": 8e9, "api_model": "GPT-4o", "monthly_tokens_M": 50},
        NONE,
    ),
]

# (question, recipe, every parameter read from the question, model)
CASES: list[tuple[str, str, dict[str, Any], str]] = [
    # ---- X-2 long context, English
    ("Can Llama 3 8B find a needle in a 100k token haystack?", "X-2", {"T_eval": 100000}, L3),
    ("Is Qwen2.5-7B reliable at 128k context?", "X-2", {"T_eval": 128000}, Q7),
    ("Will llama3.1-8b retrieve facts from a 64K-token document?", "X-2", {"T_eval": 64000}, L31),
    ("Does gemma 2 9b work with a 32,000-token context window?", "X-2", {"T_eval": 32000}, G9),
    ("How long a context can Phi-3 mini handle? I need 8k.", "X-2", {"T_eval": 8000}, PHI),
    ("Can mixtral 8x7b do long-context retrieval at 1M context?", "X-2", {"T_eval": 1000000}, MIX),
    ("meta-llama/Llama-3.1-8B at 128K: will retrieval degrade?", "X-2", {"T_eval": 128000}, L31),
    ("Lost in the middle: will Qwen2.5-1.5B cope with 20k tokens?", "X-2", {"T_eval": 20000}, Q15),
    ("Is a 16k prompt OK for pythia-1.4b?", "X-2", {"T_eval": 16000}, P14),
    ("Can llama 3.2 3b handle long documents of 50k tokens?", "X-2", {"T_eval": 50000}, L32_3),
    ("What is the retrieval horizon of Llama-3.3-70B at 100,000 tokens?", "X-2", {"T_eval": 100000}, L33_70),
    ("Will Mistral Nemo stay accurate at 96k context length?", "X-2", {"T_eval": 96000}, NEMO),
    ("Will qwen3 8b hallucinate at 40960 tokens of context?", "X-2", {"T_eval": 40960}, Q3_8),
    (
        "theta=10000, 32 layers, 8 KV heads, 32 heads, head dim 128: can it do NIAH at 32k?",
        "X-2",
        {"theta": 10000, "n_layers": 32, "n_kv_heads": 8, "n_attention_heads": 32, "d_head": 128, "T_eval": 32000},
        NONE,
    ),
    ("Can Lama-3-8B handle 24k context?", "X-2", {"T_eval": 24000}, L3),
    ("Llama3-8B with 48k tokens of context — will it work?", "X-2", {"T_eval": 48000}, L3),
    ("Will Llama 3 8B work at 32k if I measured gamma 0.85?", "X-2", {"T_eval": 32000, "gamma_obs": 0.85}, L3),
    ("Can EleutherAI/pythia-2.8b retrieve at 4096 tokens?", "X-2", {"T_eval": 4096}, P28),
    ("Qwen/Qwen2.5-14B-Instruct handle 64k context?", "X-2", {"T_eval": 64000}, "Qwen/Qwen2.5-14B-Instruct"),
    ("Does falcon-7b handle a 10k context?", "X-2", {"T_eval": 10000}, FALCON),
    ("Mistral 7B at 32768 tokens: will needle-in-a-haystack recall hold up?", "X-2", {"T_eval": 32768}, M7),
    ("Will Llama 3.1 8B still work if I push it to a 200k context?", "X-2", {"T_eval": 200000}, L31),
    # ---- X-2, Spanish
    ("¿Puede Llama 3 8B manejar un contexto de 32.000 tokens?", "X-2", {"T_eval": 32000}, L3),
    ("¿Funciona Mistral 7B con una ventana de contexto de 16k?", "X-2", {"T_eval": 16000}, M7),
    ("¿Qwen2.5-7B encuentra la aguja en un pajar de 128k tokens?", "X-2", {"T_eval": 128000}, Q7),
    ("¿Es fiable gemma-2-9b con documentos largos de 50.000 tokens?", "X-2", {"T_eval": 50000}, G9),
    ("¿Hasta qué longitud de contexto aguanta Llama-3.1-8B? Necesito 100k.", "X-2", {"T_eval": 100000}, L31),
    ("¿Puedo usar phi-3-mini con 12k de contexto?", "X-2", {"T_eval": 12000}, PHI),
    ("¿Conviene extender el contexto de Mistral-7B a 32k?", "X-2", {"T_eval": 32000}, M7),
    # ---- X-2, French
    ("Est-ce que mistral 7b tient 128k de contexte ?", "X-2", {"T_eval": 128000}, M7),
    (
        "Llama 3 8B peut-il retrouver une aiguille dans une botte de foin de 32 000 tokens ?",
        "X-2",
        {"T_eval": 32000},
        L3,
    ),
    ("Qwen2.5-7B gère-t-il un contexte long de 64k ?", "X-2", {"T_eval": 64000}, Q7),
    (
        "Quelle fiabilité pour Llama-3.1-8B avec une fenêtre de contexte de 100k tokens ?",
        "X-2",
        {"T_eval": 100000},
        L31,
    ),
    ("Gemma 2 2B fonctionne-t-il à 16k tokens de contexte ?", "X-2", {"T_eval": 16000}, G2),
    ("Faut-il étendre le contexte de Phi-3 mini à 8k ?", "X-2", {"T_eval": 8000}, PHI),
    ("Pythia 1b peut-il lire des documents longs de 4096 tokens ?", "X-2", {"T_eval": 4096}, P1B),
    # ---- X-2, Chinese
    ("Llama-3-8B 能处理 32K 上下文吗？", "X-2", {"T_eval": 32000}, L3),
    ("Qwen2.5-7B 在 128k 长上下文下的大海捞针表现如何？", "X-2", {"T_eval": 128000}, Q7),
    ("mistral 7b 支持 3.2万 token 的上下文窗口吗？", "X-2", {"T_eval": 32000}, M7),
    ("Llama 3.1 8B 处理 10万 token 的长文档可靠吗？", "X-2", {"T_eval": 100000}, L31),
    ("gemma-2-9b 能否处理 16k 的上下文长度？", "X-2", {"T_eval": 16000}, G9),
    ("phi-3-mini 的上下文能扩展到 8k 吗？", "extend", {"to": 8000}, PHI),
    ("Qwen3-8B 在 64k 上下文时会产生幻觉吗？", "X-2", {"T_eval": 64000}, Q3_8),
    # ---- X-19 KV compression, English
    ("KV cache compression for Llama 3 8B at 8k: soft decay or truncation?", "X-19", {"T_eval": 8000}, L3),
    ("Can I truncate the KV cache of mistral-7b at 16k without losing quality?", "X-19", {"T_eval": 16000}, M7),
    (
        "What D_f window should I use to compress the KV cache of pythia 2.8b at 2048 tokens?",
        "X-19",
        {"T_eval": 2048},
        P28,
    ),
    ("Soft decay vs hard window for llama-3.1-8b at 128k?", "X-19", {"T_eval": 128000}, L31),
    ("Should I evict old tokens from the KV cache for Qwen2.5-1.5B at 32768 tokens?", "X-19", {"T_eval": 32768}, Q15),
    ("Is SnapKV or soft decay better for gemma-2-9b at 8192?", "X-19", {"T_eval": 8192}, G9),
    (
        "How should I compress the KV cache of Llama-3.2-1B at 64K, keeping 95% of attention mass?",
        "X-19",
        {"T_eval": 64000, "kv_mass_fraction": 0.95},
        L32_1,
    ),
    ("Hard truncation or soft decay for phi-3-mini at 4k?", "X-19", {"T_eval": 4000}, PHI),
    ("I want to shrink the KV cache of Mixtral-8x7B at 32k — which compression?", "X-19", {"T_eval": 32000}, MIX),
    ("KV cache eviction strategy for Qwen3-8B at 40k context?", "X-19", {"T_eval": 40000}, Q3_8),
    (
        "Soft KV decay for llama 3 8b with measured gamma 0.78 at 8192 tokens?",
        "X-19",
        {"T_eval": 8192, "gamma_obs": 0.78},
        L3,
    ),
    ("Should I cap the KV cache for falcon 7b with a hard cutoff?", "X-19", {}, FALCON),
    ("Trim the kv cache of mistral nemo at 64k tokens: hard cutoff or soft decay?", "X-19", {"T_eval": 64000}, NEMO),
    # ---- X-19, Spanish
    ("¿Decaimiento suave o corte duro de la caché KV para Qwen2.5-7B a 32K?", "X-19", {"T_eval": 32000}, Q7),
    ("¿Cómo comprimir la caché KV de Llama 3 8B a 16k?", "X-19", {"T_eval": 16000}, L3),
    ("¿Puedo truncar la caché KV de mistral 7b a 8.192 tokens?", "X-19", {"T_eval": 8192}, M7),
    ("Compresión de la caché KV de gemma 2 9b a 8k: ¿qué me conviene?", "X-19", {"T_eval": 8000}, G9),
    ("¿Recortar la caché de llama-3.1-8b a 64k o usar decaimiento suave?", "X-19", {"T_eval": 64000}, L31),
    ("¿Qué ventana D_f uso para comprimir la caché KV de pythia 1b a 2048 tokens?", "X-19", {"T_eval": 2048}, P1B),
    # ---- X-19, French
    ("Décroissance douce ou coupure nette du cache KV pour Qwen2.5-7B à 32k ?", "X-19", {"T_eval": 32000}, Q7),
    ("Comment compresser le cache KV de Llama 3 8B à 16k ?", "X-19", {"T_eval": 16000}, L3),
    ("Puis-je tronquer le cache KV de mistral 7b à 8192 tokens ?", "X-19", {"T_eval": 8192}, M7),
    ("Compression du cache KV pour gemma 2 9b à 8k : que choisir ?", "X-19", {"T_eval": 8000}, G9),
    (
        "Faut-il une troncature nette ou une décroissance douce pour llama-3.1-8b à 128k ?",
        "X-19",
        {"T_eval": 128000},
        L31,
    ),
    ("Quelle fenêtre D_f pour compresser le cache KV de pythia 2.8b à 2048 tokens ?", "X-19", {"T_eval": 2048}, P28),
    # ---- X-19, Chinese
    ("Qwen2.5-7B 在 32K 时该用软衰减还是硬截断？", "X-19", {"T_eval": 32000}, Q7),
    ("如何压缩 Llama-3-8B 在 16k 上下文下的 KV 缓存？", "X-19", {"T_eval": 16000}, L3),
    ("mistral 7b 在 8192 token 时可以截断 KV 缓存吗？", "X-19", {"T_eval": 8192}, M7),
    ("gemma-2-9b 的 KV缓存压缩在 8k 时怎么选？", "X-19", {"T_eval": 8000}, G9),
    ("llama 3.1 8b 在 128k 时 KV 缓存用软衰减还是硬截断？", "X-19", {"T_eval": 128000}, L31),
    ("pythia-1b 在 2048 token 时如何裁剪 KV 缓存？", "X-19", {"T_eval": 2048}, P1B),
    # ---- X-1 build vs buy, English
    (
        "Should I train my own 7B model or pay for Claude Sonnet at 100M tokens a month?",
        "X-1",
        {"N_params": 7e9, "api_model": "Claude-Sonnet-4", "monthly_tokens_M": 100},
        NONE,
    ),
    (
        "Build or buy: a custom 13B model vs GPT-4o-mini for 1B tokens per month",
        "X-1",
        {"N_params": 13e9, "api_model": "GPT-4o-mini", "monthly_tokens_M": 1000},
        NONE,
    ),
    (
        "When does training a 3B domain model break even against DeepSeek-V3 at 500 million tokens per month?",
        "X-1",
        {"N_params": 3e9, "api_model": "DeepSeek-V3", "monthly_tokens_M": 500},
        NONE,
    ),
    (
        "Is self-hosting llama-3-8b cheaper than GPT-4o at 20M tokens/day?",
        "X-1",
        {"api_model": "GPT-4o", "monthly_tokens_M": 600},
        L3,
    ),
    (
        "We use Claude Haiku for 2B tokens a month; would our own 1B model pay back?",
        "X-1",
        {"api_model": "Claude-Haiku-4", "monthly_tokens_M": 2000, "N_params": 1e9},
        NONE,
    ),
    (
        "Custom 8B model trained on 4 H100s vs Gemini 1.5 Pro at 30M tokens/month?",
        "X-1",
        {"N_params": 8e9, "gpu": "H100 SXM", "n_gpus": 4, "api_model": "Gemini-1.5-Pro", "monthly_tokens_M": 30},
        NONE,
    ),
    (
        "Train a 70B in-house model or keep using Claude Opus for 5 billion tokens a month?",
        "X-1",
        {"N_params": 7e10, "api_model": "Claude-Opus-4", "monthly_tokens_M": 5000},
        NONE,
    ),
    (
        "Break-even for our own 8B LLM versus GPT-4o at 10M tokens per month with 45% MFU on 8 A100s",
        "X-1",
        {
            "N_params": 8e9,
            "api_model": "GPT-4o",
            "monthly_tokens_M": 10,
            "mfu": 0.45,
            "gpu": "A100 80GB",
            "n_gpus": 8,
        },
        NONE,
    ),
    (
        "Should we fine-tune our own 7b model or pay per token to the OpenAI API at 300M tokens/month?",
        "X-1",
        {"N_params": 7e9, "api_model": "GPT-4o", "monthly_tokens_M": 300, "training": "full_finetune"},
        NONE,
    ),
    (
        "Is it worth training a 2B model on 40B tokens instead of using GPT-4o-mini for 80M tokens a month?",
        "X-1",
        {"N_params": 2e9, "D_tokens": 4e10, "api_model": "GPT-4o-mini", "monthly_tokens_M": 80},
        NONE,
    ),
    (
        "Would a custom 8B model be cheaper than GPT-4o at 2 million tokens per day?",
        "X-1",
        {"N_params": 8e9, "api_model": "GPT-4o", "monthly_tokens_M": 60},
        NONE,
    ),
    (
        "ROI of training our own 1.5B model vs Claude Sonnet 4 at 40M tokens a month",
        "X-1",
        {"N_params": 1.5e9, "api_model": "Claude-Sonnet-4", "monthly_tokens_M": 40},
        NONE,
    ),
    (
        "Train or use the API? 8B model, 5M tokens per month, GPT-4o",
        "X-1",
        {"N_params": 8e9, "api_model": "GPT-4o", "monthly_tokens_M": 5},
        NONE,
    ),
    # ---- X-1, Spanish
    (
        "¿Me sale más barato entrenar un modelo propio de 8B o usar GPT-4o con 50 millones de tokens al mes?",
        "X-1",
        {"N_params": 8e9, "api_model": "GPT-4o", "monthly_tokens_M": 50},
        NONE,
    ),
    (
        "¿Entrenar nuestro propio modelo de 7B o pagar la API de Claude Sonnet para 100M tokens al mes?",
        "X-1",
        {"N_params": 7e9, "api_model": "Claude-Sonnet-4", "monthly_tokens_M": 100},
        NONE,
    ),
    (
        "Punto de equilibrio de un modelo propio de 3B frente a DeepSeek-V3 con 1.000 millones de tokens al mes",
        "X-1",
        {"N_params": 3e9, "api_model": "DeepSeek-V3", "monthly_tokens_M": 1000},
        NONE,
    ),
    (
        "¿Compensa entrenar un modelo personalizado de 13B en vez de usar GPT-4o-mini a 20M tokens al día?",
        "X-1",
        {"N_params": 13e9, "api_model": "GPT-4o-mini", "monthly_tokens_M": 600},
        NONE,
    ),
    (
        "Construir o comprar: modelo de 8B frente a Gemini 1.5 Pro con 30 millones de tokens mensuales",
        "X-1",
        {"N_params": 8e9, "api_model": "Gemini-1.5-Pro", "monthly_tokens_M": 30},
        NONE,
    ),
    # ---- X-1, French
    (
        "Vaut-il mieux entraîner notre propre modèle de 8B ou utiliser GPT-4o pour 50 millions de tokens par mois ?",
        "X-1",
        {"N_params": 8e9, "api_model": "GPT-4o", "monthly_tokens_M": 50},
        NONE,
    ),
    (
        "Modèle sur mesure de 7B ou API Claude Sonnet à 100M tokens par mois : lequel est moins cher ?",
        "X-1",
        {"N_params": 7e9, "api_model": "Claude-Sonnet-4", "monthly_tokens_M": 100},
        NONE,
    ),
    (
        "Seuil de rentabilité d'un modèle maison de 3B face à DeepSeek-V3 avec 1 milliard de tokens par mois",
        "X-1",
        {"N_params": 3e9, "api_model": "DeepSeek-V3", "monthly_tokens_M": 1000},
        NONE,
    ),
    (
        "Entraîner un modèle personnalisé de 13B ou garder GPT-4o-mini à 20M tokens par jour ?",
        "X-1",
        {"N_params": 13e9, "api_model": "GPT-4o-mini", "monthly_tokens_M": 600},
        NONE,
    ),
    (
        "Est-il rentable d'entraîner un modèle de 1B plutôt que d'utiliser Claude Haiku pour 200 millions de tokens "
        "mensuels ?",
        "X-1",
        {"N_params": 1e9, "api_model": "Claude-Haiku-4", "monthly_tokens_M": 200},
        NONE,
    ),
    # ---- X-1, Chinese
    (
        "自己训练一个 8B 模型还是用 GPT-4o？每月 5000万 token。",
        "X-1",
        {"N_params": 8e9, "api_model": "GPT-4o", "monthly_tokens_M": 50},
        NONE,
    ),
    (
        "每月1亿token，自训练7B模型和调用Claude Sonnet哪个更划算？",
        "X-1",
        {"N_params": 7e9, "api_model": "Claude-Sonnet-4", "monthly_tokens_M": 100},
        NONE,
    ),
    (
        "3B 定制模型对比 DeepSeek-V3，每月 10亿 token 多久能回本？",
        "X-1",
        {"N_params": 3e9, "api_model": "DeepSeek-V3", "monthly_tokens_M": 1000},
        NONE,
    ),
    (
        "每天2000万token，自己训练13B模型还是用GPT-4o-mini更便宜？",
        "X-1",
        {"N_params": 13e9, "api_model": "GPT-4o-mini", "monthly_tokens_M": 600},
        NONE,
    ),
    (
        "训练自己的 1B 模型和使用 Gemini 1.5 Pro 相比，每月 3000万 token 时的盈亏平衡点？",
        "X-1",
        {"N_params": 1e9, "api_model": "Gemini-1.5-Pro", "monthly_tokens_M": 30},
        NONE,
    ),
    # ---- X-3 budget, English
    ("What can I train with a $50,000 budget on H100s?", "X-3", {"USD_budget": 5e4, "gpu": "H100 SXM"}, NONE),
    ("Budget of 5k USD: how big a model can I train?", "X-3", {"USD_budget": 5000}, NONE),
    ("With €5000, what model size can we pretrain on our budget?", "X-3", {"USD_budget": 5000}, NONE),
    (
        "How large a model can I train for $100k on 8 A100 80GB GPUs?",
        "X-3",
        {"USD_budget": 1e5, "gpu": "A100 80GB", "n_gpus": 8},
        NONE,
    ),
    (
        "Training budget $2,500 on an RTX 4090 — what's compute-optimal?",
        "X-3",
        {"USD_budget": 2500, "gpu": "RTX 4090"},
        NONE,
    ),
    (
        "$1M budget, 64 H200 at 40% MFU: what model size?",
        "X-3",
        {"USD_budget": 1e6, "gpu": "H200", "n_gpus": 64, "mfu": 0.4},
        NONE,
    ),
    ("Can I train a 7B model with a budget of $20,000?", "X-3", {"USD_budget": 2e4, "N_params": 7e9}, NONE),
    ("What does a $300 budget buy in training on MI300X?", "X-3", {"USD_budget": 300, "gpu": "MI300X"}, NONE),
    ("Pre-flight check: $10k on L40S, what's the largest model?", "X-3", {"USD_budget": 1e4, "gpu": "L40S"}, NONE),
    ("We have 50000 dollars for pretraining. How many parameters can we afford?", "X-3", {"USD_budget": 5e4}, NONE),
    (
        "Budget 1.5 million dollars, B200 cluster of 128 GPUs: what can we train?",
        "X-3",
        {"USD_budget": 1.5e6, "gpu": "B200", "n_gpus": 128},
        NONE,
    ),
    ("$5000 at $2/hour per GPU, what can I train?", "X-3", {"USD_budget": 5000, "gpu_usd_per_hour": 2}, NONE),
    # ---- X-3, Spanish
    (
        "Tengo 5.000 dólares de presupuesto para entrenar, ¿qué modelo puedo entrenar?",
        "X-3",
        {"USD_budget": 5000},
        NONE,
    ),
    (
        "¿Qué tamaño de modelo puedo entrenar con 20.000 € en H100?",
        "X-3",
        {"USD_budget": 20000, "gpu": "H100 SXM"},
        NONE,
    ),
    (
        "Presupuesto de 100k USD con 8 A100: ¿qué modelo me puedo permitir?",
        "X-3",
        {"USD_budget": 1e5, "gpu": "A100 80GB", "n_gpus": 8},
        NONE,
    ),
    (
        "¿Con 3 mil dólares qué modelo puedo entrenar en una RTX 4090?",
        "X-3",
        {"USD_budget": 3000, "gpu": "RTX 4090"},
        NONE,
    ),
    # ---- X-3, French
    ("J'ai 5 000 $ de budget : quel modèle puis-je entraîner ?", "X-3", {"USD_budget": 5000}, NONE),
    (
        "Avec 20 000 euros sur des H100, quelle taille de modèle peut-on entraîner ?",
        "X-3",
        {"USD_budget": 20000, "gpu": "H100 SXM"},
        NONE,
    ),
    (
        "Budget de 100k USD avec 8 A100 : que puis-je entraîner ?",
        "X-3",
        {"USD_budget": 1e5, "gpu": "A100 80GB", "n_gpus": 8},
        NONE,
    ),
    (
        "Quel est le plus grand modèle que je peux m'offrir avec 3000 dollars sur une RTX 4090 ?",
        "X-3",
        {"USD_budget": 3000, "gpu": "RTX 4090"},
        NONE,
    ),
    # ---- X-3, Chinese
    ("预算五千美元能训练多大的模型？", "X-3", {"USD_budget": 5000}, NONE),
    ("用 5 万美元在 H100 上能训练多大的模型？", "X-3", {"USD_budget": 50000, "gpu": "H100 SXM"}, NONE),
    (
        "预算 10万美元，8张A100，能训练什么规模的模型？",
        "X-3",
        {"USD_budget": 1e5, "gpu": "A100 80GB", "n_gpus": 8},
        NONE,
    ),
    ("我有 3000 美元，用 RTX 4090 能训练多大的模型？", "X-3", {"USD_budget": 3000, "gpu": "RTX 4090"}, NONE),
    # ---- X-5 hardware, English
    ("Which GPU should I use to serve Qwen2.5-7B at 100M tokens/day?", "X-5", {"target_tokens_per_day": 1e8}, Q7),
    (
        "Cheapest hardware to deploy a 70B model at 1B tokens per day in int4",
        "X-5",
        {"N_params": 7e10, "target_tokens_per_day": 1e9, "bytes_per_weight": 0.5},
        NONE,
    ),
    (
        "What GPU for serving mistral 7b with 32 concurrent users at 8k context?",
        "X-5",
        {"concurrent_users": 32, "T_eval": 8000},
        M7,
    ),
    ("How much VRAM do I need to host llama 3.1 70b at 32k context?", "memory", {"context": 32000}, L31_70),
    ("Best GPU to run Mixtral 8x7B for 50M tokens a day?", "X-5", {"target_tokens_per_day": 5e7}, MIX),
    (
        "Serve a 13B model at 500 tokens per second — which card?",
        "X-5",
        {"N_params": 13e9, "target_tokens_per_day": 500 * 86400},
        NONE,
    ),
    (
        "Which GPU is cheapest for 1 billion tokens a month with Llama-3.1-8B?",
        "X-5",
        {"target_tokens_per_day": 1e9 / 30},
        L31,
    ),
    (
        "Can I serve gemma 2 9b on an RTX 4090 at 5M tokens per day?",
        "plan",
        {"tokens_per_day": 5e6, "gpu": "RTX 4090"},
        G9,
    ),
    (
        "Inference hardware for a 7B model in fp8 with 16 simultaneous requests",
        "X-5",
        {"N_params": 7e9, "bytes_per_weight": 1.0, "concurrent_users": 16},
        NONE,
    ),
    ("What's the cheapest way to serve Qwen2.5-72B at 20M tokens/day?", "X-5", {"target_tokens_per_day": 2e7}, Q72),
    ("Deploy llama-3.2-3b for 200k tokens per hour: which GPU?", "X-5", {"target_tokens_per_day": 4.8e6}, L32_3),
    (
        "Which accelerator should host Phi-3 mini at 4k context and 2 million tokens a day?",
        "X-5",
        {"T_eval": 4000, "target_tokens_per_day": 2e6},
        PHI,
    ),
    (
        "GPU memory needed to serve a 34B model with batch size 8 at 16k context",
        "X-5",
        {"N_params": 34e9, "concurrent_users": 8, "T_eval": 16000},
        NONE,
    ),
    ("Best card for 100M daily tokens on Llama 3 70B?", "X-5", {"N_params": 7e10, "target_tokens_per_day": 1e8}, NONE),
    # ---- X-5, Spanish
    (
        "¿Qué GPU es la más barata para servir Llama-3-8B a 10 millones de tokens al día?",
        "X-5",
        {"target_tokens_per_day": 1e7},
        L3,
    ),
    (
        "¿Qué tarjeta necesito para desplegar Qwen2.5-7B con 100M tokens diarios?",
        "X-5",
        {"target_tokens_per_day": 1e8},
        Q7,
    ),
    (
        "Hardware para servir un modelo de 70B a 1.000 millones de tokens al día en int4",
        "X-5",
        {"N_params": 7e10, "target_tokens_per_day": 1e9, "bytes_per_weight": 0.5},
        NONE,
    ),
    (
        "¿Cuánta memoria necesito para servir mistral 7b con 32 usuarios concurrentes a 8k?",
        "memory",
        {"batch": 32, "context": 8000},
        M7,
    ),
    ("¿Qué GPU uso para Llama 3.1 8B a 5 millones de tokens por día?", "X-5", {"target_tokens_per_day": 5e6}, L31),
    # ---- X-5, French
    (
        "Quel GPU le moins cher pour servir Llama-3-8B à 10 millions de tokens par jour ?",
        "X-5",
        {"target_tokens_per_day": 1e7},
        L3,
    ),
    ("Quelle carte pour déployer Qwen2.5-7B à 100M tokens par jour ?", "X-5", {"target_tokens_per_day": 1e8}, Q7),
    (
        "Matériel pour servir un modèle de 70B à 1 milliard de tokens par jour en int4",
        "X-5",
        {"N_params": 7e10, "target_tokens_per_day": 1e9, "bytes_per_weight": 0.5},
        NONE,
    ),
    (
        "Combien de mémoire pour servir mistral 7b avec 32 utilisateurs simultanés à 8k ?",
        "memory",
        {"batch": 32, "context": 8000},
        M7,
    ),
    (
        "Quel GPU pour héberger Llama 3.1 8B avec 5 millions de tokens par jour ?",
        "X-5",
        {"target_tokens_per_day": 5e6},
        L31,
    ),
    # ---- X-5, Chinese
    ("每天1亿token用哪个GPU部署qwen2.5-7b最便宜？", "X-5", {"target_tokens_per_day": 1e8}, Q7),
    ("部署 Llama-3-8B，每天 1000万 token，选什么显卡？", "X-5", {"target_tokens_per_day": 1e7}, L3),
    (
        "70B 模型 int4 量化，每天 10亿 token，需要什么硬件？",
        "X-5",
        {"N_params": 7e10, "target_tokens_per_day": 1e9, "bytes_per_weight": 0.5},
        NONE,
    ),
    ("mistral 7b 在 8k 上下文、32 个并发用户下需要多少显存？", "memory", {"context": 8000, "batch": 32}, M7),
    ("用哪张卡部署 Llama 3.1 8B，每天 500万 token？", "X-5", {"target_tokens_per_day": 5e6}, L31),
    # ---- X-21 imprint, English
    (
        "Positional imprint of pythia-1b: is it clean if random-token gamma is 0.9?",
        "X-21",
        {"gamma_random_obs": 0.9},
        P1B,
    ),
    ("What's the imprint purity of Llama 3 8B?", "X-21", {}, L3),
    ("My fine-tuned mistral 7b shows γ_random = 0.35: anomalous training?", "X-21", {"gamma_random_obs": 0.35}, M7),
    (
        "Was this Qwen2.5-7B checkpoint converted from GGUF? random-token gamma 0.62",
        "X-21",
        {"gamma_random_obs": 0.62},
        Q7,
    ),
    ("Check the imprint of pythia-410m with gamma_random_obs 0.5", "X-21", {"gamma_random_obs": 0.5}, P410),
    ("Does gpt2 show a positional imprint?", "X-21", {}, GPT2),
    ("Predict random-token gamma for Llama-3.1-8B and tell me if its training history looks unusual", "X-21", {}, L31),
    ("Format conversion check: gemma-2-2b measured 0.71 on random tokens", "X-21", {"gamma_random_obs": 0.71}, G2),
    # ---- X-21, Spanish / French / Chinese
    (
        "¿Cuál es la pureza de la huella posicional de pythia-1b con gamma aleatorio 0.9?",
        "X-21",
        {"gamma_random_obs": 0.9},
        P1B,
    ),
    (
        "¿Mistral 7B tuvo un entrenamiento anómalo? γ con tokens aleatorios = 0,35",
        "X-21",
        {"gamma_random_obs": 0.35},
        M7,
    ),
    ("Huella posicional de Llama 3 8B: ¿está limpia?", "X-21", {}, L3),
    (
        "Quelle est la pureté de l'empreinte positionnelle de pythia-1b avec un gamma aléatoire de 0,9 ?",
        "X-21",
        {"gamma_random_obs": 0.9},
        P1B,
    ),
    (
        "Mon mistral 7b a-t-il subi une conversion de format ? γ sur tokens aléatoires = 0,35",
        "X-21",
        {"gamma_random_obs": 0.35},
        M7,
    ),
    ("Empreinte positionnelle de Llama 3 8B ?", "X-21", {}, L3),
    ("pythia-1b 的位置印记纯度如何？随机 token 上的 γ 是 0.9", "X-21", {"gamma_random_obs": 0.9}, P1B),
    ("mistral 7b 是否经过格式转换？随机γ=0.35", "X-21", {"gamma_random_obs": 0.35}, M7),
    ("Llama 3 8B 的印记是否纯净？", "X-21", {}, L3),
    # ---- X-22 invariant, English
    ("Is llama 3 8b in band with gamma_obs 1.045?", "X-22", {"gamma_obs": 1.045}, L3),
    ("Check the Chinchilla invariant for pythia-1b with measured γ 0.92", "X-22", {"gamma_obs": 0.92}, P1B),
    (
        "Compute-context invariant of Qwen2.5-7B trained on 18T tokens, gamma 0.88",
        "X-22",
        {"gamma_obs": 0.88, "D_tokens": 1.8e13},
        Q7,
    ),
    ("Is the K invariant of mistral 7b an outlier? γ_obs = 0.95", "X-22", {"gamma_obs": 0.95}, M7),
    (
        "Does Llama-3.1-8B fall inside the panel band? I measured gamma = 0.97 after training on 15T tokens",
        "X-22",
        {"gamma_obs": 0.97, "D_tokens": 1.5e13},
        L31,
    ),
    ("Scaling anomaly check for a 1B model with gamma 0.8", "X-22", {"n_params": 1e9, "gamma_obs": 0.8}, NONE),
    ("Is gemma-2-9b in-band on the compute invariant?", "X-22", {}, G9),
    ("K invariant for pythia 410m, measured gamma 1.1", "X-22", {"gamma_obs": 1.1}, P410),
    # ---- X-22, Spanish / French / Chinese
    ("¿Está Llama 3 8B dentro de la banda del invariante con gamma 1,045?", "X-22", {"gamma_obs": 1.045}, L3),
    ("Invariante cómputo-contexto de pythia-1b con γ medido 0,92", "X-22", {"gamma_obs": 0.92}, P1B),
    ("¿Es atípico el invariante K de mistral 7b? γ = 0,95", "X-22", {"gamma_obs": 0.95}, M7),
    ("Llama 3 8B est-il dans la bande de l'invariant avec gamma 1,045 ?", "X-22", {"gamma_obs": 1.045}, L3),
    ("Invariant calcul-contexte de pythia-1b avec γ mesuré 0,92", "X-22", {"gamma_obs": 0.92}, P1B),
    ("L'invariant K de mistral 7b est-il aberrant ? γ = 0,95", "X-22", {"gamma_obs": 0.95}, M7),
    ("Llama 3 8B 的不变量在带内吗？γ_obs = 1.045", "X-22", {"gamma_obs": 1.045}, L3),
    ("pythia-1b 的算力-上下文不变量，实测 γ 为 0.92", "X-22", {"gamma_obs": 0.92}, P1B),
    ("mistral 7b 的 K 不变量是否离群？γ = 0.95", "X-22", {"gamma_obs": 0.95}, M7),
    # ---- X-23 induction heads, English
    (
        "gamma_text 0.93 and gamma_random 1.0, has pythia 1b formed induction heads?",
        "X-23",
        {"gamma_text": 0.93, "gamma_random": 1.0},
        P1B,
    ),
    ("Has this 160M checkpoint formed induction heads yet?", "X-23", {"n_params": 1.6e8}, NONE),
    (
        "IH phase of pythia-410m with γ_text = 0.8 and γ_random = 0.9",
        "X-23",
        {"gamma_text": 0.8, "gamma_random": 0.9},
        P410,
    ),
    ("Is my Llama-3.2-1B checkpoint pre-IH or post-IH?", "X-23", {}, L32_1),
    (
        "Monitor induction-head formation: step 5000 checkpoint of a 70M model, text gamma 0.75, random gamma 0.95",
        "X-23",
        {"n_params": 7e7, "gamma_text": 0.75, "gamma_random": 0.95},
        NONE,
    ),
    (
        "Before or after induction heads? pythia-1.4b measured 0.91 on text and 0.88 on random tokens",
        "X-23",
        {"gamma_text": 0.91, "gamma_random": 0.88},
        P14,
    ),
    ("Induction head check for pythia-70m", "X-23", {}, P70),
    ("Δγ = -0.2 for a 1B checkpoint: which IH phase?", "X-23", {"n_params": 1e9}, NONE),
    # ---- X-23, Spanish / French / Chinese
    (
        "¿Ha formado cabezas de inducción pythia-1b? gamma_text 0.93 y gamma_random 1.0",
        "X-23",
        {"gamma_text": 0.93, "gamma_random": 1.0},
        P1B,
    ),
    ("Fase IH de un checkpoint de 160M", "X-23", {"n_params": 1.6e8}, NONE),
    ("¿pythia-410m está antes o después de las cabezas de inducción?", "X-23", {}, P410),
    (
        "pythia-1b a-t-il formé des têtes d'induction ? gamma_text 0,93 et gamma_random 1,0",
        "X-23",
        {"gamma_text": 0.93, "gamma_random": 1.0},
        P1B,
    ),
    ("Phase IH d'un checkpoint de 160M ?", "X-23", {"n_params": 1.6e8}, NONE),
    (
        "Têtes d'induction pour pythia-410m avec γ_text = 0,8 et γ_random = 0,9",
        "X-23",
        {"gamma_text": 0.8, "gamma_random": 0.9},
        P410,
    ),
    ("pythia-1b 形成归纳头了吗？γ_text 0.93，γ_random 1.0", "X-23", {"gamma_text": 0.93, "gamma_random": 1.0}, P1B),
    ("一个 160M 的检查点处于哪个 IH 阶段？", "X-23", {"n_params": 1.6e8}, NONE),
    ("pythia-410m 的归纳头相位，文本γ 0.8，随机γ 0.9", "X-23", {"gamma_text": 0.8, "gamma_random": 0.9}, P410),
]

# Questions that must not route (recipe_id None) — off-topic, empty, or a bare model name.
NOT_ROUTED = [
    "What's the weather in Paris?",
    "Tell me a joke",
    "hello",
    "",
    "asdf qwerty zxcv",
    "Who won the 2018 World Cup?",
    "¿Qué hora es?",
    "Quelle est la capitale de la France ?",
    "今天天气怎么样？",
    "llama-3-8b",
    "Write a poem about GPUs",
    "Explain transformers to me",
]


def _matches(expected: dict[str, Any], got: dict[str, Any]) -> bool:
    if set(expected) != set(got):
        return False
    for name, value in expected.items():
        actual = got[name]
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if not isinstance(actual, (int, float)) or not math.isclose(actual, value, rel_tol=1e-6):
                return False
        elif actual != value:
            return False
    return True


def check(question: str, recipe_id: str, params: dict[str, Any], model: str) -> tuple[bool, bool, str]:
    """(recipe correct, everything correct, what was wrong) for one table row."""
    r = route(question)
    recipe_ok = r.recipe_id == recipe_id
    model_ok = r.model == (None if model == NONE else model)
    params_ok = _matches(params, r.params)
    detail = f"got {r.recipe_id} model={r.model} params={r.params} error={r.error} scores={r.scores}"
    return recipe_ok, recipe_ok and model_ok and params_ok, detail


@pytest.mark.parametrize(("question", "recipe_id", "params", "model"), SPEC_EXAMPLES)
def test_spec_example_questions_route_correctly(question: str, recipe_id: str, params: dict, model: str) -> None:
    _recipe_ok, all_ok, detail = check(question, recipe_id, params, model)
    assert all_ok, detail


@pytest.mark.parametrize(("question", "recipe_id", "params", "model"), CASES)
def test_question_table(question: str, recipe_id: str, params: dict, model: str) -> None:
    _recipe_ok, all_ok, detail = check(question, recipe_id, params, model)
    assert all_ok, detail


def test_table_covers_every_recipe_and_language() -> None:
    from tafagent.core.ask.text import detect_language, prepare

    seen = {(rid, detect_language(prepare(q).text, prepare(q).low)) for q, rid, _, _ in CASES}
    for rid in ("X-1", "X-2", "X-3", "X-5", "X-19", "X-21", "X-22", "X-23"):
        for lang in ("en", "es", "fr", "zh"):
            assert (rid, lang) in seen, (rid, lang)
    assert len(CASES) >= 150


@pytest.mark.parametrize("question", NOT_ROUTED)
def test_off_topic_questions_do_not_route(question: str) -> None:
    r = route(question)
    assert r.recipe_id is None
    assert r.why is not None
    assert 2 <= len(r.suggestions) <= 3


def test_routing_is_deterministic() -> None:
    for question, *_ in CASES[:40]:
        first, second = route(question), route(question)
        assert (first.recipe_id, first.params, first.model, first.notes) == (
            second.recipe_id,
            second.params,
            second.model,
            second.notes,
        )


def test_detected_language() -> None:
    from tafagent.core.ask.text import detect_language, prepare

    for question, lang in (
        ("Will Llama 3 8B handle 32K context?", "en"),
        ("¿Puede Llama 3 8B manejar un contexto de 32.000 tokens?", "es"),
        ("Est-ce que mistral 7b tient 128k de contexte ?", "fr"),
        ("Llama-3-8B 能处理 32K 上下文吗？", "zh"),
    ):
        p = prepare(question)
        assert detect_language(p.text, p.low) == lang
