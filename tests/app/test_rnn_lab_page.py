"""AppTest: the RNN lab page - both sections, their baseline, links, bad input and the page in Chinese."""
import json

from tests.helpers import assert_no_exception, bound_params, english_left, run_page, texts

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


def test_the_hand_cell_check_runs_on_the_typed_name():
    at = run_page("rnn_lab.py")
    at.text_input(key="rnn.names.example").set_value("Kowalski").run()
    assert_no_exception(at)
    assert "over the 8 letters of *Kowalski* the two hidden states differ by at most" in texts(at)
    assert "for these settings, by the server's estimate" in texts(at)


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


# ----------------------------------------------------------------------------- the flat baseline (issue 23.6)

def test_the_flat_baseline_follows_the_window():
    at = run_page("rnn_lab.py", FAST_WAVE)
    assert "scores **0.525** on windows of 20 time steps" in texts(at)  # not the 0.5 the page used to claim
    at.slider(key="rnn.wave.seq_len").set_value(5).run()
    assert "scores **0.600** on windows of 5 time steps" in texts(at)
    at.button(key="rnn.wave.train").click().run()
    assert_no_exception(at)
    assert "would score **0.600** on windows of 5 time steps" in texts(at)
    at.slider(key="rnn.wave.seq_len").set_value(20).run()  # the caption describes the run, not the sliders
    assert "would score **0.600** on windows of 5 time steps" in texts(at)


# ----------------------------------------------------------------------------- links (issue 21)

LINKED = {"cell", "hidden", "layers", "act", "window", "lr", "steps", "seed", "ncell", "nhidden", "nlr", "batch",
          "epochs", "balance", "nseed", "spell", "pad", "name", "tab", "opt", "wpreset", "npreset"}


def test_a_default_page_has_a_clean_link_and_binds_every_setting():
    at = run_page("rnn_lab.py")
    assert dict(at.query_params) == {}
    assert LINKED <= bound_params(at)


def test_changing_settings_writes_only_non_defaults_to_the_link():
    at = run_page("rnn_lab.py")
    at.selectbox(key="rnn.wave.cell").set_value("LSTM").run()
    at.slider(key="rnn.wave.seq_len").set_value(30).run()
    at.selectbox(key="rnn.names.balancing").set_value("sampling").run()
    at.text_input(key="rnn.names.batch_demo").set_value("Ng, Li").run()
    assert {k: at.query_params[k] for k in at.query_params} == {"cell": "LSTM", "window": "30", "balance": "sampling",
                                                                "pad": "Ng, Li"}
    at.slider(key="rnn.wave.seq_len").set_value(20).run()  # back to the default: gone from the link
    assert "window" not in at.query_params


def test_a_link_restores_the_settings_and_the_same_training():
    sender = run_page("rnn_lab.py", FAST_WAVE)
    sender.number_input(key="rnn.wave.seed").set_value(7).run()
    sender.selectbox(key="rnn.wave.cell").set_value("GRU").run()
    sender.button(key="rnn.wave.train").click().run()
    link = {k: sender.query_params[k] for k in sender.query_params}
    assert link == {"hidden": "8", "steps": "20", "seed": "7", "cell": "GRU"}
    visitor = run_page("rnn_lab.py", query=link)
    assert visitor.selectbox(key="rnn.wave.cell").value == "GRU" and visitor.number_input(key="rnn.wave.seed").value == 7
    visitor.button(key="rnn.wave.train").click().run()
    caption = [c.value for c in visitor.caption if "After 20 windows" in c.value]
    assert caption and caption == [c.value for c in sender.caption if "After 20 windows" in c.value]


def test_a_link_restores_the_names_settings_and_the_open_tab():
    at = run_page("rnn_lab.py", query={"ncell": "hand", "balance": "weights", "name": "Tanaka", "spell": "Ng",
                                       "tab": "names", "nhidden": "32"})
    assert_no_exception(at)
    assert at.selectbox(key="rnn.names.cell").value == "hand"
    assert at.selectbox(key="rnn.names.balancing").value == "weights"
    assert at.select_slider(key="rnn.names.hidden").value == 32
    assert at.text_input(key="rnn.names.example").value == "Ng"
    assert at.tabs[0].label == "🔤 Surname → language" or at.session_state["rnn.tab"] == "🔤 Surname → language"
    assert "class HandRNN" in texts(at)  # the code panel follows the linked cell


