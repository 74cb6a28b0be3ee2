"""Tensor playground: build, describe, index, reshape and time tensors, and write the code.

Everything here is pure PyTorch/NumPy/PIL; the page only draws what these functions return.
Each `*_code` function returns standalone code that reproduces the matching tensor; the unit
tests run it and compare.
"""
from __future__ import annotations

import math
import statistics
import time
from dataclasses import dataclass, field

import numpy as np
import torch
from PIL import Image

from lib.common.device import synchronize

DTYPES: dict[str, torch.dtype] = {
    "float32": torch.float32, "float64": torch.float64, "float16": torch.float16,
    "bfloat16": torch.bfloat16, "int8": torch.int8, "int16": torch.int16,
    "int32": torch.int32, "int64": torch.int64, "uint8": torch.uint8, "bool": torch.bool,
}
FACTORIES: tuple[str, ...] = (
    "ones", "zeros", "full", "empty", "rand", "randn", "randint", "arange", "linspace", "eye",
    "tensor", "as_tensor", "ones_like", "zeros_like", "full_like", "rand_like", "randn_like",
    "new_ones", "new_zeros", "new_full", "new_empty",
)
RANDOM_FACTORIES = frozenset({"rand", "randn", "randint", "rand_like", "randn_like"})
FACTORY_NOTES: dict[str, str] = {
    "empty": "`empty` only reserves memory: the values are whatever bytes were there before - "
             "uninitialised, different from run to run. Fill it before reading it.",
    "tensor": "`torch.tensor(data)` always **copies** its input (here a nested Python list).",
    "as_tensor": "`torch.as_tensor(array)` **shares** the NumPy array's memory when dtype and device "
                 "allow it (int64 here, on CPU) and copies otherwise.",
    "rand": "Uniform in [0, 1). The generator's seed makes it repeatable.",
    "randn": "Standard normal: mean 0, standard deviation 1.",
    "randint": "Whole numbers from `low` (inclusive) to `high` (exclusive).",
    "arange": "`arange(n)` counts 0, 1, ..., n-1; `.reshape` lays the count out in the shape.",
    "linspace": "`linspace(start, end, steps)` spaces `steps` points evenly, both ends included.",
    "eye": "The identity matrix: ones on the diagonal. Needs a 1-D (n) or 2-D (n, m) shape.",
}


@dataclass(frozen=True)
class TensorConfig:
    """Widget defaults and limits of the tensor playground page."""

    shape: str = "3, 4"           # a small matrix: every value fits on screen
    dtype: str = "float32"        # PyTorch's default floating dtype
    factory: str = "rand"
    seed: int = 0
    fill_value: float = 7.0
    low: int = 0
    high: int = 10
    start: float = 0.0
    end: float = 1.0
    max_rank: int = 5
    max_bytes: int = 64 * 2**20   # per tensor: the server must never allocate gigabytes for a typo
    max_cells_shown: int = 720    # beyond this a heat-map is unreadable; show a histogram instead
    max_panels: int = 24          # 2-D slices drawn for ranks >= 3
    image_side: int = 96          # small images keep the rank demos instant
    batch: int = 4
    frames: int = 6
    index_shape: str = "4, 6"
    index_text: str = "[1:3, ::2]"
    reshape_shape: str = "2, 3, 4"
    reshape_op: str = "view"
    reshape_args: str = "4, -1"
    shape_a: str = "2, 3"
    shape_b: str = "3"
    matmul_a: str = "2, 3"
    matmul_b: str = "3, 4"
    reduce_shape: str = "3, 4"
    bridge_rows: int = 3
    bridge_cols: int = 4
    timing_sizes: tuple[int, ...] = (32, 64, 128, 256, 512)  # small: the page must stay fast on CPU
    timing_choices: tuple[int, ...] = (16, 32, 64, 128, 256, 512, 1024, 2048, 4096)
    timing_repeats: int = 3


CONFIG = TensorConfig()


# ---------------------------------------------------------------- shapes, dtypes, budget

def parse_shape(text: str, max_rank: int = CONFIG.max_rank, max_numel: int | None = None) -> tuple[int, ...]:
    """`"3, 4"` -> (3, 4); an empty text or `()` is a rank-0 scalar; optionally cap the element count."""
    cleaned = text.strip().strip("()[]").replace("x", ",").replace("×", ",")
    parts = [p.strip() for p in cleaned.split(",") if p.strip()]
    try:
        shape = tuple(int(p) for p in parts)
    except ValueError:
        raise ValueError(f"A shape is whole numbers separated by commas, like `3, 4` - not {text!r}.") from None
    if any(s < 0 for s in shape):
        raise ValueError("Sizes cannot be negative (0 is allowed: an empty tensor).")
    if len(shape) > max_rank:
        raise ValueError(f"This page goes up to rank {max_rank}; {text!r} has rank {len(shape)}.")
    if max_numel is not None and math.prod(shape) > max_numel:
        raise ValueError(f"{tuple(shape)} has {math.prod(shape)} elements; this example draws at most {max_numel}.")
    return shape


def parse_ints(text: str, what: str = "arguments") -> tuple[int, ...]:
    """Comma-separated whole numbers (negatives allowed, e.g. `4, -1`)."""
    parts = [p.strip() for p in text.strip().strip("()[]").split(",") if p.strip()]
    try:
        return tuple(int(p) for p in parts)
    except ValueError:
        raise ValueError(f"The {what} must be whole numbers separated by commas, not {text!r}.") from None


