"""Data augmentation with torchvision `transforms.v2`: a data-driven catalogue of transforms,
pipelines built from plain specs, seeded previews, JSON round trip and code export.

The page never names a transform itself: every widget is generated from `REGISTRY`
(one table of transform name -> parameter specs, as in albumentations-demo).
"""
from __future__ import annotations

import inspect
import json
import threading
import warnings
from dataclasses import dataclass, field
from typing import Any

import torch
from torchvision import tv_tensors
from torchvision.transforms import v2
from torchvision.utils import draw_bounding_boxes, draw_segmentation_masks

from lib.augment_kernels import EXACT_FASTER
from lib.common.device import seed_device


@dataclass(frozen=True)
class AugmentConfig:
    """Defaults the page reads; one place for every number."""

    n_draws: int = 8          # a 2x4 grid: enough to see the spread of a random pipeline
    max_draws: int = 32       # more gets slow on a shared CPU and does not teach more
    seed: int = 0
    max_side: int = 1024      # uploads are shrunk to this before anything runs
    columns: int = 4          # grid columns on the page
    hist_bins: int = 64
    box: tuple[float, float, float, float] = (0.3, 0.1, 0.7, 0.55)  # x0, y0, x1, y1 as fractions
    max_json_chars: int = 200_000
    default_pipeline: tuple[str, ...] = ("RandomResizedCrop", "RandomHorizontalFlip", "ColorJitter")


# ---------------------------------------------------------------- parameter specs


@dataclass(frozen=True)
class ParamSpec:
    """One constructor argument of a transform and how to draw its widget."""

    name: str
    kind: str                 # "int" | "float" | "bool" | "choice" | "pair"
    default: Any
    low: float | None = None
    high: float | None = None
    step: float | None = None
    options: tuple = ()
    enum: str | None = None   # choice values are members of v2.<enum>
    ordered: bool = True      # pairs: (min, max) that must not be reversed
    integer: bool = False     # pairs of whole numbers (sizes, JPEG quality)
    labels: tuple[str, str] = ("min", "max")  # pairs: what the two numbers are
    help: str = ""

    def to_kwarg(self, value: Any) -> Any:
        """The value as the transform's constructor wants it."""
        if self.kind == "pair":
            return tuple(int(v) if self.integer else float(v) for v in value)
        if self.enum:
            return getattr(getattr(v2, self.enum), value)
        return value

    def to_code(self, value: Any) -> str:
        """The value as Python source."""
        if self.kind == "pair":
            a, b = self.to_kwarg(value)
            return f"({a!r}, {b!r})"
        if self.enum:
            return f"v2.{self.enum}.{value}"
        return repr(value)

    def validate(self, value: Any) -> Any:
        """Check a value from JSON; returns it in canonical form or raises ValueError."""
        if self.kind == "bool":
            if not isinstance(value, bool):
                raise ValueError(f"'{self.name}' must be true or false, not {value!r}.")
            return value
        if self.kind == "choice":
            if value not in self.options:
                raise ValueError(f"'{self.name}' must be one of {list(self.options)}, not {value!r}.")
            return value
        if self.kind == "pair":
            if not isinstance(value, (list, tuple)) or len(value) != 2:
                raise ValueError(f"'{self.name}' must be a pair [min, max], not {value!r}.")
            return tuple(self._number(v, self.integer) for v in value)
        return self._number(value)

    def _number(self, value: Any, integer: bool = False) -> float | int:
        integer = integer or self.kind == "int"
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"'{self.name}' must be a number, not {value!r}.")
        if integer and value != int(value):
            raise ValueError(f"'{self.name}' must be a whole number, not {value!r}.")
        if not (self.low <= value <= self.high):
            raise ValueError(f"'{self.name}' must be between {self.low:g} and {self.high:g}, not {value!r}.")
        return int(value) if integer else float(value)


def _p(default: float = 0.5) -> ParamSpec:
    return ParamSpec("p", "float", default, 0.0, 1.0, 0.05, help="probability of applying it")


def _size(default: int = 224) -> ParamSpec:
    return ParamSpec("size", "int", default, 1, 2048, 8, help="output side in pixels")


