"""Autograd visualizer: the graph PyTorch records, the chain rule by hand, and backprop two ways."""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

import ui
from lib.autograd import backprop, chain_rule, code, config, demos, graph, linreg

if TYPE_CHECKING:
    import numpy as np

DEFAULTS = config.AutogradConfig()
RUN = "autograd.run"  # session-state key of this user's backprop.NetPair


def intro() -> None:
    st.title("🕸️ Autograd visualizer")
    st.markdown(
        "Every operation on a tensor with `requires_grad=True` is recorded as a node in a graph; `backward()` "
        "walks that graph from the output to the leaves, applying the chain rule, and leaves the result in "
        "`.grad`. Build an expression and watch the graph, check the chain rule by hand, poke at autograd's "
        "rules, then train a network by hand next to autograd and fit a line with gradient descent.")


# ----------------------------------------------------------------------------- 1. expression -> graph

def apply_preset() -> None:
    """Copy the chosen preset's expression and leaves into the widgets (on_change callback)."""
    preset = graph.PRESETS[st.session_state["autograd.preset"]]
    st.session_state["autograd.expr"] = preset.expression
    for spec in preset.leaves:
        st.session_state[f"autograd.leaf.{spec.name}"] = spec.text
        st.session_state[f"autograd.grad.{spec.name}"] = spec.requires_grad


def init_state() -> None:
    """First visit: the default preset; keys already set (e.g. by a test) are kept."""
    first = "autograd.expr" not in st.session_state
    st.session_state.setdefault("autograd.preset", DEFAULTS.graph.preset)
    if first:
        apply_preset()
    for name, text in zip(DEFAULTS.graph.leaf_names, DEFAULTS.graph.leaf_texts):
        st.session_state.setdefault(f"autograd.leaf.{name}", text)
        st.session_state.setdefault(f"autograd.grad.{name}", True)


def leaf_inputs() -> tuple[graph.LeafSpec, ...]:
    """One column per leaf: its value text and a requires_grad checkbox."""
    specs = []
    for column, name in zip(st.columns(len(DEFAULTS.graph.leaf_names)), DEFAULTS.graph.leaf_names):
        text = column.text_input(f"leaf {name}", key=f"autograd.leaf.{name}",
                                 help="A number `4`, a list `1, 2, 3`, rows `1, 2; 3, 4`, or ones(2, 2) / zeros(3) / arange(4).")
        grad = column.checkbox("requires grad", key=f"autograd.grad.{name}")
        specs.append(graph.LeafSpec(name, text, grad))
    return tuple(specs)


def graph_section(device) -> tuple[graph.Evaluation, str, tuple] | None:
    """Expression -> backward graph; returns the evaluation for the chain-rule section."""
    ui.widgets.selectbox("Preset", DEFAULTS.graph, "preset", key="autograd.preset", on_change=apply_preset)
    expression = st.text_input("Expression", key="autograd.expr",
                               help="Numbers, the leaves x, w, b, + - * / ** @, and exp log sin cos tanh sigmoid relu sum mean.")
    specs = leaf_inputs()
    do_backward = ui.widgets.toggle("Call backward()", DEFAULTS.graph, "backward", key="autograd.backward")
    try:
        ev = graph.build(expression, specs, device)
        if do_backward:
            graph.run_backward(ev)
    except ValueError as exc:
        ui.show_error(exc)
        return None
    for note in ev.notes:
        st.info(note)
    left, right = st.columns([3, 2])
    left.graphviz_chart(graph.to_dot(graph.walk(ev)))
    used = [f"`{name}.grad = {grad}`" for name, grad in graph.leaf_grads(ev).items()]
    right.markdown("**Gradients:** " + (", ".join(used) if used else "none yet - switch on backward()."))
    preset = graph.PRESETS[st.session_state["autograd.preset"]]
    if preset.expression == expression.strip():
        right.caption(f"The tutorial's answer for this preset: {preset.expected_grad}.")
    right.markdown(
        "Read the graph top to bottom, the way `backward()` runs: the **output** hands the gradient 1 to "
        "its `grad_fn`; each orange `...Backward0` node multiplies by its local derivative and passes the "
        "result on to its `next_functions`; grey `AccumulateGrad` adds what arrives into the blue **leaf**'s "
        "`.grad`. Constants and leaves without `requires_grad` get no node at all (their slot in "
        "`next_functions` is `None`). Labels show each forward value and, after `backward()`, its gradient.")
    ui.code_panel(code.graph_code(expression, specs))
    return ev, expression, specs


