"""Image classifier lab: the MLP and CNN case studies on Fashion-MNIST, MNIST, digits and CIFAR-10."""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

import ui
from lib.common.images import UPLOAD_TYPES, ImageError, open_image
from lib.image_classifier import (
    checkpoints, code, config, cost, datasets, evaluation, logs, models, pipeline, recipes, training,
)
from lib.image_classifier.run import ClassifierRun, RoundSummary
from ui import runlog
from ui.i18n import _, option_labels

if TYPE_CHECKING:
    from torch import nn

DEFAULTS = config.ClassifierConfig()
RUN = "clf.run"            # session-state key of the user's ClassifierRun: model, optimizer and history
ROUNDS = "clf.rounds"      # the finished rounds of this session (RoundSummary), for the table of runs
APPLIED = "clf.recipe"     # the preset whose recipe the widgets were last set to
# widget keys of the settings a preset's recipe sets (the learning rate has one key per optimizer)
MODEL_KEYS = {"hidden": "clf.hidden", "channels": "clf.channels", "cfg": "clf.cfg", "fc": "clf.fc",
              "batch_norm": "clf.bn", "activation": "clf.act", "use_dropout": "clf.use_dropout",
              "dropout": "clf.dropout", "loss": "clf.loss"}
TRAIN_KEYS = {"optimizer": "clf.opt", "momentum": "clf.momentum", "nesterov": "clf.nesterov",
              "weight_decay": "clf.wd", "batch_size": "clf.batch", "epochs": "clf.epochs", "schedule": "clf.sched"}


@st.cache_resource(show_spinner=False, max_entries=3)
def _load(key: str, allow_download: bool) -> datasets.ImageSet:
    return datasets.load(key, allow_download=allow_download)  # read-only uint8 tensors shared by sessions


@st.cache_resource(show_spinner=False, max_entries=2)
def _prepared(key: str, allow_download: bool, device: str, limit: int | None) -> pipeline.Prepared:
    return pipeline.prepare(_load(key, allow_download), device, DEFAULTS.data.val_fraction, DEFAULTS.data.seed, limit)


def prepared(key: str, allowed: bool, device: str, limit: int | None) -> pipeline.Prepared:
    with st.spinner(_("Preparing tensors on the device…")):
        return _prepared(key, allowed, device, limit)


def intro() -> None:
    st.title(_("🧪 Image classifier lab"))
    st.markdown(_(
        "A classifier turns an image into **one score per class**. A multilayer perceptron (MLP) flattens the "
        "pixels and mixes them with fully connected layers; a convolutional network (CNN) first slides small "
        "filters over the image, so it sees strokes and textures wherever they are. Pick a data set, build a "
        "model (or one of the case studies' recipes), train it live, then look at what it gets wrong and try "
        "it on your own picture."))


def class_names(classes: tuple[str, ...]) -> list[str]:
    """Class names in the reader's language (Fashion-MNIST and CIFAR-10 have translations; digits are digits)."""
    return [_(c) for c in classes]


# ---------------------------------------------------------------- 1. data

def data_section() -> tuple[datasets.ImageSet | None, str, bool]:
    st.subheader(_("1 · The data"))
    key = ui.widgets.selectbox(_("Data set"), DEFAULTS.data, "dataset", key="clf.dataset",
                               format_func=option_labels({k: v.title for k, v in datasets.SOURCES.items()}))
    allowed = bool(st.session_state.get(f"clf.download.{key}"))
    if datasets.SOURCES[key].online and not allowed:
        st.caption(_("This set comes from `torchvision.datasets` with `download=True`: it needs internet the "
                     "first time."))
        if st.button(_("Download with torchvision"), key=f"clf.download_btn.{key}"):
            st.session_state[f"clf.download.{key}"] = allowed = True
    try:
        with st.spinner(_("Loading images…")):
            data = _load(key, allowed)
    except ValueError as e:
        ui.show_error(e)
        return None, key, allowed
    browse(data, key, _stats(key, allowed))
    return data, key, allowed


@st.cache_data(show_spinner=False, max_entries=3)
def _stats(key: str, allow_download: bool) -> datasets.DataStats:
    """Computed once per data set, not on every rerun: a pass over 47 million pixels needs ~120 MB for a
    moment, and sixteen learners pressing Train together would need it sixteen times at once."""
    return datasets.stats(_load(key, allow_download))


