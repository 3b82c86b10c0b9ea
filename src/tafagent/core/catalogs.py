"""GPU and API price catalogs: dated data files with a source per row, overridable by the user.

Prices go stale; the catalogs say when each was read and where from, and a user can replace any row
(or add new ones) with a catalog file of the same shape. A missing price is ``None`` and is never
used as a divisor: the reference treated its owner's card as costing $0.00/h, which made it the
"cheapest" serving GPU and crashed budget recipes (spec §9.2 item 4).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from typing import Any

from tafagent.core.errors import ConfigError


@dataclass(frozen=True)
class GPU:
    name: str
    bf16_tflops: float
    vram_GB: float
    hbm_GB_per_s: float
    usd_per_hour: float | None
    tdp_W: float | None = None
    aliases: tuple[str, ...] = ()
    spec_source: str = ""
    price_source: str = ""
    price_as_of: str = ""
    # GPU-to-GPU link, GB/s per direction per GPU (tensor-parallel all-reduce); None = no such link
    nvlink_GB_per_s: float | None = None
    pcie_GB_per_s: float | None = None
    interconnect_source: str = ""

    @property
    def link_GB_per_s(self) -> float | None:
        """The fastest GPU-to-GPU link (NVLink / Infinity Fabric when present, else PCIe)."""
        return self.nvlink_GB_per_s if self.nvlink_GB_per_s else self.pcie_GB_per_s

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "bf16_tflops": self.bf16_tflops,
            "vram_GB": self.vram_GB,
            "hbm_GB_per_s": self.hbm_GB_per_s,
            "usd_per_hour": self.usd_per_hour,
            "tdp_W": self.tdp_W,
            "spec_source": self.spec_source,
            "price_source": self.price_source,
            "price_as_of": self.price_as_of,
            "nvlink_GB_per_s": self.nvlink_GB_per_s,
            "pcie_GB_per_s": self.pcie_GB_per_s,
            "interconnect_source": self.interconnect_source,
        }


@dataclass(frozen=True)
class APIPrice:
    name: str
    input_usd_per_Mtok: float
    output_usd_per_Mtok: float
    aliases: tuple[str, ...] = ()
    source: str = ""
    as_of: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "input_usd_per_Mtok": self.input_usd_per_Mtok,
            "output_usd_per_Mtok": self.output_usd_per_Mtok,
            "source": self.source,
            "as_of": self.as_of,
        }


@dataclass(frozen=True)
class Catalogs:
    """The GPU and API catalogs in use (built-in, possibly overridden)."""

    gpus: tuple[GPU, ...]
    apis: tuple[APIPrice, ...]
    gpu_as_of: str = ""
    api_as_of: str = ""
    overrides: tuple[str, ...] = field(default=())

    def gpu(self, name: str) -> GPU:
        """Look up a GPU by name or alias (case-insensitive); unknown → error listing the catalog."""
        found = _lookup(self.gpus, name)
        if found is None:
            raise ConfigError(
                f"unknown GPU '{name}' (parameter 'gpu')",
                "choose one of: " + ", ".join(g.name for g in self.gpus) + " (or add it with --catalog FILE)",
                field="gpu",
            )
        return found

    def api(self, name: str) -> APIPrice:
        found = _lookup(self.apis, name)
        if found is None:
            raise ConfigError(
                f"unknown API model '{name}' (parameter 'api_model')",
                "choose one of: "
                + ", ".join(a.name for a in self.apis)
                + " (or set api_input_usd_per_Mtok and api_output_usd_per_Mtok)",
                field="api_model",
            )
        return found

    def with_overrides(self, data: Mapping[str, Any], origin: str = "user catalog") -> Catalogs:
        """Merge a user catalog (same shape as the built-in files: ``gpus`` and/or ``apis`` lists)."""
        gpus = list(self.gpus)
        apis = list(self.apis)
        if not isinstance(data, Mapping) or not ({"gpus", "apis"} & set(data)):
            raise ConfigError(
                f"{origin} must be a JSON object with a 'gpus' and/or 'apis' list",
                "see the built-in catalogs under tafagent/core/data/",
            )
        for row in _rows(data, "gpus", origin):
            gpus = _merge(gpus, _gpu_from_row(row, origin, base=_lookup(gpus, str(row.get("name", "")))))
        for row in _rows(data, "apis", origin):
            apis = _merge(apis, _api_from_row(row, origin, base=_lookup(apis, str(row.get("name", "")))))
        return replace(self, gpus=tuple(gpus), apis=tuple(apis), overrides=(*self.overrides, origin))

    def to_dict(self) -> dict[str, Any]:
        return {
            "gpu_as_of": self.gpu_as_of,
            "api_as_of": self.api_as_of,
            "overrides": list(self.overrides),
            "gpus": [g.to_dict() for g in self.gpus],
            "apis": [a.to_dict() for a in self.apis],
        }


def _lookup(rows: tuple[Any, ...] | list[Any], name: str) -> Any:
    key = " ".join(name.strip().lower().split())
    for row in rows:
        if row.name.lower() == key or key in row.aliases:
            return row
    compact = key.replace(" ", "").replace("-", "")
    for row in rows:
        if row.name.lower().replace(" ", "").replace("-", "") == compact:
            return row
    return None


def _merge(rows: list[Any], new: Any) -> list[Any]:
    for i, row in enumerate(rows):
        if row.name.lower() == new.name.lower():
            rows[i] = new
            return rows
    rows.append(new)
    return rows


def _rows(data: Mapping[str, Any], key: str, origin: str) -> list[Mapping[str, Any]]:
    rows = data.get(key, [])
    if not isinstance(rows, list) or not all(isinstance(r, Mapping) for r in rows):
        raise ConfigError(f"{origin}: '{key}' must be a list of objects", "fix the catalog file", field=key)
    return rows


# Physical range of every numeric catalog field, (low, high) inclusive. A row outside one is a typo or hostile
# input: 1e308 GB overflowed the memory model and 1e-300 TFLOPS priced a token at $inf. The ranges hold
# every real accelerator with a wide margin (B200: 2,250 TFLOPS, 192 GB, 8,000 GB/s, 1,000 W).
CATALOG_RANGES: dict[str, tuple[float, float]] = {
    "bf16_tflops": (0.1, 100_000.0),
    "vram_GB": (1.0, 10_000.0),
    "hbm_GB_per_s": (1.0, 1_000_000.0),
    "usd_per_hour": (0.0001, 10_000.0),
    "tdp_W": (1.0, 100_000.0),
    "nvlink_GB_per_s": (0.1, 100_000.0),
    "pcie_GB_per_s": (0.1, 10_000.0),
    "input_usd_per_Mtok": (0.0001, 10_000.0),
    "output_usd_per_Mtok": (0.0001, 10_000.0),
}
_MAX_SHOWN_CHARS = 40  # of a bad value quoted in an error line


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _MAX_SHOWN_CHARS else text[: _MAX_SHOWN_CHARS - 1] + "…"


def _number(row: Mapping[str, Any], key: str, origin: str, *, allow_none: bool = False) -> Any:
    """``row[key]`` as a float inside ``CATALOG_RANGES[key]`` (None passes with ``allow_none``); a one-line
    ConfigError naming the row, the field and the range otherwise."""
    value = row.get(key)
    if value is None and allow_none:
        return None
    where = f"{origin}: '{key}' of '{_name_of(row)}'"
    try:
        number = float(value) if not isinstance(value, bool) and isinstance(value, (int, float)) else math.nan
    except OverflowError:  # an integer beyond the float range
        number = math.inf
    if not math.isfinite(number):
        raise ConfigError(f"{where} must be a number, got {_shown(value)}", "fix the catalog file", field=key)
    low, high = CATALOG_RANGES[key]
    if number <= 0 or not low <= number <= high:
        hint = "fix the catalog file"
        if number <= 0 and allow_none:
            hint = f"use null for an unknown {'price' if key == 'usd_per_hour' else 'value'}, never 0"
        raise ConfigError(f"{where} must be between {low:g} and {high:,g}, got {number:g}", hint, field=key)
    return number


def _name_of(row: Mapping[str, Any]) -> str:
    """A row's name for an error line, shortened."""
    name = str(row.get("name"))
    return name if len(name) <= _MAX_SHOWN_CHARS else name[: _MAX_SHOWN_CHARS - 1] + "…"