# ----------------------------------------------------------------------------- 2. chain rule

def chain_rule_section(built, device) -> None:
    """Local derivatives along every path, checked against .grad, and gradcheck in float64."""
    if built is None:
        st.info("Fix the expression in the first tab to see its chain rule.")
        return
    ev, expression, specs = built
    if ev.leaves and not graph.leaf_grads(ev):
        st.info("Switch on 'Call backward()' in the first tab: the check compares with `.grad`.")
        return
    rows, checks = chain_rule.manual_backward(ev)
    st.dataframe([r.__dict__ for r in rows], hide_index=True, width="stretch")
    st.markdown("`upstream` is d(output)/d(node); multiplying it by the local derivative gives what the "
                "node passes to that input. A leaf adds up what arrives along every path:")
    st.dataframe([{"leaf": c.leaf, "paths (products of local derivatives)": " + ".join(f"({p})" for p in c.paths),
                   "by hand": c.manual, ".grad from autograd": c.autograd, "agree": "✅" if c.agree else "❌"}
                  for c in checks], hide_index=True, width="stretch")
    result = chain_rule.check_gradients(expression, specs, device)
    (st.success if result.passed else st.error)(("gradcheck passed: " if result.passed else "gradcheck failed: ")
                                                 + result.message)
    st.caption("`torch.autograd.gradcheck` nudges each input by eps = 1e-6 in float64 and compares the finite "
               "differences with autograd's Jacobian. It fails where the function has a kink, e.g. relu at 0.")
    ui.code_panel(code.graph_code(expression, specs))


# ----------------------------------------------------------------------------- 3. behaviours
# Each demo draws its controls and result and returns its code; behaviour_section frames it.

def propagation_demo(device) -> str:
    st.markdown("**1. `requires_grad` spreads:** an op's result requires grad when any input does.")
    left, right = st.columns(2)
    a = ui.widgets.checkbox("a requires grad", DEFAULTS.demo, "a_requires_grad", key="autograd.demo.a", where=left)
    b = ui.widgets.checkbox("b requires grad", DEFAULTS.demo, "b_requires_grad", key="autograd.demo.b", where=right)
    st.dataframe(demos.propagation(a, b, device), hide_index=True)
    st.caption("A tensor nothing recorded (like d when b needs no grad) counts as a leaf too: is_leaf means "
               "'no grad_fn', not 'created by you'.")
    return code.propagation_code(a, b)


def accumulation_demo(device) -> str:
    st.markdown("**2. Gradients accumulate:** each `backward()` adds into `.grad` until you clear it.")
    left, right = st.columns(2)
    calls = ui.widgets.slider("backward() calls", DEFAULTS.demo, "backward_calls", key="autograd.demo.calls",
                              where=left)
    zero = ui.widgets.checkbox("x.grad = None before each call", DEFAULTS.demo, "zero_between",
                               key="autograd.demo.zero", where=right)
    rows = demos.accumulation(calls, zero, device)
    st.dataframe(rows, hide_index=True)
    st.caption("y = x² at x = 2, so one backward gives 4. " +
               ("Cleared each time: always 4." if zero else f"Not cleared: 4 × {calls} = {rows[-1]['x.grad']:g}."))
    return code.accumulation_code(calls, zero)


