"""A pipeline as a JSON file and back (`to_json`, `from_json`), and as compact data for a link
(`to_link_data`, `from_link_data`: only the values that differ from the registry's defaults).

Every value read is checked against the registry's specs, so a bad file or link gives one plain sentence
naming the step and the parameter (a translatable `LearnerError`), never a traceback.
"""
from __future__ import annotations

import json
from typing import Any

from lib.augment.config import AugmentConfig
from lib.augment.pipeline import Step
from lib.augment.registry import REGISTRY
from lib.augment.specs import shown
from lib.common.messages import LearnerError

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
        raise LearnerError("This file is too large to be a pipeline.")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise LearnerError("This is not valid JSON ({reason}, line {line}).", reason=e.msg, line=e.lineno) from e
    except RecursionError:  # thousands of nested brackets exhaust the parser's stack
        raise LearnerError("This JSON is nested far too deeply to be a pipeline.") from None
    items = data.get("pipeline") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise LearnerError('Expected {"pipeline": [...]}: a list of transforms.')
    _check_length(items)
    return [_step_from_json(i + 1, item) for i, item in enumerate(items)]


def _check_length(items: list) -> None:
    most = AugmentConfig().max_steps
    if len(items) > most:
        raise LearnerError("A pipeline has at most {most} steps, this one {n}.", most=most, n=len(items))


def from_json_bytes(data: bytes) -> list[Step]:
    """`from_json` of an uploaded file's bytes; raises ValueError when they are not UTF-8 text."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise LearnerError("The file is not UTF-8 text.") from None
    return from_json(text)


def _step_from_json(number: int, item: Any) -> Step:
    if not isinstance(item, dict) or not isinstance(item.get("name"), str):
        raise LearnerError('Step {number}: expected an object with a "name".', number=number)
    spec = REGISTRY.get(item["name"])
    if spec is None:
        raise LearnerError("Step {number}: unknown transform {name}.", number=number, name=shown(item["name"]))
    params = item.get("params", {})
    if not isinstance(params, dict):
        raise LearnerError('Step {number} ({name}): "params" must be an object.', number=number, name=spec.name)
    unknown = sorted(set(params) - {p.name for p in spec.params})
    if unknown:
        raise LearnerError("Step {number} ({name}): unknown parameter(s) {params}.", number=number, name=spec.name,
                           params=", ".join(u if len(u) <= 40 else u[:37] + "…" for u in unknown))
    try:
        values = {p.name: p.validate(params[p.name]) if p.name in params else p.default for p in spec.params}
    except ValueError as e:
        reason = e.args[0] if e.args and isinstance(e.args[0], str) else str(e)
        raise LearnerError("Step {number} ({name}): {reason}", number=number, name=spec.name, reason=reason) from e
    enabled = item.get("enabled", True)
    if not isinstance(enabled, bool):
        raise LearnerError('Step {number} ({name}): "enabled" must be true or false.', number=number, name=spec.name)
    return Step(spec.name, values, enabled)


# ---------------------------------------------------------------- compact form for links


def to_link_data(steps: list[Step]) -> list[list]:
    """The pipeline as short JSON-able data: `[name, {changed params}]` per step, `0` appended when it is off.

    Only parameters that differ from the registry's defaults are written, so a link stays short.
    """
    data = []
    for step in steps:
        defaults = REGISTRY[step.name].defaults()
        changed = _jsonable({k: v for k, v in step.params.items() if v != defaults.get(k)})
        data.append([step.name] + ([changed] if changed or not step.enabled else []) + ([] if step.enabled else [0]))
    return data


def from_link_data(data: Any) -> list[Step]:
    """`to_link_data`'s output back into steps, validated like a file; raises LearnerError saying what is wrong."""
    if not isinstance(data, list):
        raise LearnerError("Expected a list of transforms.")
    _check_length(data)
    return [_step_from_json(i + 1, _link_item(i + 1, item)) for i, item in enumerate(data)]


def _link_item(number: int, item: Any) -> dict[str, Any]:
    if not isinstance(item, list) or not 1 <= len(item) <= 3 or (len(item) == 3 and item[2] != 0):
        raise LearnerError("Step {number}: expected [name, parameters].", number=number)
    return {"name": item[0], "params": item[1] if len(item) > 1 else {}, "enabled": len(item) < 3}
