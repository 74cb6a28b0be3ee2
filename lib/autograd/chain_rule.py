"""The chain rule by hand: local derivatives on our own expression tree, checked against autograd.

`manual_backward` walks the parsed tree from the output down, multiplying each node's upstream
gradient by the local derivative of the operation (the rules a learner writes on paper) and
adding what reaches each leaf. `check_gradients` runs `torch.autograd.gradcheck` in float64.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import torch
from torch.autograd.gradcheck import GradcheckError

from lib.autograd.graph import Evaluation, LeafSpec, evaluate, fmt, make_leaves
from lib.autograd.parser import BinOp, Call, Name, Neg, Node, parse, to_text
from lib.common.messages import Message


@dataclass(frozen=True)
class ChainRow:
    """One edge of the tree: what the node hands down to one of its inputs."""

    node: str      # the expression computed at this node
    input: str     # the input the gradient flows into
    rule: str      # the local derivative, as on paper
    local: str     # its value at the forward values ("Jacobian" for @)
    upstream: str  # d(output)/d(node): product of local derivatives above
    passed: str    # upstream x local: d(output)/d(input) along this path


@dataclass(frozen=True)
class LeafCheck:
    leaf: str
    paths: tuple[str, ...]  # each path from the output to the leaf as a product of locals
    manual: str
    autograd: str
    agree: bool


# d(node)/d(input) rules: name -> (text, function of the input value and the node value)
_CALL_RULES = {
    "exp": ("exp(a)", lambda a, out: out),
    "log": ("1 / a", lambda a, out: 1 / a),
    "sin": ("cos(a)", lambda a, out: torch.cos(a)),
    "cos": ("-sin(a)", lambda a, out: -torch.sin(a)),
    "tanh": ("1 - tanh(a)²", lambda a, out: 1 - out**2),
    "sigmoid": ("σ(a)(1 - σ(a))", lambda a, out: out * (1 - out)),
    "relu": ("1 if a > 0 else 0", lambda a, out: (a > 0).to(a.dtype)),
    "sum": (Message("1 for every element"), lambda a, out: torch.ones_like(a)),
    "mean": (Message("1 / N for every element"), lambda a, out: torch.full_like(a, 1 / a.numel())),
}


def _binary_rules(node: BinOp, a, b, out) -> list[tuple[Node, str, object]]:
    """(input, rule text, local derivative) for each input of a binary op."""
    rules = {
        "+": [(node.left, "1", 1.0), (node.right, "1", 1.0)],
        "-": [(node.left, "1", 1.0), (node.right, "-1", -1.0)],
        "*": [(node.left, "b", b), (node.right, "a", a)],
        "/": [(node.left, "1 / b", 1.0 / b), (node.right, "-a / b²", -a / (b * b))],
    }
    if node.op == "**":
        rules["**"] = [(node.left, "b · a^(b-1)", b * a ** (b - 1)),
                       (node.right, "a^b · ln(a)", out * torch.log(torch.as_tensor(a)))]
    op = {"*": "·"}.get(node.op, node.op)
    return [(child, f"∂(a {op} b)/∂{'ab'[i]} = {rule}", local) for i, (child, rule, local) in enumerate(rules[node.op])]


def unbroadcast(grad: torch.Tensor, shape: torch.Size) -> torch.Tensor:
    """Sum a gradient over the dimensions broadcasting added, back to the input's shape."""
    while grad.dim() > len(shape):
        grad = grad.sum(0)  # (extra, ...) -> (...)
    for dim, size in enumerate(shape):
        if size == 1 and grad.shape[dim] != 1:
            grad = grad.sum(dim, keepdim=True)
    return grad