def browse(data: datasets.ImageSet, key: str, s: datasets.DataStats) -> None:
    c, h, w = data.shape
    names = class_names(data.classes)
    st.caption(_("**{name}**: {train:,} training and {test:,} test images of {c}×{h}×{w} pixels, {k} classes. "
                 "Source: `{source}`.").format(name=data.name, train=len(data.train_y), test=len(data.test_y),
                                               c=c, h=h, w=w, k=len(data.classes), source=data.source))
    left, right = st.columns([3, 2])
    per = ui.widgets.slider(_("Samples per class"), DEFAULTS.data, "per_class", key="clf.per_class", where=left)
    fig = px.imshow(datasets.sample_grid(data, per, seed=DEFAULTS.data.seed), binary_string=True)
    fig.update_yaxes(tickvals=datasets.row_centres(data), ticktext=names)
    fig.update_xaxes(showticklabels=False)
    fig.update_layout(height=60 + 26 * len(data.classes), margin=dict(l=0, r=0, t=10, b=0))
    left.plotly_chart(fig, width="stretch")
    train, test = _("training set"), _("test set")
    balance = pd.DataFrame({_("class"): names, train: s.train_counts, test: s.test_counts})
    bar = px.bar(balance, x=_("class"), y=[train, test], barmode="group", title=_("Class balance"),
                 labels={"value": _("images"), "variable": _("split")})
    right.plotly_chart(bar.update_layout(height=300, margin=dict(t=40, b=0)), width="stretch")
    right.markdown(_("Pixel **mean** {mean} and **std** {std} (0..1 scale). `Normalize((0.5,), (0.5,))` maps 0..1 "
                     "to -1..1; using the measured mean/std instead would centre the data exactly.").format(
                         mean=", ".join(f"{m:.3f}" for m in s.mean), std=", ".join(f"{v:.3f}" for v in s.std)))
    pipelines(key)


def pipelines(key: str) -> None:
    st.markdown(_(
        "**Two ways to feed the model.** The tutorials' classic pipeline decodes every image to a PIL image and "
        "runs `ToTensor()` + `Normalize()` on it *each time it is drawn*, in Python, one sample at a time, and "
        "splits 80/20 with `SubsetRandomSampler`. This page does that work **once**: all images become one "
        "tensor on the device, and a batch is just `x[indices]`. Same numbers, many times faster (see "
        "`bench/image_classifier.py`)."))
    a, b = st.columns(2)
    batch, val = DEFAULTS.train.batch_size, DEFAULTS.data.val_fraction
    with a:
        ui.code_panel(code.classic_code(key, batch, val), title=_("Classic: DataLoader + transforms"))
    with b:
        ui.code_panel(code.fast_code(key, batch, val), title=_("Fast: tensors on the device"))


# ---------------------------------------------------------------- 2. model

def model_section(data: datasets.ImageSet) -> tuple[str, models.ModelSpec, nn.Sequential] | None:
    st.subheader(_("2 · The model"))
    preset = ui.widgets.selectbox(_("Preset (network and training recipe)"), DEFAULTS.model, "preset",
                                  key="clf.preset", format_func=option_labels(models.PRESET_TITLES),
                                  help=_("Choosing a preset sets the model and the training settings below to "
                                         "its recipe; change any of them afterwards."))
    if ui.presets.newly_chosen(APPLIED, preset):
        apply_recipe(preset)
    r = recipes.recipe(preset)
    ui.presets.show_origin(r.note, r.differs)
    try:
        spec = models.spec_from_settings(models.PRESETS[preset], model_settings(preset))
        model = models.build(spec, data.shape, len(data.classes), seed=DEFAULTS.train.seed)
    except ValueError as e:
        ui.show_error(e)
        return None
    rows = models.summary(model, data.shape)
    table = pd.DataFrame({"#": [r.index for r in rows], _("layer"): [r.layer for r in rows],
                          _("output shape"): [str(r.output_shape) for r in rows],
                          _("parameters"): [r.params for r in rows]})
    st.dataframe(table, hide_index=True, width="stretch")
    st.caption(_("**{n:,} parameters.** Shapes are for a batch of one image: ({shape}) in.").format(
        n=models.count_params(model), shape=", ".join(map(str, (1, *data.shape)))))
    style = ui.widgets.radio(_("Write it as"), DEFAULTS.model, "style", key="clf.style", horizontal=True,
                             format_func=option_labels(models.CODE_STYLES))
    ui.code_panel(code.model_code(model, data.shape, style), title=_("The model in code"))
    explain_loss(spec)
    return preset, spec, model