def _pair(name: str, default: tuple, low: float, high: float, step: float, **kw: Any) -> ParamSpec:
    return ParamSpec(name, "pair", default, low, high, step, **kw)


_INTERP = ("BILINEAR", "NEAREST", "BICUBIC")


def _interp(default: str = "BILINEAR") -> ParamSpec:
    options = (default,) + tuple(o for o in _INTERP if o != default)
    return ParamSpec("interpolation", "choice", default, options=options, enum="InterpolationMode",
                     help="how new pixels are computed from old ones")


def _fill() -> ParamSpec:
    return ParamSpec("fill", "int", 0, 0, 255, 1, help="grey level of pixels that come from outside the image")


_PAD_MODE = ParamSpec("padding_mode", "choice", "constant", options=("constant", "edge", "reflect", "symmetric"),
                      help="constant = fill colour; edge = repeat the border; reflect/symmetric = mirror it")


@dataclass(frozen=True)
class TransformSpec:
    """A transform of the catalogue: its parameters, whether it is random, a one-line doc."""

    name: str
    doc: str
    params: tuple[ParamSpec, ...] = ()
    random: bool = True       # deterministic ones run once for the whole grid
    group: str = "Colour"

    def param(self, name: str) -> ParamSpec:
        """The spec of one parameter by name."""
        return next(p for p in self.params if p.name == name)

    def defaults(self) -> dict[str, Any]:
        """Parameter name -> default value."""
        return {p.name: p.default for p in self.params}


def _spec(name: str, group: str, doc: str, *params: ParamSpec, random: bool = True) -> TransformSpec:
    return TransformSpec(name, doc, tuple(params), random, group)


