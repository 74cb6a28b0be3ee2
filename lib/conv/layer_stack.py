"""The layer-stack shape calculator: a table of layers -> each layer's output shape, parameters, receptive field.

Rows are plain dicts (what `st.data_editor` gives back) with the keys of `COLUMNS`.
The first layer that does not fit is flagged with the fix, and nothing after it is computed.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from torch import nn

from lib.conv.shapes import output_size

LAYER_TYPES = ("Conv2d", "MaxPool2d", "AvgPool2d", "ReLU", "Flatten", "Linear")
COLUMNS = ("layer", "in", "out", "kernel", "stride", "padding")
# `in` is in_channels / in_features as the user typed them: left empty, it is inferred
# smallest value each number column accepts (stride 0 is allowed in the table so its error can be shown)
COLUMN_MIN = {"in": 1, "out": 1, "kernel": 1, "stride": 0, "padding": 0}


def layer_row(layer: str, in_: int | None = None, out: int | None = None, kernel: int | None = None,
              stride: int | None = None, padding: int | None = None) -> dict:
    """One table row as the data editor gives it back; None = an empty cell."""
    return dict(zip(COLUMNS, (layer, in_, out, kernel, stride, padding)))


# The LeNet of the classic "Neural Networks" tutorial: 1x32x32 -> ... -> 16*5*5=400 -> 120 -> 84 -> 10
LENET = [
    layer_row("Conv2d", 1, 6, 5, 1, 0), layer_row("ReLU"), layer_row("MaxPool2d", kernel=2, stride=2),
    layer_row("Conv2d", 6, 16, 5, 1, 0), layer_row("ReLU"), layer_row("MaxPool2d", kernel=2, stride=2),
    layer_row("Flatten"), layer_row("Linear", 400, 120), layer_row("ReLU"), layer_row("Linear", 120, 84),
    layer_row("ReLU"), layer_row("Linear", 84, 10),
]
# The CIFAR-10 CNN of the classic case study: three conv+pool blocks, 64*4*4=1024 -> 512 -> 10
CIFAR_CNN = [
    row for c_in, c_out in ((3, 16), (16, 32), (32, 64))
    for row in (layer_row("Conv2d", c_in, c_out, 3, 1, 1), layer_row("ReLU"),
                layer_row("MaxPool2d", kernel=2, stride=2))
] + [layer_row("Flatten"), layer_row("Linear", 1024, 512), layer_row("ReLU"), layer_row("Linear", 512, 10)]

PRESETS: dict[str, tuple[tuple[int, int, int], list[dict]]] = {
    "LeNet (1x32x32)": ((1, 32, 32), LENET),
    "CIFAR-10 CNN (3x32x32)": ((3, 32, 32), CIFAR_CNN),
}


@dataclass(frozen=True)
class LayerResult:
    """One row of the calculator's answer."""

    index: int
    layer: str
    out_shape: tuple[int, ...] | None   # without the batch dimension
    params: int
    receptive_field: str               # e.g. "5x5", or "whole input" after Flatten
    error: str = ""                    # why this layer breaks, with the fix


@dataclass(frozen=True)
class _State:
    shape: tuple[int, ...]
    rf: int      # receptive field of one output cell, in input pixels (per side)
    jump: int    # distance in input pixels between neighbouring output cells
    flat: bool   # after Flatten, every feature sees the whole input


def _int(row: dict, key: str, default: int | None = None) -> int | None:
    """A table cell as int; empty cells (None/NaN/'') give the default."""
    value = row.get(key)
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValueError(f"{key} must be a whole number, not {value!r}.") from None


def _need(value: int | None, what: str, layer: str) -> int:
    if value is None or value < 1:
        raise ValueError(f"{layer} needs {what} (a whole number >= 1).")
    return value


def _conv_like(row: dict, state: _State) -> tuple[_State, int]:
    """Conv2d / MaxPool2d / AvgPool2d on a (C, H, W) shape: new state and parameter count."""
    layer = row["layer"]
    if len(state.shape) != 3:
        raise ValueError(f"{layer} needs a (C, H, W) input but gets {state.shape}; put it before Flatten.")
    c, h, w = state.shape
    k = _need(_int(row, "kernel"), "a kernel size", layer)
    stride = _int(row, "stride", 1 if layer == "Conv2d" else k)  # pooling's stride defaults to its kernel
    padding = _int(row, "padding", 0)
    if stride is not None and stride < 1:
        raise ValueError(f"stride must be at least 1 (got {stride}).")
    params, c_out = 0, c
    if layer == "Conv2d":
        c_in = _int(row, "in", c)
        if c_in != c:
            raise ValueError(f"in_channels is {c_in} but the input has {c} channels: set in to {c}.")
        c_out = _need(_int(row, "out"), "out (the number of output channels)", layer)
        params = c_out * c * k * k + c_out
    elif padding > k // 2:
        raise ValueError(f"pooling padding can be at most half the kernel ({k // 2}).")
    try:
        h_out = output_size(h, k, stride, padding)
        w_out = output_size(w, k, stride, padding)
    except ValueError as e:
        raise ValueError(f"{e} (kernel {k} on a {h}x{w} input)") from None
    rf = state.rf + (k - 1) * state.jump
    return _State((c_out, h_out, w_out), rf, state.jump * stride, False), params