def apply_recipe(preset: str) -> None:
    """A newly chosen preset: set the model and training widgets to its recipe (the link then keeps only what
    differs from it)."""
    r = recipes.recipe(preset)
    start = models.preset_settings(r.spec, DEFAULTS.model)
    for settings, keys in ((start, MODEL_KEYS), (r.train, TRAIN_KEYS)):
        for name, key in keys.items():
            # the recipe is the new default: its settings leave the link, also those of widgets this kind hides
            ui.presets.set_widget(key, settings, name)
    ui.presets.set_widget(f"clf.lr.{r.train.optimizer}", r.train, "lr")


def model_settings(preset: str) -> models.ModelConfig:
    """Widgets for the fields that matter for this kind of network, starting from the preset's values."""
    kind = models.PRESETS[preset].kind
    start = models.preset_settings(models.PRESETS[preset], DEFAULTS.model)
    cols = st.columns(3)
    values: dict = {}
    if kind == "mlp":
        values["hidden"] = ui.widgets.text_input(_("Hidden layer widths"), start, "hidden", key="clf.hidden",
                                                 where=cols[0], max_chars=80)
    elif kind == "vgg":
        values["cfg"] = ui.widgets.text_input(_("VGG cfg list (widths, M = max-pool)"), start, "cfg", key="clf.cfg",
                                              where=cols[0], max_chars=80)
        values["batch_norm"] = ui.widgets.checkbox(_("BatchNorm after each conv"), start, "batch_norm", key="clf.bn",
                                                   where=cols[0], help=_(
                                                       "Batch norm re-centres and re-scales each channel over the "
                                                       "batch: steadier inputs for every layer, higher usable "
                                                       "learning rates."))
    else:
        values["channels"] = ui.widgets.text_input(_("Conv channels"), start, "channels", key="clf.channels",
                                                   where=cols[0], max_chars=80)
    if kind != "mlp":
        values["fc"] = ui.widgets.text_input(_("Hidden linear widths (may be empty)"), start, "fc", key="clf.fc",
                                             where=cols[0], max_chars=80)
    values["activation"] = ui.widgets.selectbox(_("Activation"), start, "activation", key="clf.act", where=cols[1])
    values["use_dropout"] = ui.widgets.checkbox(_("Dropout"), start, "use_dropout", key="clf.use_dropout",
                                                where=cols[1])
    values["dropout"] = ui.widgets.slider(_("Dropout p"), start, "dropout", key="clf.dropout", where=cols[1],
                                          disabled=not values["use_dropout"])
    values["loss"] = ui.widgets.radio(_("Output + loss"), start, "loss", key="clf.loss", where=cols[2],
                                      format_func=option_labels(models.LOSSES))
    return replace(start, **values)


def explain_loss(spec: models.ModelSpec) -> None:
    with st.expander(_("Why CrossEntropyLoss = LogSoftmax + NLLLoss")):
        st.markdown(_(
            "`nn.CrossEntropyLoss()(z, y)` computes `-log softmax(z)[y]` from raw scores `z`. `nn.NLLLoss` only "
            "picks `-input[y]`, so it needs log-probabilities: put `nn.LogSoftmax(dim=1)` at the end of the model. "
            "Both give **the same number and the same gradients**; CrossEntropyLoss just fuses the two steps. To "
            "read probabilities, apply `softmax` (or `exp` of the log-probabilities)."))
        st.markdown(_("This model ends with `LogSoftmax`, so it trains with `NLLLoss`.") if spec.log_softmax else
                    _("This model outputs raw scores, so it trains with `CrossEntropyLoss`."))
        demo = evaluation.loss_demo()
        st.code(f"z = {demo.scores}, y = {demo.target}\nCrossEntropyLoss(z, y)            = {demo.cross_entropy:.6f}\n"
                f"NLLLoss(log_softmax(z), y)        = {demo.nll_of_log_softmax:.6f}", language="text")


# ---------------------------------------------------------------- 3. training

