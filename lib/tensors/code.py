"""The code panels of the tensor page: each function returns a standalone script for the current settings.

Every script reproduces what the page shows and names its result the way the tests read it back
(`x`, `y`, ...); tests/unit/tensors/test_tensors_code.py runs each one and compares.
"""
from __future__ import annotations

import math

from lib.tensors.create import RANDOM_FACTORIES, CreateSpec
from lib.tensors.promotion import python_scalar
from lib.tensors.ranks import BATCH, FRAMES, image_size
from lib.tensors.timing import REPEATS


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


def rank_code(rank: int, image_path: str, side: int, size: tuple[int, int], batch: int = BATCH,
              frames: int = FRAMES, crop_box: tuple[int, int, int, int] | None = None) -> str:
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


def index_code(shape: tuple[int, ...], index: str) -> str:
    """Code for the indexing section: `x` is the source, `y = x<index>`."""
    return "\n".join([
        "import torch", "", f"x = torch.arange({math.prod(shape)}).reshape({tuple(shape)})",
        f"y = x{index}", "print(y.shape)", "print(y)",
        "print('view of x:', y.untyped_storage().data_ptr() == x.untyped_storage().data_ptr())",
    ]) + "\n"


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


def matmul_code(shape_a: tuple[int, ...], shape_b: tuple[int, ...]) -> str:
    """Code for the matrix-product example; the result is `y`."""
    return "\n".join([
        "import torch", "",
        f"a = torch.arange(1, {math.prod(shape_a) + 1}, dtype=torch.float32).reshape({tuple(shape_a)})",
        f"b = torch.arange(1, {math.prod(shape_b) + 1}, dtype=torch.float32).reshape({tuple(shape_b)}) * 10",
        "y = a @ b  # same as torch.matmul(a, b); torch.mm(a, b) for 2-D only",
        "print(y.shape)", "print(y)",
    ]) + "\n"


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


def promotion_code(dtype_a: str, dtype_b: str, b_kind: str = "tensor") -> str:
    """Code for the type-promotion example; `y = a + b`, and `rule` is what `torch.promote_types` says."""
    b = {"scalar": repr(python_scalar(dtype_b)), "zero_dim": f"torch.ones((), dtype=torch.{dtype_b})  # 0-dim"}.get(
        b_kind, f"torch.ones(2, dtype=torch.{dtype_b})")
    return "\n".join([
        "import torch", "", f"a = torch.ones(2, dtype=torch.{dtype_a})", f"b = {b}",
        "print(torch.result_type(a, b))  # the dtype a + b will have", "y = a + b", "print(y.dtype)",
        "",
        "# between dimensioned tensors of one category: the smallest dtype that holds both",
        "rule = torch.promote_types(torch.uint8, torch.int8)",
        "print('uint8 with int8 ->', rule)  # neither operand's type",
    ]) + "\n"


def overflow_code(dtype: str, value: float, step: float) -> str:
    """Code for the overflow / rounding example; the result is `y`."""
    return "\n".join([
        "import torch", "", f"x = torch.tensor({value!r}, dtype=torch.{dtype})",
        f"y = x + torch.tensor({step!r}, dtype=torch.{dtype})", "print(x.item(), '+', " + repr(step) + ", '=', y.item())",
        f"print('exact:', {value!r} + {step!r})",
    ]) + "\n"


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


def timing_code(sizes: tuple[int, ...], device: str, repeats: int = REPEATS) -> str:
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