_G, _C, _A = "Geometry", "Colour", "Automatic policies"
_SPECS = [
    _spec("Resize", _G, "Resize so the shorter side is `size` pixels (keeps the aspect ratio).",
          ParamSpec("size", "int", 256, 1, 2048, 8), _interp(),
          ParamSpec("antialias", "bool", True, help="smooth before shrinking, avoids aliasing"), random=False),
    _spec("CenterCrop", _G, "Cut out the central `size` x `size` square (pads with black if too small).",
          _size(), random=False),
    _spec("Pad", _G, "Add a border of `padding` pixels on every side.",
          ParamSpec("padding", "int", 32, 0, 512, 1), _fill(), _PAD_MODE, random=False),
    _spec("RandomCrop", _G, "Cut out a `size` x `size` square at a random position.",
          _size(), ParamSpec("padding", "int", 0, 0, 512, 1, help="pad before cropping"),
          ParamSpec("pad_if_needed", "bool", False, help="pad when the image is smaller than the crop"),
          _fill(), _PAD_MODE),
    _spec("RandomResizedCrop", _G, "Crop a random area and aspect ratio, then resize it to `size`: "
          "the classic ImageNet training crop.", _size(),
          _pair("scale", (0.08, 1.0), 0.01, 1.0, 0.01, help="fraction of the image area kept"),
          _pair("ratio", (0.75, 1.3333), 0.1, 10.0, 0.05, help="aspect ratio range of the crop"), _interp()),
    _spec("RandomHorizontalFlip", _G, "Mirror left-right with probability `p`.", _p()),
    _spec("RandomVerticalFlip", _G, "Mirror top-bottom with probability `p`.", _p()),
    _spec("RandomRotation", _G, "Rotate by an angle drawn uniformly from `degrees`.",
          _pair("degrees", (-30.0, 30.0), -360.0, 360.0, 1.0), _interp("NEAREST"),
          ParamSpec("expand", "bool", False, help="grow the canvas so no corner is cut"), _fill()),
    _spec("RandomAffine", _G, "Random rotation, shift, zoom and shear in one affine warp.",
          _pair("degrees", (-15.0, 15.0), -360.0, 360.0, 1.0),
          _pair("translate", (0.1, 0.1), 0.0, 1.0, 0.05, ordered=False, labels=("x", "y"),
                help="largest shift as a fraction of width, height"),
          _pair("scale", (0.9, 1.1), 0.05, 5.0, 0.05), _pair("shear", (-10.0, 10.0), -89.0, 89.0, 1.0),
          _interp("NEAREST"), _fill()),
    _spec("RandomPerspective", _G, "Move the corners randomly, as if seen from another viewpoint.",
          ParamSpec("distortion_scale", "float", 0.5, 0.0, 1.0, 0.05), _p(), _interp(), _fill()),
    _spec("ElasticTransform", _G, "Displace pixels with a smooth random field, like a rubber sheet.",
          ParamSpec("alpha", "float", 50.0, 0.0, 500.0, 5.0, help="strength of the displacement"),
          ParamSpec("sigma", "float", 5.0, 0.1, 50.0, 0.5, help="smoothness of the displacement"),
          _interp(), _fill()),
    _spec("RandomZoomOut", _G, "Place the image on a larger canvas (zoom out), filling around it.",
          _fill(), _pair("side_range", (1.0, 4.0), 1.0, 10.0, 0.1), _p()),
    _spec("RandomResize", _G, "Resize to a random shorter side between the two sizes.",
          ParamSpec("min_size", "int", 160, 1, 2048, 8), ParamSpec("max_size", "int", 320, 2, 2048, 8), _interp()),
    _spec("RandomShortestSize", _G, "Resize so the shorter side is one of the given sizes, picked at random.",
          ParamSpec("min_size", "int", 224, 1, 2048, 8), ParamSpec("max_size", "int", 1024, 1, 4096, 8), _interp()),
    _spec("ScaleJitter", _G, "Scale the image relative to a target size by a random factor (detection recipes).",
          _pair("target_size", (256, 256), 8, 2048, 8, integer=True, ordered=False, labels=("height", "width"),
                help="(height, width) the scale is relative to"), _pair("scale_range", (0.1, 2.0), 0.01, 10.0, 0.05),
          _interp()),
    _spec("ColorJitter", _C, "Randomly change brightness, contrast, saturation and hue (factors drawn from each range).",
          _pair("brightness", (0.6, 1.4), 0.0, 5.0, 0.05, ordered=False),
          _pair("contrast", (0.6, 1.4), 0.0, 5.0, 0.05, ordered=False),
          _pair("saturation", (0.6, 1.4), 0.0, 5.0, 0.05, ordered=False),
          _pair("hue", (-0.1, 0.1), -0.5, 0.5, 0.01, ordered=False)),
    _spec("Grayscale", _C, "Convert to grey (1 channel, or 3 equal channels).",
          ParamSpec("num_output_channels", "choice", 3, options=(3, 1)), random=False),
    _spec("RandomGrayscale", _C, "Convert to grey with probability `p`.", _p(0.1)),
    _spec("GaussianBlur", _C, "Blur with a Gaussian kernel whose sigma is drawn from the range.",
          ParamSpec("kernel_size", "int", 9, 1, 101, 2, help="odd size of the kernel"),
          _pair("sigma", (0.1, 2.0), 0.01, 50.0, 0.1)),
    _spec("RandomInvert", _C, "Negative image (255 - x) with probability `p`.", _p()),
    _spec("RandomPosterize", _C, "Keep only `bits` bits per channel (fewer colours).",
          ParamSpec("bits", "int", 3, 0, 8, 1), _p()),
    _spec("RandomSolarize", _C, "Invert the pixels brighter than `threshold`.",
          ParamSpec("threshold", "float", 128.0, 0.0, 255.0, 1.0), _p()),
    _spec("RandomAdjustSharpness", _C, "Sharpen (factor > 1) or soften (< 1) with probability `p`.",
          ParamSpec("sharpness_factor", "float", 3.0, 0.0, 20.0, 0.5), _p()),
    _spec("RandomAutocontrast", _C, "Stretch each channel to use the full 0..255 range.", _p()),
    _spec("RandomEqualize", _C, "Equalise the histogram so every grey level is equally common.", _p()),
    _spec("RandomChannelPermutation", _C, "Shuffle the colour channels (RGB -> BRG...)."),
    _spec("RandomPhotometricDistort", _C, "SSD's colour distortion: jitter and channel shuffle, each with prob. `p`.",
          _p()),
    _spec("JPEG", _C, "Re-encode as JPEG with a random quality: compression artefacts.",
          _pair("quality", (20, 80), 1, 100, 1, integer=True)),
    _spec("RGB", _C, "Make sure the image has 3 channels (grey is repeated).", random=False),
    _spec("RandomErasing", _C, "Blank out a random rectangle (Cutout): teaches the model to use the whole image.",
          _p(), _pair("scale", (0.02, 0.33), 0.001, 1.0, 0.01, help="fraction of the area erased"),
          _pair("ratio", (0.3, 3.3), 0.05, 20.0, 0.05), ParamSpec("value", "int", 0, 0, 255, 1)),
    _spec("AutoAugment", _A, "Apply one of the learned sub-policies of the AutoAugment paper.",
          ParamSpec("policy", "choice", "IMAGENET", options=("IMAGENET", "CIFAR10", "SVHN"), enum="AutoAugmentPolicy"),
          _interp("NEAREST"), _fill()),
    _spec("RandAugment", _A, "Apply `num_ops` random operations, all with the same strength `magnitude`.",
          ParamSpec("num_ops", "int", 2, 0, 10, 1), ParamSpec("magnitude", "int", 9, 0, 100, 1),
          ParamSpec("num_magnitude_bins", "int", 31, 2, 101, 1), _interp("NEAREST"), _fill()),
    _spec("TrivialAugmentWide", _A, "Apply one random operation with a random strength: no parameters to tune.",
          ParamSpec("num_magnitude_bins", "int", 31, 2, 101, 1), _interp("NEAREST"), _fill()),
    _spec("AugMix", _A, "Mix several chains of random operations with the original (robustness).",
          ParamSpec("severity", "int", 3, 1, 10, 1), ParamSpec("mixture_width", "int", 3, 1, 10, 1),
          ParamSpec("chain_depth", "int", -1, -1, 10, 1, help="-1: a random depth 1..3"),
          ParamSpec("alpha", "float", 1.0, 0.01, 10.0, 0.1), ParamSpec("all_ops", "bool", True), _interp()),
]
REGISTRY: dict[str, TransformSpec] = {s.name: s for s in _SPECS}

