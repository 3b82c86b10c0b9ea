"""``diagnose``: load a model, run a protocol on one or two corpora, and return a core :class:`Diagnosis`."""

from __future__ import annotations

import platform
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tafagent._version import __version__
from tafagent.adapters.measure._deps import (
    require_diagnose_extra,
    require_numpy,
    require_torch,
    require_transformers,
)
from tafagent.adapters.measure.capture import attention_modules
from tafagent.adapters.measure.corpora import TokenSource, default_text, random_tokens, read_text, text_tokens
from tafagent.adapters.measure.loading import LoadedModel, load_model, quiet_transformers
from tafagent.adapters.measure.protocols import CorpusRun, Progress, run_fast, run_reference
from tafagent.core.decay.corpus_result import CorpusResult, build_corpus_result
from tafagent.core.decay.diagnosis import Diagnosis
from tafagent.core.decay.protocol import (
    CORPORA,
    DISTANCES_FAST,
    DISTANCES_FULL,
    N_PROMPTS_FAST,
    N_PROMPTS_FULL,
    PROTOCOLS,
    REFERENCE_PREFIX,
    REFERENCE_SEEDS,
)
from tafagent.core.errors import ConfigError, UsageError

NO_ATTENTION_MESSAGE = (
    "no attention to measure: {model} has no attention layers ({kind}); attention decay γ is undefined"
)


@dataclass(frozen=True)
class DiagnoseOptions:
    """What to measure and how (the ``taf diagnose`` flags).

    ``distances`` None → the reference's full list (10…2000) or, with ``fast_mode``, its fast list
    (10/50/200/1000); defaults beyond the model's positions are dropped with a note, explicit ones are
    an error. ``n_prompts`` None → 80 (30 with ``fast_mode``) per seed and distance. ``N`` None → the
    largest fitted distance; ``theta`` None → the config's RoPE base.
    """

    protocol: str = "fast"
    corpus: str = "random"
    text_path: Path | None = None
    distances: tuple[int, ...] | None = None
    fast_mode: bool = False
    n_prompts: int | None = None
    seeds: tuple[int, ...] = REFERENCE_SEEDS
    curve_queries: int = 1
    fit_min_distance: int = 0
    N: int | None = None
    theta: float | None = None
    device: str = "auto"
    dtype: str = "auto"
    device_map: str | None = None
    load_in_4bit: bool = False
    trust_remote_code: bool = False
    revision: str | None = None
    tokenizer: str | None = None
    bootstrap_resamples: int = 1000
    extra_notes: tuple[str, ...] = field(default_factory=tuple)

    def corpora(self) -> tuple[str, ...]:
        return CORPORA if self.corpus == "both" else (self.corpus,)

    def prompts(self) -> int:
        if self.n_prompts is not None:
            return self.n_prompts
        return N_PROMPTS_FAST if self.fast_mode else N_PROMPTS_FULL

    def validate(self) -> None:
        """Edge validation: one-line UsageErrors for impossible values."""
        self._validate_choices()
        self._validate_distances()
        self._validate_counts()

    def _validate_choices(self) -> None:
        if self.protocol not in PROTOCOLS:
            raise UsageError(f"unknown protocol {self.protocol!r}", "use fast or reference")
        if self.corpus not in (*CORPORA, "both"):
            raise UsageError(f"unknown corpus {self.corpus!r}", "use random, text or both")
        if self.text_path is not None and self.corpus == "random":
            raise UsageError("--text needs --corpus text or both", "add --corpus text")

    def _validate_distances(self) -> None:
        if self.distances is None:
            return
        if any(isinstance(d, bool) or not isinstance(d, int) or d < 1 for d in self.distances):
            raise UsageError("distances must be whole numbers >= 1", "e.g. --distances 10,50,200,1000")
        if len(set(self.distances)) < 2:
            raise UsageError("a power-law fit needs at least 2 distinct distances", "e.g. --distances 10,100,1000")

    def _validate_counts(self) -> None:
        if self.n_prompts is not None and self.n_prompts < 1:
            raise UsageError(f"--prompts must be >= 1, got {self.n_prompts}")
        if not self.seeds:
            raise UsageError("at least one seed is needed")
        if self.curve_queries < 1:
            raise UsageError(f"--curve-queries must be >= 1, got {self.curve_queries}")
        if self.N is not None and self.N < 1:
            raise UsageError(f"N must be >= 1, got {self.N}", "N is the context length of the thermodynamic profile")
        if self.theta is not None and not self.theta > 0:
            raise UsageError(f"theta must be > 0, got {self.theta}", "θ is the RoPE base, e.g. 10000")
        if self.fit_min_distance < 0:
            raise UsageError(f"--fit-min-distance must be >= 0, got {self.fit_min_distance}")


