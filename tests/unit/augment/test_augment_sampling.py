"""lib/augment/sampling.py: seeded draws equal the plain Compose per seed, leave the global RNG alone, replay."""
from __future__ import annotations

import threading

import pytest
import torch
from torchvision.transforms import v2

from lib.augment import pipeline, sampling


def _reference(x: torch.Tensor, steps: list[pipeline.Step], n: int, seed: int) -> list[torch.Tensor]:
    """What the exported code does: one Compose, draw i seeded with seed + i."""
    compose = v2.Compose([pipeline.build_transform(s) for s in steps if s.enabled])
    outs = []
    with torch.random.fork_rng():
        for i in range(n):
            torch.manual_seed(seed + i)
            outs.append(compose(x))
    return outs


def test_sample_equals_plain_compose_per_seed_despite_batching(make_image, make_steps, mixed):
    steps = make_steps(*mixed)
    draws = sampling.sample(make_image(), pipeline.build_pipeline(steps), 5, seed=3)
    for got, want in zip(draws.outputs, _reference(make_image(), steps, 5, 3), strict=True):
        torch.testing.assert_close(got.as_subclass(torch.Tensor), want.as_subclass(torch.Tensor), rtol=0, atol=0)


def test_same_seed_same_grid_other_seed_other_grid(make_image, make_steps, mixed):
    built = pipeline.build_pipeline(make_steps(*mixed))
    a, b, c = (sampling.sample(make_image(), built, 4, seed=s).outputs for s in (7, 7, 8))
    assert all(torch.equal(x, y) for x, y in zip(a, b))
    assert not all(torch.equal(x, y) for x, y in zip(a, c))
    assert not torch.equal(a[0], a[1])  # draws inside one grid differ too


def test_global_rng_is_left_untouched(make_image, make_steps, mixed):
    before = torch.get_rng_state()
    sampling.sample(make_image(), pipeline.build_pipeline(make_steps(*mixed)), 3, seed=1)
    assert torch.equal(before, torch.get_rng_state())


def test_concurrent_sessions_get_their_own_grids(make_image, make_steps):
    built = pipeline.build_pipeline(make_steps(("RandomRotation", {}), ("RandomErasing", {"p": 1.0})))
    serial = {s: sampling.sample(make_image(), built, 3, s).outputs for s in range(3)}
    results: dict[int, list] = {}

    def work(s: int) -> None:
        for _ in range(2):
            results[s] = sampling.sample(make_image(), built, 3, s).outputs

    threads = [threading.Thread(target=work, args=(s,)) for s in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in range(3):
        assert all(torch.equal(x, y) for x, y in zip(results[s], serial[s]))


def test_step_by_step_ends_in_the_grid_draw(make_image, make_steps, mixed):
    steps = make_steps(*mixed)
    built = pipeline.build_pipeline(steps)
    draws = sampling.sample(make_image(), built, 4, seed=2)
    frames = sampling.step_by_step(make_image(), built, seed=2, index=3)
    assert [i for i, _ in frames] == list(range(len(steps)))
    assert torch.equal(frames[-1][1], draws.outputs[3])
    assert frames[0][1].shape[-2:] == (80, 106)  # Resize(80): shorter side 80, ratio kept


def test_crop_larger_than_image_is_reported_and_passed_through(make_image, make_steps):
    steps = make_steps(("RandomCrop", {"size": 500}), ("RandomVerticalFlip", {"p": 1.0}))
    draws = sampling.sample(make_image(), pipeline.build_pipeline(steps), 2, 0)
    assert "larger than input image size" in draws.errors[0]
    assert torch.equal(draws.outputs[1], make_image().flip(-2))


@pytest.mark.parametrize("n", [1, 3])
def test_a_deterministic_pipeline_gives_n_equal_draws(n, make_image, make_steps):
    built = pipeline.build_pipeline(make_steps(("Resize", {"size": 48}), ("CenterCrop", {"size": 40})))
    outs = sampling.sample(make_image(), built, n, seed=0).outputs
    assert len(outs) == n and all(o.shape == (3, 40, 40) and torch.equal(o, outs[0]) for o in outs)
