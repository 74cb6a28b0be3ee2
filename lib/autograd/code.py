"""The code panels of the autograd page: standalone PyTorch scripts for the current settings.

Each function returns a script that a learner can paste and run; the tests run every one of them and
compare what it computes with what the page shows.
"""
from __future__ import annotations

import re

import torch

from lib.autograd.backprop import BackpropConfig
from lib.autograd.graph import LeafSpec, parse_leaf
from lib.autograd.linreg import LinRegConfig
from lib.autograd.parser import Node, parse, spell

_LINREG = LinRegConfig()


# ----------------------------------------------------------------------------- 1. expression -> graph

_TORCH_CALL = {"sum": "torch.sum", "mean": "torch.mean", "relu": "torch.relu", "sigmoid": "torch.sigmoid"}


def to_torch_code(node: Node) -> str:
    """The expression as PyTorch source (the same ops `graph.evaluate` runs)."""
    return spell(node, repr, lambda func: _TORCH_CALL.get(func, "torch." + func), code=True)


def leaf_code(spec: LeafSpec) -> str:
    """`name = torch.tensor(...)` for one leaf, its values as the learner typed them."""
    values = parse_leaf(spec.text, torch.float64).tolist()  # float64 text: 0.1, not 0.10000000149
    return f"{spec.name} = torch.tensor({values!r}, requires_grad={spec.requires_grad})"


def graph_code(expression: str, specs: tuple[LeafSpec, ...]) -> str:
    """Standalone script: build the expression, call backward, print grads and walk the graph."""
    node = parse(expression, tuple(s.name for s in specs))
    leaves = "\n".join(leaf_code(s) for s in specs)
    return f'''import torch

{leaves}
out = {to_torch_code(node)}
# a non-scalar output needs the gradient of "something" w.r.t. it: ones = gradient of out.sum()
out.backward(None if out.numel() == 1 else torch.ones_like(out))
for name, leaf in [{", ".join(f"({s.name!r}, {s.name})" for s in specs)}]:
    print(name, "grad:", leaf.grad)


def walk(fn, depth=0):
    """Print the backward graph the way the page draws it."""
    label = type(fn).__name__
    if hasattr(fn, "variable"):  # AccumulateGrad: writes into a leaf's .grad
        label += f" -> leaf of shape {{tuple(fn.variable.shape)}}"
    print("  " * depth + label)
    for next_fn, _ in fn.next_functions:
        if next_fn is not None:  # None: an input that needs no gradient
            walk(next_fn, depth + 1)


walk(out.grad_fn)
print("gradcheck (float64):", torch.autograd.gradcheck(
    lambda *xs: {_gradcheck_lambda(node, specs)}, tuple(
        t.detach().double().requires_grad_() for t in [{", ".join(s.name for s in specs if s.requires_grad)}])))
'''


def _gradcheck_lambda(node: Node, specs: tuple[LeafSpec, ...]) -> str:
    """The expression with grad-requiring leaves replaced by the lambda's float64 arguments."""
    grad_names = [s.name for s in specs if s.requires_grad]
    consts = {s.name: f"{s.name}.detach().double()" for s in specs if not s.requires_grad}
    subst = {**consts, **{n: f"xs[{i}]" for i, n in enumerate(grad_names)}}
    return re.sub(r"\b(" + "|".join(subst) + r")\b", lambda m: subst[m.group(1)], to_torch_code(node))


# ----------------------------------------------------------------------------- 3. behaviours

def propagation_code(a_requires: bool, b_requires: bool) -> str:
    """Code for `propagation`."""
    return f"""import torch

a = torch.tensor(2.0, requires_grad={a_requires})
b = torch.tensor(3.0, requires_grad={b_requires})
c = a * b
d = b * 2
e = c + d
for name, t in [("a", a), ("b", b), ("c", c), ("d", d), ("e", e)]:
    # an op's result requires grad when ANY of its inputs does
    print(name, t.requires_grad, t.is_leaf, t.grad_fn)
"""


def accumulation_code(calls: int, zero_between: bool) -> str:
    """Code for `accumulation`."""
    zero = "    x.grad = None  # or optimizer.zero_grad()\n" if zero_between else ""
    return f"""import torch

x = torch.tensor(2.0, requires_grad=True)
for call in range(1, {calls} + 1):
{zero}    y = x ** 2          # dy/dx = 2x = 4
    y.backward()
    print(call, x.grad.item())  # {"always 4" if zero_between else "4, 8, 12, ...: gradients add up"}
"""


def retain_graph_code(retain: bool) -> str:
    """Code for `retain_graph`."""
    return f"""import torch

x = torch.tensor(2.0, requires_grad=True)
y = torch.exp(x) * x
y.backward(retain_graph={retain})
print("after 1st backward:", x.grad.item())
try:
    y.backward()  # second pass through the same graph
    print("after 2nd backward:", x.grad.item())  # accumulated: twice the first
except RuntimeError as err:
    print("RuntimeError:", err)
"""


def backward_gradient_code(weights: list[float]) -> str:
    """Code for `backward_gradient`."""
    return f"""import torch

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x ** 2
try:
    y.backward(retain_graph=True)
except RuntimeError as err:
    print("RuntimeError:", err)
v = torch.tensor({weights!r})  # d(something)/dy: torch.ones_like(y) gives the gradient of y.sum()
y.backward(gradient=v)  # vector-Jacobian product: x.grad = v * dy/dx = v * 2x
print(x.grad.tolist())
"""


