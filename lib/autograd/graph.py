"""Expression -> PyTorch graph -> nodes/edges we walk ourselves -> DOT text (no torchviz).

`build` evaluates a parsed expression on leaf tensors, keeping every intermediate tensor so
the graph labels can show forward values and, after `backward()`, gradients (`retain_grad`).
"""
from __future__ import annotations

import operator
import re
from dataclasses import dataclass, field, replace

import torch

from lib.autograd.parser import BinOp, Call, Name, Neg, Node, Num, parse, to_text
from lib.common.messages import LearnerError, Message, N_
from lib.common.settings import setting

MAX_LEAF_ELEMENTS = 64  # size budget per leaf: labels must stay readable
_BINARY = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
           "**": operator.pow, "@": operator.matmul}
_UNARY = {"exp": torch.exp, "log": torch.log, "sin": torch.sin, "cos": torch.cos, "tanh": torch.tanh,
          "sigmoid": torch.sigmoid, "relu": torch.relu, "sum": torch.sum, "mean": torch.mean}


@dataclass(frozen=True)
class LeafSpec:
    """One leaf tensor: its name, the text of its value, whether it requires grad."""

    name: str
    text: str
    requires_grad: bool = True


@dataclass(frozen=True)
class Preset:
    title: str          # shown in the preset list (translated by the page); the link carries the preset's id
    expression: str
    leaves: tuple[LeafSpec, ...]
    expected_grad: str  # what the tutorial says, shown next to our result (translated by the page)


PRESETS: dict[str, Preset] = {
    "linear": Preset("y = 2*x + 3", "2*x + 3", (LeafSpec("x", "1.5"),), "dy/dx = 2"),
    "square": Preset("y = 2*x**2 + 3 at x = 4", "2*x**2 + 3", (LeafSpec("x", "4"),), "dy/dx = 4x = 16"),
    "mean": Preset(N_("out = (3*(x+2)**2).mean(), x = ones(2,2)"), "mean(3*(x + 2)**2)", (LeafSpec("x", "ones(2, 2)"),),
                   N_("d(out)/dx = 1.5(x+2) = 4.5 everywhere")),
    "neuron": Preset(N_("neuron: sigmoid(w @ x + b)"), "sigmoid(w @ x + b)",
                     (LeafSpec("x", "1, 2", False), LeafSpec("w", "0.5, -0.25"), LeafSpec("b", "0.1")),
                     N_("dy/dw via the chain rule through sigmoid and @")),
}


@dataclass(frozen=True)
class GraphConfig:
    """Defaults of the expression section (the page reads them)."""

    preset: str = setting("square", options=tuple(PRESETS), param="preset")  # the tutorial's first graph
    leaf_names: tuple[str, ...] = ("x", "w", "b")  # three leaves cover every preset and matmul demos
    leaf_texts: tuple[str, ...] = ("4", "0.5, -0.25", "0.1")  # x, w, b until a preset fills them: the neuron's w, b
    backward: bool = setting(True, param="bw")  # call backward() at once: the graph shows gradients from the start
    digits: int = 4  # significant digits in labels: enough to read 4.5 and 16 exactly


@dataclass(frozen=True)
class ExpressionSettings:
    """The expression and the three leaves (value text, requires grad) as a preset sets them.

    The defaults are the default preset's; `preset_settings` gives any preset's. A link carries only what
    differs from the chosen preset, so `?preset=neuron` alone opens the neuron with all its leaves.
    """

    expression: str = setting("2*x**2 + 3", param="expr")
    x: str = setting("4", param="x")
    w: str = setting("0.5, -0.25", param="w")
    b: str = setting("0.1", param="b")
    x_grad: bool = setting(True, param="gx")
    w_grad: bool = setting(True, param="gw")
    b_grad: bool = setting(True, param="gb")

    def leaves(self) -> tuple[LeafSpec, ...]:
        return tuple(LeafSpec(name, getattr(self, name), getattr(self, f"{name}_grad")) for name in ("x", "w", "b"))


def preset_leaves(preset: str, cfg: GraphConfig = GraphConfig()) -> tuple[LeafSpec, ...]:
    """Every leaf of the page as `preset` sets it: the preset's own leaves, the defaults for the others.

    A preset sets all three leaves, so a link that names only the preset opens exactly what its sender saw.
    """
    own = {spec.name: spec for spec in PRESETS[preset].leaves}
    return tuple(own.get(name, LeafSpec(name, text)) for name, text in zip(cfg.leaf_names, cfg.leaf_texts))


