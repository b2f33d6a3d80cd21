"""Read the bundled SDK method -> IAM action map (workbench/data/iam-dataset-sdk-map-2022.json.gz,
iann0036/iam-dataset `aws/map.json`, MIT; see workbench/data/PROVENANCE.md) into `SdkMap`."""

from __future__ import annotations

import gzip
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson

from workbench.model.sdk_map import SdkAction, SdkMap

MAP_FILE = Path(__file__).resolve().parents[1] / "data" / "iam-dataset-sdk-map-2022.json.gz"


def _entry(raw: dict[str, Any]) -> SdkAction | None:
    action = raw.get("action")
    if not isinstance(action, str):
        return None
    resources = raw.get("resource_mappings") or {}
    pairs = tuple((k, v["template"]) for k, v in resources.items()
                  if isinstance(v, dict) and isinstance(v.get("template"), str))
    override = raw.get("arn_override")
    arn = override.get("template") if isinstance(override, dict) and isinstance(override.get("template"), str) else None
    return SdkAction(action, pairs, arn, bool(raw.get("undocumented")))


@lru_cache(maxsize=1)
def sdk_map(path: Path = MAP_FILE) -> SdkMap:
    doc = orjson.loads(gzip.decompress(path.read_bytes()))
    methods: dict[str, tuple[SdkAction, ...]] = {}
    for key, entries in doc.get("sdk_method_iam_mappings", {}).items():
        found = [e for e in (_entry(x) for x in entries if isinstance(x, dict)) if e is not None]
        methods[key] = tuple(found)
    prefix_sdk = {k: tuple(v) for k, v in doc.get("service_sdk_mappings", {}).items() if isinstance(v, list)}
    return SdkMap(methods, prefix_sdk, frozenset(doc.get("sdk_permissionless_actions", [])), str(path.name))
