"""Network playground: a small PyTorch MLP learning a 2-D classifier, redrawn live as it trains."""
from __future__ import annotations

import base64
import io
from dataclasses import fields

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from PIL import Image
from plotly.subplots import make_subplots

import ui
from lib.common.messages import N_
from lib.common.settings import spec as setting_spec
from lib.playground import code, config, data, recipes, training, views
from ui.i18n import _, option_labels, translate

DEFAULTS = config.PlaygroundConfig()
RUN, PLAYING, NOTES = "pg.run", "pg.playing", "pg.notes"
APPLIED = "pg.applied"  # the preset whose recipe the widgets were last set to
FRAME_S = 0.3          # seconds between redraws while playing
MAX_PLAY_STEPS = 20_000  # auto-pause so a forgotten tab does not train for ever
LABELS = {"train": N_("train"), "test": N_("test"), "loss": N_("loss"), "acc": N_("acc")}  # legend words
LOSS_NAMES = {"cross-entropy": N_("cross-entropy"), "MSE on one-hot": N_("MSE on one-hot")}
COLOURS = [f"rgb({r:.0f},{g:.0f},{b:.0f})" for r, g, b in views.PALETTE]


def intro() -> None:
    st.title(_("🧠 Network playground"))
    st.markdown(_(
        "The *hello world* of PyTorch, made visible: a small fully connected network (`nn.Sequential` of "
        "`nn.Linear` layers and activations) learns to give every point of the plane a class. Each training "
        "step takes a mini-batch, computes the loss, lets autograd find the gradients and moves every weight "
        "a little. Set up data, model and training in the **sidebar**, press **▶ Play** and watch the decision "
        "boundary bend; change the learning rate while it runs; press **Reset** to start again from exactly "
        "the same weights and compare."
    ))


def data_controls() -> dict:
    return dict(
        dataset=ui.widgets.selectbox(_("Data set"), DEFAULTS, "dataset", key="pg.dataset",
                                     format_func=option_labels({k: v[0] for k, v in data.DATASETS.items()})),
        n_points=ui.widgets.slider(_("Points"), DEFAULTS, "n_points", key="pg.n_points"),
        noise=ui.widgets.slider(_("Noise"), DEFAULTS, "noise", key="pg.noise",
                                help=_("Standard deviation of extra Gaussian jitter added to each point (plane units).")),
        test_fraction=ui.widgets.slider(_("Test fraction"), DEFAULTS, "test_fraction", key="pg.test_fraction"),
        n_classes=ui.widgets.slider(_("Classes"), DEFAULTS, "n_classes", key="pg.n_classes",
                                    help=_("Gaussian clouds and the spiral can have 2-4 classes; the others have 2.")),
        features=ui.widgets.multiselect(_("Input features"), DEFAULTS, "features", key="pg.features",
                                        help=_("What the first layer sees. Non-linear features let even a linear model bend.")),
        data_seed=int(ui.widgets.number_input(_("Data seed"), DEFAULTS, "data_seed", key="pg.data_seed")),
    )


def model_controls() -> dict:
    return dict(
        hidden_layers=ui.widgets.slider(_("Hidden layers"), DEFAULTS, "hidden_layers", key="pg.hidden_layers"),
        width=ui.widgets.slider(_("Neurons per hidden layer"), DEFAULTS, "width", key="pg.width"),
        activation=ui.widgets.selectbox(_("Activation"), DEFAULTS, "activation", key="pg.activation"),
        dropout=ui.widgets.slider(_("Dropout"), DEFAULTS, "dropout", key="pg.dropout"),
        batch_norm=ui.widgets.toggle(_("Batch norm"), DEFAULTS, "batch_norm", key="pg.batch_norm"),
        weight_seed=int(ui.widgets.number_input(_("Weight seed"), DEFAULTS, "weight_seed", key="pg.weight_seed",
                                                help=_("Same seed, same initial weights: Reset starts from exactly here."))),
    )


