"""Linear regression from scratch: y = w x + b fitted by hand-written gradient descent on autograd grads."""
from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import torch

from lib.common.messages import LearnerError, N_
from lib.common.settings import setting

# The classic 17-point toy set (aymericdamien/TensorFlow-Examples, linear_regression.py).
CLASSIC_X = (3.3, 4.4, 5.5, 6.71, 6.93, 4.168, 9.779, 6.182, 7.59, 2.167, 7.042, 10.791, 5.313,
             7.997, 5.654, 9.27, 3.1)
CLASSIC_Y = (1.7, 2.76, 2.09, 3.19, 1.694, 1.573, 3.366, 2.596, 2.53, 1.221, 2.827, 3.465, 1.65,
             2.904, 2.42, 2.94, 1.3)
# yunjey/pytorch-tutorial's linear_regression uses the same points minus (5.654, 2.42) and (9.27, 2.94).
TUTORIAL_IDX = tuple(i for i in range(17) if i not in (14, 15))
DATASETS = {  # by id: the link carries the id, the page shows the title in the reader's language
    "classic": (CLASSIC_X, CLASSIC_Y),
    "tutorial": (tuple(CLASSIC_X[i] for i in TUTORIAL_IDX), tuple(CLASSIC_Y[i] for i in TUTORIAL_IDX)),
}
MAX_POINTS = 500
OWN_POINTS = "own"  # the data choice that reads the user's text instead of a data set
DATA_TITLES = {"classic": N_("classic 17 points"), "tutorial": N_("pytorch-tutorial 15 points"),
               OWN_POINTS: N_("my own points")}
LEARNING_RATES = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.02, 0.025, 0.03, 0.05)


@dataclass(frozen=True)
class LinRegConfig:
    """Defaults of the linear-regression section, with their widget ranges."""

    data: str = setting("classic", options=(*DATASETS, OWN_POINTS), param="data")
    points: str = setting("1, 2\n2, 2.9\n3, 4.2\n4, 4.8", param="pts")  # a first "own points" example: ~ y = x + 1
    lr: float = setting(0.01, options=LEARNING_RATES, param="lr")  # below this data's stability limit (~0.021)
    steps: int = setting(1000, lo=10, hi=2000, step=10, param="steps")  # lr 0.01 needs ~1000 steps: b is slow
    max_chars: int = 2000  # the points box: ~300 points, and within a link parameter's budget (ui.links.MAX_RAW)
    w0: float = 0.0  # start from a flat line: the fit visibly rotates into place
    b0: float = 0.0
    frames: int = 40  # snapshots of the line for the animation


@dataclass(frozen=True)
class FitStep:
    step: int
    loss: float
    w: float
    b: float


def parse_points(text: str) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Points from text, one `x, y` pair per line."""
    xs, ys = [], []
    for number, line in enumerate(text.strip().splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.replace(";", ",").split(",")
        try:
            x, y = (float(p) for p in parts)
        except ValueError:
            raise LearnerError("Line {number} (`{line}`) is not a pair `x, y` of numbers.", number=number,
                               line=line.strip().replace("`", "'")) from None
        if not (math.isfinite(x) and math.isfinite(y)):
            raise LearnerError("Line {number}: the numbers must be finite (no inf or nan).", number=number)
        xs.append(x)
        ys.append(y)
    if len(xs) < 2 or len(set(xs)) < 2:
        raise LearnerError("Give at least two points with different x values, one `x, y` per line.")
    if len(xs) > MAX_POINTS:
        raise LearnerError("{n} points is too many for this demo; the limit is {limit}.", n=len(xs), limit=MAX_POINTS)
    return tuple(xs), tuple(ys)


def stability_limit(xs: tuple[float, ...]) -> float:
    """Largest stable learning rate for MSE gradient descent: 2 / (largest Hessian eigenvalue)."""
    x = torch.tensor(xs, dtype=torch.float64)
    features = torch.stack([x, torch.ones_like(x)], dim=1)  # (N,) -> (N, 2): [x, 1] per point
    hessian = 2 * features.T @ features / len(xs)           # of mean((w x + b - y)^2) in (w, b)
    return 2 / float(torch.linalg.eigvalsh(hessian).max())


def least_squares(xs: tuple[float, ...], ys: tuple[float, ...]) -> tuple[float, float]:
    """Closed-form best (w, b), the target gradient descent should reach."""
    x, y = torch.tensor(xs, dtype=torch.float64), torch.tensor(ys, dtype=torch.float64)
    w = float(((x - x.mean()) * (y - y.mean())).sum() / ((x - x.mean()) ** 2).sum())
    return w, float(y.mean() - w * x.mean())


def fit(xs: tuple[float, ...], ys: tuple[float, ...], lr: float, steps: int, device: torch.device,
        w0: float = LinRegConfig().w0, b0: float = LinRegConfig().b0) -> Iterator[FitStep]:
    """Gradient descent by hand: loss.backward(), then w -= lr * w.grad without recording, then zero."""
    x = torch.tensor(xs, device=device)
    y = torch.tensor(ys, device=device)
    w = torch.tensor(w0, device=device, requires_grad=True)
    b = torch.tensor(b0, device=device, requires_grad=True)
    for step in range(1, steps + 1):
        loss = ((w * x + b - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():  # the update itself must not become part of the graph
            w -= lr * w.grad
            b -= lr * b.grad
        w.grad.zero_()  # gradients accumulate: clear them for the next step
        b.grad.zero_()
        yield FitStep(step, loss.item(), w.item(), b.item())
        if not math.isfinite(loss.item()):
            return


@dataclass(frozen=True)
class Fit:
    """A whole fit and the settings it was made with: the page keeps the last one between reruns."""

    settings: tuple  # (xs, ys, lr, steps, device as text)
    history: list[FitStep]

    def matches(self, xs: tuple[float, ...], ys: tuple[float, ...], lr: float, steps: int,
                device: torch.device) -> bool:
        return self.settings == (xs, ys, lr, steps, str(device))


def new_fit(xs: tuple[float, ...], ys: tuple[float, ...], lr: float, steps: int, device: torch.device) -> Fit:
    """Run `fit` to the end (it stops early once the loss is no longer finite)."""
    return Fit((xs, ys, lr, steps, str(device)), list(fit(xs, ys, lr, steps, device)))


def diverged(history: list[FitStep]) -> bool:
    """True when the loss blew up: not finite, or 10x above where it started."""
    losses = [h.loss for h in history]
    return bool(losses) and (not all(math.isfinite(v) for v in losses) or losses[-1] > 10 * losses[0])


def snapshots(history: list[FitStep], frames: int) -> list[FitStep]:
    """About `frames` evenly spaced steps of a fit, always ending with the last one (the animation)."""
    return history[:: max(1, len(history) // frames)] + [history[-1]]
