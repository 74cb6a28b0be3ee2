"""lib.tensors.views: reshaping ops against torch, views vs copies, strides, and safe indexing examples."""
import pytest
import torch

from lib.tensors import code, views
from tests.helpers import run_script


@pytest.mark.parametrize("op, args, transposed, shape, shares", [
    ("view", (4, -1), False, (4, 6), True),        # -1 inferred: 24 / 4
    ("reshape", (6, 4), False, (6, 4), True),      # contiguous: reshape is a view
    ("reshape", (6, 4), True, (6, 4), False),      # non-contiguous: reshape copies
    ("transpose", (0, 1), False, (3, 2, 4), True),
    ("permute", (2, 0, 1), False, (4, 2, 3), True),
    ("unsqueeze", (0,), False, (1, 2, 3, 4), True),
    ("flatten", (0, -1), False, (24,), True),
    ("view_as", (4, 6), False, (4, 6), True),
    ("contiguous", (), True, (2, 4, 3), False),    # contiguous() copies a transposed tensor
    ("contiguous", (), False, (2, 3, 4), True),    # ...and returns itself otherwise
    ("resize_", (2, 2), False, (2, 2), False),     # on a clone: keeps the first 4
])
def test_reshape_ops(op, args, transposed, shape, shares, tmp_path):
    x = views.arange_source((2, 3, 4), transposed)
    y = views.apply_reshape(x, op, args)
    assert tuple(y.shape) == shape and views.shares_storage(x, y) == shares
    ns = run_script(code.reshape_code((2, 3, 4), transposed, op, args), tmp_path).namespace
    assert torch.equal(ns["x"], x)
    if op == "resize_":
        assert torch.equal(ns["y"].reshape(-1), x.reshape(-1)[:4])
    else:
        assert torch.equal(ns["y"], y)


def test_every_op_has_default_arguments_that_work():
    assert set(views.RESHAPE_OPS) == set(views.RESHAPE_DEFAULT_ARGS)
    for op, args in views.RESHAPE_DEFAULT_ARGS.items():
        parsed = tuple(int(a) for a in args.split(",")) if args else ()
        views.apply_reshape(views.arange_source((2, 3, 4)), op, parsed)  # the page's first look never fails


def test_view_fails_on_non_contiguous_and_reshape_copies():
    x = views.arange_source((2, 3, 4), transposed=True)
    assert not x.is_contiguous() and views.can_fall_back(x, "view")
    with pytest.raises(ValueError, match="view size is not compatible"):
        views.apply_reshape(x, "view", (24,))
    y = views.apply_reshape(x, "reshape", (24,))
    assert not views.shares_storage(x, y) and torch.equal(y, x.contiguous().view(24))
    assert not views.can_fall_back(views.arange_source((2, 3)), "view")


def test_squeeze_and_bad_args():
    x = views.arange_source((1, 3, 1))
    assert views.apply_reshape(x, "squeeze", ()).shape == (3,)
    assert views.apply_reshape(x, "squeeze", (0,)).shape == (3, 1)
    with pytest.raises(ValueError, match="PyTorch cannot"):
        views.apply_reshape(x, "view", (2, 2))
    with pytest.raises(ValueError, match="budget"):
        views.apply_reshape(x, "resize_", (100000, 100000))
    with pytest.raises(ValueError, match="two dims"):
        views.arange_source((3,), transposed=True)


def test_resize_grows_keeping_old_values():
    x = views.arange_source((2, 3))
    y = views.apply_reshape(x, "resize_", (3, 3))
    assert y.shape == (3, 3) and torch.equal(y.reshape(-1)[:6], x.reshape(-1))


def test_layout_and_storage_positions():
    x = views.arange_source((2, 3, 4))
    t = x.transpose(0, 2)[1:]
    facts = views.layout(t)
    assert facts["stride()"] == str(t.stride()) == "(1, 4, 12)" and facts["storage_offset()"] == "1"
    assert facts["is_contiguous()"] == "False"
    # x holds 0..23 in storage order, so the storage position of an element is its value
    assert torch.equal(views.storage_positions(t), t)
    assert torch.equal(views.storage_positions(x[:, 1:, ::2]), x[:, 1:, ::2])


def test_index_example_view_or_copy_and_code(tmp_path):
    sliced = views.index_example((4, 6), "[1:3, ::2]")
    assert sliced.is_view and int(sliced.picked.sum()) == 6 and sliced.source == "[1:3, ::2]"
    masked = views.index_example((4, 6), "[x > 20]")
    assert not masked.is_view and masked.result.tolist() == [21, 22, 23]
    ns = run_script(code.index_code((4, 6), sliced.source), tmp_path).namespace
    assert torch.equal(ns["y"], torch.arange(24).reshape(4, 6)[1:3, ::2])
    assert "view of x: True" in run_script(code.index_code((4, 6), sliced.source), tmp_path).stdout
