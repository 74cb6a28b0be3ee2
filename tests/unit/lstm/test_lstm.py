"""lib/lstm: model shapes, gate unroll vs nn.LSTM, training, save/load, code."""
import io
import pickle

import pytest
import torch

from lib.lstm import checkpoints as C
from lib.lstm import config
from lib.lstm import corpus as CO
from lib.lstm import data as D
from lib.lstm import model as M
from lib.lstm import predict as P
from lib.lstm import training as T

CPU = torch.device("cpu")
TINY = dict(hidden=8, epochs=1, batch_size=16, embedding="scratch", embed_dim=8)


@pytest.fixture(scope="module")
def corpus():
    return CO.load_embedded_corpus()


@pytest.fixture(scope="module")
def tiny(corpus):
    return D.prepare(corpus, config.LstmConfig(**TINY), max_rows=200)


def _trained(data, steps=4, **kw):
    cfg = config.LstmConfig(**(TINY | kw))
    model = M.build_model(cfg, data.vocab, data.classes, cfg.seed)
    progress = list(T.train(model, data, cfg, CPU, max_steps=steps))
    return model, progress


@pytest.mark.parametrize("kw, h_rows, out_width", [
    (dict(bidirectional=True, num_layers=1), 2, 16),   # 1 layer x 2 directions
    (dict(bidirectional=False, num_layers=3), 3, 8),   # 3 layers x 1 direction
    (dict(bidirectional=True, num_layers=2, pooling="last"), 4, 16),
])
def test_shape_table_matches_formula(tiny, kw, h_rows, out_width):
    cfg = config.LstmConfig(**(TINY | kw))
    rows = {r.tensor: str(r.shape) for r in M.shape_table(M.build_model(cfg, tiny.vocab, tiny.classes, 0), 4, 12)}
    assert rows["output"] == str((4, 12, out_width))
    assert rows["h_n"] == rows["c_n"] == str((h_rows, 4, 8))
    assert rows["summary"] == str((4, out_width)) and rows["logits"] == str((4, 1))


@pytest.mark.parametrize("kw", [dict(), dict(pack=False, pooling="last", bidirectional=False)])
def test_stacked_layers_equal_nn_lstm_with_num_layers(tiny, kw):
    """Our hand-stacked one-layer LSTMs compute what nn.LSTM(num_layers=2) computes (dropout off)."""
    cfg = config.LstmConfig(**(TINY | kw | dict(num_layers=2)))
    model = M.build_model(cfg, tiny.vocab, tiny.classes, 0).eval()
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
    model = M.build_model(config.LstmConfig(**(TINY | dict(pack=True))), tiny.vocab, tiny.classes, 0).eval()
    ids = torch.tensor([[5, 6, 7]])
    padded = torch.tensor([[5, 6, 7, 0, 0, 0]])
    torch.testing.assert_close(model(ids, torch.tensor([3])), model(padded, torch.tensor([3])))


@pytest.mark.parametrize("pack", [False, True])  # prefixes one by one, or as one packed batch
def test_gate_unroll_matches_nn_lstm_and_gates_are_in_range(tiny, pack):
    model, _ = _trained(tiny, steps=2, pack=pack)
    trace = P.unroll_gates(model, [5, 9, 1, 12])
    assert trace.max_diff < 1e-5
    assert trace.input.shape == (4, 8) and trace.h_norm.shape == (4,)
    assert 0 <= float(trace.forget.min()) and float(trace.forget.max()) <= 1
    assert -1 <= float(trace.cell.min()) and float(trace.cell.max()) <= 1
    full = P.probabilities(model(torch.tensor([[5, 9, 1, 12]]), torch.tensor([4])))[0]
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
    # the raw weights (no average: an average of 30 steps still lags behind them)
    cfg = config.LstmConfig(**(TINY | dict(hidden=16, lr=1e-2, head_dropout=0.0, word_dropout=0.0, epochs=3, ema=0.0)))
    model = M.build_model(cfg, tiny.vocab, tiny.classes, 0)
    before = T.evaluate(model, tiny.train, CPU)[0]
    for _ in T.train(model, tiny, cfg, CPU, max_steps=30):
        pass
    assert T.evaluate(model, tiny.train, CPU)[0] < before - 0.05


def test_history_rows_and_progress(tiny):
    _, progress = _trained(tiny, steps=100, evals_per_epoch=2)
    assert progress[-1].step == progress[-1].total_steps == 10  # 160 train rows / 16
    history = progress[-1].history
    assert [row["step"] for row in history] == [5, 10]
    assert all(0 <= row["valid_acc"] <= 1 for row in history)


def test_confusion_matrix():
    cm = T.confusion_matrix(torch.tensor([0, 1, 1, 2]), torch.tensor([0, 1, 2, 2]), 3)
    assert cm.tolist() == [[1, 0, 0], [0, 1, 0], [0, 1, 1]]


