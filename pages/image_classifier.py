"""Image classifier lab: the MLP and CNN case studies on Fashion-MNIST, MNIST, digits and CIFAR-10."""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

import ui
from lib.common.images import UPLOAD_TYPES, ImageError, open_image
from lib.image_classifier import checkpoints, code, config, datasets, evaluation, models, pipeline, training
from lib.image_classifier.run import ClassifierRun

if TYPE_CHECKING:
    from torch import nn

DEFAULTS = config.ClassifierConfig()
RUN = "clf.run"  # session-state key of the user's ClassifierRun: model, optimizer and history


@st.cache_resource(show_spinner="Loading images…", max_entries=3)
def _load(key: str, allow_download: bool) -> datasets.ImageSet:
    return datasets.load(key, allow_download=allow_download)  # read-only uint8 tensors shared by sessions


@st.cache_resource(show_spinner="Preparing tensors on the device…", max_entries=2)
def _prepared(key: str, allow_download: bool, device: str, limit: int | None) -> pipeline.Prepared:
    return pipeline.prepare(_load(key, allow_download), device, DEFAULTS.data.val_fraction, DEFAULTS.data.seed, limit)


def intro() -> None:
    st.title("🧪 Image classifier lab")
    st.markdown(
        "A classifier turns an image into **one score per class**. A multilayer perceptron (MLP) flattens the "
        "pixels and mixes them with fully connected layers; a convolutional network (CNN) first slides small "
        "filters over the image, so it sees strokes and textures wherever they are. Pick a data set, build a "
        "model, train it live, then look at what it gets wrong and try it on your own picture."
    )


# ---------------------------------------------------------------- 1. data

def data_section() -> tuple[datasets.ImageSet | None, str, bool]:
    st.subheader("1 · The data")
    key = ui.widgets.selectbox("Data set", DEFAULTS.data, "dataset", key="clf.dataset",
                               format_func=lambda k: datasets.SOURCES[k].title)
    allowed = bool(st.session_state.get(f"clf.download.{key}"))
    if datasets.SOURCES[key].online and not allowed:
        st.caption("This set comes from `torchvision.datasets` with `download=True`: it needs internet the first time.")
        if st.button("Download with torchvision", key=f"clf.download_btn.{key}"):
            st.session_state[f"clf.download.{key}"] = allowed = True
    try:
        data = _load(key, allowed)
    except ValueError as e:
        ui.show_error(e)
        return None, key, allowed
    browse(data, key)
    return data, key, allowed


def browse(data: datasets.ImageSet, key: str) -> None:
    s = datasets.stats(data)
    c, h, w = data.shape
    st.caption(f"**{data.name}**: {len(data.train_y):,} training and {len(data.test_y):,} test images of "
               f"{c}×{h}×{w} pixels, {len(data.classes)} classes. Source: {data.source}.")
    left, right = st.columns([3, 2])
    per = ui.widgets.slider("Samples per class", DEFAULTS.data, "per_class", key="clf.per_class", where=left)
    fig = px.imshow(datasets.sample_grid(data, per, seed=DEFAULTS.data.seed), binary_string=True)
    fig.update_yaxes(tickvals=datasets.row_centres(data), ticktext=list(data.classes))
    fig.update_xaxes(showticklabels=False)
    fig.update_layout(height=60 + 26 * len(data.classes), margin=dict(l=0, r=0, t=10, b=0))
    left.plotly_chart(fig, width="stretch")
    balance = pd.DataFrame({"class": data.classes, "train": s.train_counts, "test": s.test_counts})
    bar = px.bar(balance, x="class", y=["train", "test"], barmode="group", title="Class balance")
    right.plotly_chart(bar.update_layout(height=300, margin=dict(t=40, b=0)), width="stretch")
    mean = ", ".join(f"{m:.3f}" for m in s.mean)
    std = ", ".join(f"{v:.3f}" for v in s.std)
    right.markdown(f"Pixel **mean** {mean} and **std** {std} (0..1 scale). `Normalize((0.5,), (0.5,))` maps "
                   "0..1 to -1..1; using the measured mean/std instead would centre the data exactly.")
    pipelines(key)


