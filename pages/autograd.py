"""Autograd visualizer: the graph PyTorch records, the chain rule by hand, and backprop two ways."""
from __future__ import annotations

import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

import ui
from lib import autograd_demos as demos
from lib import autograd_graph as ag
from lib import backprop as bp
from lib import linreg as lr
from lib.chain_rule import check_gradients, manual_backward

CFG, DEMO, BP, LR = ag.GraphConfig(), demos.DemoConfig(), bp.BackpropConfig(), lr.LinRegConfig()
DEFAULT_LEAVES = {"x": "4", "w": "0.5, -0.25", "b": "0.1"}


def apply_preset() -> None:
    """Copy the chosen preset's expression and leaves into the widgets (on_change callback)."""
    preset = ag.PRESETS[st.session_state["autograd.preset"]]
    st.session_state["autograd.expr"] = preset.expression
    for spec in preset.leaves:
        st.session_state[f"autograd.leaf.{spec.name}"] = spec.text
        st.session_state[f"autograd.grad.{spec.name}"] = spec.requires_grad


def leaf_inputs() -> tuple[ag.LeafSpec, ...]:
    """One column per leaf: its value text and a requires_grad checkbox."""
    specs = []
    for column, name in zip(st.columns(len(CFG.leaf_names)), CFG.leaf_names):
        text = column.text_input(f"leaf {name}", key=f"autograd.leaf.{name}",
                                 help="A number `4`, a list `1, 2, 3`, rows `1, 2; 3, 4`, or ones(2, 2) / zeros(3) / arange(4).")
        grad = column.checkbox("requires grad", key=f"autograd.grad.{name}")
        specs.append(ag.LeafSpec(name, text, grad))
    return tuple(specs)


def init_state() -> None:
    """First visit: the default preset; keys already set (e.g. by a test) are kept."""
    first = "autograd.expr" not in st.session_state
    st.session_state.setdefault("autograd.preset", CFG.preset)
    if first:
        apply_preset()
    for name in CFG.leaf_names:
        st.session_state.setdefault(f"autograd.leaf.{name}", DEFAULT_LEAVES[name])
        st.session_state.setdefault(f"autograd.grad.{name}", True)


def graph_section(device) -> tuple[ag.Evaluation, str, tuple] | None:
    """Expression -> backward graph; returns the evaluation for the chain-rule section."""
    st.selectbox("Preset", list(ag.PRESETS), key="autograd.preset", on_change=apply_preset)
    expression = st.text_input("Expression", key="autograd.expr",
                               help="Numbers, the leaves x, w, b, + - * / ** @, and exp log sin cos tanh sigmoid relu sum mean.")
    specs = leaf_inputs()
    do_backward = st.toggle("Call backward()", value=True, key="autograd.backward")
    try:
        ev = ag.build(expression, specs, device)
        if do_backward:
            ag.run_backward(ev)
    except ValueError as exc:
        ui.show_error(exc)
        return None
    for note in ev.notes:
        st.info(note)
    left, right = st.columns([3, 2])
    left.graphviz_chart(ag.to_dot(ag.walk(ev)))
    used = [f"`{n}.grad = {ag.fmt(t.grad)}`" for n, t in ev.leaves.items() if t.grad is not None]
    right.markdown("**Gradients:** " + (", ".join(used) if used else "none yet - switch on backward()."))
    preset = ag.PRESETS[st.session_state["autograd.preset"]]
    if preset.expression == expression.strip():
        right.caption(f"The tutorial's answer for this preset: {preset.expected_grad}.")
    right.markdown(
        "Read the graph top to bottom, the way `backward()` runs: the **output** hands the gradient 1 to "
        "its `grad_fn`; each orange `...Backward0` node multiplies by its local derivative and passes the "
        "result on to its `next_functions`; grey `AccumulateGrad` adds what arrives into the blue **leaf**'s "
        "`.grad`. Constants and leaves without `requires_grad` get no node at all (their slot in "
        "`next_functions` is `None`). Labels show each forward value and, after `backward()`, its gradient.")
    ui.code_panel(ag.graph_code(expression, specs))
    return ev, expression, specs