def training_controls() -> dict:
    values = dict(optimizer=ui.widgets.selectbox(_("Optimizer"), DEFAULTS, "optimizer", key="pg.optimizer"),
                  lr=ui.widgets.select_slider(_("Learning rate"), DEFAULTS, "lr", key="pg.lr"))
    c1, c2 = st.columns(2)
    values["momentum"] = ui.widgets.slider(_("Momentum"), DEFAULTS, "momentum", key="pg.momentum", where=c1,
                                           help=_("SGD and RMSprop; Adam keeps its own running averages."))
    values["nesterov"] = ui.widgets.toggle(_("Nesterov"), DEFAULTS, "nesterov", key="pg.nesterov", where=c2,
                                           help=_("SGD with momentum only."))
    values["batch_size"] = ui.widgets.select_slider(_("Batch size"), DEFAULTS, "batch_size", key="pg.batch_size")
    c1, c2 = st.columns(2)
    values["l1"] = ui.widgets.select_slider(_("L1"), DEFAULTS, "l1", key="pg.l1", where=c1,
                                            help=_("Adds l1 * sum|w| to the loss."))
    values["l2"] = ui.widgets.select_slider(_("L2 (weight decay)"), DEFAULTS, "l2", key="pg.l2", where=c2,
                                            help=_("The optimizer's weight_decay."))
    values["loss"] = ui.widgets.selectbox(_("Loss"), DEFAULTS, "loss", key="pg.loss",
                                            format_func=option_labels(LOSS_NAMES))
    values["steps_per_frame"] = ui.widgets.slider(
        _("Steps per redraw"), DEFAULTS, "steps_per_frame", key="pg.steps_per_frame",
        help=_("How many mini-batch steps run between two redraws while playing."))
    return values


SECTIONS = ((N_("1 · Data"), data_controls), (N_("2 · Model"), model_controls),
            (N_("3 · Training (changes apply mid-run)"), training_controls))


def preset_picker() -> None:
    """Choosing a preset sets every data, model and training widget to its recipe (the link follows)."""
    titles = {k: r.title for k, r in recipes.RECIPES.items()}
    preset = ui.widgets.selectbox(_("Preset"), recipes.PresetChoice(), "preset", key="pg.preset",
                                  format_func=option_labels(titles),
                                  help=_("Sets every setting below to the preset's recipe; change any of them "
                                         "afterwards."))
    if ui.presets.newly_chosen(APPLIED, preset):
        apply_recipe(recipes.recipe(preset).cfg)
    chosen = recipes.recipe(preset)
    ui.presets.show_origin(chosen.note, chosen.differs)


def apply_recipe(cfg: config.PlaygroundConfig) -> None:
    """Set the widgets (keys `pg.<field>`) to the recipe; the link then follows them."""
    for f in fields(cfg):
        if setting_spec(cfg, f.name).param and f.name not in recipes.VIEW_FIELDS:
            ui.presets.set_widget(f"pg.{f.name}", cfg, f.name)


def read_config() -> config.PlaygroundConfig | None:
    """Draw the settings in the sidebar (visible beside the live views); None when they cannot work."""
    values = {}
    with st.sidebar:
        st.header(_("Playground settings"))
        preset_picker()
        for title, controls in SECTIONS:
            with st.expander(_(title), expanded=True):
                values.update(controls())
    cfg = config.PlaygroundConfig(**values)
    try:
        config.validate(cfg)
    except ValueError as e:
        ui.show_error(e, prefix=_("Settings (sidebar): "))
        return None
    for note in config.notes(cfg):
        st.info(translate(note), icon="💡")
    return cfg


def ensure_run(cfg: config.PlaygroundConfig, device) -> training.Run:
    """Keep the session's run; rebuild it when data/architecture/device change, else update in place."""
    run: training.Run | None = st.session_state.get(RUN)
    if run is None or run.device != device or config.structure_key(run.cfg) != config.structure_key(cfg):
        st.session_state[RUN] = run = training.new_run(cfg, device)
        st.session_state[PLAYING] = False
    elif run.cfg != cfg:
        st.session_state[NOTES] = training.apply_settings(run, cfg)
    return run


