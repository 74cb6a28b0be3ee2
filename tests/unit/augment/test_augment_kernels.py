"""The page's faster kernels give torchvision's numbers exactly: every colour, odd shapes, all fallbacks."""
import pytest
import torch
from torchvision import tv_tensors
from torchvision.transforms import v2
from torchvision.transforms.v2 import functional as F
from torchvision.transforms.v2.functional._geometry import _affine_grid, _get_inverse_affine_matrix

from lib.augment import kernels as K


def _random_images(count: int, seed: int, channels=(3,), max_side: int = 90):
    """Random uint8 images of odd and even sizes (vector loops and their scalar tails both run)."""
    g = torch.Generator().manual_seed(seed)
    for k in range(count):
        h, w = (int(v) for v in torch.randint(1, max_side, (2,), generator=g))
        c = channels[k % len(channels)]
        x = torch.randint(0, 256, (c, h, w), dtype=torch.uint8, generator=g)
        yield (x // 51) * 51 if k % 4 == 0 else x  # few levels: many grey and equal-channel pixels


def _every_colour(chunk: int):
    """All 2**24 RGB colours, `chunk` colours at a time, as (3, 1, chunk) uint8 images."""
    for start in range(0, 2 ** 24, chunk):
        code = torch.arange(start, start + chunk, dtype=torch.int32)
        yield torch.stack([(code >> 16) & 255, (code >> 8) & 255, code & 255]).to(torch.uint8)[:, None, :]


def _via_levels(step, x: torch.Tensor, factor: float) -> torch.Tensor:
    """A ColorJitter step of the page run on x's levels, back to uint8 (as ExactColorJitter does)."""
    return K._to_uint8(step(x.float(), factor))


@pytest.mark.parametrize("hue", [-0.5, -0.0731, 0.0137, 0.5])
def test_hue_matches_torchvision_on_every_colour(hue):
    for x in _every_colour(2 ** 22):
        assert torch.equal(_via_levels(K.hue_levels_, x, hue), F.adjust_hue(x, hue))


def test_hue_matches_on_images_and_batches():
    g = torch.Generator().manual_seed(0)
    for x in _random_images(30, seed=1, channels=(3, 1)):
        hue = float(torch.empty(1).uniform_(-0.5, 0.5, generator=g))
        assert torch.equal(_via_levels(K.hue_levels_, x, hue), F.adjust_hue(x, hue)), (tuple(x.shape), hue)
    batch = torch.randint(0, 256, (2, 3, 17, 31), dtype=torch.uint8, generator=g)
    assert torch.equal(_via_levels(K.hue_levels_, batch, 0.3), F.adjust_hue(batch, 0.3))


@pytest.mark.parametrize("step,reference", [
    (K.brightness_levels_, F.adjust_brightness),
    (K.contrast_levels_, F.adjust_contrast),
    (K.saturation_levels_, F.adjust_saturation),
])
def test_level_steps_match_torchvision(step, reference):
    g = torch.Generator().manual_seed(2)
    for k, x in enumerate(_random_images(40, seed=3, channels=(3, 1))):
        factor = [0.0, 1.0, 5.0][k] if k < 3 else float(torch.empty(1).uniform_(0, 3, generator=g))
        assert torch.equal(_via_levels(step, x, factor), reference(x, factor)), (tuple(x.shape), factor)
    batch = torch.randint(0, 256, (3, 3, 9, 14), dtype=torch.uint8, generator=g)  # contrast: a mean per image
    assert torch.equal(_via_levels(step, batch, 1.7), reference(batch, 1.7))


# ---------------------------------------------------------------- rotation


def _torchvision_grid(angle: float, h: int, w: int) -> torch.Tensor:
    matrix = _get_inverse_affine_matrix([0.0, 0.0], -angle, [0.0, 0.0], 1.0, [0.0, 0.0])
    theta = torch.tensor(matrix, dtype=torch.float32).reshape(1, 2, 3)
    return _affine_grid(theta, w=w, h=h, ow=w, oh=h)


def _same_bits(a: torch.Tensor, b: torch.Tensor) -> bool:
    """Equal bit for bit, the sign of zero included (torch.equal takes -0.0 == 0.0)."""
    return torch.equal(a.contiguous().view(torch.int32), b.contiguous().view(torch.int32))


def test_rotation_grid_is_torchvisions():
    g = torch.Generator().manual_seed(4)
    for _ in range(60):
        h, w = (int(v) for v in torch.randint(2, 300, (2,), generator=g))
        angle = float(torch.empty(1).uniform_(0, 360, generator=g))
        assert _same_bits(K._rotation_grid(angle, h, w), _torchvision_grid(angle, h, w)), (h, w, angle)


@pytest.mark.parametrize("h,w,angle", [
    (3, 5, 33.3), (8, 8, 71.0), (1, 66, 12.0),      # under 400 multiply-adds: torch's unfused bmm loop
    (64, 80, 90.0000001), (50, 70, 180.0000001),    # a sine or cosine near 0: float64 cannot hold the sum
    (2, 67, 45.0), (67, 1, 300.5),                   # just past the small-bmm limit; one row or column
])
def test_rotation_grid_edges_are_torchvisions(h, w, angle):
    assert _same_bits(K._rotation_grid(angle, h, w), _torchvision_grid(angle, h, w))


def test_fused_grid_covers_ordinary_angles():
    """The float64 emulation of the BLAS's FMA is exact (and so used) for every angle a user draws."""
    for angle in torch.linspace(0.01, 359.99, 96).tolist():  # misses multiples of 90 (never rotated this way)
        assert K._fused_grid(K._inverse_matrix(angle), 224, 301) is not None, angle
    assert K._fused_grid(K._inverse_matrix(90.0000001), 224, 224) is None


def test_centred_coordinates_are_half_integers():
    """`_exact_in_float64` relies on it: linspace with a step of exactly 1 lands on multiples of 1/2."""
    for n in (1, 2, 7, 224, 1023, 4096):
        x = K._centred(n)
        assert torch.equal(x * 2, (x * 2).round()) and x[0] == (1 - n) / 2 and x[-1] == (n - 1) / 2


def test_rotation_matches_torchvision():
    g = torch.Generator().manual_seed(5)
    fills = [None, 0, 7, 200.6, (1, 2, 3)]
    for k, x in enumerate(_random_images(60, seed=6, channels=(3, 1), max_side=120)):
        angle = float(torch.empty(1).uniform_(-800, 800, generator=g))
        fill = fills[k % len(fills)]
        if isinstance(fill, tuple) and x.shape[0] == 1:
            fill = 9
        out = K.rotate_nearest(x, angle, fill=fill)
        assert out is not None and torch.equal(out, F.rotate(x, angle, fill=fill)), (tuple(x.shape), angle, fill)
    batch = torch.randint(0, 256, (2, 3, 20, 33), dtype=torch.uint8, generator=g)
    assert torch.equal(K.rotate_nearest(batch, 33.3, fill=(5, 6, 7)), F.rotate(batch, 33.3, fill=[5, 6, 7]))


@pytest.mark.parametrize("kwargs", [
    {"angle": 90.0}, {"angle": -180.0}, {"angle": 10.0, "expand": True}, {"angle": 10.0, "center": [1.0, 2.0]},
    {"angle": 10.0, "interpolation": v2.InterpolationMode.BILINEAR}, {"angle": 10.0, "fill": (1, 2)},
])
def test_rotation_shortcut_steps_aside(kwargs):
    assert K.rotate_nearest(torch.zeros(3, 6, 8, dtype=torch.uint8), **kwargs) is None


# ---------------------------------------------------------------- the transforms the page builds


def _same_draws(fast: v2.Transform, plain: v2.Transform, sample, draws: int = 12) -> None:
    for seed in range(draws):
        torch.manual_seed(seed)
        got = fast(sample)
        torch.manual_seed(seed)
        want = plain(sample)
        for a, b in zip(got.values() if isinstance(got, dict) else [got],
                        want.values() if isinstance(want, dict) else [want]):
            assert type(a) is type(b) and torch.equal(a.as_subclass(torch.Tensor), b.as_subclass(torch.Tensor))


@pytest.mark.parametrize("cls,plain,kwargs", [
    (K.ExactColorJitter, v2.ColorJitter, {"brightness": 0.4, "contrast": 0.4, "saturation": 0.4, "hue": 0.1}),
    (K.ExactColorJitter, v2.ColorJitter, {"hue": (-0.5, 0.5)}),
    (K.ExactRandomRotation, v2.RandomRotation, {"degrees": 45}),
    (K.ExactRandomRotation, v2.RandomRotation, {"degrees": 45, "fill": 128}),
    (K.ExactRandomRotation, v2.RandomRotation, {"degrees": 45, "expand": True}),
])
def test_page_transforms_draw_like_v2(cls, plain, kwargs):
    g = torch.Generator().manual_seed(7)
    image = tv_tensors.Image(torch.randint(0, 256, (3, 37, 52), dtype=torch.uint8, generator=g))
    grey = torch.randint(0, 256, (1, 20, 20), dtype=torch.uint8, generator=g)
    boxed = {"image": image, "boxes": tv_tensors.BoundingBoxes([[5, 5, 30, 20]], format="XYXY", canvas_size=(37, 52)),
             "mask": tv_tensors.Mask(torch.randint(0, 2, (37, 52), dtype=torch.uint8, generator=g))}
    channels_last = tv_tensors.Image(image.permute(1, 2, 0).contiguous().permute(2, 0, 1))  # as to_image gives
    for sample in (image, channels_last, grey, boxed, image.float() / 255):
        before = {k: v.clone() for k, v in sample.items()} if isinstance(sample, dict) else sample.clone()
        _same_draws(cls(**kwargs), plain(**kwargs), sample)
        for a, b in zip(*(s.values() if isinstance(s, dict) else [s] for s in (sample, before))):
            assert torch.equal(a, b)  # the page's kernels work in place on their own copy, never on the input


@pytest.mark.parametrize("x", [torch.zeros(3, 0, 4, dtype=torch.uint8), torch.zeros(4, 5, 5, dtype=torch.uint8)])
def test_colour_jitter_leaves_other_images_to_torchvision(x):
    """Empty and 4-channel images: torchvision's kernels run and give (or refuse) as they always do."""
    kwargs = {"brightness": 0.4, "contrast": 0.4, "saturation": 0.4, "hue": 0.1}
    results = []
    for cls in (K.ExactColorJitter, v2.ColorJitter):
        torch.manual_seed(0)
        try:
            results.append(cls(**kwargs)(x))
        except (TypeError, ValueError) as e:
            results.append(f"{type(e).__name__}: {e}")
    assert (torch.equal(*results) if isinstance(results[0], torch.Tensor) else results[0] == results[1])