def pipelines(key: str) -> None:
    st.markdown(
        "**Two ways to feed the model.** The tutorials' classic pipeline decodes every image to a PIL image and "
        "runs `ToTensor()` + `Normalize()` on it *each time it is drawn*, in Python, one sample at a time, and "
        "splits 80/20 with `SubsetRandomSampler`. This page does that work **once**: all images become one "
        "normalised tensor on the device, and a batch is just `x[indices]`. Same numbers, many times faster "
        "(see `bench/image_classifier.py`)."
    )
    a, b = st.columns(2)
    batch, val = DEFAULTS.train.batch_size, DEFAULTS.data.val_fraction
    with a:
        ui.code_panel(code.classic_code(key, batch, val), title="Classic: DataLoader + transforms")
    with b:
        ui.code_panel(code.fast_code(key, batch, val), title="Fast: tensors on the device")


# ---------------------------------------------------------------- 2. model

def model_section(data: datasets.ImageSet) -> tuple[models.ModelSpec, nn.Sequential] | None:
    st.subheader("2 · The model")
    name = ui.widgets.selectbox("Preset", DEFAULTS.model, "preset", key="clf.preset")
    try:
        spec = edit_spec(models.PRESETS[name])
        model = models.build(spec, data.shape, len(data.classes), seed=DEFAULTS.train.seed)
    except ValueError as e:
        ui.show_error(e)
        return None
    rows = models.summary(model, data.shape)
    table = pd.DataFrame({"#": [r.index for r in rows], "layer": [r.layer for r in rows],
                          "output shape": [str(r.output_shape) for r in rows], "parameters": [r.params for r in rows]})
    st.dataframe(table, hide_index=True, width="stretch")
    st.caption(f"**{models.count_params(model):,} parameters.** Shapes are for a batch of one image: "
               f"(1, {', '.join(map(str, data.shape))}) in.")
    style = ui.widgets.radio("Write it as", DEFAULTS.model, "style", key="clf.style", horizontal=True,
                             format_func={"sequential": "nn.Sequential", "module": "nn.Module class",
                                          "functional": "functional API in forward"}.get)
    ui.code_panel(code.model_code(model, data.shape, style), title="The model in code")
    explain_loss(spec)
    return spec, model


def edit_spec(spec: models.ModelSpec) -> models.ModelSpec:
    """Widgets for the fields that matter for this kind of network, starting from the preset's values."""
    start = models.preset_settings(spec, DEFAULTS.model)
    cols = st.columns(3)
    changes: dict = {}
    if spec.kind == "mlp":
        text = cols[0].text_input("Hidden layer widths", models.as_text(spec.hidden), key="clf.hidden")
        changes["hidden"] = models.parse_widths(text, "hidden layer widths")
    elif spec.kind == "vgg":
        text = cols[0].text_input("VGG cfg list (widths, M = max-pool)", models.as_text(spec.cfg), key="clf.cfg")
        changes["cfg"] = models.parse_cfg(text)
        changes["batch_norm"] = ui.widgets.checkbox("BatchNorm after each conv", start, "batch_norm", key="clf.bn",
                                                    where=cols[0])
    else:
        text = cols[0].text_input("Conv channels", models.as_text(spec.channels), key="clf.channels")
        changes["channels"] = models.parse_widths(text, "channel counts")
    if spec.kind != "mlp":
        fc = cols[0].text_input("Hidden linear widths (may be empty)", models.as_text(spec.fc), key="clf.fc")
        changes["fc"] = models.parse_widths(fc, "hidden linear widths")
    changes["activation"] = ui.widgets.selectbox("Activation", start, "activation", key="clf.act", where=cols[1])
    use_dropout = ui.widgets.checkbox("Dropout", start, "use_dropout", key="clf.use_dropout", where=cols[1])
    p = ui.widgets.slider("Dropout p", start, "dropout", key="clf.dropout", where=cols[1], disabled=not use_dropout)
    changes["dropout"] = p if use_dropout else 0.0
    loss = ui.widgets.radio("Output + loss", start, "loss", key="clf.loss", where=cols[2],
                            format_func={"ce": "raw scores + CrossEntropyLoss", "nll": "LogSoftmax + NLLLoss"}.get)
    changes["log_softmax"] = loss == "nll"
    return models.with_changes(spec, **changes)


