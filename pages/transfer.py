"""Transfer learning: a pretrained backbone, frozen then fine-tuned, against a small CNN trained from scratch."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

import ui
from lib.common.datasets import ImageSet, load_fashion_offline, load_torchvision
from lib.common.images import UPLOAD_TYPES, ImageError, open_image
from lib.transfer import (
    archive, backbone as bb, checkpoints, code, config, cost, data, efficiency, features, lab as labs, logs,
    session, strategies,
)
from ui import runlog
from ui.i18n import _, option_labels, translate

DEFAULTS = config.TransferConfig()
NAMES = config.ClassNames()
LAB, STORE, SHOTS, OWN, SWEPT = "tl.lab", "tl.store", "tl.shots", "tl.decoded", "tl.sweep"
COLOURS = px.colors.qualitative.Plotly


@st.cache_resource(show_spinner=False, max_entries=1)
def _fashion() -> ImageSet:
    return load_fashion_offline()  # read-only uint8 tensors shared by every session


@st.cache_resource(show_spinner=False, max_entries=1)
def _cifar(allow_download: bool) -> ImageSet:
    return load_torchvision("CIFAR10", Path("data"), allow_download)  # the image classifier's download folder


@st.cache_resource(show_spinner=False, max_entries=2)
def _resnet(key: str, device: str, allow_download: bool) -> bb.Backbone:
    return bb.load_resnet(key, device, allow_download)  # frozen and shared: fine-tuning trains a copy


@st.cache_resource(show_spinner=False, max_entries=4)
def _profile(key: str, source: str, device: str) -> cost.Profile:
    return cost.profile(backbone_for(key, device, allowed(key)))


def allowed(key: str) -> bool:
    """Whether this session pressed the download button for `key` (a data set or a backbone)."""
    return bool(st.session_state.get(f"tl.download.{key}"))


def download_button(key: str, label: str) -> bool:
    """A button that allows `key`'s download for this session; True once pressed."""
    if st.button(label, key=f"tl.download_btn.{key}"):
        st.session_state[f"tl.download.{key}"] = True
    return allowed(key)


def backbone_for(key: str, device: str, allow_download: bool) -> bb.Backbone:
    if key == "vgg19":
        return bb.from_vgg(ui.shared_models.vgg19(device))
    return _resnet(key, device, allow_download)


def intro() -> None:
    st.title(_("♻️ Transfer learning"))
    st.markdown(_(
        "A network pretrained on ImageNet's 1.2 million photos has already learnt edges, textures and parts of "
        "objects. **Transfer learning** keeps that knowledge: freeze the pretrained *backbone*, replace its last "
        "layer with a new *head* for your own classes and train only that, then unfreeze the last block and "
        "fine-tune it with a much lower learning rate. With a few pictures per class this beats a network trained "
        "from scratch by a wide margin. Press **Train all three** below to see it, then try your own classes."))


# ---------------------------------------------------------------- 1. the pictures

def data_section() -> tuple[data.FewShot | None, ImageSet | None, dict]:
    st.subheader(_("1 · The pictures"))
    source = ui.widgets.radio(_("Pictures"), DEFAULTS, "source", key="tl.source", horizontal=True,
                              format_func=option_labels(config.SOURCES))
    c = st.columns(3)
    seed = int(ui.widgets.number_input(_("Seed"), DEFAULTS, "seed", key="tl.seed", where=c[2],
                                       help=_("Which pictures are drawn (or how yours are split), and the initial "
                                              "weights.")))
    if source == "own":
        return own_section(seed), None, {"seed": seed}
    values = dict(per_class=ui.widgets.select_slider(_("Labelled pictures per class"), DEFAULTS, "per_class",
                                                     key="tl.n", where=c[0]),
                  test_images=ui.widgets.select_slider(_("Test images"), DEFAULTS, "test_images", key="tl.test",
                                                       where=c[1], help=_("A fixed subset of the test split: the "
                                                                          "same pictures for every draw.")),
                  seed=seed)
    images = builtin(source)
    if images is None:
        return None, None, values
    try:
        fs = data.few_shot(images, source, values["per_class"], values["test_images"], values["seed"])
    except ValueError as e:
        ui.show_error(e)
        return None, images, values
    show_draw(fs)
    return fs, images, values


