"""What the page draws of a run: the decision boundary, every neuron's map, the diagram, softmax at a point."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from lib.playground.data import DOMAIN, featurize
from lib.playground.model import ACTIVATIONS
from lib.playground.training import Run


def grid_points(size: int) -> tuple[np.ndarray, torch.Tensor]:
    """The axis values and the (size*size, 2) points of a square grid over the plane."""
    axis = np.linspace(-DOMAIN, DOMAIN, size)
    a = torch.tensor(axis, dtype=torch.float32)
    gy, gx = torch.meshgrid(a, a, indexing="ij")  # rows are y, columns are x
    return axis, torch.stack([gx.reshape(-1), gy.reshape(-1)], 1)  # (size, size) -> (size*size, 2)


@torch.no_grad()
def boundary(run: Run, size: int | None = None) -> np.ndarray:
    """Class probabilities over the grid in ONE batched forward pass: (size, size, n_classes)."""
    size = size or run.cfg.grid
    _, pts = grid_points(size)
    run.model.eval()
    probs = torch.softmax(run.model(featurize(pts, run.cfg.features).to(run.device)), 1)
    return probs.reshape(size, size, -1).cpu().numpy()  # (size*size, k) -> (size, size, k)


@torch.no_grad()
def boundary_naive(run: Run, size: int) -> np.ndarray:
    """The same map one point at a time: the slow reference the benchmark compares against."""
    axis, _ = grid_points(size)
    run.model.eval()
    out = np.zeros((size, size, run.data.n_classes), dtype=np.float32)
    for i, yv in enumerate(axis):
        for j, xv in enumerate(axis):
            x = featurize(torch.tensor([[xv, yv]], dtype=torch.float32), run.cfg.features).to(run.device)
            out[i, j] = torch.softmax(run.model(x), 1)[0].cpu().numpy()
    return out


PALETTE = np.array([[245, 147, 34], [8, 119, 189], [46, 160, 67], [200, 50, 120]], dtype=np.float32)


def boundary_rgb(probs: np.ndarray) -> np.ndarray:
    """Blend class colours by probability, fading to white where the model is unsure."""
    k = probs.shape[-1]
    colour = probs @ PALETTE[:k]  # (H, W, k) @ (k, 3) -> (H, W, 3)
    confidence = (probs.max(-1, keepdims=True) - 1 / k) / (1 - 1 / k)
    rgb = 255 - confidence * (255 - colour)
    # a diverged model outputs NaN: paint it mid-grey ("no answer") rather than casting NaN to garbage
    return np.nan_to_num(rgb, nan=128.0).clip(0, 255).astype(np.uint8)


@torch.no_grad()
def neuron_maps(run: Run, size: int | None = None) -> list[tuple[str, np.ndarray]]:
    """Every hidden neuron's output over the plane: [(layer name, (neurons, size, size))]."""
    size = size or run.cfg.neuron_grid
    _, pts = grid_points(size)
    h = featurize(pts, run.cfg.features).to(run.device)
    maps = [("inputs", h.T.reshape(-1, size, size).cpu().numpy())]  # (size*size, f) -> (f, size, size)
    run.model.eval()
    layer = 0
    for module in run.model[:-1]:
        h = module(h)
        if isinstance(module, tuple(ACTIVATIONS[a] for a in ACTIVATIONS)):
            layer += 1
            maps.append((f"hidden {layer}", h.T.reshape(-1, size, size).cpu().numpy()))
    return maps


def neuron_mosaic(maps: list[tuple[str, np.ndarray]], gap: int = 2) -> tuple[np.ndarray, list[str]]:
    """Tile every neuron map into one array (rows = layers), each scaled to its own [-1, 1]; NaN gaps."""
    size = maps[0][1].shape[-1]
    cols = max(len(m) for _, m in maps)
    cell = size + gap
    out = np.full((len(maps) * cell - gap, cols * cell - gap), np.nan, dtype=np.float32)
    for r, (_, layer) in enumerate(maps):
        scale = np.abs(layer).reshape(len(layer), -1).max(1)  # (n, s, s) -> (n, s*s) -> (n,)
        for c, neuron in enumerate(layer / np.where(scale > 0, scale, 1)[:, None, None]):
            top = (len(maps) - 1 - r) * cell  # first layer at the top once the y axis points up
            out[top:top + size, c * cell:c * cell + size] = neuron
    return out, [name for name, _ in maps]


@dataclass(frozen=True)
class Diagram:
    """Nodes and weighted edges of the network, ready to draw."""

    nodes: list[tuple[float, float, str]]              # (x, y, label)
    edges: list[tuple[float, float, float, float, float]]  # (x0, y0, x1, y1, weight)


def diagram(model: nn.Module, inputs: tuple[str, ...], n_out: int) -> Diagram:
    """Layer columns of nodes; one edge per Linear weight."""
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    sizes = [len(inputs)] + [m.out_features for m in linears]
    col = [[(float(c), (n - 1) / 2 - i) for i in range(n)] for c, n in enumerate(sizes)]
    names = [list(inputs)] + [[f"h{c}.{i}" for i in range(n)] for c, n in enumerate(sizes[1:-1], 1)]
    names.append([f"class {i}" for i in range(n_out)])
    nodes = [(x, y, names[c][i]) for c, column in enumerate(col) for i, (x, y) in enumerate(column)]
    edges = []
    for c, lin in enumerate(linears):
        w = lin.weight.detach().cpu()
        for i, j in np.ndindex(*w.shape):  # weight[i, j] connects input j to output i
            edges.append((*col[c][j], *col[c + 1][i], float(w[i, j])))
    return Diagram(nodes, edges)


@torch.no_grad()
def softmax_at(run: Run, point: tuple[float, float]) -> dict[str, np.ndarray]:
    """Logits -> exp -> probabilities at one point, step by step, plus torch.softmax to compare."""
    x = featurize(torch.tensor([point], dtype=torch.float32), run.cfg.features).to(run.device)
    run.model.eval()
    logits = run.model(x)[0].double().cpu()
    shifted = logits - logits.max()  # subtracting the max changes nothing but avoids overflow
    exp = shifted.exp()
    return {"logits": logits.numpy(), "exp": exp.numpy(), "probs": (exp / exp.sum()).numpy(),
            "torch": torch.softmax(logits, 0).numpy()}


def points_by_class(run: Run) -> list[tuple[str, int, np.ndarray]]:
    """(split, class, (n, 2) points) for every split and class: one scatter trace each."""
    out = []
    for split, xy, y in (("train", run.data.xy_train, run.data.y_train), ("test", run.data.xy_test, run.data.y_test)):
        out += [(split, k, xy[y == k].cpu().numpy()) for k in range(run.data.n_classes)]
    return out


def parameter_count(model: nn.Module) -> int:
    """How many numbers the optimizer trains."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