def training_section(data: datasets.ImageSet, key: str, allowed: bool, preset: str, spec: models.ModelSpec,
                     model: nn.Sequential) -> tuple[training.TrainConfig, int | None]:
    st.subheader(_("3 · Training"))
    cfg, limit = train_controls(preset)
    signature = (key, spec, data.shape)
    run: ClassifierRun | None = st.session_state.get(RUN)
    same = run is not None and run.signature == signature
    if run is not None and not same:
        st.warning(_("The data or model settings changed since the last training: **Train** starts a new model."))
    a, b, c, d = st.columns(runlog.BUTTONS_AND_SWITCH)
    start = a.button(_("▶️ Train more") if same else _("▶️ Train"), key="clf.start", type="primary")
    ui.stop_button("clf.stop", where=b, label=_("⏹️ Stop"),
                   help=_("Any click stops training between batches; the weights learnt so far stay."))
    if c.button(_("🔄 Reset weights"), key="clf.reset", disabled=run is None):
        st.session_state.pop(RUN, None)
        run, same = None, False
    log_on = runlog.log_toggle("clf.log", where=d)  # in the link as `log`
    chart = ui.LiveChart("clf.curves")
    if run is not None:
        chart.draw(curves(run.history), width="stretch")
    if start:
        try:
            run = run if same else ClassifierRun.new(key, spec, model, data, cfg, ui.current_device())
            st.session_state[RUN] = run  # before training: a stopped run keeps what it learnt
            live_training(run, key, allowed, preset, cfg, limit, chart, log_on)
        except ValueError as e:
            ui.show_error(e)
    if RUN in st.session_state:
        st.caption(_("The right-hand panel is the learning rate at each report: flat for a constant rate; under "
                     "one-cycle it rises for the first 30% of the batches, then falls smoothly to almost 0."))
    rounds_table()
    explain_modes(st.session_state[RUN].model if same and RUN in st.session_state else model, spec, data)
    source = code.model_code(model, data.shape, "sequential")
    ui.code_panel(code.training_code(key, source, spec, cfg, DEFAULTS.data.val_fraction),
                  title=_("The whole training script"))
    return cfg, limit


def train_controls(preset: str) -> tuple[training.TrainConfig, int | None]:
    cols = st.columns(4)
    t = recipes.recipe(preset).train
    opt = ui.widgets.radio(_("Optimizer"), t, "optimizer", key="clf.opt", where=cols[0],
                           format_func={"adam": "Adam", "sgd": "SGD"}.get)
    t = recipes.train_defaults(preset, opt)
    lr = ui.widgets.select_slider(_("Learning rate"), t, "lr", key=f"clf.lr.{opt}", where=cols[0],
                                  help=_("Under one-cycle this is the peak rate."))
    momentum, nesterov = t.momentum, t.nesterov
    if opt == "sgd":
        momentum = ui.widgets.slider(_("Momentum"), t, "momentum", key="clf.momentum", where=cols[1])
        nesterov = ui.widgets.checkbox(_("Nesterov"), t, "nesterov", key="clf.nesterov", where=cols[1])
    else:
        cols[1].caption(_("Adam defaults: betas (0.9, 0.999), eps 1e-8: a running mean of gradients and of their "
                          "squares gives every weight its own step size."))
    wd = ui.widgets.select_slider(_("Weight decay"), t, "weight_decay", key="clf.wd", where=cols[1],
                                  format_func=lambda v: f"{v:g}")
    batch = ui.widgets.select_slider(_("Batch size"), t, "batch_size", key="clf.batch", where=cols[2])
    epochs = ui.widgets.slider(_("Epochs"), t, "epochs", key="clf.epochs", where=cols[2])
    schedule = ui.widgets.radio(_("Learning-rate schedule"), t, "schedule", key="clf.sched", where=cols[3],
                                format_func=option_labels(training.SCHEDULES),
                                help=_("One-cycle (`OneCycleLR`): from a 25th of the rate up to it over the first "
                                       "30% of the batches, then down to almost 0. Each press of Train runs one "
                                       "whole cycle."))
    subset = ui.widgets.selectbox(_("Training images"), DEFAULTS.data, "subset", key="clf.subset", where=cols[3],
                                  format_func=option_labels(datasets.SUBSET_LABELS),
                                  help=_("Fewer images train faster but learn less. 20% are kept for validation."))
    cfg = replace(t, optimizer=opt, lr=lr, momentum=momentum, nesterov=nesterov, weight_decay=wd,
                  batch_size=batch, epochs=epochs, schedule=schedule)
    return cfg, datasets.subset_limit(subset)