def dtype_of(name: str) -> torch.dtype:
    """`"float32"` -> `torch.float32`."""
    if name not in DTYPES:
        raise ValueError(f"Unknown dtype {name!r}; choose one of {', '.join(DTYPES)}.")
    return DTYPES[name]


def nbytes(shape: tuple[int, ...], dtype: torch.dtype) -> int:
    """Bytes a contiguous tensor of this shape and dtype needs."""
    return math.prod(shape) * dtype.itemsize


def check_budget(shape: tuple[int, ...], dtype: torch.dtype, max_bytes: int = CONFIG.max_bytes) -> None:
    """Refuse shapes that would take more than `max_bytes` (checked before allocating)."""
    need = nbytes(shape, dtype)
    if need > max_bytes:
        raise ValueError(
            f"A {tuple(shape)} {str(dtype).removeprefix('torch.')} tensor needs {human_bytes(need)}, "
            f"more than this page's budget of {human_bytes(max_bytes)}. Try smaller sizes."
        )


def human_bytes(n: int) -> str:
    """1536 -> '1.5 KiB'."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"


def torch_error(error: Exception, doing: str) -> ValueError:
    """PyTorch's own message, wrapped in a sentence saying what we were doing."""
    message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return ValueError(f"PyTorch cannot {doing}: {message}")


# ---------------------------------------------------------------- 1. creating tensors

@dataclass(frozen=True)
class CreateSpec:
    """What the creation section asks for."""

    factory: str = CONFIG.factory
    shape: tuple[int, ...] = (3, 4)
    dtype: str = CONFIG.dtype
    seed: int = CONFIG.seed
    fill_value: float = CONFIG.fill_value
    low: int = CONFIG.low
    high: int = CONFIG.high
    start: float = CONFIG.start
    end: float = CONFIG.end


@dataclass
class Created:
    """The tensor, and (for `as_tensor`) the NumPy array it came from."""

    tensor: torch.Tensor
    source: np.ndarray | None = None
    facts: dict[str, str] = field(default_factory=dict)


def create(spec: CreateSpec, device: torch.device, max_bytes: int = CONFIG.max_bytes) -> Created:
    """Build the tensor the creation section describes, on `device`."""
    if spec.factory not in FACTORIES:
        raise ValueError(f"Unknown factory {spec.factory!r}.")
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
        raise torch_error(e, f"make `{spec.factory}` with dtype {spec.dtype}") from None
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
        raise ValueError("`eye` makes matrices: give a shape with one size (n) or two (n, m).")
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


def describe(t: torch.Tensor) -> dict[str, str]:
    """The facts the page lists under a tensor."""
    return {
        "shape / size()": str(tuple(t.shape)),
        "dtype": str(t.dtype),
        "numel()": str(t.numel()),
        "dim()": str(t.dim()),
        "device": str(t.device),
        "bytes": f"{t.numel() * t.element_size()} ({t.element_size()} per element)",
    }


def creation_code(spec: CreateSpec, device: str = "cpu") -> str:
    """Standalone code that builds the same tensor as `create` and names it `x`."""
    dt = f"torch.{spec.dtype}"
    shape = repr(tuple(spec.shape))
    opts = f"dtype={dt}, device=device"
    n = math.prod(spec.shape)
    head = ["import torch", "", f'device = torch.device("{device}")']
    if spec.factory in RANDOM_FACTORIES:
        head.append(f"g = torch.Generator(device=device).manual_seed({spec.seed})  # own generator: repeatable")
    body = _creation_lines(spec, shape, opts, n)
    tail = ["", "print(x)", "print(x.shape, x.dtype, x.numel(), x.dim(), x.device)",
            "print('bytes:', x.numel() * x.element_size())"]
    return "\n".join(head + [""] + body + tail) + "\n"


def _creation_lines(spec: CreateSpec, shape: str, opts: str, n: int) -> list[str]:
    f, fill = spec.factory, spec.fill_value
    simple = {
        "ones": f"x = torch.ones({shape}, {opts})",
        "zeros": f"x = torch.zeros({shape}, {opts})",
        "empty": f"x = torch.empty({shape}, {opts})  # uninitialised memory!",
        "full": f"x = torch.full({shape}, {fill!r}, {opts})",
        "rand": f"x = torch.rand({shape}, generator=g, {opts})",
        "randn": f"x = torch.randn({shape}, generator=g, {opts})",
        "randint": f"x = torch.randint({spec.low}, {spec.high}, {shape}, generator=g, {opts})",
        "arange": f"x = torch.arange({n}, {opts}).reshape({shape})  # ({n},) -> {shape}",
        "linspace": f"x = torch.linspace({spec.start!r}, {spec.end!r}, {n}, {opts}).reshape({shape})",
        "eye": f"x = torch.eye({', '.join(map(str, spec.shape))}, {opts})",
    }
    if f in simple:
        return [simple[f]]
    if f == "tensor":
        return [f"data = torch.arange({n}).reshape({shape}).tolist()  # a nested Python list",
                f"x = torch.tensor(data, {opts})  # always copies"]
    if f == "as_tensor":
        return ["import numpy as np", f"array = np.arange({n}).reshape({shape})",
                f"x = torch.as_tensor(array, {opts})  # shares memory when it can",
                "print('shares memory with array:', x.data_ptr() == array.ctypes.data)"]
    return _template_lines(spec, shape, opts)


