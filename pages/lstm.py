"""LSTM sentiment: from raw sentences to tokens, embeddings, LSTM gates and a prediction."""
from __future__ import annotations

import dataclasses
import hashlib
import time

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st
import torch

import ui
from lib import glove as G
from lib import lstm as L
from lib import lstm_code
from lib import text as tx

D = L.LstmConfig()
RUN = "lstm.run"  # session-state key of the user's trained model (never shared between sessions)
SAMPLE = "It's not a masterpiece, but the actors clearly had fun - and so did I!"


@st.cache_resource(show_spinner="Reading the movie reviews…")
def embedded_corpus() -> tx.TextDataset:
    return tx.load_embedded_corpus()


@st.cache_resource(show_spinner="Opening GloVe 6B 50d…")
def glove() -> G.Glove:
    return G.load_glove()


@st.cache_resource(show_spinner="Tokenising and numericalising…", max_entries=8)
def prepared(key: str, _dataset: tx.TextDataset, cfg: L.LstmConfig, max_rows: int) -> L.Prepared:
    """Cached per (data, pipeline settings): read-only tensors, safe to share."""
    return L.prepare(_dataset, cfg, max_rows=max_rows or None)


def pipeline_key(cfg: L.LstmConfig) -> L.LstmConfig:
    """Only the settings that change the encoded data (so model settings do not re-tokenise)."""
    return L.LstmConfig(tokenizer=cfg.tokenizer, lower=cfg.lower, min_freq=cfg.min_freq, max_size=cfg.max_size,
                        sos_eos=cfg.sos_eos, max_len=cfg.max_len, fix_length=cfg.fix_length)


# ---------------------------------------------------------------- data source
def choose_data() -> tuple[str, tx.TextDataset] | None:
    """Embedded reviews (offline) or the user's CSV; None when nothing usable yet."""
    source = st.radio("Data", ["Movie reviews (built in)", "Your CSV"], horizontal=True, key="lstm.source")
    if source == "Your CSV":
        return csv_data()
    if tx.embedded_corpus_path() is None:
        return downloaded_data()
    data = embedded_corpus()
    st.caption(f"{len(data):,} snippets · {data.source} · fixed seeded split 80/10/10")
    return "embedded", data


def downloaded_data() -> tuple[str, tx.TextDataset] | None:
    """Online fallback when the embedded file is not installed (e.g. Community Cloud)."""
    if tx.polarity_cache_path().is_file():
        return "polarity", tx.load_polarity(tx.polarity_cache_path())
    st.info(f"The built-in reviews are not installed here. Download {tx.POLARITY_SOURCE} (0.5 MB) once?")
    if not st.button("Download", key="lstm.download"):
        return None
    bar = ui.Progress(1, "Downloading")
    try:
        path = tx.download_polarity(allow_download=True, progress=lambda done, total: bar.update(done, f"{done:,} bytes"))
    except (OSError, ValueError) as e:
        ui.show_error(e, "Download failed: ")
        return None
    bar.done("Downloaded")
    return "polarity", tx.load_polarity(path)


def csv_data() -> tuple[str, tx.TextDataset] | None:
    """Upload, preview, pick the text and label columns."""
    upload = st.file_uploader("CSV file (UTF-8, a header row)", type=["csv"], key="lstm.csv")
    if upload is None:
        st.info("Upload a CSV with one column of texts and one of labels (two or more classes).")
        return None
    try:
        frame = tx.read_csv_upload(upload.getvalue())
    except ValueError as e:
        ui.show_error(e, f"{upload.name}: ")
        return None
    st.dataframe(frame.head(5), hide_index=True)
    columns = [str(c) for c in frame.columns]
    frame.columns = columns
    left, right = st.columns(2)
    text_col = left.selectbox("Text column", columns, key="lstm.text_col")
    label_col = right.selectbox("Label column", columns, index=min(1, len(columns) - 1), key="lstm.label_col")
    try:
        data = tx.dataset_from_frame(frame, text_col, label_col, source=upload.name)
    except ValueError as e:
        ui.show_error(e)
        return None
    st.caption(f"{len(data):,} rows · classes: {', '.join(data.classes)}")
    digest = hashlib.sha1(upload.getvalue()).hexdigest()[:12]
    return f"csv:{digest}:{text_col}:{label_col}", data


