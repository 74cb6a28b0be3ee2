"""Network playground: a small PyTorch MLP learning a 2-D classifier, redrawn live as it trains."""
from __future__ import annotations

import base64
import io

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from PIL import Image
from plotly.subplots import make_subplots

import ui
from lib import playground as pg

D = pg.PlaygroundConfig()
RUN, PLAYING, NOTES = "pg.run", "pg.playing", "pg.notes"
FRAME_S = 0.3          # seconds between redraws while playing
MAX_PLAY_STEPS = 20_000  # auto-pause so a forgotten tab does not train for ever
LRS = [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.02, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]
REGS = [0.0, 0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1]
COLOURS = [f"rgb({r:.0f},{g:.0f},{b:.0f})" for r, g, b in pg.PALETTE]


def intro() -> None:
    st.title("🧠 Network playground")
    st.markdown(
        "The *hello world* of PyTorch, made visible: a small fully connected network (`nn.Sequential` of "
        "`nn.Linear` layers and activations) learns to give every point of the plane a class. Each training "
        "step takes a mini-batch, computes the loss, lets autograd find the gradients and moves every weight "
        "a little. Set up data, model and training in the **sidebar**, press **▶ Play** and watch the decision boundary bend; change the learning rate while it "
        "runs; press **Reset** to start again from exactly the same weights and compare."
    )


def data_controls() -> dict:
    names = list(pg.DATASETS)
    dataset = st.selectbox("Data set", names, index=names.index(D.dataset), key="pg.dataset",
                           format_func=lambda k: pg.DATASETS[k][0])
    n_points = st.slider("Points", 20, 1000, D.n_points, 10, key="pg.n_points")
    noise = st.slider("Noise", 0.0, 2.0, D.noise, 0.05, key="pg.noise",
                      help="Standard deviation of extra Gaussian jitter added to each point (plane units).")
    test_fraction = st.slider("Test fraction", 0.05, 0.9, D.test_fraction, 0.05, key="pg.test_fraction")
    n_classes = st.slider("Classes", 2, 4, D.n_classes, key="pg.n_classes",
                          help="Gaussian clouds and the spiral can have 2-4 classes; the others have 2.")
    features = st.multiselect("Input features", list(pg.FEATURES), list(D.features), key="pg.features",
                              help="What the first layer sees. Non-linear features let even a linear model bend.")
    data_seed = st.number_input("Data seed", 0, 10_000, D.data_seed, key="pg.data_seed")
    return dict(dataset=dataset, n_points=n_points, noise=noise, test_fraction=test_fraction,
                n_classes=n_classes, features=tuple(features), data_seed=int(data_seed))


def model_controls() -> dict:
    hidden_layers = st.slider("Hidden layers", 0, 6, D.hidden_layers, key="pg.hidden_layers")
    width = st.slider("Neurons per hidden layer", 1, 16, D.width, key="pg.width")
    acts = list(pg.ACTIVATIONS)
    activation = st.selectbox("Activation", acts, acts.index(D.activation), key="pg.activation")
    dropout = st.slider("Dropout", 0.0, 0.8, D.dropout, 0.05, key="pg.dropout")
    batch_norm = st.toggle("Batch norm", D.batch_norm, key="pg.batch_norm")
    weight_seed = st.number_input("Weight seed", 0, 10_000, D.weight_seed, key="pg.weight_seed",
                                  help="Same seed, same initial weights: Reset starts from exactly here.")
    return dict(hidden_layers=hidden_layers, width=width, activation=activation, dropout=dropout,
                batch_norm=batch_norm, weight_seed=int(weight_seed))


def training_controls() -> dict:
    optimizer = st.selectbox("Optimizer", pg.OPTIMIZERS, pg.OPTIMIZERS.index(D.optimizer), key="pg.optimizer")
    lr = st.select_slider("Learning rate", LRS, D.lr, key="pg.lr")
    c1, c2 = st.columns(2)
    momentum = c1.slider("Momentum", 0.0, 0.99, D.momentum, 0.01, key="pg.momentum",
                         help="SGD and RMSprop; Adam keeps its own running averages.")
    nesterov = c2.toggle("Nesterov", D.nesterov, key="pg.nesterov", help="SGD with momentum only.")
    batch_size = st.select_slider("Batch size", [1, 2, 4, 8, 16, 32, 64, 128, 256, 1000], D.batch_size,
                                  key="pg.batch_size")
    c1, c2 = st.columns(2)
    l1 = c1.select_slider("L1", REGS, D.l1, key="pg.l1", help="Adds l1 * sum|w| to the loss.")
    l2 = c2.select_slider("L2 (weight decay)", REGS, D.l2, key="pg.l2", help="The optimizer's weight_decay.")
    loss = st.selectbox("Loss", pg.LOSSES, pg.LOSSES.index(D.loss), key="pg.loss")
    steps = st.slider("Steps per redraw", 1, 100, D.steps_per_frame, key="pg.steps_per_frame",
                      help="How many mini-batch steps run between two redraws while playing.")
    return dict(optimizer=optimizer, loss=loss, lr=lr, momentum=momentum, nesterov=nesterov,
                batch_size=batch_size, l1=l1, l2=l2, steps_per_frame=steps)


