"""lib/style_transfer/optimise.py and run.py: the step generator, its spaces and scales, and a StyleRun."""
from dataclasses import replace

import pytest
import torch

from lib.style_transfer import optimise as O
from lib.style_transfer.images import rgb_to_yiq
from lib.style_transfer.run import StyleRun
from tests.unit.style_transfer.conftest import TINY


@pytest.mark.parametrize("changes", [
    dict(optimizer="adam"),                                  # the page's default technique
    dict(optimizer="lbfgs"),                                 # the original paper's optimiser
    dict(space="normalised", lr=0.01, gram="classic", style_ratio=1e6, tv_weight=0.0),  # the recipe's
])
def test_loss_goes_down(features, pair, changes):
    cfg = replace(TINY, steps=3, coarse_to_fine=False, **changes)
    history = list(O.stylize(features, *pair, cfg))
    assert [r.step for r in history] == [1, 2, 3]
    assert history[-1].losses["total"] < history[0].losses["total"]
    assert history[-1].image.shape == (3, *pair[0].shape[-2:])
    assert 0 <= history[-1].image.min() and history[-1].image.max() <= 1


def test_coarse_to_fine_runs_half_size_first(features, pair):
    history = list(O.stylize(features, *pair, TINY))
    assert [r.size for r in history] == [(16, 16)] * 2 + [tuple(pair[0].shape[-2:])] * 2


def test_noise_init_is_deterministic_per_seed(features, pair):
    cfg = replace(TINY, init="noise", coarse_to_fine=False)
    a, _ = O.run_to_end(features, *pair, cfg)
    b, _ = O.run_to_end(features, *pair, cfg)
    c, _ = O.run_to_end(features, *pair, replace(cfg, seed=1))
    torch.testing.assert_close(a, b)
    assert not torch.allclose(a, c)


@pytest.mark.parametrize("init", ["content", "style"])
def test_init_starts_from_the_picture(features, pair, init):
    cfg = replace(TINY, init=init, coarse_to_fine=False, steps=1, lr=1e-6)
    image, _ = O.run_to_end(features, *pair, cfg)
    start = pair[0] if init == "content" else pair[1]
    torch.testing.assert_close(image, start[0], atol=1e-4, rtol=0)


@pytest.mark.parametrize("space, lr, grey_levels", [
    ("pixels", 5.0, 5.0),                    # the page's: lr in grey levels
    ("normalised", 0.003, 0.003 * 0.226 * 255),  # the recipe's: lr in channel standard deviations
])
def test_an_adam_step_moves_pixels_by_the_learning_rate(features, pair, space, lr, grey_levels):
    """Adam's first step is lr * sign(gradient) per variable: the unit of lr is what the space says it is."""
    cfg = replace(TINY, space=space, lr=lr, steps=1, coarse_to_fine=False, tv_weight=0.0)
    image, _ = O.run_to_end(features, *pair, cfg)
    moved = (image - pair[0][0]) * 255
    inside = (pair[0][0] > 0.05) & (pair[0][0] < 0.95)  # pixels that clamping cannot have stopped
    assert moved[inside].abs().max().item() == pytest.approx(grey_levels, rel=0.05)


def test_keep_colors_keeps_content_chroma(features, pair):
    image, _ = O.run_to_end(features, *pair, replace(TINY, keep_colors=True, style_ratio=1e4))
    chroma = rgb_to_yiq(image[None])[:, 1:]
    content_chroma = rgb_to_yiq(pair[0])[:, 1:]
    assert (chroma - content_chroma).abs().mean() < 0.01  # only clipping to [0, 1] may shift it
    plain, _ = O.run_to_end(features, *pair, replace(TINY, style_ratio=1e4))
    assert (rgb_to_yiq(plain[None])[:, 1:] - content_chroma).abs().mean() > 0.01


def test_non_finite_loss_stops_with_message(features, pair):
    with pytest.raises(ValueError, match="lower learning rate"):
        list(O.stylize(features, *pair, replace(TINY, style_ratio=float("inf"))))


def test_style_run_records_steps_keeps_the_picture_and_continues(features, pair):
    run = StyleRun(TINY, *pair, ("Astronaut", "The Scream (Munch)"), features.source)
    steps = run.steps(features, "cpu")
    next(steps)
    assert run.history[0].step == 1 and run.history[0].image is None and run.image is not None and not run.done
    list(steps)
    assert run.done and len(run.history) == TINY.total_steps and [r["step"] for r in run.loss_rows()] == [1, 2, 3, 4]
    assert run.can_continue(run.shape) and not run.can_continue((64, 64))
    more = run.continued(TINY, *pair, run.names, run.source)
    assert not more.config.coarse_to_fine and torch.equal(more.image, run.image)
    list(more.steps(features, "cpu"))
    assert len(more.history) == TINY.steps and (more.image - run.image).abs().max() > 1e-3


def test_style_run_computes_each_gram_pair_once_per_picture(features, pair):
    run = StyleRun(TINY, *pair, ("a", "b"), features.source)
    list(run.steps(features, "cpu"))
    first = run.gram_pair(features, "conv2_1")
    assert run.gram_pair(features, "conv2_1") is first and run.gram_pair(features, "conv1_1") is not first
    assert first.gap > 0 and first.painting.shape == (128, 128)
