"""Training as a generator (the page draws between chunks), evaluation, error analysis, checkpoints."""
from __future__ import annotations

import io
import time
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Iterator

import torch
from torch import nn

from lib.datasets import Prepared, as_input, batches
from lib.common.device import seeded_rng
from lib.models import ModelSpec, build
from lib.common.safe_load import load_weights_only

CHECKPOINT_FORMAT = "pytorch-explainer/image-classifier"
CHECKPOINT_VERSION = 1
OPTIMIZERS = ("adam", "sgd")


@dataclass(frozen=True)
class TrainConfig:
    optimizer: str = "adam"     # Adam's defaults (lr 1e-3, betas 0.9/0.999) train these nets fast
    lr: float = 1e-3
    momentum: float = 0.9       # SGD only
    nesterov: bool = False      # SGD only
    weight_decay: float = 0.0
    batch_size: int = 64        # the tutorials' batch size
    epochs: int = 5             # MLP ~87%, MNIST CNN ~89-90% on Fashion-MNIST
    chunk_batches: int = 100    # report progress every this many batches
    seed: int = 0
    max_steps: int | None = None  # stop early (tests, quick looks)


@dataclass(frozen=True)
class Step:
    """What the generator yields after each chunk of batches."""
    epoch: float          # fractional epochs done
    step: int             # batches done in this run
    total_steps: int
    train_loss: float     # mean over the chunk (model in train mode: dropout active)
    train_acc: float
    val_loss: float       # whole validation split, model in eval mode
    val_acc: float
    seconds: float        # wall time since the run started


def loss_function(spec: ModelSpec) -> nn.Module:
    """NLLLoss after a LogSoftmax layer, else CrossEntropyLoss on raw scores: the same number."""
    return nn.NLLLoss() if spec.log_softmax else nn.CrossEntropyLoss()


def make_optimizer(model: nn.Module, cfg: TrainConfig) -> torch.optim.Optimizer:
    """SGD (momentum, nesterov, weight decay) or Adam, from the config."""
    if cfg.lr <= 0:
        raise ValueError("The learning rate must be above 0.")
    # fused: one kernel updates every parameter (on CPU 3x faster than the per-tensor loop,
    # a third of the step time of these small nets); other devices take the default path
    fused = all(p.device.type in ("cpu", "cuda") for p in model.parameters()) or None
    if cfg.optimizer == "sgd":
        if cfg.nesterov and cfg.momentum <= 0:
            raise ValueError("Nesterov momentum needs a momentum above 0.")
        return torch.optim.SGD(model.parameters(), lr=cfg.lr, momentum=cfg.momentum,
                               nesterov=cfg.nesterov, weight_decay=cfg.weight_decay, fused=fused)
    if cfg.optimizer == "adam":
        return torch.optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay, fused=fused)
    raise ValueError(f"Unknown optimizer {cfg.optimizer!r}; use adam or sgd.")


