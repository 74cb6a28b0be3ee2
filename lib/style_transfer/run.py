"""A learner's style run, kept in their session between reruns: settings, pictures, progress, the result."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace

import torch

from lib.common.vgg import VGGFeatures
from lib.style_transfer.config import StyleConfig
from lib.style_transfer.images import luminance_image
from lib.style_transfer.losses import GramPair, compare_grams
from lib.style_transfer.optimise import StepResult, stylize


@dataclass
class StyleRun:
    """One press of Start (or Continue): what it optimises and everything it has produced so far.

    The page stores the run in the session *before* driving `steps()`, so a stopped run keeps its
    last picture and curves.
    """

    config: StyleConfig
    content01: torch.Tensor               # (1, 3, H, W) in [0, 1] at the output size
    style01: torch.Tensor                 # (1, 3, H, W), resized and cropped to the same shape
    names: tuple[str, str]                # what the content and style pictures are called
    source: str                           # which VGG19 weights were used (a Message: the page translates it)
    start01: torch.Tensor | None = None   # (1, 3, H, W) start picture when continuing a run
    image: torch.Tensor | None = None     # (3, H, W) the latest picture
    history: list[StepResult] = field(default_factory=list)  # every step's losses (images dropped)
    done: bool = False
    error: str | None = None              # why the run stopped early (already in the reader's language)
    grams: dict[tuple[str, int], GramPair] = field(default_factory=dict, repr=False)  # (layer, steps) -> pair

    def __post_init__(self) -> None:
        if self.start01 is not None and self.image is None:
            self.image = self.start01[0]

    def steps(self, features: VGGFeatures, device: torch.device | str) -> Iterator[StepResult]:
        """The optimisation, recording every step here as it goes."""
        for result in stylize(features, self.content01, self.style01, self.config, device, start01=self.start01):
            if result.image is not None:
                self.image = result.image
            self.history.append(replace(result, image=None))  # previews are kept only as the latest picture
            yield result
        self.done = True

    @property
    def shape(self) -> tuple[int, int]:
        """(H, W) of the output."""
        return tuple(self.content01.shape[-2:])

    def can_continue(self, shape: tuple[int, int]) -> bool:
        """Whether a picture of this (H, W) exists to go on from."""
        return self.image is not None and tuple(self.image.shape[-2:]) == tuple(shape)

    def continued(self, config: StyleConfig, content01: torch.Tensor, style01: torch.Tensor,
                  names: tuple[str, str], source: str) -> StyleRun:
        """A new run that starts from this run's picture at full size (no second coarse pass)."""
        return StyleRun(replace(config, coarse_to_fine=False), content01, style01, names, source,
                        start01=self.image.unsqueeze(0).clone())

    def style_target(self) -> torch.Tensor:
        """The painting as the loss saw it: its luminance, matched to the photo's, when keeping colours."""
        if self.config.keep_colors:
            return luminance_image(self.style01, like=self.content01)
        return self.style01

    def gram_pair(self, features: VGGFeatures, layer: str, device: torch.device | str = "cpu") -> GramPair:
        """The painting's and the current picture's Gram of `layer`, computed once per layer and picture
        (every rerun of the page shows them; two VGG passes each time would make every click heavy)."""
        key = (layer, len(self.history))
        if key not in self.grams:
            self.grams = {k: v for k, v in self.grams.items() if k[1] == key[1]}  # drop older pictures' pairs
            self.grams[key] = compare_grams(features, self.config, self.style_target(), self.image.unsqueeze(0),
                                            layer, device)
        return self.grams[key]

    def loss_rows(self) -> list[dict[str, float]]:
        """One row per step: step, seconds and every loss, for charts and tables."""
        return [{"step": r.step, "seconds": r.seconds, **r.losses} for r in self.history]
