"""The LSTM sentiment page in AppTest (tiny row counts so each run stays short)."""
from tests.helpers import assert_no_exception, run_page, texts

SMALL = {"lstm.max_rows": 200}


def _metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_renders_with_defaults_and_reacts_to_pipeline_and_model_widgets():
    at = run_page("lstm.py", SMALL)
    assert_no_exception(at)
    assert "class SentimentLSTM" in at.code[-1].value  # the code panel holds the script
    vocab = _metric(at, "Vocabulary size")
    assert "Press Start" in texts(at)

    at.number_input(key="lstm.min_freq").set_value(2).run()
    assert_no_exception(at)
    assert _metric(at, "Vocabulary size") != vocab  # min_freq drops words seen once

    before = [str(d.value) for d in at.dataframe]
    at.select_slider(key="lstm.hidden").set_value(16).run()
    assert_no_exception(at)
    assert [str(d.value) for d in at.dataframe] != before  # the shape table follows the hidden size
    assert "(2, 4, 16)" in "\n".join(str(d.value) for d in at.dataframe)  # h_n: 2 directions x B x 16


def test_train_then_predict_and_bad_text():
    at = run_page("lstm.py", SMALL)
    at.number_input(key="lstm.epochs").set_value(1)
    at.select_slider(key="lstm.hidden").set_value(8)
    at.button(key="lstm.start").click().run()
    assert_no_exception(at)
    assert "Test accuracy" in [m.label for m in at.metric]
    assert "Last validation accuracy" in texts(at)
    assert "matches `nn.LSTM`" in texts(at)  # the gate view is drawn for the trained model

    at.text_area(key="lstm.predict_text").set_value("   ").run()
    assert_no_exception(at)
    assert any("empty" in e.value for e in at.error)

    at.text_area(key="lstm.predict_text").set_value("qqqzzz xxyyzz").run()
    assert any("None of these words" in w.value for w in at.warning)


def test_continue_training_extends_the_curves():
    at = run_page("lstm.py", SMALL | {"lstm.epochs": 1, "lstm.hidden": 8})
    at.button(key="lstm.start").click().run()
    first = len(at.session_state["lstm.run"]["history"])
    at.button(key="lstm.continue").click().run()
    assert_no_exception(at)
    history = at.session_state["lstm.run"]["history"]
    assert len(history) == 2 * first and history[-1]["epoch"] == 2.0