# v2 classes that are deliberately not in the previewer, and why (the coverage check reads this).
NOT_PREVIEWED: dict[str, str] = {
    **dict.fromkeys(["Compose", "RandomApply", "RandomChoice", "RandomOrder"],
                    "a container of other transforms: the pipeline builder plays this role"),
    **dict.fromkeys(["ToImage", "PILToTensor", "ToTensor", "ToPILImage", "ToPureTensor", "ToDtype",
                     "ConvertImageDtype", "Normalize"], "a conversion: see 'To tensor and normalise'"),
    **dict.fromkeys(["ClampBoundingBoxes", "ConvertBoundingBoxFormat", "SanitizeBoundingBoxes",
                     "ClampKeyPoints", "SanitizeKeyPoints", "SetClampingMode"], "bookkeeping for boxes/key points"),
    **dict.fromkeys(["MixUp", "CutMix"], "mixes the images and labels of a whole batch"),
    **dict.fromkeys(["FiveCrop", "TenCrop"], "returns several images, not one"),
    "Lambda": "runs arbitrary user code",
    "Identity": "does nothing",
    "Transform": "the base class",
    "LinearTransformation": "needs a whitening matrix fitted on a data set",
    "RandomIoUCrop": "needs bounding boxes in every call (detection recipes)",
    "UniformTemporalSubsample": "for videos",
    "GaussianNoise": "needs float images; the preview works on uint8",
}


def v2_transform_names() -> list[str]:
    """Every public `transforms.v2` transform class of the installed torchvision."""
    return sorted(n for n, o in vars(v2).items() if inspect.isclass(o) and issubclass(o, v2.Transform))


def uncovered_transforms() -> list[str]:
    """v2 transforms neither in REGISTRY nor in NOT_PREVIEWED: new torchvision releases show up here."""
    return [n for n in v2_transform_names() if n not in REGISTRY and n not in NOT_PREVIEWED]


