"""``python -m tafagent.adapters.sweep.worker JOB.json OUTCOME.json``: one sweep model in its own process.

Started by :mod:`tafagent.adapters.sweep.local` with ``CUDA_VISIBLE_DEVICES`` set to one GPU. It measures the
model of JOB.json, writes its result into the sweep folder and the :class:`JobOutcome` to OUTCOME.json.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tafagent.adapters.sweep.job import options_from_dict, outcome_json, run_job
from tafagent.adapters.sweep.models_list import ModelEntry


def main(argv: list[str]) -> int:
    job_file, outcome_file = Path(argv[0]), Path(argv[1])
    job = json.loads(job_file.read_text(encoding="utf-8"))
    entry = ModelEntry(**job["entry"])
    try:
        outcome = run_job(entry, options_from_dict(job["options"]), Path(job["out_dir"]))
    except KeyboardInterrupt:
        return 130
    outcome_file.write_text(outcome_json(outcome), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
