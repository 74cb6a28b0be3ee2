"""lib/lstm: keeping the best-validation weights, early stopping, the learner's run, presets, cost, logs."""
from dataclasses import fields, replace

import pytest
import torch

from lib.common.runlog import LogFolder, read_scalars
from lib.common.settings import check, spec
from lib.lstm import config, corpus, cost, data, logs, model, recipes, training
from lib.lstm.run import LstmRun

CPU = torch.device("cpu")
TINY = config.LstmConfig(hidden=8, epochs=3, batch_size=16, embedding="scratch", embed_dim=8, patience=0)


@pytest.fixture(scope="module")
def tiny():
    return data.prepare(corpus.load_embedded_corpus(), TINY, max_rows=200)


def _state(model):
    return {k: v.clone() for k, v in model.state_dict().items()}


def test_keeper_keeps_the_best_check_and_counts_stale_checks():
    net = torch.nn.Linear(2, 1)
    keeper = training.Keeper()
    assert keeper.offer(net, {"valid_acc": 0.6, "valid_loss": 0.7})
    kept = _state(net)
    with torch.no_grad():
        net.weight.add_(1.0)
    assert not keeper.offer(net, {"valid_acc": 0.55, "valid_loss": 0.5}) and keeper.stale == 1
    assert keeper.offer(net, {"valid_acc": 0.6, "valid_loss": 0.6})  # a tie on accuracy: the lower loss wins
    assert keeper.stale == 0 and keeper.row["valid_loss"] == 0.6
    with torch.no_grad():
        net.weight.zero_()
    keeper.restore(net)
    assert not torch.equal(net.weight, kept["weight"]) and torch.equal(net.weight, kept["weight"] + 1.0)


def test_training_ends_with_the_best_validation_weights(tiny):
    """With keep="best" the model ends with the weights of the best check: re-evaluating gives its numbers."""
    cfg = replace(TINY, lr=3e-2, keep="best")
    run = LstmRun.new(cfg, tiny, "t")
    list(run.train(tiny, cfg, CPU))
    best = max(run.history, key=lambda r: (r["valid_acc"], -r["valid_loss"]))
    assert run.best == best and run.status == "done"
    loss, acc, _ = training.evaluate(run.model, tiny.valid, CPU)
    assert acc == pytest.approx(best["valid_acc"]) and loss == pytest.approx(best["valid_loss"], rel=1e-5)
    result = run.score(tiny, CPU)
    assert result.epoch == best["epoch"] and sum(map(sum, result.matrix)) == len(tiny.test)


def test_keep_last_leaves_the_last_weights(tiny):
    cfg = replace(TINY, lr=3e-2, keep="last")
    run = LstmRun.new(cfg, tiny, "t")
    list(run.train(tiny, cfg, CPU))
    loss, acc, _ = training.evaluate(run.model, tiny.valid, CPU)
    assert acc == pytest.approx(run.history[-1]["valid_acc"])
    assert run.score(tiny, CPU).epoch is None


def test_early_stopping_after_patience_checks_without_improvement(tiny):
    cfg = replace(TINY, epochs=30, patience=2, lr=1e-1)
    net = model.build_model(cfg, tiny.vocab, tiny.classes, 0)
    progress = list(training.train(net, tiny, cfg, CPU))
    rows = progress[-1].history
    assert progress[-1].stopped_early and len(rows) < 30 * cfg.evals_per_epoch
    best_at = max(range(len(rows)), key=lambda i: (rows[i]["valid_acc"], -rows[i]["valid_loss"]))
    assert len(rows) - 1 - best_at == 2  # stopped exactly `patience` checks after the best one


def test_a_stopped_run_settles_on_its_best_weights(tiny):
    cfg = replace(TINY, lr=3e-2)
    run = LstmRun.new(cfg, tiny, "t")
    steps = run.train(tiny, cfg, CPU)
    for p in steps:
        if len(p.history) == 3:
            break  # what a Stop does: the loop is left between two steps
    kept = dict(run.best)
    assert run.settle() and run.status == "stopped" and not run.settle()
    assert training.evaluate(run.model, tiny.valid, CPU)[1] == pytest.approx(kept["valid_acc"])


def test_continue_counts_on_and_keeps_an_earlier_best(tiny, monkeypatch):
    cfg = replace(TINY, epochs=1)
    run = LstmRun.new(cfg, tiny, "t")
    list(run.train(tiny, cfg, CPU))
    first = len(run.history)
    _, own = run.continue_data(corpus.load_embedded_corpus(), cfg, 200)
    list(run.train(own, cfg, CPU, "t"))
    assert len(run.history) == 2 * first and run.history[-1]["epoch"] == pytest.approx(2.0)
    assert run.steps == 2 * run.history[first - 1]["step"]
    with pytest.raises(ValueError, match="classes"):
        run.continue_data(corpus.TextDataset(("a",) * 30, (0, 1, 2) * 10, ("x", "y", "z"), "t"), cfg, None)