def diagnose(model: str, options: DiagnoseOptions | None = None, *, progress: Progress | None = None) -> Diagnosis:
    """Load MODEL and measure its attention decay (see :func:`diagnose_loaded`).

    ``progress(done, total, description)`` is called after every step of the whole measurement (all
    corpora on one count; ``description`` names the corpus and seed), e.g. to drive a progress bar.
    """
    options = options or DiagnoseOptions()
    options.validate()
    require_diagnose_extra()  # one line naming the extra, before transformers' own import-time warnings
    if options.text_path is not None:
        read_text(options.text_path)  # fail before loading a large model
    with quiet_transformers():  # no loading bars or warnings between our one-line messages
        lm = _load(model, options)
        return diagnose_loaded(lm, options, progress=progress)


def _load(model: str, options: DiagnoseOptions) -> LoadedModel:
    return load_model(
        model,
        device=options.device,
        dtype=options.dtype,
        device_map=options.device_map,
        load_in_4bit=options.load_in_4bit,
        trust_remote_code=options.trust_remote_code,
        revision=options.revision,
        attn_implementation="eager" if options.protocol == "reference" else None,
        tokenizer=options.tokenizer,
    )


def diagnose_loaded(lm: LoadedModel, options: DiagnoseOptions, *, progress: Progress | None = None) -> Diagnosis:
    """Measure γ on an already loaded model: protocol × corpora → fits, nulls, thermodynamics, env."""
    options.validate()
    started = time.perf_counter()
    notes = list(lm.notes) + list(options.extra_notes)
    theta = options.theta if options.theta is not None else (lm.spec.rope_theta if lm.spec else None)
    if options.theta is None and lm.spec is not None and lm.spec.rope_scaling is not None:
        notes.append("the config has rope_scaling; γ_Padé and θ_eff use the base θ (pass --theta to override)")
    if lm.family == "ssm" or not attention_modules(lm.model):
        kind = "state-space model" if lm.family == "ssm" else "no attention modules found"
        return Diagnosis(
            model=lm.name,
            protocol=options.protocol,
            corpus=options.corpus,
            status="no_attention",
            results={},
            N=options.N,
            theta=theta,
            env=_environment(lm, options, time.perf_counter() - started),
            n_layers=lm.n_layers,
            notes=tuple(notes),
            message=NO_ATTENTION_MESSAGE.format(model=lm.name, kind=kind),
        )
    distances = _distances(lm, options, notes)
    n_prompts = options.prompts()
    sources = {corpus: _token_source(lm, options, corpus) for corpus in options.corpora()}
    runs: dict[str, CorpusRun] = {}
    for index, (corpus, source) in enumerate(sources.items()):
        step = _whole_run_progress(progress, index, len(sources))
        if options.protocol == "reference":
            run = run_reference(lm, source, distances, n_prompts, options.seeds, progress=step)
        else:
            run = run_fast(
                lm, source, distances, n_prompts, options.seeds, curve_queries=options.curve_queries, progress=step
            )
        runs[corpus] = run
        if run.interrupted:
            break
    return assemble(lm, options, runs, distances, theta, notes, time.perf_counter() - started, sources)


def _whole_run_progress(progress: Progress | None, index: int, n_corpora: int) -> Progress | None:
    """Count the steps of corpus ``index`` of ``n_corpora`` (equal sizes) on one bar for the whole model."""
    if progress is None or n_corpora == 1:
        return progress
    report = progress

    def step(done: int, total: int, description: str) -> None:
        report(index * total + done, n_corpora * total, description)

    return step


def assemble(
    lm: LoadedModel,
    options: DiagnoseOptions,
    runs: dict[str, CorpusRun],
    distances: Sequence[int],
    theta: float | None,
    notes: list[str],
    elapsed_s: float,
    sources: dict[str, TokenSource] | None = None,
) -> Diagnosis:
    """Turn raw runs into the core Diagnosis (fits, CIs, nulls, per-layer/per-head γ)."""
    results: dict[str, CorpusResult] = {}
    layers: set[int] = set()
    interrupted = any(run.interrupted for run in runs.values())
    for corpus, run in runs.items():
        if run.prompts_done == 0:
            notes.append(f"{corpus}: interrupted before the first prompt finished; nothing measured")
            continue
        layers.update(run.head_sums)
        windows = [lm.window(layer) for layer in sorted(run.head_sums)] or [None]
        results[corpus] = build_corpus_result(
            corpus,
            run.flat_samples(),
            paired=run.paired,
            seeds=[s for s in run.seeds if s in run.samples],
            per_seed_means=run.per_seed_means(),
            layer_head_means=run.layer_head_means(),
            windows=windows,
            fit_min_distance=options.fit_min_distance,
            curve=run.curve_summary(),
            bootstrap_resamples=options.bootstrap_resamples,
        )
        if run.interrupted:
            notes.append(
                f"interrupted: {corpus} has {run.prompts_done} of {run.prompts_planned} prompts; partial results"
            )
        if results[corpus].fit is None:
            notes.append(f"{corpus}: the power-law fit failed (fewer than 2 distances with attention > 0)")
    skipped = [corpus for corpus in options.corpora() if corpus not in runs]
    if skipped:
        notes.append(f"not measured (interrupted): {', '.join(skipped)}")
    n_layers = lm.n_layers
    if n_layers and layers and len(layers) < n_layers:
        notes.append(f"hybrid model: measured the {len(layers)} attention layers of {n_layers}")
    if lm.family == "alibi" and getattr(lm.config, "model_type", "") == "falcon" and options.protocol == "reference":
        notes.append(
            "Falcon-ALiBi: transformers' eager path adds the ALiBi bias twice (once in the scores, once in the mask), "
            "so reference-protocol numbers follow that path; the fast protocol reads the SDPA path (bias once)"
        )
    if lm.dtype in ("bfloat16", "float16", "4-bit") and options.protocol == "fast":
        notes.append(
            f"{lm.dtype} model: the fast protocol computes the rows in float32 from the model's queries and keys; "
            "the reference protocol reads the model's own lower-precision probabilities"
        )
    env = _environment(lm, options, elapsed_s, sources)
    env["distances_requested"] = list(distances)
    threads = [run.torch_threads for run in runs.values() if run.torch_threads is not None]
    if threads:
        env["torch_threads"] = min(threads)  # what the forwards ran on (tiny CPU models: 1)
    return Diagnosis(
        model=lm.name,
        protocol=options.protocol,
        corpus=options.corpus,
        status="partial" if interrupted else "complete",
        results=results,
        N=options.N,
        theta=theta,
        env=env,
        attention_layers=tuple(sorted(layers)),
        n_layers=n_layers,
        notes=tuple(notes),
    )