def builtin(source: str) -> ImageSet | None:
    """Fashion-MNIST (Debian, offline) or CIFAR-10 (downloaded by the user, like on the image-classifier page)."""
    try:
        if source == "fashion":
            return _fashion()
        try:
            return _cifar(False)
        except ValueError:
            st.caption(_("CIFAR-10 comes from `torchvision.datasets` (170 MB): it needs internet the first time, "
                         "and then serves the image-classifier page too."))
            if not download_button("cifar10", _("Download CIFAR-10 with torchvision")):
                return None
            with st.spinner(_("Downloading CIFAR-10…")):
                return _cifar(True)
    except ValueError as e:
        ui.show_error(e)
        return None


def show_draw(fs: data.FewShot) -> None:
    st.caption(_("**{name}**: {train} pictures to learn from, {val} to pick the best checkpoint (validation), "
                 "{test} to test on. Each picture is resized for the backbone and repeated to 3 channels if grey.")
               .format(name=translate(fs.name), train=len(fs.train_y), val=len(fs.val_y), test=len(fs.test_y)))
    grid = data.sample_grid(fs)
    h = fs.shape[1]
    fig = px.imshow(grid)
    fig.update_yaxes(tickvals=[h * k + h / 2 for k in range(len(fs.classes))], ticktext=[_(c) for c in fs.classes])
    fig.update_xaxes(showticklabels=False)
    fig.update_layout(height=60 + 26 * len(fs.classes), margin=dict(l=0, r=0, t=10, b=0))
    st.plotly_chart(fig, width="stretch", key="tl.grid")


def own_section(seed: int) -> data.FewShot | None:
    mode = ui.widgets.radio(_("Add them as"), DEFAULTS, "own_input", key="tl.own", horizontal=True,
                            format_func=option_labels(config.OWN_INPUTS))
    got = zip_input() if mode == "zip" else picture_input()
    if got is None:
        return None
    names, files, cache_key = got
    try:
        own = st.session_state.setdefault(OWN, session.DecodedCache()).get(names, files, cache_key)
    except ValueError as e:
        ui.show_error(e)
        return None
    for problem in own.problems:
        st.warning(translate(problem), icon="🖼️")
    fs = data.own_split(own, seed)
    counts = ", ".join(f"{name}: {n}" for name, n in zip(own.classes, own.counts))
    st.caption(_("{counts}. Per class a fifth (at least one) is kept to pick the best checkpoint, and a fifth for "
                 "testing when the class has 5 or more.").format(counts=counts))
    show_draw(fs)
    return fs


def class_name(i: int, typed: str) -> str:
    return typed.strip() or _("Class {n}").format(n=i + 1)


def picture_input() -> tuple[tuple[str, ...], list, tuple] | None:
    """Teachable-Machine style: name 2-10 classes, add pictures to each by upload and by webcam."""
    n = ui.widgets.slider(_("Classes"), DEFAULTS, "n_classes", key="tl.classes")
    shots: session.Shots = st.session_state.setdefault(SHOTS, session.Shots())
    names, files, key = [], [], []
    cols = st.columns(2)
    for i in range(n):
        with cols[i % 2].container(border=True):
            typed = ui.widgets.text_input(_("Name of class {n}").format(n=i + 1), NAMES, f"name{i + 1}",
                                          key=f"tl.name{i + 1}", max_chars=40,
                                          placeholder=_("Class {n}").format(n=i + 1))
            name = class_name(i, typed)
            uploads = st.file_uploader(_("Pictures of {name}").format(name=name), type=UPLOAD_TYPES,
                                       accept_multiple_files=True, key=f"tl.up{i + 1}")
            mine = [(u.name, u.getvalue()) for u in uploads or []] + shots.files(i)
            st.caption(_("{n} pictures ({shots} from the webcam)").format(n=len(mine), shots=shots.count(i)))
            names.append(name)
            files.append(mine)
            key += [name, *(u.file_id for u in uploads or []), *shots.ids(i)]
    webcam(names, shots)
    if sum(1 for f in files if len(f) >= 2) < n:
        st.info(_("Add at least 2 pictures to every class (upload several at once, or use the webcam)."), icon="👆")
        return None
    try:
        return config.class_names(names), files, tuple(key)
    except ValueError as e:
        ui.show_error(e)
        return None


