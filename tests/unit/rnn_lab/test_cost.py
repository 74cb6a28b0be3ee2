"""lib.rnn_lab.cost: what the heavy-job gate is told before a run starts."""
from dataclasses import replace

import pytest
import torch

from lib.common.samples import NAMES_DIR
from lib.rnn_lab import config, cost, data as D, training as T


@pytest.fixture(scope="module")
def run():
    names = D.load_names(NAMES_DIR)
    return T.new_run(config.NamesConfig(hidden_size=16, max_batches=1, epochs=1), names)


@pytest.fixture(scope="module")
def size(run):
    return cost.sizes(run.data.names, len(run.train_idx), len(run.val_idx))


@pytest.mark.parametrize("cell, layers", [(config.HAND, 1)] + [(c, n) for c in config.WAVE_CELLS for n in (1, 2)])
def test_parameter_count_matches_the_built_model(cell, layers):
    cfg = config.NamesConfig(cell=cell, hidden_size=24, num_layers=layers)
    model = T.make_classifier(cfg, 18)
    assert cost.recurrent_params(cell, 57, 24, layers, 18) == sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize("cell", config.WAVE_CELLS)
def test_wave_parameter_count_matches_the_built_model(cell):
    from lib.rnn_lab.wave import make_model
    cfg = config.WaveConfig(cell=cell, hidden_size=8, num_layers=2)
    assert cost.recurrent_params(cell, 1, 8, 2, 1) == sum(p.numel() for p in make_model(cfg).parameters())


def test_split_sizes_match_the_split(run, size):
    assert cost.split_sizes(run.data.names, run.cfg.val_fraction) == size
    assert size.max_len == max(len(n) for n in run.data.names) and 6 < size.mean_len < 9


def test_memory_covers_the_padded_names_and_grows_with_the_model(run, size):
    list(T.train(run))
    held = sum(t.numel() * t.element_size() for t in run.train_tensors)
    base = cost.names_bytes(run.cfg, size)
    assert base >= held  # the padded training names alone
    bigger = cost.names_bytes(replace(run.cfg, hidden_size=256, cell="LSTM"), size)
    assert bigger > base + 4 * 4 * 4 * 256 * 256  # at least the LSTM's recurrent weights with grads and Adam
    assert cost.names_bytes(replace(run.cfg, batch_size=4096), size) > base


def test_time_grows_with_epochs_size_and_gates(size):
    cfg = config.NamesConfig()
    one = cost.names_seconds(cfg, size, threads=1)
    assert cost.names_seconds(replace(cfg, epochs=6), size, threads=1) > 1.9 * one
    assert cost.names_seconds(replace(cfg, cell="LSTM"), size, threads=1) > one > \
        cost.names_seconds(replace(cfg, cell="RNN"), size, threads=1)
    assert cost.names_seconds(cfg, size, device="cuda:0", threads=1) < one
    assert 0.5 < one < 60  # seconds: what the page's defaults take on a loaded 2-core CPU (bench/rnn_lab.py)


def test_wave_cost_scales_with_windows():
    cfg = config.WaveConfig()
    assert cost.wave_seconds(replace(cfg, steps=300)) == pytest.approx(2 * cost.wave_seconds(replace(cfg, steps=150)))
    assert cost.wave_bytes(replace(cfg, hidden_size=128)) > cost.wave_bytes(cfg) > 0


class Ticks:
    """A fake clock: every call is `tick` seconds after the last, so the probe's arithmetic is exact."""

    def __init__(self, tick: float) -> None:
        self.now, self.tick = 0.0, tick

    def __call__(self) -> float:
        self.now += self.tick
        return self.now


def test_the_probe_times_real_steps_and_the_estimate_multiplies_them(size):
    names = D.load_names(NAMES_DIR).names
    cfg = config.NamesConfig(hidden_size=16, batch_size=16)
    measured = cost.probe(cfg, names, 18, clock=Ticks(0.01))
    # each timed step reads the clock twice: 0.01 s a step; steps go on until 0.05 s are measured
    assert measured.batch_s == pytest.approx(0.01)
    assert measured.eval_name_s == pytest.approx(0.01 / cost.PROBE_EVAL)
    batches = -(-size.n_train // 16)
    expected = cost.PAD_S_PER_LETTER * size.n_train * size.mean_len + 2 * (batches * 0.01 + size.n_val * 0.01 / 256)
    assert cost.names_seconds(replace(cfg, epochs=2), size, measured=measured) == pytest.approx(expected)
    slow = cost.probe(cfg, names, 18, clock=Ticks(1.0))  # a slow machine: the minimum of steps, a bigger estimate
    assert cost.names_seconds(cfg, size, measured=slow) > 50 * cost.names_seconds(cfg, size, measured=measured)


def test_the_probe_uses_names_of_typical_length_and_leaves_the_global_rng_alone():
    picked = cost.typical_names(["Li", "Smith", "Jones", "Ng"], 5, 6)
    assert picked == ["Smith", "Jones", "Smith", "Jones", "Smith"]  # nearest length present: 5
    state = torch.get_rng_state()
    cost.probe(config.NamesConfig(hidden_size=8, batch_size=16, optimizer="sgd"), picked * 60, 18)
    assert torch.equal(state, torch.get_rng_state())


def test_plain_sgd_needs_less_memory_than_adam(size):
    cfg = config.NamesConfig(hidden_size=256)
    adam, sgd = cost.names_bytes(cfg, size), cost.names_bytes(replace(cfg, optimizer="sgd"), size)
    params = cost.recurrent_params("GRU", 57, 256, 1, 18)
    assert adam - sgd == 2 * params * cost.FLOAT  # Adam's two moments
