"""Measure a real model's attention decay γ with PyTorch (``taf diagnose``; extra ``[diagnose]``).

Importing this package is cheap: torch, transformers and numpy are imported inside functions, and a
missing one raises a DependencyError naming ``pip install 'tafagent[diagnose]'``.

* :func:`diagnose` / :func:`diagnose_loaded` — the whole measurement →
  :class:`~tafagent.core.decay.diagnosis.Diagnosis`;
* :func:`run_fast` / :func:`run_reference` — the two protocols on a loaded model (raw numbers);
* :class:`RowCapture`, :func:`attention_rows` — attention probabilities of chosen query rows during an
  SDPA/flash forward;
* :func:`load_diagnosis` / :func:`save_diagnosis` — diagnosis files (``taf profile --diagnosis``).
"""

from __future__ import annotations

from tafagent.adapters.errors import MeasurementMemoryError
from tafagent.adapters.measure.capture import RowCapture, attention_rows
from tafagent.adapters.measure.loading import LoadedModel, from_model, load_model
from tafagent.adapters.measure.protocols import CorpusRun, run_fast, run_reference
from tafagent.adapters.measure.results import diagnosis_json, load_diagnosis, save_diagnosis
from tafagent.adapters.measure.runner import DiagnoseOptions, assemble, diagnose, diagnose_loaded

__all__ = [
    "CorpusRun",
    "DiagnoseOptions",
    "LoadedModel",
    "MeasurementMemoryError",
    "RowCapture",
    "assemble",
    "attention_rows",
    "diagnose",
    "diagnose_loaded",
    "diagnosis_json",
    "from_model",
    "load_diagnosis",
    "load_model",
    "run_fast",
    "run_reference",
    "save_diagnosis",
]
