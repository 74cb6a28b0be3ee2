"""Sequence regression with a recurrent net: read sin(t), predict cos(t).

The classic example: windows of the sine wave are fed one after another, and the
hidden state is carried (detached) from one window to the next, so the network
must remember where on the wave it is - the sine value alone is ambiguous
(sin t = 0 at both cos t = 1 and cos t = -1).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterator

import torch
from torch import nn

from lib.common.device import seeded_rng
from lib.rnn_lab.config import WaveConfig, validate_wave


class WaveModel(nn.Module):
    """A recurrent layer read by one shared linear layer at every time step."""

    def __init__(self, cfg: WaveConfig) -> None:
        super().__init__()
        kwargs = dict(input_size=1, hidden_size=cfg.hidden_size, num_layers=cfg.num_layers, batch_first=True)
        if cfg.cell == "RNN":
            kwargs["nonlinearity"] = cfg.nonlinearity
        self.rnn = getattr(nn, cfg.cell)(**kwargs)
        self.head = nn.Linear(cfg.hidden_size, 1)

    def forward(self, x: torch.Tensor, state=None):
        out, state = self.rnn(x, state)   # out: (B, T, hidden)
        return self.head(out), out, state  # (B, T, hidden) -> (B, T, 1)


def make_model(cfg: WaveConfig, device: torch.device | str = "cpu") -> WaveModel:
    """The model with seeded initial weights (the global RNG is left untouched)."""
    validate_wave(cfg)
    with seeded_rng(cfg.seed):
        model = WaveModel(cfg)
    return model.to(device)


def window(step: int, seq_len: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Times, sin and cos for training window `step`: t in [step*pi, (step+1)*pi]."""
    t = torch.linspace(step * math.pi, (step + 1) * math.pi, seq_len, dtype=torch.float32)
    return t, torch.sin(t), torch.cos(t)


def flat_baseline(seq_len: int) -> float:
    """The loss of predicting 0 everywhere: mean(cos(t)^2) over a window's `seq_len` points.

    0 is the best constant guess (cos averages to 0 over every window: the points are symmetric about
    the window's middle), and the score is the same for every window since cos^2 repeats every pi. It is
    not 0.5: both ends of a window sit at cos = +-1, so for 3 or more steps it is (seq_len + 1) / (2 * seq_len) -
    0.6 for 5 steps, 0.525 for 20 - and nears 0.5 only for very fine windows.
    """
    _, _, target = window(0, seq_len)
    return (target.double() ** 2).mean().item()


@dataclass
class WaveStep:
    step: int
    loss: float
    t: torch.Tensor           # (T,)
    inputs: torch.Tensor      # (T,) sin, what the network reads
    target: torch.Tensor      # (T,) cos
    prediction: torch.Tensor  # (T,)
    hidden: torch.Tensor      # (T, hidden) top layer's hidden state over the window


@dataclass
class WaveRun:
    """Everything a user's training run owns; lives in that user's session."""

    cfg: WaveConfig
    model: WaveModel
    optimizer: torch.optim.Optimizer
    state: object = None                     # hidden state carried between windows
    step: int = 0
    losses: list[float] = field(default_factory=list)
    last: WaveStep | None = None

    @property
    def baseline(self) -> float:
        """The flat-prediction loss for this run's window (what the learnt loss compares with)."""
        return flat_baseline(self.cfg.seq_len)


def new_run(cfg: WaveConfig, device: torch.device | str = "cpu") -> WaveRun:
    model = make_model(cfg, device)
    return WaveRun(cfg, model, torch.optim.Adam(model.parameters(), lr=cfg.lr))


def detach(state):
    """Cut the graph between windows (LSTM's state is an (h, c) tuple)."""
    return tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()


def train(run: WaveRun, n_steps: int) -> Iterator[WaveStep]:
    """Train `n_steps` more windows, yielding after each so a page can redraw or stop."""
    device = next(run.model.parameters()).device
    loss_fn = nn.MSELoss()
    for _ in range(n_steps):
        t, x, y = window(run.step, run.cfg.seq_len)
        x_in = x.to(device).view(1, -1, 1)   # (T,) -> (B=1, T, input_size=1)
        y_in = y.to(device).view(1, -1, 1)
        pred, out, state = run.model(x_in, run.state)
        run.state = detach(state)
        loss = loss_fn(pred, y_in)
        run.optimizer.zero_grad()
        loss.backward()
        run.optimizer.step()
        run.losses.append(loss.item())
        run.last = WaveStep(run.step, loss.item(), t, x, y, pred.detach().view(-1).cpu(), out.detach()[0].cpu())
        run.step += 1
        yield run.last


def shapes(cfg: WaveConfig, batch: int = 1) -> dict[str, tuple[int, ...]]:
    """Shapes of input, output and final state for these settings (batch_first=True)."""
    x = torch.zeros(batch, cfg.seq_len, 1)
    with seeded_rng(cfg.seed), torch.no_grad():  # the weights do not matter; the global RNG stays untouched
        _, out, state = WaveModel(cfg)(x)
    result = {"input x": tuple(x.shape), "output": tuple(out.shape)}
    if isinstance(state, tuple):
        result["h_n"], result["c_n"] = tuple(state[0].shape), tuple(state[1].shape)
    else:
        result["h_n"] = tuple(state.shape)
    return result
