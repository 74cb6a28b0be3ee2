"""The parameter specs of the augmentation catalogue: one constructor argument, one transform.

Every widget of the pipeline builder is generated from these (as in albumentations-demo): a spec says
what kind of value an argument takes, its range and step, and how to write it as Python source.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from torchvision.transforms import v2

from lib.common.messages import N_, LearnerError


def shown(value: Any) -> str:
    """A value read from a file or a link, for a message: its repr, cut short (it may be huge)."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "…"


@dataclass(frozen=True)
class ParamSpec:
    """One constructor argument of a transform and how to draw its widget."""

    name: str
    kind: str                 # "int" | "float" | "bool" | "choice" | "pair"
    default: Any
    low: float | None = None
    high: float | None = None
    step: float | None = None
    options: tuple = ()
    enum: str | None = None   # choice values are members of v2.<enum>
    ordered: bool = True      # pairs: (min, max) that must not be reversed
    integer: bool = False     # pairs of whole numbers (sizes, JPEG quality)
    labels: tuple[str, str] = (N_("min"), N_("max"))  # pairs: what the two numbers are (translated on the page)
    help: str = ""  # one line under the widget, marked with N_ (translated on the page)

    def to_kwarg(self, value: Any) -> Any:
        """The value as the transform's constructor wants it."""
        if self.kind == "pair":
            return tuple(int(v) if self.integer else float(v) for v in value)
        if self.enum:
            return getattr(getattr(v2, self.enum), value)
        return value

    def to_code(self, value: Any) -> str:
        """The value as Python source."""
        if self.kind == "pair":
            a, b = self.to_kwarg(value)
            return f"({a!r}, {b!r})"
        if self.enum:
            return f"v2.{self.enum}.{value}"
        return repr(value)

    def validate(self, value: Any) -> Any:
        """Check a value from JSON; returns it in canonical form or raises ValueError."""
        if self.kind == "bool":
            if not isinstance(value, bool):
                raise LearnerError("'{name}' must be true or false, not {value}.", name=self.name, value=shown(value))
            return value
        if self.kind == "choice":
            if value not in self.options:
                raise LearnerError("'{name}' must be one of {options}, not {value}.", name=self.name,
                                   options=list(self.options), value=shown(value))
            return value
        if self.kind == "pair":
            if not isinstance(value, (list, tuple)) or len(value) != 2:
                raise LearnerError("'{name}' must be a pair [min, max], not {value}.", name=self.name,
                                   value=shown(value))
            return tuple(self._number(v, self.integer) for v in value)
        return self._number(value)

    def _number(self, value: Any, integer: bool = False) -> float | int:
        integer = integer or self.kind == "int"
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise LearnerError("'{name}' must be a number, not {value}.", name=self.name, value=shown(value))
        if integer and value != int(value):
            raise LearnerError("'{name}' must be a whole number, not {value}.", name=self.name, value=shown(value))
        if not (self.low <= value <= self.high):
            raise LearnerError("'{name}' must be between {low:g} and {high:g}, not {value}.", name=self.name,
                               low=self.low, high=self.high, value=shown(value))
        return int(value) if integer else float(value)


@dataclass(frozen=True)
class TransformSpec:
    """A transform of the catalogue: its parameters, whether it is random, a one-line doc."""

    name: str
    doc: str                  # one line, marked with N_ (translated on the page)
    params: tuple[ParamSpec, ...] = ()
    random: bool = True       # deterministic ones run once for the whole grid
    group: str = N_("Colour")

    def param(self, name: str) -> ParamSpec:
        """The spec of one parameter by name."""
        return next(p for p in self.params if p.name == name)

    def defaults(self) -> dict[str, Any]:
        """Parameter name -> default value."""
        return {p.name: p.default for p in self.params}
