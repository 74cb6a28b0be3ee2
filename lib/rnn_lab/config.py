"""Every setting of the RNN lab page, with its widget range and its short name in the page's link.

Two sections, two dataclasses: the sine -> cosine regression (`WaveConfig`, the classic set-up: a plain
nn.RNN of 32 units, Adam 0.02) and the surname classifier (`NamesConfig`, a GRU trained in batches), plus
the texts a learner types to look at names (`NamesView`). `RnnLabConfig` groups them as the page's DEFAULTS.
"""
from __future__ import annotations

from dataclasses import dataclass

from lib.common.messages import N_, LearnerError
from lib.common.settings import setting

WAVE_CELLS = ("RNN", "LSTM", "GRU")
NONLINEARITIES = ("tanh", "relu")
HAND = "hand"                                  # the classic hand-built cell (i2h / i2o on cat(input, hidden))
NAME_CELLS = (HAND, "RNN", "LSTM", "GRU")
CELL_LABELS = {HAND: N_("Hand-built RNN"), "RNN": "RNN", "LSTM": "LSTM", "GRU": "GRU"}
BALANCING = ("none", "weights", "sampling")
BALANCING_LABELS = {"none": N_("none"), "weights": N_("loss weights"), "sampling": N_("weighted sampling")}
OPTIMIZERS = ("adam", "sgd")                   # sgd: plain p -= lr * grad, the classic's hand-written update
OPTIMIZER_LABELS = {"adam": "Adam", "sgd": N_("plain SGD")}
SEEDS = dict(lo=0, hi=10_000, step=1)
PRESETS = ("default", "tutorial")              # each section's presets (lib.rnn_lab.recipes)


@dataclass(frozen=True)
class WaveConfig:
    """Read sin(t) one window at a time, predict cos(t) at every step."""

    cell: str = setting("RNN", options=WAVE_CELLS, param="cell")                 # the classic uses a plain nn.RNN
    hidden_size: int = setting(32, options=(4, 8, 16, 32, 64, 128), param="hidden")  # 8 already works
    num_layers: int = setting(1, lo=1, hi=3, step=1, param="layers")
    nonlinearity: str = setting("tanh", options=NONLINEARITIES, param="act")  # nn.RNN only; relu tends to blow up
    seq_len: int = setting(20, lo=5, hi=60, step=1, param="window")    # time steps per window (pi radians)
    lr: float = setting(0.02, options=(0.001, 0.003, 0.01, 0.02, 0.05, 0.1), param="lr")  # Adam, as the classic
    steps: int = setting(150, lo=10, hi=400, step=10, param="steps")   # windows to train on; ~100 fit the curve
    seed: int = setting(0, **SEEDS, param="seed")


@dataclass(frozen=True)
class NamesConfig:
    """Surname -> language: one-hot letters through a recurrent layer, trained in length-sorted batches."""

    cell: str = setting("GRU", options=NAME_CELLS, param="ncell")  # gated cells learn this in an epoch or two
    hidden_size: int = setting(128, options=(16, 32, 64, 128, 256), param="nhidden")  # the classic's size
    num_layers: int = 1
    optimizer: str = setting("adam", options=OPTIMIZERS, param="opt")  # Adam: far fewer steps than plain SGD
    lr: float = setting(0.01, options=(0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1), param="nlr")
    # 80% in 3 epochs at Adam 0.01; 1 is the classic's one name per step
    batch_size: int = setting(128, options=(1, 16, 32, 64, 128, 256), param="batch")
    epochs: int = setting(3, lo=1, hi=10, step=1, param="epochs")
    balancing: str = setting("none", options=BALANCING, param="balance")  # Russian is 47% of the names
    val_fraction: float = 0.1
    seed: int = setting(0, **SEEDS, param="nseed")
    max_batches: int | None = None  # for tests and quick benches: stop each epoch early


@dataclass(frozen=True)
class NamesView:
    """What a learner types to look at names; it changes what is shown, not what is trained."""

    example: str = setting("Nguyen", param="spell")                     # spelt out as one-hot rows
    batch_demo: str = setting("Schmidt, Li, Nguyen, O'Neal", param="pad")  # padded and packed
    query: str = setting("Schmidt", param="name")                       # classified by the trained model


@dataclass(frozen=True)
class Presets:
    """Which recipe each section's widgets were set to (lib.rnn_lab.recipes)."""

    wave: str = setting("default", options=PRESETS, param="wpreset")
    names: str = setting("default", options=PRESETS, param="npreset")


@dataclass(frozen=True)
class RnnLabConfig:
    """The page's defaults: both sections, their presets and the names the learner types."""

    wave: WaveConfig = WaveConfig()
    names: NamesConfig = NamesConfig()
    view: NamesView = NamesView()
    presets: Presets = Presets()


def validate_wave(cfg: WaveConfig) -> None:
    """Raise LearnerError for settings that cannot train."""
    if cfg.cell not in WAVE_CELLS:
        raise LearnerError("The cell must be one of {options}.", options=", ".join(WAVE_CELLS))
    if cfg.nonlinearity not in NONLINEARITIES:
        raise LearnerError("nn.RNN's nonlinearity is 'tanh' or 'relu'.")
    if cfg.seq_len < 2 or cfg.hidden_size < 1 or cfg.num_layers < 1:
        raise LearnerError("A window needs at least 2 time steps, and hidden size and layers must be at least 1.")


def validate_names(cfg: NamesConfig) -> None:
    """Raise LearnerError for settings that cannot train."""
    if cfg.cell not in NAME_CELLS:
        raise LearnerError("The cell must be one of {options}.", options=", ".join(NAME_CELLS))
    if cfg.optimizer not in OPTIMIZERS:
        raise LearnerError("The optimizer must be one of {options}.", options=", ".join(OPTIMIZERS))
    if cfg.balancing not in BALANCING:
        raise LearnerError("Balancing must be one of {options}.", options=", ".join(BALANCING))
    if not 0 < cfg.val_fraction < 1:
        raise LearnerError("The validation fraction must be between 0 and 1.")
    if cfg.hidden_size < 1 or cfg.batch_size < 1 or cfg.epochs < 1:
        raise LearnerError("Hidden size, batch size and epochs must be at least 1.")

