"""lib/tensors.py: values against torch, the memory budget, layouts, and the generated code."""
import math

import numpy as np
import pytest
import torch

from lib import tensors as T
from lib.common.samples import PHOTOS, load_sample
from tests.helpers import ROOT

CPU = torch.device("cpu")


def run_code(code: str, cwd=None) -> dict:
    """Run generated code (allowed in tests only) and return its variables."""
    namespace: dict = {}
    if cwd is not None:
        import os
        old = os.getcwd()
        os.chdir(cwd)
        try:
            exec(compile(code, "<generated>", "exec"), namespace)
        finally:
            os.chdir(old)
    else:
        exec(compile(code, "<generated>", "exec"), namespace)
    return namespace


# ---------------------------------------------------------------- shapes and budget

@pytest.mark.parametrize("text, shape", [
    ("3, 4", (3, 4)), ("", ()), ("()", ()), ("(2, 3, 4)", (2, 3, 4)), ("2x3", (2, 3)),
    ("1,2,3,4,5", (1, 2, 3, 4, 5)), ("0, 3", (0, 3)), ("7", (7,)),
])
def test_parse_shape(text, shape):
    assert T.parse_shape(text) == shape


@pytest.mark.parametrize("text, words", [
    ("1,2,3,4,5,6", "rank 5"), ("3, -1", "negative"), ("3, a", "whole numbers"), ("2.5", "whole numbers"),
])
def test_parse_shape_rejects(text, words):
    with pytest.raises(ValueError, match=words):
        T.parse_shape(text)


def test_memory_budget_refuses_before_allocating():
    with pytest.raises(ValueError, match="budget"):
        T.create(T.CreateSpec(factory="ones", shape=(100000, 100000)), CPU)  # 40 GB: must not be tried
    with pytest.raises(ValueError, match="budget"):
        T.create(T.CreateSpec(factory="zeros", shape=(1024, 1024, 9), dtype="float64"), CPU, max_bytes=2**26)
    T.check_budget((1024, 1024, 8), torch.float64, 2**26)  # exactly 64 MiB is allowed


def test_human_bytes():
    assert T.human_bytes(512) == "512 B"
    assert T.human_bytes(1536) == "1.5 KiB"
    assert T.human_bytes(64 * 2**20) == "64.0 MiB"


# ---------------------------------------------------------------- creation

ORACLES = {  # factory -> what torch gives for shape (2, 3), float32, seed 3, fill 7, low 0 high 10
    "ones": lambda: torch.ones(2, 3), "zeros": lambda: torch.zeros(2, 3), "full": lambda: torch.full((2, 3), 7.0),
    "rand": lambda: torch.rand(2, 3, generator=torch.Generator().manual_seed(3)),
    "randn": lambda: torch.randn(2, 3, generator=torch.Generator().manual_seed(3)),
    "randint": lambda: torch.randint(0, 10, (2, 3), generator=torch.Generator().manual_seed(3)).float(),
    "arange": lambda: torch.arange(6.0).reshape(2, 3), "linspace": lambda: torch.linspace(0, 1, 6).reshape(2, 3),
    "eye": lambda: torch.eye(2, 3), "tensor": lambda: torch.tensor([[0.0, 1, 2], [3, 4, 5]]),
    "as_tensor": lambda: torch.arange(6.0).reshape(2, 3), "ones_like": lambda: torch.ones(2, 3),
    "zeros_like": lambda: torch.zeros(2, 3), "full_like": lambda: torch.full((2, 3), 7.0),
    "new_ones": lambda: torch.ones(2, 3), "new_zeros": lambda: torch.zeros(2, 3), "new_full": lambda: torch.full((2, 3), 7.0),
    "rand_like": lambda: torch.rand(2, 3, generator=torch.Generator().manual_seed(3)),
    "randn_like": lambda: torch.randn(2, 3, generator=torch.Generator().manual_seed(3)),
}


@pytest.mark.parametrize("factory", list(ORACLES))
def test_create_matches_torch_and_code_reproduces_it(factory):
    spec = T.CreateSpec(factory=factory, shape=(2, 3), seed=3)
    x = T.create(spec, CPU).tensor
    torch.testing.assert_close(x, ORACLES[factory](), rtol=0, atol=0)
    torch.testing.assert_close(run_code(T.creation_code(spec))["x"], x, rtol=0, atol=0)


@pytest.mark.parametrize("factory", ["empty", "new_empty"])
def test_empty_has_shape_and_dtype_only(factory):
    spec = T.CreateSpec(factory=factory, shape=(2, 3, 1), dtype="int16")
    x = T.create(spec, CPU).tensor
    y = run_code(T.creation_code(spec))["x"]
    assert x.shape == y.shape == (2, 3, 1) and x.dtype == y.dtype == torch.int16