def live_training(run: ClassifierRun, key: str, allowed: bool, preset: str, cfg: training.TrainConfig,
                  limit: int | None, chart: ui.LiveChart, log_on: bool) -> None:
    """Draw curves and progress while the run trains (through the heavy-job gate); a rerun (Stop) ends it."""
    data = prepared(key, allowed, run.device, limit)
    steps = run.train_then_test(data, cfg)  # the test evaluation inside the gate too
    device = models.device_of(run.model)
    log = runlog.new_run(f"{preset}-{key}", log_on)
    try:
        outcome = ui.run_job(
            logs.log_steps(steps, log), total=training.total_steps(data.n_train, cfg), label=_("Training"),
            done=lambda s: s.step, note=lambda s: _("· val acc {acc:.1%}").format(acc=s.val_acc),
            on_update=lambda s: chart.draw(curves(run.history), width="stretch"), finished=_("Trained"),
            kind="image_classifier", device=device, need_bytes=cost.estimate_bytes(run.model, run.shape, cfg),
            expected_s=cost.estimate_seconds(run.model, run.shape, data.n_train, len(data.val_y), cfg, device.type))
        if outcome.finished:
            st.session_state.setdefault(ROUNDS, []).append(run.summary(data, preset, cfg))
            if log is not None:
                logs.log_results(log, run.results(data), data.test_x, data.test_y,
                                 logs.hyperparameters(key, preset, run.spec, cfg, data.n_train),
                                 run.history[-1].step if run.history else 0)
    finally:
        if log is not None:
            log.close()
    if outcome.error:
        st.error(outcome.error, icon="⚠️")


def curves(history: list[training.Step]) -> go.Figure:
    titles = (_("loss"), _("accuracy"), _("learning rate"))
    fig = make_subplots(rows=1, cols=3, subplot_titles=titles, horizontal_spacing=0.08)
    epochs = [s.epoch for s in history]
    splits = ((_("train (dropout on)"), "train", "solid"), (_("validation (eval mode)"), "val", "dot"))
    for col, metric in ((1, "loss"), (2, "acc")):
        for name, split, dash in splits:
            fig.add_trace(go.Scatter(x=epochs, y=[getattr(s, f"{split}_{metric}") for s in history], name=name,
                                     legendgroup=split, showlegend=col == 1, mode="lines+markers",
                                     line=dict(dash=dash, color="#1f77b4" if split == "train" else "#ff7f0e")),
                          row=1, col=col)
    fig.add_trace(go.Scatter(x=epochs, y=[s.lr for s in history], name=_("learning rate"), mode="lines+markers",
                             line=dict(color="#2ca02c")), row=1, col=3)
    fig.update_xaxes(title_text=_("epoch"))
    return fig.update_layout(height=320, margin=dict(t=30, b=0), legend=dict(orientation="h", y=-0.25))


