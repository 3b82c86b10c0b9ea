"""Writes tests/data/ask_eval/questions.jsonl: the issue-17 evaluation set (written before the rules are tuned)."""

import json
import sys
from collections import Counter

L3 = "meta-llama/Meta-Llama-3-8B"
L31 = "meta-llama/Llama-3.1-8B"
L70 = "meta-llama/Llama-3.3-70B-Instruct"
L3170 = "meta-llama/Llama-3.1-70B"
M7 = "mistralai/Mistral-7B-v0.1"
MX = "mistralai/Mixtral-8x7B-v0.1"
Q7 = "Qwen/Qwen2.5-7B"
Q72 = "Qwen/Qwen2.5-72B"
Q05 = "Qwen/Qwen2.5-0.5B"
Q3 = "Qwen/Qwen3-8B"
G2 = "google/gemma-2-2b"
G9 = "google/gemma-2-9b"
PHI = "microsoft/Phi-3-mini-4k-instruct"
L1 = "meta-llama/Llama-3.2-1B"
L32 = "meta-llama/Llama-3.2-3B"
NEMO = "mistralai/Mistral-Nemo-Base-2407"
F7 = "tiiuae/falcon-7b"
DS = "deepseek-ai/DeepSeek-V2-Lite"
P1 = "EleutherAI/pythia-1b"
GPT2 = "openai-community/gpt2"
N = None
R = []


def q(lang, route, question, model=N, kind="plain", **params):
    R.append({"lang": lang, "route": route, "question": question, "model": model, "params": params, "kind": kind})