def _distances(lm: LoadedModel, options: DiagnoseOptions, notes: list[str]) -> list[int]:
    """The distances to measure, checked against the model's positions.

    A model with absolute position embeddings cannot run past its table, so d + 50 tokens must fit. RoPE
    and ALiBi models run longer sequences; there the distance itself must stay within the trained positions
    (v0.5.3 measured Pythia, 2048 positions, at d = 2000 on 2050 tokens), and a prefix that reaches beyond
    them is noted.
    """
    limit = lm.max_positions
    hard = lm.family == "abspe"

    def fits(d: int) -> bool:
        return limit is None or (d + REFERENCE_PREFIX <= limit if hard else d <= limit)

    if options.distances is not None:
        distances = sorted(set(options.distances))
        longest = max(distances)
        if not fits(longest):
            if hard:
                message = (
                    f"distance {longest} needs {longest + REFERENCE_PREFIX} positions; '{lm.name}' has {limit} "
                    "(absolute position embeddings)"
                )
                hint = f"use --distances up to {limit - REFERENCE_PREFIX}"  # type: ignore[operator]
            else:
                message = f"distance {longest} is beyond the {limit} positions '{lm.name}' was built for"
                hint = f"use --distances up to {limit}"
            raise ConfigError(message, hint)
    else:
        defaults = list(DISTANCES_FAST if options.fast_mode else DISTANCES_FULL)
        distances = [d for d in defaults if fits(d)]
        dropped = [d for d in defaults if d not in distances]
        if dropped:
            notes.append(f"skipped distances {dropped}: beyond the model's {limit} positions")
        if len(distances) < 2:
            raise ConfigError(
                f"'{lm.name}' has only {limit} positions: fewer than 2 default distances fit",
                "pass shorter --distances",
            )
    if limit is not None and max(distances) + REFERENCE_PREFIX > limit:
        longest = max(distances) + REFERENCE_PREFIX
        notes.append(
            f"the longest sequence ({longest} tokens) runs {longest - limit} position(s) past the model's {limit} "
            "(extrapolated RoPE/ALiBi positions), as v0.5.3 did for d = 2000 on 2048-position models"
        )
    return distances


def _token_source(lm: LoadedModel, options: DiagnoseOptions, corpus: str) -> TokenSource:
    if corpus == "random":
        return random_tokens(lm.vocab_size, lm.special_ids)
    text, source = read_text(options.text_path) if options.text_path is not None else default_text()
    return text_tokens(lm.tokenizer, text, source, int(lm.model.get_input_embeddings().weight.shape[0]))


def _environment(
    lm: LoadedModel, options: DiagnoseOptions, elapsed_s: float, sources: dict[str, TokenSource] | None = None
) -> dict[str, Any]:
    torch = require_torch()
    transformers = require_transformers()
    numpy = require_numpy()
    env: dict[str, Any] = {
        "tafagent": __version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "numpy": numpy.__version__,
        "model_source": lm.source,
        "device": lm.device,
        "dtype": lm.dtype,
        "device_map": lm.device_map,
        "quantization": lm.quantization,
        "attn_implementation": lm.model.config._attn_implementation,
        "protocol": options.protocol,
        "corpus": options.corpus,
        "seeds": list(options.seeds),
        "n_prompts_per_seed": options.prompts(),
        "fast_mode": options.fast_mode,
        "curve_queries": options.curve_queries,
        "fit_min_distance": options.fit_min_distance,
        "bootstrap": {"resamples": options.bootstrap_resamples, "seed": 0, "level": 0.95},
        "elapsed_s": round(elapsed_s, 3),
        "torch_threads": torch.get_num_threads(),
    }
    if str(lm.input_device).startswith("cuda"):
        env["gpu"] = torch.cuda.get_device_name(lm.input_device)
    if sources:
        env["corpus_sources"] = {corpus: source.describe() for corpus, source in sources.items()}
    return env
