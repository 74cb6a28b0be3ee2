"""Every setting of one style-transfer run, with the widget ranges and link names the page reads."""
from __future__ import annotations

from dataclasses import dataclass

from lib.common.messages import LearnerError
from lib.common.settings import setting
from lib.common.vgg import CONV_LAYERS, layer_index

STYLE_LAYERS = ("conv1_1", "conv2_1", "conv3_1", "conv4_1", "conv5_1")
STYLE_LAYER_WEIGHTS = (1.0, 0.8, 0.25, 0.21, 0.18)  # the classic case study's per-layer weights
OTHER_LAYER_WEIGHT = 0.2                            # a style layer the case study does not weigh
INITS = ("content", "noise", "style")
OPTIMIZERS = ("adam", "lbfgs")
# Where the optimised pixels live. "pixels": the network's own input (0..255 minus the mean for the Caffe
# weights), the learning rate in grey levels per step, the picture clamped to [0, 1] after each Adam step.
# "normalised": ImageNet-normalised pixels (x - mean) / std, the rate in those units, no clamping: the recipe.
SPACES = ("pixels", "normalised")
# How a layer's style loss is normalised. "chw": Gram = F F^T / (C*H*W), then the mean squared gap.
# "classic": the unnormalised Gram F F^T, the mean squared gap divided once by C*H*W (the case study's).
GRAMS = ("chw", "classic")
PRESETS = ("fast", "tutorial")
SIZES = (32, 64, 128, 192, 256, 320, 384, 512, 768, 1024, 1536, 2048)
RATIOS = (0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1e3, 3e3, 1e4, 3e4, 1e5, 3e5, 1e6, 3e6, 1e7)
TV_WEIGHTS = (0.0, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0)
LEARNING_RATES = (0.001, 0.002, 0.003, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0, 3.0, 5.0,
                  10.0, 20.0, 30.0)


@dataclass(frozen=True)
class StyleConfig:
    """Every setting of one style-transfer run; the page reads its widget defaults and ranges here."""

    preset: str = setting("fast", options=PRESETS, param="preset")  # which recipe the widgets started from
    size: int = setting(256, options=SIZES, param="size")  # longest side of the output; 512 is the GPU default
    size_gpu: int = 512
    content_layer: str = setting("conv4_2", options=CONV_LAYERS, param="content")  # keeps layout, not texture
    style_layers: tuple[str, ...] = setting(STYLE_LAYERS, options=CONV_LAYERS, param="layers")
    layer_weights: tuple[float, ...] = STYLE_LAYER_WEIGHTS  # follows style_layers (see weights_for)
    gram: str = setting("chw", options=GRAMS, param="gram")
    style_ratio: float = setting(10.0, options=RATIOS, param="ratio")  # style weight / content weight: 10 keeps the face
    tv_weight: float = setting(1e-3, options=TV_WEIGHTS, param="tv")  # total variation on the 0..255 image
    init: str = setting("content", options=INITS, param="init")  # the photo keeps its layout from step 0
    keep_colors: bool = setting(False, param="colors")  # transfer luminance only, keep the photo's chroma
    space: str = setting("pixels", options=SPACES, param="space")
    optimizer: str = setting("adam", options=OPTIMIZERS, param="opt")
    lr: float = setting(5.0, options=LEARNING_RATES, param="lr")  # pixels: 5 grey levels (0..255) per step
    steps: int = setting(30, lo=1, hi=2000, step=1, param="steps")  # at full size: ~25 s of 2 cores at 256 px
    coarse_to_fine: bool = setting(True, param="coarse")  # half size first: 4x cheaper steps for big strokes
    coarse_steps: int = setting(20, lo=1, hi=2000, step=1, param="coarse_steps")  # 20: full size starts sooner (bench)
    preview_every: int = setting(5, lo=1, hi=100, step=1, param="preview")
    seed: int = setting(0, lo=0, hi=2**31 - 1, step=1, param="seed")  # only the noise start is random
    avg_pool: bool = False          # Gatys suggest avg-pool; max-pool kept (the weights' own), no gain measured
    max_aspect: float = 2.5         # wider images are centre-cropped to this ratio

    def validate(self) -> None:
        """Raise a LearnerError (a ValueError) with a plain sentence if a setting cannot work."""
        for name in (self.content_layer, *self.style_layers):
            if name not in CONV_LAYERS:
                raise LearnerError("{name} is not a VGG19 conv layer; use names like conv4_2.", name=repr(name))
        if not self.style_layers:
            raise LearnerError("Pick at least one style layer: without one there is no style to copy.")
        if len(self.layer_weights) != len(self.style_layers):
            raise LearnerError("Give one weight per style layer.")
        if self.init not in INITS or self.optimizer not in OPTIMIZERS or self.space not in SPACES \
                or self.gram not in GRAMS:
            raise LearnerError("Unknown start, optimiser, pixel space or Gram normalisation.")
        if self.size < 32 or self.steps < 1 or self.lr <= 0:
            raise LearnerError("Use a size of at least 32 px, at least one step and a positive learning rate.")

    @property
    def deepest(self) -> str:
        """The deepest layer used: the network is cut just after it."""
        return max([self.content_layer, *self.style_layers], key=layer_index)

    @property
    def total_steps(self) -> int:
        return self.steps + (self.coarse_steps if self.coarse_to_fine else 0)


def weights_for(layers: tuple[str, ...] | list[str]) -> tuple[float, ...]:
    """Per-layer style weights: the case study's for its five layers, OTHER_LAYER_WEIGHT for the rest."""
    known = dict(zip(STYLE_LAYERS, STYLE_LAYER_WEIGHTS))
    return tuple(known.get(name, OTHER_LAYER_WEIGHT) for name in layers)


def ordered_layers(layers: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Style layers in network order, without repeats (a multiselect keeps the order of clicks)."""
    return tuple(sorted(dict.fromkeys(layers), key=CONV_LAYERS.index))