# ---------------- memory: how much VRAM / will it fit / max context ----------------
q("en", "memory", "How much VRAM does Llama-3-8B need for 32k context?", L3, context=32000)
q("en", "memory", "How much GPU memory to run Mistral 7B at 8k tokens with batch 4?", M7, context=8000, batch=4)
q("en", "memory", "Will Mixtral fit on my 24 GB card?", MX, gpu="RTX 4090")
q("en", "memory", "Can I run Mixtral on one RTX 4090?", MX, gpu="RTX 4090")
q("en", "memory", "Does Llama 3.1 70B fit on a single H100 80GB?", L3170, gpu="H100 SXM")
q("en", "memory", "What's the max context for Qwen 7B on my 4090?", Q7, gpu="RTX 4090")
q("en", "memory", "memory footprint of gemma-2-9b at 16k context, fp8 kv cache", G9, context=16000, kv_dtype="fp8")
q("en", "memory", "how much vram llama3 8b 128k ctx", L3, context=128000, kind="terse")
q("en", "memory", "Can Qwen2.5-72B run on 2x A100 80GB?", Q72, gpu="A100 80GB", tp=2)
q("en", "memory", "KV cache size for Llama-3.1-8B at 100k tokens?", L31, context=100000)
q("en", "memory", "Will phi-3-mini fit on an RTX 5060 Ti with 4k context?", PHI, gpu="RTX 5060Ti", context=4000)
q("en", "memory", "How many GB does deepseek-v2-lite take to serve 4096 tokens for 8 users?", DS, context=4096, batch=8)
q("en", "memory", "Hw much memry does mistral 7b need at 32k?", M7, context=32000, kind="typo")
q("en", "memory", "Is an A100 40G enough for Llama-3-8B at 16k context?", L3, gpu="A100 40GB", context=16000)
q("en", "memory", "Longest context I can fit for llama-3.1-8b on an L40S?", L31, gpu="L40S")
q("en", "memory", "Can I run Llama 70B on a MI300?", L70, gpu="MI300X")
q("es", "memory", "¿Cuánta VRAM necesita Llama-3-8B para un contexto de 32k?", L3, context=32000)
q("es", "memory", "¿Cabe Mixtral en mi tarjeta de 24 GB?", MX, gpu="RTX 4090")
q("es", "memory", "¿Puedo ejecutar Qwen 7B en una RTX 4090 con 16k de contexto?", Q7, gpu="RTX 4090", context=16000)
q("es", "memory", "¿Cuánta memoria ocupa la caché KV de Mistral 7B con 32 mil tokens?", M7, context=32000)
q("es", "memory", "¿Entra Llama 3.1 70B en una sola H100?", L3170, gpu="H100 SXM")
q("es", "memory", "memoria de gemma 2 9b a 8k con lote de 4", G9, context=8000, batch=4, kind="terse")
q(
    "es",
    "memory",
    "¿Cual es el contexto maximo de llama 3.1 8b en una A100 de 40 GB?",
    L31,
    gpu="A100 40GB",
    kind="no-accents",
)
q("fr", "memory", "Combien de VRAM faut-il pour Llama-3-8B avec un contexte de 32k ?", L3, context=32000)
q("fr", "memory", "Mixtral tient-il sur ma carte de 24 Go ?", MX, gpu="RTX 4090")
q("fr", "memory", "Puis-je faire tourner Qwen 7B sur une RTX 4090 ?", Q7, gpu="RTX 4090")
q("fr", "memory", "Quelle mémoire pour Mistral 7B à 16k tokens avec un batch de 8 ?", M7, context=16000, batch=8)
q("fr", "memory", "Llama 3.1 70B rentre-t-il dans une H100 80 Go ?", L3170, gpu="H100 SXM")
q("fr", "memory", "contexte max de gemma-2-2b sur une RTX 4090", G2, gpu="RTX 4090", kind="terse")
q("fr", "memory", "Taille du cache KV de Llama-3.1-8B à 128k tokens ?", L31, context=128000)
q("zh", "memory", "Llama-3-8B 跑 32k 上下文需要多少显存？", L3, context=32000)
q("zh", "memory", "Mixtral 能放进我的 24GB 显卡吗？", MX, gpu="RTX 4090")
q("zh", "memory", "一张 4090 能跑 Qwen 7B 吗？", Q7, gpu="RTX 4090")
q("zh", "memory", "Mistral 7B 在 16k 上下文、批量 4 时占用多少内存？", M7, context=16000, batch=4)
q("zh", "memory", "Llama 3.1 70B 单张 H100 放得下吗？", L3170, gpu="H100 SXM")
q("zh", "memory", "gemma-2-9b 在 A100 40G 上最长能跑多长上下文？", G9, gpu="A100 40GB")
q("zh", "memory", "Llama-3.1-8B 128k token 的 KV 缓存有多大？", L31, context=128000)
q("en", "memory", "Llama-3-8B 32k context 需要多少 VRAM?", L3, context=32000, kind="mixed")
# ---------------- plan: how many GPUs / cheapest serving ----------------
q(
    "en",
    "plan",
    "How many H100s do I need to serve Llama-70B at 100M tokens/day?",
    L70,
    gpu="H100 SXM",
    tokens_per_day=1e8,
)
q("en", "plan", "Cheapest GPU to serve Llama-70B at 100M tokens/day?", L70, tokens_per_day=1e8)
q(
    "en",
    "plan",
    "Plan a deployment of Qwen2.5-72B for 64 concurrent users at 8k context",
    Q72,
    concurrency=64,
    context=8000,
)
q("en", "plan", "What hardware to serve Mistral 7B to 200 concurrent users?", M7, concurrency=200)
q("en", "plan", "How many A100 80GB for Llama 3.1 8B at 1B tokens per day?", L31, gpu="A100 80GB", tokens_per_day=1e9)
q(
    "en",
    "plan",
    "Serving plan for mixtral 8x7b, 50M tokens a day, under 50 ms per token",
    MX,
    tokens_per_day=5e7,
    max_ms_per_token=50,
)
q("en", "plan", "how many gpus llama 3.3 70b 500M tok/day 4k ctx", L70, tokens_per_day=5e8, context=4000, kind="terse")
q("en", "plan", "cheapest way to host qwen3-8b for 32 concurent users", Q3, concurrency=32, kind="typo")
q(
    "en",
    "plan",
    "What does it cost per million tokens to serve Llama-3.1-70B on MI300X at 200M tokens/day?",
    L3170,
    gpu="MI300X",
    tokens_per_day=2e8,
)
q(
    "en",
    "plan",
    "Size a cluster for gemma-2-9b: 10 million tokens per day, 16k context",
    G9,
    tokens_per_day=1e7,
    context=16000,
)
q(
    "es",
    "plan",
    "¿Cuántas H100 necesito para servir Llama-70B a 100M tokens al día?",
    L70,
    gpu="H100 SXM",
    tokens_per_day=1e8,
)
q(
    "es",
    "plan",
    "¿Cuál es la GPU más barata para servir Qwen 72B a 50 millones de tokens diarios?",
    Q72,
    tokens_per_day=5e7,
)
q("es", "plan", "Plan de despliegue de Mistral 7B para 100 usuarios simultáneos", M7, concurrency=100)
q(
    "es",
    "plan",
    "¿Cuántas A100 para Llama 3.1 8B con 1.000 millones de tokens al día?",
    L31,
    gpu="A100 80GB",
    tokens_per_day=1e9,
)
q("es", "plan", "servir mixtral a 20M tokens/dia, cuantas gpus?", MX, tokens_per_day=2e7, kind="terse")
q(
    "fr",
    "plan",
    "Combien de H100 pour servir Llama-70B à 100M tokens par jour ?",
    L70,
    gpu="H100 SXM",
    tokens_per_day=1e8,
)
q(
    "fr",
    "plan",
    "Quel GPU le moins cher pour servir Qwen 72B à 50 millions de tokens par jour ?",
    Q72,
    tokens_per_day=5e7,
)
q("fr", "plan", "Plan de déploiement de Mistral 7B pour 100 utilisateurs simultanés", M7, concurrency=100)
q("fr", "plan", "Combien de GPU pour Llama 3.1 8B à 1,5 Md de tokens par jour ?", L31, tokens_per_day=1.5e9)
q("fr", "plan", "dimensionner un service mixtral 8x7b, 20M tokens/jour", MX, tokens_per_day=2e7, kind="terse")
q("zh", "plan", "用 H100 部署 Llama-70B，每天 1 亿 token，需要几张卡？", L70, gpu="H100 SXM", tokens_per_day=1e8)
q("zh", "plan", "每天 5000 万 token 部署 Qwen 72B，最便宜的 GPU 是哪个？", Q72, tokens_per_day=5e7)
q("zh", "plan", "Mistral 7B 支持 100 个并发用户需要什么硬件？", M7, concurrency=100)
q("zh", "plan", "Llama 3.1 8B 每天 10 亿 token 需要多少张 A100？", L31, gpu="A100 80GB", tokens_per_day=1e9)
q("zh", "plan", "mixtral 每天 3.2 万 token 的部署方案", MX, tokens_per_day=3.2e4)
q("en", "plan", "Llama-70B 每天 100M tokens 要几张 H100?", L70, gpu="H100 SXM", tokens_per_day=1e8, kind="mixed")
# ---------------- launch: vllm flags / llama.cpp -ngl / ollama ----------------
q(
    "en",
    "launch",
    "What vllm flags should I use for Llama-3.1-8B at 32k context on an H100?",
    L31,
    engine="vllm",
    context=32000,
    gpu="H100 SXM",
)
q("en", "launch", "Give me the vllm serve command for Llama 70B on 4 H100s", L70, engine="vllm", gpu="H100 SXM", tp=4)
q("en", "launch", "-ngl for my 4090 with mistral 7b in llama.cpp?", M7, engine="llama.cpp", gpu="RTX 4090")
q(
    "en",
    "launch",
    "llama-server command for qwen 7b with 16k context on an RTX 4090",
    Q7,
    engine="llama.cpp",
    gpu="RTX 4090",
    context=16000,
)
q("en", "launch", "Ollama num_ctx and num_gpu for mixtral on a 24GB card", MX, engine="ollama", gpu="RTX 4090")
q("en", "launch", "sglang launch command for qwen2.5-72b on 8x H100", Q72, engine="sglang", gpu="H100 SXM", tp=8)
q(
    "en",
    "launch",
    "what --max-model-len and --gpu-memory-utilization for gemma-2-9b on an L40S?",
    G9,
    engine="vllm",
    gpu="L40S",
)
q("en", "launch", "vlm serve flags for llama3 8b on a100 40g", L3, engine="vllm", gpu="A100 40GB", kind="typo")
q(
    "es",
    "launch",
    "¿Qué flags de vLLM uso para Llama-3.1-8B con 32k de contexto en una H100?",
    L31,
    engine="vllm",
    context=32000,
    gpu="H100 SXM",
)
q("es", "launch", "¿Qué -ngl pongo en llama.cpp para Mistral 7B en mi 4090?", M7, engine="llama.cpp", gpu="RTX 4090")
q("es", "launch", "comando de ollama para mixtral en una tarjeta de 24 GB", MX, engine="ollama", gpu="RTX 4090")
q("es", "launch", "Dame el comando vllm serve para Llama 70B en 4 H100", L70, engine="vllm", gpu="H100 SXM", tp=4)
q(
    "fr",
    "launch",
    "Quels flags vLLM pour Llama-3.1-8B avec 32k de contexte sur une H100 ?",
    L31,
    engine="vllm",
    context=32000,
    gpu="H100 SXM",
)
q("fr", "launch", "Quel -ngl pour Mistral 7B dans llama.cpp sur ma 4090 ?", M7, engine="llama.cpp", gpu="RTX 4090")
q("fr", "launch", "Commande Ollama pour mixtral sur une carte de 24 Go", MX, engine="ollama", gpu="RTX 4090")
q("fr", "launch", "La commande sglang pour qwen2.5-72b sur 8 H100", Q72, engine="sglang", gpu="H100 SXM", tp=8)
q(
    "zh",
    "launch",
    "Llama-3.1-8B 在 H100 上跑 32k 上下文，vLLM 参数怎么设？",
    L31,
    engine="vllm",
    context=32000,
    gpu="H100 SXM",
)
q("zh", "launch", "我的 4090 用 llama.cpp 跑 Mistral 7B，-ngl 设多少？", M7, engine="llama.cpp", gpu="RTX 4090")
q("zh", "launch", "24GB 显卡上用 Ollama 跑 mixtral 的 num_ctx 和 num_gpu", MX, engine="ollama", gpu="RTX 4090")
q("zh", "launch", "4 张 H100 跑 Llama 70B 的 vllm serve 命令", L70, engine="vllm", gpu="H100 SXM", tp=4)
# ---------------- extend: rope scaling ----------------
q("en", "extend", "How do I extend Llama-3-8B to 32k context?", L3, to=32000)
q("en", "extend", "What YaRN factor to take mistral 7b to 128K?", M7, to=128000, method="yarn")
q("en", "extend", "rope_scaling block for qwen2.5-7b at 256k", Q7, to=256000)
q("en", "extend", "Extend gemma-2-9b to 32k with linear scaling", G9, to=32000, method="linear")
q("en", "extend", "can I stretch phi-3-mini's context to 16k with dynamic NTK?", PHI, to=16000, method="dynamic")
q("en", "extend", "yarn config to push llama 3 8b to 64k tokens", L3, to=64000, method="yarn")
q("en", "extend", "extnd llama3-8b context to 32k", L3, to=32000, kind="typo")
q("es", "extend", "¿Cómo extiendo Llama-3-8B a 32k de contexto?", L3, to=32000)
q("es", "extend", "¿Qué factor YaRN para llevar Mistral 7B a 128K?", M7, to=128000, method="yarn")
q("es", "extend", "ampliar el contexto de qwen 7b a 256 mil tokens", Q7, to=256000)
q("fr", "extend", "Comment étendre Llama-3-8B à 32k de contexte ?", L3, to=32000)
q("fr", "extend", "Quel facteur YaRN pour amener Mistral 7B à 128K ?", M7, to=128000, method="yarn")
q("fr", "extend", "étendre le contexte de gemma-2-9b à 32k avec un scaling linéaire", G9, to=32000, method="linear")
q("zh", "extend", "怎么把 Llama-3-8B 的上下文扩展到 32k？", L3, to=32000)
q("zh", "extend", "Mistral 7B 扩展到 128K 用多大的 YaRN 因子？", M7, to=128000, method="yarn")
q("zh", "extend", "把 qwen 7b 的上下文扩展到 25.6 万 token", Q7, to=256000)
q("en", "extend", "Llama-3-8B 扩展到 64k 的 rope_scaling 配置", L3, to=64000, kind="mixed")
# ---------------- diagnose how-to ----------------
q("en", "diagnose", "How do I measure γ for my own checkpoint?")
q("en", "diagnose", "measure attention decay of Llama-3.1-8B", L31)
q("en", "diagnose", "How can I diagnose the attention gamma of ./my-model?")
q("en", "diagnose", "run taf diagnose on qwen 7b", Q7)
q("es", "diagnose", "¿Cómo mido γ de mi propio modelo?")
q("es", "diagnose", "medir el decaimiento de atención de Llama-3.1-8B", L31)
q("fr", "diagnose", "Comment mesurer le γ de mon propre modèle ?")
q("fr", "diagnose", "mesurer la décroissance de l'attention de Mistral 7B", M7)
q("zh", "diagnose", "怎么测量我自己模型的 γ？")
q("zh", "diagnose", "测量 Llama-3.1-8B 的注意力衰减", L31)
# ---------------- compare ----------------
q("en", "compare", "Compare Llama-3-8B and Mistral-7B for 32k retrieval", [L3, M7], recipe="X-2", T_eval=32000)
q("en", "compare", "llama 3.1 8b vs qwen 2.5 7b at 64k context", [L31, Q7], recipe="X-2", T_eval=64000)
q(
    "en",
    "compare",
    "Which is cheaper to serve at 100M tokens/day, Llama-3.1-8B or Mistral 7B?",
    [L31, M7],
    recipe="X-5",
    target_tokens_per_day=1e8,
)
q("en", "compare", "gemma-2-9b versus llama-3-8b for long context", [G9, L3], recipe="X-2")
q("es", "compare", "Compara Llama-3-8B y Mistral-7B para recuperación a 32k", [L3, M7], recipe="X-2", T_eval=32000)
q("es", "compare", "¿Qwen 2.5 7B o Llama 3.1 8B para contexto de 64k?", [Q7, L31], recipe="X-2", T_eval=64000)
q("fr", "compare", "Comparer Llama-3-8B et Mistral-7B pour la recherche à 32k", [L3, M7], recipe="X-2", T_eval=32000)
q("fr", "compare", "Qwen 2.5 7B ou Llama 3.1 8B pour un contexte de 64k ?", [Q7, L31], recipe="X-2", T_eval=64000)
q("zh", "compare", "比较 Llama-3-8B 和 Mistral-7B 在 32k 检索上的表现", [L3, M7], recipe="X-2", T_eval=32000)
q("zh", "compare", "Qwen 2.5 7B 和 Llama 3.1 8B 哪个更适合 64k 上下文？", [Q7, L31], recipe="X-2", T_eval=64000)
# ---------------- recipes ----------------
for lang, text, model, T in [
    ("en", "Will Llama-3-8B retrieve a needle at 32K?", L3, 32000),
    ("en", "Can Llama-3.1-8B do needle-in-a-haystack at 100k?", L31, 100000),
    ("en", "Is mistral 7b reliable at 16k tokens of context?", M7, 16000),
    ("en", "qwen 7b needle retrieval 64k ok?", Q7, 64000),
    ("en", "Would gemma 2 2b lose facts in an 8k prompt?", G2, 8000),
    ("en", "Does Llama-3.3-70B keep recall at 128k?", L70, 128000),
    ("en", "Can Llama 3 8B handle 64K context for needle retrieval?", L3, 64000),
    ("en", "long ctx check llama3.1 8b 200k", L31, 200000),
    ("en", "will phi-3 mini find a passkey at 4k?", PHI, 4000),
    ("en", "mistral-nemo at 128k tokens: does retrieval hold?", NEMO, 128000),
    ("es", "¿Llama-3-8B recupera una aguja a 32K?", L3, 32000),
    ("es", "¿Es fiable Mistral 7B con 16k tokens de contexto?", M7, 16000),
    ("es", "¿Aguanta Qwen 7B 64 mil tokens de contexto?", Q7, 64000),
    ("es", "¿Llama 3.1 8B encuentra datos en un documento de 100k tokens?", L31, 100000),
    ("fr", "Llama-3-8B retrouve-t-il une aiguille à 32K ?", L3, 32000),
    ("fr", "Mistral 7B est-il fiable à 16k tokens de contexte ?", M7, 16000),
    ("fr", "Qwen 7B tient-il 64k tokens de contexte ?", Q7, 64000),
    ("fr", "Llama 3.1 8B retrouve-t-il un fait dans 100k tokens ?", L31, 100000),
    ("zh", "Llama-3-8B 能处理 64K 上下文的大海捞针检索吗？", L3, 64000),
    ("zh", "Mistral 7B 在 16k 上下文下可靠吗？", M7, 16000),
    ("zh", "Qwen 7B 能处理 3.2 万 token 的上下文吗？", Q7, 32000),
    ("zh", "Llama 3.1 8B 在 10 万 token 文档里能找到信息吗？", L31, 100000),
]:
    q(lang, "X-2", text, model, T_eval=T)
