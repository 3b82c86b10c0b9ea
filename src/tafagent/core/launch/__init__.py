"""Launch commands for a serving plan: ``vllm serve``, ``python -m sglang.launch_server``, ``llama-server``,
Ollama (environment, Modelfile, API options). Pure: builds argv tuples, runs nothing."""

from tafagent.core.launch.commands import launch_commands, launch_script
from tafagent.core.launch.request import (
    KV_DTYPES,
    LAUNCH_ENGINES,
    LaunchCommand,
    LaunchRequest,
    command_note_texts,
    validate_request,
)

__all__ = [
    "KV_DTYPES",
    "LAUNCH_ENGINES",
    "LaunchCommand",
    "LaunchRequest",
    "command_note_texts",
    "launch_commands",
    "launch_script",
    "validate_request",
]