def webcam(names: list[str], shots: session.Shots) -> None:
    """One camera; every new photo is added to the chosen class."""
    with st.expander(_("📷 Add pictures with the webcam"), expanded=False):
        target = st.selectbox(_("Add the photos to"), range(len(names)), format_func=lambda i: names[i],
                              key="tl.cam_class")
        photo = st.camera_input(_("Take a photo"), key="tl.camera")
        if photo is not None and shots.add(target, photo.file_id, photo.getvalue()):
            st.rerun()
        st.caption(_("Each new photo joins the class chosen above; clear the photo to take the next one."))
        if st.button(_("Forget the webcam photos"), key="tl.clear_shots"):
            shots.clear()
            st.rerun()


def zip_input() -> tuple[tuple[str, ...], list, tuple] | None:
    upload = st.file_uploader(_("A .zip with one folder per class (class_name/picture.jpg)"), type=["zip"],
                              key="tl.zip", help=_("Like torchvision's `ImageFolder`: 2-10 class folders, at least "
                                                   "2 pictures in each; other files are skipped."))
    if upload is None:
        st.info(_("Upload a .zip of class folders, or switch to pictures and webcam."), icon="👆")
        return None
    try:
        folder = archive.read_image_folder(upload.getvalue(), upload.name)
    except ValueError as e:
        ui.show_error(e)
        return None
    if note := folder.note(upload.name):
        st.caption(f"ℹ️ {translate(note)}")
    return folder.classes, [list(f) for f in folder.files], (upload.file_id,)


# ---------------------------------------------------------------- 2. the backbone

def backbone_section(device: str) -> bb.Backbone | None:
    st.subheader(_("2 · The pretrained backbone"))

    labels = {key: _(text) if bb.cached(key) else _("{name} - not downloaded").format(name=_(text))
              for key, text in config.BACKBONES.items()}
    key = ui.widgets.selectbox(_("Backbone"), DEFAULTS, "backbone", key="tl.backbone", format_func=labels.get)
    if not bb.cached(key) and not allowed(key):
        st.caption(_("Its weights are not in the torch hub cache. Online you can download them (45-100 MB); "
                     "offline, VGG19 works with the app's own weights."))
        if not download_button(key, _("Download the {key} weights").format(key=key)):
            return None
    try:
        with st.spinner(_("Loading the backbone…")):
            backbone = backbone_for(key, device, allowed(key))
    except ValueError as e:
        ui.show_error(e)
        return None
    st.caption(_("**In use:** `{source}`. Pictures are resized to {resize}×{resize} px and centre-cropped to "
                 "{crop}×{crop} (its own transforms). Frozen prefix: {first} … {last}; last block: `{block}`.")
               .format(source=backbone.source, resize=backbone.resize, crop=backbone.crop,
                       first=backbone.prefix_layers[0], last=backbone.prefix_layers[-1], block=backbone.block_name))
    return backbone


# ---------------------------------------------------------------- 3. three strategies side by side

def training_settings() -> dict:
    with st.expander(_("⚙️ Training settings of the three strategies"), expanded=False):
        c = st.columns(3)
        values = dict(
            scratch_epochs=ui.widgets.slider(_("Epochs"), DEFAULTS, "scratch_epochs", key="tl.ep_scratch", where=c[0]),
            scratch_lr=ui.widgets.select_slider(_("Learning rate (Adam)"), DEFAULTS, "scratch_lr",
                                                key="tl.lr_scratch", where=c[0], format_func=lambda v: f"{v:g}"),
            head_epochs=ui.widgets.slider(_("Head epochs (one full-batch L-BFGS iteration each)"), DEFAULTS,
                                          "head_epochs", key="tl.ep_head", where=c[1]),
            head_lr=ui.widgets.select_slider(_("Head's first trial step (L-BFGS)"), DEFAULTS, "head_lr",
                                             key="tl.lr_head", where=c[1], format_func=lambda v: f"{v:g}"),
            finetune_epochs=ui.widgets.slider(_("Fine-tuning epochs (stage 2)"), DEFAULTS, "finetune_epochs",
                                              key="tl.ep_ft", where=c[2]),
            finetune_lr=ui.widgets.select_slider(_("Last block's learning rate (the head gets 10x)"), DEFAULTS,
                                                 "finetune_lr", key="tl.lr_ft", where=c[2],
                                                 format_func=lambda v: f"{v:g}"))
        c[0].caption(_("**From scratch**: the tutorials' small CNN (two conv blocks, dropout), batches of 32, "
                       "pictures at 32 px."))
        c[1].caption(_("**Head**: standardised features, one linear layer with an L2 penalty (logistic "
                       "regression) fitted by full-batch L-BFGS; both transfer strategies start with it."))
        c[2].caption(_("**Stage 2** continues from stage 1's head, with the backbone's last block unfrozen."))
    return values