for lang, text, model, T in [
    ("en", "Should I compress the KV cache of Llama-3.1-8B at 64k?", L31, 64000),
    ("en", "KV eviction or soft decay for mistral 7b at 32k?", M7, 32000),
    ("en", "best kv compression for qwen 7b 16k", Q7, 16000),
    ("es", "¿Debo comprimir la caché KV de Llama-3.1-8B a 64k?", L31, 64000),
    ("es", "¿Qué compresión de caché KV para Mistral 7B a 32k?", M7, 32000),
    ("fr", "Dois-je compresser le cache KV de Llama-3.1-8B à 64k ?", L31, 64000),
    ("fr", "Quelle compression du cache KV pour Mistral 7B à 32k ?", M7, 32000),
    ("zh", "Llama-3.1-8B 在 64k 时要不要压缩 KV 缓存？", L31, 64000),
    ("zh", "Mistral 7B 32k 上下文用什么 KV 缓存压缩方法？", M7, 32000),
]:
    q(lang, "X-19", text, model, T_eval=T)
for lang, text, params in [
    (
        "en",
        "Should I train a custom 7B model or pay for GPT-4o at 50M tokens a month?",
        {"N_params": 7e9, "api_model": "GPT-4o", "monthly_tokens_M": 50},
    ),
    (
        "en",
        "Fine-tune a 7B with LoRA or pay GPT-4o at 100M tokens/month?",
        {"N_params": 7e9, "api_model": "GPT-4o", "monthly_tokens_M": 100, "training": "lora"},
    ),
    (
        "en",
        "build vs buy: 13B model vs Claude Haiku at 1B tokens monthly",
        {"N_params": 13e9, "api_model": "Claude-Haiku-4", "monthly_tokens_M": 1000},
    ),
    (
        "en",
        "is it cheaper to fine-tune our own 8B than to use the GPT-4o API for 300M tokens a month?",
        {"N_params": 8e9, "api_model": "GPT-4o", "monthly_tokens_M": 300, "training": "full_finetune"},
    ),
    ("en", "Train our own 3B or use an API? We do 20M tokens per month", {"N_params": 3e9, "monthly_tokens_M": 20}),
    (
        "es",
        "¿Entrenar un modelo propio de 7B o pagar GPT-4o con 50M tokens al mes?",
        {"N_params": 7e9, "api_model": "GPT-4o", "monthly_tokens_M": 50},
    ),
    (
        "es",
        "¿Ajuste fino con LoRA de un 7B o pagar GPT-4o con 100 millones de tokens al mes?",
        {"N_params": 7e9, "api_model": "GPT-4o", "monthly_tokens_M": 100, "training": "lora"},
    ),
    (
        "fr",
        "Entraîner notre propre modèle de 7B ou payer GPT-4o à 50M tokens par mois ?",
        {"N_params": 7e9, "api_model": "GPT-4o", "monthly_tokens_M": 50},
    ),
    (
        "fr",
        "Affiner un 7B avec LoRA ou payer GPT-4o à 100M tokens par mois ?",
        {"N_params": 7e9, "api_model": "GPT-4o", "monthly_tokens_M": 100, "training": "lora"},
    ),
    (
        "zh",
        "自己训练一个 7B 模型还是用 GPT-4o API？每月 5000 万 token",
        {"N_params": 7e9, "api_model": "GPT-4o", "monthly_tokens_M": 50},
    ),
    (
        "zh",
        "用 LoRA 微调一个 7B 模型还是用 GPT-4o？每月 1 亿 token",
        {"N_params": 7e9, "api_model": "GPT-4o", "monthly_tokens_M": 100, "training": "lora"},
    ),
]:
    q(lang, "X-1", text, N, **params)
