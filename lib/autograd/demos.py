"""Small live demos of autograd's behaviour, each returning the real values (their code: `code.py`)."""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from lib.common.device import seeded_rng
from lib.common.messages import LearnerError, N_
from lib.common.settings import setting


@dataclass(frozen=True)
class DemoConfig:
    """Defaults of the behaviour demos (the page reads them)."""

    a_requires_grad: bool = setting(True, param="da")
    b_requires_grad: bool = setting(False, param="db")  # one of each: shows the "any input" rule at once
    backward_calls: int = setting(3, lo=1, hi=6, step=1, param="calls")  # enough calls to see 4, 8, 12 pile up
    zero_between: bool = setting(False, param="zero")
    retain_graph: bool = setting(False, param="retain")  # the default: the second backward fails, as in real code
    gradient_weights: str = setting("1, 1, 1", param="v")  # torch.ones_like(x): the gradient of y.sum()
    freeze_first: bool = setting(True, param="freeze")
    lr: float = 0.1
    seed: int = 0


def _fn_name(t: torch.Tensor) -> str:
    return "None" if t.grad_fn is None else type(t.grad_fn).__name__


def propagation(a_requires: bool, b_requires: bool, device: torch.device) -> list[dict]:
    """requires_grad of results: True when any input requires grad."""
    a = torch.tensor(2.0, device=device, requires_grad=a_requires)
    b = torch.tensor(3.0, device=device, requires_grad=b_requires)
    tensors = {"a": a, "b": b, "c = a * b": a * b, "d = b * 2": b * 2, "e = c + d": a * b + b * 2}
    return [{"tensor": k, "requires_grad": t.requires_grad, "is_leaf": t.is_leaf, "grad_fn": _fn_name(t)}
            for k, t in tensors.items()]


def accumulation(calls: int, zero_between: bool, device: torch.device) -> list[dict]:
    """x.grad after each of `calls` backward passes of y = x**2 at x = 2 (accumulates unless zeroed)."""
    x = torch.tensor(2.0, device=device, requires_grad=True)
    rows = []
    for i in range(1, calls + 1):
        if zero_between and x.grad is not None:
            x.grad = None  # what optimizer.zero_grad() does by default (set_to_none=True)
        (x**2).backward()  # a fresh graph each time, so no retain_graph needed
        rows.append({"call": i, "x.grad": x.grad.item()})
    return rows


@dataclass(frozen=True)
class RetainResult:
    first_grad: float
    second_grad: float | None  # None when the second backward raised
    error: str                 # PyTorch's own message ("" when it worked)


def retain_graph(retain: bool, device: torch.device) -> RetainResult:
    """Backward twice through one graph: fails unless the first call kept its saved tensors."""
    x = torch.tensor(2.0, device=device, requires_grad=True)
    y = torch.exp(x) * x  # exp and * save tensors for backward; they are freed after backward()
    y.backward(retain_graph=retain)
    first = x.grad.item()
    try:
        y.backward()
    except RuntimeError as exc:
        return RetainResult(first, None, str(exc))
    return RetainResult(first, x.grad.item(), "")


def parse_weights(text: str) -> list[float]:
    """Three numbers for the `gradient` argument, e.g. `1, 1, 1`."""
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        raise LearnerError("`{text}` is not a list of numbers: write three numbers like `1, 0.5, 0`.",
                           text=text.replace("`", "'")) from None
    if len(values) != 3:
        raise LearnerError("The gradient must have the shape of y, (3,): you gave {n} numbers.", n=len(values))
    if not all(math.isfinite(v) for v in values):
        raise LearnerError("`{text}`: the weights must be finite numbers (no inf or nan).", text=text.replace("`", "'"))
    return values


@dataclass(frozen=True)
class GradientResult:
    error: str          # y.backward() on a vector: PyTorch's message
    grad: list[float]   # x.grad after y.backward(gradient=v): v * 2x


def backward_gradient(weights: list[float], device: torch.device) -> GradientResult:
    """y = x**2 for x = [1, 2, 3]: no implicit gradient for a vector; with `gradient=v`, x.grad = v * 2x."""
    x = torch.tensor([1.0, 2.0, 3.0], device=device, requires_grad=True)
    y = x**2
    try:
        y.backward(retain_graph=True)
        error = ""
    except RuntimeError as exc:
        error = str(exc)
    y.backward(gradient=torch.tensor(weights, device=device))
    return GradientResult(error, x.grad.tolist())


