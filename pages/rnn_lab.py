"""RNN lab: what a recurrent hidden state carries, in two classic examples."""
from dataclasses import replace
from itertools import count

import plotly.express as px
import plotly.graph_objects as go
import streamlit as st
import torch

from lib import names as N
from lib import sequences as S
from lib.common.device import seeded_rng
from lib.common.samples import NAMES_DIR
from ui import Progress, code_panel, current_device, show_error

st.title("🔁 RNN lab")
st.markdown(
    "A recurrent network reads a sequence one step at a time and carries a **hidden state** "
    "from step to step: its memory. Here it learns two classic tasks in seconds: predicting "
    "cos(t) from sin(t) - impossible without memory, since sin t = 0 both where cos t = 1 and "
    "where cos t = -1 - and guessing a surname's language from its letters."
)

_chart_ids = count()  # the page script re-runs on every interaction, so this restarts each run


def chart(slot, fig: go.Figure) -> None:
    """Draw into a placeholder; a fresh key per draw lets live loops redraw identical figures."""
    slot.plotly_chart(fig, key=f"rnn.chart.{next(_chart_ids)}")


RNN_ARGS = {
    "input_size": "features per time step (1 here: the sine value)",
    "hidden_size": "length of the hidden state vector h: the memory",
    "num_layers": "stacked recurrent layers; layer 2 reads layer 1's outputs",
    "nonlinearity": "tanh or relu in h' = act(W_ih x + b_ih + W_hh h + b_hh) (nn.RNN only)",
    "bias": "whether b_ih and b_hh exist (default True)",
    "batch_first": "input as (batch, time, features) instead of (time, batch, features)",
    "dropout": "dropout between stacked layers (needs num_layers > 1)",
    "bidirectional": "also read the sequence backwards; doubles the output features",
}


# ------------------------------------------------------------------ sine -> cosine

def wave_controls() -> S.WaveConfig:
    d = S.WaveConfig()
    c1, c2, c3, c4 = st.columns(4)
    cell = c1.selectbox("Cell", S.CELLS, index=S.CELLS.index(d.cell), key="rnn.wave.cell")
    nonlin = c1.selectbox("Nonlinearity (RNN)", ["tanh", "relu"], key="rnn.wave.nonlinearity",
                          disabled=cell != "RNN")
    hidden = c2.select_slider("Hidden size", [4, 8, 16, 32, 64, 128], value=d.hidden_size, key="rnn.wave.hidden")
    layers = c2.slider("num_layers", 1, 3, d.num_layers, key="rnn.wave.layers")
    seq_len = c3.slider("Time steps per window", 5, 60, d.seq_len, key="rnn.wave.seq_len")
    lr = c3.select_slider("Learning rate", [0.001, 0.003, 0.01, 0.02, 0.05, 0.1], value=d.lr, key="rnn.wave.lr")
    steps = c4.slider("Training windows", 10, 400, d.steps, step=10, key="rnn.wave.steps")
    seed = c4.number_input("Seed", 0, 10_000, d.seed, key="rnn.wave.seed")
    return S.WaveConfig(cell, hidden, layers, nonlin, seq_len, lr, steps, int(seed))


def wave_figure(step: S.WaveStep) -> go.Figure:
    fig = go.Figure()
    fig.add_scatter(x=step.t.numpy(), y=torch.sin(step.t).numpy(), name="input sin(t)", line=dict(dash="dot", color="grey"))
    fig.add_scatter(x=step.t.numpy(), y=step.target.numpy(), name="target cos(t)", line=dict(color="#1f77b4"))
    fig.add_scatter(x=step.t.numpy(), y=step.prediction.numpy(), name="prediction", line=dict(color="#EE4C2C", width=3))
    fig.update_layout(title=f"Window {step.step}: t from {step.t[0]:.1f} to {step.t[-1]:.1f}",
                      height=320, margin=dict(t=40, b=10), yaxis_range=[-1.6, 1.6], xaxis_title="t")
    return fig


def loss_figure(losses: list[float], title: str = "MSE loss per window") -> go.Figure:
    fig = px.line(y=losses, log_y=True, labels={"x": "step", "y": "loss"}, title=title)
    fig.update_layout(height=280, margin=dict(t=40, b=10))
    return fig


def hidden_figure(step: S.WaveStep) -> go.Figure:
    fig = px.imshow(step.hidden.T.numpy(), aspect="auto", color_continuous_scale="RdBu_r", zmin=-1, zmax=1,
                    labels={"x": "time step in window", "y": "hidden unit", "color": "h"},
                    title="Hidden state over the window")
    fig.update_layout(height=280, margin=dict(t=40, b=10))
    return fig


