"""lib.sequences: sin -> cos regression."""
import runpy

import pytest
import torch

from lib import sequences as S


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
    shapes = S.shapes(S.WaveConfig(cell=cell, num_layers=layers))
    for name, shape in expected.items():
        assert shapes[name] == shape


@pytest.mark.parametrize("cell", S.CELLS)
def test_training_lowers_the_loss(cell):
    run = S.new_run(S.WaveConfig(cell=cell, hidden_size=16, steps=60))
    losses = [s.loss for s in S.train(run, 60)]
    assert sum(losses[-10:]) / 10 < 0.5 * sum(losses[:10]) / 10
    assert run.step == 60 and run.last.hidden.shape == (20, 16)


def test_same_seed_same_run_other_seed_differs():
    def final(seed):
        run = S.new_run(S.WaveConfig(seed=seed))
        return [s.loss for s in S.train(run, 5)]
    assert final(1) == final(1)
    assert final(1) != final(2)


def test_global_rng_untouched():
    before = torch.random.get_rng_state()
    S.make_model(S.WaveConfig(seed=5))
    assert torch.equal(before, torch.random.get_rng_state())


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="nonlinearity"):
        S.make_model(S.WaveConfig(nonlinearity="sigmoid"))
    with pytest.raises(ValueError, match="Cell"):
        S.make_model(S.WaveConfig(cell="Transformer"))


@pytest.mark.parametrize("cell", S.CELLS)
def test_generated_code_reproduces_the_page(tmp_path, cell, capsys):
    cfg = S.WaveConfig(cell=cell, hidden_size=8, steps=12)
    run = S.new_run(cfg)
    expected = [s.loss for s in S.train(run, cfg.steps)][-1]
    script = tmp_path / "wave.py"
    script.write_text(S.code(cfg))
    runpy.run_path(str(script), run_name="__main__")
    printed = float(capsys.readouterr().out.strip().splitlines()[-1].split()[-1])
    assert printed == pytest.approx(expected, abs=1e-6)
