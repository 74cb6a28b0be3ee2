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

CELLS = ("RNN", "LSTM", "GRU")


@dataclass(frozen=True)
class WaveConfig:
    cell: str = "RNN"           # the classic uses a plain nn.RNN
    hidden_size: int = 32       # classic value; 8 already works, 64 learns faster
    num_layers: int = 1
    nonlinearity: str = "tanh"  # only nn.RNN has this choice; relu tends to blow up
    seq_len: int = 20           # time steps per window (each window covers pi radians)
    lr: float = 0.02            # Adam, as in the classic example
    steps: int = 150            # windows to train on; ~100 already fits the curve
    seed: int = 0


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


def validate(cfg: WaveConfig) -> None:
    """Raise ValueError for settings that cannot train."""
    if cfg.cell not in CELLS:
        raise ValueError(f"Cell must be one of {', '.join(CELLS)}.")
    if cfg.nonlinearity not in ("tanh", "relu"):
        raise ValueError("nn.RNN's nonlinearity is 'tanh' or 'relu'.")
    if cfg.seq_len < 2 or cfg.hidden_size < 1 or cfg.num_layers < 1:
        raise ValueError("Sequence length must be at least 2, hidden size and layers at least 1.")


def make_model(cfg: WaveConfig, device: torch.device | str = "cpu") -> WaveModel:
    """The model with seeded initial weights (the global RNG is left untouched)."""
    validate(cfg)
    with seeded_rng(cfg.seed):
        model = WaveModel(cfg)
    return model.to(device)


def window(step: int, seq_len: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Times, sin and cos for training window `step`: t in [step*pi, (step+1)*pi]."""
    t = torch.linspace(step * math.pi, (step + 1) * math.pi, seq_len, dtype=torch.float32)
    return t, torch.sin(t), torch.cos(t)


@dataclass
class WaveStep:
    step: int
    loss: float
    t: torch.Tensor         # (T,)
    target: torch.Tensor    # (T,) cos
    prediction: torch.Tensor  # (T,)
    hidden: torch.Tensor    # (T, hidden) top layer's hidden state over the window


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


def new_run(cfg: WaveConfig, device: torch.device | str = "cpu") -> WaveRun:
    model = make_model(cfg, device)
    return WaveRun(cfg, model, torch.optim.Adam(model.parameters(), lr=cfg.lr))


def _detach(state):
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
        run.state = _detach(state)
        loss = loss_fn(pred, y_in)
        run.optimizer.zero_grad()
        loss.backward()
        run.optimizer.step()
        run.losses.append(loss.item())
        run.last = WaveStep(run.step, loss.item(), t, y, pred.detach().view(-1).cpu(), out.detach()[0].cpu())
        run.step += 1
        yield run.last


def shapes(cfg: WaveConfig, batch: int = 1) -> dict[str, tuple[int, ...]]:
    """Shapes of input, output and final state for these settings (batch_first=True)."""
    model = WaveModel(cfg)
    x = torch.zeros(batch, cfg.seq_len, 1)
    _, out, state = model(x)
    result = {"input x": tuple(x.shape), "output": tuple(out.shape)}
    if isinstance(state, tuple):
        result["h_n"], result["c_n"] = tuple(state[0].shape), tuple(state[1].shape)
    else:
        result["h_n"] = tuple(state.shape)
    return result


def code(cfg: WaveConfig) -> str:
    """A standalone script that trains exactly what the page trains."""
    nonlin = f", nonlinearity={cfg.nonlinearity!r}" if cfg.cell == "RNN" else ""
    detach = "tuple(s.detach() for s in state)" if cfg.cell == "LSTM" else "state.detach()"
    return f'''import math
import torch
from torch import nn

torch.manual_seed({cfg.seed})


class WaveModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.{cfg.cell}(input_size=1, hidden_size={cfg.hidden_size}, num_layers={cfg.num_layers}, batch_first=True{nonlin})
        self.head = nn.Linear({cfg.hidden_size}, 1)  # applied at every time step

    def forward(self, x, state=None):
        out, state = self.rnn(x, state)  # out: (batch, time, hidden)
        return self.head(out), state     # (batch, time, 1)


model = WaveModel()
optimizer = torch.optim.Adam(model.parameters(), lr={cfg.lr})
loss_fn = nn.MSELoss()
state = None  # hidden state, carried from one window to the next

for step in range({cfg.steps}):
    t = torch.linspace(step * math.pi, (step + 1) * math.pi, {cfg.seq_len})
    x = torch.sin(t).view(1, -1, 1)  # (batch=1, time, input_size=1)
    y = torch.cos(t).view(1, -1, 1)
    prediction, state = model(x, state)
    state = {detach}  # keep the values, cut the graph: no backprop into old windows
    loss = loss_fn(prediction, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step % 25 == 0:
        print(f"step {{step}}: loss {{loss.item():.4f}}")
print(f"final loss {{loss.item():.6f}}")
'''
