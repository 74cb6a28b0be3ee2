"""Every setting of the transfer-learning page, with its widget range and link name, and the checks on them.

The defaults are the measured recipe: Fashion-MNIST drawn few-shot (20 labelled images per class), the embedded
VGG19 as backbone at 64 px, a logistic-regression head on cached features, then conv5_1 unfrozen with a 10x lower
learning rate than the head; against the tutorial's small CNN trained from scratch on the same images.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from lib.common.messages import N_, LearnerError
from lib.common.settings import setting

# option ids are what links carry; the labels are English msgids the page shows translated
SOURCES = {"fashion": N_("Fashion-MNIST, few-shot (offline)"),
           "own": N_("Your own classes (pictures, webcam or a zip)"),
           "cifar10": N_("CIFAR-10, few-shot (torchvision download)")}
BACKBONES = {"vgg19": N_("VGG19 (embedded weights: offline)"),
             "resnet18": N_("ResNet-18 (torchvision ImageNet weights)"),
             "resnet50": N_("ResNet-50 (torchvision ImageNet weights)")}
STRATEGIES = {"scratch": N_("From scratch"), "head": N_("Frozen backbone + new head"),
              "two_stage": N_("Two stages: head, then fine-tune")}
VIEWS = {"scratch": N_("from scratch"), "head": N_("frozen + head"), "stage1": N_("two stages: stage 1 (head)"),
         "stage2": N_("two stages: stage 2 (fine-tune)")}
PICTURES = {"file": N_("🖼️ Sample or upload"), "camera": N_("📷 Webcam"), "test": N_("🧪 A test image")}
OWN_INPUTS = {"pictures": N_("Pictures and webcam, class by class"), "zip": N_("One .zip in ImageFolder layout")}
PER_CLASS = (5, 10, 20, 50, 100, 200, 500)
TEST_SIZES = (200, 500, 1000, 2000)
RATES = (1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1)
STD_FLOOR = 0.1     # the head's standardisation: no feature's std below 0.1 x the mean std (chosen on held-out
                    # training-split images, never the test subset; 0.03-0.3 were within 0.5 point of each other)
HEAD_STEPS = (0.1, 0.3, 1.0)        # L-BFGS's first trial step; its line search then finds the actual step
SWEEP = (5, 10, 20, 50, 100)        # labelled images per class in the sample-efficiency chart
MAX_CLASSES = 10


@dataclass(frozen=True)
class TransferConfig:
    """The page's settings; widgets read their defaults and ranges from here."""

    # data and backbone
    source: str = setting("fashion", options=tuple(SOURCES), param="data")
    backbone: str = setting("vgg19", options=tuple(BACKBONES), param="backbone")  # the one that works offline
    per_class: int = setting(20, options=PER_CLASS, param="n")       # labelled training images per class
    test_images: int = setting(1000, options=TEST_SIZES, param="test")  # fixed subset: the same for every draw
    seed: int = setting(0, lo=0, hi=10_000, step=1, param="seed")    # which images are drawn, initial weights
    n_classes: int = setting(3, lo=2, hi=MAX_CLASSES, step=1, param="classes")  # your own classes
    own_input: str = setting("pictures", options=tuple(OWN_INPUTS), param="own")
    # the three strategies; the defaults were tuned on Fashion-MNIST at 5-100 images per class
    scratch_epochs: int = setting(40, lo=1, hi=100, step=1, param="ep_scratch")
    scratch_lr: float = setting(1e-3, options=RATES, param="lr_scratch")  # Adam
    head_epochs: int = setting(100, lo=10, hi=300, step=10, param="ep_head")  # L-BFGS iterations on cached features
    head_lr: float = setting(1.0, options=HEAD_STEPS, param="lr_head")  # 1: the quasi-Newton step itself
    finetune_epochs: int = setting(10, lo=1, hi=30, step=1, param="ep_ft")
    finetune_lr: float = setting(3e-5, options=RATES, param="lr_ft")  # the unfrozen block; the head gets HEAD_FACTOR x
    # views
    inspect: str = setting("stage2", options=tuple(VIEWS), param="view")
    predict_with: str = setting("two_stage", options=tuple(STRATEGIES), param="use")
    picture: str = setting("file", options=tuple(PICTURES), param="pic")   # what to classify
    test_index: int = setting(0, lo=0, hi=max(TEST_SIZES) - 1, step=1, param="img")
    top_k: int = setting(3, lo=1, hi=MAX_CLASSES, step=1, param="k")
    # fixed parts of the recipe
    scratch_px: int = 32         # the small CNN learns its own filters: larger inputs only slow it down (measured)
    batch_size: int = 32         # mini-batches of the from-scratch CNN and of the fine-tuning stage
    head_c: float = 0.1          # inverse L2 strength of the head, as scikit-learn's C: weight decay 1 / (C * n)
    head_factor: float = 10.0    # stage 2: the head learns 10x faster than the block it sits on


def _names() -> type:
    """Your own classes' names, one text field each (empty: "Class n")."""
    fields = [(f"name{i}", str, setting("", param=f"c{i}")) for i in range(1, MAX_CLASSES + 1)]
    return dataclasses.make_dataclass("ClassNames", fields, frozen=True)


ClassNames = _names()


def val_per_class(per_class: int) -> int:
    """Labelled images per class held out for validation (picking the best checkpoint): a quarter, at least 2."""
    return max(2, per_class // 4)


def head_weight_decay(cfg: TransferConfig, n_train: int) -> float:
    """The head's L2 strength for `n_train` images: logistic regression's 1 / (C n), so it fades as data grows."""
    return 1.0 / (cfg.head_c * max(1, n_train))


def class_names(names: list[str]) -> tuple[str, ...]:
    """Your classes' names, checked: none empty, no two the same (ignoring case and spaces)."""
    clean = tuple(n.strip() for n in names)
    if any(not n for n in clean):
        raise LearnerError("Every class needs a name.")
    seen: dict[str, str] = {}
    for name in clean:
        if name.casefold() in seen:
            raise LearnerError("Two classes are called {name}: give each class its own name.", name=repr(name))
        seen[name.casefold()] = name
    if len(clean) < 2:
        raise LearnerError("A classifier needs at least 2 classes.")
    return clean