def _aliases(row: Mapping[str, Any], origin: str) -> tuple[str, ...]:
    """A row's ``aliases``: a list of strings (lower-cased for lookup); anything else is a one-line error."""
    value = row.get("aliases", ())
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, (list, tuple)) or not all(isinstance(a, str) for a in value):
        raise ConfigError(
            f"{origin}: 'aliases' of '{row.get('name')}' must be a list of names, got {value!r}"[:200],
            'e.g. "aliases": ["h100", "h100-sxm"]',
            field="aliases",
        )
    return tuple(a.lower() for a in value)


def _gpu_from_row(row: Mapping[str, Any], origin: str, base: GPU | None = None) -> GPU:
    name = row.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{origin}: every GPU row needs a 'name'", "fix the catalog file", field="name")
    merged = {**(base.to_dict() if base else {}), **row}
    aliases = _aliases(row, origin) if "aliases" in row else (base.aliases if base else ())
    return GPU(
        name=name.strip(),
        bf16_tflops=_number(merged, "bf16_tflops", origin),
        vram_GB=_number(merged, "vram_GB", origin),
        hbm_GB_per_s=_number(merged, "hbm_GB_per_s", origin),
        usd_per_hour=_number(merged, "usd_per_hour", origin, allow_none=True),
        tdp_W=_number(merged, "tdp_W", origin, allow_none=True),
        aliases=aliases,
        spec_source=str(merged.get("spec_source", "")),
        price_source=str(merged.get("price_source", origin if base is None or "usd_per_hour" in row else "")),
        price_as_of=str(merged.get("price_as_of", "")),
        nvlink_GB_per_s=_number(merged, "nvlink_GB_per_s", origin, allow_none=True),
        pcie_GB_per_s=_number(merged, "pcie_GB_per_s", origin, allow_none=True),
        interconnect_source=str(merged.get("interconnect_source", "")),
    )


