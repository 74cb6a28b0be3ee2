"""Settings dataclasses that carry their own widget ranges.

A page's configuration is one frozen dataclass in its lib package. Each field that a widget sets is
declared with `setting(default, lo=..., hi=..., step=..., param="lr")` or `setting(default, options=...)`,
so the default, its range and its short name in the page's link sit on one line and the page reads them
from there (`ui.widgets`), never repeating numbers. `spec(cfg, "lr")` gives a field's range; `check(cfg)` tells a learner in plain
words which value is out of range (the same check guards values coming from links).
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Spec:
    """The allowed values of one setting: a numeric range, or a list of options."""

    lo: float | None = None
    hi: float | None = None
    step: float | None = None
    options: tuple | None = None
    param: str | None = None  # short name of the setting in the page's link (`?lr=0.3`), None: not linked

    def allows(self, value: Any) -> bool:
        """True when `value` is one of the options, or a finite number within [lo, hi]."""
        if self.options is not None:
            return value in self.options
        if self.lo is None and self.hi is None:
            return True
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        try:
            if not math.isfinite(value):
                return False
        except OverflowError:  # an int too large for a float is outside every range
            return False
        return (self.lo is None or value >= self.lo) and (self.hi is None or value <= self.hi)


def setting(default: Any, *, lo: float | None = None, hi: float | None = None, step: float | None = None,
            options: tuple | list | None = None, param: str | None = None) -> Any:
    """A dataclass field with its default, the range a widget may give it and its name in links."""
    spec_ = Spec(lo, hi, step, tuple(options) if options is not None else None, param)
    if (lo is not None or hi is not None or options is not None) and not _allows_default(spec_, default):
        raise ValueError(f"default {default!r} lies outside its own range {spec_}")
    return dataclasses.field(default=default, metadata={"spec": spec_})


def _allows_default(spec_: Spec, default: Any) -> bool:
    if isinstance(default, (tuple, list)) and spec_.options is not None:
        return all(spec_.allows(v) for v in default)  # a multiselect's default is a subset of its options
    return spec_.allows(default)


def spec(config: Any, name: str) -> Spec:
    """The range (and link name) declared for field `name` of a settings dataclass (instance or class)."""
    for f in dataclasses.fields(config):
        if f.name == name:
            return f.metadata.get("spec", Spec())
    raise KeyError(f"{type(config).__name__} has no setting {name!r}")


def check(config: Any) -> None:
    """Raise ValueError naming the first setting whose value lies outside its declared range."""
    for f in dataclasses.fields(config):
        spec_ = f.metadata.get("spec")
        value = getattr(config, f.name)
        if spec_ is None:
            continue
        values = value if isinstance(value, (tuple, list)) and spec_.options is not None else (value,)
        if not all(spec_.allows(v) for v in values):
            raise ValueError(f"{f.name.replace('_', ' ')} = {value!r} is outside the allowed range "
                             f"({_describe(spec_)}).")


def _describe(spec_: Spec) -> str:
    if spec_.options is not None:
        return "one of " + ", ".join(map(str, spec_.options))
    return f"{spec_.lo:g} to {spec_.hi:g}"
