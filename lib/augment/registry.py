"""The catalogue of `transforms.v2` transforms the previewer offers, and the check that it covers them all.

`REGISTRY` maps a transform name to its `TransformSpec`; `NOT_PREVIEWED` lists the v2 classes left out
on purpose, with the reason, so a new torchvision release shows up in `uncovered_transforms()`.
"""
from __future__ import annotations

import inspect
from typing import Any

from torchvision.transforms import v2

from lib.augment.specs import ParamSpec, TransformSpec
from lib.common.messages import N_


def _p(default: float = 0.5) -> ParamSpec:
    return ParamSpec("p", "float", default, 0.0, 1.0, 0.05, help=N_("probability of applying it"))


def _size(default: int = 224) -> ParamSpec:
    return ParamSpec("size", "int", default, 1, 2048, 8, help=N_("output side in pixels"))


def _pair(name: str, default: tuple, low: float, high: float, step: float, **kw: Any) -> ParamSpec:
    return ParamSpec(name, "pair", default, low, high, step, **kw)


_INTERP = ("BILINEAR", "NEAREST", "BICUBIC")


def _interp(default: str = "BILINEAR") -> ParamSpec:
    options = (default,) + tuple(o for o in _INTERP if o != default)
    return ParamSpec("interpolation", "choice", default, options=options, enum="InterpolationMode",
                     help=N_("how new pixels are computed from old ones"))


def _fill() -> ParamSpec:
    return ParamSpec("fill", "int", 0, 0, 255, 1, help=N_("grey level of pixels that come from outside the image"))


_PAD_MODE = ParamSpec("padding_mode", "choice", "constant", options=("constant", "edge", "reflect", "symmetric"),
                      help=N_("constant = fill colour; edge = repeat the border; reflect/symmetric = mirror it"))


def _spec(name: str, group: str, doc: str, *params: ParamSpec, random: bool = True) -> TransformSpec:
    return TransformSpec(name, doc, tuple(params), random, group)