# ---------------------------------------------------------------- 1. pipeline
def pipeline_controls() -> dict:
    """Tokeniser, vocabulary and padding widgets."""
    c = st.columns(4)
    values = {
        "tokenizer": c[0].radio("Tokenizer", tx.TOKENIZERS, index=tx.TOKENIZERS.index(D.tokenizer), key="lstm.tokenizer",
                                help="whitespace: `text.split()` as in the classic recipe; regex: punctuation and 's split off"),
        "lower": c[0].checkbox("Lower-case", D.lower, key="lstm.lower"),
        "min_freq": c[1].number_input("min_freq", 1, 50, D.min_freq, key="lstm.min_freq",
                                      help="a token must appear this often in training texts to get its own index"),
        "max_size": c[1].number_input("max_size", 10, 100_000, D.max_size, step=1000, key="lstm.max_size"),
        "sos_eos": c[2].checkbox("<sos>/<eos> tokens", D.sos_eos, key="lstm.sos_eos"),
        "max_len": c[2].number_input("max_len (truncate)", 5, 500, D.max_len, key="lstm.max_len"),
        "fix_length": c[3].number_input("fix_length (0 = dynamic)", 0, 200, D.fix_length, key="lstm.fix_length",
                                        help="pad every text to this length, as the reference recipe does with 70"),
    }
    return values


def show_pipeline(data: L.Prepared, cfg: L.LstmConfig) -> None:
    """The sample sentence step by step, then corpus-wide statistics."""
    sentence = st.text_input("Sample sentence", SAMPLE, key="lstm.sample")
    try:
        tokens, ids, notes = L.tokens_for(sentence, data.vocab, cfg)
    except ValueError as e:
        ui.show_error(e)
        return
    for note in notes:
        st.warning(note)
    table = pd.DataFrame([[str(t) for t in tokens], [str(i) for i in ids],
                          ["✓" if i != data.vocab.unk_index else "<unk>" for i in ids]],
                         index=["token", "index", "known"], columns=[str(k) for k in range(len(ids))])
    st.dataframe(table, width="stretch")
    stats = tx.vocab_stats(data.vocab, data.train_tokens, data.valid_tokens)
    m = st.columns(4)
    m[0].metric("Vocabulary size", f"{stats['size']:,}")
    m[1].metric("Distinct training tokens", f"{stats['distinct_train_tokens']:,}")
    m[2].metric("Training tokens covered", f"{stats['train_coverage']:.1%}")
    m[3].metric("OOV rate (validation)", f"{stats['valid_oov_rate']:.1%}")
    st.caption("First entries of the vocabulary (index: token): " +
               ", ".join(f"{i}: `{t}`" for i, t in enumerate(data.vocab.itos[:24])))
    lengths = data.train.lengths.tolist()
    summary = tx.length_histogram(lengths)
    fig = px.histogram(x=lengths, nbins=60, labels={"x": "tokens per text"}, title="Token length (training split)")
    st.plotly_chart(fig, width="stretch")
    st.caption(f"Mean {summary['mean']:.1f}, median {summary['median']:.0f}, 95% under {summary['p95']:.0f}, "
               f"longest {summary['max']}. Padding every text to 70 makes the LSTM step through "
               f"{70 / summary['mean']:.1f}x more positions than there are words.")
    show_padded_batch(data, cfg)