def total_steps(n_train: int, cfg: TrainConfig) -> int:
    """Batches in the whole run (capped by max_steps)."""
    steps = cfg.epochs * -(-n_train // cfg.batch_size)
    return min(steps, cfg.max_steps) if cfg.max_steps else steps


def train(model: nn.Module, optimizer: torch.optim.Optimizer, loss_fn: nn.Module,
          data: Prepared, cfg: TrainConfig) -> Iterator[Step]:
    """Train in place, yielding a `Step` every `chunk_batches` batches and at the end."""
    g = torch.Generator().manual_seed(cfg.seed)
    total, step, start = total_steps(len(data.train_y), cfg), 0, time.perf_counter()
    per_epoch = -(-len(data.train_y) // cfg.batch_size)
    sums = torch.zeros(3, device=data.train_x.device)  # loss*n, correct, n of the current chunk
    random = has_dropout(model)
    for _ in range(cfg.epochs):
        for x, y in batches(data.train_x, data.train_y, cfg.batch_size, g):
            # Dropout draws from the global RNG: seed it per step, so a run depends on its seed only
            # and never disturbs (or is disturbed by) another session between steps.
            with seeded_rng(cfg.seed * 1_000_003 + step, x.device) if random else nullcontext():
                sums += train_step(model, optimizer, loss_fn, x, y)
            step += 1
            if step % cfg.chunk_batches == 0 or step == total:
                yield _report(model, loss_fn, data, sums, step, total, per_epoch, start)
                sums.zero_()
            if step == total:
                return


def has_dropout(model: nn.Module) -> bool:
    """Whether a forward pass in train mode draws random numbers."""
    return any(isinstance(m, nn.modules.dropout._DropoutNd) for m in model.modules())


def train_step(model: nn.Module, optimizer: torch.optim.Optimizer, loss_fn: nn.Module,
               x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """One optimisation step; returns (loss*n, correct, n) as a tensor so nothing syncs the device."""
    model.train()  # dropout on, batch-norm uses batch statistics
    optimizer.zero_grad(set_to_none=True)
    out = model(x)
    loss = loss_fn(out, y)
    loss.backward()
    optimizer.step()
    n = torch.tensor(float(len(y)), device=y.device)
    return torch.stack([loss.detach() * n, (out.argmax(1) == y).sum().float(), n])


def _report(model, loss_fn, data: Prepared, sums: torch.Tensor, step: int, total: int,
            per_epoch: int, start: float) -> Step:
    loss_n, correct, n = sums.tolist()
    val = evaluate(model, loss_fn, data.val_x, data.val_y)
    return Step(step / per_epoch, step, total, loss_n / max(n, 1), correct / max(n, 1),
                val.loss, val.accuracy, time.perf_counter() - start)


@dataclass(frozen=True)
class Evaluation:
    loss: float
    accuracy: float
    probs: torch.Tensor   # (N, classes) softmax probabilities, on CPU
    preds: torch.Tensor   # (N,) on CPU


@torch.no_grad()
def predict_proba(model: nn.Module, x: torch.Tensor, batch_size: int = 1024) -> torch.Tensor:
    """Class probabilities in eval mode (dropout off); works for raw-score and LogSoftmax models."""
    model.eval()
    outs = [model(as_input(chunk)).float() for chunk in x.split(batch_size)]
    return torch.softmax(torch.cat(outs), dim=1)  # softmax(log_softmax(z)) == softmax(z)


@torch.no_grad()
def evaluate(model: nn.Module, loss_fn: nn.Module, x: torch.Tensor, y: torch.Tensor, batch_size: int = 1024) -> Evaluation:
    """Loss and accuracy on a whole split (uint8 pixels or model inputs) in eval mode."""
    model.eval()
    outs = torch.cat([model(as_input(chunk)).float() for chunk in x.split(batch_size)])
    loss = loss_fn(outs, y).item()
    probs = torch.softmax(outs, dim=1).cpu()
    preds = probs.argmax(1)
    return Evaluation(loss, (preds == y.cpu()).float().mean().item(), probs, preds)


def confusion_matrix(preds: torch.Tensor, labels: torch.Tensor, num_classes: int) -> torch.Tensor:
    """(true, predicted) counts."""
    flat = labels.cpu() * num_classes + preds.cpu()  # (true, pred) pairs -> one index
    return torch.bincount(flat, minlength=num_classes ** 2).reshape(num_classes, num_classes)


def per_class_accuracy(cm: torch.Tensor) -> torch.Tensor:
    """Share of each true class predicted correctly (the diagonal over row sums)."""
    return cm.diag().float() / cm.sum(1).clamp(min=1).float()


def most_confident_wrong(probs: torch.Tensor, labels: torch.Tensor, k: int) -> torch.Tensor:
    """Indices of the k wrong predictions made with the highest probability."""
    conf, preds = probs.max(1)
    wrong = torch.nonzero(preds != labels.cpu()).flatten()
    order = conf[wrong].argsort(descending=True)
    return wrong[order[:k]]


def dropout_demo(model: nn.Module, x: torch.Tensor, repeats: int = 3, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Probabilities of one input in train mode (several draws: dropout active) and in eval mode."""
    was_training, x = model.training, as_input(x)
    with torch.no_grad(), seeded_rng(seed, x.device):  # dropout masks come from the global RNG
        model.train()
        train_probs = torch.stack([torch.softmax(model(x), 1)[0] for _ in range(repeats)]).cpu()
        model.eval()
        eval_probs = torch.softmax(model(x), 1)[0].cpu()
    model.train(was_training)
    return train_probs, eval_probs


# ---------------------------------------------------------------- checkpoints

def checkpoint_bytes(model: nn.Module, spec: ModelSpec, in_shape: tuple[int, int, int],
                     classes: tuple[str, ...], meta: dict | None = None) -> bytes:
    """torch.save of the state_dict plus a plain-types config: loadable with weights_only=True."""
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    buf = io.BytesIO()
    torch.save({"format": CHECKPOINT_FORMAT, "version": CHECKPOINT_VERSION, "spec": spec.to_dict(),
                "in_shape": list(in_shape), "classes": list(classes), "meta": dict(meta or {}),
                "state_dict": state}, buf)
    return buf.getvalue()


@dataclass(frozen=True)
class Loaded:
    model: nn.Sequential
    spec: ModelSpec
    in_shape: tuple[int, int, int]
    classes: tuple[str, ...]
    meta: dict


def load_checkpoint(data: bytes, device: torch.device) -> Loaded:
    """Read a checkpoint safely (weights_only) and rebuild its model; ValueError explains any problem."""
    obj = load_weights_only(data)
    if not isinstance(obj, dict) or obj.get("format") != CHECKPOINT_FORMAT:
        raise ValueError("This file is not a checkpoint saved by this page (it has no image-classifier "
                         "config); a bare state_dict needs the model class that made it.")
    if obj.get("version") != CHECKPOINT_VERSION:
        raise ValueError(f"Checkpoint version {obj.get('version')} is not supported (this page writes {CHECKPOINT_VERSION}).")
    try:
        spec = ModelSpec.from_dict(obj["spec"])
        in_shape = tuple(int(v) for v in obj["in_shape"])
        classes = tuple(str(c) for c in obj["classes"])
    except (KeyError, TypeError, ValueError) as e:
        raise ValueError(f"The checkpoint's config is damaged or incomplete ({e}).") from e
    model = build(spec, in_shape, len(classes))  # type: ignore[arg-type]
    check_state_dict(model, obj.get("state_dict"))
    model.load_state_dict(obj["state_dict"])
    return Loaded(model.to(device), spec, in_shape, classes, obj.get("meta", {}))  # type: ignore[arg-type]


def check_state_dict(model: nn.Module, state) -> None:
    """Compare keys and shapes with the architecture and say what does not fit."""
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise ValueError("The checkpoint has no state_dict of tensors.")
    own = model.state_dict()
    missing, extra = sorted(set(own) - set(state)), sorted(set(state) - set(own))
    wrong = [f"{k}: file {tuple(state[k].shape)} vs model {tuple(own[k].shape)}"
             for k in own if k in state and state[k].shape != own[k].shape]
    if missing or extra or wrong:
        details = "; ".join(filter(None, [f"missing {missing[:3]}" if missing else "",
                                          f"unexpected {extra[:3]}" if extra else "", "; ".join(wrong[:3])]))
        raise ValueError(f"The weights do not fit this architecture: {details}.")


def tensorboard_available() -> bool:
    """True when the `tensorboard` package (needed by torch.utils.tensorboard) is installed."""
    import importlib.util
    return importlib.util.find_spec("tensorboard") is not None


def optimizer_code(cfg: TrainConfig) -> str:
    """The optimizer constructor for the code panel."""
    if cfg.optimizer == "sgd":
        return (f"torch.optim.SGD(model.parameters(), lr={cfg.lr}, momentum={cfg.momentum}, "
                f"nesterov={cfg.nesterov}, weight_decay={cfg.weight_decay},\n"
                "                            fused=True)  # one kernel for all parameters (CPU, CUDA)")
    return (f"torch.optim.Adam(model.parameters(), lr={cfg.lr}, weight_decay={cfg.weight_decay},\n"
            "                             fused=True)  # betas=(0.9, 0.999); fused: one kernel (CPU, CUDA)")


def training_code(data_key: str, model_source: str, spec: ModelSpec, cfg: TrainConfig, val_fraction: float) -> str:
    """A standalone script: load data, fast pipeline, the model, the loop, test accuracy."""
    from lib.datasets import fast_code
    loss = "nn.NLLLoss()  # the model ends with LogSoftmax" if spec.log_softmax else \
        "nn.CrossEntropyLoss()  # = LogSoftmax + NLLLoss on raw scores"
    opt = optimizer_code(cfg)
    return fast_code(data_key, cfg.batch_size, val_fraction) + "\n" + model_source + f'''
torch.manual_seed({cfg.seed})  # initial weights (the page builds them with its own seed)
model = model.to(device)
loss_fn = {loss}
optimizer = {opt}
generator = torch.Generator().manual_seed({cfg.seed})


def evaluate(x, y):
    model.eval()  # dropout off, batch-norm running statistics
    with torch.no_grad():
        out = torch.cat([model(chunk) for chunk in x.split(1024)])
    return loss_fn(out, y).item(), (out.argmax(1) == y).float().mean().item()


for epoch in range({cfg.epochs}):
    model.train()  # dropout on
    for step, (xb, yb) in enumerate(batches(X_train, Y_train, {cfg.batch_size}, generator)):
        if {cfg.max_steps or 0} and step >= {cfg.max_steps or 0}:
            break
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
    val_loss, val_acc = evaluate(X_val, Y_val)
    print(f"epoch {{epoch + 1}}: validation loss {{val_loss:.4f}}, accuracy {{val_acc:.2%}}")

test_loss, test_acc = evaluate(to_input(test_x), test_y.to(device))
print(f"test accuracy {{test_acc:.2%}}")
torch.save(model.state_dict(), "classifier_state_dict.pt")  # weights only; rebuild the class to load
'''