def rounds_table() -> None:
    """Every finished press of Train of this session, to compare recipes side by side."""
    rounds: list[RoundSummary] = st.session_state.get(ROUNDS, [])
    if not rounds:
        return
    st.markdown(_("**Your runs**, newest last: compare a case study's recipe with the faster ones."))
    rows = [{_("preset"): _(models.PRESET_TITLES.get(r.preset, r.preset)), _("data"): _(datasets.SOURCES[r.data_key].title),
             _("optimizer"): r.cfg.optimizer, _("learning rate"): f"{r.cfg.lr:g}",
             _("schedule"): _(training.SCHEDULES[r.cfg.schedule]), _("batch size"): r.cfg.batch_size,
             _("epochs"): round(r.epochs, 2), _("training images"): r.n_train, _("seconds"): round(r.seconds, 1),
             _("validation accuracy"): f"{r.val_acc:.2%}", _("test accuracy"): f"{r.test_acc:.2%}"}
            for r in rounds[-10:]]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def explain_modes(net: nn.Sequential, spec: models.ModelSpec, data: datasets.ImageSet) -> None:
    """Dropout made visible on the trained model when it matches the settings, else the fresh one."""
    with st.expander(_("model.train() vs model.eval(): dropout made visible"), expanded=False):
        demo = evaluation.modes_demo(net, spec, data, repeats=3, seed=DEFAULTS.train.seed)
        names = class_names(data.classes)
        mode, cls, p = _("mode"), _("class"), _("probability")
        rows = [{mode: _("model.train() draw {n}").format(n=i + 1), cls: c, p: v}
                for i, r in enumerate(demo.train_probs) for c, v in zip(names, r)]
        rows += [{mode: "model.eval()", cls: c, p: v} for c, v in zip(names, demo.eval_probs)]
        fig = px.bar(pd.DataFrame(rows), x=cls, y=p, color=mode, barmode="group",
                     title=_("First test image (a {label}): class probabilities").format(label=_(demo.label)))
        st.plotly_chart(fig.update_layout(height=320), width="stretch")
        st.markdown(_(
            "In `model.train()` each `Dropout` zeroes a random share p of activations (and scales the rest by "
            "1/(1-p)), so three forward passes give three different answers; `model.eval()` turns that off and "
            "BatchNorm switches to its running averages, so the answer is fixed. Always call `model.eval()` "
            "(and `torch.no_grad()`) before measuring accuracy."))
        if not demo.differ:
            st.markdown(_("**This model has no dropout or BatchNorm, so the bars agree.**"))


# ---------------------------------------------------------------- 4. results

def results_section(run: ClassifierRun, data: datasets.ImageSet, key: str, allowed: bool, limit: int | None) -> None:
    st.subheader(_("4 · Test results"))
    ready = prepared(key, allowed, run.device, limit)
    if not run.fits(key, data):
        st.caption(_("The trained model belongs to another data set: pick that one again to see its results."))
        return
    ev, names = run.results(ready), class_names(run.classes)
    st.metric(_("Test accuracy"), f"{ev.accuracy:.2%}",
              help=_("{n:,} test images never seen in training").format(n=ready.n_test))
    report = evaluation.error_report(ev, ready.test_y, len(names))
    left, right = st.columns([3, 2])
    fig = px.imshow(report.confusion, x=names, y=names, text_auto=True, color_continuous_scale="Blues",
                    labels=dict(x=_("predicted"), y=_("true"), color=_("images")), title=_("Confusion matrix"))
    left.plotly_chart(fig.update_layout(height=480), width="stretch")
    bar = px.bar(x=report.per_class, y=names, orientation="h", labels=dict(x=_("accuracy"), y=""),
                 title=_("Accuracy per class"), range_x=[0, 1])
    right.plotly_chart(bar.update_layout(height=480), width="stretch")
    worst = report.weakest
    st.caption(_("Rows are the true class, columns the prediction: the diagonal is correct. Weakest class: "
                 "**{name}** ({acc:.1%}).").format(name=names[worst], acc=report.per_class[worst]))
    wrong_images(ev, data)


def wrong_images(ev: evaluation.Evaluation, data: datasets.ImageSet) -> None:
    st.markdown(_("**Most confidently wrong** test images: the model was surest and still mistaken."))
    mistakes = evaluation.confident_mistakes(ev, data, 8)
    if not mistakes:
        st.success(_("No test image is misclassified."))
        return
    for col, mistake in zip(st.columns(8), mistakes):
        col.image(mistake.image, width="stretch")
        col.caption(_("true **{true}**, said {said} ({p:.0%})").format(true=_(mistake.true), said=_(mistake.said),
                                                                       p=mistake.confidence))


# ---------------------------------------------------------------- 5. try it

def try_it_section(run: ClassifierRun) -> None:
    st.subheader(_("5 · Try it on your own image"))
    c, h, w = run.shape
    upload = st.file_uploader(_("A small picture (one object, centred)"), type=UPLOAD_TYPES, key="clf.try")
    if upload is None:
        st.caption((_("It will be made grey, shrunk to {h}×{w} and, for dark-on-light pictures, inverted: "
                      "MNIST-style sets are light objects on black.") if c == 1 else
                    _("It will be made RGB and shrunk to {h}×{w}.")).format(h=h, w=w))
        return
    invert = ui.widgets.radio(_("Invert"), DEFAULTS.data, "invert", key="clf.invert", horizontal=True,
                              format_func=option_labels(datasets.INVERT_LABELS))
    try:
        guess = run.classify(open_image(upload.getvalue(), max_side=512).image, invert)
    except (ImageError, ValueError) as e:
        ui.show_error(e, prefix=f"{upload.name}: ")
        return
    a, b = st.columns([1, 3])
    a.image(guess.seen, caption=_("what the model sees"), width=140)
    fig = px.bar(x=guess.probs, y=class_names(run.classes), orientation="h", range_x=[0, 1],
                 labels=dict(x=_("probability"), y=""), title=_("Prediction: {name}").format(name=_(guess.best)))
    b.plotly_chart(fig.update_layout(height=360), width="stretch")


