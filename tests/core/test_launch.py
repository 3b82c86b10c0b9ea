"""Launch commands: what each engine's line says, the rules behind it, and the request checks at the core boundary."""

from __future__ import annotations

import json
import shlex

import pytest

from tafagent.core.errors import UsageError
from tafagent.core.launch import LaunchCommand, LaunchRequest, launch_commands, launch_script


def _one(request: LaunchRequest) -> LaunchCommand:
    (command,) = launch_commands(request)
    return command


def _value(command: LaunchCommand, flag: str) -> str:
    return command.argv[command.argv.index(flag) + 1]


# --- vLLM ---------------------------------------------------------------------------------------------------


def test_vllm_line_carries_every_planned_size() -> None:
    command = _one(
        LaunchRequest(
            "meta-llama/Llama-3.1-70B-Instruct",
            "vllm",
            tensor_parallel_size=4,
            max_model_len=32768,
            max_num_seqs=64,
            gpu_memory_utilization=0.92,
            kv_cache_dtype="fp8",
            port=8001,
        )
    )
    assert command.argv[:3] == ("vllm", "serve", "meta-llama/Llama-3.1-70B-Instruct")
    assert _value(command, "--tensor-parallel-size") == "4"
    assert _value(command, "--max-model-len") == "32768"
    assert _value(command, "--max-num-seqs") == "64"
    assert _value(command, "--gpu-memory-utilization") == "0.92"
    assert _value(command, "--kv-cache-dtype") == "fp8"
    assert _value(command, "--port") == "8001"
    assert "--quantization" not in command.argv


def test_vllm_defaults_are_left_out_and_explained() -> None:
    command = _one(LaunchRequest("m", "vllm"))
    assert command.argv == ("vllm", "serve", "m", "--tensor-parallel-size", "1")
    assert any("0.92" in note for note in command.notes)


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        ("fp8", "fp8"),
        ("fp8_e5m2", "fp8_e5m2"),
        ("bfloat16", "bfloat16"),
        ("fp16", "float16"),
        ("int8", "int8_per_token_head"),
    ],
)
def test_vllm_kv_dtype_names_are_mapped_to_vllm_choices(ours: str, theirs: str) -> None:
    assert _value(_one(LaunchRequest("m", "vllm", kv_cache_dtype=ours)), "--kv-cache-dtype") == theirs


def test_vllm_fp8_weights_quantise_a_16_bit_checkpoint_only() -> None:
    online = _one(LaunchRequest("meta-llama/Llama-3.1-8B", "vllm", quantization="fp8"))
    assert _value(online, "--quantization") == "fp8"
    stored = _one(LaunchRequest("neuralmagic/Llama-3.1-8B-Instruct-FP8", "vllm", quantization="fp8"))
    assert "--quantization" not in stored.argv
    assert any("already" in note for note in stored.notes)
    awq = _one(LaunchRequest("m", "vllm", quantization="awq"))
    assert "--quantization" not in awq.argv
    assert any("checkpoint" in note for note in awq.notes)
    assert _value(_one(LaunchRequest("m", "vllm", quantization="nf4")), "--quantization") == "bitsandbytes"


def test_vllm_refuses_llama_cpp_cache_types_with_the_fix() -> None:
    with pytest.raises(UsageError) as error:
        launch_commands(LaunchRequest("m", "vllm", kv_cache_dtype="q4_0"))
    line = error.value.one_line()
    assert "q4_0" in line and "fp8" in line and "llama.cpp" in line
    with pytest.raises(UsageError, match="GGUF"):
        launch_commands(LaunchRequest("m", "vllm", quantization="gguf-q4_k_m"))


# --- SGLang -------------------------------------------------------------------------------------------------


def test_sglang_line_uses_its_own_flag_names() -> None:
    command = _one(
        LaunchRequest(
            "Qwen/Qwen2.5-72B-Instruct",
            "sglang",
            tensor_parallel_size=8,
            max_model_len=131072,
            max_num_seqs=32,
            gpu_memory_utilization=0.85,
            kv_cache_dtype="fp8",
        )
    )
    assert command.argv[:3] == ("python", "-m", "sglang.launch_server")
    assert _value(command, "--model-path") == "Qwen/Qwen2.5-72B-Instruct"
    assert _value(command, "--tp-size") == "8"
    assert _value(command, "--context-length") == "131072"
    assert _value(command, "--mem-fraction-static") == "0.85"
    assert _value(command, "--max-running-requests") == "32"
    assert _value(command, "--kv-cache-dtype") == "fp8_e4m3"