_G, _C, _A = N_("Geometry"), N_("Colour"), N_("Automatic policies")
_SPECS = [
    _spec("Resize", _G, N_("Resize so the shorter side is `size` pixels (keeps the aspect ratio)."),
          ParamSpec("size", "int", 256, 1, 2048, 8), _interp(),
          ParamSpec("antialias", "bool", True, help=N_("smooth before shrinking, avoids aliasing")), random=False),
    _spec("CenterCrop", _G, N_("Cut out the central `size` x `size` square (pads with black if too small)."),
          _size(), random=False),
    _spec("Pad", _G, N_("Add a border of `padding` pixels on every side."),
          ParamSpec("padding", "int", 32, 0, 512, 1), _fill(), _PAD_MODE, random=False),
    _spec("RandomCrop", _G, N_("Cut out a `size` x `size` square at a random position."),
          _size(), ParamSpec("padding", "int", 0, 0, 512, 1, help=N_("pad before cropping")),
          ParamSpec("pad_if_needed", "bool", False, help=N_("pad when the image is smaller than the crop")),
          _fill(), _PAD_MODE),
    _spec("RandomResizedCrop", _G, N_("Crop a random area and aspect ratio, then resize it to `size`: "
          "the classic ImageNet training crop."), _size(),
          _pair("scale", (0.08, 1.0), 0.01, 1.0, 0.01, help=N_("fraction of the image area kept")),
          _pair("ratio", (0.75, 1.3333), 0.1, 10.0, 0.05, help=N_("aspect ratio range of the crop")), _interp()),
    _spec("RandomHorizontalFlip", _G, N_("Mirror left-right with probability `p`."), _p()),
    _spec("RandomVerticalFlip", _G, N_("Mirror top-bottom with probability `p`."), _p()),
    _spec("RandomRotation", _G, N_("Rotate by an angle drawn uniformly from `degrees`."),
          _pair("degrees", (-30.0, 30.0), -360.0, 360.0, 1.0), _interp("NEAREST"),
          ParamSpec("expand", "bool", False, help=N_("grow the canvas so no corner is cut")), _fill()),
    _spec("RandomAffine", _G, N_("Random rotation, shift, zoom and shear in one affine warp."),
          _pair("degrees", (-15.0, 15.0), -360.0, 360.0, 1.0),
          _pair("translate", (0.1, 0.1), 0.0, 1.0, 0.05, ordered=False, labels=("x", "y"),
                help=N_("largest shift as a fraction of width, height")),
          _pair("scale", (0.9, 1.1), 0.05, 5.0, 0.05), _pair("shear", (-10.0, 10.0), -89.0, 89.0, 1.0),
          _interp("NEAREST"), _fill()),
    _spec("RandomPerspective", _G, N_("Move the corners randomly, as if seen from another viewpoint."),
          ParamSpec("distortion_scale", "float", 0.5, 0.0, 1.0, 0.05), _p(), _interp(), _fill()),
    _spec("ElasticTransform", _G, N_("Displace pixels with a smooth random field, like a rubber sheet."),
          ParamSpec("alpha", "float", 50.0, 0.0, 500.0, 5.0, help=N_("strength of the displacement")),
          ParamSpec("sigma", "float", 5.0, 0.1, 50.0, 0.5, help=N_("smoothness of the displacement")),
          _interp(), _fill()),
    _spec("RandomZoomOut", _G, N_("Place the image on a larger canvas (zoom out), filling around it."),
          _fill(), _pair("side_range", (1.0, 4.0), 1.0, 10.0, 0.1), _p()),
    _spec("RandomResize", _G, N_("Resize to a random shorter side between the two sizes."),
          ParamSpec("min_size", "int", 160, 1, 2048, 8), ParamSpec("max_size", "int", 320, 2, 2048, 8), _interp()),
    _spec("RandomShortestSize", _G, N_("Resize so the shorter side is one of the given sizes, picked at random."),
          ParamSpec("min_size", "int", 224, 1, 2048, 8), ParamSpec("max_size", "int", 1024, 1, 4096, 8), _interp()),
    _spec("ScaleJitter", _G, N_("Scale the image relative to a target size by a random factor (detection recipes)."),
          _pair("target_size", (256, 256), 8, 2048, 8, integer=True, ordered=False, labels=(N_("height"), N_("width")),
                help=N_("(height, width) the scale is relative to")),
          _pair("scale_range", (0.1, 2.0), 0.01, 10.0, 0.05),
          _interp()),
    _spec("ColorJitter", _C,
          N_("Randomly change brightness, contrast, saturation and hue (factors drawn from each range)."),
          _pair("brightness", (0.6, 1.4), 0.0, 5.0, 0.05, ordered=False),
          _pair("contrast", (0.6, 1.4), 0.0, 5.0, 0.05, ordered=False),
          _pair("saturation", (0.6, 1.4), 0.0, 5.0, 0.05, ordered=False),
          _pair("hue", (-0.1, 0.1), -0.5, 0.5, 0.01, ordered=False)),
    _spec("Grayscale", _C, N_("Convert to grey (1 channel, or 3 equal channels)."),
          ParamSpec("num_output_channels", "choice", 3, options=(3, 1)), random=False),
    _spec("RandomGrayscale", _C, N_("Convert to grey with probability `p`."), _p(0.1)),
    _spec("GaussianBlur", _C, N_("Blur with a Gaussian kernel whose sigma is drawn from the range."),
          ParamSpec("kernel_size", "int", 9, 1, 101, 2, help=N_("odd size of the kernel")),
          _pair("sigma", (0.1, 2.0), 0.01, 50.0, 0.1)),
    _spec("RandomInvert", _C, N_("Negative image (255 - x) with probability `p`."), _p()),
    _spec("RandomPosterize", _C, N_("Keep only `bits` bits per channel (fewer colours)."),
          ParamSpec("bits", "int", 3, 0, 8, 1), _p()),
    _spec("RandomSolarize", _C, N_("Invert the pixels brighter than `threshold`."),
          ParamSpec("threshold", "float", 128.0, 0.0, 255.0, 1.0), _p()),
    _spec("RandomAdjustSharpness", _C, N_("Sharpen (factor > 1) or soften (< 1) with probability `p`."),
          ParamSpec("sharpness_factor", "float", 3.0, 0.0, 20.0, 0.5), _p()),
    _spec("RandomAutocontrast", _C, N_("Stretch each channel to use the full 0..255 range."), _p()),
    _spec("RandomEqualize", _C, N_("Equalise the histogram so every grey level is equally common."), _p()),
    _spec("RandomChannelPermutation", _C, N_("Shuffle the colour channels (RGB -> BRG...).")),
    _spec("RandomPhotometricDistort", _C,
          N_("SSD's colour distortion: jitter and channel shuffle, each with prob. `p`."),
          _p()),
    _spec("JPEG", _C, N_("Re-encode as JPEG with a random quality: compression artefacts."),
          _pair("quality", (20, 80), 1, 100, 1, integer=True)),
    _spec("RGB", _C, N_("Make sure the image has 3 channels (grey is repeated)."), random=False),
    _spec("RandomErasing", _C, N_("Blank out a random rectangle (Cutout): teaches the model to use the whole image."),
          _p(), _pair("scale", (0.02, 0.33), 0.001, 1.0, 0.01, help=N_("fraction of the area erased")),
          _pair("ratio", (0.3, 3.3), 0.05, 20.0, 0.05), ParamSpec("value", "int", 0, 0, 255, 1)),
    _spec("AutoAugment", _A, N_("Apply one of the learned sub-policies of the AutoAugment paper."),
          ParamSpec("policy", "choice", "IMAGENET", options=("IMAGENET", "CIFAR10", "SVHN"), enum="AutoAugmentPolicy"),
          _interp("NEAREST"), _fill()),
    _spec("RandAugment", _A, N_("Apply `num_ops` random operations, all with the same strength `magnitude`."),
          ParamSpec("num_ops", "int", 2, 0, 10, 1), ParamSpec("magnitude", "int", 9, 0, 100, 1),
          ParamSpec("num_magnitude_bins", "int", 31, 2, 101, 1), _interp("NEAREST"), _fill()),
    _spec("TrivialAugmentWide", _A, N_("Apply one random operation with a random strength: no parameters to tune."),
          ParamSpec("num_magnitude_bins", "int", 31, 2, 101, 1), _interp("NEAREST"), _fill()),
    _spec("AugMix", _A, N_("Mix several chains of random operations with the original (robustness)."),
          ParamSpec("severity", "int", 3, 1, 10, 1), ParamSpec("mixture_width", "int", 3, 1, 10, 1),
          ParamSpec("chain_depth", "int", -1, -1, 10, 1, help=N_("-1: a random depth 1..3")),
          ParamSpec("alpha", "float", 1.0, 0.01, 10.0, 0.1), ParamSpec("all_ops", "bool", True), _interp()),
]
REGISTRY: dict[str, TransformSpec] = {s.name: s for s in _SPECS}

