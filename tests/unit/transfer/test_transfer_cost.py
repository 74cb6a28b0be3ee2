"""The gate's estimates against what the jobs really allocate and how long they really take (generous factors:
the figures are for queueing, not for benchmarks)."""
import time

import pytest
import torch

from lib.transfer import cost, features
from lib.transfer import training as T
from tests.unit.transfer.conftest import CPU


def cpu_seconds(fn) -> float:
    """CPU time of `fn()` per torch thread: what the estimates model. Not wall-clock time, which other processes
    on a shared machine stretch at will (the tests' own figures are for queueing, the benchmarks time for real)."""
    start = time.process_time()
    fn()
    return (time.process_time() - start) / torch.get_num_threads()


@pytest.fixture(scope="module")
def profile(vgg):
    return cost.profile(vgg)


def test_the_profile_counts_vgg_by_hand(profile):
    # conv FLOPs down to pool4 at 64 px: 2 * H * W * C_out * C_in * 9 per conv
    convs = [(64, 3, 64), (64, 64, 64), (32, 64, 128), (32, 128, 128), (16, 128, 256)] + [(16, 256, 256)] * 3 + \
        [(8, 256, 512)] + [(8, 512, 512)] * 3
    assert profile.prefix_flops == sum(2 * s * s * co * ci * 9 for s, ci, co in convs)
    assert profile.block_flops == 2 * 4 * 4 * 512 * 512 * 9
    assert profile.map_values == 512 * 4 * 4 and profile.feature_dim == 2048
    assert profile.largest == 64 * 64 * 64  # conv1_1's output
    assert profile.block_params == 512 * 512 * 9 + 512


def test_extraction_memory_estimate_covers_what_the_bank_stores(profile, vgg, shapes):
    from lib.transfer import data
    fs = data.few_shot(shapes, "fashion", 10, 30, 0)
    bank = features.FeatureBank(("k",))
    list(features.extract_draw(vgg, bank, fs))
    n = len(bank.rows)
    pooled, maps = bank.take(torch.tensor(list(bank.rows)))
    stored = pooled.numel() * 4 + maps.numel() * 2
    batch = features.BATCH * 4 * 2 * profile.largest  # a layer's input and output, float32
    assert cost.extract_bytes(profile, n) == stored + batch
    assert cost.extract_bytes(profile, n, keep_maps=False) == pooled.numel() * 4 + batch


def test_extraction_time_estimate_is_within_a_factor_of_the_measurement(profile, vgg):
    images = torch.randint(0, 256, (64, 1, 28, 28), dtype=torch.uint8)
    bank = features.FeatureBank(("k",))
    vgg.maps(images[:4])  # warm up
    measured = cpu_seconds(lambda: list(features.extract(vgg, bank, torch.arange(64), images)))
    estimate = cost.extract_seconds(profile, 64)
    assert measured / 5 < estimate < measured * 5, (estimate, measured)


def test_training_estimates_cover_parameters_and_a_batch(profile, tiny, draw, feats, vgg):
    k = len(draw.classes)
    _, acts, params, _ = cost.scratch_profile(k, tiny.scratch_px)
    assert params == sum(p.numel() for p in T.scratch_cnn(k, tiny.scratch_px, 0).parameters())
    need = cost.train_bytes(profile, tiny, len(draw.train_y), len(draw.val_y), k)
    assert need >= profile.block_params * 4 * 4  # stage 2: weights, gradients, two Adam moments
    assert need >= tiny.batch_size * 4 * 2 * acts  # a scratch batch's activations and their gradients
    assert cost.train_bytes(None, tiny, 15, 6, k) < need  # no backbone: the scratch CNN only
    measured = cpu_seconds(lambda: [list(T.trainer(s, T.StrategyRun(s, draw.classes), draw, feats, vgg, tiny, CPU))
                                    for s in ("scratch", "head", "two_stage")])
    estimate = cost.train_seconds(profile, tiny, len(draw.train_y), len(draw.val_y), k)
    assert measured / 10 < estimate < measured * 10, (estimate, measured)


def test_a_gpu_is_assumed_faster(profile, tiny):
    assert cost.extract_seconds(profile, 100, "cuda:0") == pytest.approx(cost.extract_seconds(profile, 100) / 10)
    assert cost.train_seconds(profile, tiny, 50, 20, 10, "cuda") < cost.train_seconds(profile, tiny, 50, 20, 10)