# ---------------------------------------------------------------- pipelines


@dataclass
class Step:
    """One entry of the user's pipeline (plain data: session state and JSON hold it)."""

    name: str
    params: dict[str, Any] = field(default_factory=dict)
    enabled: bool = True

    @classmethod
    def default(cls, name: str) -> Step:
        """A step with the registry's default parameters."""
        return cls(name, REGISTRY[name].defaults())


def default_pipeline() -> list[Step]:
    """The pipeline the page starts with."""
    return [Step.default(n) for n in AugmentConfig().default_pipeline]


def _check_pairs(spec: TransformSpec, params: dict[str, Any]) -> None:
    for p in spec.params:
        if p.kind == "pair" and p.ordered and params[p.name][0] > params[p.name][1]:
            lo, hi = params[p.name]
            raise ValueError(f"{p.name}: the minimum ({lo:g}) is larger than the maximum ({hi:g}).")


def build_transform(step: Step, faster: bool = True) -> v2.Transform:
    """The v2 transform of one step; raises ValueError with torchvision's reason if it is rejected.

    `faster` swaps in the page's bit-exact faster subclasses (`lib.augment_kernels`); the exported
    code names the plain v2 class, which gives the same output.
    """
    spec = REGISTRY[step.name]
    params = {**spec.defaults(), **step.params}
    _check_pairs(spec, params)
    kwargs = {p.name: p.to_kwarg(params[p.name]) for p in spec.params}
    cls = getattr(v2, step.name)
    try:
        return (EXACT_FASTER.get(step.name, cls) if faster else cls)(**kwargs)
    except (ValueError, TypeError) as e:
        raise ValueError(str(e)) from e


@dataclass
class Built:
    """The runnable part of a pipeline: (step index, transform, is random) plus per-step errors."""

    transforms: list[tuple[int, v2.Transform, bool]]
    errors: dict[int, str]


def build_pipeline(steps: list[Step]) -> Built:
    """Build every enabled step; a rejected step is reported and left out, the rest still run."""
    built, errors = [], {}
    for i, step in enumerate(steps):
        if not step.enabled:
            continue
        try:
            built.append((i, build_transform(step), REGISTRY[step.name].random))
        except ValueError as e:
            errors[i] = str(e)
    return Built(built, errors)


# ---------------------------------------------------------------- sampling

# v2 transforms draw from the global torch generator, which all Streamlit sessions (threads)
# share. fork_rng restores it afterwards; the lock stops two sessions' draws interleaving.
_RNG_LOCK = threading.Lock()


def _fork_devices() -> list[int]:
    return list(range(torch.cuda.device_count())) if torch.cuda.is_initialized() else []


def _seed_draw(seed: int, device: torch.device) -> None:
    """What the exported code's `torch.manual_seed` does for these draws, at a fraction of its cost.

    Transforms draw their parameters from the CPU generator, and pixel noise from the image's device.
    """
    torch.default_generator.manual_seed(seed)
    if device.type != "cpu":
        seed_device(device, seed)


def _device_of(x: Any) -> torch.device:
    """The device of an image, or of a sample dict's first tensor."""
    tensors = [v for v in (x.values() if isinstance(x, dict) else [x]) if isinstance(v, torch.Tensor)]
    return tensors[0].device if tensors else torch.device("cpu")