def grad_modes_code() -> str:
    """Code for `grad_modes`."""
    return """import torch

x = torch.ones(3, requires_grad=True)
y = x * 2
print("normal", y.requires_grad, y.grad_fn)
with torch.no_grad():
    y = x * 2
print("no_grad", y.requires_grad, y.grad_fn)
with torch.inference_mode():
    y = x * 2
print("inference_mode", y.requires_grad, y.grad_fn, y.is_inference())
with torch.set_grad_enabled(False):
    y = x * 2
print("set_grad_enabled(False)", y.requires_grad, y.grad_fn)
y = x.detach() * 2
print("detach", y.requires_grad, y.grad_fn)
x2 = x.clone().detach().requires_grad_(False)  # requires_grad_ works on leaves only
y = x2 * 2
print("requires_grad_(False)", y.requires_grad, y.grad_fn)

# an inference tensor may join a graph later as an input, as long as no operation must save it
with torch.inference_mode():
    y_inf = torch.full((3,), 2.0)
w = torch.ones(3, requires_grad=True)
(w + y_inf).sum().backward()  # addition's backward needs neither input
print("w + y_inf: w.grad =", w.grad.tolist())
try:
    (w * y_inf).sum().backward()  # d(w * y_inf)/dw = y_inf: multiplication must save y_inf
except RuntimeError as err:
    print("w * y_inf: RuntimeError:", err)
"""


def freezing_code(freeze_first: bool, lr: float, seed: int) -> str:
    """Code for `freezing`."""
    freeze = ("for p in net[0].parameters():\n    p.requires_grad_(False)  # frozen: no grad, no update\n"
              if freeze_first else "")
    return f"""import torch
from torch import nn

torch.manual_seed({seed})
net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
{freeze}before = {{n: p.detach().clone() for n, p in net.named_parameters()}}
gen = torch.Generator().manual_seed({seed})
x, target = torch.randn(16, 4, generator=gen), torch.randn(16, 2, generator=gen)
optimizer = torch.optim.SGD([p for p in net.parameters() if p.requires_grad], lr={lr})
nn.functional.mse_loss(net(x), target).backward()
optimizer.step()
for n, p in net.named_parameters():
    print(n, p.requires_grad, p.grad is not None, not torch.equal(before[n], p.detach()))
trainable = sum(p.numel() for p in net.parameters() if p.requires_grad)
print("trainable parameters:", trainable)
"""


# ----------------------------------------------------------------------------- 4. backprop by hand

_BACKPROP_TEMPLATE = """import torch
from torch import nn

torch.manual_seed({seed})
model = nn.Sequential(nn.Linear(5, 3), nn.Sigmoid(), nn.Linear(3, 1), nn.Sigmoid())
x = torch.randn(1, 5)
y = torch.full((1, 1), {target})
lr = {lr}
# the manual copy: W in (in, out) layout, as in the from-scratch tutorials
W1, b1 = model[0].weight.detach().T.clone(), model[0].bias.detach().clone()
W2, b2 = model[2].weight.detach().T.clone(), model[2].bias.detach().clone()
optimizer = torch.optim.SGD(model.parameters(), lr=lr)


def sigmoid(z):
    return 1 / (1 + torch.exp(-z))


for step in range({steps}):
    # by hand: forward, error, deltas (sigmoid'(z) = s * (1 - s)), updates
    hidden = sigmoid(x @ W1 + b1)
    out = sigmoid(hidden @ W2 + b2)
    error = out - y
    delta_out = error * out * (1 - out)
    delta_hidden = (delta_out @ W2.T) * hidden * (1 - hidden)
    W2 -= lr * hidden.T @ delta_out
    b2 -= lr * delta_out.sum(0)
    W1 -= lr * x.T @ delta_hidden
    b1 -= lr * delta_hidden.sum(0)
    # with autograd: the same loss, backward(), SGD
    optimizer.zero_grad()
    loss = 0.5 * ((model(x) - y) ** 2).sum()
    loss.backward()
    optimizer.step()

diff = max((W1 - model[0].weight.T).abs().max(), (W2 - model[2].weight.T).abs().max(),
           (b1 - model[0].bias).abs().max(), (b2 - model[2].bias).abs().max())
print("last loss (autograd):", loss.item())
print("largest weight difference manual vs autograd:", diff.item())
"""


def backprop_code(cfg: BackpropConfig, steps: int) -> str:
    """Standalone script: both halves for `steps` steps, printing losses and the weight difference."""
    return _BACKPROP_TEMPLATE.format(seed=cfg.seed, target=cfg.target, lr=cfg.lr, steps=steps)


# ----------------------------------------------------------------------------- 5. linear regression

def linreg_code(xs: tuple[float, ...], ys: tuple[float, ...], lr: float, steps: int) -> str:
    """Standalone script for the current data and settings."""
    return f"""import torch

x = torch.tensor({list(xs)!r})
y = torch.tensor({list(ys)!r})
w = torch.tensor({_LINREG.w0}, requires_grad=True)
b = torch.tensor({_LINREG.b0}, requires_grad=True)
lr = {lr}
for step in range({steps}):
    loss = ((w * x + b - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():  # older tutorials write: w.data -= lr * w.grad.data
        w -= lr * w.grad
        b -= lr * b.grad
    w.grad.zero_()
    b.grad.zero_()
print(f"w = {{w.item():.4f}}, b = {{b.item():.4f}}, last loss = {{loss.item():.4f}}")
"""
