"""Questions written after the router was built, each set measured once before any change, then kept as
regression tables: HOLDOUT (70 rows: 100 % recipe, 98.6 % fully correct on first run) and BLIND (40 harder
phrasings: 97.5 % recipe, 95.0 % fully correct on first run)."""

from __future__ import annotations

from typing import Any

import pytest
from test_ask_router import check

L3 = "meta-llama/Meta-Llama-3-8B"
L31 = "meta-llama/Llama-3.1-8B"
M7 = "mistralai/Mistral-7B-v0.1"
Q7 = "Qwen/Qwen2.5-7B"
NONE = "-"

HOLDOUT: list[tuple[str, str, dict[str, Any], str]] = [
    ("Would Llama 3 8B still find a fact buried in a 60k-token contract?", "X-2", {"T_eval": 60000}, L3),
    ("Long context check: mistral-7b-v0.1 with 12,000 tokens", "X-2", {"T_eval": 12000}, M7),
    ("Is 128K too much for qwen 2.5 7b?", "X-2", {"T_eval": 128000}, Q7),
    ("Can I feed a 1M context to Llama-3.1-8B?", "X-2", {"T_eval": 1000000}, L31),
    ("will gemma2-9b degrade beyond 8k tokens", "X-2", {"T_eval": 8000}, "google/gemma-2-9b"),
    (
        "How does Llama-3.3-70B-Instruct do on needle-in-a-haystack at 131072 tokens?",
        "X-2",
        {"T_eval": 131072},
        "meta-llama/Llama-3.3-70B-Instruct",
    ),
    ("Is a 32,000-token context OK for mistral 7b?", "X-2", {"T_eval": 32000}, M7),
    ("qwen2.5-1.5b 32k tokens retrieval reliable?", "X-2", {"T_eval": 32000}, "Qwen/Qwen2.5-1.5B"),
    ("¿Llama 3.1 8B aguanta 200k tokens de contexto?", "X-2", {"T_eval": 200000}, L31),
    ("¿Se degrada Qwen2.5-7B con prompts de 64k?", "X-2", {"T_eval": 64000}, Q7),
    ("Mistral 7B peut-il gérer 16k tokens ?", "X-2", {"T_eval": 16000}, M7),
    ("Jusqu'où Llama 3 8B tient-il en contexte ? 48k ?", "X-2", {"T_eval": 48000}, L3),
    ("Llama 3.1 8B 在 200k 上下文下还能准确检索吗？", "X-2", {"T_eval": 200000}, L31),
    ("Qwen2.5-7B 处理 64k token 的长文本会不会出问题？", "X-2", {"T_eval": 64000}, Q7),
    ("Should I compress the KV cache for Llama-3.1-8B at 64k, or use soft decay?", "X-19", {"T_eval": 64000}, L31),
    ("KV eviction vs soft attenuation for qwen2.5 7b at 16k tokens", "X-19", {"T_eval": 16000}, Q7),
    ("Best KV-cache compression for mistral 7b at 8k context?", "X-19", {"T_eval": 8000}, M7),
    (
        "How big a D_f window keeps 90% of attention for Llama 3 8B at 32k?",
        "X-19",
        {"T_eval": 32000, "kv_mass_fraction": 0.9},
        L3,
    ),
    ("Can I drop distant tokens from the cache on pythia-1b at 2k?", "X-19", {"T_eval": 2000}, "EleutherAI/pythia-1b"),
    ("¿Debo truncar la caché KV de Qwen2.5-7B a 32k o aplicar decaimiento suave?", "X-19", {"T_eval": 32000}, Q7),
    ("Compresser le cache KV de Llama-3.1-8B à 64k : décroissance douce ou coupure ?", "X-19", {"T_eval": 64000}, L31),
    ("Llama-3.1-8B 在 64k 时要不要压缩 KV 缓存？", "X-19", {"T_eval": 64000}, L31),
    (
        "Is it better to train our own 8B model or pay GPT-4o for 1B tokens per month?",
        "X-1",
        {"N_params": 8e9, "api_model": "GPT-4o", "monthly_tokens_M": 1000},
        NONE,
    ),
    (
        "Custom 3B model vs Claude Haiku at 50 million tokens a month: which is cheaper?",
        "X-1",
        {"N_params": 3e9, "api_model": "Claude-Haiku-4", "monthly_tokens_M": 50},
        NONE,
    ),
    (
        "Does training a 7B model pay off versus DeepSeek V3 for 200M tokens/month?",
        "X-1",
        {"N_params": 7e9, "api_model": "DeepSeek-V3", "monthly_tokens_M": 200},
        NONE,
    ),
    (
        "Our own 13b llm or GPT-4o mini? 10 million tokens a day",
        "X-1",
        {"N_params": 13e9, "api_model": "GPT-4o-mini", "monthly_tokens_M": 300},
        NONE,
    ),
    (
        "Build vs buy for a 1.3B model against Claude Opus 4 at 500M tokens monthly",
        "X-1",
        {"N_params": 1.3e9, "api_model": "Claude-Opus-4", "monthly_tokens_M": 500},
        NONE,
    ),
    (
        "Train an 8e9-parameter model or use Gemini 1.5 Pro at 25M tokens/month?",
        "X-1",
        {"N_params": 8e9, "api_model": "Gemini-1.5-Pro", "monthly_tokens_M": 25},
        NONE,
    ),
    (
        "¿Es rentable entrenar un modelo de 7B propio frente a Claude Sonnet con 300 millones de tokens al mes?",
        "X-1",
        {"N_params": 7e9, "api_model": "Claude-Sonnet-4", "monthly_tokens_M": 300},
        NONE,
    ),
    (
        "Entraîner un modèle maison de 8B ou rester sur GPT-4o avec 40 millions de tokens par mois ?",
        "X-1",
        {"N_params": 8e9, "api_model": "GPT-4o", "monthly_tokens_M": 40},
        NONE,
    ),
    (
        "每月 2亿 token，自己训练 7B 模型和用 DeepSeek-V3 哪个便宜？",
        "X-1",
        {"N_params": 7e9, "api_model": "DeepSeek-V3", "monthly_tokens_M": 200},
        NONE,
    ),
    ("What model size can $5,000 train?", "X-3", {"USD_budget": 5000}, NONE),
    ("I can spend 5k USD on compute. What should I train?", "X-3", {"USD_budget": 5000}, NONE),
    ("€5000 training budget — how many parameters?", "X-3", {"USD_budget": 5000}, NONE),
    (
        "With $250k and 32 H100s, what is the compute-optimal model?",
        "X-3",
        {"USD_budget": 250000, "gpu": "H100 SXM", "n_gpus": 32},
        NONE,
    ),
    ("What can a $800 budget train on an RTX 5090?", "X-3", {"USD_budget": 800, "gpu": "RTX 5090"}, NONE),
    (
        "Budget: $40,000. GPU: MI300X. Largest model I can pretrain?",
        "X-3",
        {"USD_budget": 40000, "gpu": "MI300X"},
        NONE,
    ),
    ("Is $15k enough to train a 3B model from scratch?", "X-3", {"USD_budget": 15000, "N_params": 3e9}, NONE),
    ("¿Qué puedo entrenar con 10.000 dólares en A100 40GB?", "X-3", {"USD_budget": 10000, "gpu": "A100 40GB"}, NONE),
    ("Avec un budget de 8 000 €, quel modèle entraîner sur H200 ?", "X-3", {"USD_budget": 8000, "gpu": "H200"}, NONE),
    ("两万美元的预算在 H100 上能训练多大的模型？", "X-3", {"USD_budget": 20000, "gpu": "H100 SXM"}, NONE),
    (
        "Which GPU is most cost-effective for serving Llama 3 8B at 100M tokens/day?",
        "X-5",
        {"target_tokens_per_day": 1e8},
        L3,
    ),
    ("Serving mistral 7b: 50 million tokens a day, which GPU?", "X-5", {"target_tokens_per_day": 5e7}, M7),
    (
        "What hardware do I need to serve a 70b params model with 4 concurrent users at 8k?",
        "X-5",
        {"N_params": 7e10, "concurrent_users": 4, "T_eval": 8000},
        NONE,
    ),
    (
        "Does Qwen2.5-7B fit on an RTX 4090 for serving 10M tokens per day?",
        "plan",
        {"tokens_per_day": 1e7, "gpu": "RTX 4090"},
        Q7,
    ),
    (
        "Cheapest GPU to host an 8B model in 4-bit at 20M tokens daily",
        "X-5",
        {"N_params": 8e9, "bytes_per_weight": 0.5, "target_tokens_per_day": 2e7},
        NONE,
    ),
    ("How much GPU memory to serve Llama-3.1-8B at 128k context?", "memory", {"context": 128000}, L31),
    ("Which GPU for 300 tokens/s with qwen2.5-7b?", "X-5", {"target_tokens_per_day": 300 * 86400}, Q7),
    (
        "¿Qué GPU necesito para servir Mistral 7B a 20 millones de tokens diarios?",
        "X-5",
        {"target_tokens_per_day": 2e7},
        M7,
    ),
    ("Quel matériel pour déployer Qwen2.5-7B avec 64 utilisateurs simultanés ?", "X-5", {"concurrent_users": 64}, Q7),
    ("部署 Mistral 7B 每天 5000万 token 用什么 GPU 最划算？", "X-5", {"target_tokens_per_day": 5e7}, M7),
    (
        "Does pythia-2.8b have an unusual positional imprint? random-token γ = 0.41",
        "X-21",
        {"gamma_random_obs": 0.41},
        "EleutherAI/pythia-2.8b",
    ),
    ("Imprint purity check for Qwen2.5-7B", "X-21", {}, Q7),
    ("Was Llama 3 8B tampered with? I measured γ_random 0.2", "X-21", {"gamma_random_obs": 0.2}, L3),
    ("Predicted gamma on random tokens for Mistral 7B — is the imprint clean?", "X-21", {}, M7),
    ("¿La huella de Qwen2.5-7B es pura? gamma aleatorio 0,55", "X-21", {"gamma_random_obs": 0.55}, Q7),
    (
        "Empreinte positionnelle de pythia-2.8b avec γ aléatoire 0,41 : entraînement anormal ?",
        "X-21",
        {"gamma_random_obs": 0.41},
        "EleutherAI/pythia-2.8b",
    ),
    ("Qwen2.5-7B 的位置印记是否正常？随机 γ 0.55", "X-21", {"gamma_random_obs": 0.55}, Q7),
    ("Is pythia-2.8b's K invariant in band at gamma 0.9?", "X-22", {"gamma_obs": 0.9}, "EleutherAI/pythia-2.8b"),
    (
        "Compute-context invariant check, Llama 3.1 8B, γ = 1.02, 15T training tokens",
        "X-22",
        {"gamma_obs": 1.02, "D_tokens": 1.5e13},
        L31,
    ),
    ("Is mistral 7b an outlier on the invariant K with measured gamma 0.99?", "X-22", {"gamma_obs": 0.99}, M7),
    ("¿Qwen2.5-7B está en banda? γ medido 0,9", "X-22", {"gamma_obs": 0.9}, Q7),
    ("L'invariant de Qwen2.5-7B est-il dans la bande avec γ mesuré 0,9 ?", "X-22", {"gamma_obs": 0.9}, Q7),
    ("Qwen2.5-7B 的不变量 K 在带内吗？实测 γ 0.9", "X-22", {"gamma_obs": 0.9}, Q7),
    (
        "Has my 410M checkpoint formed induction heads? γ_text 0.7, γ_random 0.85",
        "X-23",
        {"n_params": 4.1e8, "gamma_text": 0.7, "gamma_random": 0.85},
        NONE,
    ),
    (
        "pythia-160m induction-head phase with gamma_text = 0.9 and gamma_random = 0.8",
        "X-23",
        {"gamma_text": 0.9, "gamma_random": 0.8},
        "EleutherAI/pythia-160m",
    ),
    ("Is this 1.4B checkpoint past the IH transition?", "X-23", {"n_params": 1.4e9}, NONE),
    ("¿El checkpoint de pythia-160m ya tiene cabezas de inducción?", "X-23", {}, "EleutherAI/pythia-160m"),
    (
        "Le checkpoint pythia-410m a-t-il des têtes d'induction ? γ_text 0,8 γ_random 0,9",
        "X-23",
        {"gamma_text": 0.8, "gamma_random": 0.9},
        "EleutherAI/pythia-410m",
    ),
    ("pythia-160m 的检查点形成归纳头了吗？", "X-23", {}, "EleutherAI/pythia-160m"),
]