def chain_rule_section(built, device) -> None:
    """Local derivatives along every path, checked against .grad, and gradcheck in float64."""
    if built is None:
        st.info("Fix the expression in the first tab to see its chain rule.")
        return
    ev, expression, specs = built
    if ev.leaves and all(t.grad is None for t in ev.leaves.values()):
        st.info("Switch on 'Call backward()' in the first tab: the check compares with `.grad`.")
        return
    rows, checks = manual_backward(ev)
    st.dataframe([r.__dict__ for r in rows], hide_index=True, width="stretch")
    st.markdown("`upstream` is d(output)/d(node); multiplying it by the local derivative gives what the "
                "node passes to that input. A leaf adds up what arrives along every path:")
    st.dataframe([{"leaf": c.leaf, "paths (products of local derivatives)": " + ".join(f"({p})" for p in c.paths),
                   "by hand": c.manual, ".grad from autograd": c.autograd, "agree": "✅" if c.agree else "❌"}
                  for c in checks], hide_index=True, width="stretch")
    result = check_gradients(expression, specs, device)
    (st.success if result.passed else st.error)(("gradcheck passed: " if result.passed else "gradcheck failed: ")
                                                 + result.message)
    st.caption("`torch.autograd.gradcheck` nudges each input by eps = 1e-6 in float64 and compares the finite "
               "differences with autograd's Jacobian. It fails where the function has a kink, e.g. relu at 0.")
    ui.code_panel(ag.graph_code(expression, specs))


def propagation_demo(device) -> None:
    st.markdown("**1. `requires_grad` spreads:** an op's result requires grad when any input does.")
    left, right = st.columns(2)
    a = left.checkbox("a requires grad", value=DEMO.a_requires_grad, key="autograd.demo.a")
    b = right.checkbox("b requires grad", value=DEMO.b_requires_grad, key="autograd.demo.b")
    st.dataframe(demos.propagation(a, b, device), hide_index=True)
    st.caption("A tensor nothing recorded (like d when b needs no grad) counts as a leaf too: is_leaf means "
               "'no grad_fn', not 'created by you'.")
    ui.code_panel(demos.propagation_code(a, b))


def accumulation_demo(device) -> None:
    st.markdown("**2. Gradients accumulate:** each `backward()` adds into `.grad` until you clear it.")
    left, right = st.columns(2)
    calls = left.slider("backward() calls", 1, DEMO.max_backward_calls, DEMO.backward_calls, key="autograd.demo.calls")
    zero = right.checkbox("x.grad = None before each call", value=DEMO.zero_between, key="autograd.demo.zero")
    rows = demos.accumulation(calls, zero, device)
    st.dataframe(rows, hide_index=True)
    st.caption("y = x² at x = 2, so one backward gives 4. " +
               ("Cleared each time: always 4." if zero else f"Not cleared: 4 × {calls} = {rows[-1]['x.grad']:g}."))
    ui.code_panel(demos.accumulation_code(calls, zero))


def retain_demo(device) -> None:
    st.markdown("**3. A graph is freed after `backward()`:** a second pass needs `retain_graph=True`.")
    retain = st.checkbox("retain_graph=True on the first call", value=DEMO.retain_graph, key="autograd.demo.retain")
    result = demos.retain_graph(retain, device)
    st.markdown(f"After the first backward of y = eˣ·x at x = 2: `x.grad = {result.first_grad:.4f}`.")
    if result.error:
        st.error(f"Second backward → RuntimeError (PyTorch's real message): {result.error}")
    else:
        st.success(f"Second backward worked; `x.grad = {result.second_grad:.4f}` (accumulated: twice the first).")
    ui.code_panel(demos.retain_graph_code(retain))


def gradient_demo(device) -> None:
    st.markdown("**4. Non-scalar outputs:** `y.backward()` needs `gradient=` - a weight per element of y.")
    text = st.text_input("gradient v for y = x², x = [1, 2, 3]", value=DEMO.gradient_weights, key="autograd.demo.v")
    try:
        weights = demos.parse_weights(text)
    except ValueError as exc:
        ui.show_error(exc)
        return
    result = demos.backward_gradient(weights, device)
    st.error(f"`y.backward()` without gradient → RuntimeError: {result.error}")
    st.markdown(f"`y.backward(gradient=v)` → `x.grad = {[round(g, 4) for g in result.grad]}` = v · 2x "
                "(a vector-Jacobian product; v = ones gives the gradient of y.sum()).")
    ui.code_panel(demos.backward_gradient_code(weights))


def modes_demo(device) -> None:
    st.markdown("**5. Switching tracking off:** y = x·2 for x with requires_grad, five ways.")
    st.dataframe(demos.grad_modes(device), hide_index=True, width="stretch")
    ui.code_panel(demos.grad_modes_code())


def freezing_demo(device) -> None:
    st.markdown("**6. Freezing for fine-tuning:** frozen parameters get no `.grad` and the optimizer leaves them alone.")
    freeze = st.checkbox("freeze the first layer", value=DEMO.freeze_first, key="autograd.demo.freeze")
    rows = demos.freezing(freeze, DEMO.lr, DEMO.seed, device)
    st.dataframe(rows, hide_index=True)
    trainable = sum(1 for r in rows if r["requires_grad"])
    st.caption(f"{trainable} of {len(rows)} parameter tensors trainable after one SGD step.")
    ui.code_panel(demos.freezing_code(freeze, DEMO.lr, DEMO.seed))