for lang, text, params in [
    (
        "en",
        "I have $10,000 of compute: what is the biggest model I can pretrain on H100s?",
        {"USD_budget": 1e4, "gpu": "H100 SXM"},
    ),
    ("en", "With a $1M budget, what size model should I train?", {"USD_budget": 1e6}),
    ("en", "What can I train for 50k dollars on A100s?", {"USD_budget": 5e4, "gpu": "A100 80GB"}),
    ("es", "Con un presupuesto de 10.000 dólares, ¿qué modelo puedo entrenar?", {"USD_budget": 1e4}),
    ("es", "¿Qué tamaño de modelo entreno con 1 millón de dólares en H100?", {"USD_budget": 1e6, "gpu": "H100 SXM"}),
    ("fr", "Avec un budget de 10 000 dollars, quel modèle puis-je entraîner ?", {"USD_budget": 1e4}),
    ("fr", "Quelle taille de modèle pour 1 M$ de calcul sur H100 ?", {"USD_budget": 1e6, "gpu": "H100 SXM"}),
    ("zh", "预算 1 万美元，能训练多大的模型？", {"USD_budget": 1e4}),
    ("zh", "100 万美元用 H100 能训练多大的模型？", {"USD_budget": 1e6, "gpu": "H100 SXM"}),
]:
    q(lang, "X-3", text, N, **params)
