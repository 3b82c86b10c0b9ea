"""What to launch (LaunchRequest), what comes out (LaunchCommand), and the checks at the core boundary.

A request is engine-neutral; each engine module (vllm, sglang, llama_cpp, ollama) turns a validated request into
argv tuples. ``text`` is always ``shlex.join(argv)`` so that ``shlex.split(text) == list(argv)`` (paths with spaces
survive copy-paste into a POSIX shell).
"""

from __future__ import annotations

import difflib
import shlex
from dataclasses import dataclass

from tafagent.core.errors import UsageError
from tafagent.core.messages import Msg

# The engines a launch command can be written for, and other spellings users type for them.
LAUNCH_ENGINES = ("vllm", "sglang", "llama.cpp", "ollama")
_ENGINE_ALIASES = {
    "llamacpp": "llama.cpp",
    "llama-cpp": "llama.cpp",
    "llama_cpp": "llama.cpp",
    "llama-server": "llama.cpp",
    "sgl": "sglang",
}
# tafagent's KV dtype names (core/memory/dtypes.py) plus the explicit fp8 variants engines distinguish.
KV_DTYPES = ("auto", "bf16", "fp16", "fp32", "fp8", "fp8_e4m3", "fp8_e5m2", "int8", "q8_0", "q4_0")
_KV_ALIASES = {
    "bfloat16": "bf16",
    "float16": "fp16",
    "half": "fp16",
    "f16": "fp16",
    "float32": "fp32",
    "f32": "fp32",
    "float8": "fp8",
    "fp8_e4m3fn": "fp8_e4m3",
    "q8": "q8_0",
    "q4": "q4_0",
}
MAX_TCP_PORT = 65535


@dataclass(frozen=True)
class LaunchRequest:
    """One serving configuration to start: the model (Hub id, local directory or .gguf file), the engine and
    the sizes a plan chose. None means "leave the engine's default" (n_gpu_layers None = every layer)."""

    model: str
    engine: str
    tensor_parallel_size: int = 1
    max_model_len: int | None = None
    max_num_seqs: int | None = None
    gpu_memory_utilization: float | None = None
    kv_cache_dtype: str = "auto"
    quantization: str | None = None
    n_gpu_layers: int | None = None
    n_layers: int | None = None
    flash_attention: bool = True
    port: int | None = None


@dataclass(frozen=True)
class LaunchCommand:
    """One command line to run (argv, and ``text``: the same, shell-quoted on one line), why each choice was
    made (notes), the engine version whose argument parser the flags were checked against, and any file the
    command reads (``files``: (file name, content) pairs, e.g. an Ollama Modelfile)."""

    engine: str
    argv: tuple[str, ...]
    text: str
    notes: tuple[str, ...] = ()
    checked_against: str = ""
    files: tuple[tuple[str, str], ...] = ()
    # The notes as messages (serving.launch.note.*), in the same order; ``notes`` is their English text.
    note_msgs: tuple[Msg, ...] = ()

    def note_texts(self, lang: str = "en") -> list[str]:
        """The notes in ``lang`` (English where a note has no message)."""
        return [m.text(lang) for m in self.note_msgs] if self.note_msgs else list(self.notes)

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "engine": self.engine,
            "argv": list(self.argv),
            "text": self.text,
            "notes": list(self.notes),
            "checked_against": self.checked_against,
        }
        if self.note_msgs:
            out["note_messages"] = [m.to_dict() for m in self.note_msgs]
        if self.files:
            out["files"] = [{"name": name, "content": content} for name, content in self.files]
        return out


def make_command(
    engine: str,
    argv: list[str],
    notes: list[Msg],
    checked_against: str,
    files: tuple[tuple[str, str], ...] = (),
) -> LaunchCommand:
    """A LaunchCommand whose text is ``shlex.join(argv)`` (POSIX quoting that ``shlex.split`` round-trips) and
    whose notes are ``notes`` in English (the messages kept for other languages)."""
    english = tuple(m.text() for m in notes)
    return LaunchCommand(engine, tuple(argv), shlex.join(argv), english, checked_against, files, tuple(notes))


def note(name: str, **params: object) -> Msg:
    """The launch note ``serving.launch.note.<name>`` (flag values are passed as strings, so that no language's
    number marks change a value the user pastes)."""
    return Msg(f"serving.launch.note.{name}", **params)


def command_note_texts(command: dict[str, object], lang: str = "en") -> list[str]:
    """The notes of a command as ``LaunchCommand.to_dict`` wrote it (or a planner note ``{"note": ...}``), in
    ``lang``."""
    messages = command.get("note_messages")
    if isinstance(messages, list) and messages:
        return [Msg.from_dict(m).text(lang) for m in messages if isinstance(m, dict)]
    if "note_message" in command and isinstance(command["note_message"], dict):
        return [Msg.from_dict(command["note_message"]).text(lang)]
    notes = command.get("notes")
    if isinstance(notes, list):
        return [str(n) for n in notes]
    return [str(command["note"])] if command.get("note") else []


