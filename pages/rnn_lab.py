"""RNN lab: what a recurrent hidden state carries, in two classic examples."""
from __future__ import annotations

from dataclasses import fields, replace
from typing import TYPE_CHECKING, Callable

import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

import ui
from lib.common.messages import N_
from lib.common.samples import NAMES_DIR
from lib.rnn_lab import code, config, cost, letters, models, recipes, training, wave
from lib.rnn_lab import data as surnames
from ui.i18n import _, option_labels

if TYPE_CHECKING:
    from lib.rnn_lab.data import NameData

DEFAULTS = config.RnnLabConfig()
WAVE_RUN = "rnn.wave.run"     # session-state key of the user's WaveRun
NAMES_RUN = "rnn.names.run"   # session-state key of the user's NamesRun
NAME_CHARS = 60               # longest name a learner may type (or a link may bring)
LOSS_POINTS = 2000            # longer loss curves are shown as means of equal bins (the classic plots every 1000)
# widget keys of each section's settings: a preset writes its values here
WAVE_KEYS = {"cell": "rnn.wave.cell", "nonlinearity": "rnn.wave.nonlinearity", "hidden_size": "rnn.wave.hidden",
             "num_layers": "rnn.wave.layers", "seq_len": "rnn.wave.seq_len", "lr": "rnn.wave.lr",
             "steps": "rnn.wave.steps", "seed": "rnn.wave.seed"}
NAMES_KEYS = {"cell": "rnn.names.cell", "hidden_size": "rnn.names.hidden", "optimizer": "rnn.names.optimizer",
              "lr": "rnn.names.lr", "batch_size": "rnn.names.batch", "epochs": "rnn.names.epochs",
              "balancing": "rnn.names.balancing", "seed": "rnn.names.seed"}

RNN_ARGS = {
    "input_size": N_("features per time step (1 here: the sine value)"),
    "hidden_size": N_("length of the hidden state vector h: the memory"),
    "num_layers": N_("stacked recurrent layers; layer 2 reads layer 1's outputs"),
    "nonlinearity": N_("tanh or relu in h' = act(W_ih x + b_ih + W_hh h + b_hh) (nn.RNN only)"),
    "bias": N_("whether b_ih and b_hh exist (default True)"),
    "batch_first": N_("input as (batch, time, features) instead of (time, batch, features)"),
    "dropout": N_("dropout between stacked layers (needs num_layers > 1)"),
    "bidirectional": N_("also read the sequence backwards; doubles the output features"),
}


def intro() -> None:
    st.title(_("🔁 RNN lab"))
    st.markdown(_(
        "A recurrent network reads a sequence one step at a time and carries a **hidden state** from step to "
        "step: its memory. Here it learns two classic tasks in seconds: predicting cos(t) from sin(t) - "
        "impossible without memory, since sin t = 0 both where cos t = 1 and where cos t = -1 - and guessing a "
        "surname's language from its letters."))


def shown_chars(chars: str) -> str:
    """Characters a learner typed, shown inert: in a code span that may itself hold a backtick."""
    return "`` " + " ".join(chars) + " ``"


# ------------------------------------------------------------------ sine -> cosine

def preset_picker(name: str, titles: dict[str, str], keys: dict[str, str],
                  recipe: Callable[[str], recipes.Recipe]) -> None:
    """A section's preset picker: choosing one sets the section's widgets (in `keys`) to its recipe, then
    shows where the recipe comes from and how it differs from the default."""
    preset = ui.widgets.selectbox(_("Preset"), DEFAULTS.presets, name, key=f"rnn.{name}.preset",
                                  format_func=option_labels(titles),
                                  help=_("Sets every setting of this section to the preset's recipe; change "
                                         "any of them afterwards."))
    if ui.presets.newly_chosen(f"rnn.{name}.applied", preset):
        apply_recipe(recipe(preset).cfg, keys)
    chosen = recipe(preset)
    ui.presets.show_origin(chosen.note, chosen.differs)


def apply_recipe(cfg: config.WaveConfig | config.NamesConfig, keys: dict[str, str]) -> None:
    """Set the widgets to the recipe; the link then follows them (only values off the default stay in it)."""
    for f in fields(cfg):
        if f.name in keys:
            ui.presets.set_widget(keys[f.name], cfg, f.name)