for lang, text, model, params in [
    (
        "en",
        "Which GPU is cheapest to run Llama-3.1-8B for 10 concurrent users at 8k?",
        L31,
        {"concurrent_users": 10, "T_eval": 8000},
    ),
    ("en", "best gpu for mistral 7b inference", M7, {}),
    ("es", "¿Qué GPU es la más barata para ejecutar Llama-3.1-8B?", L31, {}),
    ("fr", "Quel GPU est le moins cher pour faire tourner Llama-3.1-8B ?", L31, {}),
    ("zh", "跑 Llama-3.1-8B 哪个 GPU 最划算？", L31, {}),
]:
    q(lang, "X-5", text, model, **params)
for lang, text, params in [
    (
        "en",
        "Is a γ of 0.62 on random tokens a clean imprint for a 1B model?",
        {"gamma_random_obs": 0.62, "N_params": 1e9},
    ),
    ("en", "pythia-1b measured gamma random 0.78: is the imprint pure?", {"gamma_random_obs": 0.78}),
    (
        "es",
        "¿Es limpia la huella con γ = 0,62 en tokens aleatorios para un modelo de 1B?",
        {"gamma_random_obs": 0.62, "N_params": 1e9},
    ),
    (
        "fr",
        "Un γ de 0,62 sur des tokens aléatoires est-il une empreinte propre pour un modèle de 1B ?",
        {"gamma_random_obs": 0.62, "N_params": 1e9},
    ),
    ("zh", "1B 模型随机 token 上 γ = 0.62，印记是否干净？", {"gamma_random_obs": 0.62, "N_params": 1e9}),
]:
    q(lang, "X-21", text, P1 if "pythia" in text else N, **params)
for lang, text, params in [
    ("en", "Is my model's K invariant normal with γ = 0.9 on text?", {"gamma_obs": 0.9}),
    ("en", "check the K = γ·ln(N²D) invariant for llama-3-8b with gamma 1.05", {"gamma_obs": 1.05}),
    ("es", "¿Es normal el invariante K de mi modelo con γ = 0,9 en texto?", {"gamma_obs": 0.9}),
    ("fr", "L'invariant K de mon modèle est-il normal avec γ = 0,9 sur du texte ?", {"gamma_obs": 0.9}),
    ("zh", "文本上 γ = 0.9，我的模型的 K 不变量正常吗？", {"gamma_obs": 0.9}),
]:
    q(lang, "X-22", text, L3 if "llama" in text else N, **params)
