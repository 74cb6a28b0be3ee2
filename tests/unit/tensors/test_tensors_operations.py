"""lib.tensors.operations: broadcasting, matmul, reductions and in-place ops against torch, and their code."""
import pytest
import torch

from lib.tensors import code, operations
from tests.helpers import run_script


@pytest.mark.parametrize("sa, sb, result", [
    ((2, 3), (3,), (2, 3)),           # a row added to every row
    ((3, 1), (1, 4), (3, 4)),         # outer sum
    ((2, 1, 3), (4, 1), (2, 4, 3)),
    ((), (2, 2), (2, 2)),             # a scalar broadcasts everywhere
])
def test_broadcast_table_matches_torch(sa, sb, result):
    rows = operations.broadcast_table(sa, sb)
    assert tuple(int(r["result"]) for r in rows) == tuple(torch.broadcast_shapes(sa, sb)) == result


def test_broadcast_table_names_the_stretched_side():
    assert [r["rule"] for r in operations.broadcast_table((3, 1), (1, 4))] == ["b stretched", "a stretched"]
    assert operations.broadcast_table((2, 3), (3,))[0]["b"] == "(1)"  # padded on the left


def test_broadcast_refuses_incompatible():
    with pytest.raises(ValueError, match="cannot broadcast.*3 and 4"):
        operations.broadcast_table((2, 3), (4,))


@pytest.mark.parametrize("op", operations.ELEMENTWISE_OPS)
def test_elementwise_and_code(op, tmp_path):
    a, b = operations.operands((2, 3), (3,))
    y = operations.elementwise(a, b, op)
    expected = {"+": a + b, "*": a * b, "torch.mul": a * b, "-": a - b, "/": a / b}.get(op, a + b)
    torch.testing.assert_close(y, expected)
    torch.testing.assert_close(run_script(code.elementwise_code((2, 3), (3,), op), tmp_path).namespace["y"], y)
    assert operations.stretched(b, y).stride() == (0, 1)  # the row is read again for each row of y: stride 0


def test_matmul_rule_and_code(tmp_path):
    a, b, y = operations.matmul((2, 3), (3, 4))
    torch.testing.assert_close(y, torch.mm(a, b))
    assert y[0, 0] == 1 * 10 + 2 * 50 + 3 * 90  # row 0 of a (1, 2, 3) times column 0 of b (10, 50, 90)
    torch.testing.assert_close(run_script(code.matmul_code((2, 3), (3, 4)), tmp_path).namespace["y"], y)
    assert operations.matmul((5, 2, 3), (3, 4))[2].shape == (5, 2, 4)  # batched
    with pytest.raises(ValueError, match=r"last size of a \(3\)"):
        operations.matmul((2, 3), (4, 2))
    with pytest.raises(ValueError, match=r"only size of b \(4\)"):
        operations.matmul((2, 3), (4,))
    with pytest.raises(ValueError, match="at least 1-D"):
        operations.matmul((), (3,))


@pytest.mark.parametrize("op, dim, keepdim, shape", [
    ("sum", None, False, ()), ("mean", 0, False, (4,)), ("max", 1, True, (3, 1)),
    ("argmax", -1, False, (3,)), ("std", 0, True, (1, 4)), ("prod", 1, False, (3,)), ("min", 0, False, (4,)),
])
def test_reductions_and_code(op, dim, keepdim, shape, tmp_path):
    x = operations.operands((3, 4), ())[0]
    y = operations.reduce(x, op, dim, keepdim)
    assert tuple(y.shape) == shape
    torch.testing.assert_close(run_script(code.reduce_code((3, 4), op, dim, keepdim), tmp_path).namespace["y"], y)
    if op == "sum":
        assert y.item() == 78  # 1 + 2 + ... + 12


def test_reduce_bad_dim_and_dim_choices():
    with pytest.raises(ValueError, match="PyTorch cannot"):
        operations.reduce(torch.ones(2, 2), "sum", 5, False)
    assert operations.reduce_dims(2) == ["all", "-1", "0", "1"]


def test_inplace_demo_and_code(tmp_path):
    demo = operations.inplace_demo(10.0)
    assert demo.same_memory_after and demo.returns_x and demo.y_is_new
    assert torch.equal(demo.x, torch.arange(6.0).reshape(2, 3) + 10)
    assert torch.equal(run_script(code.inplace_code(10.0), tmp_path).namespace["x"], demo.x)
