"""`taf diagnose` around the measurement: checkpoints without tokenizers, missing extras, chunked rows,
memory that grows linearly in L, device_map="auto", the per-head γ field and the progress callback.

Tiny random models built from configs (CPU, float32, no downloads); no timing assertions.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
numpy = pytest.importorskip("numpy")

from tafagent.adapters.measure import (  # noqa: E402
    DiagnoseOptions,
    attention_rows,
    diagnose,
    diagnose_loaded,
    from_model,
    load_diagnosis,
    run_fast,
    save_diagnosis,
)
from tafagent.adapters.measure.corpora import random_tokens  # noqa: E402
from tafagent.adapters.measure.loading import is_placeholder_tokenizer  # noqa: E402
from tafagent.cli.main import main as taf_main  # noqa: E402

pytestmark = pytest.mark.slow

QUICK = ("--distances", "4,10,25,40", "--prompts", "2", "--seeds", "1", "--device", "cpu")
OPTIONS = DiagnoseOptions(distances=(4, 10, 25, 40), n_prompts=2, seeds=(1,), device="cpu", bootstrap_resamples=50)


def _neox(max_positions: int = 2048) -> Any:
    config = transformers.GPTNeoXConfig(
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        rotary_pct=0.25,
        vocab_size=300,
        bos_token_id=1,
        eos_token_id=2,
        max_position_embeddings=max_positions,
    )
    torch.manual_seed(0)
    model = transformers.AutoModelForCausalLM.from_config(config, attn_implementation="sdpa")
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if parameter.dim() == 2 and "emb" not in name:
                parameter.mul_(4.0)
    return model.eval()


@pytest.fixture(scope="module")
def neox_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ``save_pretrained`` directory with weights and config only (no tokenizer files)."""
    directory = tmp_path_factory.mktemp("neox-no-tokenizer")
    _neox().save_pretrained(directory)
    assert not any(p.name.startswith(("tokenizer", "vocab", "merges")) for p in directory.iterdir())
    return directory