def compare_section(fs: data.FewShot | None, backbone: bb.Backbone | None, cfg: config.TransferConfig,
                    device) -> None:
    st.subheader(_("3 · Three strategies on the same pictures"))
    st.markdown(_(
        "**From scratch** learns every weight from these pictures alone. **Frozen backbone + new head** runs the "
        "pretrained layers once per picture, keeps their output (no backbone runs during training) and trains "
        "only a linear head on it. **Two stages** is the tutorials' recipe: that head first, then the last block "
        "unfrozen with a 10x lower learning rate, as a second optimizer parameter group. Each keeps its best "
        "epoch by validation accuracy, except the head, a logistic regression fitted to convergence, which keeps "
        "its latest fit; the test accuracy below is that checkpoint's."))
    a, b, c = st.columns([2, 1, 2])
    ready = fs is not None and backbone is not None
    start = a.button(_("▶️ Train all three"), key="tl.train", type="primary", disabled=not ready)
    ui.stop_button("tl.stop", where=b)
    log_on = runlog.log_toggle("tl.log", where=c)  # in the link as `log`
    lab: labs.Lab | None = st.session_state.get(LAB)
    if ready and lab is not None and lab.signature != labs.signature(fs, backbone):
        st.warning(_("The pictures or the backbone changed since the last training: **Train all three** compares "
                     "them on the new ones."), icon="🔄")
    status = st.empty()
    columns = st.columns(3)
    error = None
    if start and ready:
        lab = labs.Lab.new(fs, backbone, cfg)
        st.session_state[LAB] = lab  # before training: a stopped run keeps what it learnt
        lives = [column.empty() for column in columns]  # bars and live curves, replaced by the results after
        error = train_all(lab, backbone, device, lives, status, log_on)
        for live in lives:
            live.empty()
    if lab is not None:
        draw_results(lab, columns)
    if error:
        st.error(error, icon="⚠️")


def train_all(lab: labs.Lab, backbone: bb.Backbone, device, lives, status, log_on: bool) -> str | None:
    """Features first (through the gate), then the three strategies, each with its own bar, curves and ETA;
    returns the reason when a job could not finish."""
    store: features.FeatureStore = st.session_state.setdefault(STORE, features.FeatureStore())
    bank = store.bank(backbone, lab.fs.bank)
    profile = _profile(backbone.key, backbone.source, str(device))
    n = features.to_extract(lab.fs, bank)
    with status.container():
        outcome = ui.run_job(lab.extraction(backbone, bank), total=max(n, 1), done=lambda e: e.done,
                             label=_("Backbone features, once per picture"), finished=_("Features ready"),
                             kind="transfer", device=device, need_bytes=cost.extract_bytes(profile, n),
                             expected_s=cost.extract_seconds(profile, n, str(device)))
    if not outcome.finished or lab.feats is None:
        return outcome.error
    log = runlog.new_run(f"transfer-{lab.fs.kind}-{len(lab.fs.train_y)}", log_on)
    try:
        for strategy, live in zip(config.STRATEGIES, lives):
            outcome = train_one(lab, strategy, backbone, device, live, profile, log)
            if not outcome.finished:
                return outcome.error
    finally:
        if log is not None:
            logs.log_results(log, lab.runs, lab.fs, logs.hyperparameters(lab.cfg, lab.fs, backbone.key))
            log.close()
    return None


