"""Regenerate ``src/tafagent/core/data/config_defaults.json`` from the installed ``transformers``.

Hub ``config.json`` files may omit keys whose value equals the config class default, and hand-written
configs often do. The resolver fills such gaps from this table and labels the value
``default (transformers <version> <ConfigClass>)`` so the user sees where it came from.

Run: ``python scripts/gen_config_defaults.py`` (needs the ``[diagnose]`` extra). Development only:
the package reads the generated JSON and never imports transformers.
"""

from __future__ import annotations

import json
import pathlib

import transformers
from transformers.models.auto.configuration_auto import CONFIG_MAPPING

from tafagent.core.spec.param_count import SUPPORTED_MODEL_TYPES  # the model types the resolver counts exactly

DROP = {
    "id2label",
    "label2id",
    "transformers_version",
    "architectures",
    "output_hidden_states",
    "output_attentions",
    "return_dict",
    "chunk_size_feed_forward",
    "problem_type",
    "is_encoder_decoder",
    "initializer_range",
    "use_cache",
    "pad_token_id",
    "bos_token_id",
    "eos_token_id",
    "model_type",
    "layer_types",
    "dtype",
    "torch_dtype",
    "_name_or_path",
    "tokenizer_class",
    "add_cross_attention",
}


def _keep(key: str, value: object) -> bool:
    if key in DROP or key.startswith("_") or "dropout" in key or key.endswith("pdrop"):
        return False
    return isinstance(value, (bool, int, float, str, dict)) or value is None


def main() -> None:
    out: dict[str, object] = {
        "_generated_by": "scripts/gen_config_defaults.py",
        "_transformers_version": transformers.__version__,
    }
    for model_type in SUPPORTED_MODEL_TYPES:
        config_class = CONFIG_MAPPING[model_type]
        values = config_class().to_dict()
        kept = {k: v for k, v in sorted(values.items()) if _keep(k, v)}
        if isinstance(kept.get("attn_config"), dict):  # MPT: keep only the attention fields
            kept["attn_config"] = {k: v for k, v in kept["attn_config"].items() if _keep(k, v)}
        out[model_type] = {"_class": config_class.__name__, **kept}
    target = pathlib.Path(__file__).resolve().parents[1] / "src/tafagent/core/data/config_defaults.json"
    target.write_text(json.dumps(out, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    print(f"wrote {target} ({len(SUPPORTED_MODEL_TYPES)} model types)")


if __name__ == "__main__":
    main()
