"""lib.rnn_lab.wave: sin -> cos regression, its flat baseline and its code panel."""

import pytest
import torch

from lib.rnn_lab import code as C
from lib.rnn_lab import config
from lib.rnn_lab import wave as S
from tests.helpers import run_script


def test_window_covers_pi_and_pairs_sin_with_cos():
    t, x, y = S.window(3, 11)
    assert t[0].item() == pytest.approx(3 * torch.pi) and t[-1].item() == pytest.approx(4 * torch.pi)
    torch.testing.assert_close(x, torch.sin(t))
    torch.testing.assert_close(y, torch.cos(t))


@pytest.mark.parametrize(
    "cell, layers, expected",
    [
        ("RNN", 1, {"output": (1, 20, 32), "h_n": (1, 1, 32)}),    # the classic set-up
        ("GRU", 2, {"output": (1, 20, 32), "h_n": (2, 1, 32)}),    # h_n has one row per layer
        ("LSTM", 1, {"output": (1, 20, 32), "h_n": (1, 1, 32), "c_n": (1, 1, 32)}),  # plus cell state
    ],
)
def test_shapes(cell, layers, expected):
    shapes = S.shapes(config.WaveConfig(cell=cell, num_layers=layers))
    for name, shape in expected.items():
        assert shapes[name] == shape


@pytest.mark.parametrize("cell", config.WAVE_CELLS)
def test_training_lowers_the_loss(cell):
    run = S.new_run(config.WaveConfig(cell=cell, hidden_size=16, steps=60))
    losses = [s.loss for s in S.train(run, 60)]
    assert sum(losses[-10:]) / 10 < 0.5 * sum(losses[:10]) / 10
    assert run.step == 60 and run.last.hidden.shape == (20, 16)


def test_same_seed_same_run_other_seed_differs():
    def final(seed):
        run = S.new_run(config.WaveConfig(seed=seed))
        return [s.loss for s in S.train(run, 5)]
    assert final(1) == final(1)
    assert final(1) != final(2)


def test_global_rng_untouched():
    before = torch.random.get_rng_state()
    S.make_model(config.WaveConfig(seed=5))
    S.shapes(config.WaveConfig(cell="LSTM"))
    assert torch.equal(before, torch.random.get_rng_state())


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="nonlinearity"):
        S.make_model(config.WaveConfig(nonlinearity="sigmoid"))
    with pytest.raises(ValueError, match="cell must be"):
        S.make_model(config.WaveConfig(cell="Transformer"))


@pytest.mark.parametrize("cell", config.WAVE_CELLS)
def test_generated_code_reproduces_the_page(tmp_path, cell):
    cfg = config.WaveConfig(cell=cell, hidden_size=8, steps=12, seq_len=7)
    run = S.new_run(cfg)
    expected = [s.loss for s in S.train(run, cfg.steps)][-1]
    lines = run_script(C.wave_code(cfg), tmp_path, "wave.py").stdout.strip().splitlines()
    assert float(lines[-1].split()[-1]) == pytest.approx(expected, abs=1e-6)
    assert float(lines[-2].split()[-1]) == pytest.approx(S.flat_baseline(7), abs=1e-4)  # the same baseline


@pytest.mark.parametrize("seq_len, expected", [
    (5, 0.6),      # cos^2 at 0, pi/4, pi/2, 3pi/4, pi: (1 + .5 + 0 + .5 + 1) / 5
    (20, 0.525),   # the page's default window: not the 0.5 of a continuous average
    (2, 1.0),      # only the two ends, where cos = +-1
    (60, 61 / 120),
])
def test_flat_baseline_depends_on_the_window(seq_len, expected):
    assert S.flat_baseline(seq_len) == pytest.approx(expected, abs=1e-6)
    if seq_len >= 3:  # the closed form the docstring gives, for every window the page allows
        assert S.flat_baseline(seq_len) == pytest.approx((seq_len + 1) / (2 * seq_len), abs=1e-6)


@pytest.mark.parametrize("step", [0, 1, 7, 150])
def test_flat_baseline_is_the_loss_of_predicting_zero_and_the_best_constant(step):
    _, _, y = S.window(step, 20)
    zero = torch.nn.functional.mse_loss(torch.zeros_like(y), y).item()
    assert zero == pytest.approx(S.flat_baseline(20), abs=1e-5)  # every window scores the same
    for c in (-0.1, 0.05, 0.3):  # any other constant scores worse: cos averages to 0 over a window
        assert torch.nn.functional.mse_loss(torch.full_like(y, c), y).item() > zero


def test_run_reports_the_baseline_of_its_own_window():
    run = S.new_run(config.WaveConfig(seq_len=5, hidden_size=4))
    assert run.baseline == pytest.approx(0.6)