@pytest.mark.parametrize("dtype", list(T.DTYPES))
@pytest.mark.parametrize("shape", [(), (5,), (2, 3), (1, 2, 3, 2, 2)])
def test_every_dtype_and_rank(dtype, shape):
    spec = T.CreateSpec(factory="full", shape=shape, dtype=dtype, fill_value=1)
    created = T.create(spec, CPU)
    assert created.tensor.dtype == T.DTYPES[dtype] and tuple(created.tensor.shape) == shape
    assert created.facts["numel()"] == str(math.prod(shape)) and created.facts["dim()"] == str(len(shape))
    assert created.facts["bytes"].startswith(str(math.prod(shape) * T.DTYPES[dtype].itemsize))
    assert torch.equal(run_code(T.creation_code(spec))["x"], created.tensor)


def test_random_factories_are_seeded():
    a = T.create(T.CreateSpec(factory="randn", shape=(50,), seed=1), CPU).tensor
    b = T.create(T.CreateSpec(factory="randn", shape=(50,), seed=1), CPU).tensor
    c = T.create(T.CreateSpec(factory="randn", shape=(50,), seed=2), CPU).tensor
    assert torch.equal(a, b) and not torch.equal(a, c)


@pytest.mark.parametrize("factory, dtype, words", [
    ("randn", "int64", "not implemented"),   # PyTorch's own message
    ("rand", "bool", "not implemented"),
    ("arange", "bool", "not implemented"),
])
def test_invalid_dtype_combinations_give_value_error(factory, dtype, words):
    with pytest.raises(ValueError, match=words):
        T.create(T.CreateSpec(factory=factory, shape=(2, 2), dtype=dtype), CPU)


def test_eye_needs_a_matrix_shape():
    with pytest.raises(ValueError, match="eye"):
        T.create(T.CreateSpec(factory="eye", shape=(2, 2, 2)), CPU)


def test_as_tensor_shares_only_when_dtype_matches():
    shared = T.create(T.CreateSpec(factory="as_tensor", shape=(2, 3), dtype="int64"), CPU)
    copied = T.create(T.CreateSpec(factory="as_tensor", shape=(2, 3), dtype="float32"), CPU)
    assert shared.tensor.data_ptr() == shared.source.ctypes.data
    assert copied.tensor.data_ptr() != copied.source.ctypes.data


def test_panels_for_every_rank():
    for shape, count in [((), 1), ((4,), 1), ((2, 3), 1), ((2, 3, 4), 2), ((2, 2, 3, 4), 4)]:
        values, labels = T.panels(torch.arange(math.prod(shape)).reshape(shape))
        assert values.shape[0] == len(labels) == count
        assert values.reshape(-1).tolist() == list(range(math.prod(shape)))  # order is preserved
    assert T.panels(torch.zeros(2, 3, 4, 5))[1][-1] == "x[1, 2, :, :]"


# ---------------------------------------------------------------- ranks

@pytest.fixture(scope="module")
def photo():
    return load_sample("Cat (Chelsea)")


@pytest.mark.parametrize("rank, shape", [(0, ()), (1, (96,)), (2, (64, 96)), (3, (64, 96, 3)),
                                         (4, (4, 3, 64, 96)), (5, (2, 6, 3, 64, 96))])
def test_rank_examples_and_code(photo, rank, shape):
    hwc = T.image_tensor(photo, 96)  # chelsea is 451 x 300 -> 96 x 64
    x = T.rank_tensor(hwc, rank)
    assert tuple(x.shape) == shape and x.dim() == rank
    code = T.rank_code(rank, f"assets/images/{PHOTOS['Cat (Chelsea)']}", 96, photo.size, crop_box=(5, 6, 7, 8))
    ns = run_code(code, cwd=ROOT)
    torch.testing.assert_close(ns["x"], x, rtol=0, atol=0)
    assert torch.equal(ns["patch"], T.crop(hwc, 5, 6, 7, 8))