SECTIONS = (("1 · Data", data_controls), ("2 · Model", model_controls),
            ("3 · Training (changes apply mid-run)", training_controls))


def read_config() -> pg.PlaygroundConfig | None:
    """Draw the settings in the sidebar (visible beside the live views); None when they cannot work."""
    values = {}
    with st.sidebar:
        st.header("Playground settings")
        for title, controls in SECTIONS:
            with st.expander(title, expanded=True):
                values.update(controls())
    cfg = pg.PlaygroundConfig(**values)
    try:
        pg.validate(cfg)
    except ValueError as e:
        ui.show_error(e, prefix="Settings (sidebar): ")
        return None
    for note in pg.notes(cfg):
        st.info(note, icon="💡")
    return cfg


def ensure_run(cfg: pg.PlaygroundConfig, device) -> pg.Run:
    """Keep the session's run; rebuild it when data/architecture/device change, else update in place."""
    run: pg.Run | None = st.session_state.get(RUN)
    if run is None or run.device != device or pg.structure_key(run.cfg) != pg.structure_key(cfg):
        st.session_state[RUN] = run = pg.new_run(cfg, device)
        st.session_state[PLAYING] = False
    elif run.cfg != cfg:
        st.session_state[NOTES] = pg.apply_settings(run, cfg)
    return run


def toggle_play() -> None:
    st.session_state[PLAYING] = not st.session_state.get(PLAYING, False)


def control_bar(cfg: pg.PlaygroundConfig, device) -> None:
    """Play/pause, single step, 100 steps and reset."""
    run: pg.Run = st.session_state[RUN]
    playing = st.session_state.get(PLAYING, False)
    c = st.columns([1, 1, 1, 1, 3])
    c[0].button("⏸ Pause" if playing else "▶ Play", key="pg.play", on_click=toggle_play, type="primary")
    if c[1].button("⏭ Step", key="pg.step", help="One mini-batch update."):
        list(pg.train(run, 1))
    if c[2].button("⏩ +100 steps", key="pg.fast"):
        list(pg.train(run, 100, record_every=10))
    if c[3].button("↺ Reset", key="pg.reset", help="Same seeds: the same data and initial weights."):
        st.session_state[RUN] = pg.new_run(cfg, device)
        st.session_state[PLAYING] = False
    for note in st.session_state.pop(NOTES, []):
        c[4].caption(f"ℹ️ {note}")


def live_views() -> None:
    """The views that redraw while playing, in a fragment that re-runs itself every FRAME_S seconds."""
    playing = st.session_state.get(PLAYING, False)

    @st.fragment(run_every=FRAME_S if playing else None)
    def frame() -> None:
        run: pg.Run = st.session_state[RUN]
        if st.session_state.get(PLAYING):
            list(pg.train(run, run.cfg.steps_per_frame, record_every=run.cfg.steps_per_frame))
            if pg.diverged(run) or run.step >= MAX_PLAY_STEPS:
                st.session_state[PLAYING] = False
                st.rerun(scope="app")
        draw(run)

    frame()


def draw(run: pg.Run) -> None:
    last = run.history[-1]
    st.markdown(f"**Step {run.step}** · train loss **{last['train_loss']:.4f}** · test loss "
                f"**{last['test_loss']:.4f}** · train acc **{last['train_acc']:.1%}** · test acc "
                f"**{last['test_acc']:.1%}**")
    if pg.diverged(run):
        st.error("The loss became NaN/infinite: the steps were too big and the weights blew up. Lower the "
                 "learning rate and press Reset.", icon="💥")
    left, right = st.columns([1, 1])
    with left:
        point = softmax_point()
        st.plotly_chart(boundary_figure(run, point), key="pg.boundary_chart", on_select="rerun",
                        selection_mode="points")
        st.caption("Background: the class the model predicts at each of 100×100 grid points, one batched "
                   "forward pass; pale = unsure (probabilities near equal). ● train points, ◆ test points, "
                   "★ the point whose softmax is explained below (click any point to move it).")
    with right:
        st.plotly_chart(curves_figure(run.history), key="pg.curves_chart")
        st.caption("Loss and accuracy on all training and test points, measured in eval mode (no dropout, "
                   "batch norm uses its running averages). Test worse than train = over-fitting.")
    core_lines(run)
    network_views(run)
    softmax_section(run, point)