for lang, text, params in [
    (
        "en",
        "Has my model formed induction heads? γ text 0.85, γ random 0.95",
        {"gamma_text": 0.85, "gamma_random": 0.95},
    ),
    ("en", "Is pythia-160m past the induction-head phase?", {}),
    (
        "es",
        "¿Mi modelo ya formó cabezas de inducción? γ texto 0,85, γ aleatorio 0,95",
        {"gamma_text": 0.85, "gamma_random": 0.95},
    ),
    (
        "fr",
        "Mon modèle a-t-il formé des têtes d'induction ? γ texte 0,85, γ aléatoire 0,95",
        {"gamma_text": 0.85, "gamma_random": 0.95},
    ),
    ("zh", "我的模型形成归纳头了吗？文本 γ 0.85，随机 γ 0.95", {"gamma_text": 0.85, "gamma_random": 0.95}),
]:
    q(lang, "X-23", text, "EleutherAI/pythia-160m" if "pythia" in text else N, **params)
# ---------------- refuse ----------------
for lang, text in [
    ("en", "What's the weather in Paris tomorrow?"),
    ("en", "Write me a poem about transformers"),
    ("en", "Who won the 2022 World Cup?"),
    ("en", "translate 'hello' into German"),
    ("en", "asdfghjkl"),
    ("es", "¿Qué tiempo hará mañana en Madrid?"),
    ("es", "Escríbeme un poema"),
    ("fr", "Quel temps fera-t-il demain à Lyon ?"),
    ("fr", "Écris-moi un poème"),
    ("zh", "明天北京天气怎么样？"),
    ("zh", "给我写一首诗"),
    ("en", "How do I bake sourdough bread?"),
]:
    q(lang, "refuse", text, kind="refuse")
# ---------------- paraphrases and typos of the common questions (more per capability) ----------------
for lang, text, model, params in [
    ("en", "VRAM needed: Llama 3 8B, 8k ctx, batch 16", L3, {"context": 8000, "batch": 16}),
    ("en", "can i run llama 3.1 8b on a 5090", L31, {"gpu": "RTX 5090"}),
    ("en", "Will Qwen2.5-0.5B fit on a 5060 Ti?", Q05, {"gpu": "RTX 5060Ti"}),
    ("en", "does gemma 2 2b fit in 8 GB at 8k context", G2, {"context": 8000}),
    ("en", "mem requirement falcon-7b 2k tokens", F7, {"context": 2000}),
    ("en", "Will Llama-3.2-1B run on an RTX 4090 with 128k context?", L1, {"gpu": "RTX 4090", "context": 128000}),
    ("en", "llama 3.2 3b vram at 64k", L32, {"context": 64000}),
    ("en", "Can I fit mixtral 8x7b in 48GB with 4-bit weights?", MX, {"weights_dtype": "q4_0"}),
    ("es", "¿Cuánta memoria necesita Falcon 7B con 2k tokens?", F7, {"context": 2000}),
    ("es", "¿Cabe Llama 3.2 1B en una RTX 4090 con 128k de contexto?", L1, {"gpu": "RTX 4090", "context": 128000}),
    ("fr", "Combien de mémoire pour Falcon 7B à 2k tokens ?", F7, {"context": 2000}),
    (
        "fr",
        "Llama 3.2 1B tient-il sur une RTX 4090 avec 128k de contexte ?",
        L1,
        {"gpu": "RTX 4090", "context": 128000},
    ),
    ("zh", "Falcon 7B 在 2k token 时需要多少内存？", F7, {"context": 2000}),
    ("zh", "Llama 3.2 1B 在 RTX 4090 上能跑 128k 上下文吗？", L1, {"gpu": "RTX 4090", "context": 128000}),
    ("zh", "Qwen 7B 在 4090 上 3.2 万 token 的显存", Q7, {"gpu": "RTX 4090", "context": 32000}),
]:
    q(lang, "memory", text, model, **params)
for lang, text, model, params in [
    ("en", "How many B200s to serve qwen 72b at 1 billion tokens a day?", Q72, {"gpu": "B200", "tokens_per_day": 1e9}),
    (
        "en",
        "GPU count for llama 3.1 8b at 20 requests in parallel, 16k context",
        L31,
        {"concurrency": 20, "context": 16000},
    ),
    (
        "en",
        "serve Llama-70B 100M tokens/day with at most 30 ms per token",
        L70,
        {"tokens_per_day": 1e8, "max_ms_per_token": 30},
    ),
    (
        "es",
        "¿Cuántas B200 para servir Qwen 72B a mil millones de tokens al día?",
        Q72,
        {"gpu": "B200", "tokens_per_day": 1e9},
    ),
    (
        "fr",
        "Combien de B200 pour servir Qwen 72B à un milliard de tokens par jour ?",
        Q72,
        {"gpu": "B200", "tokens_per_day": 1e9},
    ),
    ("zh", "每天 10 亿 token 部署 Qwen 72B 需要几张 B200？", Q72, {"gpu": "B200", "tokens_per_day": 1e9}),
]:
    q(lang, "plan", text, model, **params)