# v2 classes that are deliberately not in the previewer, and why (the coverage check reads this).
NOT_PREVIEWED: dict[str, str] = {
    **dict.fromkeys(["Compose", "RandomApply", "RandomChoice", "RandomOrder"],
                    N_("a container of other transforms: the pipeline builder plays this role")),
    **dict.fromkeys(["ToImage", "PILToTensor", "ToTensor", "ToPILImage", "ToPureTensor", "ToDtype",
                     "ConvertImageDtype", "Normalize"], N_("a conversion: see 'To tensor and normalise'")),
    **dict.fromkeys(["ClampBoundingBoxes", "ConvertBoundingBoxFormat", "SanitizeBoundingBoxes",
                     "ClampKeyPoints", "SanitizeKeyPoints", "SetClampingMode"], N_("bookkeeping for boxes/key points")),
    **dict.fromkeys(["MixUp", "CutMix"], N_("mixes the images and labels of a whole batch")),
    **dict.fromkeys(["FiveCrop", "TenCrop"], N_("returns several images, not one")),
    "Lambda": N_("runs arbitrary user code"),
    "Identity": N_("does nothing"),
    "Transform": N_("the base class"),
    "LinearTransformation": N_("needs a whitening matrix fitted on a data set"),
    "RandomIoUCrop": N_("needs bounding boxes in every call (detection recipes)"),
    "UniformTemporalSubsample": N_("for videos"),
    "GaussianNoise": N_("needs float images; the preview works on uint8"),
}


def v2_transform_names() -> list[str]:
    """Every public `transforms.v2` transform class of the installed torchvision."""
    return sorted(n for n, o in vars(v2).items() if inspect.isclass(o) and issubclass(o, v2.Transform))


def uncovered_transforms() -> list[str]:
    """v2 transforms neither in REGISTRY nor in NOT_PREVIEWED: new torchvision releases show up here."""
    return [n for n in v2_transform_names() if n not in REGISTRY and n not in NOT_PREVIEWED]