def preset_settings(preset: str) -> ExpressionSettings:
    """The widgets' values (and the link's defaults) for `preset`."""
    values = {"expression": PRESETS[preset].expression}
    for spec in preset_leaves(preset):
        values[spec.name], values[f"{spec.name}_grad"] = spec.text, spec.requires_grad
    return replace(ExpressionSettings(), **values)


def parse_leaf(text: str, dtype: torch.dtype = torch.float32, device: torch.device | None = None) -> torch.Tensor:
    """Leaf value from text: `4`, `1, 2, 3`, `1, 2; 3, 4` (rows), `ones(2, 2)`, `zeros(3)`, `arange(4)`."""
    tensor = _leaf_values(text.strip(), dtype, device)
    if not bool(torch.isfinite(tensor).all()):  # inf/nan typed (or linked) as a value: no graph to learn from
        raise LearnerError("`{text}`: leaf values must be finite numbers (no inf or nan).", text=_quoted(text))
    return tensor


def _quoted(text: str) -> str:
    """User text made safe to show inside a code span (a backtick would end it)."""
    return text.strip().replace("`", "'")


def _leaf_values(text: str, dtype: torch.dtype, device: torch.device | None) -> torch.Tensor:
    match = re.fullmatch(r"(ones|zeros|arange)\s*\(([\d\s,]*)\)", text)
    if match:
        dims = [int(d) for d in match.group(2).replace(" ", "").split(",") if d]
        if not dims or len(dims) > 2 or (match.group(1) == "arange" and len(dims) != 1):
            raise LearnerError("`{text}`: give one or two sizes, e.g. ones(2, 2) or arange(4).", text=_quoted(text))
        _check_size(text, dims[0] * (dims[1] if len(dims) > 1 else 1))
        make = {"ones": torch.ones, "zeros": torch.zeros, "arange": torch.arange}[match.group(1)]
        return make(*dims, dtype=dtype, device=device)
    rows = [row for row in text.split(";")]
    try:
        values = [[float(v) for v in row.split(",")] for row in rows]
    except ValueError:
        raise LearnerError("`{text}` is not a number list. Write `4`, `1, 2, 3`, `1, 2; 3, 4` or `ones(2, 2)`.",
                           text=_quoted(text)) from None
    if len({len(r) for r in values}) != 1:
        raise LearnerError("`{text}`: every row (separated by ';') needs the same number of values.",
                           text=_quoted(text))
    _check_size(text, sum(len(r) for r in values))
    tensor = torch.tensor(values, dtype=dtype, device=device)
    return tensor.reshape(()) if tensor.numel() == 1 and len(rows) == 1 else tensor.squeeze(0) if len(rows) == 1 else tensor


def _check_size(text: str, n: int) -> None:
    if n > MAX_LEAF_ELEMENTS:
        raise LearnerError("`{text}` has {n} values; each leaf is limited to {limit} so the graph stays readable.",
                           text=_quoted(text), n=n, limit=MAX_LEAF_ELEMENTS)


@dataclass
class Evaluation:
    """The result of running an expression: output, leaves and every intermediate tensor."""

    node: Node
    output: torch.Tensor
    leaves: dict[str, torch.Tensor]
    values: dict[Node, object] = field(default_factory=dict)  # AST node -> tensor or float
    records: list[torch.Tensor] = field(default_factory=list)  # every op result, in evaluation order
    notes: list[Message] = field(default_factory=list)        # warnings for the learner (translatable)


def make_leaves(specs: tuple[LeafSpec, ...], dtype: torch.dtype, device: torch.device) -> dict[str, torch.Tensor]:
    """Tensors for the leaf specs, with `requires_grad` set as asked."""
    leaves = {}
    for spec in specs:
        try:
            leaves[spec.name] = parse_leaf(spec.text, dtype, device).requires_grad_(spec.requires_grad)
        except ValueError as exc:
            raise LearnerError("Leaf {name}: {problem}", name=spec.name, problem=exc.args[0]) from None
    return leaves


def evaluate(node: Node, env: dict[str, torch.Tensor], values: dict | None = None, trace: list | None = None):
    """Evaluate a parsed tree with torch ops; shape errors become learner-friendly ValueErrors."""
    if isinstance(node, Num):
        result = node.value
    elif isinstance(node, Name):
        result = env[node.name]
    else:
        result = _apply(node, env, values, trace)
    if values is not None:
        values[node] = result
    if trace is not None:
        trace.append(result)
    return result