def wave_controls() -> config.WaveConfig:
    d, k = DEFAULTS.wave, WAVE_KEYS
    preset_picker("wave", {key: r.title for key, r in recipes.WAVE_RECIPES.items()}, k, recipes.wave_recipe)
    c1, c2, c3, c4 = st.columns(4)
    cell = ui.widgets.selectbox(_("Cell"), d, "cell", key=k["cell"], where=c1)
    nonlin = ui.widgets.selectbox(_("Nonlinearity (RNN)"), d, "nonlinearity", key=k["nonlinearity"],
                                  where=c1, disabled=cell != "RNN")
    hidden = ui.widgets.select_slider(_("Hidden size"), d, "hidden_size", key=k["hidden_size"], where=c2)
    layers = ui.widgets.slider("num_layers", d, "num_layers", key=k["num_layers"], where=c2)
    seq_len = ui.widgets.slider(_("Time steps per window"), d, "seq_len", key=k["seq_len"], where=c3)
    lr = ui.widgets.select_slider(_("Learning rate"), d, "lr", key=k["lr"], where=c3)
    steps = ui.widgets.slider(_("Training windows"), d, "steps", key=k["steps"], where=c4)
    seed = ui.widgets.number_input(_("Seed"), d, "seed", key=k["seed"], where=c4)
    return replace(d, cell=cell, hidden_size=hidden, num_layers=layers, nonlinearity=nonlin, seq_len=seq_len,
                   lr=lr, steps=steps, seed=int(seed))


def wave_figure(step: wave.WaveStep) -> go.Figure:
    fig = go.Figure()
    t = step.t.numpy()
    fig.add_scatter(x=t, y=step.inputs.numpy(), name=_("input sin(t)"), line=dict(dash="dot", color="grey"))
    fig.add_scatter(x=t, y=step.target.numpy(), name=_("target cos(t)"), line=dict(color="#1f77b4"))
    fig.add_scatter(x=t, y=step.prediction.numpy(), name=_("prediction"), line=dict(color="#EE4C2C", width=3))
    fig.update_layout(title=_("Window {n}: t from {start:.1f} to {end:.1f}").format(n=step.step, start=t[0], end=t[-1]),
                      height=320, margin=dict(t=40, b=10), yaxis_range=[-1.6, 1.6], xaxis_title="t")
    return fig


def loss_figure(losses: list[float], title: str, baseline: float | None = None) -> go.Figure:
    """The loss per step; a long run (the classic's 97,164 one-name steps) as the means of equal bins."""
    steps, values = training.binned(losses, LOSS_POINTS)
    fig = px.line(x=steps, y=values, log_y=True, labels={"x": _("step"), "y": _("loss")}, title=title)
    if baseline is not None:
        fig.add_hline(y=baseline, line_dash="dot", line_color="grey",
                      annotation_text=_("flat 0: {loss:.3f}").format(loss=baseline))
    fig.update_layout(height=280, margin=dict(t=40, b=10))
    return fig


def hidden_figure(step: wave.WaveStep) -> go.Figure:
    fig = px.imshow(step.hidden.T.numpy(), aspect="auto", color_continuous_scale="RdBu_r", zmin=-1, zmax=1,
                    labels={"x": _("time step in window"), "y": _("hidden unit"), "color": "h"},
                    title=_("Hidden state over the window"))
    fig.update_layout(height=280, margin=dict(t=40, b=10))
    return fig


def draw_wave(charts: tuple[ui.LiveChart, ...], run: wave.WaveRun) -> None:
    if run.last is None:
        return
    charts[0].draw(wave_figure(run.last))
    charts[1].draw(loss_figure(run.losses, _("MSE loss per window"), run.baseline))
    charts[2].draw(hidden_figure(run.last))


def train_wave(cfg: config.WaveConfig, charts: tuple[ui.LiveChart, ...]) -> None:
    """A fresh run through the heavy-job gate; stored first, so a Stop keeps the partial run."""
    device = ui.current_device()
    run = wave.new_run(cfg, device)
    st.session_state[WAVE_RUN] = run
    outcome = ui.run_job(
        wave.train(run, cfg.steps), total=cfg.steps, label=_("Training"), done=lambda s: s.step + 1,
        note=lambda s: _("loss {loss:.4f}").format(loss=s.loss), on_update=lambda s: draw_wave(charts, run),
        finished=_("Trained"), kind="rnn_wave", device=device, need_bytes=cost.wave_bytes(cfg),
        expected_s=cost.wave_seconds(cfg, device.type))
    if outcome.error:
        st.error(outcome.error, icon="⚠️")