def show_padded_batch(data: L.Prepared, cfg: L.LstmConfig) -> None:
    """Four texts as one padded tensor, batch-first or time-first."""
    batch_first = st.toggle("batch_first", True, key="lstm.batch_first")
    rows = [tx.numericalise(t, data.vocab, cfg.max_len) for t in data.train_tokens[:4]]
    ids, lengths = tx.pad_batch(rows, data.vocab.pad_index, cfg.fix_length or None, batch_first)
    fig = px.imshow(ids.numpy() == 0, color_continuous_scale=["#4c78a8", "#eeeeee"], aspect="auto",
                    labels={"x": "time step" if batch_first else "text", "y": "text" if batch_first else "time step"})
    fig.update_coloraxes(showscale=False)
    st.plotly_chart(fig, width="stretch")
    st.caption(f"Tensor {tuple(ids.shape)} ({'B, T' if batch_first else 'T, B'}): blue = real token, grey = `<pad>` "
               f"(index 0). Lengths {lengths.tolist()}.")


# ---------------------------------------------------------------- 2. batching
def batching_controls() -> dict:
    c = st.columns(3)
    return {
        "bucketing": c[0].checkbox("Length bucketing", D.bucketing, key="lstm.bucketing",
                                   help="shuffle, cut into buckets, sort each bucket by length, shuffle the batches"),
        "pack": c[1].checkbox("pack_padded_sequence", D.pack, key="lstm.pack",
                              help="the LSTM skips padding instead of stepping through it"),
        "batch_size": c[2].select_slider("Batch size", [8, 16, 32, 64, 128, 256], D.batch_size, key="lstm.batch_size"),
    }


def show_batching(data: L.Prepared, cfg: L.LstmConfig) -> None:
    """Padding waste of naive, bucketed and fixed-length batches."""
    lengths = data.train.lengths.tolist()
    plans = {
        "shuffled, pad to 70": tx.padding_waste(lengths, tx.shuffled_batches(len(lengths), cfg.batch_size, cfg.seed), 70),
        "shuffled, dynamic": tx.padding_waste(lengths, tx.shuffled_batches(len(lengths), cfg.batch_size, cfg.seed)),
        "bucketed, dynamic": tx.padding_waste(lengths, tx.bucket_batches(lengths, cfg.batch_size, cfg.seed)),
    }
    table = pd.DataFrame(plans).T
    fig = px.bar(table, x=table.index, y=["real_tokens", "padded_cells"], barmode="group",
                 labels={"x": "", "value": "cells per epoch", "variable": ""})
    st.plotly_chart(fig, width="stretch")
    chosen = "bucketed, dynamic" if cfg.bucketing else "shuffled, dynamic"
    st.caption(" · ".join(f"**{k}**: {v['waste']:.0%} padding, {int(v['timesteps']):,} LSTM steps per epoch"
                          for k, v in plans.items()) + f". Your setting: **{chosen}**" +
               (", and packing skips what padding is left." if cfg.pack else ", padding is stepped through."))


# ---------------------------------------------------------------- 3. embeddings
def embedding_controls() -> dict:
    c = st.columns(3)
    kind = c[0].radio("Embedding", L.EMBEDDINGS, index=L.EMBEDDINGS.index(D.embedding), horizontal=True,
                      key="lstm.embedding", format_func={"glove": "GloVe 6B 50d", "scratch": "learned from scratch"}.get)
    freeze = c[1].checkbox("Freeze", D.freeze, key="lstm.freeze", disabled=kind != "glove",
                           help="frozen: GloVe rows stay as they are; otherwise they are fine-tuned")
    dim = c[2].number_input("Embedding size", 8, 300, D.embed_dim, key="lstm.embed_dim", disabled=kind == "glove")
    return {"embedding": kind, "freeze": freeze and kind == "glove", "embed_dim": 50 if kind == "glove" else int(dim)}


