"""The page's fast default and the classic case study's recipe, one click apart, with why they differ.

A preset is a whole `StyleConfig`: choosing one on the page sets every widget to it. The recipe is the
classic tutorial's exactly (see tests/unit/style_transfer/test_style_presets.py, which compares it with the
recipe's own terms); the fast default is what this page teaches instead, measured by bench/style_transfer.py.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from lib.common.messages import N_
from lib.style_transfer.config import StyleConfig

FAST = StyleConfig()
# The case study: start from the photo, optimise ImageNet-normalised pixels with Adam(lr=0.003), style weight
# 1e6 (content weight 1) on unnormalised Grams whose squared gap is divided by C*H*W, no total variation, one
# scale. Its tiny steps need many of them: 500 here, Continue goes on.
TUTORIAL = replace(FAST, preset="tutorial", init="content", space="normalised", optimizer="adam", lr=0.003,
                   gram="classic", style_ratio=1e6, tv_weight=0.0, coarse_to_fine=False, steps=500)


@dataclass(frozen=True)
class Preset:
    config: StyleConfig
    title: str      # an N_ msgid: the page translates it
    note: str       # where it comes from (N_)
    differs: str    # how it differs from the other preset, and why (N_)


PRESETS: dict[str, Preset] = {
    "fast": Preset(FAST, N_("Fast default (this page)"), N_(
        "The page's default: a clearly stylised picture within seconds on a CPU. Start from the photo, take "
        "steps of 5 grey levels in the network's own pixel scale, paint at half size first, normalise each "
        "Gram matrix by C×H×W."), ""),
    "tutorial": Preset(TUTORIAL, N_("Tutorial recipe (classic case study)"), N_(
        "The classic case study exactly: start from the photo, optimise ImageNet-normalised pixels with Adam at "
        "learning rate 0.003, unnormalised Gram matrices whose squared gap is divided by C×H×W, style weight "
        "1e6 (content weight 1), no total variation, one scale. Its tiny steps need many of them: 500 here, "
        "and Continue goes on."), N_(
        "**How the fast default differs, and why.** (1) *Step size*: Adam moves every pixel by about its "
        "learning rate each step. The recipe's 0.003 standard deviations is about 0.17 grey levels; the default "
        "takes 5 grey levels, some 30 times more, in the network's own 0..255 scale, and clamps the picture to "
        "0..1 after each step, so a picture forms in tens of steps instead of thousands. (2) *Coarse to fine*: 20 "
        "steps at half size cost what 5 full-size steps do and paint the big strokes first. (3) *Gram "
        "normalisation*: the recipe divides the squared gap of raw Gram matrices once by C×H×W, so its style "
        "term outweighs the content term by many orders of magnitude and each layer weighs in by its size; dividing each Gram "
        "by C×H×W puts the layers on one scale, and a ratio of 10 keeps the face recognisable. (4) A small "
        "total-variation term smooths the pixel noise large steps leave. bench/style_transfer.py lets the "
        "default's technique optimise the recipe's own objective and measures how much sooner it gets there.")),
}


def preset(name: str) -> Preset:
    """The preset of an id (the fast default for an unknown id: links are checked before this)."""
    return PRESETS.get(name, PRESETS["fast"])