def train_one(lab: labs.Lab, strategy: str, backbone: bb.Backbone, device, live, profile, log) -> ui.Outcome:
    fs, cfg = lab.fs, lab.cfg
    k, n_train, n_val = len(fs.classes), len(fs.train_y), len(fs.val_y)
    with live.container():
        st.markdown(f"**{_(config.STRATEGIES[strategy])}**")
        chart = ui.LiveChart(f"tl.live.{strategy}")  # the strategy's curves, redrawn when they have new epochs
        outcome = ui.run_job(
            lab.train(strategy, backbone, device, log), total=labs.epochs_of(strategy, cfg), done=lambda e: e.epoch,
            label=_("Training"), note=lambda e: _("· val acc {acc:.0%}").format(acc=e.val_acc),
            on_update=lambda _e: chart.draw(curves(lab.runs[strategy]), width="stretch"),
            finished=_("Trained"), kind="transfer", device=device,
            need_bytes=cost.train_bytes(profile, cfg, n_train, n_val, k),
            expected_s=cost.train_seconds(profile, cfg, n_train, n_val, k, str(device), strategies=(strategy,)))
    return outcome


def curves(run) -> go.Figure:
    epochs = [e.epoch for e in run.history]
    fig = go.Figure()
    for name, field, dash in ((_("training accuracy"), "train_acc", "solid"),
                              (_("validation accuracy"), "val_acc", "dot")):
        fig.add_trace(go.Scatter(x=epochs, y=[getattr(e, field) for e in run.history], name=name, mode="lines",
                                 line=dict(dash=dash)))
    stage2 = [e.epoch for e in run.history if e.stage == 2]
    if stage2:
        fig.add_vline(x=stage2[0] - 0.5, line_dash="dash", annotation_text=_("stage 2"))
    if run.best_epoch:
        fig.add_trace(go.Scatter(x=[run.best_epoch], y=[run.best_val], mode="markers", name=_("best checkpoint"),
                                 marker=dict(symbol="star", size=12, color="gold", line=dict(width=1))))
    fig.update_layout(height=280, margin=dict(l=0, r=0, t=10, b=0), yaxis_range=[0, 1.02], xaxis_title=_("epoch"),
                      legend=dict(orientation="h", y=-0.3))
    return fig