def show_explorer() -> None:
    """Neighbours, analogies and a PCA map of GloVe words."""
    vectors = glove()
    c = st.columns(2)
    word = c[0].text_input("Nearest neighbours of", "awful", key="lstm.nn_word")
    try:
        c[0].dataframe(pd.DataFrame(G.neighbours(vectors, word, 8), columns=["word", "cosine"]), hide_index=True)
    except ValueError as e:
        with c[0]:
            ui.show_error(e)
    a, b, x = (c[1].text_input(label, value, key=f"lstm.analogy_{k}") for k, label, value in
               (("a", "a", "man"), ("b", "is to b", "king"), ("c", "as c is to ?", "woman")))
    try:
        c[1].dataframe(pd.DataFrame(G.analogy(vectors, a, b, x, 5), columns=["word", "cosine"]), hide_index=True)
    except ValueError as e:
        with c[1]:
            ui.show_error(e)
    words = st.text_input("Words to project (PCA)", "good, great, excellent, bad, awful, boring, movie, film, "
                          "actor, king, queen, man, woman", key="lstm.pca_words")
    try:
        kept, xy, unknown = G.pca_2d(vectors, [w for w in words.split(",") if w.strip()])
    except ValueError as e:
        ui.show_error(e)
        return
    fig = px.scatter(x=xy[:, 0], y=xy[:, 1], text=kept, labels={"x": "PC 1", "y": "PC 2"})
    fig.update_traces(textposition="top center")
    st.plotly_chart(fig, width="stretch")
    if unknown:
        st.warning(f"GloVe does not know: {', '.join(unknown)}")
    st.caption("Cosine similarity near 1 = same direction. Words used alike sit together; sentiment words such as "
               "'good' and 'bad' are close too (they appear in the same places), which is why fine-tuning helps.")


# ---------------------------------------------------------------- 4. model
def model_controls() -> dict:
    c = st.columns(4)
    return {
        "hidden": c[0].select_slider("Hidden size", [8, 16, 32, 64, 128, 256], D.hidden, key="lstm.hidden"),
        "num_layers": c[0].number_input("num_layers", 1, 4, D.num_layers, key="lstm.num_layers"),
        "bidirectional": c[1].checkbox("bidirectional", D.bidirectional, key="lstm.bidirectional"),
        "pooling": c[1].radio("Summary", L.POOLINGS, index=L.POOLINGS.index(D.pooling), key="lstm.pooling",
                              format_func={"max": "max-pool over time", "last": "final hidden state"}.get),
        "dropout": c[2].slider("Dropout between layers", 0.0, 0.8, D.dropout, 0.05, key="lstm.dropout"),
        "head_dropout": c[3].slider("Dropout before linear", 0.0, 0.8, D.head_dropout, 0.05, key="lstm.head_dropout"),
    }


def show_model(cfg: L.LstmConfig, data: L.Prepared) -> None:
    """Shapes of every tensor for the current settings."""
    model = L.build_model(cfg, data.vocab, data.classes, cfg.seed)
    st.dataframe(pd.DataFrame(L.shape_table(model)), hide_index=True, width="stretch")
    total, trainable = L.count_parameters(model)
    head = "one logit + BCEWithLogitsLoss" if L.num_outputs(data.classes) == 1 else \
        f"{len(data.classes)} logits + CrossEntropyLoss"
    st.caption(f"{total:,} parameters ({trainable:,} trained; the embedding alone has {len(data.vocab) * cfg.embed_dim:,}). "
               f"Each LSTM layer holds 4 gates x {cfg.hidden} units of weights. Head: {head}.")


# ---------------------------------------------------------------- 5. training
def training_controls() -> dict:
    c = st.columns(4)
    return {
        "optimizer": c[0].radio("Optimizer", L.OPTIMIZERS, index=L.OPTIMIZERS.index(D.optimizer), key="lstm.optimizer",
                                horizontal=True),
        "lr": c[1].select_slider("Learning rate", [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1], D.lr, key="lstm.lr"),
        "epochs": c[2].number_input("Epochs", 1, 30, D.epochs, key="lstm.epochs"),
        "seed": c[3].number_input("Seed", 0, 10_000, D.seed, key="lstm.seed"),
    }


def start_training(cfg: L.LstmConfig, data: L.Prepared, data_key: str) -> dict:
    """A fresh model in this session's state (GloVe rows copied in when chosen)."""
    pretrained = None
    if cfg.embedding == "glove":
        pretrained, _ = G.embedding_matrix(glove(), data.vocab.itos, cfg.seed)
    model = L.build_model(cfg, data.vocab, data.classes, cfg.seed, pretrained)
    run = {"model": model, "vocab": data.vocab, "classes": data.classes, "history": [], "status": "training",
           "data_key": data_key, "cfg": cfg, "test": None}
    st.session_state[RUN] = run
    return run