def _apply(node: Node, env: dict[str, torch.Tensor], values: dict | None, trace: list | None):
    try:
        if isinstance(node, Neg):
            return -evaluate(node.operand, env, values, trace)
        if isinstance(node, Call):
            arg = evaluate(node.arg, env, values, trace)
            arg = arg if isinstance(arg, torch.Tensor) else torch.tensor(arg)
            return _UNARY[node.func](arg)
        left, right = evaluate(node.left, env, values, trace), evaluate(node.right, env, values, trace)
        if node.op == "@" and not (isinstance(left, torch.Tensor) and isinstance(right, torch.Tensor)):
            raise LearnerError("`{expr}`: `@` (matrix product) needs a tensor on both sides.", expr=to_text(node))
        return _BINARY[node.op](left, right)
    except RuntimeError as exc:
        first = str(exc).splitlines()[0]
        # PyTorch's own words stay as they are (in a code span): learners search for them
        raise LearnerError("`{expr}` fails: {shapes}PyTorch says: `{error}`", expr=to_text(node),
                           shapes=_shapes(node, values), error=first.replace("`", "'")) from None


def _shapes(node: Node, values: dict | None) -> Message | str:
    if values is None or not isinstance(node, BinOp):
        return ""
    shape = lambda v: str(tuple(v.shape)) if isinstance(v, torch.Tensor) else Message("number")  # noqa: E731
    return Message("left shape {left}, right shape {right}. ", left=shape(values[node.left]),
                   right=shape(values[node.right]))


def build(expression: str, specs: tuple[LeafSpec, ...], device: torch.device,
          dtype: torch.dtype = torch.float32) -> Evaluation:
    """Parse and run `expression` on the leaves, keeping intermediates' gradients for the labels."""
    node = parse(expression, tuple(s.name for s in specs))
    leaves = make_leaves(specs, dtype, device)
    values: dict[Node, object] = {}
    trace: list = []
    output = evaluate(node, leaves, values, trace)
    if not isinstance(output, torch.Tensor):
        raise LearnerError("The expression uses no leaf, so it is a plain number: use x, w or b in it.")
    if not output.requires_grad:
        raise LearnerError("No leaf used in the expression requires grad, so PyTorch recorded no graph. "
                           "Tick 'requires grad' for at least one leaf it uses.")
    records = [v for v in trace if isinstance(v, torch.Tensor) and v.grad_fn is not None]
    for tensor in records:
        tensor.retain_grad()  # intermediates drop .grad unless asked: we want it in the labels
    return Evaluation(node, output, leaves, values, records, _notes(node, values, output))


def _notes(node: Node, values: dict, output: torch.Tensor) -> list[Message]:
    notes = []
    if output.numel() > 1:
        notes.append(Message("The output has shape {shape}, not a scalar: `backward()` needs a `gradient` argument; "
                             "we pass `torch.ones_like(output)`, i.e. the gradient of `output.sum()`.",
                             shape=tuple(output.shape)))
    for sub, value in values.items():
        if isinstance(sub, Call) and sub.func == "relu" and bool((values[sub.arg] == 0).any()):
            notes.append(Message("`relu` gets an input of exactly 0, where it has no derivative; PyTorch uses 0 "
                                 "there."))
        if isinstance(value, torch.Tensor) and not bool(torch.isfinite(value).all()):
            notes.append(Message("`{expr}` is not finite (inf or nan): e.g. log of a number <= 0.", expr=to_text(sub)))
            break
    return notes


def run_backward(ev: Evaluation) -> None:
    """Call backward() (with ones for a non-scalar output) so leaves and intermediates get .grad."""
    gradient = None if ev.output.numel() == 1 else torch.ones_like(ev.output)
    ev.output.backward(gradient)


def fmt(value, digits: int = GraphConfig().digits) -> str:
    """A tensor or number as short text: `16`, `[4.5, 4.5]`, `[[1, 2], [3, 4]]` (at most 6 values)."""
    if value is None:
        return "None"
    if not isinstance(value, torch.Tensor):
        return f"{value:.{digits}g}"
    flat = value.detach().cpu().double()
    if flat.numel() == 1:
        return f"{flat.item():.{digits}g}"
    if flat.numel() > 6:
        # written like code (t.shape, t.mean()): reads the same in every language of the page
        return f"shape={tuple(flat.shape)}, mean={flat.mean().item():.{digits}g}"
    rows = flat.reshape(-1, flat.shape[-1]) if flat.dim() > 1 else flat.reshape(1, -1)  # (..., n) -> (rows, n)
    text = ["[" + ", ".join(f"{v:.{digits}g}" for v in row.tolist()) + "]" for row in rows]
    return text[0] if flat.dim() == 1 else "[" + ", ".join(text) + "]"


