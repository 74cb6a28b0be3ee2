"""Shared fixtures of the autograd tests: an expression evaluated on CPU, backward() called or not."""
from collections.abc import Callable

import pytest
import torch

from lib.autograd import graph

CPU = torch.device("cpu")


def evaluate(expression: str, *specs: graph.LeafSpec, backward: bool = True) -> graph.Evaluation:
    """Build `expression` on the leaves and (by default) run backward(), as the page does."""
    ev = graph.build(expression, tuple(specs), CPU)
    if backward:
        graph.run_backward(ev)
    return ev


@pytest.fixture
def run_expr() -> Callable[..., graph.Evaluation]:
    """`run_expr("2*x", LeafSpec("x", "3"), backward=True)`: the evaluation after backward()."""
    return evaluate