def wave_section() -> None:
    cfg = wave_controls()
    try:
        config.validate_wave(cfg)
    except ValueError as e:
        ui.show_error(e)
        return
    start, stop = st.columns([1, 5])
    clicked = start.button(_("▶ Train"), type="primary", key="rnn.wave.train")
    ui.stop_button("rnn.wave.stop", where=stop, label=_("⏹ Stop"),
                   help=_("Stops after the current window; the model keeps what it learnt."))
    top = ui.LiveChart("rnn.wave.fit")
    left, right = st.columns(2)
    charts = (top, ui.LiveChart("rnn.wave.loss", where=left), ui.LiveChart("rnn.wave.hidden", where=right))
    if clicked:
        train_wave(cfg, charts)
    run: wave.WaveRun | None = st.session_state.get(WAVE_RUN)
    if run is None:
        st.info(_("Press **Train**: the red prediction line starts flat and bends onto the blue cosine. The loss "
                  "to beat: predicting a flat 0, the best constant guess, scores **{baseline:.3f}** on windows of "
                  "{n} time steps.").format(baseline=wave.flat_baseline(cfg.seq_len), n=cfg.seq_len))
    elif run.losses:
        draw_wave(charts, run)
        wave_caption(run)
    shapes_panel(cfg)
    ui.code_panel(code.wave_code(cfg))


def wave_caption(run: wave.WaveRun) -> None:
    st.caption(_(
        "After {n} windows the loss (mean squared error between prediction and cos t) is **{loss:.4f}**. "
        "Predicting a flat 0, the best constant guess, would score **{baseline:.3f}** on windows of {steps} "
        "time steps (the dotted line): not 0.5, because both ends of every window sit where cos t = ±1. The "
        "heat-map shows each hidden unit (rows) across the window: those swinging from blue to red track the "
        "phase of the wave.").format(n=run.step, loss=run.losses[-1], baseline=run.baseline, steps=run.cfg.seq_len))


def shapes_panel(cfg: config.WaveConfig) -> None:
    with st.expander(_("📐 nn.RNN's arguments and the shapes they give"), expanded=False):
        tensor, shape = _("tensor"), _("shape")
        st.dataframe([{tensor: k, shape: str(v)} for k, v in wave.shapes(cfg).items()], hide_index=True)
        st.markdown(_(
            "`output` holds the top layer's hidden state at **every** time step (batch, time, hidden) - the "
            "linear head reads each of them. `h_n` holds the **last** step of **every** layer (num_layers={n}, "
            "batch, hidden).").format(n=cfg.num_layers)
            + (" " + _("The LSTM adds its cell state `c_n` of the same shape.") if cfg.cell == "LSTM" else ""))
        argument, meaning = _("argument"), _("meaning")
        st.dataframe([{argument: k, meaning: _(v)} for k, v in RNN_ARGS.items()], hide_index=True)


# ------------------------------------------------------------------ surname -> language

@st.cache_resource(show_spinner=False)
def name_data() -> NameData:
    return surnames.load_names(NAMES_DIR)  # read-only, shared by all sessions


def languages(data: NameData) -> list[str]:
    """The languages in the reader's language."""
    return [_(lang) for lang in data.languages]