def _template_lines(spec: CreateSpec, shape: str, opts: str) -> list[str]:
    f = spec.factory
    if f.endswith("_like"):
        lines = [f"template = torch.empty({shape}, {opts})"]
        if f == "full_like":
            return lines + [f"x = torch.full_like(template, {spec.fill_value!r})"]
        if f in ("rand_like", "randn_like"):
            base = f.removesuffix("_like")
            return lines + [f"# torch.{f}(template) is the same but takes no generator",
                            f"x = torch.{base}(template.shape, generator=g, dtype=template.dtype, device=template.device)"]
        return lines + [f"x = torch.{f}(template)  # same shape, dtype and device"]
    lines = [f"template = torch.zeros(1, {opts})"]
    if f == "new_full":
        return lines + [f"x = template.new_full({shape}, {spec.fill_value!r})  # dtype and device of template"]
    return lines + [f"x = template.{f}({shape})  # dtype and device of template"]


def panels(t: torch.Tensor, max_panels: int = CONFIG.max_panels) -> tuple[np.ndarray, list[str]]:
    """2-D slices of `t` for heat-maps: (P, H, W) float array and one label per slice."""
    x = t.detach().to("cpu")
    x = x.float() if x.dtype in (torch.bfloat16, torch.float16, torch.bool) else x
    if x.dim() <= 2:
        grid = x.reshape(1, 1, -1) if x.dim() < 2 else x.unsqueeze(0)  # () or (n,) -> (1, 1, n); (H, W) -> (1, H, W)
        return grid.double().numpy(), ["x" if x.dim() < 2 else "x[:, :]"]
    lead = x.shape[:-2]
    flat = x.reshape(-1, x.shape[-2], x.shape[-1])[:max_panels]  # (..., H, W) -> (P, H, W)
    labels = []
    for i in range(flat.shape[0]):
        idx = np.unravel_index(i, tuple(lead))
        labels.append("x[" + ", ".join(str(int(k)) for k in idx) + ", :, :]")
    return flat.double().numpy(), labels


# ---------------------------------------------------------------- 2. ranks

RANK_MEANINGS: dict[int, str] = {
    0: "a scalar - one number, e.g. a loss",
    1: "a vector - e.g. one row of pixels, or a word embedding",
    2: "a matrix - e.g. a greyscale image, or a batch of feature vectors",
    3: "an image: height x width x colour channels (H, W, C)",
    4: "a batch of images: (N, C, H, W), the layout conv layers expect",
    5: "a batch of video clips: (N, F, C, H, W) - clips, frames, channels, height, width",
}


def image_size(size: tuple[int, int], side: int) -> tuple[int, int]:
    """(width, height) scaled so the longer side is `side`."""
    w, h = size
    scale = side / max(w, h)
    return max(1, round(w * scale)), max(1, round(h * scale))


def image_tensor(image: Image.Image, side: int = CONFIG.image_side) -> torch.Tensor:
    """An RGB photo as a uint8 (H, W, C) tensor, longer side `side` pixels."""
    small = image.convert("RGB").resize(image_size(image.size, side), Image.Resampling.BILINEAR)
    return torch.from_numpy(np.array(small))  # (H, W, C) uint8