def retain_demo(device) -> str:
    st.markdown("**3. A graph is freed after `backward()`:** a second pass needs `retain_graph=True`.")
    retain = ui.widgets.checkbox("retain_graph=True on the first call", DEFAULTS.demo, "retain_graph",
                                 key="autograd.demo.retain")
    result = demos.retain_graph(retain, device)
    st.markdown(f"After the first backward of y = eˣ·x at x = 2: `x.grad = {result.first_grad:.4f}`.")
    if result.error:
        st.error(f"Second backward → RuntimeError (PyTorch's real message): {result.error}")
    else:
        st.success(f"Second backward worked; `x.grad = {result.second_grad:.4f}` (accumulated: twice the first).")
    return code.retain_graph_code(retain)


def gradient_demo(device) -> str | None:
    st.markdown("**4. Non-scalar outputs:** `y.backward()` needs `gradient=` - a weight per element of y.")
    text = ui.widgets.text_input("gradient v for y = x², x = [1, 2, 3]", DEFAULTS.demo, "gradient_weights",
                                 key="autograd.demo.v")
    try:
        weights = demos.parse_weights(text)
    except ValueError as exc:
        ui.show_error(exc)
        return None
    result = demos.backward_gradient(weights, device)
    st.error(f"`y.backward()` without gradient → RuntimeError: {result.error}")
    st.markdown(f"`y.backward(gradient=v)` → `x.grad = {[round(g, 4) for g in result.grad]}` = v · 2x "
                "(a vector-Jacobian product; v = ones gives the gradient of y.sum()).")
    return code.backward_gradient_code(weights)


def modes_demo(device) -> str:
    st.markdown("**5. Switching tracking off:** y = x·2 for x with requires_grad, five ways.")
    st.dataframe(demos.grad_modes(device), hide_index=True, width="stretch")
    return code.grad_modes_code()


def freezing_demo(device) -> str:
    st.markdown("**6. Freezing for fine-tuning:** frozen parameters get no `.grad` and the optimizer leaves them alone.")
    freeze = ui.widgets.checkbox("freeze the first layer", DEFAULTS.demo, "freeze_first", key="autograd.demo.freeze")
    rows = demos.freezing(freeze, DEFAULTS.demo.lr, DEFAULTS.demo.seed, device)
    st.dataframe(rows, hide_index=True)
    trainable = sum(1 for r in rows if r["requires_grad"])
    st.caption(f"{trainable} of {len(rows)} parameter tensors trainable after one SGD step.")
    return code.freezing_code(freeze, DEFAULTS.demo.lr, DEFAULTS.demo.seed)


def behaviour_section(device) -> None:
    """Six small demos of autograd's rules, each in its own box with its code."""
    for demo in (propagation_demo, accumulation_demo, retain_demo, gradient_demo, modes_demo, freezing_demo):
        with st.container(border=True):
            if (script := demo(device)) is not None:
                ui.code_panel(script)


# ----------------------------------------------------------------------------- 4. backprop by hand

def current_pair(cfg: backprop.BackpropConfig, device) -> backprop.NetPair:
    """The session's network pair, rebuilt when the settings (or device) change."""
    pair: backprop.NetPair | None = st.session_state.get(RUN)
    if pair is None or not pair.matches(cfg, device):
        st.session_state[RUN] = pair = backprop.new_pair(cfg, device)
    return pair


def backprop_controls() -> tuple[backprop.BackpropConfig, int]:
    """Learning rate, target and seed; the step buttons (the steps asked for) and Reset."""
    d, cols = DEFAULTS.backprop, st.columns(3)
    rate = ui.widgets.select_slider("learning rate", d, "lr", key="autograd.bp.lr", where=cols[0])
    target = ui.widgets.slider("target y", d, "target", key="autograd.bp.target", where=cols[1])
    seed = ui.widgets.number_input("seed", d, "seed", key="autograd.bp.seed", where=cols[2])
    buttons = st.columns(len(d.step_buttons) + 1)
    clicked = [n for col, n in zip(buttons, d.step_buttons) if col.button(f"Step {n}", key=f"autograd.bp.step{n}")]
    if buttons[-1].button("Reset", key="autograd.bp.reset"):
        st.session_state.pop(RUN, None)
    return replace(d, lr=rate, target=target, seed=int(seed)), (clicked[0] if clicked else 0)