BLIND: list[tuple[str, str, dict[str, Any], str]] = [
    ("My RAG pipeline stuffs 40k tokens into Llama 3 8B. Will it miss things?", "X-2", {"T_eval": 40000}, L3),
    ("Is Mistral-7B-v0.1 usable for 20k-token summarization?", "X-2", {"T_eval": 20000}, M7),
    ("Qwen2.5-7B: 256k context, yes or no?", "X-2", {"T_eval": 256000}, Q7),
    ("What happens to llama 3.1 8b accuracy past 100k tokens?", "X-2", {"T_eval": 100000}, L31),
    ("Can I run Llama-3-8B with an 80k context window reliably?", "X-2", {"T_eval": 80000}, L3),
    ("need to process 30k token legal docs with mistral 7b - feasible?", "X-2", {"T_eval": 30000}, M7),
    ("How should I prune the KV cache for Qwen2.5-7B running 128k prompts?", "X-19", {"T_eval": 128000}, Q7),
    ("Sliding the KV window vs soft decay on llama 3 8b at 16k?", "X-19", {"T_eval": 16000}, L3),
    ("Which KV cache compression method fits Mistral 7B at 32k?", "X-19", {"T_eval": 32000}, M7),
    ("Where should I cut the KV cache for llama-3.1-8b at 32k tokens?", "X-19", {"T_eval": 32000}, L31),
    (
        "GPT-4o costs us too much at 300M tokens/month. Should we train a 8B model instead?",
        "X-1",
        {"api_model": "GPT-4o", "monthly_tokens_M": 300, "N_params": 8e9},
        NONE,
    ),
    (
        "Make or buy: fine-tuned 7B vs Claude Haiku, 1 billion tokens monthly",
        "X-1",
        {"N_params": 7e9, "api_model": "Claude-Haiku-4", "monthly_tokens_M": 1000, "training": "full_finetune"},
        NONE,
    ),
    (
        "How many months until a custom 3B model pays for itself vs gpt-4o-mini at 100M tokens per month?",
        "X-1",
        {"N_params": 3e9, "api_model": "GPT-4o-mini", "monthly_tokens_M": 100},
        NONE,
    ),
    (
        "Is DeepSeek V3 cheaper than training our own 13B at 2B tokens a month?",
        "X-1",
        {"api_model": "DeepSeek-V3", "N_params": 13e9, "monthly_tokens_M": 2000},
        NONE,
    ),
    ("I've got 10 grand for GPUs — what's the biggest model I can pretrain?", "X-3", {"USD_budget": 10000}, NONE),
    ("How big of an LLM can $25k of H100 time train?", "X-3", {"USD_budget": 25000, "gpu": "H100 SXM"}, NONE),
    ("What size model fits a $3,000 compute budget on A100s?", "X-3", {"USD_budget": 3000, "gpu": "A100 80GB"}, NONE),
    ("$75k: how many parameters, compute-optimally?", "X-3", {"USD_budget": 75000}, NONE),
    (
        "How many H100 hours does $10k buy and what model does that train?",
        "X-3",
        {"USD_budget": 10000, "gpu": "H100 SXM"},
        NONE,
    ),
    ("Will Llama 3 8B fit on a single RTX 4090 for inference?", "memory", {"gpu": "RTX 4090"}, L3),
    ("What's the cheapest GPU that can run Qwen2.5-72B?", "X-5", {}, "Qwen/Qwen2.5-72B"),
    (
        "We need 5B tokens a day from a 8B model, which GPU is cheapest?",
        "X-5",
        {"target_tokens_per_day": 5e9, "N_params": 8e9},
        NONE,
    ),
    (
        "Is an H100 overkill for serving mistral 7b at 1M tokens a day?",
        "plan",
        {"tokens_per_day": 1e6, "gpu": "H100 SXM"},
        M7,
    ),
    ("How much VRAM does llama 3 8b need with 64 users at 4k?", "memory", {"batch": 64, "context": 4000}, L3),
    (
        "Pick a GPU for a 13B model serving 20 million tokens/day in 8-bit",
        "X-5",
        {"N_params": 13e9, "target_tokens_per_day": 2e7, "bytes_per_weight": 1.0},
        NONE,
    ),
    ("Has Llama 3 8B been converted or quantized in a way that changed its positional imprint?", "X-21", {}, L3),
    ("Random-token gamma of 0.3 on my Qwen2.5-7B fine-tune: is that normal?", "X-21", {"gamma_random_obs": 0.3}, Q7),
    (
        "Is the positional bias of pythia-1b pure? measured γ_random 0.47",
        "X-21",
        {"gamma_random_obs": 0.47},
        "EleutherAI/pythia-1b",
    ),
    ("Does llama 3 8b with gamma 0.95 sit inside the K band?", "X-22", {"gamma_obs": 0.95}, L3),
    (
        "Is my 7B model, trained on 2T tokens with γ = 0.9, a scaling outlier?",
        "X-22",
        {"n_params": 7e9, "D_tokens": 2e12, "gamma_obs": 0.9},
        NONE,
    ),
    ("K invariant check: Qwen2.5-7B, gamma_obs 0.86", "X-22", {"gamma_obs": 0.86}, Q7),
    (
        "I'm monitoring a 1B training run — at step 2000 γ_text is 0.6 and γ_random 0.8. Induction heads yet?",
        "X-23",
        {"n_params": 1e9, "gamma_text": 0.6, "gamma_random": 0.8},
        NONE,
    ),
    ("Pre- or post-induction-head? pythia-160m checkpoint", "X-23", {}, "EleutherAI/pythia-160m"),
    (
        "Δγ sign test for pythia-410m: text 0.85, random 0.8",
        "X-23",
        {"gamma_text": 0.85, "gamma_random": 0.8},
        "EleutherAI/pythia-410m",
    ),
    (
        "¿Cuántos tokens de contexto aguanta Mistral 7B sin perder información? Quiero 24k.",
        "X-2",
        {"T_eval": 24000},
        M7,
    ),
    (
        "¿Qué GPU me sale más barata para Qwen2.5-7B con 30 millones de tokens al día?",
        "X-5",
        {"target_tokens_per_day": 3e7},
        Q7,
    ),
    ("Avec 15 000 $ de calcul, quelle taille de modèle entraîner ?", "X-3", {"USD_budget": 15000}, NONE),
    ("Llama 3 8B tient-il 64k tokens sans halluciner ?", "X-2", {"T_eval": 64000}, L3),
    ("Qwen2.5-7B 能不能稳定处理 256k 的上下文？", "X-2", {"T_eval": 256000}, Q7),
    (
        "每月 5亿 token，用 GPT-4o 还是自己训练 8B 模型？",
        "X-1",
        {"monthly_tokens_M": 500, "api_model": "GPT-4o", "N_params": 8e9},
        NONE,
    ),
]


@pytest.mark.parametrize(("question", "recipe_id", "params", "model"), HOLDOUT + BLIND)
def test_holdout_table(question: str, recipe_id: str, params: dict, model: str) -> None:
    _recipe_ok, all_ok, detail = check(question, recipe_id, params, model)
    assert all_ok, detail