def names_controls() -> config.NamesConfig:
    d, k = DEFAULTS.names, NAMES_KEYS
    preset_picker("names", {key: r.title for key, r in recipes.NAMES_RECIPES.items()}, k, recipes.names_recipe)
    c1, c2, c3, c4 = st.columns(4)
    cell = ui.widgets.selectbox(_("Model"), d, "cell", key=k["cell"], where=c1,
                                format_func=option_labels(config.CELL_LABELS))
    hidden = ui.widgets.select_slider(_("Hidden size"), d, "hidden_size", key=k["hidden_size"], where=c1)
    optimizer = ui.widgets.selectbox(_("Optimizer"), d, "optimizer", key=k["optimizer"], where=c2,
                                     format_func=option_labels(config.OPTIMIZER_LABELS),
                                     help=_("Plain SGD is the classic's hand-written update, p -= lr * grad."))
    lr = ui.widgets.select_slider(_("Learning rate"), d, "lr", key=k["lr"], where=c2)
    batch = ui.widgets.select_slider(_("Batch size"), d, "batch_size", key=k["batch_size"], where=c3)
    epochs = ui.widgets.slider(_("Epochs"), d, "epochs", key=k["epochs"], where=c3)
    balancing = ui.widgets.selectbox(_("Class imbalance"), d, "balancing", key=k["balancing"], where=c4,
                                     format_func=option_labels(config.BALANCING_LABELS),
                                     help=_("Russian is about half the data: loss weights or balanced sampling "
                                            "help the small languages."))
    seed = ui.widgets.number_input(_("Seed"), d, "seed", key=k["seed"], where=c4)
    return replace(d, cell=cell, hidden_size=hidden, optimizer=optimizer, lr=lr, batch_size=batch, epochs=epochs,
                   balancing=balancing, seed=int(seed))


def data_overview(data: NameData) -> str:
    """The data set's languages, and a typed name as one-hot rows; returns that name, cleaned."""
    counts = data.counts()
    fig = px.bar(x=languages(data), y=list(counts.values()), labels={"x": _("language"), "y": _("surnames")},
                 title=_("{n:,} surnames in {k} languages").format(n=len(data.names), k=len(data.languages)))
    fig.update_layout(height=300, margin=dict(t=40, b=10))
    left, right = st.columns([3, 2])
    left.plotly_chart(fig, key="rnn.names.counts")
    example = ui.widgets.text_input(_("A name as the network sees it"), DEFAULTS.view, "example",
                                    key="rnn.names.example", where=right, max_chars=NAME_CHARS)
    clean, dropped = letters.clean_name(example)
    if dropped:
        right.warning(_("Dropped characters the model does not know: {chars}").format(chars=shown_chars(dropped)))
    if clean:
        onehot = letters.onehot_rows(clean)  # (len, n_letters)
        fig = px.imshow(onehot.numpy(), x=list(letters.ALL_LETTERS), y=list(clean), color_continuous_scale="Greys",
                        aspect="auto", title=_("line_to_tensor({name}): shape {shape}").format(
                            name=repr(clean), shape=(len(clean), 1, letters.N_LETTERS)))
        fig.update_layout(height=80 + 22 * len(clean), margin=dict(t=40, b=10), coloraxis_showscale=False)
        right.plotly_chart(fig, key="rnn.names.onehot")
    return clean


def equivalence_demo(name: str) -> None:
    """The hand-built cell and nn.RNN with copied weights compute the same hidden states (on the typed name)."""
    check = models.hand_cell_check(name or "Satoshi")
    st.markdown(_(
        "The classic **hand-built cell** computes `hidden = tanh(i2h(cat(input, hidden)))`. Splitting `i2h`'s "
        "weight into an input part and a hidden part gives exactly `nn.RNN`'s parameters `weight_ih_l0` and "
        "`weight_hh_l0`: over the {n} letters of *{name}* the two hidden states differ by at most **{diff:.1e}** "
        "(float rounding).").format(n=len(check.name), name=check.name, diff=check.max_difference))


@st.cache_data(show_spinner=False)
def epoch_padding_shares(batch_size: int, val_fraction: float, seed: int) -> tuple[float, float]:
    """`padding_shares` (~40 ms over an epoch of names), once per setting rather than every rerun."""
    return surnames.padding_shares(name_data(), batch_size, val_fraction, seed)


def padding_panel(cfg: config.NamesConfig) -> None:
    """Padding, packing, and why the page batches names of similar length."""
    with st.expander(_("🧱 Batching names of different lengths: padding and packing"), expanded=False):
        text = ui.widgets.text_input(_("Names in one batch (comma-separated)"), DEFAULTS.view, "batch_demo",
                                     key="rnn.names.batch_demo", max_chars=200)
        names = letters.clean_names(text)
        if not names:
            st.error(_("Type at least one name with Latin letters, separated by commas."))
            return
        demo = models.packing_demo(cfg.cell, names)
        left, right = st.columns(2)
        left.plotly_chart(padded_figure(demo), key="rnn.names.padded")
        fig = px.bar(x=list(range(1, len(demo.batch_sizes) + 1)), y=demo.batch_sizes,
                     labels={"x": _("time step"), "y": _("names still being read")},
                     title=f"pack_padded_sequence(...).batch_sizes = {demo.batch_sizes}")
        fig.update_layout(height=260, margin=dict(t=40, b=10))
        right.plotly_chart(fig, key="rnn.names.packed")
        padding_text(cfg, demo)