def run_training(run: dict, cfg: L.LstmConfig, data: L.Prepared, device: torch.device, chart, bar_slot) -> None:
    """Drive the lib generator, redrawing at most ~3 times a second; any rerun (Stop) keeps the model."""
    with bar_slot:
        bar = ui.Progress(1, "Training")
    last_draw, base = 0.0, list(run["history"])  # a continued run extends its earlier curves
    shift = base[-1]["epoch"] if base else 0.0
    for p in L.train(run["model"], data, cfg, device):
        run["history"] = base + [row | {"epoch": row["epoch"] + shift} for row in p.history]
        run["step"] = p.step
        bar.total = p.total_steps
        if p.evaluated or time.perf_counter() - last_draw > 0.3:
            bar.update(p.step, f"epoch {p.epoch:.2f} · loss {p.loss:.3f}")
            if p.evaluated:
                chart.plotly_chart(curves(run["history"]), width="stretch", key=f"lstm.live.{p.step}")
            last_draw = time.perf_counter()
    bar.done("Trained")
    finish(run, data, device)


def finish(run: dict, data: L.Prepared, device: torch.device) -> None:
    """Test accuracy and confusion matrix once training ends."""
    _, acc, preds = L.evaluate(run["model"], data.test, device)
    run["test"] = {"acc": acc, "matrix": L.confusion_matrix(preds, data.test.labels, len(data.classes)).tolist()}
    run["status"] = "done"


def curves(history: list[dict]) -> go.Figure:
    """Loss and accuracy, train and validation, against epochs."""
    frame = pd.DataFrame(history)
    long = frame.melt(id_vars=["epoch"], value_vars=["train_loss", "valid_loss", "train_acc", "valid_acc"])
    long["metric"] = long["variable"].str.split("_").str[1]
    long["split"] = long["variable"].str.split("_").str[0]
    fig = px.line(long, x="epoch", y="value", color="split", facet_col="metric", markers=True)
    fig.update_yaxes(matches=None, showticklabels=True)
    return fig


def continue_data(run: dict, cfg: L.LstmConfig, dataset: tx.TextDataset, max_rows: int) -> tuple[L.LstmConfig, L.Prepared]:
    """The current data encoded with the session model's own vocabulary and pipeline settings."""
    if tuple(run["classes"]) != tuple(dataset.classes):
        raise ValueError(f"This model knows the classes {', '.join(run['classes'])}; the current data has "
                         f"{', '.join(dataset.classes)}. Pick matching data or start a new model.")
    training = {k: getattr(cfg, k) for k in ("optimizer", "lr", "epochs", "seed", "batch_size", "bucketing")}
    model_cfg = dataclasses.replace(run["model"].cfg, **training)
    return model_cfg, L.prepare(dataset, model_cfg, max_rows=max_rows or None, vocab=run["vocab"])


def show_training(cfg: L.LstmConfig, data: L.Prepared, data_key: str, dataset: tx.TextDataset, max_rows: int) -> None:
    """Start/stop, live curves, then test accuracy and a confusion matrix."""
    c = st.columns([1, 1, 1, 3])
    start = c[0].button("▶ Start training", key="lstm.start", type="primary")
    c[1].button("■ Stop", key="lstm.stop", help="stops between two steps; the model keeps what it learnt")
    run = st.session_state.get(RUN)
    more = c[2].button("⏩ Continue training", key="lstm.continue",
                       help="more epochs for this session's model (trained here or loaded) with the settings above")
    bar_slot, chart = st.container(), st.empty()
    if start:
        run = start_training(cfg, data, data_key)
        run_training(run, cfg, data, ui.current_device(), chart, bar_slot)
    elif more and not run:
        st.info("There is no model to continue yet: start training or load a model first.")
    elif more and run:
        try:
            model_cfg, own = continue_data(run, cfg, dataset, max_rows)
        except ValueError as e:
            ui.show_error(e)
            return
        run.update(status="training", test=None, data_key=data_key, model=run["model"])
        run["model"].cfg = model_cfg
        run_training(run, model_cfg, own, ui.current_device(), chart, bar_slot)
    if not run:
        st.info("Press Start: the curves appear here while the model learns (about 20-30 s with the defaults on 2 CPU cores).")
        return
    if run["status"] == "training":  # a rerun interrupted the loop: keep the partly trained model
        run["status"] = "stopped"
    if run["history"]:
        chart.plotly_chart(curves(run["history"]), width="stretch", key="lstm.curves")
    show_results(run, data, data_key)