def toggle_play() -> None:
    st.session_state[PLAYING] = not st.session_state.get(PLAYING, False)


def control_bar(cfg: config.PlaygroundConfig, device) -> None:
    """Play/pause, single step, 100 steps and reset."""
    run: training.Run = st.session_state[RUN]
    playing = st.session_state.get(PLAYING, False)
    c = st.columns([1, 1, 1.25, 1, 2.75])  # "+100 steps" is the widest label
    c[0].button(_("⏸ Pause") if playing else _("▶ Play"), key="pg.play", on_click=toggle_play, type="primary")
    if c[1].button(_("⏭ Step"), key="pg.step", help=_("One mini-batch update.")):
        list(training.train(run, 1))
    if c[2].button(_("⏩ +100 steps"), key="pg.fast"):
        list(training.train(run, 100, record_every=10))
    if c[3].button(_("↺ Reset"), key="pg.reset", help=_("Same seeds: the same data and initial weights.")):
        st.session_state[RUN] = training.new_run(cfg, device)
        st.session_state[PLAYING] = False
    for note in st.session_state.pop(NOTES, []):
        c[4].caption(f"ℹ️ {translate(note)}")


def live_views() -> None:
    """The views that redraw while playing, in a fragment that re-runs itself every FRAME_S seconds."""
    playing = st.session_state.get(PLAYING, False)

    @st.fragment(run_every=FRAME_S if playing else None)
    def frame() -> None:
        run: training.Run = st.session_state[RUN]
        if st.session_state.get(PLAYING):
            list(training.train(run, run.cfg.steps_per_frame, record_every=run.cfg.steps_per_frame))
            if training.diverged(run) or run.step >= MAX_PLAY_STEPS:
                st.session_state[PLAYING] = False
                st.rerun(scope="app")
        draw(run)

    frame()


def draw(run: training.Run) -> None:
    last = run.history[-1]
    st.markdown(_("**Step {step}** · train loss **{train_loss:.4f}** · test loss **{test_loss:.4f}** · "
                  "train acc **{train_acc:.1%}** · test acc **{test_acc:.1%}**").format(
        step=run.step, train_loss=last["train_loss"], test_loss=last["test_loss"], train_acc=last["train_acc"],
        test_acc=last["test_acc"]))
    if training.diverged(run):
        st.error(_("The loss became NaN/infinite: the steps were too big and the weights blew up. Lower the "
                   "learning rate and press Reset."), icon="💥")
    left, right = st.columns([1, 1])
    with left:
        point = softmax_point()
        st.plotly_chart(boundary_figure(run, point), key="pg.boundary_chart", on_select="rerun",
                        selection_mode="points")
        st.caption(_("Background: the class the model predicts at each of 100×100 grid points, one batched "
                   "forward pass; pale = unsure (probabilities near equal). ● train points, ◆ test points, "
                   "★ the point whose softmax is explained below (click any point to move it)."))
    with right:
        st.plotly_chart(curves_figure(run.history), key="pg.curves_chart")
        st.caption(_("Loss and accuracy on all training and test points, measured in eval mode (no dropout, "
                   "batch norm uses its running averages). Test worse than train = over-fitting."))
    core_lines(run)
    network_views(run)
    softmax_section(run, point)


def softmax_point() -> tuple[float, float]:
    """The point to explain: a clicked chart point (once, when new), else the x/y inputs below."""
    state = st.session_state.get("pg.boundary_chart") or {}
    points = state.get("selection", {}).get("points", [])
    if points and "x" in points[0]:
        picked = tuple(round(min(max(float(points[0][a]), -data.DOMAIN), data.DOMAIN), 2) for a in ("x", "y"))
        if picked != st.session_state.get("pg.picked"):  # a new click wins; later typing is not overridden
            st.session_state["pg.picked"] = picked
            st.session_state["pg.px"], st.session_state["pg.py"] = picked
    return (float(st.session_state.get("pg.px", DEFAULTS.point_x)),
            float(st.session_state.get("pg.py", DEFAULTS.point_y)))