def draw_wave(slots, run: S.WaveRun) -> None:
    if run.last is None:
        return
    chart(slots[0], wave_figure(run.last))
    chart(slots[1], loss_figure(run.losses))
    chart(slots[2], hidden_figure(run.last))


def wave_section() -> None:
    cfg = wave_controls()
    try:
        S.validate(cfg)
    except ValueError as e:
        show_error(e)
        return
    start, stop = st.columns([1, 5])
    train_clicked = start.button("▶ Train", type="primary", key="rnn.wave.train")
    stop.button("⏹ Stop", key="rnn.wave.stop", help="Stops after the current window; the model keeps what it learnt.")
    top = st.empty()
    left, right = st.columns(2)
    slots = (top, left.empty(), right.empty())
    if train_clicked:
        run = S.new_run(cfg, current_device())
        st.session_state["rnn.wave.run"] = run  # stored first, so a Stop keeps the partial run
        progress = Progress(cfg.steps, "Training")
        for step in S.train(run, cfg.steps):
            progress.update(step.step + 1, f"loss {step.loss:.4f}")
            if step.step % 5 == 0 or step.step == cfg.steps - 1:
                draw_wave(slots, run)
        progress.done()
    run = st.session_state.get("rnn.wave.run")
    if run is None:
        st.info("Press **Train**: the red prediction line starts flat and bends onto the blue cosine.")
    else:
        draw_wave(slots, run)
        final = run.losses[-1]
        st.caption(
            f"After {run.step} windows the loss (mean squared error between prediction and cos t) is "
            f"**{final:.4f}**; a flat prediction at 0 would score 0.5. The heat-map shows each hidden unit "
            "(rows) across the window: those swinging from blue to red track the phase of the wave."
        )
    shapes_panel(cfg)
    code_panel(S.code(cfg))


def shapes_panel(cfg: S.WaveConfig) -> None:
    with st.expander("📐 nn.RNN's arguments and the shapes they give", expanded=False):
        shapes = S.shapes(cfg)
        st.dataframe([{"tensor": k, "shape": str(v)} for k, v in shapes.items()], hide_index=True)
        st.markdown(
            f"`output` holds the top layer's hidden state at **every** time step (batch, time, hidden) - "
            f"the linear head reads each of them. `h_n` holds the **last** step of **every** layer "
            f"(num_layers={cfg.num_layers}, batch, hidden)"
            + (", and the LSTM adds its cell state `c_n` of the same shape." if cfg.cell == "LSTM" else ".")
        )
        st.dataframe([{"argument": k, "meaning": v} for k, v in RNN_ARGS.items()], hide_index=True)


# ------------------------------------------------------------------ surname -> language

@st.cache_resource(show_spinner="Loading 18 languages of surnames…")
def name_data() -> N.NameData:
    return N.load_names(NAMES_DIR)  # read-only, shared by all sessions


def names_controls() -> N.NamesConfig:
    d = N.NamesConfig()
    c1, c2, c3, c4 = st.columns(4)
    cell = c1.selectbox("Model", N.CELLS, index=N.CELLS.index(d.cell), key="rnn.names.cell")
    hidden = c1.select_slider("Hidden size", [16, 32, 64, 128, 256], value=d.hidden_size, key="rnn.names.hidden")
    lr = c2.select_slider("Learning rate (Adam)", [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02], value=d.lr, key="rnn.names.lr")
    batch = c2.select_slider("Batch size", [16, 32, 64, 128, 256], value=d.batch_size, key="rnn.names.batch")
    epochs = c3.slider("Epochs", 1, 10, d.epochs, key="rnn.names.epochs")
    balancing = c3.selectbox("Class imbalance", N.BALANCING, key="rnn.names.balancing",
                             help="Russian is about half the data: loss weights or balanced sampling help the small languages.")
    seed = c4.number_input("Seed", 0, 10_000, d.seed, key="rnn.names.seed")
    return replace(d, cell=cell, hidden_size=hidden, lr=lr, batch_size=batch, epochs=epochs,
                   balancing=balancing, seed=int(seed))