def explain_loss(spec: models.ModelSpec) -> None:
    with st.expander("Why CrossEntropyLoss = LogSoftmax + NLLLoss"):
        st.markdown(
            "`nn.CrossEntropyLoss()(z, y)` computes `-log softmax(z)[y]` from raw scores `z`. `nn.NLLLoss` only "
            "picks `-input[y]`, so it needs log-probabilities: put `nn.LogSoftmax(dim=1)` at the end of the model. "
            "Both give **the same number and the same gradients**; CrossEntropyLoss just fuses the two steps. "
            f"This model {'ends with LogSoftmax, so it trains with NLLLoss' if spec.log_softmax else 'outputs raw scores, so it trains with CrossEntropyLoss'}. "
            "To read probabilities, apply `softmax` (or `exp` of the log-probabilities)."
        )
        demo = evaluation.loss_demo()
        st.code(f"z = {demo.scores}, y = {demo.target}\nCrossEntropyLoss(z, y)            = {demo.cross_entropy:.6f}\n"
                f"NLLLoss(log_softmax(z), y)        = {demo.nll_of_log_softmax:.6f}", language="text")


# ---------------------------------------------------------------- 3. training

def training_section(data: datasets.ImageSet, key: str, allowed: bool, spec: models.ModelSpec,
                     model: nn.Sequential) -> tuple[training.TrainConfig, int | None]:
    st.subheader("3 · Training")
    cfg, limit = train_controls()
    signature = (key, spec, data.shape)
    run: ClassifierRun | None = st.session_state.get(RUN)
    same = run is not None and run.signature == signature
    if run is not None and not same:
        st.warning("The data or model settings changed since the last training: **Train** starts a new model.")
    a, b, c = st.columns(3)
    start = a.button("▶️ Train" if not same else "▶️ Train more", key="clf.start", type="primary")
    ui.stop_button("clf.stop", where=b, label="⏹️ Stop",
                   help="Any click stops training between batches; the weights learnt so far stay.")
    if c.button("🔄 Reset weights", key="clf.reset", disabled=run is None):
        st.session_state.pop(RUN, None)
        run, same = None, False
    chart = st.empty()
    if run is not None:
        chart.plotly_chart(curves(run.history), width="stretch")
    if start:
        try:
            run = run if same else ClassifierRun.new(key, spec, model, data, cfg, ui.current_device())
            st.session_state[RUN] = run  # before training: a stopped run keeps what it learnt
            live_training(run, key, allowed, cfg, limit, chart)
        except ValueError as e:
            ui.show_error(e)
    explain_modes(st.session_state[RUN].model if same and RUN in st.session_state else model, spec, data)
    source = code.model_code(model, data.shape, "sequential")
    ui.code_panel(code.training_code(key, source, spec, cfg, DEFAULTS.data.val_fraction),
                  title="The whole training script")
    return cfg, limit


def train_controls() -> tuple[training.TrainConfig, int | None]:
    cols, t = st.columns(4), DEFAULTS.train
    opt = ui.widgets.radio("Optimizer", t, "optimizer", key="clf.opt", where=cols[0],
                           format_func={"adam": "Adam", "sgd": "SGD"}.get)
    lr = ui.widgets.select_slider("Learning rate", training.optimizer_defaults(t, opt), "lr", key=f"clf.lr.{opt}",
                                  where=cols[0])
    momentum, nesterov = t.momentum, t.nesterov
    if opt == "sgd":
        momentum = ui.widgets.slider("Momentum", t, "momentum", key="clf.momentum", where=cols[1])
        nesterov = ui.widgets.checkbox("Nesterov", t, "nesterov", key="clf.nesterov", where=cols[1])
    else:
        cols[1].caption("Adam defaults: betas (0.9, 0.999), eps 1e-8: a running mean of gradients and of their "
                        "squares gives every weight its own step size.")
    wd = ui.widgets.select_slider("Weight decay", t, "weight_decay", key="clf.wd", where=cols[1])
    batch = ui.widgets.select_slider("Batch size", t, "batch_size", key="clf.batch", where=cols[2])
    epochs = ui.widgets.slider("Epochs", t, "epochs", key="clf.epochs", where=cols[2])
    subset = ui.widgets.selectbox("Training images", DEFAULTS.data, "subset", key="clf.subset", where=cols[3],
                                  help="Fewer images train faster but learn less. 20% are kept for validation.")
    cfg = replace(t, optimizer=opt, lr=lr, momentum=momentum, nesterov=nesterov, weight_decay=wd,
                  batch_size=batch, epochs=epochs)
    return cfg, datasets.subset_limit(subset)