def padding_text(cfg: config.NamesConfig, demo: models.PackingDemo) -> None:
    random_share, bucketed_share = epoch_padding_shares(cfg.batch_size, cfg.val_fraction, cfg.seed)
    st.markdown(_(
        "A batch must be a rectangle, so shorter names are **padded** (grey) to the longest. **Packing** "
        "(`pack_padded_sequence`) stores only the letters and tells the RNN how many names are still running at "
        "each step, so it never reads a pad. The other exact way: run the padded batch and read each name's "
        "output **at its own last letter** - a one-way RNN never looks ahead, so the pads after a name cannot "
        "change it. Here the two ways differ by at most **{diff:.1e}** (float rounding).").format(
            diff=demo.max_difference))
    st.markdown(_(
        "Over an epoch of batches of {batch}, random batches would be **{random:.0%}** padding; the page sorts "
        "names of similar length into the same batch, which leaves **{bucketed:.0%}**. With so little to skip, "
        "the plain padded batch is faster on a CPU than packing's bookkeeping, so the page trains that way "
        "(`bench/rnn_lab.py` times both).").format(batch=cfg.batch_size, random=random_share,
                                                   bucketed=bucketed_share))


def padded_figure(demo: models.PackingDemo) -> go.Figure:
    width = demo.letters.shape[1]
    pad = _("pad")
    text = [[name[t] if t < len(name) else pad for t in range(width)] for name in demo.names]
    fig = px.imshow(demo.real(), x=list(range(1, width + 1)), y=demo.names, color_continuous_scale=["#ddd", "#4c78a8"],
                    zmin=0, zmax=1, aspect="auto",
                    title=_("Padded batch: letters {shape}").format(shape=tuple(demo.letters.shape)))
    fig.update_traces(text=text, texttemplate="%{text}", hovertemplate="%{y}, t=%{x}: %{text}<extra></extra>")
    fig.update_layout(height=120 + 30 * len(demo.names), margin=dict(t=40, b=10), coloraxis_showscale=False,
                      xaxis_title=_("time step"))
    return fig


def train_names(cfg: config.NamesConfig, data: NameData, charts: tuple[ui.LiveChart, ui.LiveChart]) -> None:
    """A fresh run through the heavy-job gate; stored first, so Stop keeps the partial model."""
    device = ui.current_device()
    run = training.new_run(cfg, data, device)
    st.session_state[NAMES_RUN] = run
    size = cost.split_sizes(data.names, cfg.val_fraction)
    measured = cost.probe(cfg, data.names, len(data.languages), device)  # a few timed steps on this device
    outcome = ui.run_job(
        training.train(run), total=run.total_batches, label=_("Training"), done=lambda p: p.done,
        note=lambda p: _("epoch {epoch}, loss {loss:.3f}").format(epoch=p.epoch, loss=p.train_loss),
        on_update=lambda p: draw_names_curves(charts, run), must_draw=lambda p: p.val_accuracy is not None,
        finished=_("Trained"), kind="rnn_names", device=device,
        need_bytes=cost.names_bytes(cfg, size, len(data.languages)),
        expected_s=cost.names_seconds(cfg, size, device.type, measured=measured))
    if outcome.error:
        st.error(outcome.error, icon="⚠️")


@st.cache_data(show_spinner=False, ttl=300, max_entries=64)
def estimated_seconds(cfg: config.NamesConfig, device: str) -> float:
    """The run's time from a probe of a few steps (tens of ms), reused for 5 minutes: the machine's load moves."""
    data = name_data()
    measured = cost.probe(cfg, data.names, len(data.languages), device)
    return cost.names_seconds(cfg, cost.split_sizes(data.names, cfg.val_fraction), device, measured=measured)


