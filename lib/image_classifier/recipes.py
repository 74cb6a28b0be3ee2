"""Each preset's whole recipe: the network (models.PRESETS) plus how the case study trains it.

Choosing a preset on the page sets the model widgets and the training widgets to its recipe, so a
tutorial's exact setup is one click away, next to the page's faster default. Every recipe says where it
comes from and, where it differs from the default, how and why.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from lib.common.messages import N_
from lib.image_classifier.models import DEFAULT_PRESET, PRESETS, ModelSpec
from lib.image_classifier.training import TrainConfig, optimizer_defaults


@dataclass(frozen=True)
class Recipe:
    spec: ModelSpec      # the network
    train: TrainConfig   # how it trains: optimizer, rate, schedule, batch, epochs
    note: str = ""       # where it comes from, or what it teaches (an N_ msgid; the page translates it)
    differs: str = ""    # how it differs from the page's default, and why (an N_ msgid)


BASE = TrainConfig()  # the page's default: Adam at its own default rate, batch 64, 5 epochs, constant rate

# The first case study's recipe, as its code has it: nn.Linear(784, 128) -> sigmoid -> nn.Linear(128, 10) on
# raw scores with CrossEntropyLoss; SGD(lr=0.01, momentum=0.9, nesterov=True, weight_decay=1e-6); batch 256
# from an 80/20 SubsetRandomSampler split; epochs 1 to 10.
TUTORIAL_MLP = replace(BASE, optimizer="sgd", lr=0.01, momentum=0.9, nesterov=True, weight_decay=1e-6,
                       batch_size=256, epochs=10)
# Batch norm lets the convolutions take a high rate; one-cycle warms up to it and anneals to ~0. Measured
# by bench/image_classifier.py: >= 91% Fashion-MNIST test accuracy within 60 s on 2 CPU cores.
FAST_CNN = replace(BASE, lr=3e-3, batch_size=128, epochs=5, schedule="onecycle")

RECIPES: dict[str, Recipe] = {
    "mlp_sigmoid": Recipe(
        PRESETS["mlp_sigmoid"], TUTORIAL_MLP,
        N_("The first case study exactly: `nn.Linear(784, 128)`, sigmoid, `nn.Linear(128, 10)`, "
           "CrossEntropyLoss on raw scores; SGD with lr 0.01, Nesterov momentum 0.9 and weight decay 1e-6; "
           "batch 256; 10 epochs. The tutorial trains on MNIST: pick MNIST (torchvision download) or the "
           "offline 5k subset above to match it."),
        N_("**How this differs from the page's default, and why.** The default swaps sigmoid for ReLU (a "
           "sigmoid's slope is at most 0.25 and almost 0 when it saturates, so gradients shrink on the way "
           "back; ReLU passes them on unchanged), SGD for Adam (Adam gives every weight its own step size, so "
           "it learns fast without tuning the rate), batch 256 for 64 (four times as many updates per epoch) "
           "and adds a second hidden layer with dropout. Weight decay 1e-6 barely changes weights of this "
           "size: it is there because the recipe has it. Train both and compare them in the table of runs.")),
    "mlp": Recipe(PRESETS["mlp"], BASE, N_("The page's default: quick to train and a good first result on "
                                           "Fashion-MNIST.")),
    "mnist_cnn": Recipe(
        PRESETS["mnist_cnn"], BASE,
        N_("The CNN case study's plain recipe: two convolutions, no batch norm, Adam at a constant rate. "
           "Compare it with the fast CNN preset.")),
    "fast_cnn": Recipe(
        PRESETS["fast_cnn"], FAST_CNN,
        N_("What reaches 91% test accuracy on Fashion-MNIST in under a minute on two CPU cores: three small "
           "3×3 convolution blocks, each followed by **batch norm**, and a **one-cycle** learning-rate "
           "schedule (watch the learning-rate curve)."),
        N_("**How this differs from the plain recipe, and why.** Batch norm re-centres and re-scales each "
           "channel over the batch, so every layer sees inputs of a steady size whatever the layers before it "
           "do: training tolerates a three times higher learning rate (0.003 instead of 0.001). One-cycle "
           "starts at a 25th of that rate, warms up to it over the first 30% of the steps (a high rate from "
           "the very first step can throw fresh weights off course), then lowers it smoothly to almost 0, so "
           "the last epochs settle into a minimum instead of bouncing around it. Batch 128 halves the number "
           "of steps per epoch. Untick batch norm or set the schedule to constant to see what each adds.")),
    "lenet": Recipe(PRESETS["lenet"], BASE),
    "cifar_cnn": Recipe(PRESETS["cifar_cnn"], BASE),
    "vgg": Recipe(PRESETS["vgg"], BASE),
}
assert set(RECIPES) == set(PRESETS), "every preset needs its recipe"


def recipe(preset: str) -> Recipe:
    """The recipe of a preset id (the default's for an unknown id: links are checked before this)."""
    return RECIPES.get(preset, RECIPES[DEFAULT_PRESET])


def train_defaults(preset: str, optimizer: str) -> TrainConfig:
    """The training settings the widgets start from: the recipe's, with the optimizer's own default rate
    when the learner switched to the other optimizer."""
    train = recipe(preset).train
    return train if optimizer == train.optimizer else optimizer_defaults(train, optimizer)