for lang, text, model, params in [
    (
        "en",
        "vllm command for mistral 7b with fp8 kv cache on an L40S",
        M7,
        {"engine": "vllm", "gpu": "L40S", "kv_dtype": "fp8"},
    ),
    ("en", "What --tensor-parallel-size for Llama-3.1-70B on H100s?", L3170, {"engine": "vllm", "gpu": "H100 SXM"}),
    ("en", "llama.cpp flags to run qwen2.5-7b on an 8 GB card", Q7, {"engine": "llama.cpp"}),
    ("en", "how to launch gemma-2-9b with ollama with a 16k context", G9, {"engine": "ollama", "context": 16000}),
    ("en", "sglang --mem-fraction-static for llama 3 8b on an a100", L3, {"engine": "sglang", "gpu": "A100 80GB"}),
    (
        "en",
        "Give me a llama-server command for mixtral with partial offload on a 4090",
        MX,
        {"engine": "llama.cpp", "gpu": "RTX 4090"},
    ),
    ("es", "flags de llama.cpp para qwen2.5-7b en una tarjeta de 8 GB", Q7, {"engine": "llama.cpp"}),
    ("es", "comando sglang para Llama 3 8B en una A100", L3, {"engine": "sglang", "gpu": "A100 80GB"}),
    ("fr", "Quels paramètres llama.cpp pour qwen2.5-7b sur une carte de 8 Go ?", Q7, {"engine": "llama.cpp"}),
    (
        "fr",
        "Commande vllm serve pour Mistral 7B avec un cache KV fp8 sur une L40S",
        M7,
        {"engine": "vllm", "gpu": "L40S", "kv_dtype": "fp8"},
    ),
    ("zh", "8GB 显卡用 llama.cpp 跑 qwen2.5-7b 的参数", Q7, {"engine": "llama.cpp"}),
    ("zh", "L40S 上用 fp8 KV 缓存跑 Mistral 7B 的 vllm 命令", M7, {"engine": "vllm", "gpu": "L40S", "kv_dtype": "fp8"}),
    ("en", "vllm serve 命令 for Llama 70B on 4 H100", L70, {"engine": "vllm", "gpu": "H100 SXM", "tp": 4}),
    ("en", "ollma num_gpu for mistral 7b on my 4090", M7, {"engine": "ollama", "gpu": "RTX 4090"}),
]:
    q(lang, "launch", text, model, kind="plain" if "命令" not in text else "mixed", **params)
for lang, text, model, params in [
    ("en", "Stretch Llama-3.2-1B beyond 128k: 256k with YaRN?", L1, {"to": 256000, "method": "yarn"}),
    ("en", "longrope settings to reach 128k on phi-3-mini", PHI, {"to": 128000, "method": "longrope"}),
    ("en", "llama3-style rope scaling to take llama 3 8b to 128k", L3, {"to": 128000, "method": "llama3"}),
    ("en", "context extension for mistral-7b-v0.1 up to 32k", M7, {"to": 32000}),
    ("en", "How far can I extend qwen 2.5 7b with rope scaling? 1M?", Q7, {"to": 1000000}),
    ("es", "Configuración de YaRN para llevar Llama 3 8B a 64k tokens", L3, {"to": 64000, "method": "yarn"}),
    ("es", "extender Mistral 7B hasta 32k", M7, {"to": 32000}),
    ("fr", "Configuration YaRN pour porter Llama 3 8B à 64k tokens", L3, {"to": 64000, "method": "yarn"}),
    ("fr", "étendre Mistral 7B jusqu'à 32k", M7, {"to": 32000}),
    ("zh", "用 YaRN 把 Llama 3 8B 扩展到 64k token 的配置", L3, {"to": 64000, "method": "yarn"}),
    ("zh", "把 Mistral 7B 扩展到 32k", M7, {"to": 32000}),
    ("zh", "gemma-2-9b 用线性插值扩展到 32k", G9, {"to": 32000, "method": "linear"}),
]:
    q(lang, "extend", text, model, **params)
for lang, text, model in [
    ("en", "how to get the per-head gamma field of pythia-1b", P1),
    ("en", "Measure γ at 32k tokens for llama 3.1 8b on my GPU", L31),
    ("en", "sweep gamma over a list of models on my cluster", N),
    ("es", "¿Cómo mido γ por cabeza en pythia-1b?", P1),
    ("fr", "Comment mesurer γ à 32k tokens pour llama 3.1 8b sur mon GPU ?", L31),
    ("zh", "怎么测量 pythia-1b 每个注意力头的 γ？", P1),
    ("zh", "在集群上批量测量多个模型的 γ", N),
    ("es", "medir γ de varios modelos en un clúster", N),
]:
    q(lang, "diagnose", text, model)
for lang, text, models, params in [
    ("en", "Mixtral vs Llama-3.1-70B: which is cheaper to serve?", [MX, L3170], {"recipe": "X-5"}),
    ("en", "compare qwen3-8b and llama-3.1-8b kv compression at 64k", [Q3, L31], {"recipe": "X-19", "T_eval": 64000}),
    ("en", "phi-3-mini or gemma-2-2b for 4k needle retrieval?", [PHI, G2], {"recipe": "X-2", "T_eval": 4000}),
    ("es", "Mixtral o Llama-3.1-70B: ¿cuál es más barato de servir?", [MX, L3170], {"recipe": "X-5"}),
    ("fr", "Mixtral ou Llama-3.1-70B : lequel est le moins cher à servir ?", [MX, L3170], {"recipe": "X-5"}),
    ("zh", "Mixtral 和 Llama-3.1-70B 哪个部署更便宜？", [MX, L3170], {"recipe": "X-5"}),
    ("en", "Llama-3-8B vs Mistral-7B 在 32k 的检索", [L3, M7], {"recipe": "X-2", "T_eval": 32000}),
]:
    q(lang, "compare", text, models, **params)