def _linear(row: dict, state: _State) -> tuple[_State, int]:
    """Linear on a flat shape; a wrong in_features is reported with the right one."""
    if len(state.shape) != 1:
        fix = math.prod(state.shape)
        raise ValueError(f"Linear needs a flat input but gets {state.shape}: add a Flatten before it "
                         f"(it gives {' * '.join(map(str, state.shape))} = {fix} features).")
    n = state.shape[0]
    n_in = _int(row, "in", n)
    if n_in != n:
        raise ValueError(f"in_features is {n_in} but the previous layer gives {n} features: set in to {n}.")
    n_out = _need(_int(row, "out"), "out (out_features)", "Linear")
    return _State((n_out,), state.rf, state.jump, True), n * n_out + n_out


def _step(row: dict, state: _State) -> tuple[_State, int]:
    layer = row.get("layer")
    if layer in ("Conv2d", "MaxPool2d", "AvgPool2d"):
        return _conv_like(row, state)
    if layer == "ReLU":
        return state, 0
    if layer == "Flatten":
        return _State((math.prod(state.shape),), state.rf, state.jump, True), 0
    if layer == "Linear":
        return _linear(row, state)
    raise ValueError(f"Unknown layer {layer!r}; choose one of {', '.join(LAYER_TYPES)}.")


def _rf_text(state: _State) -> str:
    return "whole input" if state.flat else f"{state.rf}x{state.rf}"


def analyse(rows: list[dict], input_shape: tuple[int, int, int]) -> list[LayerResult]:
    """Each layer's output shape, parameters and receptive field; stops at the first layer that breaks."""
    if any(n < 1 for n in input_shape):
        raise ValueError(f"The input shape {input_shape} must have positive sizes.")
    state = _State(tuple(input_shape), 1, 1, False)
    results = []
    for i, row in enumerate(r for r in rows if r.get("layer")):
        try:
            state, params = _step(row, state)
        except ValueError as e:
            results.append(LayerResult(i, str(row.get("layer")), None, 0, "", str(e)))
            break
        results.append(LayerResult(i, row["layer"], state.shape, params, _rf_text(state)))
    return results


def total_params(results: list[LayerResult]) -> int:
    """Learnable parameters of all the layers that fit."""
    return sum(r.params for r in results)


def _module_spec(row: dict, shape: tuple[int, ...]) -> tuple[str, dict[str, int]]:
    """(nn class name, keyword arguments) for one valid row, given its input shape."""
    layer = row["layer"]
    k, stride, padding = _int(row, "kernel"), _int(row, "stride"), _int(row, "padding", 0)
    if layer == "Conv2d":
        return layer, {"in_channels": shape[0], "out_channels": _int(row, "out"), "kernel_size": k,
                       "stride": stride or 1, "padding": padding}
    if layer in ("MaxPool2d", "AvgPool2d"):
        return layer, {"kernel_size": k, "stride": stride or k, "padding": padding}
    if layer == "Linear":
        return layer, {"in_features": shape[0], "out_features": _int(row, "out")}
    return layer, {}


def module_specs(rows: list[dict], input_shape: tuple[int, int, int]) -> list[tuple[str, dict[str, int]]]:
    """Constructors of the layers that fit (those before the first error)."""
    results = analyse(rows, input_shape)
    shapes = [tuple(input_shape)] + [r.out_shape for r in results]
    valid = [r for r in rows if r.get("layer")]
    return [_module_spec(valid[i], shapes[i]) for i, r in enumerate(results) if not r.error]


def build_model(rows: list[dict], input_shape: tuple[int, int, int]) -> nn.Sequential:
    """A real `nn.Sequential` of the valid layers (for checking the calculator against PyTorch)."""
    return nn.Sequential(*[getattr(nn, name)(**kwargs) for name, kwargs in module_specs(rows, input_shape)])
