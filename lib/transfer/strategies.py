"""The three strategies' networks and optimizers, and the tables of which weights train with which rate.

- from scratch: the tutorials' small CNN (two conv blocks, two linear layers), every weight trainable;
- frozen backbone + new head: a linear layer on the pooled features (standardised with the training set's mean
  and std), the only trainable weights: logistic regression with an L2 penalty, fitted by full-batch L-BFGS on
  cached features;
- two stages: that head first, then the backbone's last block unfrozen as a second optimizer parameter group with
  a learning rate 10x lower than the head's.
The optimizers are built here for training and for the page's table alike, so the table shows the real groups.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from lib.common.device import seeded_rng
from lib.common.messages import N_
from lib.transfer.backbone import Backbone, pool, trainable_block
from lib.transfer.config import STD_FLOOR, TransferConfig, head_weight_decay

SCRATCH_MEAN, SCRATCH_STD = 0.5, 0.25   # pixels 0..1 -> about -2..2 for the small CNN
LBFGS_HISTORY = 20  # curvature pairs L-BFGS keeps: plenty for a head of a few thousand weights


def scratch_input(images: torch.Tensor, px: int, device: torch.device | str) -> torch.Tensor:
    """uint8 (N, C, H, W) -> float (N, 3, px, px) standardised, for the from-scratch CNN."""
    x = images.to(device).float() / 255
    x = x.expand(-1, 3, -1, -1) if x.shape[1] == 1 else x
    if x.shape[-1] != px or x.shape[-2] != px:
        x = F.interpolate(x, size=(px, px), mode="bilinear", antialias=True, align_corners=False)
    return (x - SCRATCH_MEAN) / SCRATCH_STD


def scratch_cnn(n_classes: int, px: int, seed: int) -> nn.Sequential:
    """The tutorials' small CNN for 3 x px x px inputs, initialised from `seed`."""
    flat = 64 * (px // 4) ** 2
    with seeded_rng(seed):
        return nn.Sequential(
            nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Dropout(0.25),  # (N, 64, px/4, px/4) -> (N, 64 * (px/4)^2)
            nn.Linear(flat, 128), nn.ReLU(), nn.Dropout(0.5), nn.Linear(128, n_classes))


class Head(nn.Module):
    """The new last layer: standardise each feature with the training set's statistics, then one linear layer,
    starting from zero weights (no class preferred; the L-BFGS fit then only moves as far as the data asks)."""

    def __init__(self, dim: int, n_classes: int, seed: int) -> None:
        super().__init__()
        self.register_buffer("mean", torch.zeros(dim))
        self.register_buffer("std", torch.ones(dim))
        with seeded_rng(seed):  # the seed stays for an interface like the CNN's; the weights start at zero
            self.linear = nn.Linear(dim, n_classes)
        nn.init.zeros_(self.linear.weight)
        nn.init.zeros_(self.linear.bias)

    def fit_scale(self, features: torch.Tensor) -> None:
        """Take mean and std from the training features (a buffer: saved with the head, never trained). A feature
        almost constant on a few training pictures (a channel that never fired) gets the std floor STD_FLOOR x the
        mean std: dividing by its near-zero std would blow it up on the test pictures where it does fire."""
        std = features.std(0, unbiased=False)
        self.mean.copy_(features.mean(0))
        self.std.copy_(std.clamp_min(STD_FLOOR * std.mean().item() + 1e-12))

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.linear((features - self.mean) / self.std)


class TunedTop(nn.Module):
    """The trainable top of the two-stage model: the backbone's last block, pooling and the head."""

    def __init__(self, block: nn.Module, head: Head) -> None:
        super().__init__()
        self.block, self.head = block, head

    def forward(self, maps: torch.Tensor) -> torch.Tensor:
        return self.head(pool(self.block(maps), maps))


class Classifier(nn.Module):
    """Pictures in, class scores out: frozen prefix (shared), the block (shared or fine-tuned), pooling, head."""

    def __init__(self, backbone: Backbone, top: TunedTop) -> None:
        super().__init__()
        self.backbone, self.top = backbone, top

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.top(self.backbone.maps(images))


# ---------------------------------------------------------------- optimizers (training and the table share them)

def scratch_optimizer(cnn: nn.Module, cfg: TransferConfig) -> torch.optim.Optimizer:
    return torch.optim.Adam([{"params": list(cnn.parameters()), "lr": cfg.scratch_lr, "name": N_("every layer")}])


def head_optimizer(head: Head, cfg: TransferConfig, n_train: int) -> torch.optim.Optimizer:
    """Full-batch L-BFGS with a strong-Wolfe line search: logistic regression is convex, so a quasi-Newton method
    reaches its optimum in tens of steps where Adam crawls. One iteration per `step`; its L2 penalty (the group's
    weight_decay) is added to the loss by `head_loss`, since L-BFGS has no weight decay of its own."""
    return torch.optim.LBFGS([{"params": list(head.parameters()), "name": N_("new head"),
                               "weight_decay": head_weight_decay(cfg, n_train)}],
                             lr=cfg.head_lr, max_iter=1, history_size=LBFGS_HISTORY, line_search_fn="strong_wolfe")


def head_loss(head: Head, opt: torch.optim.Optimizer, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Cross-entropy plus the L2 penalty weight_decay / 2 * |W|^2 on the weights (not the bias), as scikit-learn's
    logistic regression with C: its gradient is the weight decay Adam would apply."""
    decay = opt.param_groups[0]["weight_decay"]
    return F.cross_entropy(head(x), y) + 0.5 * decay * head.linear.weight.pow(2).sum()


def finetune_optimizer(top: TunedTop, cfg: TransferConfig, n_train: int) -> torch.optim.Optimizer:
    """Two parameter groups: the unfrozen block with a low rate, the head with `head_factor` times more."""
    return torch.optim.Adam([
        {"params": list(top.block.parameters()), "lr": cfg.finetune_lr, "name": N_("backbone's last block"),
         "weight_decay": 0.0},
        {"params": list(top.head.parameters()), "lr": cfg.finetune_lr * cfg.head_factor, "name": N_("new head"),
         "weight_decay": head_weight_decay(cfg, n_train)},
    ])


def new_top(backbone: Backbone, n_classes: int, dim: int, seed: int, fine_tune: bool) -> TunedTop:
    """A head for `dim` features on the shared block (frozen) or on a trainable copy of it."""
    block = trainable_block(backbone) if fine_tune else backbone.block
    return TunedTop(block, Head(dim, n_classes, seed))


# ---------------------------------------------------------------- which weights train

@dataclass(frozen=True)
class LayerRow:
    name: str
    kind: str
    params: int
    trainable: bool
    where: str            # an N_ msgid: where its output comes from ("cached once", "every step")


@dataclass(frozen=True)
class GroupRow:
    name: str             # an N_ msgid
    tensors: int
    params: int
    lr: float
    weight_decay: float


def count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def layer_rows(view: str, backbone: Backbone, n_classes: int, dim: int, px: int) -> list[LayerRow]:
    """The table for one view ("scratch", "head", "stage1", "stage2"): each layer, its parameters and whether
    they train (requires_grad), as the training code sets them."""
    if view == "scratch":
        cnn = scratch_cnn(n_classes, px, 0)
        return [LayerRow(f"{i}", type(m).__name__, count(m), True, N_("computed every step"))
                for i, m in enumerate(cnn)]
    rows = [LayerRow(name, type(m).__name__, count(m), False, N_("frozen: computed once, cached"))
            for name, m in zip(backbone.prefix_layers, backbone.prefix)]
    tuned = view == "stage2"  # stage 2 trains a copy of the block with requires_grad on (trainable_block)
    rows.append(LayerRow(backbone.block_name, type(backbone.block).__name__, count(backbone.block), tuned,
                         N_("trains: computed every step") if tuned else N_("frozen: computed once, cached")))
    rows.append(LayerRow(N_("new head"), "Linear", dim * n_classes + n_classes, True, N_("trains on the features")))
    return rows


def group_rows(optimizer: torch.optim.Optimizer) -> list[GroupRow]:
    """The optimizer's parameter groups: what each holds and its learning rate."""
    return [GroupRow(g.get("name", "?"), len(g["params"]), sum(p.numel() for p in g["params"]), float(g["lr"]),
                     float(g.get("weight_decay", 0.0))) for g in optimizer.param_groups]


def view_optimizer(view: str, backbone: Backbone, cfg: TransferConfig, n_classes: int, dim: int,
                   n_train: int) -> torch.optim.Optimizer:
    """The optimizer a view trains with, built by the same functions as training (for the table; it never steps,
    so it may hold the shared block's parameters instead of a copy)."""
    if view == "scratch":
        return scratch_optimizer(scratch_cnn(n_classes, cfg.scratch_px, 0), cfg)
    top = new_top(backbone, n_classes, dim, 0, fine_tune=False)
    return finetune_optimizer(top, cfg, n_train) if view == "stage2" else head_optimizer(top.head, cfg, n_train)