def test_bad_link_values_are_named_and_fall_back():
    at = run_page("rnn_lab.py", query={"window": "999", "ncell": "Transformer", "name": "x" * 100, "cell": "GRU"})
    assert_no_exception(at)
    warnings = " ".join(w.value for w in at.warning)
    assert "**window**" in warnings and "**ncell**" in warnings and "**name**" in warnings
    assert at.slider(key="rnn.wave.seq_len").value == 20 and at.selectbox(key="rnn.names.cell").value == "GRU"
    assert at.selectbox(key="rnn.wave.cell").value == "GRU"  # the good value in the same link is kept


def test_typed_markup_is_shown_inert():
    at = run_page("rnn_lab.py", query={"spell": "<b>Li</b>`**"})
    assert_no_exception(at)
    warning = next(w.value for w in at.warning if "Dropped characters" in w.value)
    assert warning.endswith("`` < > / ` * ``")  # in a code span, even the backtick


# ----------------------------------------------------------------------------- presets (issue 23)

def test_the_names_tutorial_preset_sets_every_widget_and_the_link():
    at = run_page("rnn_lab.py")
    at.selectbox(key="rnn.names.preset").set_value("tutorial").run()
    assert_no_exception(at)
    assert at.selectbox(key="rnn.names.cell").value == "hand"
    assert at.selectbox(key="rnn.names.optimizer").value == "sgd"
    assert at.select_slider(key="rnn.names.lr").value == 0.005
    assert at.select_slider(key="rnn.names.batch").value == 1
    assert at.slider(key="rnn.names.epochs").value == 6
    assert at.selectbox(key="rnn.names.balancing").value == "sampling"
    assert "randomTrainingExample" in texts(at) and "torch.optim.SGD(model.parameters(), lr=0.005)" in texts(at)
    link = {k: at.query_params[k] for k in at.query_params}
    assert link == {"npreset": "tutorial", "ncell": "hand", "opt": "sgd", "nlr": "0.005", "batch": "1",
                    "epochs": "6", "balance": "sampling"}
    visitor = run_page("rnn_lab.py", query=link)  # the link brings the recipe back
    assert visitor.selectbox(key="rnn.names.optimizer").value == "sgd"
    assert visitor.select_slider(key="rnn.names.batch").value == 1
    at.selectbox(key="rnn.names.preset").set_value("default").run()  # back: every widget and a clean link
    assert at.selectbox(key="rnn.names.cell").value == "GRU" and dict(at.query_params) == {}


def test_the_wave_tutorial_preset_trains_the_tutorial_windows():
    at = run_page("rnn_lab.py")
    at.selectbox(key="rnn.wave.preset").set_value("tutorial").run()
    assert at.slider(key="rnn.wave.seq_len").value == 10 and at.slider(key="rnn.wave.steps").value == 60
    assert at.number_input(key="rnn.wave.seed").value == 1
    assert {k: at.query_params[k] for k in at.query_params} == {"wpreset": "tutorial", "window": "10", "steps": "60",
                                                                "seed": "1"}
    at.button(key="rnn.wave.train").click().run()
    assert_no_exception(at)
    assert "After 60 windows the loss" in texts(at)


# ----------------------------------------------------------------------------- in Chinese (issue 20)

def test_the_page_in_chinese_has_no_english_left():
    at = run_page("rnn_lab.py", {"lang": "zh"} | FAST_WAVE | FAST_NAMES)
    assert_no_exception(at)
    assert english_left(at) == []
    assert "0.525" in texts(at) and "循环神经网络" in texts(at)
    at.button(key="rnn.wave.train").click().run()
    assert_no_exception(at)
    assert english_left(at) == []
    at.button(key="rnn.names.train").click().run()
    assert_no_exception(at)
    assert english_left(at) == []
    assert "验证准确率" in texts(at)


def test_the_presets_in_chinese_have_no_english_left():
    at = run_page("rnn_lab.py", {"lang": "zh"})
    at.selectbox(key="rnn.names.preset").set_value("tutorial").run()
    at.selectbox(key="rnn.wave.preset").set_value("tutorial").run()
    assert_no_exception(at)
    assert english_left(at) == []


def chart_text(at, key: str) -> str:
    """The figure of the chart drawn with element key `key`, its text readable (not \\u-escaped)."""
    chart = next(c for c in at.get("plotly_chart") if c.proto.id.endswith(key))
    return json.dumps(json.loads(chart.proto.spec), ensure_ascii=False)


def test_surname_languages_are_shown_in_chinese():
    at = run_page("rnn_lab.py", {"lang": "zh"} | FAST_NAMES)
    assert "俄语" in chart_text(at, "rnn.names.counts") and "Russian" not in chart_text(at, "rnn.names.counts")
    at.button(key="rnn.names.train").click().run()
    top = next(m.value for m in at.markdown if "·" in m.value)
    assert "语**" in top and "Russian" not in top
    assert "越南语" in chart_text(at, "rnn.names.confusion")