def train_steps(pair: backprop.NetPair, steps: int, device) -> None:
    """Run `steps` steps of both halves with a progress bar (the pair is already in the session)."""
    start = len(pair.history)
    outcome = ui.run_job(backprop.train_pair(pair, steps), total=steps, label="Training both networks",
                         done=lambda r: r.step - start, note=lambda r: f"loss {r.loss_autograd:.5f}",
                         kind="backprop", device=device, expected_s=1.0)
    if outcome.error:
        st.error(outcome.error, icon="⚠️")


def backprop_section(device) -> None:
    """Manual deltas next to loss.backward() + SGD, stepped by the user."""
    cfg, wanted = backprop_controls()
    pair = current_pair(cfg, device)
    if steps := pair.steps_left(wanted):
        train_steps(pair, steps, device)
    manual_out, auto_out = backprop.output(pair)
    cols = st.columns(3)
    cols[0].metric("steps", len(pair.history))
    cols[1].metric("output (manual / autograd)", f"{manual_out:.5f} / {auto_out:.5f}")
    cols[2].metric("largest weight difference", f"{backprop.max_weight_diff(pair):.2e}")
    if pair.history:
        st.plotly_chart(loss_figure(pair.history), width="stretch")
    for column, (title, values) in zip(st.columns(3), backprop.weight_panels(pair).items()):
        column.plotly_chart(weight_heatmap(title, values), width="stretch", key=f"autograd.bp.heat.{title}")
    st.dataframe(backprop.weight_rows(pair), hide_index=True, width="stretch")
    st.markdown("Both halves apply w ← w − lr·∂L/∂w with L = ½(out − y)². By hand: error = out − y, "
                "δ_out = error·s(1−s), δ_hidden = (δ_out W2ᵀ)·h(1−h), ∂L/∂W2 = hᵀδ_out, ∂L/∂W1 = xᵀδ_hidden. "
                "The difference stays at float32 rounding (~1e-7): autograd computes the same numbers.")
    ui.code_panel(code.backprop_code(cfg, max(1, len(pair.history))))


def loss_figure(history: list[backprop.StepRecord]) -> go.Figure:
    steps = [r.step for r in history]
    fig = go.Figure([go.Scatter(x=steps, y=[r.loss_manual for r in history], name="by hand", line=dict(width=5)),
                     go.Scatter(x=steps, y=[r.loss_autograd for r in history], name="autograd", line=dict(dash="dash"))])
    return fig.update_layout(xaxis_title="step", yaxis_title="loss ½(out − y)²", height=300, margin=dict(t=20))


def weight_heatmap(title: str, values: np.ndarray) -> go.Figure:
    """One (input x hidden unit) weight panel as a heat-map with its values written in."""
    fig = px.imshow(values, text_auto=".3f", color_continuous_scale="RdBu", zmin=-1, zmax=1,
                    labels=dict(x="hidden unit", y="input"), title=title)
    return fig.update_layout(height=300, margin=dict(t=40, b=0), coloraxis_showscale=False)


# ----------------------------------------------------------------------------- 5. linear regression

def regression_data() -> tuple[tuple[float, ...], tuple[float, ...]] | None:
    choice = ui.widgets.radio("data", DEFAULTS.linreg, "data", key="autograd.lr.data", horizontal=True)
    if choice != linreg.OWN_POINTS:
        return linreg.DATASETS[choice]
    text = ui.widgets.text_input("points, one `x, y` per line", DEFAULTS.linreg, "points", key="autograd.lr.points",
                                 area=True, max_chars=None)
    try:
        return linreg.parse_points(text)
    except ValueError as exc:
        ui.show_error(exc)
        return None