def test_multiclass_uses_cross_entropy(corpus):
    three = CO.TextDataset(corpus.texts[:90], tuple(i % 3 for i in range(90)), ("a", "b", "c"), "test")
    data = D.prepare(three, config.LstmConfig(**TINY))
    model, progress = _trained(data, steps=2)
    assert model.fc.out_features == 3 and len(P.predict(model, data.vocab, "good film").probs) == 3


@pytest.mark.parametrize("text, match", [("", "empty"), ("   \n", "empty"), ("!!! ???", None)])
def test_predict_bad_text(tiny, text, match):
    model = M.build_model(config.LstmConfig(**TINY), tiny.vocab, tiny.classes, 0)
    if match:
        with pytest.raises(ValueError, match=match):
            P.predict(model, tiny.vocab, text)
    else:
        assert len(P.predict(model, tiny.vocab, text).tokens) == 6  # punctuation tokens are tokens


def test_predict_unknown_words_and_long_text_notes(tiny):
    model = M.build_model(config.LstmConfig(**TINY), tiny.vocab, tiny.classes, 0)
    unknown = P.predict(model, tiny.vocab, "qqqzzz xxyyzz")
    assert unknown.unknown == (True, True) and "None of these words" in unknown.notes[0]
    long = P.predict(model, tiny.vocab, "the " * 500)
    assert len(long.tokens) == 100 and "only the first 100" in long.notes[0]


def test_save_load_round_trip(tiny):
    model, progress = _trained(tiny, steps=2)
    blob = C.save_bytes(model, tiny.vocab, tiny.classes, progress[-1].history)
    loaded = C.load_bytes(blob)
    assert loaded.vocab == tiny.vocab and loaded.classes == tiny.classes and loaded.model.cfg == model.cfg
    text = "a fine and moving film"
    assert P.predict(loaded.model, loaded.vocab, text).probs == P.predict(model, tiny.vocab, text).probs


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
        C.load_bytes(blob)


def test_load_refuses_tampered_files(tiny):
    model, _ = _trained(tiny, steps=1)
    payload = torch.load(io.BytesIO(C.save_bytes(model, tiny.vocab, tiny.classes)), weights_only=True)
    wrong_shape = payload | {"state_dict": payload["state_dict"] | {"fc.bias": torch.zeros(5)}}
    with pytest.raises(ValueError, match="do not fit"):
        C.load_bytes(_torch_bytes(wrong_shape))
    bad_config = payload | {"config": '{"hidden": "lots"}'}
    with pytest.raises(ValueError, match="damaged"):
        C.load_bytes(_torch_bytes(bad_config))


def test_files_saved_before_the_phrase_shortcut_still_load(tiny):
    """Older files have no `phrases` setting and no shortcut weights: they load as a model without one."""
    import json
    from dataclasses import replace
    model, _ = _trained(tiny, steps=1)
    assert model.phrases is not None  # the default reads phrases
    payload = torch.load(io.BytesIO(C.save_bytes(model, tiny.vocab, tiny.classes)), weights_only=True)
    old_config = {k: v for k, v in json.loads(payload["config"]).items() if k != "phrases"}
    old_state = {k: v for k, v in payload["state_dict"].items() if not k.startswith("phrases.")}
    loaded = C.load_bytes(_torch_bytes(payload | {"config": json.dumps(old_config), "state_dict": old_state}))
    assert loaded.model.phrases is None and loaded.model.cfg == replace(model.cfg, phrases=0)
    with pytest.raises(ValueError, match="do not fit"):  # a shortcut in the settings needs its weights
        C.load_bytes(_torch_bytes(payload | {"state_dict": old_state}))


def test_the_phrase_shortcut_adds_its_score_to_the_lstm(tiny):
    """forward = the LSTM head's logit + the sum of the text's phrase scores."""
    model, _ = _trained(tiny, steps=3)
    model.eval()
    ids, lengths = tiny.valid.ids[:4], tiny.valid.lengths[:4]
    with torch.no_grad():
        output, h_n, _ = model.encode(ids, lengths)
        lstm_part = model.classify(model.pool(output, h_n, lengths))
        assert model.phrases(ids, lengths).abs().sum() > 0  # training moved the phrase scores off zero
        assert torch.allclose(model(ids, lengths), lstm_part + model.phrases(ids, lengths))


def test_score_parts_split_the_logit(tiny):
    """The LSTM's part plus the shortcut's part is the model's logit; no shortcut, no split."""
    model, _ = _trained(tiny, steps=3)
    pred = P.predict(model, tiny.vocab, "a fine and moving film")
    parts = P.score_parts(model, pred.ids, tiny.vocab.itos, 0)
    logit = torch.logit(torch.tensor(pred.probs[1], dtype=torch.float64)).item()
    assert abs(parts.lstm[0] + parts.phrases[0] - logit) < 1e-4
    sizes = [abs(p.score[0]) for p in parts.strongest]
    assert sizes == sorted(sizes, reverse=True) and len(parts.strongest) == 4
    plain, _ = _trained(tiny, steps=1, phrases=0)
    assert P.score_parts(plain, pred.ids, tiny.vocab.itos, 0) is None