def draw_results(lab: labs.Lab, columns) -> None:
    for strategy, column in zip(config.STRATEGIES, columns):
        column.markdown(f"**{_(config.STRATEGIES[strategy])}**")
        run = lab.runs.get(strategy)
        if run is None or not run.history:
            column.caption(_("Not trained yet."))
            continue
        column.plotly_chart(curves(run), width="stretch", key=f"tl.curves.{strategy}")
        score = lab.score(strategy)
        if score is None:
            column.caption(_("Stopped after {n} epochs.").format(n=len(run.history)))
            continue
        label = _("test accuracy") if run.test_acc is not None else _("validation accuracy")
        base = lab.score("scratch") if strategy != "scratch" else None
        column.metric(label, f"{score:.1%}",
                      delta=None if base is None else _("{d:+.1f} points vs scratch").format(d=100 * (score - base)))
        column.caption(_("Best epoch {epoch} (validation {val:.0%}), {s:.1f} s of training.").format(
            epoch=run.best_epoch, val=run.best_val, s=run.seconds))
    if (gap := lab.gap()) is not None:
        text = (_("Transfer wins by **{gap:.1f} points** with {n} pictures per class to learn from.") if gap > 0 else
                _("Here transfer does not win ({gap:+.1f} points): with many pictures, or pictures unlike ImageNet's, "
                  "training from scratch catches up."))
        st.success(text.format(gap=gap, n=len(lab.fs.train_y) // len(lab.fs.classes)), icon="🏁")
    if not lab.fs.has_test and lab.finished():
        st.caption(_("Your classes have fewer than 5 pictures each, so there is no test split: the scores are "
                     "validation accuracies, which also chose the checkpoint (optimistic)."))


# ---------------------------------------------------------------- 4. which weights train

def weights_section(fs: data.FewShot | None, backbone: bb.Backbone | None, cfg: config.TransferConfig,
                    device: str) -> None:
    st.subheader(_("4 · Which weights train"))
    if fs is None or backbone is None:
        st.caption(_("Choose pictures and a backbone above to see the table."))
        return
    view = ui.widgets.radio(_("Strategy and stage"), DEFAULTS, "inspect", key="tl.view", horizontal=True,
                            format_func=option_labels(config.VIEWS))
    k, dim = len(fs.classes), _profile(backbone.key, backbone.source, device).feature_dim
    rows = strategies.layer_rows(view, backbone, k, dim, cfg.scratch_px)
    trainable = sum(r.params for r in rows if r.trainable)
    frozen = sum(r.params for r in rows if not r.trainable)
    c = st.columns(3)
    c[0].metric(_("trainable parameters"), f"{trainable:,}")
    c[1].metric(_("frozen parameters"), f"{frozen:,}")
    c[2].metric(_("share that trains"), f"{trainable / max(1, trainable + frozen):.2%}")
    table = pd.DataFrame({_("layer"): [_(r.name) for r in rows], _("type"): [r.kind for r in rows],
                          _("parameters"): [r.params for r in rows], "requires_grad": [r.trainable for r in rows],
                          _("its output"): [_(r.where) for r in rows]})
    st.dataframe(table, hide_index=True, width="stretch", height=min(420, 38 + 35 * len(rows)))
    opt = strategies.view_optimizer(view, backbone, cfg, k, dim, len(fs.train_y))
    groups = strategies.group_rows(opt)
    st.markdown(_("**The optimizer's parameter groups** (`torch.optim.{name}`, {n} group(s)):").format(
        name=type(opt).__name__, n=len(groups)))
    st.dataframe(pd.DataFrame({_("group"): [_(g.name) for g in groups], _("tensors"): [g.tensors for g in groups],
                               _("parameters"): [g.params for g in groups],
                               _("learning rate"): [f"{g.lr:g}" for g in groups],
                               _("weight decay"): [f"{g.weight_decay:.3g}" for g in groups]}),
                 hide_index=True, width="stretch")
    st.caption(_("A frozen layer has `requires_grad = False`: autograd computes no gradient for it and the optimizer "
                 "never sees it. The head's weight decay is 1 / (C · training pictures) with C = {c}: a "
                 "logistic-regression penalty that fades as the data grows.").format(c=cfg.head_c))


# ---------------------------------------------------------------- 5. why it works

def projection_section() -> None:
    st.subheader(_("5 · Why it works: pixels vs features"))
    lab: labs.Lab | None = st.session_state.get(LAB)
    if lab is None or lab.feats is None:
        st.caption(_("After training, the pictures it learnt from appear here in two 2-D maps (PCA): as raw pixels "
                     "and as backbone features."))
        return
    proj = lab.projection()
    names = [_(c) for c in lab.fs.classes]
    left, right = st.columns(2)
    for where, xy, share, acc, title in (
            (left, proj.raw, proj.raw_explained, proj.raw_nn_acc, _("raw pixels")),
            (right, proj.features, proj.features_explained, proj.features_nn_acc, _("backbone features"))):
        frame = pd.DataFrame({"PC1": xy[:, 0], "PC2": xy[:, 1], _("class"): [names[i] for i in proj.labels]})
        fig = px.scatter(frame, x="PC1", y="PC2", color=_("class"), title=title, height=420,
                         color_discrete_sequence=COLOURS)
        where.plotly_chart(fig.update_traces(marker=dict(size=6)), width="stretch")
        where.caption(_("The two axes keep {a:.0%} + {b:.0%} of the variance. Nearest neighbour (leave one out, all "
                        "dimensions): **{acc:.0%}** correct.").format(a=share[0], b=share[1], acc=acc))
    st.markdown(_("The same pictures: as pixels the classes overlap (a shirt and a pullover differ in a few "
                  "pixels), as features they form clouds a linear head can separate. That is what pretraining "
                  "bought."))


# ---------------------------------------------------------------- 6. sample efficiency

def efficiency_section(images: ImageSet | None, fs: data.FewShot | None, backbone: bb.Backbone | None,
                       cfg: config.TransferConfig, device) -> None:
    st.subheader(_("6 · How many pictures does each strategy need?"))
    if images is None or fs is None or backbone is None:
        st.caption(_("The sweep draws 5 to 100 pictures per class from a built-in set: choose Fashion-MNIST or "
                     "CIFAR-10 above."))
        return
    st.markdown(_("Test accuracy against labelled pictures per class ({sizes}), the three strategies trained "
                  "afresh at each size with the settings above. The draws are nested and the features are "
                  "computed once.").format(sizes=", ".join(map(str, config.SWEEP))))
    key = (fs.kind, cfg.test_images, cfg.seed, backbone.key, backbone.source, str(device))
    if st.button(_("📈 Run the sweep"), key="tl.sweep_btn"):
        run_sweep(images, fs.kind, backbone, cfg, device, key)
    swept: session.Sweep | None = st.session_state.get(SWEPT)
    if swept is not None:
        if swept.key != key:
            st.caption(_("(Measured with other settings: run the sweep again for these.)"))
        draw_sweep(swept.points)


def run_sweep(images: ImageSet, kind: str, backbone: bb.Backbone, cfg, device, key: tuple) -> None:
    store: features.FeatureStore = st.session_state.setdefault(STORE, features.FeatureStore())
    bank = store.bank(backbone, kind)
    profile = _profile(backbone.key, backbone.source, str(device))
    swept = st.session_state[SWEPT] = session.Sweep(key)  # before the job: a stopped sweep keeps its points
    need, seconds = efficiency.estimate(profile, cfg, config.SWEEP, len(images.classes), str(device))
    ui.run_job(efficiency.sweep(images, kind, backbone, bank, cfg, device, config.SWEEP), total=lambda s: s.total,
               done=lambda s: s.done, note=lambda s: translate(s.note), on_update=swept.keep,
               must_draw=lambda s: s.point is not None, label=_("Sample-efficiency sweep"), finished=_("Swept"),
               kind="transfer", device=device, need_bytes=need, expected_s=seconds)


def draw_sweep(points: list) -> None:
    if not points:
        return
    frame = pd.DataFrame({_("pictures per class"): [p.per_class for p in points],
                          _("test accuracy"): [p.test_acc for p in points],
                          _("strategy"): [_(config.STRATEGIES[p.strategy]) for p in points]})
    fig = px.line(frame, x=_("pictures per class"), y=_("test accuracy"), color=_("strategy"), markers=True,
                  log_x=True, title=_("Sample efficiency: test accuracy of each best checkpoint"), height=380)
    fig.update_xaxes(tickvals=list(config.SWEEP))
    st.plotly_chart(fig, width="stretch", key="tl.sweep_chart")


# ---------------------------------------------------------------- 7. predict, save and load

def predict_section(fs: data.FewShot | None, backbone: bb.Backbone | None, cfg: config.TransferConfig,
                    device) -> None:
    st.subheader(_("7 · Classify a new picture"))
    lab: labs.Lab | None = st.session_state.get(LAB)
    loaded = checkpoint_upload(backbone, device)
    strategy = ui.widgets.radio(_("Model"), DEFAULTS, "predict_with", key="tl.use", horizontal=True,
                                format_func=option_labels(config.STRATEGIES))
    model = loaded or session_model(lab, strategy, backbone, cfg)
    picture, true = picture_choice(lab)
    k = ui.widgets.slider(_("Top k"), DEFAULTS, "top_k", key="tl.k")
    if model is None:
        st.info(_("Train above (or upload a checkpoint) to classify pictures."), icon="👆")
        return
    if picture is None:
        return
    seen, probs = model.predict(picture)
    names = [_(c) for c in model.classes]
    top = checkpoints.top_k(probs, k)[::-1]  # the chart draws bottom-up: most probable on top
    a, b = st.columns([1, 3])
    a.image(data.rgb(seen), caption=_("what the model sees"), width=140)
    if true is not None:
        a.caption(_("true class: **{name}**").format(name=names[true]))
    fig = px.bar(x=[p for _i, p in top], y=[names[i] for i, _p in top], orientation="h", range_x=[0, 1],
                 labels=dict(x=_("probability"), y=""), title=_("Prediction: {name}").format(name=names[top[-1][0]]))
    b.plotly_chart(fig.update_layout(height=120 + 40 * len(top)), width="stretch", key="tl.topk")


def session_model(lab: labs.Lab | None, strategy: str, backbone: bb.Backbone | None, cfg):
    run = lab.runs.get(strategy) if lab is not None else None
    if run is None or run.best_state is None or (strategy != "scratch" and (backbone is None or
                                                                            backbone.key != lab.backbone_key)):
        return None
    fs = lab.fs
    model = checkpoints.predictor(run, fs.kind, fs.shape, backbone, cfg.scratch_px)
    st.download_button(_("⬇️ Download this best checkpoint (.pt)"),
                       checkpoints.checkpoint_bytes(run, fs.kind, fs.shape, backbone, cfg.scratch_px),
                       f"transfer_{strategy}.pt", key="tl.save")
    return model


def checkpoint_upload(backbone: bb.Backbone | None, device):
    upload = st.file_uploader(_("Load a checkpoint of this page (.pt)"), type=["pt", "pth"], key="tl.load",
                              help=_("Read with `torch.load(..., weights_only=True)`: tensors and plain values "
                                     "only, never code."))
    if upload is None:
        return None
    try:
        loaded = checkpoints.load_checkpoint(upload.getvalue(), backbone, device)
    except ValueError as e:
        ui.show_error(e, prefix=f"{upload.name}: ")
        return None
    origin = translate(loaded.origin) if loaded.origin else ""
    st.success(_("{file}: {strategy}, {k} classes ({origin}). Predictions below use it.").format(
        file=upload.name, strategy=_(config.STRATEGIES[loaded.strategy]), k=len(loaded.classes), origin=origin))
    return loaded


def picture_choice(lab: labs.Lab | None):
    """(a PIL picture or None, its true class index when it is a test image)."""
    source = ui.widgets.radio(_("Picture"), DEFAULTS, "picture", key="tl.pic", horizontal=True,
                              format_func=option_labels(config.PICTURES))
    if source == "file":
        return ui.image_input("tl.predict", label=_("Picture"), max_side=512).image, None
    if source == "camera":
        photo = st.camera_input(_("Take a photo to classify"), key="tl.predict_cam")
        if photo is None:
            return None, None
        try:
            return open_image(photo.getvalue(), max_side=512).image, None
        except ImageError as e:
            ui.show_error(e)
            return None, None
    if lab is None:
        return None, None
    x, y, _ids = lab.fs.split("test" if lab.fs.has_test else "val")
    i = min(int(ui.widgets.number_input(_("Test image number"), DEFAULTS, "test_index", key="tl.img")), len(y) - 1)
    return data.to_picture(x[i]), int(y[i])


# ---------------------------------------------------------------- 8. TensorBoard and the code

def tensorboard_section(backbone: bb.Backbone | None, cfg: config.TransferConfig) -> None:
    st.subheader(_("8 · TensorBoard and the code"))
    st.markdown(_("Switch on **📈 Log to TensorBoard** next to the Train button: each press writes a real "
                  "run with `SummaryWriter`: every strategy's losses and accuracies per epoch (two-stage per stage), "
                  "a grid of each one's misclassified test pictures, and the hyperparameters with the test "
                  "accuracies."))
    runlog.runs_panel("tl.tb")
    if backbone is not None:
        ui.code_panel(code.script(cfg, backbone.key, backbone.source, backbone.resize, backbone.crop),
                      title=_("The whole recipe as a script, on an ImageFolder of your pictures"))


def main() -> None:
    intro()
    device = ui.current_device()
    fs, images, values = data_section()
    backbone = backbone_section(str(device))
    cfg = replace(DEFAULTS, **values, **training_settings())
    compare_section(fs, backbone, cfg, device)
    weights_section(fs, backbone, cfg, str(device))
    projection_section()
    efficiency_section(images, fs, backbone, cfg, device)
    predict_section(fs, backbone, cfg, device)
    tensorboard_section(backbone, cfg)
    ui.links.share_panel([_("your pictures, webcam photos, zip and checkpoint (files cannot travel in a link)"),
                          _("the trained models: the link restores the settings and the seed, so pressing Train "
                            "gives the same results")])


main()