def test_sglang_refuses_int8_kv() -> None:
    with pytest.raises(UsageError, match="SGLang has no KV cache dtype 'int8'"):
        launch_commands(LaunchRequest("m", "sglang", kv_cache_dtype="int8"))


# --- llama.cpp ----------------------------------------------------------------------------------------------


def test_llama_cpp_total_context_is_per_request_context_times_slots() -> None:
    command = _one(LaunchRequest("/m/model.gguf", "llama.cpp", max_model_len=8192, max_num_seqs=4, n_layers=32))
    assert _value(command, "-c") == str(8192 * 4)
    assert _value(command, "-np") == "4"
    assert any("8192 tokens per request × 4 slots" in note for note in command.notes)


def test_llama_cpp_full_offload_counts_the_output_layer_and_loads_without_mmap() -> None:
    command = _one(LaunchRequest("/m/model.gguf", "llama.cpp", n_layers=32))
    assert _value(command, "-ngl") == "33"
    assert _value(command, "--load-mode") == "none" and "--no-mmap" not in command.argv
    unknown = _one(LaunchRequest("/m/model.gguf", "llama.cpp"))
    assert _value(unknown, "-ngl") == "999"
    assert any("999" in note for note in unknown.notes)


def test_llama_cpp_partial_offload_keeps_mmap() -> None:
    command = _one(LaunchRequest("/m/model.gguf", "llama.cpp", n_gpu_layers=20, n_layers=80))
    assert _value(command, "-ngl") == "20"
    assert "--load-mode" not in command.argv
    assert any("partial offload" in note for note in command.notes)


def test_llama_cpp_flash_attention_and_cache_types() -> None:
    command = _one(LaunchRequest("/m/model.gguf", "llama.cpp", kv_cache_dtype="q8_0"))
    assert _value(command, "-fa") == "on"
    assert _value(command, "-ctk") == "q8_0" and _value(command, "-ctv") == "q8_0"
    plain = _one(LaunchRequest("/m/model.gguf", "llama.cpp", flash_attention=False))
    assert _value(plain, "-fa") == "off" and "-ctk" not in plain.argv
    with pytest.raises(UsageError, match="flash attention"):
        launch_commands(LaunchRequest("/m/model.gguf", "llama.cpp", kv_cache_dtype="q4_0", flash_attention=False))
    with pytest.raises(UsageError) as error:
        launch_commands(LaunchRequest("/m/model.gguf", "llama.cpp", kv_cache_dtype="fp8"))
    assert "use q8_0" in error.value.one_line()


def test_llama_cpp_hub_repo_uses_hf_flag() -> None:
    command = _one(LaunchRequest("bartowski/Llama-3.1-8B-Instruct-GGUF", "llamacpp"))
    assert command.engine == "llama.cpp"
    assert _value(command, "-hf") == "bartowski/Llama-3.1-8B-Instruct-GGUF"


# --- Ollama -------------------------------------------------------------------------------------------------


def test_ollama_gives_server_environment_modelfile_and_api_options() -> None:
    serve, create, curl = launch_commands(
        LaunchRequest(
            "llama3.1:8b", "ollama", max_model_len=16384, max_num_seqs=2, n_gpu_layers=24, kv_cache_dtype="q8_0"
        )
    )
    assert serve.argv[-2:] == ("ollama", "serve")
    assert {"OLLAMA_FLASH_ATTENTION=1", "OLLAMA_KV_CACHE_TYPE=q8_0", "OLLAMA_NUM_PARALLEL=2"} <= set(serve.argv)
    ((name, modelfile),) = create.files
    assert name == "Modelfile"
    assert modelfile.splitlines() == ["FROM llama3.1:8b", "PARAMETER num_ctx 16384", "PARAMETER num_gpu 24"]
    body = json.loads(curl.argv[curl.argv.index("-d") + 1])
    assert body["options"] == {"num_ctx": 16384, "num_gpu": 24}
    assert body["model"] == "llama3.1:8b" and create.argv[2] == "llama3.1-8b-custom"
    _, _, local_curl = launch_commands(LaunchRequest("/m/x.gguf", "ollama", max_model_len=4096))
    assert json.loads(local_curl.argv[-1])["model"] == "x-custom"
    assert create.to_dict()["files"] == [{"name": "Modelfile", "content": modelfile}]