_MODES = (N_("normal"), "torch.no_grad()", "torch.inference_mode()", "torch.set_grad_enabled(False)",
          "x.detach()", "x2.requires_grad_(False)")


def _mode_result(mode: str, x: torch.Tensor) -> torch.Tensor:
    if mode == "torch.no_grad()":
        with torch.no_grad():
            return x * 2
    if mode == "torch.inference_mode()":
        with torch.inference_mode():
            return x * 2
    if mode == "torch.set_grad_enabled(False)":
        with torch.set_grad_enabled(False):
            return x * 2
    if mode == "x.detach()":
        return x.detach() * 2
    if mode == "x2.requires_grad_(False)":
        return x.clone().detach().requires_grad_(False) * 2  # only leaves may switch it off
    return x * 2


# Shown in the table (translated by the page). The inference_mode note is checked against `inference_tensor`.
_MODE_NOTES = {
    "normal": N_("recorded: y can be backpropagated to x"),
    "torch.no_grad()": N_("nothing recorded inside the block; use for evaluation and manual weight updates"),
    "torch.inference_mode()": N_("like no_grad, faster; y is an inference tensor: it may join a graph later as an "
                                 "input (w + y backpropagates), but no operation may save it for backward (w * y "
                                 "fails)"),
    "torch.set_grad_enabled(False)": N_("no_grad with a switch: set_grad_enabled(is_training) in one loop"),
    "x.detach()": N_("a view of x's data outside the graph (shares memory: in-place edits show in x)"),
    "x2.requires_grad_(False)": N_("switches a LEAF off in place: how you freeze parameters"),
}


def grad_modes(device: torch.device) -> list[dict]:
    """y = x * 2 under each way of turning gradient tracking off, side by side."""
    rows = []
    for mode in _MODES:
        x = torch.ones(3, device=device, requires_grad=True)
        y = _mode_result(mode, x)
        rows.append({"way": mode, "y.requires_grad": y.requires_grad, "y.grad_fn": _fn_name(y),
                     "y.is_inference()": y.is_inference(), "note": _MODE_NOTES[mode]})
    return rows


@dataclass(frozen=True)
class InferenceResult:
    add_grad: list[float]  # w.grad after (w + y).sum().backward(): ones, the inference tensor joined the graph
    mul_error: str         # PyTorch's message for w * y, which must save y for w's gradient ("" if it worked)


def inference_tensor(device: torch.device) -> InferenceResult:
    """An inference-mode tensor y used later with a tracked w: `w + y` backpropagates, `w * y` cannot.

    Addition's backward needs none of its inputs, so y only flows forward; multiplication must save y
    (d(w*y)/dw = y), and inference tensors cannot be saved for backward.
    """
    with torch.inference_mode():
        y = torch.full((3,), 2.0, device=device)
    w = torch.ones(3, device=device, requires_grad=True)
    (w + y).sum().backward()
    add_grad = w.grad.tolist()
    try:
        (w * y).sum().backward()
    except RuntimeError as exc:
        return InferenceResult(add_grad, str(exc))
    return InferenceResult(add_grad, "")


def _small_net(seed: int, device: torch.device) -> nn.Sequential:
    with seeded_rng(seed):  # own seed, global RNG untouched for other sessions
        return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2)).to(device)


def freezing(freeze_first: bool, lr: float, seed: int, device: torch.device) -> list[dict]:
    """One SGD step on a 4-8-2 net with (or without) its first layer frozen, as in fine-tuning."""
    net = _small_net(seed, device)
    if freeze_first:
        for p in net[0].parameters():
            p.requires_grad_(False)
    before = {n: p.detach().clone() for n, p in net.named_parameters()}
    gen = torch.Generator().manual_seed(seed)
    x, target = torch.randn(16, 4, generator=gen).to(device), torch.randn(16, 2, generator=gen).to(device)
    optimizer = torch.optim.SGD([p for p in net.parameters() if p.requires_grad], lr=lr)
    nn.functional.mse_loss(net(x), target).backward()
    optimizer.step()
    return [{"parameter": n, "shape": str(tuple(p.shape)), "requires_grad": p.requires_grad,
             "has .grad": p.grad is not None, "changed by step": not torch.equal(before[n], p.detach())}
            for n, p in net.named_parameters()]

