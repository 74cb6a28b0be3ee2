"""A pipeline as a JSON file and back: `to_json` writes it, `from_json` reads and validates it.

Every value read is checked against the registry's specs, so a bad file gives one plain sentence
naming the step and the parameter, never a traceback.
"""
from __future__ import annotations

import json
from typing import Any

from lib.augment.config import AugmentConfig
from lib.augment.pipeline import Step
from lib.augment.registry import REGISTRY

FORMAT = "pytorch-explainer/augment"


def to_json(steps: list[Step]) -> str:
    """The pipeline as JSON that `from_json` reads back."""
    data = {"format": FORMAT, "version": 1,
            "pipeline": [{"name": s.name, "enabled": s.enabled, "params": _jsonable(s.params)} for s in steps]}
    return json.dumps(data, indent=2)


def _jsonable(params: dict[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}


def from_json(text: str) -> list[Step]:
    """Parse and validate a pipeline; raises ValueError saying what is wrong."""
    if len(text) > AugmentConfig().max_json_chars:
        raise ValueError("This file is too large to be a pipeline.")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"This is not valid JSON ({e.msg}, line {e.lineno}).") from e
    except RecursionError:  # thousands of nested brackets exhaust the parser's stack
        raise ValueError("This JSON is nested far too deeply to be a pipeline.") from None
    items = data.get("pipeline") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ValueError('Expected {"pipeline": [...]}: a list of transforms.')
    return [_step_from_json(i + 1, item) for i, item in enumerate(items)]


def from_json_bytes(data: bytes) -> list[Step]:
    """`from_json` of an uploaded file's bytes; raises ValueError when they are not UTF-8 text."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("The file is not UTF-8 text.") from None
    return from_json(text)


def _step_from_json(number: int, item: Any) -> Step:
    if not isinstance(item, dict) or not isinstance(item.get("name"), str):
        raise ValueError(f"Step {number}: expected an object with a \"name\".")
    spec = REGISTRY.get(item["name"])
    if spec is None:
        raise ValueError(f"Step {number}: unknown transform {item['name']!r}.")
    params = item.get("params", {})
    if not isinstance(params, dict):
        raise ValueError(f"Step {number} ({spec.name}): \"params\" must be an object.")
    unknown = sorted(set(params) - {p.name for p in spec.params})
    if unknown:
        raise ValueError(f"Step {number} ({spec.name}): unknown parameter(s) {', '.join(unknown)}.")
    try:
        values = {p.name: p.validate(params[p.name]) if p.name in params else p.default for p in spec.params}
    except ValueError as e:
        raise ValueError(f"Step {number} ({spec.name}): {e}") from e
    enabled = item.get("enabled", True)
    if not isinstance(enabled, bool):
        raise ValueError(f"Step {number} ({spec.name}): \"enabled\" must be true or false.")
    return Step(spec.name, values, enabled)
