"""A pretrained network cut in two: a frozen prefix that runs once per image (its output is cached) and the last
block, frozen in stage 1 and fine-tuned in stage 2; then global pooling into one feature vector per image.

- VGG19 (offline): the shared embedded copy (lib.common.vgg): prefix conv1_1..pool4, block conv5_1 + ReLU, 64 px.
- ResNet-18 / ResNet-50 (torchvision ImageNet weights): prefix conv1..layer3, block layer4, with their own
  transforms (resize, centre crop 224, ImageNet mean/std). Only when the weights are already in the torch hub
  cache, or when the caller allows a download (an explicit button for online users): never on the offline path.

The prefix and the weights are shared read-only between sessions; a strategy that fine-tunes gets its own copy of
the block (`trainable_block`).
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from lib.common.messages import LearnerError
from lib.common.vgg import IMAGENET, LAYER_NAMES, Normalization, VGGFeatures, layer_index

VGG_PX = 64           # the measured recipe: Fashion-MNIST's 28 px pictures upscaled to 64 px
VGG_CUT = "conv5_1"   # the block; the prefix is everything before it (conv1_1..pool4)
RESNETS = ("resnet18", "resnet50")


@dataclass
class Backbone:
    """A frozen prefix, the last block and how images are prepared for them."""

    key: str
    source: str                  # which weights, for the page
    prefix: nn.Module            # frozen, shared: never trained
    block: nn.Module             # frozen and shared too; `trainable_block` copies it for fine-tuning
    normalization: Normalization
    resize: int                  # images are resized to this (square)...
    crop: int                    # ...then centre-cropped to this: the backbone's own transforms
    prefix_layers: tuple[str, ...]  # names of the prefix's layers, for the table of what trains
    block_name: str

    def prepare(self, images: torch.Tensor) -> torch.Tensor:
        """uint8 (N, C, H, W), grey or RGB -> normalised float (N, 3, crop, crop) on the prefix's device."""
        device = next(self.prefix.parameters()).device
        x = images.to(device).float() / 255
        x = x.expand(-1, 3, -1, -1) if x.shape[1] == 1 else x  # grey -> 3 equal channels
        x = F.interpolate(x, size=(self.resize, self.resize), mode="bilinear", antialias=True, align_corners=False)
        top = (self.resize - self.crop) // 2
        x = x[:, :, top:top + self.crop, top:top + self.crop]
        return self.normalization.apply(x)

    @torch.no_grad()
    def maps(self, images: torch.Tensor) -> torch.Tensor:
        """The prefix's output for a batch of uint8 images: what is computed once and cached."""
        return self.prefix(self.prepare(images))

    def feature_dim(self) -> int:
        return feature_size(self)


def pool(block_out: torch.Tensor, maps: torch.Tensor) -> torch.Tensor:
    """One vector per image: global mean and max of the block's output and of its input (the prefix's maps),
    square-rooted and L2-normalised so that a few large activations do not dominate. (N, C, h, w) -> (N, 2C + 2C')."""
    parts = [block_out.mean((2, 3)), block_out.amax((2, 3)), maps.mean((2, 3)), maps.amax((2, 3))]
    x = torch.cat(parts, 1).clamp_min(0)
    return F.normalize((x + 1e-6).sqrt(), dim=1)


@torch.no_grad()
def feature_size(backbone: Backbone) -> int:
    """Length of the pooled feature vector (one blank image through prefix and block)."""
    device = next(backbone.prefix.parameters()).device
    maps = backbone.prefix(torch.zeros(1, 3, backbone.crop, backbone.crop, device=device))
    return int(pool(backbone.block(maps), maps).shape[1])


def trainable_block(backbone: Backbone) -> nn.Module:
    """This run's own copy of the last block, with gradients on: fine-tuning never touches the shared weights."""
    block = copy.deepcopy(backbone.block)
    return block.requires_grad_(True)


