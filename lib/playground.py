"""A 2-D classifier playground: toy data sets, a small MLP built from a spec, one training step,
and the grids that draw its decision boundary and every hidden neuron.

The classic first PyTorch classifier (two Gaussian clouds around (2, 2) and (-2, -2), a
`Net(2, 10, 2)`, SGD lr 0.02, `CrossEntropyLoss`) is the default; everything else is a knob on it.
"""
from __future__ import annotations

import inspect
import math
from dataclasses import dataclass, field
from typing import Callable, Iterator

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

DOMAIN = 6.0  # the plane shown is [-6, 6]^2, like TensorFlow Playground

ACTIVATIONS: dict[str, Callable[[], nn.Module]] = {
    "ReLU": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "ELU": nn.ELU,
    "LeakyReLU": nn.LeakyReLU, "GELU": nn.GELU, "linear": nn.Identity,
}
OPTIMIZERS = ("SGD", "Adam", "RMSprop")
LOSSES = ("cross-entropy", "MSE on one-hot")


@dataclass(frozen=True)
class PlaygroundConfig:
    """Every setting of the page; the widgets read their defaults from here."""

    # data
    dataset: str = "gaussian"       # the classic: two clouds around (2, 2) and (-2, -2)
    n_points: int = 400             # train + test
    noise: float = 0.3              # std of extra Gaussian jitter, in plane units
    test_fraction: float = 0.3
    n_classes: int = 2              # only clouds and spiral can have more than two
    data_seed: int = 0
    features: tuple[str, ...] = ("x", "y")
    # model
    hidden_layers: int = 1          # the classic Net has one hidden layer...
    width: int = 10                 # ...of 10 neurons
    activation: str = "ReLU"
    dropout: float = 0.0
    batch_norm: bool = False
    weight_seed: int = 0            # same seed -> same initial weights, so runs can be compared
    # training (changeable mid-run without a reset)
    optimizer: str = "SGD"
    lr: float = 0.02                # the classic tutorial's learning rate
    momentum: float = 0.0
    nesterov: bool = False
    batch_size: int = 32
    l1: float = 0.0
    l2: float = 0.0                 # weight_decay
    loss: str = "cross-entropy"
    # views (change freely while training)
    steps_per_frame: int = 10       # training steps between two redraws while playing
    grid: int = 100                 # boundary resolution (grid x grid points)
    neuron_grid: int = 32           # per-neuron maps are small, so coarser


STRUCTURE_FIELDS = ("dataset", "n_points", "noise", "test_fraction", "n_classes", "data_seed", "features",
                    "hidden_layers", "width", "activation", "dropout", "batch_norm", "weight_seed")


def structure_key(cfg: PlaygroundConfig) -> tuple:
    """The settings that need a fresh model when they change (data and architecture, seeds)."""
    return tuple(getattr(cfg, name) for name in STRUCTURE_FIELDS)


# ---------------------------------------------------------------- data sets
# Each generator is self-contained (only torch and math) so the code panel can show its source.

