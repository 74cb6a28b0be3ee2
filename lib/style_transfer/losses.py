"""The Gatys objective: VGG features, Gram matrices, content/style/total-variation losses."""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from lib.common.messages import LearnerError
from lib.common.vgg import VGGFeatures, layer_index
from lib.style_transfer.config import StyleConfig


def gram_matrix(features: torch.Tensor) -> torch.Tensor:
    """Channel products summed over positions, divided by C*H*W: (B, C, H, W) -> (B, C, C).

    A per-position average would divide by H*W only; this is C times smaller than that.
    """
    b, c, h, w = features.shape
    flat = features.reshape(b, c, h * w)  # (B, C, H, W) -> (B, C, H*W)
    return flat @ flat.transpose(1, 2) / (c * h * w)


def raw_gram(features: torch.Tensor) -> torch.Tensor:
    """The unnormalised Gram F F^T of the classic recipe: (B, C, H, W) -> (B, C, C)."""
    b, c, h, w = features.shape
    flat = features.reshape(b, c, h * w)  # (B, C, H, W) -> (B, C, H*W)
    return flat @ flat.transpose(1, 2)


def style_gram(features: torch.Tensor, mode: str) -> torch.Tensor:
    """The Gram a style loss compares, in the normalisation `mode` ("chw" or "classic")."""
    return gram_matrix(features) if mode == "chw" else raw_gram(features)


def style_layer_loss(features: torch.Tensor, target_gram: torch.Tensor, mode: str) -> torch.Tensor:
    """One layer's style loss: mean squared Gram gap ("chw"), or that of raw Grams divided by C*H*W ("classic")."""
    gap = F.mse_loss(style_gram(features, mode), target_gram)
    return gap if mode == "chw" else gap / features[0].numel()


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
    """The Gatys loss for one content/style pair, evaluated on images in [0, 1] units."""

    def __init__(self, features: VGGFeatures, config: StyleConfig) -> None:
        self.layers = features.layers
        self.norm = features.normalization
        self.config = config
        self.names = list(dict.fromkeys([config.content_layer, *config.style_layers]))
        if layer_index(config.deepest) >= len(self.layers):
            raise LearnerError("The loaded network stops before {layer}.", layer=config.deepest)

    def to_net(self, image01: torch.Tensor) -> torch.Tensor:
        return self.norm.apply(image01)

    def to_image(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm.invert(x)

    def features(self, image01: torch.Tensor) -> dict[str, torch.Tensor]:
        return forward_features(self.layers, self.to_net(image01), self.names, self.config.avg_pool)

    @torch.no_grad()
    def targets(self, content01: torch.Tensor, style01: torch.Tensor) -> Targets:
        """Content features of the photo and Gram matrices of the painting."""
        content = self.features(content01)[self.config.content_layer]
        style = self.features(style01)
        return Targets(content, {n: style_gram(style[n], self.config.gram) for n in self.config.style_layers})

    def losses(self, image01: torch.Tensor, targets: Targets) -> dict[str, torch.Tensor]:
        """content, style (weighted sum), tv, total and style:<layer> for an image in [0, 1] units."""
        cfg = self.config
        feats = self.features(image01)
        out = {"content": F.mse_loss(feats[cfg.content_layer], targets.content)}
        style = torch.zeros((), device=image01.device)
        for name, weight in zip(cfg.style_layers, cfg.layer_weights):
            out[f"style:{name}"] = weight * style_layer_loss(feats[name], targets.grams[name], cfg.gram)
            style = style + out[f"style:{name}"]
        out["style"] = style
        out["tv"] = tv_loss(image01 * 255.0)
        out["total"] = out["content"] + cfg.style_ratio * style + cfg.tv_weight * out["tv"]
        return out


@dataclass(frozen=True)
class GramPair:
    """One layer's Gram matrices (as the loss compares them) of the painting and of the result."""

    layer: str
    painting: torch.Tensor  # (C, C) on CPU
    result: torch.Tensor    # (C, C) on CPU
    gap: float              # the layer's style loss before its weight

    def corner(self, n: int = 64) -> tuple[torch.Tensor, torch.Tensor]:
        """The first n x n channels of both, for a heat-map a reader can take in."""
        return self.painting[:n, :n], self.result[:n, :n]


def compare_grams(features: VGGFeatures, config: StyleConfig, style01: torch.Tensor, result01: torch.Tensor,
                  layer: str, device: torch.device | str = "cpu") -> GramPair:
    """The painting's and the result's Gram of `layer`, and the style loss between them (unweighted)."""
    objective = Objective(features, config)
    with torch.no_grad():
        painting = objective.features(style01.to(device))[layer]
        result = objective.features(result01.to(device))[layer]
        gap = style_layer_loss(result, style_gram(painting, config.gram), config.gram).item()
    return GramPair(layer, style_gram(painting, config.gram)[0].cpu(), style_gram(result, config.gram)[0].cpu(), gap)