def live_training(run: ClassifierRun, key: str, allowed: bool, cfg: training.TrainConfig, limit: int | None,
                  chart) -> None:
    """Draw curves and progress while the run trains; a rerun (Stop) ends it between chunks."""
    prepared = _prepared(key, allowed, run.device, limit)
    steps = run.train(prepared, cfg)
    outcome = ui.run_job(steps, total=training.total_steps(prepared.n_train, cfg), label="Training",
                         done=lambda s: s.step, note=lambda s: f"· val acc {s.val_acc:.1%}",
                         on_update=lambda s: chart.plotly_chart(curves(run.history), width="stretch"),
                         finished="Trained", kind="train", device=models.device_of(run.model))
    if outcome.error:
        st.error(outcome.error, icon="⚠️")


def curves(history: list[training.Step]) -> go.Figure:
    df = pd.DataFrame(history or [{"epoch": 0, "train_loss": None, "val_loss": None, "train_acc": None, "val_acc": None}])
    long = df.melt("epoch", ["train_loss", "val_loss", "train_acc", "val_acc"])
    long["metric"] = long["variable"].str.split("_").str[1].map({"loss": "loss", "acc": "accuracy"})
    long["split"] = long["variable"].str.split("_").str[0].map({"train": "train (dropout on)", "val": "validation (eval mode)"})
    fig = px.line(long, x="epoch", y="value", color="split", facet_col="metric", markers=True)
    fig.update_yaxes(matches=None, showticklabels=True)
    return fig.update_layout(height=320, margin=dict(t=30, b=0))


def explain_modes(net: nn.Sequential, spec: models.ModelSpec, data: datasets.ImageSet) -> None:
    """Dropout made visible on the trained model when it matches the settings, else the fresh one."""
    with st.expander("model.train() vs model.eval(): dropout made visible", expanded=False):
        demo = evaluation.modes_demo(net, spec, data, repeats=3, seed=DEFAULTS.train.seed)
        rows = [{"mode": f"model.train() draw {i + 1}", "class": c, "p": v} for i, r in enumerate(demo.train_probs)
                for c, v in zip(data.classes, r)] + [{"mode": "model.eval()", "class": c, "p": v}
                                                     for c, v in zip(data.classes, demo.eval_probs)]
        fig = px.bar(pd.DataFrame(rows), x="class", y="p", color="mode", barmode="group",
                     title=f"First test image (a {demo.label}): class probabilities")
        st.plotly_chart(fig.update_layout(height=320), width="stretch")
        st.markdown(
            "In `model.train()` each `Dropout` zeroes a random share p of activations (and scales the rest by "
            "1/(1-p)), so three forward passes give three different answers; `model.eval()` turns that off and "
            "BatchNorm switches to its running averages, so the answer is fixed. Always call `model.eval()` "
            "(and `torch.no_grad()`) before measuring accuracy. "
            + ("" if demo.differ else "**This model has no dropout or BatchNorm, so the bars agree.**"))


# ---------------------------------------------------------------- 4. results

def results_section(run: ClassifierRun, data: datasets.ImageSet, key: str, allowed: bool, limit: int | None) -> None:
    st.subheader("4 · Test results")
    prepared = _prepared(key, allowed, run.device, limit)
    if not run.fits(key, data):
        st.caption("The trained model belongs to another data set: pick that one again to see its results.")
        return
    ev, classes = run.results(prepared), run.classes
    st.metric("Test accuracy", f"{ev.accuracy:.2%}", help=f"{prepared.n_test:,} test images never seen in training")
    report = evaluation.error_report(ev, prepared.test_y, len(classes))
    left, right = st.columns([3, 2])
    fig = px.imshow(report.confusion, x=list(classes), y=list(classes), text_auto=True, color_continuous_scale="Blues",
                    labels=dict(x="predicted", y="true", color="images"), title="Confusion matrix")
    left.plotly_chart(fig.update_layout(height=480), width="stretch")
    bar = px.bar(x=report.per_class, y=list(classes), orientation="h", labels=dict(x="accuracy", y=""),
                 title="Accuracy per class", range_x=[0, 1])
    right.plotly_chart(bar.update_layout(height=480), width="stretch")
    worst = report.weakest
    st.caption(f"Rows are the true class, columns the prediction: the diagonal is correct. Weakest class: "
               f"**{classes[worst]}** ({report.per_class[worst]:.1%}).")
    wrong_images(ev, data)


