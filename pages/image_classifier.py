"""Image classifier lab: the MLP and CNN case studies on Fashion-MNIST, MNIST, digits and CIFAR-10."""
from __future__ import annotations

from dataclasses import replace

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st
import torch

import ui
from lib import datasets as D
from lib import models as M
from lib import train as T
from lib.common.images import UPLOAD_TYPES, ImageError, open_image

RUN = "clf.run"  # session-state key of the user's trained model, optimizer and history
DATA, TRAIN = D.DataConfig(), T.TrainConfig()
SUBSETS = {"all": None, "20,000": 20_000, "5,000": 5_000, "1,000": 1_000, "300": 300}


@st.cache_resource(show_spinner="Loading images…", max_entries=3)
def _load(key: str, allow_download: bool) -> D.ImageSet:
    return D.load(key, allow_download=allow_download)  # read-only uint8 tensors shared by sessions


@st.cache_resource(show_spinner="Preparing tensors on the device…", max_entries=2)
def _prepared(key: str, allow_download: bool, device: str, limit: int | None) -> D.Prepared:
    return D.prepare(_load(key, allow_download), torch.device(device), DATA.val_fraction, DATA.seed, limit)


def main() -> None:
    st.title("🧪 Image classifier lab")
    st.markdown(
        "A classifier turns an image into **one score per class**. A multilayer perceptron (MLP) flattens the "
        "pixels and mixes them with fully connected layers; a convolutional network (CNN) first slides small "
        "filters over the image, so it sees strokes and textures wherever they are. Pick a data set, build a "
        "model, train it live, then look at what it gets wrong and try it on your own picture."
    )
    data, key, allowed = data_section()
    if data is None:
        return
    model_choice = model_section(data)
    if model_choice is None:
        return
    spec, model = model_choice
    cfg, limit = training_section(data, key, allowed, spec, model)
    run = st.session_state.get(RUN)
    if run is None:
        st.info("Train a model above to see its test results, try it on your own image and save it.")
    else:
        results_section(run, data, key, allowed, limit)
        try_it_section(run)
    save_load_section(run)
    tensorboard_section()


# ---------------------------------------------------------------- 1. data

def data_section() -> tuple[D.ImageSet | None, str, bool]:
    st.subheader("1 · The data")
    key = st.selectbox("Data set", list(D.SOURCES), format_func=lambda k: D.SOURCES[k].title,
                       index=list(D.SOURCES).index(DATA.dataset), key="clf.dataset")
    allowed = bool(st.session_state.get(f"clf.download.{key}"))
    if D.SOURCES[key].online and not allowed:
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


def browse(data: D.ImageSet, key: str) -> None:
    s = D.stats(data)
    c, h, w = data.shape
    st.caption(f"**{data.name}**: {len(data.train_y):,} training and {len(data.test_y):,} test images of "
               f"{c}×{h}×{w} pixels, {len(data.classes)} classes. Source: {data.source}.")
    left, right = st.columns([3, 2])
    per = left.slider("Samples per class", 4, 16, 8, key="clf.per_class")
    idx = D.samples_per_class(data, per, seed=DATA.seed)
    grid = D.mosaic(data.train_x[idx])  # (classes, per, C, H, W) -> one picture
    fig = px.imshow(grid, binary_string=True)
    fig.update_yaxes(tickvals=[(i + 0.5) * (h + 1) for i in range(len(data.classes))], ticktext=list(data.classes))
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
    with a:
        ui.code_panel(D.classic_code(key, TRAIN.batch_size, DATA.val_fraction), title="Classic: DataLoader + transforms")
    with b:
        ui.code_panel(D.fast_code(key, TRAIN.batch_size, DATA.val_fraction), title="Fast: tensors on the device")


# ---------------------------------------------------------------- 2. model

def model_section(data: D.ImageSet) -> tuple[M.ModelSpec, torch.nn.Sequential] | None:
    st.subheader("2 · The model")
    name = st.selectbox("Preset", list(M.PRESETS), index=list(M.PRESETS).index(M.DEFAULT_PRESET), key="clf.preset")
    try:
        spec = edit_spec(M.PRESETS[name])
        model = M.build(spec, data.shape, len(data.classes), seed=TRAIN.seed)
    except ValueError as e:
        ui.show_error(e)
        return None
    rows = M.summary(model, data.shape)
    table = pd.DataFrame({"#": [r.index for r in rows], "layer": [r.layer for r in rows],
                          "output shape": [str(r.output_shape) for r in rows], "parameters": [r.params for r in rows]})
    st.dataframe(table, hide_index=True, width="stretch")
    st.caption(f"**{M.count_params(model):,} parameters.** Shapes are for a batch of one image: "
               f"(1, {', '.join(map(str, data.shape))}) in.")
    style = st.radio("Write it as", ["sequential", "module", "functional"], horizontal=True, key="clf.style",
                     format_func={"sequential": "nn.Sequential", "module": "nn.Module class",
                                  "functional": "functional API in forward"}.get)
    ui.code_panel(M.model_code(model, data.shape, style), title="The model in code")
    explain_loss(spec)
    return spec, model