def data_overview(data: N.NameData) -> None:
    counts = data.counts()
    fig = px.bar(x=list(counts), y=list(counts.values()), labels={"x": "language", "y": "surnames"},
                 title=f"{len(data.names):,} surnames in {len(data.languages)} languages")
    fig.update_layout(height=300, margin=dict(t=40, b=10))
    left, right = st.columns([3, 2])
    left.plotly_chart(fig)
    example = right.text_input("A name as the network sees it", "Nguyen", key="rnn.names.example")
    clean, dropped = N.clean_name(example)
    if dropped:
        right.warning(f"Dropped characters the model does not know: {' '.join(dropped)}")
    if clean:
        onehot = N.line_to_tensor(clean)[:, 0, :]  # (len, 1, 57) -> (len, 57)
        fig = px.imshow(onehot.numpy(), x=list(N.ALL_LETTERS), y=list(clean), color_continuous_scale="Greys",
                        aspect="auto", title=f"line_to_tensor({clean!r}): shape {tuple(N.line_to_tensor(clean).shape)}")
        fig.update_layout(height=80 + 22 * len(clean), margin=dict(t=40, b=10), coloraxis_showscale=False)
        right.plotly_chart(fig)


def equivalence_demo() -> None:
    """The hand-built cell and nn.RNN with copied weights compute the same hidden states."""
    with seeded_rng(0):
        hand = N.HandRNN(N.N_LETTERS, 16, 18)
    rnn = N.copy_hand_to_rnn(hand)
    line = N.line_to_tensor("Satoshi")
    hidden, states = hand.init_hidden(), []
    for i in range(line.shape[0]):
        _, hidden = hand(line[i], hidden)
        states.append(hidden)
    out, _ = rnn(line)  # (len, 1, hidden)
    diff = (torch.stack(states) - out).abs().max().item()
    st.markdown(
        f"The classic **hand-built cell** computes `hidden = tanh(i2h(cat(input, hidden)))`. Splitting "
        f"`i2h`'s weight into an input part and a hidden part gives exactly `nn.RNN`'s parameters "
        f"`weight_ih_l0` and `weight_hh_l0`: over the 7 letters of *Satoshi* the two hidden states "
        f"differ by at most **{diff:.1e}** (float rounding)."
    )


@st.cache_data(show_spinner=False)
def epoch_padding_shares(batch_size: int, val_fraction: float, seed: int) -> tuple[float, float]:
    """`N.padding_shares` (~40 ms over an epoch of names), once per setting rather than every rerun."""
    cfg = N.NamesConfig(batch_size=batch_size, val_fraction=val_fraction, seed=seed)
    return N.padding_shares(name_data(), cfg)


def padding_panel(cfg: N.NamesConfig) -> None:
    """Padding, packing, and why the page batches names of similar length."""
    with st.expander("🧱 Batching names of different lengths: padding and packing", expanded=False):
        text = st.text_input("Names in one batch (comma-separated)", "Schmidt, Li, Nguyen, O'Neal",
                             key="rnn.names.batch_demo")
        names = [n for n in (N.clean_name(part)[0] for part in text.split(",")) if n]
        if not names:
            st.error("Type at least one name with Latin letters, separated by commas.")
            return
        demo = N.packing_demo(cfg.cell, names)
        left, right = st.columns(2)
        left.plotly_chart(padded_figure(demo))
        fig = px.bar(x=list(range(1, len(demo.batch_sizes) + 1)), y=demo.batch_sizes,
                     labels={"x": "time step", "y": "names still being read"},
                     title=f"pack_padded_sequence(...).batch_sizes = {demo.batch_sizes}")
        fig.update_layout(height=260, margin=dict(t=40, b=10))
        right.plotly_chart(fig)
        random_share, bucketed_share = epoch_padding_shares(cfg.batch_size, cfg.val_fraction, cfg.seed)
        st.markdown(
            f"A batch must be a rectangle, so shorter names are **padded** (grey) to the longest. "
            f"**Packing** (`pack_padded_sequence`) stores only the letters and tells the RNN how many "
            f"names are still running at each step, so it never reads a pad. The other exact way: run "
            f"the padded batch and read each name's output **at its own last letter** - a one-way RNN "
            f"never looks ahead, so the pads after a name cannot change it. Here the two ways differ by "
            f"at most **{demo.max_difference:.1e}** (float rounding).\n\n"
            f"Over an epoch of batches of {cfg.batch_size}, random batches would be **{random_share:.0%}** "
            f"padding; the page sorts names of similar length into the same batch, which leaves "
            f"**{bucketed_share:.0%}**. With so little to skip, the plain padded batch is faster on a CPU "
            f"than packing's bookkeeping, so the page trains that way (`bench/rnn_lab.py` times both)."
        )


def padded_figure(demo: N.PackingDemo) -> go.Figure:
    width = demo.letters.shape[1]
    real = (torch.arange(width) < demo.lengths.view(-1, 1)).int()
    text = [[name[t] if t < len(name) else "pad" for t in range(width)] for name in demo.names]
    fig = px.imshow(real.numpy(), x=list(range(1, width + 1)), y=demo.names, color_continuous_scale=["#ddd", "#4c78a8"],
                    zmin=0, zmax=1, aspect="auto", title=f"Padded batch: letters {tuple(demo.letters.shape)}")
    fig.update_traces(text=text, texttemplate="%{text}", hovertemplate="%{y}, step %{x}: %{text}<extra></extra>")
    fig.update_layout(height=120 + 30 * len(demo.names), margin=dict(t=40, b=10), coloraxis_showscale=False,
                      xaxis_title="time step")
    return fig


