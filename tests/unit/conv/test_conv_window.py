"""lib.conv.window: the hand-computed sliding window against PyTorch, and what the page draws of it."""
import numpy as np
import pytest
import torch

from lib.conv import kernels, window

# ----------------------------------------------------------------------------- sliding window

def test_random_grid_is_seeded_integers():
    a, b, c = window.random_grid(5, 0), window.random_grid(5, 0), window.random_grid(5, 1)
    assert a.shape == (1, 5, 5) and torch.equal(a, b) and not torch.equal(a, c)
    assert a.min() >= 0 and a.max() <= 9 and torch.equal(a, a.round())


@pytest.mark.parametrize("op,khw,s,p,d", [
    ("conv", (3, 3), 1, 0, 1),
    ("conv", (2, 3), 2, 1, 1),   # non-square kernel, stride and padding
    ("conv", (3, 3), 1, 1, 2),   # dilation
    ("max", (2, 2), 2, 1, 1),
    ("max", (3, 3), 1, 1, 2),
    ("avg", (2, 2), 1, 1, 1),    # avg counts the padded zeros (count_include_pad=True)
])
def test_sliding_steps_match_torch(op, khw, s, p, d):
    grid = window.random_grid(7, 3)[0]
    kernel = torch.randn(*khw, generator=torch.Generator().manual_seed(0)) if op == "conv" else None
    steps = window.sliding_steps(grid, khw, op, s, p, d, kernel)
    torch.testing.assert_close(window.steps_to_grid(steps), window.reference_window_op(grid, khw, op, s, p, d, kernel))
    first = steps[0]
    assert (first.row, first.col, first.top, first.left) == (0, 0, 0, 0)
    assert first.formula.endswith(f"= {first.result:.4g}")


# ----------------------------------------------------------------------------- what the page shows

def test_sliding_window_on_the_classic_grid():
    kernel = kernels.preset_kernel("sobel_x")
    demo = window.sliding_window(5, 0, "conv", 1, 0, 1, kernel=kernel)
    assert torch.equal(demo.grid, window.random_grid(5, 0)[0])
    assert demo.in_hw == (5, 5) and demo.out_hw == (3, 3) and len(demo.steps) == 9
    assert demo.mismatch() == 0.0  # hand computation == F.conv2d
    assert demo.steps[0].formula.startswith(f"{demo.grid[0, 0].item():.3g}·(-1)")


def test_average_pooling_has_no_dilation():
    demo = window.sliding_window(6, 1, "avg", 2, 0, 3, pool=2)
    assert demo.dilation == 1 and demo.out_hw == (3, 3) and demo.kernel is None
    assert demo.mismatch() < 1e-6
    assert window.sliding_window(6, 1, "max", 2, 0, 2).dilation == 2  # max pooling keeps it


@pytest.mark.parametrize("args,kwargs,message", [
    ((5, 0, "conv", 0, 0, 1), dict(kernel=torch.ones(3, 3)), "Stride must be at least 1"),
    ((5, 0, "conv", 1, 0, 1), dict(kernel=torch.ones(7, 7)), "padded input has only 5"),
    ((5, 0, "conv", 1, 0, 1), {}, "needs a kernel"),
    ((5, 0, "max", 1, 0, 3), dict(pool=3), "covers 7 cells"),   # dilation 3 stretches 3 taps over 7 cells
])
def test_sliding_window_refuses_what_cannot_work(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        window.sliding_window(*args, **kwargs)


def test_window_picture_marks_the_current_stop():
    kernel = torch.ones(2, 3)
    demo = window.sliding_window(5, 2, "conv", 2, 1, 1, kernel=kernel)  # out: floor((5+2-2)/2)+1 = 3, (5+2-3)/2+1 = 3
    picture = window.window_picture(demo, 4)  # the fifth stop: output row 1, column 1
    assert picture.padded.shape == (7, 7) and picture.padded[0].sum() == 0  # a ring of zero padding
    np.testing.assert_array_equal(picture.padded[1:-1, 1:-1], demo.grid.numpy())
    assert picture.inner == (1, 1, 5, 5)
    assert picture.window == (2, 2, 2, 3) and picture.cell == (1, 1, 1, 1)  # top-left = 1 * stride
    assert np.isfinite(picture.output).sum() == 5  # only the stops visited so far
    assert picture.output[1, 1] == pytest.approx(demo.steps[4].result)
    np.testing.assert_array_equal(picture.kernel, kernel.numpy())


def test_window_picture_of_a_dilated_pooling_window():
    demo = window.sliding_window(7, 0, "max", 1, 0, 3, pool=2)
    picture = window.window_picture(demo, 0)
    assert picture.window == (0, 0, 4, 4)  # 2 taps 3 apart cover 4 cells
    assert picture.inner is None and picture.kernel is None
    with pytest.raises(ValueError, match="window positions"):
        window.window_picture(demo, len(demo.steps))


@pytest.mark.parametrize("op,k,padding,dilation,ok", [
    ("avg", 2, 1, 1, True),    # 1 is half of 2
    ("avg", 2, 2, 1, False),   # PyTorch refuses padding above half the window
    ("max", 3, 2, 1, False),
    ("max", 3, 1, 2, True),
    ("max", 2, 2, 3, False),   # half the taps, not half the dilated span: PyTorch refuses this too
    ("conv", 2, 3, 1, True),   # convolutions take any padding
])
def test_pooling_padding_is_at_most_half_the_window(op, k, padding, dilation, ok):
    kernel = torch.ones(k, k) if op == "conv" else None
    args, kwargs = (7, 0, op, 1, padding, dilation), dict(kernel=kernel, pool=k)
    if ok:
        assert window.sliding_window(*args, **kwargs).mismatch() < 1e-5  # and PyTorch agrees it is allowed
    else:
        with pytest.raises(ValueError, match="at most half the window"):
            window.sliding_window(*args, **kwargs)
