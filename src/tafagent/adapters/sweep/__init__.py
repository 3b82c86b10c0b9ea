"""``taf sweep``: ``taf diagnose`` over many models, resumable, on local GPUs or a Ray cluster (extra ``[sweep]``
for Ray; the measurement itself needs ``[diagnose]``).

* :mod:`~tafagent.adapters.sweep.models_list` — the models file (ids, presets or local dirs; comments, duplicates);
* :mod:`~tafagent.adapters.sweep.job` — one model: the same :func:`tafagent.adapters.measure.diagnose`, result
  written atomically to ``DIR/<name>.<corpus>.json`` (the ``taf diagnose --out`` format);
* :mod:`~tafagent.adapters.sweep.local` — one model per GPU (``CUDA_VISIBLE_DEVICES`` worker processes), or one
  at a time on CPU; :mod:`~tafagent.adapters.sweep.worker` is that worker;
* :mod:`~tafagent.adapters.sweep.ray_exec` — one Ray task per model (``--ray auto|ADDRESS``);
* :mod:`~tafagent.adapters.sweep.panel_table` — ``DIR/gamma_panel.json`` in the shipped panel's schema, read by
  ``taf validate --panel DIR``;
* :mod:`~tafagent.adapters.sweep.runner` — :func:`sweep`: plan (done, failed, to do), run, record, write the panel.
"""

from __future__ import annotations

from tafagent.adapters.sweep.job import JobOutcome
from tafagent.adapters.sweep.models_list import ModelEntry, parse_models, read_models
from tafagent.adapters.sweep.panel_table import read_panel, write_panel
from tafagent.adapters.sweep.runner import SweepListener, SweepReport, sweep

__all__ = [
    "JobOutcome",
    "ModelEntry",
    "SweepListener",
    "SweepReport",
    "parse_models",
    "read_models",
    "read_panel",
    "sweep",
    "write_panel",
]