def show_results(run: dict, data: L.Prepared, data_key: str) -> None:
    """Final numbers of this session's model."""
    last = run["history"][-1] if run["history"] else None
    if run["status"] == "stopped":
        st.warning(f"Training stopped at step {run.get('step', 0)}: the model keeps what it learnt so far.")
    if last:
        st.caption(f"Last validation accuracy {last['valid_acc']:.1%} (loss {last['valid_loss']:.3f}) after "
                   f"{last['epoch']:.2f} epochs. The gap between train and validation curves is over-fitting.")
    if run.get("test") is None and run["data_key"] == data_key and run["vocab"] == data.vocab:
        if st.button("Evaluate on the test split", key="lstm.evaluate"):
            finish(run, data, ui.current_device())
    if run.get("test"):
        matrix = run["test"]["matrix"]
        st.metric("Test accuracy", f"{run['test']['acc']:.1%}")
        fig = px.imshow(matrix, x=list(run["classes"]), y=list(run["classes"]), text_auto=True,
                        labels={"x": "predicted", "y": "true", "color": "texts"}, color_continuous_scale="Blues")
        st.plotly_chart(fig, width="stretch")
        st.caption("Confusion matrix on the held-out test split: the diagonal is right, the rest are mistakes.")


# ---------------------------------------------------------------- 6. prediction
def show_prediction() -> None:
    """Probabilities, tokens as seen, gates per time step, prediction per prefix."""
    run = st.session_state.get(RUN)
    if not run:
        st.info("Train a model (or load one below) to try your own sentences.")
        return
    text = st.text_area("Your text", "A gorgeous, witty and moving film that never drags.", key="lstm.predict_text")
    try:
        pred = L.predict(run["model"], run["vocab"], text)
    except ValueError as e:
        ui.show_error(e)
        return
    for note in pred.notes:
        st.warning(note)
    probs = pd.DataFrame({"class": list(run["classes"]), "probability": pred.probs})
    st.plotly_chart(px.bar(probs, x="probability", y="class", orientation="h", range_x=[0, 1]), width="stretch")
    st.markdown(" ".join(f"~~`{t}`~~" if unk else f"`{t}`" for t, unk in zip(pred.tokens, pred.unknown)))
    st.caption("Tokens as the model saw them; struck-through ones are unknown and became `<unk>`.")
    show_gates(run, pred)


def show_gates(run: dict, pred: L.Prediction) -> None:
    """Heat-maps of the four gates of layer 1 (forward direction), hidden-state norm and prefix predictions."""
    trace = L.unroll_gates(run["model"], pred.ids)
    gate = st.radio("Gate", ["input", "forget", "cell", "output"], horizontal=True, key="lstm.gate")
    values = getattr(trace, gate).T.numpy()  # (T, H) -> (H, T): units down, time across
    labels = [f"{i}:{t}" for i, t in enumerate(pred.tokens)]
    fig = px.imshow(values, x=labels, aspect="auto", zmin=-1 if gate == "cell" else 0, zmax=1,
                    labels={"x": "token", "y": "unit", "color": gate}, color_continuous_scale="RdBu_r")
    st.plotly_chart(fig, width="stretch")
    per_step = pd.DataFrame({"token": labels, "|h_t|": trace.h_norm.numpy(), "|c_t|": trace.c_norm.numpy(),
                             f"P({run['classes'][-1]}) after this token": trace.prefix_probs[:, -1].numpy()})
    fig = px.line(per_step, x="token", y=per_step.columns[1:], markers=True)
    st.plotly_chart(fig, width="stretch")
    st.caption(f"Unrolled with `nn.LSTMCell` holding the trained layer-1 weights; it matches `nn.LSTM` to "
               f"{trace.max_diff:.1e}. Input gate near 1 = write this token into memory, forget gate near 0 = "
               "erase memory, output gate = how much of the memory is shown as h_t.")


