"""The tutorials' own pipelines, one click away: each sets the pipeline and the normalisation of the page.

The pipeline previews the geometric and colour steps on uint8 images; the tutorials' `ToTensor()` and
`Normalize(mean, std)` are the page's normalise section (`ToImage()` + `ToDtype(float32, scale=True)` is
`ToTensor()`'s v2 spelling), so a recipe names a normalise preset next to its steps.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lib.augment.pipeline import Step
from lib.common.messages import N_


@dataclass(frozen=True)
class Recipe:
    steps: tuple[tuple[str, dict[str, Any]], ...]  # (transform name, its parameters off the registry's defaults)
    normalise: str   # a NORMALISE_PRESETS id
    title: str       # an N_ msgid; the page translates it
    note: str        # where it comes from (an N_ msgid)
    differs: str     # how it differs from the page's default pipeline, and why (an N_ msgid)

    def pipeline(self) -> list[Step]:
        """The recipe's steps, every other parameter at the registry's default."""
        return [Step.default(name) if not params else Step(name, dict(params)) for name, params in self.steps]


# The transfer-learning tutorial's data_transforms: 'train': RandomResizedCrop(224), RandomHorizontalFlip(),
# ToTensor(), Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]); 'val': Resize(256), CenterCrop(224),
# the same ToTensor() and Normalize. The CIFAR-10 tutorial: ToTensor(), Normalize((0.5,) * 3, (0.5,) * 3), no
# augmentation at all.
RECIPES: dict[str, Recipe] = {
    "transfer_train": Recipe(
        (("RandomResizedCrop", {"size": 224}), ("RandomHorizontalFlip", {"p": 0.5})), "imagenet",
        N_("Transfer-learning tutorial: training"), N_(
            "The transfer-learning tutorial's training pipeline: `RandomResizedCrop(224)` (a random 8% to 100% "
            "of the area, aspect ratio 3/4 to 4/3, resized to 224 x 224), `RandomHorizontalFlip()` "
            "(probability 0.5), then `ToTensor()` and `Normalize([0.485, 0.456, 0.406], [0.229, 0.224, "
            "0.225])`, the ImageNet statistics its pretrained ResNet was trained with."), N_(
            "**How this differs from the default, and why.** The page's default adds `ColorJitter` so that "
            "the grid shows a colour change next to the geometric ones; the tutorial keeps colours as they "
            "are, which suits fine-tuning a network pretrained on natural colours with little data.")),
    "transfer_val": Recipe(
        (("Resize", {"size": 256}), ("CenterCrop", {"size": 224})), "imagenet",
        N_("Transfer-learning tutorial: validation"), N_(
            "The transfer-learning tutorial's validation pipeline: `Resize(256)` (the shorter side to 256 "
            "pixels), `CenterCrop(224)`, `ToTensor()` and the same ImageNet `Normalize`. Nothing is random: "
            "every draw in the grid is the same picture, as a validation image must be."), N_(
            "**How this differs from the default, and why.** No random step at all: a model is scored on the "
            "same view of each image every time, so that two evaluations can be compared. Resizing to 256 "
            "before cutting out 224 keeps the object's size close to what the random crops showed in "
            "training.")),
    "cifar": Recipe(
        (), "half", N_("CIFAR-10 tutorial: no augmentation"), N_(
            "The CIFAR-10 classifier tutorial: `ToTensor()` and `Normalize((0.5, 0.5, 0.5), (0.5, 0.5, "
            "0.5))`, which maps [0, 1] to [-1, 1]. No augmentation: every draw is the image itself."), N_(
            "**How this differs from the default, and why.** The tutorial trains a small network for two "
            "epochs, too briefly to memorise its 50,000 images, so it can do without augmentation; longer "
            "training would over-fit without the random crops and flips of the default.")),
}


def recipe(key: str) -> Recipe:
    """The recipe of an id (KeyError for an unknown one: ids come from buttons, not from links)."""
    return RECIPES[key]