class _Backward:
    """State of one manual backward pass: rows of the table and gradients reaching leaves."""

    def __init__(self, ev: Evaluation) -> None:
        self.ev = ev
        self.rows: list[ChainRow] = []
        self.grads: dict[str, torch.Tensor] = {}
        self.paths: dict[str, list[str]] = {}

    def needs(self, node: Node) -> bool:
        value = self.ev.values[node]
        return isinstance(value, torch.Tensor) and value.requires_grad

    def visit(self, node: Node, upstream: torch.Tensor, path: tuple[str, ...]) -> None:
        if isinstance(node, Name):
            self.grads[node.name] = self.grads.get(node.name, 0) + upstream
            self.paths.setdefault(node.name, []).append(" × ".join(path) or "1")
            return
        for child, rule, local, passed in self.edges(node, upstream):
            if not self.needs(child):
                continue  # a constant or a leaf without requires_grad: no gradient flows there
            self.rows.append(ChainRow(to_text(node), to_text(child), rule, fmt(local) if local is not None
                                      else Message("Jacobian"), fmt(upstream), fmt(passed)))
            self.visit(child, passed, path + ((fmt(local) if local is not None else "J"),))

    def edges(self, node: Node, up: torch.Tensor):
        value = self.ev.values
        if isinstance(node, Neg):
            return [(node.operand, "∂(-a)/∂a = -1", -1.0, -up)]
        if isinstance(node, Call):
            a, out = value[node.arg], value[node]
            rule, fn = _CALL_RULES[node.func]
            local = fn(a.detach(), out.detach())
            rule_text = Message("∂{func}(a)/∂a = {rule}", func=node.func, rule=rule) if isinstance(rule, Message) \
                else f"∂{node.func}(a)/∂a = {rule}"  # a Message only where there are words to translate
            return [(node.arg, rule_text, local, up * local)]
        a, b, out = (_plain(value[node.left]), _plain(value[node.right]), _plain(value[node]))
        if node.op == "@":
            return _matmul_edges(node, a, b, up)
        return [(child, rule, local, unbroadcast(up * local, _shape(value[child])))
                for child, rule, local in _binary_rules(node, a, b, out)]


def _plain(value):
    return value.detach() if isinstance(value, torch.Tensor) else value


def _shape(value) -> torch.Size:
    return value.shape if isinstance(value, torch.Tensor) else torch.Size([])


def _matmul_edges(node: BinOp, a: torch.Tensor, b: torch.Tensor, up: torch.Tensor):
    """Gradients of a @ b: upstream @ bᵀ and aᵀ @ upstream (1-D operands as row/column)."""
    a2 = a if a.dim() > 1 else a.unsqueeze(0)    # (k,) -> (1, k)
    b2 = b if b.dim() > 1 else b.unsqueeze(-1)   # (k,) -> (k, 1)
    up2 = up.reshape(a2.shape[0], b2.shape[1])   # output -> (rows of a, columns of b)
    ga = (up2 @ b2.mT).reshape(a.shape)
    gb = (a2.mT @ up2).reshape(b.shape)
    return [(node.left, Message("a @ b: passes upstream @ bᵀ"), None, ga),
            (node.right, Message("a @ b: passes aᵀ @ upstream"), None, gb)]


def manual_backward(ev: Evaluation) -> tuple[list[ChainRow], list[LeafCheck]]:
    """Chain rule by hand over the tree; compare what reaches each leaf with its `.grad`."""
    walker = _Backward(ev)
    walker.visit(ev.node, torch.ones_like(ev.output.detach()), ())
    checks = []
    for name, leaf in ev.leaves.items():
        if name not in walker.grads:
            continue
        manual = torch.as_tensor(walker.grads[name]).expand_as(leaf)
        agree = leaf.grad is not None and torch.allclose(manual, leaf.grad, rtol=1e-4, atol=1e-5, equal_nan=True)
        checks.append(LeafCheck(name, tuple(walker.paths[name]), fmt(manual), fmt(leaf.grad), bool(agree)))
    return walker.rows, checks


@dataclass(frozen=True)
class GradcheckResult:
    passed: bool
    message: str


def check_gradients(expression: str, specs: tuple[LeafSpec, ...], device: torch.device) -> GradcheckResult:
    """`torch.autograd.gradcheck` on the expression in float64 (finite differences vs autograd)."""
    if device.type == "mps":  # MPS has no float64; gradcheck needs it for precise differences
        device = torch.device("cpu")
    node = parse(expression, tuple(s.name for s in specs))
    leaves = make_leaves(specs, torch.float64, device)
    used = set(re.findall(r"[A-Za-z_]\w*", to_text(node)))
    names = [n for n, t in leaves.items() if t.requires_grad and n in used]  # unused leaves: nothing to check

    def fn(*inputs: torch.Tensor) -> torch.Tensor:
        return evaluate(node, {**leaves, **dict(zip(names, inputs))})

    try:
        torch.autograd.gradcheck(fn, tuple(leaves[n] for n in names), eps=1e-6, atol=1e-5)
    except GradcheckError as exc:  # the message holds the numerical and analytical Jacobians
        return GradcheckResult(False, " ".join(str(exc).split()))
    return GradcheckResult(True, Message("autograd matches finite differences for {names} (float64, eps=1e-6, "
                                         "atol=1e-5).", names=", ".join(names)))
