"""Linear regression from scratch: converges to least squares below the stability limit, diverges above."""
import pytest
import torch

from lib.autograd import linreg as lr
from lib.common.settings import spec

CPU = torch.device("cpu")


def test_classic_data_converges_to_least_squares():
    xs, ys = lr.DATASETS["classic"]
    assert len(xs) == len(ys) == 17
    w, b = lr.least_squares(xs, ys)
    assert (w, b) == pytest.approx((0.2516, 0.7988), abs=1e-3)  # the tutorial's fitted line
    history = list(lr.fit(xs, ys, 0.02, 2000, CPU))
    assert (history[-1].w, history[-1].b) == pytest.approx((w, b), abs=2e-3)
    assert history[-1].loss < history[0].loss and not lr.diverged(history)


def test_learning_rate_above_stability_limit_diverges():
    xs, ys = lr.DATASETS["classic"]
    limit = lr.stability_limit(xs)
    assert 0.02 < limit < 0.025
    assert lr.diverged(list(lr.fit(xs, ys, limit * 1.1, 500, CPU)))
    assert not lr.diverged(list(lr.fit(xs, ys, limit * 0.9, 500, CPU)))


def test_fit_loss_goes_down_in_a_few_steps():
    history = list(lr.fit((1.0, 2.0, 3.0), (2.0, 4.0, 6.0), 0.05, 5, CPU))
    assert all(b.loss < a.loss for a, b in zip(history, history[1:]))


@pytest.mark.parametrize("text, fragment", [
    ("1, 2\n3", "Line 2"),             # a lone number
    ("1, 2\nfoo, 3", "Line 2"),        # not a number
    ("1, 2", "at least two points"),
    ("1, 2\n1, 3", "different x"),
    ("1, 2\n2, inf", "finite"),        # inf would make every step nan
])
def test_bad_points(text, fragment):
    with pytest.raises(ValueError, match=fragment):
        lr.parse_points(text)


def test_snapshots_are_evenly_spaced_and_end_with_the_last_step():
    history = list(lr.fit((1.0, 2.0, 3.0), (2.0, 4.0, 6.0), 0.01, 100, CPU))
    picks = lr.snapshots(history, 40)
    assert [p.step for p in picks[:3]] == [1, 3, 5] and picks[-1] == history[-1]
    assert len(picks) == 51  # every second of 100 steps, plus the last
    assert [p.step for p in lr.snapshots(history[:3], 40)] == [1, 2, 3, 3]  # fewer steps than frames: all


def test_default_settings_lie_in_their_ranges_and_converge():
    cfg = lr.LinRegConfig()
    assert spec(cfg, "data").options == (*lr.DATASETS, lr.OWN_POINTS)
    assert cfg.lr in lr.LEARNING_RATES and cfg.lr < lr.stability_limit(lr.DATASETS[cfg.data][0])
    assert lr.parse_points(cfg.points) == ((1.0, 2.0, 3.0, 4.0), (2.0, 2.9, 4.2, 4.8))


def test_a_kept_fit_matches_only_its_own_settings():
    xs, ys = lr.DATASETS["classic"]
    kept = lr.new_fit(xs, ys, 0.01, 30, CPU)
    assert kept.history == list(lr.fit(xs, ys, 0.01, 30, CPU))
    assert kept.matches(xs, ys, 0.01, 30, CPU)
    assert not kept.matches(xs, ys, 0.01, 40, CPU) and not kept.matches(xs, ys, 0.02, 30, CPU)
    assert not kept.matches(xs[:-1], ys[:-1], 0.01, 30, CPU)