def softmax_point() -> tuple[float, float]:
    """The point to explain: a clicked chart point (once, when new), else the x/y inputs below."""
    state = st.session_state.get("pg.boundary_chart") or {}
    points = state.get("selection", {}).get("points", [])
    if points and "x" in points[0]:
        picked = tuple(round(min(max(float(points[0][a]), -pg.DOMAIN), pg.DOMAIN), 2) for a in ("x", "y"))
        if picked != st.session_state.get("pg.picked"):  # a new click wins; later typing is not overridden
            st.session_state["pg.picked"] = picked
            st.session_state["pg.px"], st.session_state["pg.py"] = picked
    return (float(st.session_state.get("pg.px", 1.0)), float(st.session_state.get("pg.py", 1.0)))


def png_uri(rgb: np.ndarray) -> str:
    """An RGB array as a PNG data URI (PIL is much faster than Plotly's own encoder)."""
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def boundary_figure(run: pg.Run, point: tuple[float, float]) -> go.Figure:
    rgb = pg.boundary_rgb(pg.boundary(run))[::-1]  # row 0 is y = -6; an image's first row is its top
    fig = go.Figure()
    fig.add_layout_image(source=png_uri(np.ascontiguousarray(rgb)), xref="x", yref="y", x=-pg.DOMAIN,
                         y=pg.DOMAIN, sizex=2 * pg.DOMAIN, sizey=2 * pg.DOMAIN, sizing="stretch", layer="below")
    for split, xy, y, symbol in (("train", run.data.xy_train, run.data.y_train, "circle"),
                                 ("test", run.data.xy_test, run.data.y_test, "diamond")):
        for k in range(run.data.n_classes):
            pts = xy[y == k].numpy()
            fig.add_trace(go.Scatter(x=pts[:, 0], y=pts[:, 1], mode="markers", name=f"{split} · class {k}",
                                     marker=dict(color=COLOURS[k], symbol=symbol, size=7,
                                                 line=dict(width=1, color="white" if split == "train" else "black"))))
    fig.add_trace(go.Scatter(x=[point[0]], y=[point[1]], mode="markers", name="softmax point",
                             marker=dict(symbol="star", size=16, color="black", line=dict(width=1, color="white"))))
    fig.update_xaxes(range=[-pg.DOMAIN, pg.DOMAIN], showgrid=False, zeroline=False, constrain="domain")
    fig.update_yaxes(range=[-pg.DOMAIN, pg.DOMAIN], showgrid=False, zeroline=False, scaleanchor="x")
    fig.update_layout(height=460, margin=dict(l=10, r=10, t=30, b=10), title="Decision boundary",
                      legend=dict(orientation="h", y=-0.08), plot_bgcolor="white")
    return fig


def curves_figure(history: list[dict]) -> go.Figure:
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, subplot_titles=("loss", "accuracy"))
    steps = [h["step"] for h in history]
    for row, metric in ((1, "loss"), (2, "acc")):
        for split, dash in (("train", "solid"), ("test", "dot")):
            fig.add_trace(go.Scatter(x=steps, y=[h[f"{split}_{metric}"] for h in history], name=f"{split} {metric}",
                                     line=dict(dash=dash)), row=row, col=1)
    fig.update_layout(height=430, margin=dict(l=10, r=10, t=30, b=10))
    fig.update_xaxes(title_text="step", row=2, col=1)
    return fig


def core_lines(run: pg.Run) -> None:
    """The three lines of every PyTorch training loop, with what they did on the last step."""
    st.subheader("The three lines that do the learning")
    last = run.last or {"grad_norm": 0.0, "update_norm": 0.0, "loss": float("nan")}
    cols = st.columns(3, border=True)
    cols[0].code("optimizer.zero_grad()")
    cols[0].caption("Gradients **add up** in `p.grad`, so each step starts by clearing the old ones.")
    cols[1].code("loss.backward()")
    cols[1].metric("gradient size ‖∇loss‖ (last step)", f"{last['grad_norm']:.4g}")
    cols[1].caption("Autograd walks back from the loss and fills `p.grad` for every weight and bias.")
    cols[2].code("optimizer.step()")
    cols[2].metric("weight change ‖Δw‖ (last step)", f"{last['update_norm']:.4g}")
    cols[2].caption(f"{run.cfg.optimizer} moves each parameter against its gradient (lr {run.cfg.lr:g}).")


