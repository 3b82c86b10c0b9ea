"""The Python API: one function per ``taf`` command, each returning the typed result (with ``to_dict()``).

Every import happens inside the function that needs it, so ``import tafagent`` loads nothing but this module.
A MODEL argument is what the CLI takes (a preset, a config path, a Hub id) or a ready ``ModelSpec``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tafagent.core.ask.service import AskResult
    from tafagent.core.audit import RecipeResult
    from tafagent.core.card import Card
    from tafagent.core.catalogs import Catalogs
    from tafagent.core.compare import Comparison
    from tafagent.core.decay.diagnosis import Diagnosis
    from tafagent.core.extend import ExtensionPlan
    from tafagent.core.memory.planner import ServingPlanResult
    from tafagent.core.memory.report import MemoryReport
    from tafagent.core.spec.model_spec import ModelSpec
    from tafagent.core.validation import ValidationReport


def load_spec(model: str, *, revision: str | None = None, token: str | None = None) -> ModelSpec:
    """The ModelSpec of a preset, a local config (directory or .json) or a Hub id (``org/name[@rev]``)."""
    from tafagent.adapters.sources import load_spec as _load_spec

    return _load_spec(model, revision=revision, token=token)


def resolve_spec(config: Mapping[str, Any], model_id: str = "config.json") -> ModelSpec:
    """The ModelSpec of a config.json already parsed into a dict."""
    from tafagent.core.spec.resolve import resolve_spec as _resolve

    return _resolve(dict(config), model_id)


def _spec(model: str | ModelSpec) -> ModelSpec:
    return load_spec(model) if isinstance(model, str) else model


def profile(
    model: str | ModelSpec,
    *,
    catalogs: Catalogs | None = None,
    diagnosis: str | Diagnosis | None = None,
    **options: Any,
) -> Card:
    """The TAF Card (`taf profile`); ``options`` are CardOptions fields (T_eval, gamma_obs, gamma_random,
    closed_form, ...); ``diagnosis`` a `taf diagnose --out` file (path or loaded) whose γ feed the card."""
    from tafagent.core.card import CardOptions
    from tafagent.core.card import profile as _profile

    if diagnosis is not None:
        options["diagnosis"] = _diagnosis_gammas(diagnosis)
    return _profile(_spec(model), CardOptions(**options), catalogs)


def _diagnosis_gammas(diagnosis: str | Diagnosis) -> Any:
    """A diagnosis (path or loaded) as the γ source reads it (core.gamma_source.DiagnosisGammas)."""
    from tafagent.core.gamma_source import diagnosis_gammas

    if isinstance(diagnosis, str):
        return diagnosis_gammas(load_diagnosis(diagnosis), diagnosis)
    return diagnosis_gammas(diagnosis, "the given diagnosis")


def run_recipe(
    recipe_id: str,
    params: Mapping[str, Any] | None = None,
    *,
    model: str | ModelSpec | None = None,
    catalogs: Catalogs | None = None,
    closed_form: bool = False,
) -> RecipeResult:
    """One recipe with its audit chain (`taf recipe`); ``params`` take the recipe's or the reference's names.
    A model the shipped panel measured gets its measured γ (labelled) unless ``closed_form`` or a γ is given."""
    from tafagent.core.gamma_source import run_recipe_with_gamma

    spec = None if model is None else _spec(model)
    return run_recipe_with_gamma(recipe_id, params, model=spec, catalogs=catalogs, closed_form=closed_form)


def compare(
    models: Sequence[str | ModelSpec],
    recipe_id: str = "X-2",
    *,
    catalogs: Catalogs | None = None,
    **shared_params: Any,
) -> Comparison:
    """2–3 models side by side on one recipe (`taf compare`)."""
    from tafagent.core.compare import compare as _compare

    return _compare([_spec(m) for m in models], recipe_id, shared_params, catalogs)


def memory(
    model: str | ModelSpec,
    context: int,
    batch: int = 1,
    *,
    gpu: str | None = None,
    catalogs: Catalogs | None = None,
    **options: Any,
) -> MemoryReport:
    """Exact serving memory (`taf memory`); ``options``: weights_dtype, kv_dtype, engine, tp, ..."""
    from tafagent.core.catalogs import default_catalogs
    from tafagent.core.memory.report import memory_report

    gpu_row = (catalogs or default_catalogs()).gpu(gpu) if gpu else None
    return memory_report(_spec(model), context, batch, gpu=gpu_row, **options)


def ask(question: str, **kwargs: Any) -> AskResult:
    """A plain-language question → recipe, parameters and answer (`taf ask`); Hub ids resolve through load_spec."""
    from tafagent.core.ask import ask as _ask

    kwargs.setdefault("model_loader", load_spec)
    return _ask(question, **kwargs)


def diagnose(model: str, options: Any = None, **kwargs: Any) -> Diagnosis:
    """Measure MODEL's attention decay γ (`taf diagnose`; extra [diagnose]); torch is imported only here."""
    from tafagent.adapters.measure import diagnose as _diagnose

    return _diagnose(model, options, **kwargs)


def load_diagnosis(path: str) -> Diagnosis:
    """Read a `taf diagnose --out` file (or v0.5.3's JSON) into a validated Diagnosis."""
    from tafagent.adapters.measure import load_diagnosis as _load

    return _load(path)


def plan(
    model: str | ModelSpec,
    context: int,
    *,
    tokens_per_day: float | None = None,
    concurrency: int | None = None,
    catalogs: Catalogs | None = None,
    **options: Any,
) -> ServingPlanResult:
    """The serving planner (`taf plan`); ``options``: max_ms_per_token, gpus (names), engine, weights_dtype,
    kv_dtype. The result's ``best`` (or ``closest``) plan carries its launch command."""
    from tafagent.core.memory.planner import plan_serving

    return plan_serving(
        _spec(model), context, tokens_per_day=tokens_per_day, concurrency=concurrency, gpu_catalog=catalogs, **options
    )


def extend(model: str | ModelSpec, to: int, method: str = "yarn") -> ExtensionPlan:
    """Context extension (`taf extend`): the rope block, engine flags, memory and X-2 at ``to`` tokens."""
    from tafagent.core.extend import plan_extension

    return plan_extension(_spec(model), to, method)


def validate(panel: str | None = None) -> ValidationReport:
    """Every predictive law against the shipped reference measurements (`taf validate`), or against the panel a
    `taf sweep` wrote into the folder ``panel`` (`taf validate --panel DIR`)."""
    from tafagent.core.validation import validate as _validate

    if panel is None:
        return _validate()
    from pathlib import Path

    from tafagent.adapters.sweep.panel_table import read_panel

    return _validate(read_panel(Path(panel)))