def edit_spec(spec: M.ModelSpec) -> M.ModelSpec:
    """Widgets for the fields that matter for this kind of network."""
    cols = st.columns(3)
    changes: dict = {}
    if spec.kind == "mlp":
        text = cols[0].text_input("Hidden layer widths", ", ".join(map(str, spec.hidden)), key="clf.hidden")
        changes["hidden"] = M.parse_widths(text, "hidden layer widths")
    elif spec.kind == "vgg":
        text = cols[0].text_input("VGG cfg list (widths, M = max-pool)", ", ".join(map(str, spec.cfg)), key="clf.cfg")
        changes["cfg"] = M.parse_cfg(text)
        changes["batch_norm"] = cols[0].checkbox("BatchNorm after each conv", spec.batch_norm, key="clf.bn")
    else:
        text = cols[0].text_input("Conv channels", ", ".join(map(str, spec.channels)), key="clf.channels")
        changes["channels"] = M.parse_widths(text, "channel counts")
    if spec.kind != "mlp":
        fc = cols[0].text_input("Hidden linear widths (may be empty)", ", ".join(map(str, spec.fc)), key="clf.fc")
        changes["fc"] = M.parse_widths(fc, "hidden linear widths")
    acts = list(M.ACTIVATIONS)
    changes["activation"] = cols[1].selectbox("Activation", acts, index=acts.index(spec.activation), key="clf.act")
    use_dropout = cols[1].checkbox("Dropout", spec.dropout > 0, key="clf.use_dropout")
    p = cols[1].slider("Dropout p", 0.05, 0.8, spec.dropout or 0.25, 0.05, key="clf.dropout", disabled=not use_dropout)
    changes["dropout"] = p if use_dropout else 0.0
    loss = cols[2].radio("Output + loss", ["ce", "nll"], index=int(spec.log_softmax), key="clf.loss",
                         format_func={"ce": "raw scores + CrossEntropyLoss", "nll": "LogSoftmax + NLLLoss"}.get)
    changes["log_softmax"] = loss == "nll"
    return M.with_changes(spec, **changes)


def explain_loss(spec: M.ModelSpec) -> None:
    with st.expander("Why CrossEntropyLoss = LogSoftmax + NLLLoss"):
        st.markdown(
            "`nn.CrossEntropyLoss()(z, y)` computes `-log softmax(z)[y]` from raw scores `z`. `nn.NLLLoss` only "
            "picks `-input[y]`, so it needs log-probabilities: put `nn.LogSoftmax(dim=1)` at the end of the model. "
            "Both give **the same number and the same gradients**; CrossEntropyLoss just fuses the two steps. "
            f"This model {'ends with LogSoftmax, so it trains with NLLLoss' if spec.log_softmax else 'outputs raw scores, so it trains with CrossEntropyLoss'}. "
            "To read probabilities, apply `softmax` (or `exp` of the log-probabilities)."
        )
        z, y = torch.tensor([[2.0, 0.5, -1.0]]), torch.tensor([0])
        ce = torch.nn.CrossEntropyLoss()(z, y).item()
        nll = torch.nn.NLLLoss()(torch.log_softmax(z, 1), y).item()
        st.code(f"z = {z.tolist()}, y = {y.tolist()}\nCrossEntropyLoss(z, y)            = {ce:.6f}\n"
                f"NLLLoss(log_softmax(z), y)        = {nll:.6f}", language="text")


# ---------------------------------------------------------------- 3. training