def _cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = taf_main(["diagnose", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# ---- checkpoints without a tokenizer ---------------------------------------------------------------------


def test_checkpoint_without_tokenizer_measures_random_tokens(
    neox_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _cli([str(neox_dir), *QUICK, "--json"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert data["gamma"] is not None and set(data["attn_by_distance"]) == {"4", "10", "25", "40"}
    assert any("no tokenizer files" in note for note in data["notes"])
    # the config's special ids (bos 1, eos 2) are still excluded; the vocabulary is the embedding's 300 ids
    assert "[0, 299] minus 2 special id(s)" in data["env"]["corpus_sources"]["random"]
    assert err == ""  # no progress bar and no warnings under --json


def test_transformers_placeholder_tokenizer_is_ignored(neox_dir: Path) -> None:
    placeholder = transformers.AutoTokenizer.from_pretrained(neox_dir)  # transformers 5: 2 special tokens
    assert is_placeholder_tokenizer(placeholder)
    lm = from_model(_neox(), tokenizer=placeholder)
    assert lm.tokenizer is None and lm.vocab_size == 300


def test_text_corpus_without_tokenizer_is_one_line(neox_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _cli([str(neox_dir), *QUICK, "--corpus", "text"], capsys)
    assert code != 0 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("taf: error:")
    assert "--corpus random" in lines[0] and "--tokenizer" in lines[0]


# ---- missing extras --------------------------------------------------------------------------------------

HIDE_MODULES = """
import os, sys
from importlib.machinery import PathFinder

HIDDEN = set(os.environ["TAF_TEST_HIDE"].split(","))

class HidingPathFinder(PathFinder):
    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name.split(".")[0] in HIDDEN:
            return None  # as if the package were not installed
        return PathFinder.find_spec(name, path, target)

sys.meta_path[:] = [HidingPathFinder if finder is PathFinder else finder for finder in sys.meta_path]
"""


@pytest.mark.parametrize("hidden", ["torch,transformers,accelerate", "transformers", "torch", "numpy,torch"])
def test_missing_extra_is_one_line_naming_it(neox_dir: Path, tmp_path: Path, hidden: str) -> None:
    (tmp_path / "sitecustomize.py").write_text(textwrap.dedent(HIDE_MODULES))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), *sys.path]), TAF_TEST_HIDE=hidden)
    command = [sys.executable, "-c", "import sys; from tafagent.cli.main import main; sys.exit(main(sys.argv[1:]))"]
    done = subprocess.run(
        [*command, "diagnose", str(neox_dir), "--fast"], env=env, capture_output=True, text=True, timeout=300
    )
    lines = done.stderr.strip().splitlines()
    assert done.returncode != 0 and len(lines) == 1, done.stderr
    assert "pip install 'tafagent[diagnose]'" in lines[0] and "Traceback" not in done.stderr


# ---- chunked rows, linear memory -------------------------------------------------------------------------


@pytest.mark.parametrize("mask_kind", ["causal", "window", "float"])
def test_chunked_rows_equal_unchunked_rows(mask_kind: str) -> None:
    generator = torch.Generator().manual_seed(0)
    query = torch.randn(1, 8, 300, 16, generator=generator).to(torch.bfloat16)
    key = torch.randn(1, 2, 300, 16, generator=generator).to(torch.bfloat16)
    rows = list(range(49, 300, 3))
    kwargs: dict[str, Any] = {"scaling": 0.3, "softcap": 4.0}
    if mask_kind == "window":
        kwargs["sliding_window"] = 40
    if mask_kind == "float":
        kwargs["mask"] = torch.randn(1, 1, 300, 300, generator=generator).tril()
    whole = attention_rows(query, key, rows, chunk_rows=None, **kwargs)
    for chunk in (1, 7, 64):
        chunked = attention_rows(query, key, rows, chunk_rows=chunk, **kwargs)
        assert chunked.dtype == torch.float32 and chunked.shape == whole.shape == (1, 8, len(rows), 300)
        assert float((chunked - whole).abs().max()) <= 1e-5


def _largest_allocation_bytes(work: Any) -> int:
    """The largest single CPU allocation made during ``work`` (torch profiler)."""
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        work()
    return max(event.cpu_memory_usage for event in prof.events())


def test_fast_protocol_memory_grows_linearly_in_sequence_length() -> None:
    lm = from_model(_neox(max_positions=8192))
    source = random_tokens(lm.vocab_size, lm.special_ids)
    sizes = {}
    for distance in (500, 4000):  # 8× longer
        sizes[distance] = _largest_allocation_bytes(
            lambda d=distance: run_fast(lm, source, [10, d // 2, d], 1, [1], curve_queries=4)
        )
    # linear in L gives ≈ 8×; one L×L attention map (or mask) per head would give ≈ 64×
    assert sizes[4000] < 16 * sizes[500], sizes


# ---- device_map="auto", per-head γ field, progress -------------------------------------------------------


def test_device_map_auto_gives_the_single_device_gammas(neox_dir: Path) -> None:
    pytest.importorskip("accelerate")
    single = diagnose(str(neox_dir), OPTIONS)
    spread = diagnose(str(neox_dir), DiagnoseOptions(**{**OPTIONS.__dict__, "device_map": "auto"}))
    assert spread.env["device_map"] == "auto"
    assert spread.gamma == pytest.approx(single.gamma, abs=1e-9)
    for layer, heads in single.primary.per_head_gamma.items():
        assert spread.primary.per_head_gamma[layer] == pytest.approx(heads, abs=1e-9)


def test_per_head_field_round_trips_through_the_file(tmp_path: Path) -> None:
    diagnosis = diagnose_loaded(from_model(_neox(), name="neox"), OPTIONS)
    field = diagnosis.primary.per_head_gamma
    assert sorted(field) == [0, 1] and all(len(heads) == 4 for heads in field.values())
    path = tmp_path / "diagnosis.json"
    save_diagnosis(diagnosis, path)
    loaded = load_diagnosis(path)
    assert {layer: list(heads) for layer, heads in loaded.primary.per_head_gamma.items()} == {
        layer: list(heads) for layer, heads in field.items()
    }
    assert loaded.primary.per_layer_gamma == pytest.approx(diagnosis.primary.per_layer_gamma)


def test_progress_callback_counts_every_prompt() -> None:
    calls: list[tuple[int, int, str]] = []
    diagnose_loaded(from_model(_neox(), name="neox"), OPTIONS, progress=lambda *a: calls.append(a))
    assert [c[:2] for c in calls] == [(1, 2), (2, 2)] and "random" in calls[0][2]


def test_cli_per_head_shows_the_gamma_field(neox_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plot = tmp_path / "field.png"
    code, out, err = _cli([str(neox_dir), *QUICK, "--per-head", "--plot", str(plot)], capsys)
    assert code == 0, err
    assert "γ field: per-head γ (random)" in out and "h3" in out
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_progress_counts_both_corpora_on_one_bar() -> None:
    calls: list[tuple[int, int, str]] = []
    options = DiagnoseOptions(**{**OPTIONS.__dict__, "corpus": "both"})
    diagnose_loaded(
        from_model(_neox(), tokenizer=_byte_tokenizer(), name="neox"), options, progress=lambda *a: calls.append(a)
    )
    assert [c[:2] for c in calls] == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert "random" in calls[0][2] and "text" in calls[-1][2]


def _byte_tokenizer() -> Any:
    """A byte-level tokenizer without merges: 256 byte symbols → ids 3–258 (ids 0–2 special)."""
    from tokenizers import Tokenizer, models, pre_tokenizers

    vocab = {"<unk>": 0, "<s>": 1, "</s>": 2}
    alphabet = pre_tokenizers.ByteLevel.alphabet()
    vocab.update({symbol: 3 + i for i, symbol in enumerate(sorted(alphabet))})
    tokenizer = Tokenizer(models.BPE(vocab=vocab, merges=[], unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    return transformers.PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, unk_token="<unk>", bos_token="<s>", eos_token="</s>"
    )
