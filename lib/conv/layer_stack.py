"""The layer-stack shape calculator: a table of layers -> each layer's output shape, parameters, receptive field.

Rows are plain dicts (what `st.data_editor` gives back) with the keys of `COLUMNS`.
The first layer that does not fit is flagged with the fix, and nothing after it is computed.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from torch import nn

from lib.common.messages import N_, LearnerError, Message
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

PRESETS: dict[str, tuple[tuple[int, int, int], list[dict]]] = {  # by id (in links): (input shape, rows)
    "lenet": ((1, 32, 32), LENET),
    "cifar": ((3, 32, 32), CIFAR_CNN),
}
PRESET_LABELS = {"lenet": N_("LeNet (1x32x32)"), "cifar": N_("CIFAR-10 CNN (3x32x32)")}
MAX_ROWS = 40  # a table from a link longer than any network one would type by hand is refused


@dataclass(frozen=True)
class LayerResult:
    """One row of the calculator's answer."""

    index: int
    layer: str
    out_shape: tuple[int, ...] | None   # without the batch dimension
    params: int
    receptive_field: str               # e.g. "5x5", or "whole input" after Flatten
    error: str = ""                    # why this layer breaks, with the fix (a translatable Message)


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
        raise LearnerError("{key} must be a whole number, not {value}.", key=key, value=repr(value)) from None


def _need(value: int | None, what: str, layer: str) -> int:
    if value is None or value < 1:
        raise LearnerError("{layer} needs {what} (a whole number >= 1).", layer=layer, what=what)
    return value


def _conv_like(row: dict, state: _State) -> tuple[_State, int]:
    """Conv2d / MaxPool2d / AvgPool2d on a (C, H, W) shape: new state and parameter count."""
    layer = row["layer"]
    if len(state.shape) != 3:
        raise LearnerError("{layer} needs a (C, H, W) input but gets {shape}; put it before Flatten.", layer=layer,
                           shape=state.shape)
    c, h, w = state.shape
    k = _need(_int(row, "kernel"), Message("a kernel size"), layer)
    stride = _int(row, "stride", 1 if layer == "Conv2d" else k)  # pooling's stride defaults to its kernel
    padding = _int(row, "padding", 0)
    if stride is not None and stride < 1:
        raise LearnerError("stride must be at least 1 (got {stride}).", stride=stride)
    params, c_out = 0, c
    if layer == "Conv2d":
        c_in = _int(row, "in", c)
        if c_in != c:
            raise LearnerError("in_channels is {c_in} but the input has {c} channels: set in to {c}.", c_in=c_in, c=c)
        c_out = _need(_int(row, "out"), Message("out (the number of output channels)"), layer)
        params = c_out * c * k * k + c_out
    elif padding > k // 2:
        raise LearnerError("pooling padding can be at most half the kernel ({most}).", most=k // 2)
    try:
        h_out = output_size(h, k, stride, padding)
        w_out = output_size(w, k, stride, padding)
    except ValueError as e:
        raise LearnerError("{reason} (kernel {k} on a {h}x{w} input)", reason=e.args[0], k=k, h=h, w=w) from None
    rf = state.rf + (k - 1) * state.jump
    return _State((c_out, h_out, w_out), rf, state.jump * stride, False), params


def _linear(row: dict, state: _State) -> tuple[_State, int]:
    """Linear on a flat shape; a wrong in_features is reported with the right one."""
    if len(state.shape) != 1:
        fix = math.prod(state.shape)
        raise LearnerError("Linear needs a flat input but gets {shape}: add a Flatten before it (it gives "
                           "{product} = {fix} features).", shape=state.shape,
                           product=" * ".join(map(str, state.shape)), fix=fix)
    n = state.shape[0]
    n_in = _int(row, "in", n)
    if n_in != n:
        raise LearnerError("in_features is {n_in} but the previous layer gives {n} features: set in to {n}.",
                           n_in=n_in, n=n)
    n_out = _need(_int(row, "out"), Message("out (out_features)"), "Linear")
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
    raise LearnerError("Unknown layer {layer}; choose one of {types}.", layer=repr(layer), types=", ".join(LAYER_TYPES))


def _rf_text(state: _State) -> str:
    return Message("whole input") if state.flat else f"{state.rf}x{state.rf}"


def analyse(rows: list[dict], input_shape: tuple[int, int, int]) -> list[LayerResult]:
    """Each layer's output shape, parameters and receptive field; stops at the first layer that breaks."""
    if any(n < 1 for n in input_shape):
        raise LearnerError("The input shape {shape} must have positive sizes.", shape=input_shape)
    state = _State(tuple(input_shape), 1, 1, False)
    results = []
    for i, row in enumerate(r for r in rows if r.get("layer")):
        try:
            state, params = _step(row, state)
        except ValueError as e:
            results.append(LayerResult(i, str(row.get("layer")), None, 0, "", e.args[0]))
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


# ----------------------------------------------------------------------------- the table in a link

def rows_to_link(rows: list[dict]) -> list[list]:
    """Table rows as plain lists in COLUMNS order (what a link packs); empty rows left out."""
    return [[r.get("layer")] + [_int(r, c) for c in COLUMNS[1:]] for r in rows if r.get("layer")]


def rows_from_link(data: object) -> list[dict]:
    """The inverse of `rows_to_link`, checked cell by cell: a link is user input."""
    if not isinstance(data, list) or not data or len(data) > MAX_ROWS:
        raise LearnerError("not a table of 1 to {most} layers", most=MAX_ROWS)
    rows = []
    for cells in data:
        if not isinstance(cells, list) or len(cells) != len(COLUMNS) or cells[0] not in LAYER_TYPES:
            raise LearnerError("a row is not one of the layer types with its five numbers")
        numbers = cells[1:]
        if not all(v is None or (type(v) is int and 0 <= v <= 100_000) for v in numbers):
            raise LearnerError("a cell is not a whole number from 0 to 100000")
        rows.append(layer_row(*cells))
    return rows
