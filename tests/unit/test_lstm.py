"""lib/lstm.py and lib/lstm_code.py: model shapes, gate unroll vs nn.LSTM, training, save/load, code."""
import io
import pickle
import re
import runpy

import pytest
import torch

from lib import lstm as L
from lib import lstm_code
from lib import text as tx

CPU = torch.device("cpu")
TINY = dict(hidden=8, epochs=1, batch_size=16, embedding="scratch", embed_dim=8)


@pytest.fixture(scope="module")
def corpus():
    return tx.load_embedded_corpus()


@pytest.fixture(scope="module")
def tiny(corpus):
    return L.prepare(corpus, L.LstmConfig(**TINY), max_rows=200)


def _trained(data, steps=4, **kw):
    cfg = L.LstmConfig(**(TINY | kw))
    model = L.build_model(cfg, data.vocab, data.classes, cfg.seed)
    progress = list(L.train(model, data, cfg, CPU, max_steps=steps))
    return model, progress


@pytest.mark.parametrize("kw, h_rows, out_width", [
    (dict(bidirectional=True, num_layers=1), 2, 16),   # 1 layer x 2 directions
    (dict(bidirectional=False, num_layers=3), 3, 8),   # 3 layers x 1 direction
    (dict(bidirectional=True, num_layers=2, pooling="last"), 4, 16),
])
def test_shape_table_matches_formula(tiny, kw, h_rows, out_width):
    cfg = L.LstmConfig(**(TINY | kw))
    rows = {r["tensor"]: r["shape"] for r in L.shape_table(L.build_model(cfg, tiny.vocab, tiny.classes, 0), 4, 12)}
    assert rows["output"] == str((4, 12, out_width))
    assert rows["h_n"] == rows["c_n"] == str((h_rows, 4, 8))
    assert rows["summary"] == str((4, out_width)) and rows["logits"] == str((4, 1))


@pytest.mark.parametrize("kw", [dict(), dict(pack=False, pooling="last", bidirectional=False)])
def test_stacked_layers_equal_nn_lstm_with_num_layers(tiny, kw):
    """Our hand-stacked one-layer LSTMs compute what nn.LSTM(num_layers=2) computes (dropout off)."""
    cfg = L.LstmConfig(**(TINY | kw | dict(num_layers=2)))
    model = L.build_model(cfg, tiny.vocab, tiny.classes, 0).eval()
    ref = torch.nn.LSTM(8, 8, num_layers=2, batch_first=True, bidirectional=cfg.bidirectional)
    sd = {k.replace("_l0", f"_l{i}"): v for i, layer in enumerate(model.layers) for k, v in layer.state_dict().items()}
    ref.load_state_dict(sd)
    ids = tiny.train.ids[:3, :7]
    ours, h_n, c_n = model.encode(ids, torch.tensor([7, 7, 7]))
    out, (h_ref, c_ref) = ref(model.embedding(ids))
    torch.testing.assert_close(ours, out)
    torch.testing.assert_close(h_n, h_ref)
    torch.testing.assert_close(c_n, c_ref)


def test_packing_ignores_padding(tiny):
    """With packing, extra <pad> columns do not change the logits."""
    model = L.build_model(L.LstmConfig(**(TINY | dict(pack=True))), tiny.vocab, tiny.classes, 0).eval()
    ids = torch.tensor([[5, 6, 7]])
    padded = torch.tensor([[5, 6, 7, 0, 0, 0]])
    torch.testing.assert_close(model(ids, torch.tensor([3])), model(padded, torch.tensor([3])))


@pytest.mark.parametrize("pack", [False, True])  # prefixes one by one, or as one packed batch
def test_gate_unroll_matches_nn_lstm_and_gates_are_in_range(tiny, pack):
    model, _ = _trained(tiny, steps=2, pack=pack)
    trace = L.unroll_gates(model, [5, 9, 1, 12])
    assert trace.max_diff < 1e-5
    assert trace.input.shape == (4, 8) and trace.h_norm.shape == (4,)
    assert 0 <= float(trace.forget.min()) and float(trace.forget.max()) <= 1
    assert -1 <= float(trace.cell.min()) and float(trace.cell.max()) <= 1
    full = L.probabilities(model(torch.tensor([[5, 9, 1, 12]]), torch.tensor([4])))[0]
    torch.testing.assert_close(trace.prefix_probs[-1], full)  # the last prefix is the whole text
    torch.testing.assert_close(trace.prefix_probs.sum(1), torch.ones(4))


def test_training_is_deterministic_per_seed(tiny):
    a, pa = _trained(tiny, seed=1)
    b, pb = _trained(tiny, seed=1)
    c, pc = _trained(tiny, seed=2)
    assert [p.loss for p in pa] == [p.loss for p in pb]
    torch.testing.assert_close(a.fc.weight, b.fc.weight)
    assert [p.loss for p in pa] != [p.loss for p in pc]