def wrong_images(ev: evaluation.Evaluation, data: datasets.ImageSet) -> None:
    st.markdown("**Most confidently wrong** test images: the model was surest and still mistaken.")
    mistakes = evaluation.confident_mistakes(ev, data, 8)
    if not mistakes:
        st.success("No test image is misclassified.")
        return
    for col, mistake in zip(st.columns(8), mistakes):
        col.image(mistake.image, width="stretch")
        col.caption(f"true **{mistake.true}**, said {mistake.said} ({mistake.confidence:.0%})")


# ---------------------------------------------------------------- 5. try it

def try_it_section(run: ClassifierRun) -> None:
    st.subheader("5 · Try it on your own image")
    c, h, w = run.shape
    upload = st.file_uploader("A small picture (one object, centred)", type=UPLOAD_TYPES, key="clf.try")
    if upload is None:
        st.caption(f"It will be made {'grey' if c == 1 else 'RGB'}, shrunk to {h}×{w} and, for dark-on-light "
                   "pictures, inverted: MNIST-style sets are light objects on black.")
        return
    invert = ui.widgets.radio("Invert", DEFAULTS.data, "invert", key="clf.invert", horizontal=True)
    try:
        guess = run.classify(open_image(upload.getvalue(), max_side=512).image, invert)
    except (ImageError, ValueError) as e:
        ui.show_error(e, prefix=f"{upload.name}: ")
        return
    a, b = st.columns([1, 3])
    a.image(guess.seen, caption="what the model sees", width=140)
    fig = px.bar(x=guess.probs, y=list(run.classes), orientation="h", range_x=[0, 1],
                 labels=dict(x="probability", y=""), title=f"Prediction: {guess.best}")
    b.plotly_chart(fig.update_layout(height=360), width="stretch")


# ---------------------------------------------------------------- 6. save / load

def save_load_section(run: ClassifierRun | None, key: str) -> None:
    st.subheader("6 · Save and load")
    st.markdown(
        "`torch.save(model.state_dict(), path)` stores only the **tensors** (weights and buffers) by name; to load "
        "them you rebuild the same architecture and call `load_state_dict`. Saving the whole model pickles Python "
        "classes: fragile across code changes, and loading a pickle can run code. This page saves the state_dict "
        "plus a plain config (lists, numbers, strings) and loads with `torch.load(..., weights_only=True)`."
    )
    if run is not None:
        st.download_button("⬇️ Download checkpoint (.pt)", run.checkpoint(), "image_classifier.pt", key="clf.save")
    upload = st.file_uploader("Load a checkpoint", type=["pt", "pth"], key="clf.load")
    if upload is None:
        return
    try:
        loaded = checkpoints.load_checkpoint(upload.getvalue(), ui.current_device())
    except ValueError as e:
        ui.show_error(e, prefix=f"{upload.name}: ")
        return
    if st.button("Use the loaded model", key="clf.use_loaded"):
        st.session_state[RUN] = ClassifierRun.from_checkpoint(loaded, key, ui.current_device(), DEFAULTS.train)
    st.success(f"{upload.name}: a {loaded.spec.kind} with {models.count_params(loaded.model):,} parameters for "
               f"{loaded.in_shape} images, classes {', '.join(loaded.classes[:4])}…")


def tensorboard_section() -> None:
    st.subheader("7 · TensorBoard")
    if training.tensorboard_available():
        st.markdown("`tensorboard` is installed: `SummaryWriter` from `torch.utils.tensorboard` can log this run.")
    else:
        st.info("TensorBoard logging needs the `tensorboard` package, which is not installed here. "
                "Install it with `pip install tensorboard`, then log with the code below and view the run with "
                "`tensorboard --logdir runs`.")
    ui.code_panel(code.TENSORBOARD_CODE, title="Logging to TensorBoard")


def main() -> None:
    intro()
    data, key, allowed = data_section()
    if data is None:
        return
    model_choice = model_section(data)
    if model_choice is None:
        return
    spec, model = model_choice
    _, limit = training_section(data, key, allowed, spec, model)
    run: ClassifierRun | None = st.session_state.get(RUN)
    if run is None:
        st.info("Train a model above to see its test results, try it on your own image and save it.")
    else:
        results_section(run, data, key, allowed, limit)
        try_it_section(run)
    save_load_section(run, key)
    tensorboard_section()


main()