def _apply(transform: v2.Transform, x: Any, index: int, errors: dict[int, str]) -> Any:
    """Run one step; on failure note torchvision's reason and pass the input through."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "passing through BoundingBoxes" is expected
            return transform(x)
    except Exception as e:  # noqa: BLE001 - any torchvision rejection is shown, not raised
        errors.setdefault(index, f"{type(e).__name__}: {e}")
        return x


def _split(transforms: list) -> tuple[list, list, list]:
    """(deterministic prefix, middle, deterministic suffix) of the pipeline."""
    random_at = [k for k, (_, _, rnd) in enumerate(transforms) if rnd]
    if not random_at:
        return transforms, [], []
    return transforms[:random_at[0]], transforms[random_at[0]:random_at[-1] + 1], transforms[random_at[-1] + 1:]


def _suffix(outs: list, suffix: list, errors: dict[int, str]) -> list:
    """Deterministic tail: one batched call when all draws have the same shape."""
    batchable = all(isinstance(o, torch.Tensor) and o.shape == outs[0].shape for o in outs)
    if not batchable:
        return [_run(o, suffix, errors) for o in outs]
    batch = torch.stack([o.as_subclass(torch.Tensor) for o in outs])  # N x (C, H, W) -> (N, C, H, W)
    batch = _run(batch, suffix, errors)
    return list(batch.unbind(0))


def _run(x: Any, transforms: list, errors: dict[int, str]) -> Any:
    for index, transform, _ in transforms:
        x = _apply(transform, x, index, errors)
    return x


@dataclass
class Draws:
    """N random draws of a pipeline and the reasons of steps that failed while running."""

    outputs: list[Any]
    errors: dict[int, str]


def sample(x: Any, built: Built, n: int, seed: int) -> Draws:
    """Draw `n` outputs; draw i uses `torch.manual_seed(seed + i)`, exactly like the exported code.

    The deterministic head of the pipeline runs once for all draws and the deterministic tail
    once on the stacked batch, so the per-draw work is only the random middle.
    """
    errors: dict[int, str] = {}
    head, middle, tail = _split(built.transforms)
    with _RNG_LOCK, torch.random.fork_rng(devices=_fork_devices()):
        x = _run(x, head, errors)
        device, outs = _device_of(x), []
        for i in range(n):
            _seed_draw(seed + i, device)
            outs.append(_run(x, middle, errors))
    if tail:
        outs = _suffix(outs, tail, errors)
    return Draws(outs, errors)


def step_by_step(x: Any, built: Built, seed: int, index: int = 0) -> list[tuple[int, Any]]:
    """Draw `index` of `sample` again, keeping the output after every step: [(step index, output)]."""
    errors: dict[int, str] = {}
    frames = []
    with _RNG_LOCK, torch.random.fork_rng(devices=_fork_devices()):
        _seed_draw(seed + index, _device_of(x))  # the head is deterministic, so seeding first is the same
        for i, transform, _ in built.transforms:
            x = _apply(transform, x, i, errors)
            frames.append((i, x))
    return frames


# ---------------------------------------------------------------- images, boxes, masks


def to_uint8_image(pil_image: Any, device: torch.device) -> tv_tensors.Image:
    """PIL RGB -> (3, H, W) uint8 `tv_tensors.Image` on `device`.

    `to_image` returns a (3, H, W) view of the (H, W, 3) pixels. That channels-last layout makes
    resizing ~4x faster; the colour kernels of `lib.augment_kernels` work on planes (one copy).
    """
    return v2.functional.to_image(pil_image).to(device)


def to_display(x: torch.Tensor) -> torch.Tensor:
    """Any image output -> (3, H, W) uint8 on the CPU, ready for PIL/st.image."""
    x = x.detach().as_subclass(torch.Tensor).cpu()
    if x.shape[0] == 1:
        x = x.expand(3, -1, -1)  # (1, H, W) -> (3, H, W): grey shown as grey
    return x


def boxed_sample(image: torch.Tensor, box: tuple[float, float, float, float]) -> dict[str, Any]:
    """The image with a box (fractions x0, y0, x1, y1) and an elliptic mask inside it, as tv_tensors."""
    h, w = image.shape[-2:]
    x0, y0, x1, y1 = box
    if not (0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1):
        raise ValueError("The box needs x0 < x1 and y0 < y1, all between 0 and 1.")
    xyxy = torch.tensor([[x0 * w, y0 * h, x1 * w, y1 * h]])
    boxes = tv_tensors.BoundingBoxes(xyxy, format="XYXY", canvas_size=(h, w), device=image.device)
    ys = torch.linspace(0, 1, h, device=image.device)[:, None]  # (H, 1)
    xs = torch.linspace(0, 1, w, device=image.device)[None, :]  # (1, W)
    cx, cy, rx, ry = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2
    inside = ((xs - cx) / rx) ** 2 + ((ys - cy) / ry) ** 2 <= 1  # (H, W) ellipse
    return {"image": tv_tensors.Image(image), "boxes": boxes, "mask": tv_tensors.Mask(inside.to(torch.uint8))}


def draw_annotations(s: dict[str, Any]) -> torch.Tensor:
    """Image of a boxed sample with its mask (cyan) and box (yellow) drawn on it: (3, H, W) uint8."""
    image = to_display(s["image"])
    mask = s["mask"].as_subclass(torch.Tensor).cpu().bool()
    image = draw_segmentation_masks(image, mask, alpha=0.4, colors="cyan")
    boxes = s["boxes"].as_subclass(torch.Tensor).cpu().float()
    return draw_bounding_boxes(image, boxes, colors="yellow", width=max(2, image.shape[-1] // 100))


# ---------------------------------------------------------------- to tensor and normalise

NORMALISE_PRESETS: dict[str, tuple[tuple[float, ...], tuple[float, ...]] | None] = {
    "0.5 / 0.5 (classic examples: maps [0, 1] to [-1, 1])": ((0.5, 0.5, 0.5), (0.5, 0.5, 0.5)),
    "ImageNet statistics (pretrained models)": ((0.485, 0.456, 0.406), (0.229, 0.224, 0.225)),
    "This image's own statistics (gives mean 0, std 1)": None,
}


def to_float(image: torch.Tensor) -> torch.Tensor:
    """uint8 (3, H, W) -> float32 in [0, 1], as `ToImage()` + `ToDtype(float32, scale=True)` do."""
    return v2.ToDtype(torch.float32, scale=True)(v2.ToImage()(image)).as_subclass(torch.Tensor)


def channel_stats(x: torch.Tensor) -> tuple[list[float], list[float]]:
    """Per-channel mean and (population) std of a (C, H, W) tensor."""
    flat = x.detach().cpu().flatten(1).double()  # (C, H, W) -> (C, H*W); float64 on CPU for exact stats
    return flat.mean(1).tolist(), flat.std(1, correction=0).tolist()


def normalise(x01: torch.Tensor, mean: tuple[float, ...], std: tuple[float, ...]) -> torch.Tensor:
    """x' = (x - mean) / std per channel, with `v2.Normalize`."""
    if min(std) <= 0:
        raise ValueError("Every std must be positive: normalising divides by it.")
    return v2.Normalize(list(mean), list(std))(x01)