def test_loss_goes_down_on_the_training_split(tiny):
    cfg = L.LstmConfig(**(TINY | dict(hidden=16, lr=1e-2, head_dropout=0.0, epochs=3)))
    model = L.build_model(cfg, tiny.vocab, tiny.classes, 0)
    before = L.evaluate(model, tiny.train, CPU)[0]
    for _ in L.train(model, tiny, cfg, CPU, max_steps=30):
        pass
    assert L.evaluate(model, tiny.train, CPU)[0] < before - 0.05


def test_history_rows_and_progress(tiny):
    _, progress = _trained(tiny, steps=100, evals_per_epoch=2)
    assert progress[-1].step == progress[-1].total_steps == 10  # 160 train rows / 16
    history = progress[-1].history
    assert [row["step"] for row in history] == [5, 10]
    assert all(0 <= row["valid_acc"] <= 1 for row in history)


def test_confusion_matrix():
    cm = L.confusion_matrix(torch.tensor([0, 1, 1, 2]), torch.tensor([0, 1, 2, 2]), 3)
    assert cm.tolist() == [[1, 0, 0], [0, 1, 0], [0, 1, 1]]


def test_multiclass_uses_cross_entropy(corpus):
    three = tx.TextDataset(corpus.texts[:90], tuple(i % 3 for i in range(90)), ("a", "b", "c"), "test")
    data = L.prepare(three, L.LstmConfig(**TINY))
    model, progress = _trained(data, steps=2)
    assert model.fc.out_features == 3 and len(L.predict(model, data.vocab, "good film").probs) == 3


@pytest.mark.parametrize("text, match", [("", "empty"), ("   \n", "empty"), ("!!! ???", None)])
def test_predict_bad_text(tiny, text, match):
    model = L.build_model(L.LstmConfig(**TINY), tiny.vocab, tiny.classes, 0)
    if match:
        with pytest.raises(ValueError, match=match):
            L.predict(model, tiny.vocab, text)
    else:
        assert len(L.predict(model, tiny.vocab, text).tokens) == 6  # punctuation tokens are tokens


def test_predict_unknown_words_and_long_text_notes(tiny):
    model = L.build_model(L.LstmConfig(**TINY), tiny.vocab, tiny.classes, 0)
    unknown = L.predict(model, tiny.vocab, "qqqzzz xxyyzz")
    assert unknown.unknown == (True, True) and "None of these words" in unknown.notes[0]
    long = L.predict(model, tiny.vocab, "the " * 500)
    assert len(long.tokens) == 100 and "only the first 100" in long.notes[0]


def test_save_load_round_trip(tiny):
    model, progress = _trained(tiny, steps=2)
    blob = L.save_bytes(model, tiny.vocab, tiny.classes, progress[-1].history)
    loaded = L.load_bytes(blob)
    assert loaded.vocab == tiny.vocab and loaded.classes == tiny.classes and loaded.model.cfg == model.cfg
    text = "a fine and moving film"
    assert L.predict(loaded.model, loaded.vocab, text).probs == L.predict(model, tiny.vocab, text).probs


class _Evil:
    def __reduce__(self):
        return (print, ("pwned",))


def _torch_bytes(obj) -> bytes:
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("blob, match", [
    (b"not a model at all", "cannot be read"),                         # random bytes
    (pickle.dumps(_Evil()), "cannot be read"),                         # a plain pickle is never run
    (_torch_bytes({"weights": torch.zeros(2)}), "not a model file"),   # a foreign torch file
])
def test_load_refuses_foreign_files(blob, match):
    with pytest.raises(ValueError, match=match):
        L.load_bytes(blob)


def test_load_refuses_tampered_files(tiny):
    model, _ = _trained(tiny, steps=1)
    payload = torch.load(io.BytesIO(L.save_bytes(model, tiny.vocab, tiny.classes)), weights_only=True)
    wrong_shape = payload | {"state_dict": payload["state_dict"] | {"fc.bias": torch.zeros(5)}}
    with pytest.raises(ValueError, match="do not fit"):
        L.load_bytes(_torch_bytes(wrong_shape))
    bad_config = payload | {"config": '{"hidden": "lots"}'}
    with pytest.raises(ValueError, match="damaged"):
        L.load_bytes(_torch_bytes(bad_config))


def test_generated_script_runs_and_matches_the_lib(tmp_path, corpus):
    """The code panel's script builds the same vocabulary and model size as the page."""
    cfg = L.LstmConfig()
    code = lstm_code.training_script(cfg).replace("MAX_ROWS = None", "MAX_ROWS = 150").replace(
        "EPOCHS = 8", "EPOCHS = 1")
    path = tmp_path / "script.py"
    path.write_text(code)
    printed = io.StringIO()
    import contextlib
    with contextlib.redirect_stdout(printed):
        runpy.run_path(str(path), run_name="__main__")
    out = printed.getvalue()
    data = L.prepare(corpus, cfg, max_rows=150)
    model = L.build_model(cfg, data.vocab, data.classes, 0)
    assert f"vocabulary size {len(data.vocab)}" in out
    assert f"parameters {L.count_parameters(model)[0]}" in out
    assert 0 <= float(re.search(r"test_acc ([\d.]+)", out).group(1)) <= 1
