"""lib.tensors.ranks: one photo at every rank, the code that rebuilds it, and a crop that is a view."""
import pytest
import torch

from lib.common.samples import PHOTOS
from lib.tensors import code, ranks, views
from tests.helpers import ROOT, run_script


@pytest.mark.parametrize("rank, shape", [(0, ()), (1, (96,)), (2, (64, 96)), (3, (64, 96, 3)),
                                         (4, (4, 3, 64, 96)), (5, (2, 6, 3, 64, 96))])
def test_rank_examples_and_code(photo, rank, shape, tmp_path):
    hwc = ranks.image_tensor(photo, 96)  # chelsea is 451 x 300 -> 96 x 64
    x = ranks.rank_tensor(hwc, rank)
    assert tuple(x.shape) == shape and x.dim() == rank
    script = code.rank_code(rank, f"assets/images/{PHOTOS['Cat (Chelsea)']}", 96, photo.size, crop_box=(5, 6, 7, 8))
    ns = run_script(script, tmp_path, cwd=ROOT).namespace
    torch.testing.assert_close(ns["x"], x, rtol=0, atol=0)
    assert torch.equal(ns["patch"], ranks.crop(hwc, 5, 6, 7, 8))


def test_batch_and_clip_layout(photo):
    hwc = ranks.image_tensor(photo, 32)
    chw = hwc.permute(2, 0, 1)
    batch = ranks.rank_tensor(hwc, 4, batch=5)
    assert torch.equal(batch[0], chw) and torch.equal(batch[1], chw.flip(2)) and torch.equal(batch[4], chw)
    clips = ranks.rank_tensor(hwc, 5, frames=4)
    assert torch.equal(clips[0, 0], chw) and torch.equal(clips[0, 2], chw.roll(chw.shape[2] // 2, dims=2))


def test_crop_is_a_view(photo):
    hwc = ranks.image_tensor(photo, 32)
    patch = ranks.crop(hwc, 2, 3, 4, 5)
    assert patch.shape == (4, 5, 3) and views.shares_storage(patch, hwc)
    assert torch.equal(patch, hwc[2:6, 3:8])


def test_crop_range_and_default_fit_the_photo():
    box = ranks.CropRange(64, 96)
    assert box.default() == (16, 24, 32, 48)
    assert box.bounds() == ((0, 63), (0, 95), (1, 64), (1, 96))
    assert all(lo <= v <= hi for v, (lo, hi) in zip(box.default(), box.bounds()))


def test_facts_and_pictures(photo):
    hwc = ranks.image_tensor(photo, 32)
    scalar = ranks.facts(ranks.rank_tensor(hwc, 0))
    assert scalar.shape == () and scalar.value == pytest.approx(hwc.float().mean().item())
    assert ranks.facts(ranks.rank_tensor(hwc, 4)).last_dim_contiguous  # torch.stack writes a fresh block
    permuted = ranks.facts(hwc.permute(2, 0, 1))  # (C, H, W) view of (H, W, C): neighbours 3 apart
    assert not permuted.last_dim_contiguous and permuted.stride[-1] == 3 and permuted.value is None
    assert ranks.pictures(ranks.rank_tensor(hwc, 4))[1].shape == tuple(hwc.shape)  # back to (H, W, C)
    assert len(ranks.pictures(ranks.rank_tensor(hwc, 5))[0]) == ranks.FRAMES
    assert ranks.channels(hwc).shape == (3, *hwc.shape[:2])


def test_rank_6_is_refused(photo):
    with pytest.raises(ValueError, match="0 to 5"):
        ranks.rank_tensor(ranks.image_tensor(photo, 16), 6)