def leaf_grads(ev: Evaluation) -> dict[str, str]:
    """Each leaf that has a `.grad`, with it as short text (empty before backward())."""
    return {name: fmt(t.grad) for name, t in ev.leaves.items() if t.grad is not None}


@dataclass(frozen=True)
class GraphNode:
    """One box of the drawing: kind is output, backward (a grad_fn), accumulate or leaf."""

    id: str
    kind: str
    name: str
    value: str = ""  # forward value ("" when unknown)
    grad: str = ""   # gradient after backward ("" before)


@dataclass(frozen=True)
class Graph:
    nodes: tuple[GraphNode, ...]
    edges: tuple[tuple[str, str], ...]  # (from, to) in the direction gradients flow


def walk(ev: Evaluation) -> Graph:
    """Walk `output.grad_fn.next_functions` breadth-first, as autograd's engine would visit it."""
    leaf_names = {id(t): name for name, t in ev.leaves.items()}
    by_fn = {id(t.grad_fn): t for t in ev.records}  # grad_fn -> the tensor it produced
    nodes = [GraphNode("out", "output", "output", fmt(ev.output), _grad(ev.output))]
    edges, ids, queue = [], {}, [ev.output.grad_fn]
    ids[id(ev.output.grad_fn)] = "n0"
    nodes.append(_fn_node("n0", ev.output.grad_fn, by_fn, leaf_names))
    edges.append(("out", "n0"))
    while queue:
        fn = queue.pop(0)
        for nxt, _ in fn.next_functions:
            if nxt is None:  # an input that needs no gradient (a constant): autograd skips it
                continue
            if id(nxt) not in ids:
                ids[id(nxt)] = f"n{len(ids)}"
                nodes.append(_fn_node(ids[id(nxt)], nxt, by_fn, leaf_names))
                queue.append(nxt)
                if hasattr(nxt, "variable"):  # AccumulateGrad holds the leaf it writes .grad into
                    nodes.append(_leaf_node(ids[id(nxt)], nxt.variable, leaf_names))
                    edges.append((ids[id(nxt)], f"{ids[id(nxt)]}_leaf"))
            edges.append((ids[id(fn)], ids[id(nxt)]))
    return Graph(tuple(nodes), tuple(edges))


def _grad(tensor: torch.Tensor) -> str:
    return "" if tensor.grad is None else fmt(tensor.grad)


def _fn_node(nid: str, fn, by_fn: dict, leaf_names: dict) -> GraphNode:
    name = type(fn).__name__
    if hasattr(fn, "variable"):
        return GraphNode(nid, "accumulate", name, "", "")
    tensor = by_fn.get(id(fn))
    if tensor is None:  # a step PyTorch adds inside one of our ops (e.g. the reshapes of a 1-D @)
        return GraphNode(nid, "backward", name, INTERNAL, "")
    return GraphNode(nid, "backward", name, fmt(tensor), _grad(tensor))


def _leaf_node(nid: str, tensor: torch.Tensor, leaf_names: dict) -> GraphNode:
    name = leaf_names.get(id(tensor), "leaf")
    return GraphNode(f"{nid}_leaf", "leaf", name, fmt(tensor), _grad(tensor))


_STYLE = {"output": "#c8e6c9", "backward": "#ffe0b2", "accumulate": "#e0e0e0", "leaf": "#bbdefb"}
INTERNAL = N_("(internal step)")  # the value shown for a node PyTorch adds inside one of our ops


@dataclass(frozen=True)
class DotWords:
    """The words of the drawing, so the page can pass them in the reader's language."""

    leaf: str = "leaf {name}"
    output: str = "output"
    value: str = "value {value}"
    grad: str = "grad {grad}"
    internal: str = INTERNAL


def to_dot(graph: Graph, words: DotWords = DotWords()) -> str:
    """DOT text for `st.graphviz_chart`: gradients flow top (output) to bottom (leaves)."""
    lines = ["digraph autograd {", '  graph [rankdir=TB, bgcolor="transparent"];',
             '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11];',
             '  edge [color="#777777"];']
    for node in graph.nodes:
        lines.append(f'  {node.id} [label="{_escape(_label(node, words))}", fillcolor="{_STYLE[node.kind]}"];')
    lines += [f"  {a} -> {b};" for a, b in graph.edges]
    return "\n".join(lines + ["}"])


def _label(node: GraphNode, words: DotWords) -> str:
    title = {"leaf": words.leaf.format(name=node.name), "output": words.output}.get(node.kind, node.name)
    value = words.internal if node.value == INTERNAL else words.value.format(value=node.value)
    parts = [title] + ([value] if node.value else []) + ([words.grad.format(grad=node.grad)] if node.grad else [])
    return "\n".join(parts)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