def behaviour_section(device) -> None:
    for demo in (propagation_demo, accumulation_demo, retain_demo, gradient_demo, modes_demo, freezing_demo):
        with st.container(border=True):
            demo(device)


def current_pair(cfg: bp.BackpropConfig, device) -> bp.NetPair:
    """The session's network pair, rebuilt when the settings (or device) change."""
    key = (cfg, str(device))
    if st.session_state.get("autograd.pair.key") != key:
        st.session_state["autograd.pair"] = bp.new_pair(cfg, device)
        st.session_state["autograd.pair.key"] = key
    return st.session_state["autograd.pair"]


def backprop_controls() -> tuple[bp.BackpropConfig, int]:
    cols = st.columns(3)
    rate = cols[0].select_slider("learning rate", [0.05, 0.1, 0.25, 0.5, 1.0, 2.0], value=BP.lr, key="autograd.bp.lr")
    target = cols[1].slider("target y", 0.0, 1.0, BP.target, 0.05, key="autograd.bp.target")
    seed = cols[2].number_input("seed", 0, 10_000, BP.seed, key="autograd.bp.seed")
    buttons = st.columns(4)
    steps = next((n for col, n in zip(buttons, (1, 10, 100)) if col.button(f"Step {n}", key=f"autograd.bp.step{n}")), 0)
    if buttons[3].button("Reset", key="autograd.bp.reset"):
        st.session_state.pop("autograd.pair.key", None)
    return bp.BackpropConfig(lr=rate, target=target, seed=int(seed)), steps


def backprop_section(device) -> None:
    """Manual deltas next to loss.backward() + SGD, stepped by the user."""
    cfg, steps = backprop_controls()
    pair = current_pair(cfg, device)
    steps = min(steps, cfg.max_steps - len(pair.history))
    if steps > 0:
        progress = ui.Progress(steps, "Training both networks")
        for done, record in enumerate(bp.train_pair(pair, steps), start=1):
            progress.update(done, f"loss {record.loss_autograd:.5f}")
        progress.done()
    manual_out, auto_out = bp.output(pair)
    cols = st.columns(3)
    cols[0].metric("steps", len(pair.history))
    cols[1].metric("output (manual / autograd)", f"{manual_out:.5f} / {auto_out:.5f}")
    cols[2].metric("largest weight difference", f"{bp.max_weight_diff(pair):.2e}")
    if pair.history:
        st.plotly_chart(_loss_figure(pair.history), width="stretch")
    _weight_heatmaps(pair)
    st.dataframe(_weight_rows(pair), hide_index=True, width="stretch")
    st.markdown("Both halves apply w ← w − lr·∂L/∂w with L = ½(out − y)². By hand: error = out − y, "
                "δ_out = error·s(1−s), δ_hidden = (δ_out W2ᵀ)·h(1−h), ∂L/∂W2 = hᵀδ_out, ∂L/∂W1 = xᵀδ_hidden. "
                "The difference stays at float32 rounding (~1e-7): autograd computes the same numbers.")
    ui.code_panel(bp.backprop_code(cfg, max(1, len(pair.history))))


def _loss_figure(history: list[bp.StepRecord]) -> go.Figure:
    steps = [r.step for r in history]
    fig = go.Figure([go.Scatter(x=steps, y=[r.loss_manual for r in history], name="by hand", line=dict(width=5)),
                     go.Scatter(x=steps, y=[r.loss_autograd for r in history], name="autograd", line=dict(dash="dash"))])
    return fig.update_layout(xaxis_title="step", yaxis_title="loss ½(out − y)²", height=300, margin=dict(t=20))


def _weight_heatmaps(pair: bp.NetPair) -> None:
    """W1 by hand, W1 from autograd and their difference (x 1e6), as heat-maps side by side."""
    manual, auto = pair.manual["W1"].cpu(), bp.autograd_weights(pair)["W1"].cpu()
    panels = {"W1 by hand": manual, "W1 with autograd": auto, "difference × 10⁶": (manual - auto) * 1e6}
    for column, (title, values) in zip(st.columns(3), panels.items()):
        fig = px.imshow(values.numpy(), text_auto=".3f", color_continuous_scale="RdBu", zmin=-1, zmax=1,
                        labels=dict(x="hidden unit", y="input"), title=title)
        column.plotly_chart(fig.update_layout(height=300, margin=dict(t=40, b=0), coloraxis_showscale=False),
                            width="stretch", key=f"autograd.bp.heat.{title}")


