"""``launch_commands``: the command lines that start a serving plan, for the request's engine; ``launch_script``:
the same as one POSIX shell snippet to read or paste."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from tafagent.core.launch.llama_cpp import llama_cpp_commands
from tafagent.core.launch.ollama import ollama_commands
from tafagent.core.launch.request import LaunchCommand, LaunchRequest, validate_request
from tafagent.core.launch.sglang import sglang_commands
from tafagent.core.launch.vllm import vllm_commands

_BUILDERS: dict[str, Callable[[LaunchRequest], tuple[LaunchCommand, ...]]] = {
    "vllm": vllm_commands,
    "sglang": sglang_commands,
    "llama.cpp": llama_cpp_commands,
    "ollama": ollama_commands,
}
# Here-document delimiter for the files a command reads; quoted, so the shell expands nothing inside.
_EOF = "TAF_EOF"


def launch_commands(request: LaunchRequest) -> tuple[LaunchCommand, ...]:
    """Validate ``request`` (UsageError naming the field and the fix) and return its engine's commands, in the
    order to run them."""
    engine = validate_request(request)
    return _BUILDERS[engine](request)


def launch_script(commands: Iterable[LaunchCommand], lang: str = "en") -> str:
    """The commands as a shell snippet: each command's notes as ``#`` comments, the files it reads written with a
    quoted here-document, then its line. A server command blocks; run the lines after it in another shell. The
    comments are in ``lang``; the commands are the same in every language."""
    lines: list[str] = []
    for command in commands:
        lines += [f"# {note}" for note in command.note_texts(lang)]
        for name, content in command.files:
            # A line equal to the delimiter would end the here-document early; no Modelfile line looks like it.
            lines += [f"cat > {name} <<'{_EOF}'", *content.rstrip("\n").splitlines(), _EOF]
        lines.append(command.text)
    return "\n".join(lines) + "\n"