def regression_section(device) -> None:
    """y = w x + b by manual gradient descent; the learning rate decides converge vs diverge."""
    data = regression_data()
    if data is None:
        return
    xs, ys = data
    left, right = st.columns(2)
    rate = ui.widgets.select_slider("learning rate", DEFAULTS.linreg, "lr", key="autograd.lr.rate", where=left)
    steps = ui.widgets.slider("steps", DEFAULTS.linreg, "steps", key="autograd.lr.steps", where=right)
    history = list(linreg.fit(xs, ys, rate, steps, device))
    limit, (w_best, b_best) = linreg.stability_limit(xs), linreg.least_squares(xs, ys)
    last = history[-1]
    if linreg.diverged(history):
        st.error(f"Diverged: the loss grew to {last.loss:.3g} by step {last.step}. Learning rate {rate} is above "
                 f"this data's stability limit ≈ {limit:.4g} - each step overshoots the minimum by more than it gained.")
    else:
        st.success(f"w = {last.w:.4f}, b = {last.b:.4f}, loss {last.loss:.4f} after {last.step} steps "
                   f"(least squares: w = {w_best:.4f}, b = {b_best:.4f}).")
    left, right = st.columns(2)
    left.plotly_chart(fit_figure(xs, ys, history), width="stretch")
    right.plotly_chart(mse_figure(history), width="stretch")
    st.markdown(f"Each step: loss = mean((w·x + b − y)²), `loss.backward()`, then inside `torch.no_grad()` "
                f"w −= lr·w.grad and b −= lr·b.grad, then zero the grads (they accumulate). Gradient descent "
                f"is stable for lr < 2/λ_max of the loss's curvature ≈ {limit:.4g} on this data.")
    ui.code_panel(code.linreg_code(xs, ys, rate, steps))


def fit_figure(xs, ys, history: list[linreg.FitStep]) -> go.Figure:
    """Data and the line at evenly spaced steps, animated with Plotly's play button."""
    lo, hi = min(xs), max(xs)
    span = max(ys) - min(ys) or 1.0
    line = lambda h: go.Scatter(x=[lo, hi], y=[h.w * lo + h.b, h.w * hi + h.b], mode="lines",  # noqa: E731
                                name=f"step {h.step}")
    points = go.Scatter(x=list(xs), y=list(ys), mode="markers", name="data")
    frames = [go.Frame(data=[points, line(h)], name=str(h.step))
              for h in linreg.snapshots(history, DEFAULTS.linreg.frames)]
    fig = go.Figure([points, line(history[-1])], frames=frames)
    play = dict(type="buttons", buttons=[dict(label="▶ play", method="animate",
                                              args=[None, dict(frame=dict(duration=80), fromcurrent=False)])])
    return fig.update_layout(updatemenus=[play], height=350, margin=dict(t=30), xaxis_title="x", yaxis_title="y",
                             yaxis_range=[min(ys) - span, max(ys) + span])


def mse_figure(history: list[linreg.FitStep]) -> go.Figure:
    fig = go.Figure(go.Scatter(x=[h.step for h in history], y=[h.loss for h in history], mode="lines"))
    return fig.update_layout(yaxis_type="log", height=350, margin=dict(t=30), xaxis_title="step",
                             yaxis_title="MSE loss (log scale)")


# ----------------------------------------------------------------------------- the lesson

def main() -> None:
    """The lesson: idea, then the five sections as tabs."""
    intro()
    init_state()
    device = ui.current_device()
    tabs = st.tabs(["1 · Expression → graph", "2 · Chain rule", "3 · Behaviours", "4 · Backprop by hand",
                    "5 · Linear regression"])
    with tabs[0]:
        built = graph_section(device)
    with tabs[1]:
        chain_rule_section(built, device)
    with tabs[2]:
        behaviour_section(device)
    with tabs[3]:
        backprop_section(device)
    with tabs[4]:
        regression_section(device)


main()