def _weight_rows(pair: bp.NetPair) -> list[dict]:
    auto = bp.autograd_weights(pair)
    return [{"weight": name, "shape": str(tuple(value.shape)), "by hand": ag.fmt(value),
             "autograd": ag.fmt(auto[name]), "max |diff|": f"{float((value - auto[name]).abs().max()):.1e}"}
            for name, value in pair.manual.items()]


def regression_data() -> tuple[tuple[float, ...], tuple[float, ...]] | None:
    choice = st.radio("data", [*lr.DATASETS, "my own points"], horizontal=True, key="autograd.lr.data")
    if choice != "my own points":
        return lr.DATASETS[choice]
    text = st.text_area("points, one `x, y` per line", value="1, 2\n2, 2.9\n3, 4.2\n4, 4.8", key="autograd.lr.points")
    try:
        return lr.parse_points(text)
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
    rate = left.select_slider("learning rate", LR.lr_options, value=LR.lr, key="autograd.lr.rate")
    steps = right.slider("steps", 10, LR.max_steps, LR.steps, 10, key="autograd.lr.steps")
    history = list(lr.fit(xs, ys, rate, steps, device))
    limit, (w_best, b_best) = lr.stability_limit(xs), lr.least_squares(xs, ys)
    last = history[-1]
    if lr.diverged(history):
        st.error(f"Diverged: the loss grew to {last.loss:.3g} by step {last.step}. Learning rate {rate} is above "
                 f"this data's stability limit ≈ {limit:.4g} - each step overshoots the minimum by more than it gained.")
    else:
        st.success(f"w = {last.w:.4f}, b = {last.b:.4f}, loss {last.loss:.4f} after {last.step} steps "
                   f"(least squares: w = {w_best:.4f}, b = {b_best:.4f}).")
    left, right = st.columns(2)
    left.plotly_chart(_fit_figure(xs, ys, history), width="stretch")
    right.plotly_chart(_mse_figure(history), width="stretch")
    st.markdown(f"Each step: loss = mean((w·x + b − y)²), `loss.backward()`, then inside `torch.no_grad()` "
                f"w −= lr·w.grad and b −= lr·b.grad, then zero the grads (they accumulate). Gradient descent "
                f"is stable for lr < 2/λ_max of the loss's curvature ≈ {limit:.4g} on this data.")
    ui.code_panel(lr.linreg_code(xs, ys, rate, steps))


def _fit_figure(xs, ys, history: list[lr.FitStep]) -> go.Figure:
    """Data and the line at evenly spaced steps, animated with Plotly's play button."""
    lo, hi = min(xs), max(xs)
    span = max(ys) - min(ys) or 1.0
    picks = history[:: max(1, len(history) // LR.frames)] + [history[-1]]
    line = lambda h: go.Scatter(x=[lo, hi], y=[h.w * lo + h.b, h.w * hi + h.b], mode="lines",  # noqa: E731
                                name=f"step {h.step}")
    points = go.Scatter(x=list(xs), y=list(ys), mode="markers", name="data")
    fig = go.Figure([points, line(history[-1])], frames=[go.Frame(data=[points, line(h)], name=str(h.step)) for h in picks])
    play = dict(type="buttons", buttons=[dict(label="▶ play", method="animate",
                                              args=[None, dict(frame=dict(duration=80), fromcurrent=False)])])
    return fig.update_layout(updatemenus=[play], height=350, margin=dict(t=30), xaxis_title="x", yaxis_title="y",
                             yaxis_range=[min(ys) - span, max(ys) + span])


def _mse_figure(history: list[lr.FitStep]) -> go.Figure:
    fig = go.Figure(go.Scatter(x=[h.step for h in history], y=[h.loss for h in history], mode="lines"))
    return fig.update_layout(yaxis_type="log", height=350, margin=dict(t=30), xaxis_title="step",
                             yaxis_title="MSE loss (log scale)")


st.title("🕸️ Autograd visualizer")
st.markdown(
    "Every operation on a tensor with `requires_grad=True` is recorded as a node in a graph; `backward()` "
    "walks that graph from the output to the leaves, applying the chain rule, and leaves the result in "
    "`.grad`. Build an expression and watch the graph, check the chain rule by hand, poke at autograd's "
    "rules, then train a network by hand next to autograd and fit a line with gradient descent.")
init_state()
device = ui.current_device()
tabs = st.tabs(["1 · Expression → graph", "2 · Chain rule", "3 · Behaviours", "4 · Backprop by hand", "5 · Linear regression"])
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