# ---------------------------------------------------------------- 7. save and load
def show_save_load(data_key: str) -> None:
    """Download this session's model; upload one back."""
    run = st.session_state.get(RUN)
    c = st.columns(2)
    if run:
        blob = L.save_bytes(run["model"], run["vocab"], run["classes"], run["history"])
        c[0].download_button("Download model (.pt)", blob, "lstm_sentiment.pt", key="lstm.save")
        c[0].caption(f"{len(blob) / 1e6:.1f} MB: state_dict tensors + vocabulary, classes and settings as JSON.")
    upload = c[1].file_uploader("Load a model saved here", type=["pt", "pth"], key="lstm.load")
    if upload is None:
        return
    try:
        loaded = L.load_bytes(upload.getvalue(), ui.current_device())
    except ValueError as e:
        with c[1]:
            ui.show_error(e, f"{upload.name}: ")
        return
    marker = hashlib.sha1(upload.getvalue()).hexdigest()
    if st.session_state.get("lstm.loaded_from") != marker:  # load once, not on every rerun
        st.session_state["lstm.loaded_from"] = marker
        st.session_state[RUN] = {"model": loaded.model, "vocab": loaded.vocab, "classes": loaded.classes,
                                 "history": loaded.history, "status": "loaded", "data_key": "upload",
                                 "cfg": loaded.model.cfg, "test": None}
    c[1].success(f"Loaded: {len(loaded.vocab):,} tokens, classes {', '.join(loaded.classes)}. Try it above.")


# ---------------------------------------------------------------- page
def main() -> None:
    st.title("🎬 LSTM sentiment")
    st.markdown("A recurrent network reads a review one token at a time, keeps a memory (the cell state) that "
                "its **gates** decide to write, erase and show, and ends with one guess: fresh or rotten. Below, "
                "every step from raw text to that guess is something you can change and look at.")
    chosen = choose_data()
    max_rows = st.number_input("Use at most this many rows (0 = all)", 0, 1_000_000, 0, step=1000, key="lstm.max_rows")
    if chosen is None:
        return
    data_key, dataset = chosen
    names = ["1 · Pipeline", "2 · Batching", "3 · Embeddings", "4 · Model", "5 · Training", "6 · Predict",
             "7 · Save/load"]
    tabs = st.tabs(names)
    controls = [pipeline_controls, batching_controls, embedding_controls, model_controls, training_controls]
    settings: dict = {}
    slots = []
    for tab, draw in zip(tabs, controls + [None, None]):
        with tab:
            settings |= draw() if draw else {}
            slots.append(st.container())
    render(data_key, dataset, settings, int(max_rows), slots)


def render(data_key: str, dataset: tx.TextDataset, settings: dict, max_rows: int, slots: list) -> None:
    """Everything after the widgets: needs valid settings and prepared data."""
    try:
        cfg = L.LstmConfig(**{k: type(getattr(D, k))(v) for k, v in settings.items()}).validate()
        data = prepared(f"{data_key}:{max_rows}", dataset, pipeline_key(cfg), max_rows)
    except ValueError as e:
        ui.show_error(e)
        return
    views = [lambda: show_pipeline(data, cfg), lambda: show_batching(data, cfg), show_explorer,
             lambda: show_model(cfg, data), lambda: show_training(cfg, data, data_key, dataset, max_rows), show_prediction,
             lambda: show_save_load(data_key)]
    for slot, view in zip(slots, views):
        with slot:
            view()
    ui.code_panel(lstm_code.training_script(cfg), title="The whole thing as one PyTorch script")


main()