def _api_from_row(row: Mapping[str, Any], origin: str, base: APIPrice | None = None) -> APIPrice:
    name = row.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{origin}: every API row needs a 'name'", "fix the catalog file", field="name")
    merged = {**(base.to_dict() if base else {}), **row}
    aliases = _aliases(row, origin) if "aliases" in row else (base.aliases if base else ())
    return APIPrice(
        name=name.strip(),
        input_usd_per_Mtok=_number(merged, "input_usd_per_Mtok", origin),
        output_usd_per_Mtok=_number(merged, "output_usd_per_Mtok", origin),
        aliases=aliases,
        source=str(merged.get("source", origin)),
        as_of=str(merged.get("as_of", "")),
    )


@cache
def default_catalogs() -> Catalogs:
    """The built-in catalogs shipped with the package."""
    data_dir = resources.files("tafagent.core").joinpath("data")
    gpu_data = json.loads(data_dir.joinpath("gpus.json").read_text(encoding="utf-8"))
    api_data = json.loads(data_dir.joinpath("apis.json").read_text(encoding="utf-8"))
    gpus = tuple(_gpu_from_row(row, "built-in GPU catalog") for row in gpu_data["gpus"])
    apis = tuple(_api_from_row(row, "built-in API catalog") for row in api_data["apis"])
    return Catalogs(gpus, apis, gpu_data["as_of"], api_data["as_of"])