def channel_histograms(x: torch.Tensor, bins: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(bin centres (bins,), counts (C, bins)) over the common value range of all channels."""
    lo, hi = float(x.min()), float(x.max())
    hi = hi if hi > lo else lo + 1.0
    counts = torch.stack([torch.histc(c.float().cpu(), bins, lo, hi) for c in x])
    edges = torch.linspace(lo, hi, bins + 1)
    return (edges[:-1] + edges[1:]) / 2, counts


def normalise_code(mean: tuple[float, ...], std: tuple[float, ...]) -> str:
    """Runnable code for the normalise section."""
    m, s = ", ".join(f"{v:.4f}" for v in mean), ", ".join(f"{v:.4f}" for v in std)
    return f'''import torch
from PIL import Image
from torchvision.transforms import v2

image = Image.open("photo.png").convert("RGB")  # PIL image, 0..255
to_model_input = v2.Compose([
    v2.ToImage(),
    v2.ToDtype(torch.float32, scale=True),  # 0..255 -> 0..1
    v2.Normalize(mean=[{m}], std=[{s}]),  # x' = (x - mean) / std
])
x = to_model_input(image)
print("mean per channel", x.mean(dim=(1, 2)))
print("std per channel ", x.std(dim=(1, 2)))
'''


# ---------------------------------------------------------------- export / import


def step_code(step: Step) -> str:
    """`v2.Name(arg=value, ...)` for one step."""
    spec = REGISTRY[step.name]
    params = {**spec.defaults(), **step.params}
    args = ", ".join(f"{p.name}={p.to_code(params[p.name])}" for p in spec.params)
    return f"v2.{step.name}({args})"


def step_summary(step: Step, limit: int = 3) -> str:
    """A short `name=value` list of the first parameters, for a step's title."""
    spec = REGISTRY[step.name]
    params = {**spec.defaults(), **step.params}
    parts = [f"{p.name}={p.to_code(params[p.name]).replace('v2.', '')}" for p in spec.params[:limit]]
    return ", ".join(parts) + (", …" if len(spec.params) > limit else "")


def pipeline_code(steps: list[Step], errors: dict[int, str] | None = None) -> str:
    """`v2.Compose([...])` source; disabled or rejected (build `errors`) steps stay as comments."""
    lines = []
    for i, step in enumerate(steps):
        if not step.enabled:
            lines.append(f"    # {step_code(step)},  # switched off")
        elif errors and i in errors:
            lines.append(f"    # {step_code(step)},  # rejected: {errors[i].splitlines()[0]}")
        else:
            lines.append(f"    {step_code(step)},")
    return "v2.Compose([\n" + "\n".join(lines) + "\n])" if lines else "v2.Compose([])"


def export_code(steps: list[Step], seed: int, n: int, build_errors: dict[int, str] | None = None,
                image_path: str = "photo.png") -> str:
    """A standalone script producing the page's grid: draw i is seeded with `seed + i`."""
    return f'''import torch
from PIL import Image
from torchvision.transforms import v2
from torchvision.utils import save_image

pipeline = {pipeline_code(steps, build_errors)}

image = v2.functional.to_image(Image.open({image_path!r}).convert("RGB"))  # (3, H, W) uint8: v2 works on uint8
SEED, N = {seed}, {n}
draws = []
for i in range(N):
    torch.manual_seed(SEED + i)  # one seed per draw: draw i can be reproduced on its own
    draws.append(pipeline(image))
for i, draw in enumerate(draws):
    save_image(draw.float() / 255, f"draw_{{i}}.png")
print([tuple(d.shape) for d in draws])
'''


def to_json(steps: list[Step]) -> str:
    """The pipeline as JSON that `from_json` reads back."""
    data = {"format": "pytorch-explainer/augment", "version": 1,
            "pipeline": [{"name": s.name, "enabled": s.enabled, "params": _jsonable(s.params)} for s in steps]}
    return json.dumps(data, indent=2)


def _jsonable(params: dict[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}


def from_json(text: str) -> list[Step]:
    """Parse and validate a pipeline; raises ValueError saying what is wrong."""
    if len(text) > AugmentConfig().max_json_chars:
        raise ValueError("This file is too large to be a pipeline.")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"This is not valid JSON ({e.msg}, line {e.lineno}).") from e
    except RecursionError:  # thousands of nested brackets exhaust the parser's stack
        raise ValueError("This JSON is nested far too deeply to be a pipeline.") from None
    items = data.get("pipeline") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ValueError('Expected {"pipeline": [...]}: a list of transforms.')
    return [_step_from_json(i + 1, item) for i, item in enumerate(items)]


def _step_from_json(number: int, item: Any) -> Step:
    if not isinstance(item, dict) or not isinstance(item.get("name"), str):
        raise ValueError(f"Step {number}: expected an object with a \"name\".")
    spec = REGISTRY.get(item["name"])
    if spec is None:
        raise ValueError(f"Step {number}: unknown transform {item['name']!r}.")
    params = item.get("params", {})
    if not isinstance(params, dict):
        raise ValueError(f"Step {number} ({spec.name}): \"params\" must be an object.")
    unknown = sorted(set(params) - {p.name for p in spec.params})
    if unknown:
        raise ValueError(f"Step {number} ({spec.name}): unknown parameter(s) {', '.join(unknown)}.")
    try:
        values = {p.name: p.validate(params[p.name]) if p.name in params else p.default for p in spec.params}
    except ValueError as e:
        raise ValueError(f"Step {number} ({spec.name}): {e}") from e
    enabled = item.get("enabled", True)
    if not isinstance(enabled, bool):
        raise ValueError(f"Step {number} ({spec.name}): \"enabled\" must be true or false.")
    return Step(spec.name, values, enabled)