def gaussian(n: int, noise: float, k: int, g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """k Gaussian clouds (std 1); for k=2 the classic pair around (2, 2) and (-2, -2)."""
    y = torch.arange(n) % k
    angle = math.pi / 4 + 2 * math.pi * y / k  # k=2: 45 and 225 degrees
    centres = 2 * math.sqrt(2) * torch.stack([torch.cos(angle), torch.sin(angle)], 1)  # (n, 2)
    x = centres + torch.randn(n, 2, generator=g) * math.sqrt(1 + noise**2)
    return x, y


def circles(n: int, noise: float, k: int, g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """A disc (class 0) inside a ring (class 1)."""
    y = torch.arange(n) % 2
    u = torch.rand(n, generator=g)
    radius = torch.where(y == 0, 2.0 * u, 3.5 + 1.5 * u)
    angle = 2 * math.pi * torch.rand(n, generator=g)
    x = radius[:, None] * torch.stack([torch.cos(angle), torch.sin(angle)], 1)  # (n,) -> (n, 2)
    return x + noise * torch.randn(n, 2, generator=g), y


def xor(n: int, noise: float, k: int, g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Four quadrants: class 1 where x and y have the same sign (half the points each)."""
    y = torch.arange(n) % 2
    size = 0.3 + 4.7 * torch.rand(n, 2, generator=g)  # |x|, |y|: a small gap around the axes, as in TF Playground
    sx = torch.where(torch.rand(n, generator=g) < 0.5, -1.0, 1.0)
    sy = torch.where(y == 1, sx, -sx)
    x = size * torch.stack([sx, sy], 1)  # (n,) signs -> (n, 2)
    return x + noise * torch.randn(n, 2, generator=g), y


def moons(n: int, noise: float, k: int, g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Two interleaving half circles (scikit-learn's make_moons, scaled by 2.5)."""
    y = torch.arange(n) % 2
    t = math.pi * torch.rand(n, generator=g)
    upper = torch.stack([torch.cos(t), torch.sin(t)], 1)  # (n, 2)
    lower = torch.stack([1 - torch.cos(t), 0.5 - torch.sin(t)], 1)
    x = torch.where(y[:, None] == 0, upper, lower) - torch.tensor([0.5, 0.25])
    return 2.5 * x + noise * torch.randn(n, 2, generator=g), y


def spiral(n: int, noise: float, k: int, g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """k interleaved spiral arms (CS231n's spiral), radius up to 5."""
    y = torch.arange(n) % k
    r = torch.rand(n, generator=g)
    angle = 1.75 * 2 * math.pi * r + 2 * math.pi * y / k
    x = 5 * r[:, None] * torch.stack([torch.sin(angle), torch.cos(angle)], 1)  # (n,) -> (n, 2)
    return x + noise * torch.randn(n, 2, generator=g), y


DATASETS: dict[str, tuple[str, Callable, int]] = {  # key -> (label, generator, most classes)
    "gaussian": ("Two Gaussian clouds (the classic)", gaussian, 4),
    "circles": ("Circle in a ring", circles, 2),
    "xor": ("XOR (four quadrants)", xor, 2),
    "moons": ("Two moons", moons, 2),
    "spiral": ("Spiral", spiral, 4),
}
LINEARLY_SEPARABLE = {"gaussian"}

FEATURES: dict[str, tuple[Callable[[torch.Tensor, torch.Tensor], torch.Tensor], str]] = {
    "x": (lambda x, y: x, "x"), "y": (lambda x, y: y, "y"),
    "x²": (lambda x, y: x * x, "x * x"), "y²": (lambda x, y: y * y, "y * y"),
    "xy": (lambda x, y: x * y, "x * y"),
    "sin x": (lambda x, y: torch.sin(x), "torch.sin(x)"), "sin y": (lambda x, y: torch.sin(y), "torch.sin(y)"),
}


@dataclass
class Data:
    """Points in the plane, their features and labels, split into train and test."""

    xy_train: torch.Tensor
    y_train: torch.Tensor
    xy_test: torch.Tensor
    y_test: torch.Tensor
    n_classes: int


def validate(cfg: PlaygroundConfig) -> None:
    """Raise ValueError, in a learner's words, for settings that cannot work."""
    if cfg.dataset not in DATASETS:
        raise ValueError(f"Unknown data set {cfg.dataset!r}; pick one of {', '.join(DATASETS)}.")
    if not cfg.features:
        raise ValueError("Pick at least one input feature: the network needs something to look at.")
    if unknown := [f for f in cfg.features if f not in FEATURES]:
        raise ValueError(f"Unknown feature(s) {unknown}; choose from {', '.join(FEATURES)}.")
    if not 0 <= cfg.hidden_layers <= 6 or cfg.width < 1:
        raise ValueError("Use 0 to 6 hidden layers of at least one neuron each.")
    if not 0.0 <= cfg.dropout < 1.0:
        raise ValueError("Dropout is a probability of dropping a neuron: keep it in [0, 1).")
    if not 0.05 <= cfg.test_fraction <= 0.9 or n_train(cfg) < 2:
        raise ValueError("Keep at least 2 training points and a test fraction between 0.05 and 0.9.")
    if cfg.lr <= 0 or not math.isfinite(cfg.lr):
        raise ValueError("The learning rate must be a positive number.")
    if cfg.batch_norm and cfg.batch_size < 2:
        raise ValueError("Batch norm needs at least 2 points per batch to compute a mean and variance.")


def n_train(cfg: PlaygroundConfig) -> int:
    """How many of the points are for training."""
    return cfg.n_points - round(cfg.n_points * cfg.test_fraction)


def classes(cfg: PlaygroundConfig) -> int:
    """The number of classes this data set really has (circles, XOR and moons have two)."""
    return min(cfg.n_classes, DATASETS[cfg.dataset][2])


def make_data(cfg: PlaygroundConfig) -> Data:
    """Generate the chosen data set with its own generator and split it (shuffled) into train/test."""
    g = torch.Generator().manual_seed(cfg.data_seed)
    k = classes(cfg)
    xy, y = DATASETS[cfg.dataset][1](cfg.n_points, cfg.noise, k, g)
    order = torch.randperm(cfg.n_points, generator=g)
    xy, y = xy[order], y[order]
    m = n_train(cfg)
    return Data(xy[:m], y[:m], xy[m:], y[m:], k)


def featurize(xy: torch.Tensor, features: tuple[str, ...]) -> torch.Tensor:
    """Map points to the chosen input features."""
    x, y = xy[:, 0], xy[:, 1]
    return torch.stack([FEATURES[f][0](x, y) for f in features], 1)  # (n, 2) -> (n, len(features))


# ---------------------------------------------------------------- model

class SeededDropout(nn.Dropout):
    """nn.Dropout drawing its masks from its own generator, so a run repeats exactly for a seed."""

    def __init__(self, p: float, generator: torch.Generator) -> None:
        super().__init__(p)
        self.generator = generator

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0:
            return x
        keep = torch.rand(x.shape, generator=self.generator, device=x.device) >= self.p
        return x * keep / (1 - self.p)  # scale so the expected activation is unchanged


def build_model(cfg: PlaygroundConfig, n_in: int, n_out: int, device: torch.device) -> nn.Sequential:
    """The MLP for these settings, initialised from `weight_seed` (PyTorch's default init)."""
    layers: list[nn.Module] = []
    dropout_g = torch.Generator(device=device).manual_seed(cfg.weight_seed + 2)
    for i in range(cfg.hidden_layers):
        layers.append(nn.Linear(n_in if i == 0 else cfg.width, cfg.width))
        if cfg.batch_norm:
            layers.append(nn.BatchNorm1d(cfg.width))
        layers.append(ACTIVATIONS[cfg.activation]())
        if cfg.dropout > 0:
            layers.append(SeededDropout(cfg.dropout, dropout_g))
    layers.append(nn.Linear(cfg.width if cfg.hidden_layers else n_in, n_out))
    model = nn.Sequential(*layers)
    init_weights(model, cfg.weight_seed)
    return model.to(device)


def init_weights(model: nn.Module, seed: int) -> None:
    """nn.Linear's default init (uniform in +-1/sqrt(fan_in)), drawn from a private generator."""
    g = torch.Generator().manual_seed(seed)
    for layer in model.modules():
        if isinstance(layer, nn.Linear):
            bound = 1 / math.sqrt(layer.in_features)
            nn.init.uniform_(layer.weight, -bound, bound, generator=g)
            nn.init.uniform_(layer.bias, -bound, bound, generator=g)


def make_optimizer(model: nn.Module, cfg: PlaygroundConfig) -> torch.optim.Optimizer:
    """The chosen optimizer; L2 regularisation is its weight_decay."""
    params, lr, wd = model.parameters(), cfg.lr, cfg.l2
    if cfg.optimizer == "SGD":
        nesterov = cfg.nesterov and cfg.momentum > 0  # PyTorch refuses nesterov without momentum
        return torch.optim.SGD(params, lr=lr, momentum=cfg.momentum, nesterov=nesterov, weight_decay=wd)
    if cfg.optimizer == "Adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=wd)
    if cfg.optimizer == "RMSprop":
        return torch.optim.RMSprop(params, lr=lr, momentum=cfg.momentum, weight_decay=wd)
    raise ValueError(f"Unknown optimizer {cfg.optimizer!r}; pick one of {', '.join(OPTIMIZERS)}.")


def loss_fn(logits: torch.Tensor, target: torch.Tensor, kind: str) -> torch.Tensor:
    """Cross-entropy on logits, or MSE between the raw outputs and one-hot targets."""
    if kind == "cross-entropy":
        return F.cross_entropy(logits, target)
    if kind == "MSE on one-hot":
        return F.mse_loss(logits, F.one_hot(target, logits.shape[1]).float())
    raise ValueError(f"Unknown loss {kind!r}; pick one of {', '.join(LOSSES)}.")


def l1_penalty(model: nn.Module) -> torch.Tensor:
    """Sum of |w| over the Linear weights (biases are not penalised)."""
    return sum(m.weight.abs().sum() for m in model.modules() if isinstance(m, nn.Linear))


# ---------------------------------------------------------------- a run

@dataclass
class Run:
    """One training run: everything the page keeps in st.session_state."""

    cfg: PlaygroundConfig
    data: Data
    model: nn.Sequential
    optimizer: torch.optim.Optimizer
    x_train: torch.Tensor
    x_test: torch.Tensor
    batch_g: torch.Generator
    device: torch.device
    perm: torch.Tensor = field(default_factory=lambda: torch.empty(0, dtype=torch.long))
    cursor: int = 0
    step: int = 0
    history: list[dict] = field(default_factory=list)
    last: dict = field(default_factory=dict)  # the last step's grad/update sizes, for the code panel


def new_run(cfg: PlaygroundConfig, device: torch.device) -> Run:
    """Fresh data, model and optimizer; the same seeds always give the same starting point."""
    validate(cfg)
    data = make_data(cfg)
    x_train = featurize(data.xy_train, cfg.features).to(device)
    x_test = featurize(data.xy_test, cfg.features).to(device)
    model = build_model(cfg, len(cfg.features), data.n_classes, device)
    run = Run(cfg, data, model, make_optimizer(model, cfg), x_train, x_test,
              torch.Generator().manual_seed(cfg.weight_seed + 1), device)
    run.history.append(evaluate(run))
    return run


def apply_settings(run: Run, cfg: PlaygroundConfig) -> list[str]:
    """Change the training settings of a running model in place; the weights are kept."""
    validate(cfg)
    if structure_key(cfg) != structure_key(run.cfg):
        raise ValueError("Data or architecture changed: start a new run instead.")
    notes = []
    if cfg.optimizer != run.cfg.optimizer or (cfg.momentum > 0) != (run.cfg.momentum > 0):
        run.optimizer = make_optimizer(run.model, cfg)
        notes.append(f"Switched to a fresh {cfg.optimizer} optimizer: weights kept, its running averages start again.")
    for group in run.optimizer.param_groups:  # what a learning-rate scheduler does, too
        group["lr"], group["weight_decay"] = cfg.lr, cfg.l2
        if "momentum" in group:
            group["momentum"] = cfg.momentum
        if "nesterov" in group:
            group["nesterov"] = cfg.nesterov and cfg.momentum > 0
    run.cfg = cfg
    return notes


def next_batch(run: Run) -> torch.Tensor:
    """Indices of the next mini-batch: walk a shuffled order, reshuffle when it runs out."""
    n = len(run.data.y_train)
    size = min(run.cfg.batch_size, n)
    if run.cursor + size > len(run.perm):
        run.perm, run.cursor = torch.randperm(n, generator=run.batch_g), 0
    idx = run.perm[run.cursor:run.cursor + size]
    run.cursor += size
    return idx


def train_step(run: Run) -> float:
    """One optimisation step on one mini-batch; returns its loss."""
    idx = next_batch(run)
    x, target = run.x_train[idx.to(run.device)], run.data.y_train[idx].to(run.device)
    run.model.train()
    run.optimizer.zero_grad()
    loss = loss_fn(run.model(x), target, run.cfg.loss)
    if run.cfg.l1 > 0:
        loss = loss + run.cfg.l1 * l1_penalty(run.model)
    loss.backward()
    before = [p.detach().clone() for p in run.model.parameters()]
    run.optimizer.step()
    run.last = {"loss": loss.item(), "grad_norm": _norm([p.grad for p in run.model.parameters()]),
                "update_norm": _norm([p.detach() - b for p, b in zip(run.model.parameters(), before)])}
    run.step += 1
    return run.last["loss"]


def _norm(tensors: list[torch.Tensor | None]) -> float:
    return math.sqrt(sum(float((t.float() ** 2).sum()) for t in tensors if t is not None))


def train(run: Run, steps: int, record_every: int = 1) -> Iterator[dict]:
    """Take `steps` steps, yielding the metrics every `record_every` steps (and after the last)."""
    for i in range(1, steps + 1):
        train_step(run)
        if i % record_every == 0 or i == steps:
            run.history.append(evaluate(run))
            yield run.history[-1]


@torch.no_grad()
def evaluate(run: Run) -> dict:
    """Train/test loss and accuracy of the current model (eval mode: no dropout, BN running stats)."""
    run.model.eval()
    out = {"step": run.step}
    for split, x, y in (("train", run.x_train, run.data.y_train), ("test", run.x_test, run.data.y_test)):
        y = y.to(run.device)
        logits = run.model(x)
        out[f"{split}_loss"] = loss_fn(logits, y, run.cfg.loss).item() if len(y) else float("nan")
        out[f"{split}_acc"] = (logits.argmax(1) == y).float().mean().item() if len(y) else float("nan")
    return out


def diverged(run: Run) -> bool:
    """True when the loss has become NaN or infinite (learning rate too high, usually)."""
    return not math.isfinite(run.history[-1]["train_loss"])


# ---------------------------------------------------------------- views

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


def notes(cfg: PlaygroundConfig) -> list[str]:
    """Plain-words warnings for settings that train but cannot do well."""
    out = []
    linear = cfg.hidden_layers == 0 or cfg.activation == "linear"
    plain = set(cfg.features) <= {"x", "y"}
    if linear and plain and cfg.dataset not in LINEARLY_SEPARABLE:
        out.append("This network is linear (no hidden layer or a linear activation), so its boundary is a "
                   "straight line: it cannot separate this data set. Add a hidden layer with a non-linear "
                   "activation, or non-linear input features such as x², y² or xy.")
    if cfg.n_classes > classes(cfg):
        out.append(f"{DATASETS[cfg.dataset][0]} has exactly {classes(cfg)} classes; the class count is ignored.")
    if cfg.batch_size > n_train(cfg):
        out.append(f"The batch size is larger than the {n_train(cfg)} training points: each step uses them all.")
    if cfg.nesterov and (cfg.optimizer != "SGD" or cfg.momentum == 0):
        out.append("Nesterov only applies to SGD with momentum > 0, so it is off here.")
    return out


# ---------------------------------------------------------------- code panel

def code(cfg: PlaygroundConfig, steps: int = 500) -> str:
    """A standalone script that reproduces this run (same data, weights, batches) for `steps` steps."""
    gen = DATASETS[cfg.dataset][1]
    feats = ", ".join(FEATURES[f][1] for f in cfg.features)
    parts = ["import math\n\nimport torch\nimport torch.nn.functional as F\nfrom torch import nn\n",
             inspect.getsource(gen)]
    if cfg.dropout > 0:
        parts.append(inspect.getsource(SeededDropout))
    parts.append(_code_body(cfg, feats, steps))
    return "\n\n".join(parts)


def _code_model_lines(cfg: PlaygroundConfig, k: int) -> str:
    lines, n_in = [], len(cfg.features)
    act = f"nn.{ACTIVATIONS[cfg.activation].__name__}()"
    for i in range(cfg.hidden_layers):
        lines.append(f"    nn.Linear({n_in if i == 0 else cfg.width}, {cfg.width}),")
        if cfg.batch_norm:
            lines.append(f"    nn.BatchNorm1d({cfg.width}),")
        lines.append(f"    {act},")
        if cfg.dropout > 0:
            lines.append(f"    SeededDropout({cfg.dropout}, dropout_g),")
    lines.append(f"    nn.Linear({cfg.width if cfg.hidden_layers else n_in}, {k}),")
    return "\n".join(lines)


def _code_optimizer(cfg: PlaygroundConfig) -> str:
    if cfg.optimizer == "SGD":
        nesterov = cfg.nesterov and cfg.momentum > 0
        return (f"torch.optim.SGD(model.parameters(), lr={cfg.lr}, momentum={cfg.momentum}, "
                f"nesterov={nesterov}, weight_decay={cfg.l2})")
    if cfg.optimizer == "Adam":
        return f"torch.optim.Adam(model.parameters(), lr={cfg.lr}, weight_decay={cfg.l2})"
    return f"torch.optim.RMSprop(model.parameters(), lr={cfg.lr}, momentum={cfg.momentum}, weight_decay={cfg.l2})"


def _code_body(cfg: PlaygroundConfig, feats: str, steps: int) -> str:
    return "\n".join([_code_data(cfg, feats), _code_model(cfg), _code_loop(cfg, steps)])


def _code_data(cfg: PlaygroundConfig, feats: str) -> str:
    k, m = classes(cfg), n_train(cfg)
    return f'''# ---- data: {DATASETS[cfg.dataset][0]}, shuffled and split into train / test
g = torch.Generator().manual_seed({cfg.data_seed})
xy, labels = {DATASETS[cfg.dataset][1].__name__}({cfg.n_points}, {cfg.noise}, {k}, g)
order = torch.randperm({cfg.n_points}, generator=g)
xy, labels = xy[order], labels[order]
x, y = xy[:, 0], xy[:, 1]
features = torch.stack([{feats}], 1)  # (n, 2) -> (n, {len(cfg.features)}) input features
x_train, y_train = features[:{m}], labels[:{m}]
x_test, y_test = features[{m}:], labels[{m}:]
'''


def _code_model(cfg: PlaygroundConfig) -> str:
    return f'''# ---- model: weights drawn from their own generator, so the same seed gives the same start
dropout_g = torch.Generator().manual_seed({cfg.weight_seed + 2})
model = nn.Sequential(
{_code_model_lines(cfg, classes(cfg))}
)
init_g = torch.Generator().manual_seed({cfg.weight_seed})
for layer in model:
    if isinstance(layer, nn.Linear):  # PyTorch's default init, from init_g
        bound = 1 / math.sqrt(layer.in_features)
        nn.init.uniform_(layer.weight, -bound, bound, generator=init_g)
        nn.init.uniform_(layer.bias, -bound, bound, generator=init_g)
optimizer = {_code_optimizer(cfg)}
'''


def _code_loop(cfg: PlaygroundConfig, steps: int) -> str:
    k = classes(cfg)
    loss = ("F.cross_entropy(model(xb), yb)" if cfg.loss == "cross-entropy"
            else f"F.mse_loss(model(xb), F.one_hot(yb, {k}).float())")
    l1 = (f"\n    loss = loss + {cfg.l1} * sum(m.weight.abs().sum() for m in model if isinstance(m, nn.Linear))"
          if cfg.l1 > 0 else "")
    return f'''# ---- training loop: mini-batches from a shuffled order
batch_g = torch.Generator().manual_seed({cfg.weight_seed + 1})
batch_size = min({cfg.batch_size}, len(y_train))
perm, cursor = torch.empty(0, dtype=torch.long), 0
for step in range({steps}):
    if cursor + batch_size > len(perm):
        perm, cursor = torch.randperm(len(y_train), generator=batch_g), 0
    idx = perm[cursor:cursor + batch_size]
    cursor += batch_size
    xb, yb = x_train[idx], y_train[idx]
    model.train()
    optimizer.zero_grad()   # 1. forget the previous step's gradients
    loss = {loss}{l1}
    loss.backward()         # 2. autograd fills p.grad for every parameter
    optimizer.step()        # 3. move every parameter against its gradient

model.eval()
with torch.no_grad():
    test_acc = (model(x_test).argmax(1) == y_test).float().mean().item()
print(f"after {{step + 1}} steps: last batch loss {{loss.item():.4f}}, test accuracy {{test_acc:.3f}}")
'''