def rank_tensor(hwc: torch.Tensor, rank: int, batch: int = CONFIG.batch, frames: int = CONFIG.frames) -> torch.Tensor:
    """The rank-`rank` example built from one (H, W, C) image."""
    if rank == 0:
        return hwc.float().mean()  # the mean brightness: a scalar
    if rank == 1:
        return hwc[hwc.shape[0] // 2, :, 0]  # the middle row of the red channel
    if rank == 2:
        return hwc.float().mean(dim=2).round().to(torch.uint8)  # (H, W, C) -> (H, W) greyscale
    if rank == 3:
        return hwc
    chw = hwc.permute(2, 0, 1)  # (H, W, C) -> (C, H, W)
    if rank == 4:
        return batch_of(chw, batch)
    if rank == 5:
        return clips_of(chw, frames)
    raise ValueError("Ranks 0 to 5 are shown here.")


def batch_of(chw: torch.Tensor, n: int) -> torch.Tensor:
    """N variants of one (C, H, W) image stacked into (N, C, H, W): flips and a rotation."""
    variants = [chw, chw.flip(2), chw.flip(1), chw.flip(1, 2)]  # original, mirror, upside down, rotated 180
    return torch.stack([variants[i % 4] for i in range(n)])  # N x (C, H, W) -> (N, C, H, W)


def clips_of(chw: torch.Tensor, frames: int) -> torch.Tensor:
    """Two clips of `frames` frames, (2, F, C, H, W): a camera panning right, then down."""
    _, h, w = chw.shape
    pan_right = [chw.roll(i * w // frames, dims=2) for i in range(frames)]
    pan_down = [chw.roll(i * h // frames, dims=1) for i in range(frames)]
    return torch.stack([torch.stack(pan_right), torch.stack(pan_down)])  # 2 x F x (C, H, W) -> (2, F, C, H, W)


def crop(hwc: torch.Tensor, top: int, left: int, height: int, width: int) -> torch.Tensor:
    """`hwc[top:top+height, left:left+width, :]` - a view, no copy."""
    return hwc[top:top + height, left:left + width, :]


def rank_code(rank: int, image_path: str, side: int, size: tuple[int, int], batch: int = CONFIG.batch,
              frames: int = CONFIG.frames, crop_box: tuple[int, int, int, int] | None = None) -> str:
    """Code that loads the photo and builds the rank-`rank` example as `x`."""
    w, h = image_size(size, side)
    lines = ["import numpy as np", "import torch", "from PIL import Image", "",
             f'image = Image.open("{image_path}").convert("RGB")',
             f"image = image.resize(({w}, {h}), Image.Resampling.BILINEAR)",
             "hwc = torch.from_numpy(np.array(image))  # (H, W, C) uint8", ""]
    lines += _rank_lines(rank, batch, frames)
    if crop_box is not None:
        t, l, ch, cw = crop_box
        lines += ["", f"patch = hwc[{t}:{t + ch}, {l}:{l + cw}, :]  # a crop is a slice: a view, no copy",
                  "red, green, blue = hwc[..., 0], hwc[..., 1], hwc[..., 2]  # each channel is (H, W)"]
    return "\n".join(lines + ["", "print(x.shape, x.dtype)"]) + "\n"


def _rank_lines(rank: int, batch: int, frames: int) -> list[str]:
    if rank < 4:
        return [{0: "x = hwc.float().mean()  # rank 0: mean brightness",
                 1: "x = hwc[hwc.shape[0] // 2, :, 0]  # rank 1: middle row, red channel",
                 2: "x = hwc.float().mean(dim=2).round().to(torch.uint8)  # rank 2: (H, W) greyscale",
                 3: "x = hwc  # rank 3: (H, W, C)"}[rank]]
    lines = ["chw = hwc.permute(2, 0, 1)  # (H, W, C) -> (C, H, W)"]
    if rank == 4:
        return lines + ["variants = [chw, chw.flip(2), chw.flip(1), chw.flip(1, 2)]",
                        f"x = torch.stack([variants[i % 4] for i in range({batch})])  # (N, C, H, W)"]
    return lines + ["_, h, w = chw.shape",
                    f"pan_right = [chw.roll(i * w // {frames}, dims=2) for i in range({frames})]",
                    f"pan_down = [chw.roll(i * h // {frames}, dims=1) for i in range({frames})]",
                    "x = torch.stack([torch.stack(pan_right), torch.stack(pan_down)])  # (N, F, C, H, W)"]


# ---------------------------------------------------------------- 4. reshaping and views

RESHAPE_OPS: dict[str, str] = {
    "view": "new shape, e.g. `4, -1` (-1 = work it out)",
    "reshape": "new shape, e.g. `6, 4`",
    "resize_": "new shape, any size, e.g. `5, 6`",
    "view_as": "shape of the other tensor, e.g. `4, 6`",
    "transpose": "two dims to swap, e.g. `0, 1`",
    "permute": "new order of all dims, e.g. `2, 0, 1`",
    "squeeze": "dim to drop if its size is 1 (empty = all)",
    "unsqueeze": "where to insert a size-1 dim, e.g. `0`",
    "flatten": "start dim, end dim, e.g. `0, -1`",
    "contiguous": "(no arguments)",
}


RESHAPE_DEFAULT_ARGS: dict[str, str] = {
    "view": "4, -1", "reshape": "6, 4", "resize_": "5, 6", "view_as": "4, 6", "transpose": "0, 1",
    "permute": "2, 0, 1", "squeeze": "", "unsqueeze": "0", "flatten": "0, -1", "contiguous": "",
}


def index_code(shape: tuple[int, ...], index: str) -> str:
    """Code for the indexing section: `x` is the source, `y = x<index>`."""
    return "\n".join([
        "import torch", "", f"x = torch.arange({math.prod(shape)}).reshape({tuple(shape)})",
        f"y = x{index}", "print(y.shape)", "print(y)",
        "print('view of x:', y.untyped_storage().data_ptr() == x.untyped_storage().data_ptr())",
    ]) + "\n"


def arange_source(shape: tuple[int, ...], transposed: bool = False) -> torch.Tensor:
    """`arange(n).reshape(shape)`, optionally with its last two dims swapped (non-contiguous)."""
    x = torch.arange(math.prod(shape)).reshape(shape)  # (n,) -> shape
    if transposed:
        if x.dim() < 2:
            raise ValueError("Transposing needs at least two dims.")
        x = x.transpose(-2, -1)  # swaps strides, not data: no longer contiguous
    return x


def apply_reshape(x: torch.Tensor, op: str, args: tuple[int, ...]) -> torch.Tensor:
    """Run one reshaping op; PyTorch's refusal becomes a `ValueError` with its message."""
    if op not in RESHAPE_OPS:
        raise ValueError(f"Unknown operation {op!r}.")
    if op == "resize_":
        check_budget(args, x.dtype)
    try:
        return _reshape(x, op, args)
    except (RuntimeError, IndexError, TypeError) as e:
        raise torch_error(e, f"{op} a {tuple(x.shape)} tensor with ({', '.join(map(str, args))})") from None


def _reshape(x: torch.Tensor, op: str, args: tuple[int, ...]) -> torch.Tensor:
    if op in ("view", "reshape", "permute"):
        return getattr(x, op)(*args)
    if op == "resize_":
        return x.clone().resize_(*args)  # clone so the source stays readable next to it
    if op == "view_as":
        return x.view_as(torch.empty(args, dtype=x.dtype))
    if op == "transpose":
        return x.transpose(*args)
    if op in ("squeeze", "unsqueeze", "flatten"):
        return getattr(x, op)(*args)
    return x.contiguous()


def layout(t: torch.Tensor) -> dict[str, str]:
    """The memory-layout facts: shape, stride, offset, contiguity, storage address."""
    return {
        "shape": str(tuple(t.shape)),
        "stride()": str(t.stride()),
        "storage_offset()": str(t.storage_offset()),
        "is_contiguous()": str(t.is_contiguous()),
        "storage data_ptr": hex(t.untyped_storage().data_ptr()),
        "storage elements": str(t.untyped_storage().nbytes() // t.element_size()),
    }


def shares_storage(a: torch.Tensor, b: torch.Tensor) -> bool:
    """True when both tensors read the same memory block (a view, not a copy)."""
    return a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()


def storage_positions(t: torch.Tensor) -> torch.Tensor:
    """For each element, its index in the storage: offset + sum(index_k * stride_k)."""
    pos = torch.full(t.shape, t.storage_offset(), dtype=torch.long)
    for k, (size, stride) in enumerate(zip(t.shape, t.stride())):
        shape = [1] * t.dim()
        shape[k] = size
        pos = pos + torch.arange(size).reshape(shape) * stride  # (size,) -> broadcastable along dim k
    return pos


def reshape_code(shape: tuple[int, ...], transposed: bool, op: str, args: tuple[int, ...]) -> str:
    """Code that builds the source `x` and the result `y` of the reshaping op."""
    n, a = math.prod(shape), ", ".join(map(str, args))
    lines = ["import torch", "", f"x = torch.arange({n}).reshape({tuple(shape)})"]
    if transposed:
        lines.append("x = x.transpose(-2, -1)  # swaps strides only: x is no longer contiguous")
    call = {
        "resize_": f"y = x.clone().resize_({a})  # extra elements are uninitialised, missing ones dropped",
        "view_as": f"other = torch.empty(({a}{',' if len(args) == 1 else ''}), dtype=x.dtype)\ny = x.view_as(other)",
        "contiguous": "y = x.contiguous()  # copies only if x is not contiguous",
    }.get(op, f"y = x.{op}({a})")
    lines += call.split("\n") + [
        "",
        "for name, t in (('x', x), ('y', y)):",
        "    print(name, tuple(t.shape), 'stride', t.stride(), 'offset', t.storage_offset(),",
        "          'contiguous', t.is_contiguous())",
        "print('y shares storage with x:', y.untyped_storage().data_ptr() == x.untyped_storage().data_ptr())",
    ]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- 5. operations

ELEMENTWISE_OPS = ("+", "torch.add(a, b, out=out)", "*", "torch.mul", "-", "/")
REDUCTIONS = ("sum", "mean", "max", "min", "prod", "argmax", "std")


def operands(shape_a: tuple[int, ...], shape_b: tuple[int, ...]) -> tuple[torch.Tensor, torch.Tensor]:
    """Readable operands: a counts 1, 2, 3...; b counts in tens."""
    for s in (shape_a, shape_b):
        check_budget(s, torch.float32, 2**20)  # 1 MiB: these are teaching examples
    a = torch.arange(1, math.prod(shape_a) + 1, dtype=torch.float32).reshape(shape_a)  # (n,) -> shape_a
    b = torch.arange(1, math.prod(shape_b) + 1, dtype=torch.float32).reshape(shape_b) * 10  # (m,) -> shape_b
    return a, b


def broadcast_table(shape_a: tuple[int, ...], shape_b: tuple[int, ...]) -> list[dict[str, str]]:
    """One row per aligned dim (right to left, padded with 1s): sizes of a, b and the result."""
    rank = max(len(shape_a), len(shape_b))
    pa = (1,) * (rank - len(shape_a)) + tuple(shape_a)
    pb = (1,) * (rank - len(shape_b)) + tuple(shape_b)
    rows = []
    for k, (sa, sb) in enumerate(zip(pa, pb)):
        if sa != sb and 1 not in (sa, sb):
            raise ValueError(f"Shapes {tuple(shape_a)} and {tuple(shape_b)} cannot broadcast: at dim {k} "
                             f"(counting after padding on the left) the sizes {sa} and {sb} differ and neither is 1.")
        rule = "equal" if sa == sb else ("a stretched" if sa == 1 else "b stretched")
        rows.append({"dim": str(k), "a": _padded(k, rank - len(shape_a), sa), "b": _padded(k, rank - len(shape_b), sb),
                     "result": str(max(sa, sb) if 0 not in (sa, sb) else 0), "rule": rule})
    return rows


def _padded(k: int, pad: int, size: int) -> str:
    return f"(1)" if k < pad else str(size)


def elementwise(a: torch.Tensor, b: torch.Tensor, op: str) -> torch.Tensor:
    """a (op) b with broadcasting; `out=` writes into a pre-allocated tensor."""
    broadcast_table(tuple(a.shape), tuple(b.shape))  # raises the readable message first
    if op == "torch.add(a, b, out=out)":
        out = torch.empty(torch.broadcast_shapes(a.shape, b.shape))
        torch.add(a, b, out=out)
        return out
    fn = {"+": torch.add, "*": torch.mul, "torch.mul": torch.mul, "-": torch.sub, "/": torch.div}[op]
    return fn(a, b)


def elementwise_code(shape_a: tuple[int, ...], shape_b: tuple[int, ...], op: str) -> str:
    """Code for the element-wise / broadcasting example; the result is `y`."""
    lines = ["import torch", "",
             f"a = torch.arange(1, {math.prod(shape_a) + 1}, dtype=torch.float32).reshape({tuple(shape_a)})",
             f"b = torch.arange(1, {math.prod(shape_b) + 1}, dtype=torch.float32).reshape({tuple(shape_b)}) * 10",
             "print('broadcast shape:', torch.broadcast_shapes(a.shape, b.shape))"]
    if op == "torch.add(a, b, out=out)":
        lines += ["out = torch.empty(torch.broadcast_shapes(a.shape, b.shape))",
                  "torch.add(a, b, out=out)  # writes into out, no new allocation", "y = out"]
    elif op == "torch.mul":
        lines.append("y = torch.mul(a, b)")
    else:
        lines.append(f"y = a {op} b")
    return "\n".join(lines + ["print(y)"]) + "\n"


def matmul(shape_a: tuple[int, ...], shape_b: tuple[int, ...]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """a @ b for small integer-valued float operands; the shape rule is explained on failure."""
    a, b = operands(shape_a, shape_b)
    if a.dim() == 0 or b.dim() == 0:
        raise ValueError("Matrix products need at least 1-D tensors; use `*` for a scalar.")
    inner_a, inner_b = a.shape[-1], b.shape[0] if b.dim() == 1 else b.shape[-2]
    if inner_a != inner_b:
        raise ValueError(f"(…, n, k) @ (…, k, m): the last size of a ({inner_a}) must equal the "
                         f"{'only' if b.dim() == 1 else 'second-to-last'} size of b ({inner_b}).")
    try:
        return a, b, a @ b
    except RuntimeError as e:
        raise torch_error(e, "multiply these shapes") from None


def matmul_code(shape_a: tuple[int, ...], shape_b: tuple[int, ...]) -> str:
    """Code for the matrix-product example; the result is `y`."""
    return "\n".join([
        "import torch", "",
        f"a = torch.arange(1, {math.prod(shape_a) + 1}, dtype=torch.float32).reshape({tuple(shape_a)})",
        f"b = torch.arange(1, {math.prod(shape_b) + 1}, dtype=torch.float32).reshape({tuple(shape_b)}) * 10",
        "y = a @ b  # same as torch.matmul(a, b); torch.mm(a, b) for 2-D only",
        "print(y.shape)", "print(y)",
    ]) + "\n"


def reduce(x: torch.Tensor, op: str, dim: int | None, keepdim: bool) -> torch.Tensor:
    """A reduction over `dim` (None = all elements); max/min return only the values."""
    if op not in REDUCTIONS:
        raise ValueError(f"Unknown reduction {op!r}.")
    try:
        if dim is None:
            return getattr(x, op)()
        result = getattr(x, op)(dim=dim, keepdim=keepdim)
    except (IndexError, RuntimeError) as e:
        raise torch_error(e, f"{op} over dim {dim}") from None
    return result.values if op in ("max", "min") else result


def reduce_code(shape: tuple[int, ...], op: str, dim: int | None, keepdim: bool) -> str:
    """Code for the reduction example; the result is `y`."""
    call = f"x.{op}()" if dim is None else f"x.{op}(dim={dim}, keepdim={keepdim})"
    if dim is not None and op in ("max", "min"):
        call += ".values  # max/min over a dim also return .indices"
    return "\n".join([
        "import torch", "",
        f"x = torch.arange(1, {math.prod(shape) + 1}, dtype=torch.float32).reshape({tuple(shape)})",
        f"y = {call}", "print(y.shape)", "print(y)",
    ]) + "\n"


def inplace_demo(value: float) -> dict[str, object]:
    """`x.add_(v)` changes x in place (same memory); `x + v` makes a new tensor."""
    x = torch.arange(6, dtype=torch.float32).reshape(2, 3)
    before_ptr = x.data_ptr()
    y = x + value            # out of place: a new tensor
    returned = x.add_(value)  # trailing underscore: modifies x and returns x itself
    return {"x": x, "y": y, "same_memory_after_add_": x.data_ptr() == before_ptr,
            "add_returns_x": returned is x, "y_is_new": y.data_ptr() != x.data_ptr()}


def inplace_code(value: float) -> str:
    """Code for the in-place example; `x` is the modified tensor."""
    return "\n".join([
        "import torch", "",
        "x = torch.arange(6, dtype=torch.float32).reshape(2, 3)",
        "ptr = x.data_ptr()",
        f"y = x + {value!r}  # out of place: new memory",
        f"x.add_({value!r})  # in place: the trailing _ means 'modify x'",
        "print(x)", "print('same memory:', x.data_ptr() == ptr, '| y is new:', y.data_ptr() != x.data_ptr())",
    ]) + "\n"


def promotion(dtype_a: str, dtype_b: str, b_is_scalar: bool) -> dict[str, str]:
    """`torch.result_type` of a tensor with another tensor or with a Python scalar."""
    a = torch.ones(2, dtype=dtype_of(dtype_a))
    b = _python_scalar(dtype_b) if b_is_scalar else torch.ones(2, dtype=dtype_of(dtype_b))
    result = torch.result_type(a, b)
    return {"a": f"tensor of {dtype_a}", "b": f"Python {type(b).__name__} {b!r}" if b_is_scalar else f"tensor of {dtype_b}",
            "result_type": str(result).removeprefix("torch."), "a + b dtype": str((a + b).dtype).removeprefix("torch.")}


def _python_scalar(dtype_name: str) -> bool | int | float:
    """The Python scalar kind matching a dtype: bool, int or float."""
    if dtype_name == "bool":
        return True
    return 2.5 if dtype_of(dtype_name).is_floating_point else 2


def promotion_code(dtype_a: str, dtype_b: str, b_is_scalar: bool) -> str:
    """Code for the type-promotion example."""
    b = repr(_python_scalar(dtype_b)) if b_is_scalar else f"torch.ones(2, dtype=torch.{dtype_b})"
    return "\n".join([
        "import torch", "", f"a = torch.ones(2, dtype=torch.{dtype_a})", f"b = {b}",
        "print(torch.result_type(a, b))  # the dtype a + b will have", "y = a + b", "print(y.dtype)",
    ]) + "\n"


OVERFLOW_EXAMPLES: dict[str, tuple[str, float, float]] = {
    "int8: 127 + 1": ("int8", 127, 1),
    "uint8: 0 - 1": ("uint8", 0, -1),
    "int16: 32767 + 1": ("int16", 32767, 1),
    "float16: 2048 + 1": ("float16", 2048, 1),
    "float16: 0.1 + 0.2": ("float16", 0.1, 0.2),
    "bfloat16: 256 + 1": ("bfloat16", 256, 1),
    "float32: 16777216 + 1": ("float32", 16777216, 1),
}


def overflow(dtype: str, value: float, step: float) -> dict[str, str]:
    """value + step computed in `dtype` next to the exact answer."""
    dt = dtype_of(dtype)
    x = torch.tensor(value, dtype=dt)
    result = x + torch.tensor(step, dtype=dt)
    return {"dtype": dtype, "stored value": _fmt(x.item()), "step": _fmt(step),
            "torch result": _fmt(result.item()), "exact result": _fmt(value + step),
            "equal": str(math.isclose(result.item(), value + step, rel_tol=0, abs_tol=1e-12))}


def overflow_code(dtype: str, value: float, step: float) -> str:
    """Code for the overflow / rounding example; the result is `y`."""
    return "\n".join([
        "import torch", "", f"x = torch.tensor({value!r}, dtype=torch.{dtype})",
        f"y = x + torch.tensor({step!r}, dtype=torch.{dtype})", "print(x.item(), '+', " + repr(step) + ", '=', y.item())",
        f"print('exact:', {value!r} + {step!r})",
    ]) + "\n"


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:.10g}"


# ---------------------------------------------------------------- 6. NumPy bridge

@dataclass
class Bridge:
    """The NumPy array and the three tensors made from it, after the user's edits."""

    array: np.ndarray
    shared: torch.Tensor   # torch.from_numpy(array): same memory
    copied: torch.Tensor   # torch.tensor(array): a copy
    moved: torch.Tensor    # shared.to(device): a copy unless device is the CPU


def bridge(rows: int, cols: int, numpy_edits: list[tuple[int, int, float]],
           tensor_edit: tuple[int, int, float] | None, device: torch.device) -> Bridge:
    """Apply edits to the NumPy array, then to the tensor, and see who notices."""
    check_budget((rows, cols), torch.float32, 2**20)
    array = np.arange(rows * cols, dtype=np.float32).reshape(rows, cols)
    shared = torch.from_numpy(array)
    copied = torch.tensor(array)
    moved = shared.to(device)
    for r, c, v in numpy_edits:
        _check_cell(r, c, rows, cols)
        array[r, c] = v       # NumPy writes; `shared` sees it, `copied` does not
    if tensor_edit is not None:
        r, c, v = tensor_edit
        _check_cell(r, c, rows, cols)
        shared[r, c] = v      # torch writes; `array` sees it
    return Bridge(array, shared, copied, moved)


def cell_edits(base: np.ndarray, edited: np.ndarray) -> list[tuple[int, int, float]]:
    """The (row, col, new value) cells where a user's edited copy differs from `base`."""
    if edited.shape != base.shape:
        raise ValueError(f"The edited table has shape {edited.shape}, expected {base.shape}.")
    try:
        values = edited.astype(np.float64)
    except (TypeError, ValueError):
        raise ValueError("Every cell must hold a number.") from None
    if np.isnan(values).any():
        raise ValueError("A cell was left empty: every cell must hold a number.")
    rows, cols = np.nonzero(values != base)
    return [(int(r), int(c), float(values[r, c])) for r, c in zip(rows, cols)]


def _check_cell(r: int, c: int, rows: int, cols: int) -> None:
    if not (0 <= r < rows and 0 <= c < cols):
        raise ValueError(f"Cell ({r}, {c}) is outside the {rows} x {cols} array.")


def bridge_code(rows: int, cols: int, numpy_edits: list[tuple[int, int, float]],
                tensor_edit: tuple[int, int, float] | None, device: str = "cpu") -> str:
    """Code for the NumPy-bridge demo; `shared`, `copied`, `moved` and `array` as on the page."""
    lines = ["import numpy as np", "import torch", "",
             f"array = np.arange({rows * cols}, dtype=np.float32).reshape({rows}, {cols})",
             "shared = torch.from_numpy(array)  # same memory as array",
             "copied = torch.tensor(array)      # a copy",
             f'moved = shared.to("{device}")  # a copy on another device; the same tensor on cpu', ""]
    lines += [f"array[{r}, {c}] = {v!r}  # edit NumPy" for r, c, v in numpy_edits]
    if tensor_edit is not None:
        r, c, v = tensor_edit
        lines.append(f"shared[{r}, {c}] = {v!r}  # edit the tensor")
    lines += ["", "print('array', array, sep='\\n')", "print('shared', shared, sep='\\n')",
              "print('copied', copied, sep='\\n')", "print('moved', moved, sep='\\n')"]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- 7. CPU vs accelerator

@dataclass(frozen=True)
class Timing:
    """One measured matrix product."""

    device: str
    n: int
    seconds: float

    @property
    def gflops(self) -> float:
        return 2 * self.n**3 / self.seconds / 1e9  # an n x n @ n x n product costs 2n^3 flops


def matmul_inputs(n: int, device: torch.device, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Two seeded random n x n float32 matrices on `device` (drawn on CPU: same on every device)."""
    check_budget((3, n, n), torch.float32, 3 * CONFIG.timing_choices[-1] ** 2 * 4)
    g = torch.Generator().manual_seed(seed)
    a = torch.randn(n, n, generator=g)
    b = torch.randn(n, n, generator=g)
    return a.to(device), b.to(device)


def time_matmul(n: int, device: torch.device, repeats: int = CONFIG.timing_repeats, warmup: int = 2,
                min_seconds: float = 0.005) -> float:
    """Median seconds of one `a @ b` (n x n) on `device`, after warm-up, synchronising around each batch.

    Small products take microseconds, less than the clock's noise: each measurement runs the
    product enough times to last about `min_seconds` and divides.
    """
    a, b = matmul_inputs(n, device)
    for _ in range(warmup):  # first calls pay for kernel selection, caches, lazy init
        a @ b
    synchronize(device)
    inner = max(1, int(min_seconds / max(_batch_seconds(a, b, device, 1), 1e-7)))
    return statistics.median(_batch_seconds(a, b, device, inner) / inner for _ in range(max(1, repeats)))


def _batch_seconds(a: torch.Tensor, b: torch.Tensor, device: torch.device, count: int) -> float:
    start = time.perf_counter()
    for _ in range(count):
        a @ b
    synchronize(device)  # GPU calls return before the work is done: wait for it
    return time.perf_counter() - start


def timing_curve(sizes: tuple[int, ...], devices: list[torch.device], repeats: int = CONFIG.timing_repeats):
    """Yield one `Timing` per (device, size), so the page can show progress."""
    for device in devices:
        for n in sizes:
            yield Timing(str(device), n, time_matmul(n, device, repeats))


def crossover(timings: list[Timing], accelerator: str) -> int | None:
    """Smallest size at which the accelerator beat the CPU (None if it never did)."""
    cpu = {t.n: t.seconds for t in timings if t.device == "cpu"}
    for t in sorted((t for t in timings if t.device == accelerator), key=lambda t: t.n):
        if t.n in cpu and t.seconds < cpu[t.n]:
            return t.n
    return None


def timing_code(sizes: tuple[int, ...], device: str, repeats: int = CONFIG.timing_repeats) -> str:
    """A standalone timing script; `y` is the last product (on the last device timed)."""
    return _TIMING_SCRIPT.format(repeats=repeats, device=device, sizes=tuple(sizes))


_TIMING_SCRIPT = '''import statistics
import time

import torch


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)  # kernels run asynchronously: wait before reading the clock
    elif device.type == "mps":
        torch.mps.synchronize()


def batch_seconds(a, b, device, count):
    start = time.perf_counter()
    for _ in range(count):
        a @ b
    sync(device)
    return time.perf_counter() - start


def time_matmul(n, device, repeats={repeats}, warmup=2, min_seconds=0.005):
    g = torch.Generator().manual_seed(0)
    a = torch.randn(n, n, generator=g).to(device)
    b = torch.randn(n, n, generator=g).to(device)
    for _ in range(warmup):  # the first calls pay for kernel selection and lazy init
        a @ b
    sync(device)
    inner = max(1, int(min_seconds / max(batch_seconds(a, b, device, 1), 1e-7)))  # tiny products: repeat
    times = [batch_seconds(a, b, device, inner) / inner for _ in range(repeats)]
    return statistics.median(times), a @ b


devices = [torch.device("cpu")] + ([torch.device("{device}")] if "{device}" != "cpu" else [])
for device in devices:
    for n in {sizes!r}:
        seconds, y = time_matmul(n, device)
        print(f"{{device}} n={{n}}: {{seconds * 1e3:.3f}} ms, {{2 * n**3 / seconds / 1e9:.1f}} GFLOP/s")
y = y.cpu()
'''