def png_uri(rgb: np.ndarray) -> str:
    """An RGB array as a PNG data URI (PIL is much faster than Plotly's own encoder)."""
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def boundary_figure(run: training.Run, point: tuple[float, float]) -> go.Figure:
    rgb = views.boundary_rgb(views.boundary(run))[::-1]  # row 0 is y = -6; an image's first row is its top
    fig = go.Figure()
    fig.add_layout_image(source=png_uri(np.ascontiguousarray(rgb)), xref="x", yref="y", x=-data.DOMAIN,
                         y=data.DOMAIN, sizex=2 * data.DOMAIN, sizey=2 * data.DOMAIN, sizing="stretch", layer="below")
    for split, k, pts in views.points_by_class(run):
        train = split == "train"
        fig.add_trace(go.Scatter(x=pts[:, 0], y=pts[:, 1], mode="markers", name=_("{split} · class {k}").format(split=_(LABELS[split]), k=k),
                                 marker=dict(color=COLOURS[k], symbol="circle" if train else "diamond", size=7,
                                             line=dict(width=1, color="white" if train else "black"))))
    fig.add_trace(go.Scatter(x=[point[0]], y=[point[1]], mode="markers", name=_("softmax point"),
                             marker=dict(symbol="star", size=16, color="black", line=dict(width=1, color="white"))))
    fig.update_xaxes(range=[-data.DOMAIN, data.DOMAIN], showgrid=False, zeroline=False, constrain="domain")
    fig.update_yaxes(range=[-data.DOMAIN, data.DOMAIN], showgrid=False, zeroline=False, scaleanchor="x")
    fig.update_layout(height=460, margin=dict(l=10, r=10, t=30, b=10), title=_("Decision boundary"),
                      legend=dict(orientation="h", y=-0.08), plot_bgcolor="white")
    return fig


def curves_figure(history: list[dict]) -> go.Figure:
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, subplot_titles=(_("loss"), _("accuracy")))
    steps = [h["step"] for h in history]
    for row, metric in ((1, "loss"), (2, "acc")):
        for split, dash in (("train", "solid"), ("test", "dot")):
            fig.add_trace(go.Scatter(x=steps, y=[h[f"{split}_{metric}"] for h in history], name=_("{split} {metric}").format(split=_(LABELS[split]), metric=_(LABELS[metric])),
                                     line=dict(dash=dash)), row=row, col=1)
    fig.update_layout(height=430, margin=dict(l=10, r=10, t=30, b=10))
    fig.update_xaxes(title_text=_("step"), row=2, col=1)
    fig.update_xaxes(rangemode="nonnegative")  # at step 0 plotly would centre the one point on -1..1
    return fig


def core_lines(run: training.Run) -> None:
    """The three lines of every PyTorch training loop, with what they did on the last step."""
    st.subheader(_("The three lines that do the learning"))
    last = run.last or {"grad_norm": 0.0, "update_norm": 0.0, "loss": float("nan")}
    cols = st.columns(3, border=True)
    cols[0].code("optimizer.zero_grad()")
    cols[0].caption(_("Gradients **add up** in `p.grad`, so each step starts by clearing the old ones."))
    cols[1].code("loss.backward()")
    cols[1].metric(_("gradient size ‖∇loss‖ (last step)"), f"{last['grad_norm']:.4g}")
    cols[1].caption(_("Autograd walks back from the loss and fills `p.grad` for every weight and bias."))
    cols[2].code("optimizer.step()")
    cols[2].metric(_("weight change ‖Δw‖ (last step)"), f"{last['update_norm']:.4g}")
    cols[2].caption(_("{optimizer} moves each parameter against its gradient (lr {lr:g}).").format(
        optimizer=run.cfg.optimizer, lr=run.cfg.lr))


