"""The code panel: a standalone script that reproduces the page's run exactly (same data, weights, batches)."""
from __future__ import annotations

import inspect

from lib.playground.config import PlaygroundConfig, classes, n_train
from lib.playground.data import DATASETS, FEATURES
from lib.playground.model import ACTIVATIONS, SeededDropout


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