# ---------------------------------------------------------------- 6. save / load

def save_load_section(run: ClassifierRun | None, key: str) -> None:
    st.subheader(_("6 · Save and load"))
    st.markdown(_(
        "`torch.save(model.state_dict(), path)` stores only the **tensors** (weights and buffers) by name; to load "
        "them you rebuild the same architecture and call `load_state_dict`. Saving the whole model pickles Python "
        "classes: fragile across code changes, and loading a pickle can run code. This page saves the state_dict "
        "plus a plain config (lists, numbers, strings) and loads with `torch.load(..., weights_only=True)`."))
    if run is not None:
        st.download_button(_("⬇️ Download checkpoint (.pt)"), run.checkpoint(), "image_classifier.pt", key="clf.save")
    upload = st.file_uploader(_("Load a checkpoint"), type=["pt", "pth"], key="clf.load")
    if upload is None:
        return
    try:
        loaded = checkpoints.load_checkpoint(upload.getvalue(), ui.current_device())
    except ValueError as e:
        ui.show_error(e, prefix=f"{upload.name}: ")
        return
    if st.button(_("Use the loaded model"), key="clf.use_loaded"):
        st.session_state[RUN] = ClassifierRun.from_checkpoint(loaded, key, ui.current_device(), DEFAULTS.train)
    st.success(_("{file}: a `{kind}` with {n:,} parameters for {shape} images, classes {classes}…").format(
        file=upload.name, kind=loaded.spec.kind, n=models.count_params(loaded.model), shape=loaded.in_shape,
        classes=", ".join(class_names(loaded.classes[:4]))))


# ---------------------------------------------------------------- 7. TensorBoard

def tensorboard_section(data_key: str, chosen: tuple | None, cfg: training.TrainConfig,
                        shape: tuple[int, int, int]) -> None:
    st.subheader(_("7 · TensorBoard"))
    st.markdown(_(
        "Switch on **📈 Log to TensorBoard** next to the Train button: each press of Train then writes a "
        "real TensorBoard run with `torch.utils.tensorboard.SummaryWriter`: the losses, accuracies and learning "
        "rate at every report, a grid of the test images the model gets most confidently wrong, and the "
        "hyperparameters with the final test accuracy (the HPARAMS tab compares runs). The runs of your session "
        "are read back below from their event files, and you can download them."))
    runlog.runs_panel("clf.tb")
    if chosen is not None:
        _preset, spec, model = chosen
        ui.code_panel(code.training_code(data_key, code.model_code(model, shape, "sequential"), spec, cfg,
                                         DEFAULTS.data.val_fraction, log=True),
                      title=_("The training script with TensorBoard logging"))


def main() -> None:
    intro()
    data, key, allowed = data_section()
    if data is None:
        ui.links.share_panel(not_in_link())
        return
    chosen, cfg = model_section(data), DEFAULTS.train
    if chosen is not None:
        preset, spec, model = chosen
        cfg, limit = training_section(data, key, allowed, preset, spec, model)
        run: ClassifierRun | None = st.session_state.get(RUN)
        if run is None:
            st.info(_("Train a model above to see its test results, try it on your own image and save it."))
        else:
            results_section(run, data, key, allowed, limit)
            try_it_section(run)
    save_load_section(st.session_state.get(RUN), key)
    tensorboard_section(key, chosen, cfg, data.shape)
    ui.links.share_panel(not_in_link())


def not_in_link() -> list[str]:
    return [_("your own picture and an uploaded checkpoint: the link opens the page without them"),
            _("the trained model: the link restores the settings; press Train to train it again"),
            _("a torchvision download: the visitor presses Download once")]


main()