def network_views(run: training.Run) -> None:
    st.subheader(_("Inside the network"))
    tab_d, tab_n, tab_s = st.tabs([_("Diagram"), _("Neuron maps"), "nn.Sequential"])
    with tab_d:
        dia = views.diagram(run.model, run.cfg.features, run.data.n_classes)
        st.plotly_chart(diagram_figure(dia), key="pg.diagram_chart")
        st.caption(_("Each line is one weight of an `nn.Linear`: blue positive, orange negative, thicker = larger "
                   "|w|. Batch norm, activations and dropout act on the nodes, not on the lines."))
    with tab_n:
        st.plotly_chart(neuron_figure(views.neuron_maps(run), run.cfg.neuron_grid), key="pg.neurons_chart")
        st.caption(_("What each input feature and each hidden neuron outputs at every point of the plane (after "
                   "its activation; red negative, blue positive, each map scaled to its own range). Later layers "
                   "combine the simple shapes of earlier ones into the final boundary."))
    with tab_s:
        n_params = views.parameter_count(run.model)
        st.code(str(run.model), language="text")
        st.caption(_("{n:,} trainable parameters.").format(n=n_params))


def diagram_figure(dia: views.Diagram) -> go.Figure:
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
    mosaic, names = views.neuron_mosaic(maps)
    cell = size + 2
    fig = go.Figure(go.Heatmap(z=mosaic, colorscale="RdBu", zmin=-1, zmax=1, showscale=False,
                               hovertemplate="%{z:.2f}<extra></extra>"))
    ticks = [(len(names) - 1 - r) * cell + size / 2 for r in range(len(names))]
    fig.update_yaxes(tickvals=ticks, ticktext=names, scaleanchor="x", showgrid=False, zeroline=False)
    fig.update_xaxes(visible=False)
    fig.update_layout(height=60 + 70 * len(names), margin=dict(l=10, r=10, t=10, b=10),
                      plot_bgcolor="rgba(0,0,0,0)")
    return fig


def softmax_section(run: training.Run, point: tuple[float, float]) -> None:
    st.subheader(_("Softmax at one point: logits → probabilities"))
    c1, c2 = st.columns(2)
    ui.widgets.number_input("x", DEFAULTS, "point_x", key="pg.px", where=c1)
    ui.widgets.number_input("y", DEFAULTS, "point_y", key="pg.py", where=c2)
    s = views.softmax_at(run, point)
    rows = {_("logit z"): s["logits"], "exp(z − max z)": s["exp"], _("probability"): s["probs"],
            "torch.softmax": s["torch"]}
    table = {_("class"): list(range(len(s["probs"])))} | {k: [f"{v:.4f}" for v in vals] for k, vals in rows.items()}
    st.dataframe(table, hide_index=True)
    st.latex(r"p_k = \frac{e^{z_k}}{\sum_j e^{z_j}} = \frac{e^{z_k - \max z}}{\sum_j e^{z_j - \max z}}")
    st.caption(_("The last layer outputs one score (logit) per class; softmax turns them into probabilities that "
                 "sum to 1. Class {k} wins here with {p:.1%}. Cross-entropy is −log of the true class's "
                 "probability; subtracting the max first avoids overflow.").format(
        k=int(np.argmax(s["probs"])), p=s["probs"].max()))


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
    st.subheader(_("Code for these settings"))
    st.markdown(_("A standalone script: the same data, initial weights and mini-batches as this page. The three "
                  "marked lines are the ones above."))
    ui.code_panel(code.code(cfg, steps=max(st.session_state[RUN].step, 100)), expanded=False)
    ui.links.share_panel([_("the trained network: the link restores these settings and the seeds, so pressing "
                            "▶ Play trains exactly the same network again")])


main()
