"""Every setting of the playground page, with its widget range, and the checks that say which cannot work.

The classic first PyTorch classifier (two Gaussian clouds around (2, 2) and (-2, -2), a
`Net(2, 10, 2)`, SGD lr 0.02, `CrossEntropyLoss`) is the default; everything else is a knob on it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from lib.common.messages import LearnerError, Message
from lib.common.settings import setting
from lib.playground.data import DATASETS, DOMAIN, FEATURES, LINEARLY_SEPARABLE
from lib.playground.model import ACTIVATIONS, LOSSES, OPTIMIZERS

LEARNING_RATES = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.02, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
REGULARISATION = (0.0, 0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1)
BATCH_SIZES = (1, 2, 4, 8, 16, 32, 64, 128, 200, 256, 1000)  # 200: the classic's full batch
SEEDS = dict(lo=0, hi=10_000, step=1)


@dataclass(frozen=True)
class PlaygroundConfig:
    """Every setting of the page; the widgets read their defaults and ranges from here."""

    # data; the classic: two clouds around (2, 2) and (-2, -2); noise is the std of extra jitter (plane units)
    dataset: str = setting("gaussian", options=tuple(DATASETS), param="data")
    n_points: int = setting(400, lo=20, hi=1000, step=10, param="points")  # train + test
    noise: float = setting(0.3, lo=0.0, hi=2.0, step=0.05, param="noise")
    test_fraction: float = setting(0.3, lo=0.05, hi=0.9, step=0.05, param="test")
    n_classes: int = setting(2, lo=2, hi=4, step=1, param="classes")  # only clouds and spiral can have more
    data_seed: int = setting(0, **SEEDS, param="dseed")
    features: tuple[str, ...] = setting(("x", "y"), options=tuple(FEATURES), param="feat")
    # model: the classic Net has one hidden layer of 10 neurons
    hidden_layers: int = setting(1, lo=0, hi=6, step=1, param="layers")
    width: int = setting(10, lo=1, hi=16, step=1, param="width")
    activation: str = setting("ReLU", options=tuple(ACTIVATIONS), param="act")
    dropout: float = setting(0.0, lo=0.0, hi=0.8, step=0.05, param="drop")
    batch_norm: bool = setting(False, param="bn")
    weight_seed: int = setting(0, **SEEDS, param="seed")  # same seed -> same initial weights, comparable runs
    # training (changeable mid-run without a reset); lr 0.02 is the classic tutorial's
    optimizer: str = setting("SGD", options=OPTIMIZERS, param="opt")
    lr: float = setting(0.02, options=LEARNING_RATES, param="lr")
    momentum: float = setting(0.0, lo=0.0, hi=0.99, step=0.01, param="mom")
    nesterov: bool = setting(False, param="nesterov")
    batch_size: int = setting(32, options=BATCH_SIZES, param="batch")
    l1: float = setting(0.0, options=REGULARISATION, param="l1")
    l2: float = setting(0.0, options=REGULARISATION, param="l2")  # the optimizer's weight_decay
    loss: str = setting("cross-entropy", options=LOSSES, param="loss")
    # views (change freely while training)
    steps_per_frame: int = setting(10, lo=1, hi=100, step=1, param="spf")  # training steps between redraws
    grid: int = 100                 # boundary resolution (grid x grid points)
    neuron_grid: int = 32           # per-neuron maps are small, so coarser
    point_x: float = setting(1.0, lo=-DOMAIN, hi=DOMAIN, step=0.25, param="px")  # where softmax is explained
    point_y: float = setting(1.0, lo=-DOMAIN, hi=DOMAIN, step=0.25, param="py")

STRUCTURE_FIELDS = ("dataset", "n_points", "noise", "test_fraction", "n_classes", "data_seed", "features",
                    "hidden_layers", "width", "activation", "dropout", "batch_norm", "weight_seed")


def structure_key(cfg: PlaygroundConfig) -> tuple:
    """The settings that need a fresh model when they change (data and architecture, seeds)."""
    return tuple(getattr(cfg, name) for name in STRUCTURE_FIELDS)


def validate(cfg: PlaygroundConfig) -> None:
    """Raise LearnerError (a ValueError), in a learner's words, for settings that cannot work."""
    if cfg.dataset not in DATASETS:
        raise LearnerError("Unknown data set {name}; pick one of {options}.", name=repr(cfg.dataset),
                           options=", ".join(DATASETS))
    if not cfg.features:
        raise LearnerError("Pick at least one input feature: the network needs something to look at.")
    if unknown := [f for f in cfg.features if f not in FEATURES]:
        raise LearnerError("Unknown feature(s) {names}; choose from {options}.", names=", ".join(unknown),
                           options=", ".join(FEATURES))
    if not 0 <= cfg.hidden_layers <= 6 or cfg.width < 1:
        raise LearnerError("Use 0 to 6 hidden layers of at least one neuron each.")
    if not 0.0 <= cfg.dropout < 1.0:
        raise LearnerError("Dropout is a probability of dropping a neuron: keep it in [0, 1).")
    if not 0.05 <= cfg.test_fraction <= 0.9 or n_train(cfg) < 2:
        raise LearnerError("Keep at least 2 training points and a test fraction between 0.05 and 0.9.")
    if cfg.lr <= 0 or not math.isfinite(cfg.lr):
        raise LearnerError("The learning rate must be a positive number.")
    if cfg.batch_norm and cfg.batch_size < 2:
        raise LearnerError("Batch norm needs at least 2 points per batch to compute a mean and variance.")


def n_train(cfg: PlaygroundConfig) -> int:
    """How many of the points are for training."""
    return cfg.n_points - round(cfg.n_points * cfg.test_fraction)


def classes(cfg: PlaygroundConfig) -> int:
    """The number of classes this data set really has (circles, XOR and moons have two)."""
    return min(cfg.n_classes, DATASETS[cfg.dataset][2])



def notes(cfg: PlaygroundConfig) -> list[Message]:
    """Plain-words warnings for settings that train but cannot do well."""
    out = []
    linear = cfg.hidden_layers == 0 or cfg.activation == "linear"
    plain = set(cfg.features) <= {"x", "y"}
    if linear and plain and cfg.dataset not in LINEARLY_SEPARABLE:
        out.append(Message("This network is linear (no hidden layer or a linear activation), so its boundary is a "
                   "straight line: it cannot separate this data set. Add a hidden layer with a non-linear "
                   "activation, or non-linear input features such as x², y² or xy."))
    if cfg.n_classes > classes(cfg):
        out.append(Message("This data set has exactly {n} classes; the class count is ignored.", n=classes(cfg)))
    if cfg.batch_size > n_train(cfg):
        out.append(Message("The batch size is larger than the {n} training points: each step uses them all.",
                           n=n_train(cfg)))
    if cfg.nesterov and (cfg.optimizer != "SGD" or cfg.momentum == 0):
        out.append(Message("Nesterov only applies to SGD with momentum > 0, so it is off here."))
    return out