def draw_names_curves(charts: tuple[ui.LiveChart, ui.LiveChart], run: training.NamesRun) -> None:
    if run.losses:
        charts[0].draw(loss_figure(run.losses, _("Training loss per batch (cross-entropy)")))
    if run.val_accuracy:
        fig = px.line(x=list(range(1, len(run.val_accuracy) + 1)), y=run.val_accuracy, markers=True,
                      labels={"x": _("epoch"), "y": _("validation accuracy")}, title=_("Validation accuracy"))
        fig.update_layout(height=280, margin=dict(t=40, b=10), yaxis_range=[0, 1])
        charts[1].draw(fig)


def names_results(run: training.NamesRun) -> None:
    data = run.data
    if run.val_accuracy:
        st.caption(_("Validation accuracy **{acc:.1%}** on {n:,} held-out names; always answering the biggest "
                     "language would score {majority:.1%}.").format(acc=run.val_accuracy[-1], n=len(run.val_idx),
                                                                   majority=data.majority_share()))
        matrix = training.confusion(run.model, data, run.val_idx)
        shown = languages(data)
        fig = px.imshow(matrix.numpy(), x=shown, y=shown, color_continuous_scale="Blues", zmin=0, zmax=1,
                        labels={"x": _("predicted"), "y": _("true"), "color": _("share")},
                        title=_("Confusion matrix (each row sums to 1)"))
        fig.update_layout(height=520, margin=dict(t=40, b=10))
        st.plotly_chart(fig, key="rnn.names.confusion")


def predict_box(run: training.NamesRun | None) -> None:
    """The name to classify; drawn before training too, so a linked name waits for the model."""
    text = ui.widgets.text_input(_("Type a surname"), DEFAULTS.view, "query", key="rnn.names.query",
                                 max_chars=NAME_CHARS)
    if run is None:
        return
    name, dropped = letters.clean_name(text)
    if dropped:
        st.warning(_("Ignored characters the model has never seen: {chars}").format(chars=shown_chars(dropped)))
    if not name:
        st.error(_("Type a name with at least one Latin letter."))
        return
    top = training.top_k(run.model, name, run.data.languages)
    st.markdown("  ·  ".join(f"**{_(lang)}** {p:.0%}" for lang, p in top))
    probs = training.prefix_probabilities(run.model, name)  # (len, n_classes)
    fig = go.Figure()
    for lang, _p in top:
        i = run.data.languages.index(lang)
        fig.add_scatter(x=[name[: j + 1] for j in range(len(name))], y=probs[:, i].numpy(), name=_(lang),
                        mode="lines+markers")
    fig.update_layout(title=_("Prediction after each letter"), height=300, margin=dict(t=40, b=10),
                      yaxis_range=[0, 1], yaxis_title=_("probability"))
    st.plotly_chart(fig, key="rnn.names.prefixes")


def names_section() -> None:
    data = name_data()
    equivalence_demo(data_overview(data))
    cfg = names_controls()
    padding_panel(cfg)
    start, stop = st.columns([1, 5])
    clicked = start.button(_("▶ Train"), type="primary", key="rnn.names.train")
    ui.stop_button("rnn.names.stop", where=stop, label=_("⏹ Stop"),
                   help=_("Stops after the current batch; the model keeps what it learnt."))
    left, right = st.columns(2)
    charts = (ui.LiveChart("rnn.names.loss", where=left), ui.LiveChart("rnn.names.acc", where=right))
    if clicked:
        train_names(cfg, data, charts)
    run: training.NamesRun | None = st.session_state.get(NAMES_RUN)
    if run is None:
        seconds = estimated_seconds(cfg, str(ui.current_device()))
        st.info(_("Press **Train** (about {time} for these settings, by the server's estimate), then type names "
                  "to test it.").format(time=ui.format_seconds(seconds)))
    else:
        draw_names_curves(charts, run)
        names_results(run)
    predict_box(run)
    ui.code_panel(code.names_code(cfg), _("Code for these settings (batched)"))
    ui.code_panel(code.classic_code(cfg.hidden_size), _("The classic one-name-at-a-time loop, for comparison"))


def main() -> None:
    intro()
    wave_tab, names_tab = ui.widgets.tabs({"wave": _("〰️ Sine → cosine regression"),
                                          "names": _("🔤 Surname → language")}, key="rnn.tab")
    with wave_tab:
        wave_section()
    with names_tab:
        names_section()
    ui.links.share_panel([_("the trained networks: the link restores the settings and seeds; press Train to "
                            "train them again and get the same numbers")])


main()