def train_names(cfg: N.NamesConfig, data: N.NameData, slots) -> None:
    run = N.new_run(cfg, data, current_device())
    st.session_state["rnn.names.run"] = run  # stored first, so Stop keeps the partial model
    total = cfg.epochs * -(-len(run.train_idx) // cfg.batch_size)
    progress = Progress(total, "Training")
    done = 0
    for p in N.train(run):
        done += 1
        if done % 20 == 0 or p.val_accuracy is not None:
            progress.update(done, f"epoch {p.epoch}, loss {p.train_loss:.3f}")
            draw_names_curves(slots, run)
    progress.done()


def draw_names_curves(slots, run: N.NamesRun) -> None:
    chart(slots[0], loss_figure(run.losses, "Training loss per batch (cross-entropy)"))
    if run.val_accuracy:
        fig = px.line(x=list(range(1, len(run.val_accuracy) + 1)), y=run.val_accuracy, markers=True,
                      labels={"x": "epoch", "y": "validation accuracy"}, title="Validation accuracy")
        fig.update_layout(height=280, margin=dict(t=40, b=10), yaxis_range=[0, 1])
        chart(slots[1], fig)


def names_results(run: N.NamesRun) -> None:
    data = run.data
    acc = run.val_accuracy[-1] if run.val_accuracy else None
    if acc is not None:
        biggest = max(data.counts().values()) / len(data.names)
        st.caption(f"Validation accuracy **{acc:.1%}** on {len(run.val_idx):,} held-out names; always answering "
                   f"the biggest language would score {biggest:.1%}.")
        matrix = N.confusion(run.model, data, run.val_idx)
        fig = px.imshow(matrix.numpy(), x=data.languages, y=data.languages, color_continuous_scale="Blues",
                        labels={"x": "predicted", "y": "true", "color": "share"}, zmin=0, zmax=1,
                        title="Confusion matrix (each row sums to 1)")
        fig.update_layout(height=520, margin=dict(t=40, b=10))
        st.plotly_chart(fig)
    predict_box(run)


def predict_box(run: N.NamesRun) -> None:
    text = st.text_input("Type a surname", "Schmidt", key="rnn.names.query")
    name, dropped = N.clean_name(text)
    if dropped:
        st.warning(f"Ignored characters the model has never seen: {' '.join(dropped)}")
    if not name:
        st.error("Type a name with at least one Latin letter.")
        return
    top = N.top_k(run.model, name, run.data.languages)
    st.markdown("  ·  ".join(f"**{lang}** {p:.0%}" for lang, p in top))
    probs = N.prefix_probabilities(run.model, name)  # (len, n_classes)
    keep = [run.data.languages.index(lang) for lang, _ in top]
    fig = go.Figure()
    for i in keep:
        fig.add_scatter(x=[name[: j + 1] for j in range(len(name))], y=probs[:, i].numpy(), name=run.data.languages[i],
                        mode="lines+markers")
    fig.update_layout(title="Prediction after each letter", height=300, margin=dict(t=40, b=10),
                      yaxis_range=[0, 1], yaxis_title="probability")
    st.plotly_chart(fig)


def names_section() -> None:
    data = name_data()
    data_overview(data)
    equivalence_demo()
    cfg = names_controls()
    padding_panel(cfg)
    start, stop = st.columns([1, 5])
    clicked = start.button("▶ Train", type="primary", key="rnn.names.train")
    stop.button("⏹ Stop", key="rnn.names.stop", help="Stops after the current batch; the model keeps what it learnt.")
    left, right = st.columns(2)
    slots = (left.empty(), right.empty())
    if clicked:
        train_names(cfg, data, slots)
    run = st.session_state.get("rnn.names.run")
    if run is None:
        st.info("Press **Train** (about a few seconds per epoch on CPU), then type names to test it.")
    else:
        draw_names_curves(slots, run)
        names_results(run)
    code_panel(N.code(cfg), "Code for these settings (batched)")
    code_panel(N.classic_code(cfg.hidden_size), "The classic one-name-at-a-time loop, for comparison")


wave_tab, names_tab = st.tabs(["〰️ Sine → cosine regression", "🔤 Surname → language"])
with wave_tab:
    wave_section()
with names_tab:
    names_section()