def network_views(run: pg.Run) -> None:
    st.subheader("Inside the network")
    tab_d, tab_n, tab_s = st.tabs(["Diagram", "Neuron maps", "nn.Sequential"])
    with tab_d:
        dia = pg.diagram(run.model, run.cfg.features, run.data.n_classes)
        st.plotly_chart(diagram_figure(dia), key="pg.diagram_chart")
        st.caption("Each line is one weight of an `nn.Linear`: blue positive, orange negative, thicker = larger "
                   "|w|. Batch norm, activations and dropout act on the nodes, not on the lines.")
    with tab_n:
        st.plotly_chart(neuron_figure(pg.neuron_maps(run), run.cfg.neuron_grid), key="pg.neurons_chart")
        st.caption("What each input feature and each hidden neuron outputs at every point of the plane (after "
                   "its activation; red negative, blue positive, each map scaled to its own range). Later layers "
                   "combine the simple shapes of earlier ones into the final boundary.")
    with tab_s:
        n_params = sum(p.numel() for p in run.model.parameters())
        st.code(str(run.model), language="text")
        st.caption(f"{n_params:,} trainable parameters.")


def diagram_figure(dia: pg.Diagram) -> go.Figure:
    fig = go.Figure()
    top = max((abs(e[4]) for e in dia.edges), default=1.0) or 1.0
    for sign, colour in ((1, "rgb(8,119,189)"), (-1, "rgb(245,147,34)")):
        for b in range(4):  # four thickness buckets keep it to a few traces however many weights
            xs, ys = [], []
            for x0, y0, x1, y1, w in dia.edges:
                if np.sign(w) == sign and min(int(abs(w) / top * 4), 3) == b:
                    xs += [x0, x1, None]
                    ys += [y0, y1, None]
            fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", hoverinfo="skip", showlegend=False,
                                     line=dict(color=colour, width=0.5 + 2 * b), opacity=0.35 + 0.2 * b))
    fig.add_trace(go.Scatter(x=[n[0] for n in dia.nodes], y=[n[1] for n in dia.nodes], mode="markers+text",
                             text=[n[2] for n in dia.nodes], textposition="top center", showlegend=False,
                             marker=dict(size=14, color="white", line=dict(width=2, color="gray"))))
    fig.update_layout(height=380, margin=dict(l=10, r=10, t=10, b=10), xaxis_visible=False, yaxis_visible=False)
    return fig


def neuron_figure(maps: list[tuple[str, np.ndarray]], size: int) -> go.Figure:
    """All neuron maps as one heat-map mosaic: far faster to draw than one subplot per neuron."""
    mosaic, names = pg.neuron_mosaic(maps)
    cell = size + 2
    fig = go.Figure(go.Heatmap(z=mosaic, colorscale="RdBu", zmin=-1, zmax=1, showscale=False,
                               hovertemplate="%{z:.2f}<extra></extra>"))
    ticks = [(len(names) - 1 - r) * cell + size / 2 for r in range(len(names))]
    fig.update_yaxes(tickvals=ticks, ticktext=names, scaleanchor="x", showgrid=False, zeroline=False)
    fig.update_xaxes(visible=False)
    fig.update_layout(height=60 + 70 * len(names), margin=dict(l=10, r=10, t=10, b=10),
                      plot_bgcolor="rgba(0,0,0,0)")
    return fig


def softmax_section(run: pg.Run, point: tuple[float, float]) -> None:
    st.subheader("Softmax at one point: logits → probabilities")
    c1, c2 = st.columns(2)
    c1.number_input("x", -6.0, 6.0, 1.0, 0.25, key="pg.px")
    c2.number_input("y", -6.0, 6.0, 1.0, 0.25, key="pg.py")
    s = pg.softmax_at(run, point)
    rows = {"logit z": s["logits"], "exp(z − max z)": s["exp"], "probability": s["probs"],
            "torch.softmax": s["torch"]}
    table = {"class": list(range(len(s["probs"])))} | {k: [f"{v:.4f}" for v in vals] for k, vals in rows.items()}
    st.dataframe(table, hide_index=True)
    st.latex(r"p_k = \frac{e^{z_k}}{\sum_j e^{z_j}} = \frac{e^{z_k - \max z}}{\sum_j e^{z_j - \max z}}")
    st.caption(f"The last layer outputs one score (logit) per class; softmax turns them into probabilities that "
               f"sum to 1. Class {int(np.argmax(s['probs']))} wins here with {s['probs'].max():.1%}. Cross-entropy "
               f"is −log of the true class's probability; subtracting the max first avoids overflow.")


def main() -> None:
    intro()
    cfg = read_config()
    if cfg is None:
        return
    device = ui.current_device()
    try:
        ensure_run(cfg, device)
    except ValueError as e:
        ui.show_error(e)
        return
    control_bar(cfg, device)
    live_views()
    st.subheader("Code for these settings")
    st.markdown("A standalone script: the same data, initial weights and mini-batches as this page. The three "
                "marked lines are the ones above.")
    ui.code_panel(pg.code(cfg, steps=max(st.session_state[RUN].step, 100)), expanded=False)


main()