def training_section(data, key, allowed, spec, model) -> tuple[T.TrainConfig, int | None]:
    st.subheader("3 · Training")
    cfg, limit = train_controls()
    signature = (key, spec, data.shape)
    run = st.session_state.get(RUN)
    same = run is not None and run["signature"] == signature
    if run is not None and not same:
        st.warning("The data or model settings changed since the last training: **Train** starts a new model.")
    a, b, c = st.columns(3)
    start = a.button("▶️ Train" if not same else "▶️ Train more", key="clf.start", type="primary")
    b.button("⏹️ Stop", key="clf.stop", help="Any click stops training between batches; the weights learnt so far stay.")
    if c.button("🔄 Reset weights", key="clf.reset", disabled=run is None):
        st.session_state.pop(RUN, None)
        run, same = None, False
    chart = st.empty()
    if run is not None:
        chart.plotly_chart(curves(run["history"]), width="stretch")
    if start:
        try:
            run = run if same else new_run(signature, spec, model, data, cfg)
            live_training(run, data, key, allowed, cfg, limit, chart)
        except ValueError as e:
            ui.show_error(e)
    explain_modes(st.session_state[RUN]["model"] if same and RUN in st.session_state else model, spec, data)
    source = M.model_code(model, data.shape, "sequential")
    ui.code_panel(T.training_code(key, source, spec, cfg, DATA.val_fraction), title="The whole training script")
    return cfg, limit


def train_controls() -> tuple[T.TrainConfig, int | None]:
    cols = st.columns(4)
    opt = cols[0].radio("Optimizer", T.OPTIMIZERS, key="clf.opt", format_func={"adam": "Adam", "sgd": "SGD"}.get)
    lrs = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3]
    lr = cols[0].select_slider("Learning rate", lrs, value=TRAIN.lr if opt == "adam" else 0.03, key=f"clf.lr.{opt}")
    momentum, nesterov = TRAIN.momentum, TRAIN.nesterov
    if opt == "sgd":
        momentum = cols[1].slider("Momentum", 0.0, 0.99, TRAIN.momentum, 0.01, key="clf.momentum")
        nesterov = cols[1].checkbox("Nesterov", TRAIN.nesterov, key="clf.nesterov")
    else:
        cols[1].caption("Adam defaults: betas (0.9, 0.999), eps 1e-8: a running mean of gradients and of their "
                        "squares gives every weight its own step size.")
    wd = cols[1].select_slider("Weight decay", [0.0, 1e-5, 1e-4, 1e-3, 1e-2], TRAIN.weight_decay, key="clf.wd")
    batch = cols[2].select_slider("Batch size", [16, 32, 64, 128, 256, 512], TRAIN.batch_size, key="clf.batch")
    epochs = cols[2].slider("Epochs", 1, 30, TRAIN.epochs, key="clf.epochs")
    subset = cols[3].selectbox("Training images", list(SUBSETS), key="clf.subset",
                               help="Fewer images train faster but learn less. 20% are kept for validation.")
    cfg = T.TrainConfig(opt, lr, momentum, nesterov, wd, batch, epochs, TRAIN.chunk_batches, TRAIN.seed)
    return cfg, SUBSETS[subset]


def new_run(signature, spec, model, data, cfg) -> dict:
    device = ui.current_device()
    model = model.to(device)
    run = {"signature": signature, "spec": spec, "model": model, "classes": data.classes, "shape": data.shape,
           "optimizer": T.make_optimizer(model, cfg), "loss": T.loss_function(spec), "history": [],
           "epochs": 0.0, "rounds": 0, "evaluated_at": None, "device": str(device)}
    st.session_state[RUN] = run
    return run


