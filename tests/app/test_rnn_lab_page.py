"""AppTest: the RNN lab page."""
from tests.helpers import assert_no_exception, run_page, texts

FAST_WAVE = {"rnn.wave.steps": 20, "rnn.wave.hidden": 8}
FAST_NAMES = {"rnn.names.hidden": 16, "rnn.names.epochs": 1, "rnn.names.batch": 256}


def test_renders_with_defaults():
    at = run_page("rnn_lab.py")
    assert_no_exception(at)
    assert "Press **Train**" in texts(at)
    assert "nn.RNN(input_size=1, hidden_size=32" in texts(at)  # code panel for the defaults
    assert "differ by at most" in texts(at)                    # hand cell == nn.RNN demo


def test_wave_training_draws_prediction_and_reports_loss():
    at = run_page("rnn_lab.py", FAST_WAVE)
    at.button(key="rnn.wave.train").click().run()
    assert_no_exception(at)
    assert "After 20 windows the loss" in texts(at)
    assert len(at.get("plotly_chart")) >= 4


def test_changing_cell_changes_code_and_shapes():
    at = run_page("rnn_lab.py")
    before = texts(at)
    at.selectbox(key="rnn.wave.cell").set_value("LSTM").run()
    assert_no_exception(at)
    after = texts(at)
    assert "nn.LSTM(input_size=1" in after and "nn.LSTM(" not in before
    assert "c_n" in after


def test_changing_layers_changes_h_n_shape():
    at = run_page("rnn_lab.py")
    at.slider(key="rnn.wave.layers").set_value(3).run()
    shapes = at.dataframe[0].value
    assert "(3, 1, 32)" in list(shapes["shape"])


def test_names_training_then_prediction():
    at = run_page("rnn_lab.py", FAST_NAMES)
    at.button(key="rnn.names.train").click().run()
    assert_no_exception(at)
    assert "Validation accuracy" in texts(at)
    at.text_input(key="rnn.names.query").set_value("Nakamura").run()
    assert_no_exception(at)
    assert "%" in [m.value for m in at.markdown if "**" in m.value and "·" in m.value][0]


def test_bad_name_input_gives_messages():
    at = run_page("rnn_lab.py", FAST_NAMES)
    at.button(key="rnn.names.train").click().run()
    at.text_input(key="rnn.names.query").set_value("123 !!").run()
    assert_no_exception(at)
    assert any("at least one Latin letter" in e.value for e in at.error)
    assert any("Ignored characters" in w.value for w in at.warning)


def test_padding_panel_shows_the_batch_and_refuses_empty_input():
    at = run_page("rnn_lab.py")
    assert "names are still running" in texts(at) and "padding" in texts(at)
    at.text_input(key="rnn.names.batch_demo").set_value("Ng, Abramovich").run()
    assert_no_exception(at)
    assert any("[2, 2, 1, 1, 1, 1, 1, 1, 1, 1]" in str(c.proto.spec) for c in at.get("plotly_chart"))
    at.text_input(key="rnn.names.batch_demo").set_value(" , 42 ,").run()
    assert_no_exception(at)
    assert any("at least one name" in e.value for e in at.error)