def train_mode(block: nn.Module) -> None:
    """Training mode for fine-tuning, but batch norm keeps its ImageNet statistics: re-estimating them from a few
    dozen pictures would undo what pretraining learnt."""
    block.train()
    for m in block.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            m.eval()


# ---------------------------------------------------------------- VGG19 (offline)

def from_vgg(features: VGGFeatures) -> Backbone:
    """The shared VGG19 copy (down to conv5_1) as prefix conv1_1..pool4 and block conv5_1 + ReLU."""
    cut = layer_index(VGG_CUT)
    if len(features.layers) <= cut:
        raise LearnerError("These VGG19 features stop before {layer}.", layer=VGG_CUT)
    prefix = features.layers[:cut]
    block = nn.Sequential(features.layers[cut], nn.ReLU())
    return Backbone("vgg19", features.source, prefix, block, features.normalization, VGG_PX, VGG_PX,
                    tuple(LAYER_NAMES[:cut]), "conv5_1 + relu5_1")


# ---------------------------------------------------------------- ResNet-18/50 (torchvision weights)

def resnet_weights(key: str, hub_dir: Path | None = None):
    """The torchvision weights enum entry to use: the one already cached, else the default."""
    from torchvision.models import ResNet18_Weights, ResNet50_Weights

    options = {"resnet18": [ResNet18_Weights.IMAGENET1K_V1],
               "resnet50": [ResNet50_Weights.IMAGENET1K_V2, ResNet50_Weights.IMAGENET1K_V1]}[key]
    for weights in options:
        if weights_file(weights, hub_dir).is_file():
            return weights
    return options[0]


def weights_file(weights, hub_dir: Path | None = None) -> Path:
    """Where torch hub keeps (or would keep) a torchvision weights file."""
    return Path(hub_dir or torch.hub.get_dir()) / "checkpoints" / weights.url.rsplit("/", 1)[-1]


def cached(key: str, hub_dir: Path | None = None) -> bool:
    """True when `key`'s weights need no download (VGG19 is embedded; ResNets must be in the hub cache)."""
    return key == "vgg19" or weights_file(resnet_weights(key, hub_dir), hub_dir).is_file()


def load_resnet(key: str, device: torch.device | str, allow_download: bool = False,
                hub_dir: Path | None = None) -> Backbone:
    """A torchvision ResNet with ImageNet weights from the hub cache; downloads only if `allow_download`."""
    from torchvision import models

    if key not in RESNETS:
        raise LearnerError("Unknown backbone {key}.", key=repr(key))
    weights = resnet_weights(key, hub_dir)
    path = weights_file(weights, hub_dir)
    try:
        if path.is_file():
            state = torch.load(path, map_location="cpu", weights_only=True)
        elif allow_download:
            state = weights.get_state_dict(progress=False)
        else:
            raise LearnerError("{key}'s ImageNet weights are not in the torch hub cache ({path}): press the "
                               "download button (online only), or use VGG19, which works offline.",
                               key=key, path=str(path))
    except LearnerError:
        raise
    except Exception as e:  # noqa: BLE001 - offline, a broken cache file...: one sentence for all
        raise LearnerError("{key}'s weights could not be loaded ({error}); VGG19 works offline.", key=key,
                           error=type(e).__name__) from None
    net = getattr(models, key)()
    net.load_state_dict(state)
    transforms = weights.transforms()
    return resnet_backbone(key, net.to(device), f"torchvision {key} {weights}", int(transforms.resize_size[0]),
                           int(transforms.crop_size[0]))


def resnet_backbone(key: str, net: nn.Module, source: str, resize: int = 256, crop: int = 224) -> Backbone:
    """Cut a torchvision ResNet into prefix conv1..layer3 and block layer4, frozen, eval mode."""
    net.eval().requires_grad_(False)
    names = ("conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3")
    prefix = nn.Sequential(*(getattr(net, n) for n in names))
    return Backbone(key, source, prefix, net.layer4, IMAGENET, resize, crop, names, "layer4")