def live_training(run, data, key, allowed, cfg, limit, chart) -> None:
    """Draw curves and progress while the lib generator trains; a rerun (Stop) ends it between chunks."""
    if cfg.optimizer != run.get("opt_name") or run["history"] == []:
        run["optimizer"], run["opt_name"] = T.make_optimizer(run["model"], cfg), cfg.optimizer
    for group in run["optimizer"].param_groups:  # changed sliders apply to "Train more"
        group.update(lr=cfg.lr, weight_decay=cfg.weight_decay)
    prepared = _prepared(key, allowed, run["device"], limit)
    chunk = max(1, min(cfg.chunk_batches, len(prepared.train_y) // cfg.batch_size // 4))  # >= 4 points per epoch
    cfg = replace(cfg, seed=cfg.seed + run["rounds"], chunk_batches=chunk)
    run["rounds"] += 1
    progress, base = ui.Progress(T.total_steps(len(prepared.train_y), cfg), "Training"), run["epochs"]
    for step in T.train(run["model"], run["optimizer"], run["loss"], prepared, cfg):
        run["history"].append({**step.__dict__, "epoch": base + step.epoch})
        run["epochs"] = base + step.epoch
        progress.update(step.step, f"· val acc {step.val_acc:.1%}")
        chart.plotly_chart(curves(run["history"]), width="stretch")
    progress.done("Trained")


def curves(history: list[dict]) -> go.Figure:
    df = pd.DataFrame(history or [{"epoch": 0, "train_loss": None, "val_loss": None, "train_acc": None, "val_acc": None}])
    long = df.melt("epoch", ["train_loss", "val_loss", "train_acc", "val_acc"])
    long["metric"] = long["variable"].str.split("_").str[1].map({"loss": "loss", "acc": "accuracy"})
    long["split"] = long["variable"].str.split("_").str[0].map({"train": "train (dropout on)", "val": "validation (eval mode)"})
    fig = px.line(long, x="epoch", y="value", color="split", facet_col="metric", markers=True)
    fig.update_yaxes(matches=None, showticklabels=True)
    return fig.update_layout(height=320, margin=dict(t=30, b=0))


def explain_modes(net, spec, data) -> None:
    """Dropout made visible on the trained model when it matches the settings, else the fresh one."""
    with st.expander("model.train() vs model.eval(): dropout made visible", expanded=False):
        x = D.to_input(data.test_x[:1], next(net.parameters()).device)
        train_p, eval_p = T.dropout_demo(net, x, repeats=3, seed=TRAIN.seed)
        rows = [{"mode": f"model.train() draw {i + 1}", "class": c, "p": float(v)} for i, r in enumerate(train_p)
                for c, v in zip(data.classes, r)] + [{"mode": "model.eval()", "class": c, "p": float(v)} for c, v in zip(data.classes, eval_p)]
        fig = px.bar(pd.DataFrame(rows), x="class", y="p", color="mode", barmode="group",
                     title=f"First test image (a {data.classes[int(data.test_y[0])]}): class probabilities")
        st.plotly_chart(fig.update_layout(height=320), width="stretch")
        has_dropout = spec.dropout > 0 or any(isinstance(m, torch.nn.BatchNorm2d) for m in net)
        st.markdown(
            "In `model.train()` each `Dropout` zeroes a random share p of activations (and scales the rest by "
            "1/(1-p)), so three forward passes give three different answers; `model.eval()` turns that off and "
            "BatchNorm switches to its running averages, so the answer is fixed. Always call `model.eval()` "
            "(and `torch.no_grad()`) before measuring accuracy. "
            + ("" if has_dropout else "**This model has no dropout or BatchNorm, so the bars agree.**"))


# ---------------------------------------------------------------- 4. results

def results_section(run, data, key, allowed, limit) -> None:
    st.subheader("4 · Test results")
    prepared = _prepared(key, allowed, run["device"], limit)
    if run["signature"][0] != key or run["shape"] != data.shape or len(run["classes"]) != len(data.classes):
        st.caption("The trained model belongs to another data set: pick that one again to see its results.")
        return
    if run["evaluated_at"] != run["epochs"]:
        run["eval"] = T.evaluate(run["model"], run["loss"], prepared.test_x, prepared.test_y)
        run["evaluated_at"] = run["epochs"]
    ev, classes = run["eval"], run["classes"]
    st.metric("Test accuracy", f"{ev.accuracy:.2%}", help=f"{len(prepared.test_y):,} test images never seen in training")
    cm = T.confusion_matrix(ev.preds, prepared.test_y, len(classes))
    left, right = st.columns([3, 2])
    fig = px.imshow(cm.numpy(), x=list(classes), y=list(classes), text_auto=True, color_continuous_scale="Blues",
                    labels=dict(x="predicted", y="true", color="images"), title="Confusion matrix")
    left.plotly_chart(fig.update_layout(height=480), width="stretch")
    acc = T.per_class_accuracy(cm)
    bar = px.bar(x=acc.numpy(), y=list(classes), orientation="h", labels=dict(x="accuracy", y=""),
                 title="Accuracy per class", range_x=[0, 1])
    right.plotly_chart(bar.update_layout(height=480), width="stretch")
    worst = int(acc.argmin())
    st.caption(f"Rows are the true class, columns the prediction: the diagonal is correct. Weakest class: "
               f"**{classes[worst]}** ({acc[worst]:.1%}).")
    wrong_images(ev, data, prepared)


def wrong_images(ev, data, prepared) -> None:
    st.markdown("**Most confidently wrong** test images: the model was surest and still mistaken.")
    idx = T.most_confident_wrong(ev.probs, prepared.test_y, 8).tolist()
    if not idx:
        st.success("No test image is misclassified.")
        return
    cols = st.columns(8)
    for col, i in zip(cols, idx):
        img = data.test_x[i]
        col.image(img[0].numpy() if img.shape[0] == 1 else img.permute(1, 2, 0).numpy(), width="stretch")  # (C,H,W)->(H,W[,C])
        col.caption(f"true **{data.classes[int(data.test_y[i])]}**, said {data.classes[int(ev.preds[i])]} "
                    f"({float(ev.probs[i].max()):.0%})")


# ---------------------------------------------------------------- 5. try it

def try_it_section(run) -> None:
    st.subheader("5 · Try it on your own image")
    c, h, w = run["shape"]
    upload = st.file_uploader("A small picture (one object, centred)", type=UPLOAD_TYPES, key="clf.try")
    if upload is None:
        st.caption(f"It will be made {'grey' if c == 1 else 'RGB'}, shrunk to {h}×{w} and, for dark-on-light "
                   "pictures, inverted: MNIST-style sets are light objects on black.")
        return
    invert = st.radio("Invert", ["auto", "yes", "no"], horizontal=True, key="clf.invert")
    try:
        image = open_image(upload.getvalue(), max_side=512).image
        pixels = D.image_to_pixels(image, run["shape"], {"auto": None, "yes": True, "no": False}[invert])
    except (ImageError, ValueError) as e:
        ui.show_error(e, prefix=f"{upload.name}: ")
        return
    device = next(run["model"].parameters()).device
    probs = T.predict_proba(run["model"], D.to_input(pixels, device))[0].cpu()
    a, b = st.columns([1, 3])
    a.image(pixels[0, 0].numpy() if c == 1 else pixels[0].permute(1, 2, 0).numpy(), caption="what the model sees",
            width=140)  # (1, C, H, W) -> (H, W[, C])
    fig = px.bar(x=probs.numpy(), y=list(run["classes"]), orientation="h", range_x=[0, 1],
                 labels=dict(x="probability", y=""), title=f"Prediction: {run['classes'][int(probs.argmax())]}")
    b.plotly_chart(fig.update_layout(height=360), width="stretch")


# ---------------------------------------------------------------- 6. save / load

def save_load_section(run) -> None:
    st.subheader("6 · Save and load")
    st.markdown(
        "`torch.save(model.state_dict(), path)` stores only the **tensors** (weights and buffers) by name; to load "
        "them you rebuild the same architecture and call `load_state_dict`. Saving the whole model pickles Python "
        "classes: fragile across code changes, and loading a pickle can run code. This page saves the state_dict "
        "plus a plain config (lists, numbers, strings) and loads with `torch.load(..., weights_only=True)`."
    )
    if run is not None:
        data = T.checkpoint_bytes(run["model"], run["spec"], run["shape"], run["classes"], {"epochs": run["epochs"]})
        st.download_button("⬇️ Download checkpoint (.pt)", data, "image_classifier.pt", key="clf.save")
    upload = st.file_uploader("Load a checkpoint", type=["pt", "pth"], key="clf.load")
    if upload is None:
        return
    try:
        loaded = T.load_checkpoint(upload.getvalue(), ui.current_device())
    except ValueError as e:
        ui.show_error(e, prefix=f"{upload.name}: ")
        return
    if st.button("Use the loaded model", key="clf.use_loaded"):
        install_loaded(loaded)
    st.success(f"{upload.name}: a {loaded.spec.kind} with {M.count_params(loaded.model):,} parameters for "
               f"{loaded.in_shape} images, classes {', '.join(loaded.classes[:4])}…")


def install_loaded(loaded: T.Loaded) -> None:
    key = st.session_state.get("clf.dataset", DATA.dataset)
    st.session_state[RUN] = {
        "signature": (key, loaded.spec, loaded.in_shape), "spec": loaded.spec, "model": loaded.model,
        "classes": loaded.classes, "shape": loaded.in_shape, "optimizer": T.make_optimizer(loaded.model, TRAIN),
        "loss": T.loss_function(loaded.spec), "history": [], "epochs": float(loaded.meta.get("epochs", 0)),
        "rounds": 0, "evaluated_at": None, "device": str(ui.current_device())}


def tensorboard_section() -> None:
    st.subheader("7 · TensorBoard")
    if T.tensorboard_available():
        st.markdown("`tensorboard` is installed: `SummaryWriter` from `torch.utils.tensorboard` can log this run.")
    else:
        st.info("TensorBoard logging needs the `tensorboard` package, which is not installed here. "
                "Install it with `pip install tensorboard`, then log with the code below and view the run with "
                "`tensorboard --logdir runs`.")
    ui.code_panel('''from torch.utils.tensorboard import SummaryWriter

writer = SummaryWriter("runs/classifier")      # one folder per run
writer.add_graph(model, images[:1])           # the model graph
writer.add_images("samples", images[:16] * 0.5 + 0.5)  # back from -1..1 to 0..1
for step in range(100):
    ...                                       # one training step
    writer.add_scalar("loss/train", loss.item(), step)
writer.close()''', title="Logging to TensorBoard")


main()