def test_presets_are_valid_and_the_tutorial_preset_is_the_recipe():
    for r in recipes.RECIPES.values():
        check(r.cfg)
        r.cfg.validate()
    assert set(recipes.RECIPES) == set(spec(config.DataConfig, "preset").options)
    t = recipes.TUTORIAL
    # the recipe: frozen GloVe, every text padded to 70, max-pool, a 40-16-1 head (biLSTM 20 -> 40 features)
    assert (t.embedding, t.freeze, t.embed_dim) == ("glove", True, 50)
    assert (t.fix_length, t.bucketing, t.pack) == (70, False, False)
    assert t.pooling == "max" and (t.width, t.head_hidden) == (40, 16) and t.bidirectional
    assert t.keep == "best" and t.ema == 0.0  # the recipe has no averaging
    assert t.head_dropout == t.embed_dropout == t.word_dropout == 0.0  # and no dropout
    assert t.phrases == 0  # and no phrase shortcut beside the LSTM
    assert recipes.recipe("nonsense") == recipes.RECIPES["default"]


def test_chinese_start_values_take_batches_of_64_only_from_the_default():
    zh = config.for_source(config.LstmConfig(), "zh")
    assert (zh.tokenizer, zh.embedding, zh.batch_size, zh.word_dropout, zh.phrases) == ("jieba", "scratch", 64, 0.2, 3)
    tutorial = config.for_source(recipes.TUTORIAL, "zh")
    assert (tutorial.tokenizer, tutorial.batch_size, tutorial.word_dropout) == ("jieba", 32, 0.0)  # its own batch
    assert config.for_source(config.LstmConfig(), "reviews") == config.LstmConfig()


def test_tutorial_model_has_the_40_16_1_head(tiny):
    net = model.build_model(replace(recipes.TUTORIAL, embedding="scratch"), tiny.vocab, tiny.classes, 0)
    assert (net.head.in_features, net.head.out_features, net.fc.in_features, net.fc.out_features) == (40, 16, 16, 1)
    shapes = {r.tensor: r.shape for r in model.shape_table(net, 4, 70)}
    assert shapes["summary"] == (4, 40) and shapes["hidden"] == (4, 16) and shapes["logits"] == (4, 1)
    assert "phrase_score" not in shapes and net.phrases is None


def test_every_widget_setting_has_a_link_name():
    for cls in (config.LstmConfig, config.DataConfig, config.ViewConfig):
        names = [f.name for f in fields(cls) if f.name != "evals_per_epoch"]
        params = [spec(cls, n).param for n in names]
        assert all(params) and len(set(params)) == len(params), cls.__name__


def test_cost_grows_with_the_model_and_the_batch(tiny):
    width = cost.step_width(tiny, TINY)
    small = cost.estimate_bytes(TINY, len(tiny.vocab), width)
    assert cost.estimate_bytes(replace(TINY, hidden=64), len(tiny.vocab), width) > small
    assert cost.estimate_bytes(replace(TINY, batch_size=256), len(tiny.vocab), width) > small
    assert cost.estimate_bytes(replace(TINY, ema=0.0), len(tiny.vocab), width) < small  # the average is a copy
    assert cost.step_width(tiny, replace(TINY, fix_length=70)) == 70
    assert cost.step_width(tiny, replace(TINY, bucketing=False)) > width  # random batches reach the long tail
    secs = cost.estimate_seconds(tiny, TINY, threads=1)
    assert cost.estimate_seconds(tiny, replace(TINY, epochs=6), threads=1) == pytest.approx(2 * secs, rel=0.01)
    assert cost.estimate_seconds(tiny, TINY, "cuda", threads=1) < secs


def test_logs_write_each_check_and_read_back(tiny):
    folder = LogFolder()
    log = folder.new_run("lstm-test")
    run = LstmRun.new(TINY, tiny, "t")
    list(logs.log_steps(run.train(tiny, TINY, CPU), log))
    result = run.score(tiny, CPU)
    logs.log_results(log, logs.hyperparameters(TINY, "embedded:200", len(tiny.train)), result.accuracy,
                     result.loss, result.epoch)
    log.close()
    curves = {c.tag: c for c in read_scalars(folder.path, folder.runs()[0])}
    assert curves["accuracy/validation"].values == pytest.approx([r["valid_acc"] for r in run.history])
    assert curves["loss/train"].steps == [int(r["step"]) for r in run.history]
    folder.remove()


def test_time_estimate_is_within_a_factor_three_of_a_measured_epoch():
    """Process time on one thread, so other jobs on a shared machine do not distort it."""
    import time
    cfg = config.LstmConfig(epochs=1, patience=0)
    prep = data.prepare(corpus.load_embedded_corpus(), cfg, max_rows=4000)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        run = LstmRun.new(cfg, prep, "t")
        list(LstmRun.new(cfg, prep, "warm-up").train(prep, cfg, CPU, max_steps=3))  # first calls build kernels
        start = time.process_time()
        list(run.train(prep, cfg, CPU))
        measured = time.process_time() - start
    finally:
        torch.set_num_threads(threads)
    estimate = cost.estimate_seconds(prep, cfg, threads=1)
    assert measured / 3 < estimate < measured * 3, (measured, estimate)