for lang, text in [
    ("en", "tell me a joke"),
    ("en", "What is the capital of Australia?"),
    ("en", "Is the stock market going up?"),
    ("es", "cuéntame un chiste"),
    ("es", "¿Cuál es la capital de Australia?"),
    ("fr", "raconte-moi une blague"),
    ("fr", "Quelle est la capitale de l'Australie ?"),
    ("zh", "讲个笑话"),
    ("zh", "澳大利亚的首都是哪里？"),
    ("en", "Recommend a good pizza place"),
    ("es", "recomiéndame una pizzería"),
    ("fr", "recommande-moi une pizzeria"),
    ("zh", "推荐一家披萨店"),
]:
    q(lang, "refuse", text, kind="refuse")
for lang, text, model, T in [
    ("en", "Llama 3.1 8b 32k needle ok?", L31, 32000),
    ("en", "Can qwen3 8b recall facts at 40k?", Q3, 40000),
    ("en", "gemma-2-9b at 8192 tokens retrieval reliable?", G9, 8192),
    ("en", "needle in a haystack at 1M tokens with llama-3.1-8b", L31, 1000000),
    ("es", "¿Qwen3-8B recuerda datos a 40k?", Q3, 40000),
    ("fr", "Qwen3-8B retrouve-t-il des faits à 40k ?", Q3, 40000),
    ("zh", "Qwen3-8B 在 4 万 token 时还能回忆事实吗？", Q3, 40000),
    ("en", "Llama-3-8B 能否在 32K 找到 needle?", L3, 32000),
]:
    q(lang, "X-2", text, model, T_eval=T)
for lang, text, model, params in [
    ("en", "Max batch for llama-3-8b at 4k on an H100?", L3, {"context": 4000, "gpu": "H100 SXM"}),
    (
        "en",
        "Will Mistral-Nemo fit in 24 GB with q8_0 kv cache at 32k?",
        NEMO,
        {"context": 32000, "kv_dtype": "q8_0", "gpu": "RTX 4090"},
    ),
    ("es", "Lote máximo para llama-3-8b a 4k en una H100", L3, {"context": 4000, "gpu": "H100 SXM"}),
    ("fr", "Batch maximal pour llama-3-8b à 4k sur une H100 ?", L3, {"context": 4000, "gpu": "H100 SXM"}),
    ("zh", "H100 上 llama-3-8b 4k 上下文最大批量是多少？", L3, {"context": 4000, "gpu": "H100 SXM"}),
]:
    q(lang, "memory", text, model, **params)
for lang, text, model, params in [
    (
        "en",
        "What's the $/Mtok for serving mistral 7b on H100s at 10M tokens per day?",
        M7,
        {"gpu": "H100 SXM", "tokens_per_day": 1e7},
    ),
    (
        "es",
        "¿Cuánto cuesta por millón de tokens servir Mistral 7B en H100 a 10M tokens al día?",
        M7,
        {"gpu": "H100 SXM", "tokens_per_day": 1e7},
    ),
    (
        "fr",
        "Quel coût par million de tokens pour servir Mistral 7B sur H100 à 10M tokens par jour ?",
        M7,
        {"gpu": "H100 SXM", "tokens_per_day": 1e7},
    ),
    (
        "zh",
        "在 H100 上每天 1000 万 token 部署 Mistral 7B，每百万 token 成本多少？",
        M7,
        {"gpu": "H100 SXM", "tokens_per_day": 1e7},
    ),
    ("en", "plan for 1,5 Mrd. tokens/day on llama 3.1 8b", L31, {"tokens_per_day": 1.5e9}),
]:
    q(lang, "plan", text, model, **params)

for lang, text, model, params in [
    (
        "es",
        "¿Cuántas H100 hacen falta para 64 usuarios concurrentes con Qwen2.5-72B a 8k?",
        Q72,
        {"gpu": "H100 SXM", "concurrency": 64, "context": 8000},
    ),
    (
        "fr",
        "Combien de H100 pour 64 utilisateurs simultanés avec Qwen2.5-72B à 8k ?",
        Q72,
        {"gpu": "H100 SXM", "concurrency": 64, "context": 8000},
    ),
    (
        "zh",
        "Qwen2.5-72B 8k 上下文 64 个并发用户需要几张 H100？",
        Q72,
        {"gpu": "H100 SXM", "concurrency": 64, "context": 8000},
    ),
]:
    q(lang, "plan", text, model, **params)
for lang, text, model, params in [
    ("en", "Wil llama-3-8b fit on a 4090 at 16k?", L3, {"gpu": "RTX 4090", "context": 16000}),
    ("es", "¿Cabe Llama-3-8B en una 4090 con 16k?", L3, {"gpu": "RTX 4090", "context": 16000}),
    ("fr", "Llama-3-8B tient-il sur une 4090 à 16k ?", L3, {"gpu": "RTX 4090", "context": 16000}),
    ("zh", "Llama-3-8B 16k 上下文能放进 4090 吗？", L3, {"gpu": "RTX 4090", "context": 16000}),
]:
    q(lang, "memory", text, model, kind="typo" if "Wil " in text else "plain", **params)
for lang, text, model, params in [
    ("es", "¿Qué factor YaRN para llevar Qwen 7B a 1M tokens?", Q7, {"to": 1000000, "method": "yarn"}),
    ("fr", "Quel facteur YaRN pour amener Qwen 7B à 1M tokens ?", Q7, {"to": 1000000, "method": "yarn"}),
    ("zh", "Qwen 7B 扩展到 100 万 token 用多大的 YaRN 因子？", Q7, {"to": 1000000, "method": "yarn"}),
]:
    q(lang, "extend", text, model, **params)

path = sys.argv[1]
with open(path, "w", encoding="utf-8") as f:
    for i, row in enumerate(R, 1):
        row = {"id": i, **row}
        f.write(json.dumps(row, ensure_ascii=False) + "\n")
print(len(R))

print(Counter(r["route"] for r in R))
print(Counter(r["lang"] for r in R))
