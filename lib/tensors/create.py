"""Section 1: creating tensors with PyTorch's factories, on a device, within the memory budget."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import torch

from lib.common.messages import N_, LearnerError, Message
from lib.tensors.basics import MAX_BYTES, check_budget, describe, dtype_of, torch_error

FACTORIES: tuple[str, ...] = (
    "ones", "zeros", "full", "empty", "rand", "randn", "randint", "arange", "linspace", "eye",
    "tensor", "as_tensor", "ones_like", "zeros_like", "full_like", "rand_like", "randn_like",
    "new_ones", "new_zeros", "new_full", "new_empty",
)
RANDOM_FACTORIES = frozenset({"rand", "randn", "randint", "rand_like", "randn_like"})
FILL_FACTORIES = frozenset({"full", "full_like", "new_full"})
FACTORY_NOTES: dict[str, str] = {
    "empty": N_("`empty` only reserves memory: the values are whatever bytes were there before - "
                "uninitialised, different from run to run. Fill it before reading it."),
    "tensor": N_("`torch.tensor(data)` always **copies** its input (here a nested Python list)."),
    "as_tensor": N_("`torch.as_tensor(array)` **shares** the NumPy array's memory when dtype and device "
                    "allow it (int64 here, on CPU) and copies otherwise."),
    "rand": N_("Uniform in [0, 1). The generator's seed makes it repeatable."),
    "randn": N_("Standard normal: mean 0, standard deviation 1."),
    "randint": N_("Whole numbers from `low` (inclusive) to `high` (exclusive)."),
    "arange": N_("`arange(n)` counts 0, 1, ..., n-1; `.reshape` lays the count out in the shape."),
    "linspace": N_("`linspace(start, end, steps)` spaces `steps` points evenly, both ends included."),
    "eye": N_("The identity matrix: ones on the diagonal. Needs a 1-D (n) or 2-D (n, m) shape."),
}


@dataclass(frozen=True)
class CreateSpec:
    """What the creation section asks for (defaults: the page's, see config.TensorConfig)."""

    factory: str = "rand"
    shape: tuple[int, ...] = (3, 4)
    dtype: str = "float32"
    seed: int = 0
    fill_value: float = 7.0
    low: int = 0
    high: int = 10
    start: float = 0.0
    end: float = 1.0


@dataclass
class Created:
    """The tensor, and (for `as_tensor`) the NumPy array it came from."""

    tensor: torch.Tensor
    source: np.ndarray | None = None
    facts: dict[str, str] = field(default_factory=dict)

    @property
    def shares_source(self) -> bool:
        """True when the tensor reads the NumPy array's own memory (`as_tensor` without a copy)."""
        return self.source is not None and self.tensor.data_ptr() == self.source.ctypes.data


def create(spec: CreateSpec, device: torch.device, max_bytes: int = MAX_BYTES) -> Created:
    """Build the tensor the creation section describes, on `device`."""
    if spec.factory not in FACTORIES:
        raise LearnerError("Unknown factory {name}.", name=repr(spec.factory))
    dtype = dtype_of(spec.dtype)
    check_budget(spec.shape, dtype, max_bytes)
    source = None
    try:
        if spec.factory == "as_tensor":
            source = np.arange(math.prod(spec.shape)).reshape(spec.shape)  # int64 on every platform we run
            tensor = torch.as_tensor(source, dtype=dtype, device=device)
        else:
            tensor = _build(spec, dtype, device)
    except (RuntimeError, TypeError, NotImplementedError) as e:
        raise torch_error(e, Message("make `{factory}` with dtype {dtype}", factory=spec.factory,
                                     dtype=spec.dtype)) from None
    return Created(tensor, source, describe(tensor))


def _build(spec: CreateSpec, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    shape, f = spec.shape, spec.factory
    g = torch.Generator(device=device).manual_seed(spec.seed)
    opts = {"dtype": dtype, "device": device}
    n = math.prod(shape)
    if f in ("ones", "zeros", "empty"):
        return getattr(torch, f)(shape, **opts)
    if f == "full":
        return torch.full(shape, spec.fill_value, **opts)
    if f in ("rand", "randn"):
        return getattr(torch, f)(shape, generator=g, **opts)
    if f == "randint":
        return torch.randint(spec.low, spec.high, shape, generator=g, **opts)
    if f == "arange":
        return torch.arange(n, **opts).reshape(shape)  # (n,) -> shape
    if f == "linspace":
        return torch.linspace(spec.start, spec.end, n, **opts).reshape(shape)  # (n,) -> shape
    if f == "eye":
        return _eye(shape, opts)
    if f == "tensor":
        return torch.tensor(torch.arange(n).reshape(shape).tolist(), **opts)
    return _from_template(spec, opts, g)


def _eye(shape: tuple[int, ...], opts: dict) -> torch.Tensor:
    if len(shape) not in (1, 2):
        raise LearnerError("`eye` makes matrices: give a shape with one size (n) or two (n, m).")
    return torch.eye(*shape, **opts)


def _from_template(spec: CreateSpec, opts: dict, g: torch.Generator) -> torch.Tensor:
    """`*_like` copy shape, dtype and device of a template; `new_*` copy dtype and device only."""
    f = spec.factory
    if f.endswith("_like"):
        template = torch.empty(spec.shape, **opts)
        if f == "full_like":
            return torch.full_like(template, spec.fill_value)
        if f in ("rand_like", "randn_like"):  # *_like takes no generator: draw then copy the template's dtype
            return getattr(torch, f.removesuffix("_like"))(template.shape, generator=g, **opts)
        return getattr(torch, f)(template)
    template = torch.zeros(1, **opts)
    if f == "new_full":
        return template.new_full(spec.shape, spec.fill_value)
    return getattr(template, f)(spec.shape)