def test_ollama_refuses_fp8_kv() -> None:
    with pytest.raises(UsageError, match="Ollama has no KV cache dtype 'fp8'"):
        launch_commands(LaunchRequest("llama3.1:8b", "ollama", kv_cache_dtype="fp8"))


# --- quoting, serialisation -----------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["vllm", "sglang", "llama.cpp", "ollama"])
@pytest.mark.parametrize("model", ["/models/My Model (v2)/m.gguf", '/data/it\'s "here"/m.gguf', "/x/$HOME;rm -rf"])
def test_model_paths_are_shell_quoted_and_round_trip(engine: str, model: str) -> None:
    named = []
    for command in launch_commands(LaunchRequest(model, engine, max_model_len=4096, n_layers=32)):
        assert shlex.split(command.text) == list(command.argv)
        assert "\n" not in command.text
        named += [model in command.argv, *(f"FROM {model}\n" in content for _, content in command.files)]
    assert any(named), "the model path reaches no command unchanged"


def test_model_names_with_control_characters_are_refused() -> None:
    with pytest.raises(UsageError, match="control character"):
        launch_commands(LaunchRequest("/m/a\nb.gguf", "ollama"))


def test_to_dict_is_json_ready() -> None:
    for engine in ("vllm", "sglang", "llama.cpp", "ollama"):
        for command in launch_commands(LaunchRequest("m.gguf", engine)):
            data = json.loads(json.dumps(command.to_dict()))
            assert data["argv"] == list(command.argv) and data["checked_against"] == command.checked_against


# --- validation at the core boundary --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        (LaunchRequest("m", "vlm"), "did you mean 'vllm'"),
        (LaunchRequest("m", "olama"), "did you mean 'ollama'"),
        (LaunchRequest("m", "transformers"), "not a server"),
        (LaunchRequest("m", "vllm", tensor_parallel_size=0), "tensor_parallel_size"),
        (LaunchRequest("m", "vllm", max_model_len=0), "max_model_len"),
        (LaunchRequest("m", "vllm", max_num_seqs=-1), "max_num_seqs"),
        (LaunchRequest("m", "vllm", gpu_memory_utilization=0.0), "(0, 1]"),
        (LaunchRequest("m", "vllm", gpu_memory_utilization=90), "not a percentage"),
        (LaunchRequest("m", "llama.cpp", n_gpu_layers=-2), "n_gpu_layers"),
        (LaunchRequest("m", "vllm", port=70000), "port"),
        (LaunchRequest("m", "vllm", kv_cache_dtype="fp9"), "did you mean 'fp8'"),
        (LaunchRequest(" ", "vllm"), "model"),
        (LaunchRequest("m", "vllm", quantization="zip"), "unknown weights format"),
    ],
)
def test_bad_requests_give_one_line_naming_the_fix(request_: LaunchRequest, expected: str) -> None:
    with pytest.raises(UsageError) as error:
        launch_commands(request_)
    line = error.value.one_line()
    assert expected in line
    assert "\n" not in line and error.value.hint
    assert error.value.exit_code == 2


def test_launch_script_writes_files_then_lines() -> None:
    commands = launch_commands(LaunchRequest("/m/my model.gguf", "ollama", max_model_len=8192, n_gpu_layers=10))
    script = launch_script(commands)
    assert (
        "cat > Modelfile <<'TAF_EOF'\nFROM /m/my model.gguf\nPARAMETER num_ctx 8192\nPARAMETER num_gpu 10\nTAF_EOF\n"
        in script
    )
    assert script.index("TAF_EOF\nollama create") > 0
    for command in commands:
        assert command.text in script.splitlines()
