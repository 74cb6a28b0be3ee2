"""lib/lstm/code.py: the code panel's script runs and builds what the page builds."""
import re
from dataclasses import replace

import pytest

from lib.lstm import code, config, corpus, data, model, recipes
from tests.helpers import run_script


@pytest.fixture(scope="module")
def reviews():
    return corpus.load_embedded_corpus()


@pytest.mark.parametrize("cfg", [
    config.LstmConfig(),                                   # the page's default: keep the best, early stopping
    replace(recipes.TUTORIAL, epochs=1),                   # pad to 70, frozen GloVe, 40-16-1 head
    config.LstmConfig(pack=True, pooling="last", keep="last", bidirectional=False, sos_eos=True, word_dropout=0.2),
    config.LstmConfig(ema=0.9, keep="last"),               # ends with the averaged weights
], ids=["default", "tutorial", "packed-last", "averaged-last"])
def test_generated_script_runs_and_matches_the_lib(tmp_path, reviews, cfg):
    """The script builds the same vocabulary and model size as the page and reports a test accuracy."""
    script = code.training_script(cfg).replace("MAX_ROWS = None", "MAX_ROWS = 400")
    script = re.sub(r"EPOCHS = \d+", "EPOCHS = 1", script)
    out = run_script(script, tmp_path).stdout
    prep = data.prepare(reviews, cfg, max_rows=400)
    net = model.build_model(cfg, prep.vocab, prep.classes, 0)
    assert f"vocabulary size {len(prep.vocab)}" in out
    assert f"parameters {model.count_parameters(net)[0]}" in out
    assert 0 <= float(re.search(r"test_acc ([\d.]+)", out).group(1)) <= 1
    assert out.count("valid_acc") == cfg.evals_per_epoch  # one line per validation check


def test_script_keeps_the_best_weights_only_when_asked():
    assert "model.load_state_dict(best_state)" in code.training_script(config.LstmConfig(keep="best"))
    assert "model.load_state_dict(best_state)" not in code.training_script(config.LstmConfig(keep="last"))
    assert "nn.Linear(40, 16)" in code.training_script(recipes.TUTORIAL)


def test_script_drops_words_only_when_asked_and_never_the_specials():
    assert "ids >= 2), 1)" in code.training_script(config.LstmConfig(word_dropout=0.1))
    assert "ids >= 4), 1)" in code.training_script(config.LstmConfig(word_dropout=0.1, sos_eos=True))
    assert "word dropout" not in code.training_script(config.LstmConfig(word_dropout=0.0))


def test_script_averages_the_weights_as_the_lib_does():
    """The script's AveragedModel (torch.optim.swa_utils) and lib's WeightAverage give the same average."""
    import torch
    from lib.lstm.averaging import WeightAverage
    script = code.training_script(config.LstmConfig(ema=0.9))
    block = script[script.index("average = torch.optim"):script.index("scored = average.module")]
    net = torch.nn.Linear(3, 2)
    scope = {"torch": torch, "model": net}
    exec(block, scope)  # a test running our own generated lines, no user input
    mine = WeightAverage(net, 0.9)
    for n in range(12):
        with torch.no_grad():
            net.weight.mul_(1.1).add_(n)
        scope["average"].update_parameters(net)
        mine.update(net)
    with mine.swapped_in(net):
        torch.testing.assert_close(scope["average"].module.weight, net.weight)
    assert "average.update_parameters(model)" in script and "scored = model" not in script
    assert "scored = model" in code.training_script(config.LstmConfig(ema=0.0))


@pytest.mark.parametrize("tokenizer", ["chars", "jieba"])
def test_chinese_script_reads_the_same_reviews_and_cuts_them_the_same_way(tmp_path, tokenizer):
    from lib.lstm import chinese
    cfg = replace(config.for_source(config.LstmConfig(), "zh"), tokenizer=tokenizer)
    script = re.sub(r"EPOCHS = \d+", "EPOCHS = 1", code.training_script(cfg, "zh").replace(
        "MAX_ROWS = None", "MAX_ROWS = 400"))
    out = run_script(script, tmp_path).stdout
    prep = data.prepare(corpus.mixed(chinese.load_chinese_reviews()[0]), cfg, max_rows=400)
    assert set(prep.train.labels.tolist()) == {0, 1}  # the mixed order keeps both labels in the first rows
    assert f"vocabulary size {len(prep.vocab)}" in out
    assert f"parameters {model.count_parameters(model.build_model(cfg, prep.vocab, prep.classes, 0))[0]}" in out


def test_script_hashes_phrases_as_the_lib_does():
    """The script's phrase_rows gives the lib's table rows, and the shortcut is there only when asked for."""
    import torch
    from lib.lstm import phrases
    script = code.training_script(config.LstmConfig(phrases=3))
    scope = {"torch": torch}
    exec(script[script.index("BUCKETS = "):script.index("class SentimentLSTM")], scope)  # our own generated lines
    ids = torch.randint(1, 30_000, (5, 9))
    lengths = torch.tensor([9, 1, 2, 3, 7])
    for n in (1, 2, 3):
        assert torch.equal(scope["phrase_rows"](ids, lengths, n), phrases.phrase_rows(ids, lengths, n))
    off = code.training_script(config.LstmConfig(phrases=0))
    assert "phrase_rows" not in off and "shortcut" not in off
    assert "+ shortcut" in script
