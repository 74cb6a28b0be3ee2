"""Why transfer works, in one picture: the same images projected to 2-D by PCA, as raw pixels and as backbone
features. Classes that overlap as pixels form separate clouds as features. A nearest-neighbour classifier
(leave-one-out, in the full space) puts a number on it."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

RAW_SIDE = 32        # raw pixels are compared at most at 32 x 32 (your photos are 160 px: 76,800 numbers each)
MAX_POINTS = 600


@dataclass(frozen=True)
class Projection:
    raw: np.ndarray              # (N, 2) PCA coordinates of the pixels
    features: np.ndarray         # (N, 2) PCA coordinates of the backbone features
    labels: np.ndarray           # (N,)
    raw_explained: tuple[float, float]      # share of the variance each axis keeps
    features_explained: tuple[float, float]
    raw_nn_acc: float            # leave-one-out 1-nearest-neighbour accuracy in the full space
    features_nn_acc: float


def pca_2d(x: torch.Tensor) -> tuple[np.ndarray, tuple[float, float]]:
    """The first two principal components of the rows of `x` (N, D) and the share of variance they explain.

    Centred SVD; each axis's sign is fixed (largest loading positive), so the picture does not flip between runs.
    """
    x = x.double() - x.double().mean(0)
    u, s, vh = torch.linalg.svd(x, full_matrices=False)
    signs = torch.sign(vh[:2].gather(1, vh[:2].abs().argmax(1, keepdim=True))).squeeze(1)
    coords = u[:, :2] * s[:2] * signs  # (N, 2)
    share = (s**2 / (s**2).sum().clamp_min(1e-12))[:2]
    return coords.numpy(), (float(share[0]), float(share[1]))


def nearest_neighbour_accuracy(x: torch.Tensor, labels: torch.Tensor) -> float:
    """Leave-one-out 1-NN accuracy: how often an image's closest other image (Euclidean) has its class."""
    if len(labels) < 2:
        return float("nan")
    d = torch.cdist(x.double(), x.double())
    d.fill_diagonal_(float("inf"))
    return (labels[d.argmin(1)] == labels).double().mean().item()


def raw_pixels(images: torch.Tensor) -> torch.Tensor:
    """uint8 (N, C, H, W) -> (N, C*h*w) floats in 0..1, shrunk to at most RAW_SIDE px."""
    x = images.float() / 255
    if x.shape[-1] > RAW_SIDE:
        x = F.interpolate(x, size=(RAW_SIDE, RAW_SIDE), mode="bilinear", antialias=True, align_corners=False)
    return x.flatten(1)  # (N, C, h, w) -> (N, C*h*w)


def subsample(n: int, labels: torch.Tensor, most: int = MAX_POINTS) -> torch.Tensor:
    """At most `most` indices, spread evenly over the classes (the first of each class's images)."""
    if n <= most:
        return torch.arange(n)
    k = int(labels.max()) + 1
    per = max(1, most // k)
    return torch.cat([(labels == c).nonzero().squeeze(1)[:per] for c in range(k)])


def project(images: torch.Tensor, features: torch.Tensor, labels: torch.Tensor) -> Projection:
    """Both projections and both nearest-neighbour scores for the same images."""
    idx = subsample(len(labels), labels.cpu())
    raw, feats, y = raw_pixels(images[idx]), features[idx.to(features.device)].cpu(), labels.cpu()[idx]
    raw_xy, raw_share = pca_2d(raw)
    feat_xy, feat_share = pca_2d(feats)
    return Projection(raw_xy, feat_xy, y.numpy(), raw_share, feat_share, nearest_neighbour_accuracy(raw, y),
                      nearest_neighbour_accuracy(feats, y))
