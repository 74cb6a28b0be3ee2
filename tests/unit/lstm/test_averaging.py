"""lib/lstm: the weight average (EMA), alone and in training."""
from dataclasses import replace

import pytest
import torch

from lib.lstm import averaging, config, corpus, data, training
from lib.lstm.run import LstmRun

CPU = torch.device("cpu")
TINY = config.LstmConfig(hidden=8, epochs=3, batch_size=16, embedding="scratch", embed_dim=8, patience=0, lr=3e-2)


@pytest.fixture(scope="module")
def tiny():
    return data.prepare(corpus.load_embedded_corpus(), TINY, max_rows=200)


def test_weight_average_is_the_bias_corrected_ema():
    net = torch.nn.Linear(3, 1)
    avg = averaging.WeightAverage(net, decay=0.9)
    seen = []
    for n in range(30):
        with torch.no_grad():
            net.weight.add_(0.1 * (n + 1))
        seen.append(net.weight.detach().clone())
        avg.update(net)
        if n == 0:  # the first update replaces the initial weights entirely
            with avg.swapped_in(net):
                assert torch.equal(net.weight.detach(), seen[0])
    weights = [0.1 * 0.9 ** (29 - n) for n in range(30)]  # (1 - d) d^(N - n)
    expected = sum(w * x for w, x in zip(weights, seen)) / sum(weights)
    own = net.weight.detach().clone()
    with avg.swapped_in(net):
        torch.testing.assert_close(net.weight.detach(), expected)
    assert torch.equal(net.weight.detach(), own)  # the model's own weights come back
    avg.copy_to(net)
    torch.testing.assert_close(net.weight.detach(), expected)


def test_weight_average_rejects_a_bad_decay():
    with pytest.raises(ValueError, match="decay"):
        averaging.WeightAverage(torch.nn.Linear(2, 1), 1.0)


def test_averaged_training_checks_and_keeps_the_averaged_weights(tiny):
    cfg = replace(TINY, ema=0.9)
    run = LstmRun.new(cfg, tiny, "t")
    list(run.train(tiny, cfg, CPU))
    plain = LstmRun.new(replace(cfg, ema=0.0), tiny, "t")
    list(plain.train(tiny, replace(cfg, ema=0.0), CPU))
    assert [r["valid_loss"] for r in run.history] != [r["valid_loss"] for r in plain.history]
    loss, acc, _ = training.evaluate(run.model, tiny.valid, CPU)  # ends with the kept (averaged) weights
    assert acc == pytest.approx(run.best["valid_acc"]) and loss == pytest.approx(run.best["valid_loss"], rel=1e-5)


def test_keep_last_with_averaging_ends_with_the_average(tiny):
    cfg = replace(TINY, ema=0.9, keep="last")
    run = LstmRun.new(cfg, tiny, "t")
    list(run.train(tiny, cfg, CPU))
    loss, acc, _ = training.evaluate(run.model, tiny.valid, CPU)
    assert acc == pytest.approx(run.history[-1]["valid_acc"]) and loss == pytest.approx(run.history[-1]["valid_loss"])


def test_averaged_training_is_deterministic_for_a_seed(tiny):
    def history(seed):
        cfg = replace(TINY, ema=0.95, seed=seed, epochs=2)
        run = LstmRun.new(cfg, tiny, "t")
        list(run.train(tiny, cfg, CPU))
        return [r["valid_loss"] for r in run.history]
    assert history(0) == history(0) and history(0) != history(1)
