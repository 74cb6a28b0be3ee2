"""Judging a classifier: loss and accuracy, the confusion matrix, its surest mistakes, a guess at a
learner's picture, and the two small demos (CrossEntropy = LogSoftmax + NLL; train vs eval mode)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image
from torch import nn

from lib.common.device import seeded_rng
from lib.image_classifier.datasets import ImageSet, display_image
from lib.image_classifier.models import ModelSpec, device_of, modes_differ
from lib.image_classifier.pipeline import as_input, image_to_pixels


@dataclass(frozen=True)
class Evaluation:
    loss: float
    accuracy: float
    probs: torch.Tensor   # (N, classes) softmax probabilities, on CPU
    preds: torch.Tensor   # (N,) on CPU


# images per forward pass when evaluating: small enough that a chunk's activations stay in the CPU's caches
# (batch norm, ReLU and pooling are memory-bound: 256 evaluates the fast CNN 1.6x and VGG 3x faster than 1024)
EVAL_BATCH = 256


@torch.no_grad()
def predict_proba(model: nn.Module, x: torch.Tensor, batch_size: int = EVAL_BATCH) -> torch.Tensor:
    """Class probabilities in eval mode (dropout off); works for raw-score and LogSoftmax models."""
    model.eval()
    outs = [model(as_input(chunk)).float() for chunk in x.split(batch_size)]
    return torch.softmax(torch.cat(outs), dim=1)  # softmax(log_softmax(z)) == softmax(z)


@torch.no_grad()
def evaluate(model: nn.Module, loss_fn: nn.Module, x: torch.Tensor, y: torch.Tensor,
             batch_size: int = EVAL_BATCH) -> Evaluation:
    """Loss and accuracy on a whole split (uint8 pixels or model inputs) in eval mode."""
    model.eval()
    outs = torch.cat([model(as_input(chunk)).float() for chunk in x.split(batch_size)])
    loss = loss_fn(outs, y).item()
    probs = torch.softmax(outs, dim=1).cpu()
    preds = probs.argmax(1)
    return Evaluation(loss, (preds == y.cpu()).float().mean().item(), probs, preds)


# ---------------------------------------------------------------- error analysis

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


@dataclass(frozen=True)
class ErrorReport:
    """What the results section draws: the confusion matrix and the accuracy of each class."""
    confusion: np.ndarray         # (true, predicted) counts
    per_class: np.ndarray         # accuracy of each true class, 0..1
    weakest: int                  # the class with the lowest accuracy


def error_report(ev: Evaluation, labels: torch.Tensor, num_classes: int) -> ErrorReport:
    """Confusion matrix, per-class accuracy and the weakest class of an evaluation."""
    cm = confusion_matrix(ev.preds, labels, num_classes)
    acc = per_class_accuracy(cm)
    return ErrorReport(cm.numpy(), acc.numpy(), int(acc.argmin()))


@dataclass(frozen=True)
class Mistake:
    image: np.ndarray   # what st.image shows: (H, W) or (H, W, 3) uint8
    true: str
    said: str
    confidence: float   # the probability the model gave its wrong answer


def confident_mistakes(ev: Evaluation, data: ImageSet, k: int) -> list[Mistake]:
    """The k test images the model got wrong while being surest, with their labels."""
    return [Mistake(display_image(data.test_x[i]), data.test_label(i), data.classes[int(ev.preds[i])],
                    float(ev.probs[i].max()))
            for i in most_confident_wrong(ev.probs, data.test_y, k).tolist()]


# ---------------------------------------------------------------- a learner's picture

@dataclass(frozen=True)
class Guess:
    seen: np.ndarray          # the picture as the model sees it: (H, W) or (H, W, 3) uint8
    probs: list[float]        # one probability per class
    best: str                 # the most likely class


def classify_picture(model: nn.Module, image: Image.Image, shape: tuple[int, int, int], classes: tuple[str, ...],
                     invert: bool | None = None) -> Guess:
    """Shrink and recolour a picture like the data set's images, then the model's class probabilities."""
    pixels = image_to_pixels(image, shape, invert)  # (1, C, H, W) uint8
    probs = predict_proba(model, pixels.to(device_of(model)))[0].cpu()
    return Guess(display_image(pixels[0]), probs.tolist(), classes[int(probs.argmax())])


# ---------------------------------------------------------------- the two demos

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


@dataclass(frozen=True)
class ModesDemo:
    train_probs: list[list[float]]  # (repeats, classes): three forward passes in model.train()
    eval_probs: list[float]         # one forward pass in model.eval()
    label: str                      # the true class of the image
    differ: bool                    # the model has dropout or batch norm, so the modes disagree


def modes_demo(model: nn.Module, spec: ModelSpec, data: ImageSet, repeats: int = 3, seed: int = 0) -> ModesDemo:
    """model.train() vs model.eval() on the first test image."""
    train_p, eval_p = dropout_demo(model, data.test_x[:1].to(device_of(model)), repeats, seed)
    return ModesDemo(train_p.tolist(), eval_p.tolist(), data.test_label(0), modes_differ(spec, model))


@dataclass(frozen=True)
class LossDemo:
    scores: list[list[float]]  # z: raw scores of one image, 3 classes
    target: list[int]          # y
    cross_entropy: float       # CrossEntropyLoss(z, y)
    nll_of_log_softmax: float  # NLLLoss(log_softmax(z), y): the same number


def loss_demo(scores: tuple[float, ...] = (2.0, 0.5, -1.0), target: int = 0) -> LossDemo:
    """CrossEntropyLoss on raw scores and NLLLoss on their log-softmax, side by side."""
    z, y = torch.tensor([scores]), torch.tensor([target])
    ce = nn.CrossEntropyLoss()(z, y).item()
    nll = nn.NLLLoss()(torch.log_softmax(z, 1), y).item()
    return LossDemo(z.tolist(), y.tolist(), ce, nll)
