"""Pipelines built from plain specs: a `Step` per transform, the v2 transforms built from them, and the
user's pipeline as the page keeps it between reruns (`PipelineState`)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from torchvision.transforms import v2

from lib.augment.config import AugmentConfig
from lib.augment.kernels import EXACT_FASTER
from lib.augment.registry import REGISTRY
from lib.augment.specs import TransformSpec
from lib.common.messages import LearnerError


@dataclass
class Step:
    """One entry of the user's pipeline (plain data: session state and JSON hold it)."""

    name: str
    params: dict[str, Any] = field(default_factory=dict)
    enabled: bool = True

    @classmethod
    def default(cls, name: str) -> Step:
        """A step with the registry's default parameters."""
        return cls(name, REGISTRY[name].defaults())

    def values(self) -> dict[str, Any]:
        """Every parameter of the transform: the step's own values, the registry's defaults for the rest."""
        return {**REGISTRY[self.name].defaults(), **self.params}


def default_pipeline() -> list[Step]:
    """The pipeline the page starts with."""
    return [Step.default(n) for n in AugmentConfig().default_pipeline]


def _check_pairs(spec: TransformSpec, params: dict[str, Any]) -> None:
    for p in spec.params:
        if p.kind == "pair" and p.ordered and params[p.name][0] > params[p.name][1]:
            lo, hi = params[p.name]
            raise LearnerError("{name}: the minimum ({lo:g}) is larger than the maximum ({hi:g}).", name=p.name,
                               lo=lo, hi=hi)


def build_transform(step: Step, faster: bool = True) -> v2.Transform:
    """The v2 transform of one step; raises ValueError with torchvision's reason if it is rejected.

    `faster` swaps in the page's bit-exact faster subclasses (`lib.augment.kernels`); the exported
    code names the plain v2 class, which gives the same output.
    """
    spec, params = REGISTRY[step.name], step.values()
    _check_pairs(spec, params)
    kwargs = {p.name: p.to_kwarg(params[p.name]) for p in spec.params}
    cls = getattr(v2, step.name)
    try:
        return (EXACT_FASTER.get(step.name, cls) if faster else cls)(**kwargs)
    except (ValueError, TypeError) as e:
        raise ValueError(str(e)) from e


@dataclass
class Built:
    """The runnable part of a pipeline: (step index, transform, is random) plus per-step errors."""

    transforms: list[tuple[int, v2.Transform, bool]]
    errors: dict[int, str]


def build_pipeline(steps: list[Step]) -> Built:
    """Build every enabled step; a rejected step is reported and left out, the rest still run."""
    built, errors = [], {}
    for i, step in enumerate(steps):
        if not step.enabled:
            continue
        try:
            built.append((i, build_transform(step), REGISTRY[step.name].random))
        except ValueError as e:  # ours carry a translatable Message, torchvision's a plain sentence
            errors[i] = e.args[0] if e.args and isinstance(e.args[0], str) else str(e)
    return Built(built, errors)


# ---------------------------------------------------------------- the page's pipeline between reruns


@dataclass
class Entry:
    """A step of the user's pipeline with the id its widget keys carry (`augment.s<id>.<param>`)."""

    id: int
    step: Step


@dataclass
class PipelineState:
    """The user's pipeline: its entries in order, and the last id handed out.

    Ids are never reused, so a loaded or added step gets fresh widget keys and its widgets show its values.
    """

    entries: list[Entry] = field(default_factory=list)
    last_id: int = 0

    @classmethod
    def start(cls, steps: list[Step]) -> PipelineState:
        """A state holding `steps`, numbered from 1."""
        state = cls()
        state.replace(steps)
        return state

    def steps(self) -> list[Step]:
        """The steps in pipeline order."""
        return [e.step for e in self.entries]

    def _new_entry(self, step: Step) -> Entry:
        self.last_id += 1
        return Entry(self.last_id, step)

    def replace(self, steps: list[Step]) -> None:
        """Swap in a whole new pipeline (a loaded JSON file), with new ids."""
        self.entries = [self._new_entry(s) for s in steps]

    def add(self, name: str) -> None:
        """Append transform `name` with its default parameters."""
        self.entries.append(self._new_entry(Step.default(name)))

    def move(self, i: int, delta: int) -> None:
        """Swap entry i with entry i + delta; nothing happens past either end."""
        j = i + delta
        if 0 <= j < len(self.entries):
            self.entries[i], self.entries[j] = self.entries[j], self.entries[i]

    def remove(self, i: int) -> None:
        """Drop entry i."""
        self.entries.pop(i)