def test_batch_and_clip_layout(photo):
    hwc = T.image_tensor(photo, 32)
    chw = hwc.permute(2, 0, 1)
    batch = T.rank_tensor(hwc, 4, batch=5)
    assert torch.equal(batch[0], chw) and torch.equal(batch[1], chw.flip(2)) and torch.equal(batch[4], chw)
    clips = T.rank_tensor(hwc, 5, frames=4)
    assert torch.equal(clips[0, 0], chw) and torch.equal(clips[0, 2], chw.roll(chw.shape[2] // 2, dims=2))


def test_crop_is_a_view(photo):
    hwc = T.image_tensor(photo, 32)
    patch = T.crop(hwc, 2, 3, 4, 5)
    assert patch.shape == (4, 5, 3) and T.shares_storage(patch, hwc)
    assert torch.equal(patch, hwc[2:6, 3:8])


# ---------------------------------------------------------------- views and layout

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
def test_reshape_ops(op, args, transposed, shape, shares):
    x = T.arange_source((2, 3, 4), transposed)
    y = T.apply_reshape(x, op, args)
    assert tuple(y.shape) == shape and T.shares_storage(x, y) == shares
    ns = run_code(T.reshape_code((2, 3, 4), transposed, op, args))
    assert torch.equal(ns["x"], x)
    if op == "resize_":
        assert torch.equal(ns["y"].reshape(-1), x.reshape(-1)[:4])
    else:
        assert torch.equal(ns["y"], y)


def test_view_fails_on_non_contiguous_and_reshape_copies():
    x = T.arange_source((2, 3, 4), transposed=True)
    assert not x.is_contiguous()
    with pytest.raises(ValueError, match="view size is not compatible"):
        T.apply_reshape(x, "view", (24,))
    y = T.apply_reshape(x, "reshape", (24,))
    assert not T.shares_storage(x, y) and torch.equal(y, x.contiguous().view(24))


def test_squeeze_and_bad_args():
    x = T.arange_source((1, 3, 1))
    assert T.apply_reshape(x, "squeeze", ()).shape == (3,)
    assert T.apply_reshape(x, "squeeze", (0,)).shape == (3, 1)
    with pytest.raises(ValueError, match="PyTorch cannot"):
        T.apply_reshape(x, "view", (2, 2))
    with pytest.raises(ValueError, match="budget"):
        T.apply_reshape(x, "resize_", (100000, 100000))


def test_resize_grows_keeping_old_values():
    x = T.arange_source((2, 3))
    y = T.apply_reshape(x, "resize_", (3, 3))
    assert y.shape == (3, 3) and torch.equal(y.reshape(-1)[:6], x.reshape(-1))


def test_layout_and_storage_positions():
    x = T.arange_source((2, 3, 4))
    t = x.transpose(0, 2)[1:]
    facts = T.layout(t)
    assert facts["stride()"] == str(t.stride()) == "(1, 4, 12)" and facts["storage_offset()"] == "1"
    assert facts["is_contiguous()"] == "False"
    # x holds 0..23 in storage order, so the storage position of an element is its value
    assert torch.equal(T.storage_positions(t), t)
    assert torch.equal(T.storage_positions(x[:, 1:, ::2]), x[:, 1:, ::2])


def test_index_code_runs():
    ns = run_code(T.index_code((4, 6), "[1:3, ::2]"))
    assert torch.equal(ns["y"], torch.arange(24).reshape(4, 6)[1:3, ::2])


# ---------------------------------------------------------------- operations

@pytest.mark.parametrize("sa, sb, result", [
    ((2, 3), (3,), (2, 3)),           # a row added to every row
    ((3, 1), (1, 4), (3, 4)),         # outer sum
    ((2, 1, 3), (4, 1), (2, 4, 3)),
    ((), (2, 2), (2, 2)),             # a scalar broadcasts everywhere
])
def test_broadcast_table_matches_torch(sa, sb, result):
    rows = T.broadcast_table(sa, sb)
    assert tuple(int(r["result"]) for r in rows) == tuple(torch.broadcast_shapes(sa, sb)) == result


def test_broadcast_refuses_incompatible():
    with pytest.raises(ValueError, match="cannot broadcast.*3 and 4"):
        T.broadcast_table((2, 3), (4,))


@pytest.mark.parametrize("op", T.ELEMENTWISE_OPS)
def test_elementwise_and_code(op):
    a, b = T.operands((2, 3), (3,))
    y = T.elementwise(a, b, op)
    expected = {"+": a + b, "*": a * b, "torch.mul": a * b, "-": a - b, "/": a / b}.get(op, a + b)
    torch.testing.assert_close(y, expected)
    torch.testing.assert_close(run_code(T.elementwise_code((2, 3), (3,), op))["y"], y)


def test_matmul_rule_and_code():
    a, b, y = T.matmul((2, 3), (3, 4))
    torch.testing.assert_close(y, torch.mm(a, b))
    assert y[0, 0] == 1 * 10 + 2 * 50 + 3 * 90  # row 0 of a (1, 2, 3) times column 0 of b (10, 50, 90)
    torch.testing.assert_close(run_code(T.matmul_code((2, 3), (3, 4)))["y"], y)
    assert T.matmul((5, 2, 3), (3, 4))[2].shape == (5, 2, 4)  # batched
    with pytest.raises(ValueError, match=r"last size of a \(3\)"):
        T.matmul((2, 3), (4, 2))


@pytest.mark.parametrize("op, dim, keepdim, shape", [
    ("sum", None, False, ()), ("mean", 0, False, (4,)), ("max", 1, True, (3, 1)),
    ("argmax", -1, False, (3,)), ("std", 0, True, (1, 4)), ("prod", 1, False, (3,)), ("min", 0, False, (4,)),
])
def test_reductions_and_code(op, dim, keepdim, shape):
    x = T.operands((3, 4), ())[0]
    y = T.reduce(x, op, dim, keepdim)
    assert tuple(y.shape) == shape
    torch.testing.assert_close(run_code(T.reduce_code((3, 4), op, dim, keepdim))["y"], y)
    if op == "sum":
        assert y.item() == 78  # 1 + 2 + ... + 12


def test_reduce_bad_dim():
    with pytest.raises(ValueError, match="PyTorch cannot"):
        T.reduce(torch.ones(2, 2), "sum", 5, False)


def test_inplace_demo_and_code():
    demo = T.inplace_demo(10.0)
    assert demo["same_memory_after_add_"] and demo["add_returns_x"] and demo["y_is_new"]
    assert torch.equal(demo["x"], torch.arange(6.0).reshape(2, 3) + 10)
    assert torch.equal(run_code(T.inplace_code(10.0))["x"], demo["x"])


@pytest.mark.parametrize("da, db, scalar, expected", [
    ("int32", "float16", False, "float16"),   # float beats int
    ("int8", "int64", False, "int64"),        # wider int wins between tensors
    ("int8", "int64", True, "int8"),          # a Python int does not widen
    ("int8", "float64", True, "float32"),     # a Python float makes it the default float
    ("bool", "uint8", False, "uint8"),
    ("float16", "bfloat16", False, "float32"),
])
def test_promotion_and_code(da, db, scalar, expected):
    assert T.promotion(da, db, scalar)["result_type"] == expected
    assert str(run_code(T.promotion_code(da, db, scalar))["y"].dtype) == f"torch.{expected}"


@pytest.mark.parametrize("name, result, equal", [
    ("int8: 127 + 1", "-128", "False"), ("uint8: 0 - 1", "255", "False"),
    ("float16: 2048 + 1", "2048", "False"), ("bfloat16: 256 + 1", "256", "False"),
    ("float32: 16777216 + 1", "16777216", "False"),
])
def test_overflow_and_rounding(name, result, equal):
    dtype, value, step = T.OVERFLOW_EXAMPLES[name]
    out = T.overflow(dtype, value, step)
    assert out["torch result"] == result and out["equal"] == equal
    assert str(run_code(T.overflow_code(dtype, value, step))["y"].item()).rstrip("0").rstrip(".") == result


# ---------------------------------------------------------------- NumPy bridge

def test_bridge_shares_both_ways_and_copies_stay():
    b = T.bridge(3, 4, [(0, 1, 100.0)], (2, 3, -5.0), CPU)
    assert b.shared[0, 1] == 100 and b.copied[0, 1] == 1       # NumPy edit: shared sees it, copy does not
    assert b.array[2, 3] == -5 and b.copied[2, 3] == 11        # tensor edit: NumPy sees it
    assert b.moved is b.shared                                  # .to("cpu") on a CPU tensor is itself
    ns = run_code(T.bridge_code(3, 4, [(0, 1, 100.0)], (2, 3, -5.0)))
    assert np.array_equal(ns["array"], b.array) and torch.equal(ns["copied"], b.copied)
    assert torch.equal(ns["shared"], b.shared)


def test_cell_edits():
    base = np.arange(6, dtype=np.float32).reshape(2, 3)
    edited = base.astype(object)
    edited[1, 2] = 42
    assert T.cell_edits(base, edited) == [(1, 2, 42.0)]
    assert T.cell_edits(base, base.copy()) == []
    edited[0, 0] = None
    with pytest.raises(ValueError, match="empty"):
        T.cell_edits(base, edited)
    with pytest.raises(ValueError, match="shape"):
        T.cell_edits(base, base[:1])


def test_bridge_rejects_cells_outside():
    with pytest.raises(ValueError, match="outside"):
        T.bridge(3, 4, [], (3, 0, 1.0), CPU)


# ---------------------------------------------------------------- timing

def test_timing_curve_and_code():
    timings = list(T.timing_curve((8, 16), [CPU], repeats=1))
    assert [t.n for t in timings] == [8, 16] and all(t.seconds > 0 and t.gflops > 0 for t in timings)
    ns = run_code(T.timing_code((8, 16), "cpu", repeats=1))
    a, b = T.matmul_inputs(16, CPU)
    torch.testing.assert_close(ns["y"], a @ b)


def test_crossover():
    ts = [T.Timing("cpu", 64, 1e-5), T.Timing("cpu", 512, 1e-2), T.Timing("cuda:0", 64, 2e-5), T.Timing("cuda:0", 512, 1e-4)]
    assert T.crossover(ts, "cuda:0") == 512
    assert T.crossover(ts[:3], "cuda:0") is None
