"""Every setting of the augmentation page, with its widget range: the page reads defaults and ranges from here.

The parameters of each transform are not here: they come from the registry's specs (`lib.augment.registry`).
"""
from __future__ import annotations

from dataclasses import dataclass

from lib.augment.normalise import NORMALISE_PRESETS
from lib.augment.registry import REGISTRY
from lib.common.settings import setting

BOX_EDGE = {"lo": 0.0, "hi": 1.0, "step": 0.01}  # box edges are fractions of the image's width or height


@dataclass(frozen=True)
class AugmentConfig:
    """Defaults the page reads; one place for every number."""

    # a 2x4 grid shows the spread of a random pipeline; past 32 draws it gets slow on a shared CPU
    n_draws: int = setting(8, lo=1, hi=32, step=1, param="n")
    seed: int = setting(0, lo=0, hi=2**31 - 1, step=1, param="seed")  # in the link: the grid comes out the same
    add_name: str = setting(next(iter(REGISTRY)), options=tuple(REGISTRY))  # the "Add a transform" picker
    normalise: str = setting(next(iter(NORMALISE_PRESETS)), options=tuple(NORMALISE_PRESETS), param="norm")
    boxes: bool = setting(False, param="boxes")  # the box-and-mask grid costs a second sample: off until asked for
    # the box, as fractions: left, top, right, bottom; in the link as bx=x0,x1 and by=y0,y1 (one range slider each)
    box_x0: float = setting(0.3, **BOX_EDGE)
    box_y0: float = setting(0.1, **BOX_EDGE)
    box_x1: float = setting(0.7, **BOX_EDGE)
    box_y1: float = setting(0.55, **BOX_EDGE)
    max_side: int = 1024      # uploads are shrunk to this before anything runs
    columns: int = 4          # grid columns on the page
    hist_bins: int = 64
    max_json_chars: int = 200_000
    max_link_chars: int = 1000  # a pipeline packed for a link (zlib + base64url); longer: the JSON file instead
    max_steps: int = 64        # longer pipelines (from a file or a link) are refused: each draw runs every step
    default_pipeline: tuple[str, ...] = ("RandomResizedCrop", "RandomHorizontalFlip", "ColorJitter")

    @property
    def box(self) -> tuple[float, float, float, float]:
        """The default box: (x0, y0, x1, y1) as fractions of the width and height."""
        return self.box_x0, self.box_y0, self.box_x1, self.box_y1
