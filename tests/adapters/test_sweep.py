"""`taf sweep` on three tiny random models (GPT-NeoX, Llama with GQA, GPT-2) built from configs: the local path,
its resumption after a deleted result and a failed model, a worker process pinned with CUDA_VISIBLE_DEVICES,
a local Ray instance on CPU, and the panel table read back by `taf validate --panel`."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from tafagent.adapters.measure import DiagnoseOptions, load_diagnosis  # noqa: E402
from tafagent.adapters.sweep import SweepListener, read_models, read_panel, sweep  # noqa: E402
from tafagent.adapters.sweep.local import run_local  # noqa: E402
from tafagent.cli.main import main  # noqa: E402
from tafagent.core.validation import validate  # noqa: E402

pytestmark = pytest.mark.slow

# Four short distances, two prompts, one seed: a few tenths of a second per tiny model.
OPTIONS = DiagnoseOptions(corpus="random", distances=(4, 10, 25, 40), n_prompts=2, seeds=(42,), bootstrap_resamples=20)
MODELS = ("tiny-neox", "tiny-llama", "tiny-gpt2")
RAY_TIMEOUT_S = 240


def _tokenizer() -> Any:
    """A word-level tokenizer: transformers 5 gives a directory without tokenizer files an empty GPT-NeoX
    tokenizer whose two special ids would leave no id to draw."""
    from tokenizers import Tokenizer, models

    vocab = {"<unk>": 0, "<s>": 1, "</s>": 2, **{f"w{i}": i for i in range(3, 300)}}
    return transformers.PreTrainedTokenizerFast(
        tokenizer_object=Tokenizer(models.WordLevel(vocab, unk_token="<unk>")),
        unk_token="<unk>",
        bos_token="<s>",
        eos_token="</s>",
    )


def build_models(root: Path) -> Path:
    """Three tiny models saved with save_pretrained, and a models file listing them (with a comment and a
    duplicate)."""
    t = transformers
    small = {"vocab_size": 300, "bos_token_id": 1, "eos_token_id": 2}
    layers = {"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 1, "num_attention_heads": 2}
    built = {
        "tiny-neox": t.GPTNeoXForCausalLM(t.GPTNeoXConfig(max_position_embeddings=256, **layers, **small)),
        "tiny-llama": t.LlamaForCausalLM(
            t.LlamaConfig(num_key_value_heads=1, max_position_embeddings=256, **layers, **small)
        ),
        "tiny-gpt2": t.GPT2LMHeadModel(t.GPT2Config(n_embd=32, n_layer=1, n_head=2, n_positions=256, **small)),
    }
    torch.manual_seed(0)
    for name, model in built.items():
        model.save_pretrained(root / name)
    _tokenizer().save_pretrained(root / "tiny-neox")
    listing = root / "models.txt"
    listing.write_text("# three tiny models\ntiny-neox\n\ntiny-llama   # GQA\ntiny-gpt2\ntiny-neox\n")
    return listing


@pytest.fixture(scope="module")
def models_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_models(tmp_path_factory.mktemp("sweep-models"))


class CallLog(SweepListener):
    def __init__(self) -> None:
        super().__init__(on_start=lambda entry: self.started.append(entry.name))
        self.started: list[str] = []


def _mtimes(out: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in out.glob("*.random.json")}


def test_local_sweep_resumes_and_retries_failures_only_on_request(models_file: Path, tmp_path: Path) -> None:
    root = models_file.parent
    broken = root / "tiny-broken"
    broken.mkdir(exist_ok=True)
    (broken / "config.json").write_text(json.dumps({"model_type": "gpt2", "n_embd": 32, "n_layer": 1, "n_head": 2}))
    listing = tmp_path / "models.txt"
    listing.write_text("".join(f"{root / name}\n" for name in MODELS) + f"{broken}\n")
    out = tmp_path / "out"

    log = CallLog()
    first = sweep(listing, out, OPTIONS, listener=log)
    assert log.started == [*MODELS, "tiny-broken"]
    assert sorted(o.name for o in first.measured) == sorted(MODELS)
    assert [o.name for o in first.failed] == ["tiny-broken"] and first.failed[0].reason
    failures = json.loads((out / "failures.json").read_text())["failures"]
    assert list(failures) == ["tiny-broken.random"] and "\n" not in failures["tiny-broken.random"]["reason"]
    for name in MODELS:  # each result is the `taf diagnose --out` file, with the sweep's facts in env
        diagnosis = load_diagnosis(out / f"{name}.random.json")
        assert diagnosis.gamma is not None and diagnosis.env["sweep"]["arch"]["n_layers"] == 1
    assert not list(out.glob("*.tmp")) and not list(out.glob(".*"))  # atomic writes leave no temporary file
    before = _mtimes(out)

    # interrupted sweep: one result is missing; the failed model is not retried without --retry-failed
    (out / "tiny-llama.random.json").unlink()
    log = CallLog()
    second = sweep(listing, out, OPTIONS, listener=log)
    assert log.started == ["tiny-llama"]
    assert second.already_done == ("tiny-neox", "tiny-gpt2") and "tiny-broken" in second.skipped_failed
    after = _mtimes(out)
    assert after["tiny-neox.random.json"] == before["tiny-neox.random.json"]
    assert after["tiny-gpt2.random.json"] == before["tiny-gpt2.random.json"]

    # the broken model is mended; --retry-failed measures it and clears its failure
    transformers.GPT2LMHeadModel(
        transformers.GPT2Config(n_embd=32, n_layer=1, n_head=2, n_positions=256, vocab_size=300)
    ).save_pretrained(broken)
    log = CallLog()
    third = sweep(listing, out, OPTIONS, retry_failed=True, listener=log)
    assert log.started == ["tiny-broken"] and [o.name for o in third.measured] == ["tiny-broken"]
    assert json.loads((out / "failures.json").read_text())["failures"] == {}
    assert third.panel.rows == 4 and third.panel.models == 4


def test_an_interrupted_sweep_keeps_what_it_measured_and_resumes(models_file: Path, tmp_path: Path) -> None:
    """Ctrl-C after the first model: its result and the panel stay; the rerun measures only the other two."""
    out = tmp_path / "out"

    def interrupt(outcome: Any) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sweep(models_file, out, OPTIONS, listener=SweepListener(on_done=interrupt))
    assert [p.name for p in out.glob("*.random.json")] == ["tiny-neox.random.json"]
    assert read_panel(out).counts()["rows"] == 1
    log = CallLog()
    report = sweep(models_file, out, OPTIONS, listener=log)
    assert log.started == ["tiny-llama", "tiny-gpt2"] and report.already_done == ("tiny-neox",)


def test_panel_table_is_the_shipped_schema_and_validate_reads_it(
    models_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    report = sweep(models_file, out, OPTIONS)
    assert report.panel.rows == 3
    panel = read_panel(out)
    rows = {r.model_label: r for r in panel.rows}
    assert rows["tiny-llama"].attn_type == "MQA" and rows["tiny-llama"].arch_class == "RoPE-GQA"
    assert rows["tiny-gpt2"].pos_enc == "AbsPE" and rows["tiny-gpt2"].rope_theta is None
    assert rows["tiny-neox"].rope_note and all(r.canonical and r.tier == "A" for r in panel.rows)
    validation = validate(panel)
    assert validation.refit.n_rows == 3 and validation.refit.by_tier["A"]["max_abs_diff"] < 1e-9
    assert validation.law("niah_ceiling").headline.startswith("no cases in this panel")

    assert main(["validate", "--panel", str(out), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["panel_counts"]["rows"] == 3 and data["snapshot"].startswith("taf sweep of")
    assert main(["validate", "--panel", str(out), "--law", "imprint"]) == 0
    assert "tiny" in capsys.readouterr().out
    assert main(["validate", "--panel", str(tmp_path / "nothing")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "does not exist" in err and "taf sweep" in err


def test_a_gpu_worker_process_is_pinned_and_writes_the_result(models_file: Path, tmp_path: Path) -> None:
    """The one-model-per-GPU path on a machine without GPUs: CUDA_VISIBLE_DEVICES="" pins a CPU worker."""
    entry = read_models(models_file)[2]
    done: list[Any] = []
    how = run_local([entry], OPTIONS, tmp_path, on_start=lambda e: None, on_done=done.append, gpus=[""])
    assert "CUDA_VISIBLE_DEVICES" in how
    assert done[0].ok, done[0].reason
    assert load_diagnosis(tmp_path / "tiny-gpt2.random.json").gamma == pytest.approx(done[0].gamma)


@pytest.fixture()
def local_ray() -> Any:
    ray = pytest.importorskip("ray")
    try:
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    except Exception as error:  # a sandbox without shared memory or sockets
        pytest.skip(f"a local Ray instance cannot start here: {error}")
    yield ray
    ray.shutdown()


def test_ray_sweep_on_a_local_instance(local_ray: Any, models_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["report"] = sweep(models_file, out, OPTIONS, ray="auto")
        except BaseException as error:  # surfaced below
            outcome["error"] = error

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(RAY_TIMEOUT_S)
    assert not worker.is_alive(), f"the Ray sweep did not finish in {RAY_TIMEOUT_S} s"
    assert "error" not in outcome, outcome.get("error")
    report = outcome["report"]
    assert "Ray" in report.executor and "1 CPU" in report.executor
    assert sorted(o.name for o in report.measured) == sorted(MODELS), [o.reason for o in report.failed]
    assert sorted(p.name for p in out.glob("*.random.json")) == sorted(f"{m}.random.json" for m in MODELS)
    assert read_panel(out).counts()["rows"] == 3