def canonical_engine(engine: object) -> str:
    """The launch engine key ('llamacpp' → 'llama.cpp'); UsageError with the closest name otherwise."""
    key = engine.strip().lower() if isinstance(engine, str) else ""
    key = _ENGINE_ALIASES.get(key, key)
    if key in LAUNCH_ENGINES:
        return key
    close = difflib.get_close_matches(key, [*LAUNCH_ENGINES, *_ENGINE_ALIASES], n=1, cutoff=0.5)
    hint = f"did you mean '{_ENGINE_ALIASES.get(close[0], close[0])}'? " if close else ""
    if key == "transformers":
        hint = "transformers is a library, not a server; "
    raise UsageError(
        f"unknown launch engine {engine!r} (parameter 'engine')", f"{hint}use one of {', '.join(LAUNCH_ENGINES)}"
    )


def canonical_kv_dtype(kv_cache_dtype: object) -> str:
    """The tafagent KV dtype name ('bfloat16' → 'bf16'; '' and None → 'auto'); UsageError for unknown names."""
    if kv_cache_dtype is None:
        return "auto"
    key = kv_cache_dtype.strip().lower().replace("torch.", "") if isinstance(kv_cache_dtype, str) else "?"
    key = _KV_ALIASES.get(key, key) or "auto"
    if key not in KV_DTYPES:
        close = difflib.get_close_matches(key, KV_DTYPES, n=1, cutoff=0.5)
        hint = f"did you mean '{close[0]}'? " if close else ""
        raise UsageError(
            f"unknown KV cache dtype {kv_cache_dtype!r} (parameter 'kv_cache_dtype')",
            f"{hint}use one of {', '.join(KV_DTYPES)}",
        )
    return key


def _whole_number(value: object, name: str, fix: str, minimum: int = 1, maximum: int | None = None) -> None:
    """None passes; otherwise an int (not a bool) in [minimum, maximum], else one UsageError line."""
    if value is None:
        return
    ok = isinstance(value, int) and not isinstance(value, bool) and value >= minimum
    if ok and maximum is not None and isinstance(value, int):
        ok = value <= maximum
    if not ok:
        span = f"in {minimum}..{maximum}" if maximum is not None else f"≥ {minimum}"
        raise UsageError(f"{name} must be a whole number {span}, got {value!r} (parameter '{name}')", fix)


def _check_model(model: object) -> None:
    """A non-empty name without control characters (a newline would end an Ollama Modelfile line)."""
    if not isinstance(model, str) or not model.strip():
        raise UsageError(
            "the model to launch is empty (parameter 'model')", "give a Hub id, a local directory or a .gguf file"
        )
    if any(ord(char) < 32 or ord(char) == 127 for char in model):
        raise UsageError(
            f"the model name {model!r} contains a control character (parameter 'model')",
            "remove the newline or tab from the model path",
        )


def _check_fraction(utilisation: object) -> None:
    """gpu_memory_utilization: a fraction in (0, 1], as vLLM's CacheConfig Field(gt=0, le=1) demands."""
    if utilisation is None:
        return
    number = utilisation if isinstance(utilisation, int | float) and not isinstance(utilisation, bool) else None
    if number is None or not 0 < number <= 1:
        raise UsageError(
            f"gpu_memory_utilization must be in (0, 1], got {utilisation!r} (parameter 'gpu_memory_utilization')",
            "give a fraction of GPU memory such as 0.9 (not a percentage)",
        )


def validate_request(request: LaunchRequest) -> str:
    """Check every field of ``request`` and return the canonical engine; one UsageError line per problem."""
    engine = canonical_engine(request.engine)
    _check_model(request.model)
    if request.tensor_parallel_size is None:
        raise UsageError("tensor_parallel_size is None (parameter 'tensor_parallel_size')", "use 1 for a single GPU")
    _whole_number(request.tensor_parallel_size, "tensor_parallel_size", "use 1 for one GPU, or the GPUs to shard over")
    _whole_number(request.max_model_len, "max_model_len", "give the context in tokens, or None for the model's own")
    _whole_number(request.max_num_seqs, "max_num_seqs", "give the concurrent sequences, or None for the default")
    _whole_number(request.n_layers, "n_layers", "give the model's layer count, or None")
    _whole_number(request.n_gpu_layers, "n_gpu_layers", "use 0 for CPU only, or None for every layer", minimum=0)
    _whole_number(request.port, "port", "use e.g. 8000, or None for the engine default", maximum=MAX_TCP_PORT)
    _check_fraction(request.gpu_memory_utilization)
    canonical_kv_dtype(request.kv_cache_dtype)
    return engine


def unsupported_kv(engine: str, kv_dtype: str, supported: tuple[str, ...], fix: str) -> UsageError:
    """The error for a KV dtype ``engine`` cannot store its cache in."""
    return UsageError(
        f"{engine} has no KV cache dtype '{kv_dtype}' (parameter 'kv_cache_dtype')",
        f"{fix}; {engine} supports {', '.join(supported)}",
    )
