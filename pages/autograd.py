"""Autograd visualizer: the graph PyTorch records, the chain rule by hand, and backprop two ways."""
from __future__ import annotations

from dataclasses import fields, replace
from typing import TYPE_CHECKING

import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

import ui
from lib.autograd import backprop, chain_rule, code, config, demos, graph, linreg, parser
from ui import links
from ui.i18n import _, option_labels, translate

if TYPE_CHECKING:
    import numpy as np

DEFAULTS = config.AutogradConfig()
RUN = "autograd.run"          # session-state key of this user's backprop.NetPair
FIT = "autograd.fit"          # and of the regression's last linreg.Fit
APPLIED = "autograd.applied"  # the preset whose expression and leaves the widgets were last set to
# widget key of each field of graph.ExpressionSettings
EXPRESSION_KEYS = {"expression": "autograd.expr",
                   **{name: f"autograd.leaf.{name}" for name in DEFAULTS.graph.leaf_names},
                   **{f"{name}_grad": f"autograd.grad.{name}" for name in DEFAULTS.graph.leaf_names}}


def intro() -> None:
    st.title(_("🕸️ Autograd visualizer"))
    st.markdown(_(
        "Every operation on a tensor with `requires_grad=True` is recorded as a node in a graph; `backward()` "
        "walks that graph from the output to the leaves, applying the chain rule, and leaves the result in "
        "`.grad`. Build an expression and watch the graph, check the chain rule by hand, poke at autograd's "
        "rules, then train a network by hand next to autograd and fit a line with gradient descent."))


def table(rows: list[dict], headers: dict[str, str], marked: tuple[str, ...] = ()) -> list[dict]:
    """Rows from lib in the reader's language: column names from `headers`, lib's Message values translated,
    and the values of the `marked` columns (texts lib marks with N_) looked up in the catalog."""
    return [{headers.get(k, k): _(v) if k in marked else translate(v) if isinstance(v, str) else v
             for k, v in row.items()} for row in rows]


def code_span(text: str) -> str:
    """PyTorch's own message, kept in English (learners search for it), as a code span."""
    return "`" + " ".join(str(text).split()).replace("`", "'") + "`"


# ----------------------------------------------------------------------------- 1. expression -> graph

def apply_preset(start: graph.ExpressionSettings, overwrite: bool) -> None:
    """Put a preset's expression and leaves into the widgets; on the first run keep keys already set (a test's)."""
    for f in fields(start):
        key = EXPRESSION_KEYS[f.name]
        if overwrite or key not in st.session_state:
            st.session_state[key] = getattr(start, f.name)


def expression_settings() -> tuple[str, graph.ExpressionSettings]:
    """Preset, expression and one column per leaf (value text and requires_grad), all in the link."""
    preset = ui.widgets.selectbox(_("Preset"), DEFAULTS.graph, "preset", key="autograd.preset",
                                  format_func=option_labels({k: p.title for k, p in graph.PRESETS.items()}))
    start = graph.preset_settings(preset)  # the link keeps only what differs from the chosen preset
    if st.session_state.get(APPLIED) != preset:
        apply_preset(start, overwrite=APPLIED in st.session_state)
    st.session_state[APPLIED] = preset
    values = {"expression": ui.widgets.text_input(
        _("Expression"), start, "expression", key="autograd.expr", max_chars=parser.MAX_LENGTH,
        help=_("Numbers, the leaves `x`, `w`, `b`, `+ - * / ** @`, and `exp log sin cos tanh sigmoid relu sum mean`."))}
    for column, name in zip(st.columns(len(DEFAULTS.graph.leaf_names)), DEFAULTS.graph.leaf_names):
        values[name] = ui.widgets.text_input(
            _("leaf {name}").format(name=name), start, name, key=f"autograd.leaf.{name}", where=column,
            help=_("A number `4`, a list `1, 2, 3`, rows `1, 2; 3, 4`, or ones(2, 2) / zeros(3) / arange(4)."))
        values[f"{name}_grad"] = ui.widgets.checkbox(_("requires grad"), start, f"{name}_grad",
                                                     key=f"autograd.grad.{name}", where=column)
    return preset, replace(start, **values)


def dot_words() -> graph.DotWords:
    return graph.DotWords(leaf=_("leaf {name}"), output=_("output"), value=_("value {value}"), grad=_("grad {grad}"),
                          internal=_(graph.INTERNAL))


def graph_section(device) -> tuple[graph.Evaluation, str, tuple] | None:
    """Expression -> backward graph; returns the evaluation for the chain-rule section."""
    preset, settings = expression_settings()
    expression, specs = settings.expression, settings.leaves()
    do_backward = ui.widgets.toggle(_("Call backward()"), DEFAULTS.graph, "backward", key="autograd.backward")
    try:
        ev = graph.build(expression, specs, device)
        if do_backward:
            graph.run_backward(ev)
    except ValueError as exc:
        ui.show_error(exc)
        return None
    for note in ev.notes:
        st.info(translate(note))
    left, right = st.columns([3, 2])
    left.graphviz_chart(graph.to_dot(graph.walk(ev), dot_words()))
    used = [f"`{name}.grad = {grad}`" for name, grad in graph.leaf_grads(ev).items()]
    right.markdown(_("**Gradients:** {grads}").format(grads=", ".join(used)) if used else
                   _("**Gradients:** none yet - switch on backward()."))
    if settings == graph.preset_settings(preset):  # the tutorial's numbers hold for its own leaves only
        right.caption(_("The tutorial's answer for this preset: {answer}.").format(
            answer=_(graph.PRESETS[preset].expected_grad)))
    right.markdown(_(
        "Read the graph top to bottom, the way `backward()` runs: the **output** hands the gradient 1 to "
        "its `grad_fn`; each orange `...Backward0` node multiplies by its local derivative and passes the "
        "result on to its `next_functions`; grey `AccumulateGrad` adds what arrives into the blue **leaf**'s "
        "`.grad`. Constants and leaves without `requires_grad` get no node at all (their slot in "
        "`next_functions` is `None`). Labels show each forward value and, after `backward()`, its gradient."))
    ui.code_panel(code.graph_code(expression, specs))
    return ev, expression, specs


# ----------------------------------------------------------------------------- 2. chain rule

def chain_rule_section(built, device) -> None:
    """Local derivatives along every path, checked against .grad, and gradcheck in float64."""
    if built is None:
        st.info(_("Fix the expression in the first tab to see its chain rule."))
        return
    ev, expression, specs = built
    if ev.leaves and not graph.leaf_grads(ev):
        st.info(_("Switch on 'Call backward()' in the first tab: the check compares with `.grad`."))
        return
    rows, checks = chain_rule.manual_backward(ev)
    headers = {"node": _("node"), "input": _("input"), "rule": _("local rule"), "local": _("local derivative"),
               "upstream": "upstream", "passed": _("passed on")}
    st.dataframe(table([r.__dict__ for r in rows], headers), hide_index=True, width="stretch")
    st.markdown(_("`upstream` is d(output)/d(node); multiplying it by the local derivative gives what the "
                  "node passes to that input. A leaf adds up what arrives along every path:"))
    st.dataframe([{_("leaf"): c.leaf, _("paths (products of local derivatives)"): " + ".join(f"({p})" for p in c.paths),
                   _("by hand"): c.manual, _(".grad from autograd"): c.autograd, _("agree"): "✅" if c.agree else "❌"}
                  for c in checks], hide_index=True, width="stretch")
    result = chain_rule.check_gradients(expression, specs, device)
    if result.passed:
        st.success(_("gradcheck passed: {detail}").format(detail=translate(result.message)))
    else:
        st.error(_("gradcheck failed: {detail}").format(detail=code_span(result.message)))
    st.caption(_("`torch.autograd.gradcheck` nudges each input by eps = 1e-6 in float64 and compares the finite "
                 "differences with autograd's Jacobian. It fails where the function has a kink, e.g. relu at 0."))
    ui.code_panel(code.graph_code(expression, specs))


# ----------------------------------------------------------------------------- 3. behaviours
# Each demo draws its controls and result and returns its code; behaviour_section frames it.

def propagation_demo(device) -> str:
    st.markdown(_("**1. `requires_grad` spreads:** an op's result requires grad when any input does."))
    left, right = st.columns(2)
    a = ui.widgets.checkbox(_("a requires grad"), DEFAULTS.demo, "a_requires_grad", key="autograd.demo.a", where=left)
    b = ui.widgets.checkbox(_("b requires grad"), DEFAULTS.demo, "b_requires_grad", key="autograd.demo.b", where=right)
    st.dataframe(table(demos.propagation(a, b, device), {"tensor": _("tensor")}), hide_index=True)
    st.caption(_("A tensor nothing recorded (like d when b needs no grad) counts as a leaf too: is_leaf means "
                 "'no grad_fn', not 'created by you'."))
    return code.propagation_code(a, b)


def accumulation_demo(device) -> str:
    st.markdown(_("**2. Gradients accumulate:** each `backward()` adds into `.grad` until you clear it."))
    left, right = st.columns(2)
    calls = ui.widgets.slider(_("backward() calls"), DEFAULTS.demo, "backward_calls", key="autograd.demo.calls",
                              where=left)
    zero = ui.widgets.checkbox(_("x.grad = None before each call"), DEFAULTS.demo, "zero_between",
                               key="autograd.demo.zero", where=right)
    rows = demos.accumulation(calls, zero, device)
    st.dataframe(table(rows, {"call": _("call")}), hide_index=True)
    st.caption(_("y = x² at x = 2, so one backward gives 4.") + " " +
               (_("Cleared each time: always 4.") if zero else
                _("Not cleared: 4 × {calls} = {total:g}.").format(calls=calls, total=rows[-1]["x.grad"])))
    return code.accumulation_code(calls, zero)


def retain_demo(device) -> str:
    st.markdown(_("**3. A graph is freed after `backward()`:** a second pass needs `retain_graph=True`."))
    retain = ui.widgets.checkbox(_("retain_graph=True on the first call"), DEFAULTS.demo, "retain_graph",
                                 key="autograd.demo.retain")
    result = demos.retain_graph(retain, device)
    st.markdown(_("After the first backward of y = eˣ·x at x = 2: `x.grad = {grad:.4f}`.").format(
        grad=result.first_grad))
    if result.error:
        st.error(_("Second backward → RuntimeError (PyTorch's real message): {error}").format(
            error=code_span(result.error)))
    else:
        st.success(_("Second backward worked; `x.grad = {grad:.4f}` (accumulated: twice the first).").format(
            grad=result.second_grad))
    return code.retain_graph_code(retain)


def gradient_demo(device) -> str | None:
    st.markdown(_("**4. Non-scalar outputs:** `y.backward()` needs `gradient=` - a weight per element of y."))
    text = ui.widgets.text_input(_("gradient v for y = x², x = [1, 2, 3]"), DEFAULTS.demo, "gradient_weights",
                                 key="autograd.demo.v", max_chars=100)
    try:
        weights = demos.parse_weights(text)
    except ValueError as exc:
        ui.show_error(exc)
        return None
    result = demos.backward_gradient(weights, device)
    st.error(_("`y.backward()` without gradient → RuntimeError: {error}").format(error=code_span(result.error)))
    st.markdown(_("`y.backward(gradient=v)` → `x.grad = {grad}` = v · 2x (a vector-Jacobian product; v = ones "
                  "gives the gradient of y.sum()).").format(grad=[round(g, 4) for g in result.grad]))
    return code.backward_gradient_code(weights)


def modes_demo(device) -> str:
    st.markdown(_("**5. Switching tracking off:** y = x·2 for x with requires_grad, five ways."))
    st.dataframe(table(demos.grad_modes(device), {"way": _("way"), "note": _("note")}, marked=("way", "note")),
                 hide_index=True, width="stretch")
    result = demos.inference_tensor(device)
    st.markdown(_("An inference tensor `y` made under `torch.inference_mode()` can still join a graph later as an "
                  "input: `w + y` backpropagates (`w.grad = {grad}`). Only operations that must save it for "
                  "backward fail: `w * y` needs `y` for w's gradient.").format(grad=result.add_grad))
    if result.mul_error:
        st.error(_("`w * y` → RuntimeError: {error}").format(error=code_span(result.mul_error)))
    return code.grad_modes_code()


def freezing_demo(device) -> str:
    st.markdown(_("**6. Freezing for fine-tuning:** frozen parameters get no `.grad` and the optimizer leaves "
                  "them alone."))
    freeze = ui.widgets.checkbox(_("freeze the first layer"), DEFAULTS.demo, "freeze_first",
                                 key="autograd.demo.freeze")
    rows = demos.freezing(freeze, DEFAULTS.demo.lr, DEFAULTS.demo.seed, device)
    st.dataframe(table(rows, {"parameter": _("parameter"), "shape": _("shape"), "has .grad": _("has .grad"),
                              "changed by step": _("changed by the step")}), hide_index=True)
    trainable = sum(1 for r in rows if r["requires_grad"])
    st.caption(_("{trainable} of {total} parameter tensors trainable after one SGD step.").format(
        trainable=trainable, total=len(rows)))
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
    rate = ui.widgets.select_slider(_("learning rate"), d, "lr", key="autograd.bp.lr", where=cols[0])
    target = ui.widgets.slider(_("target y"), d, "target", key="autograd.bp.target", where=cols[1])
    seed = ui.widgets.number_input(_("seed"), d, "seed", key="autograd.bp.seed", where=cols[2])
    buttons = st.columns(len(d.step_buttons) + 1)
    clicked = [n for col, n in zip(buttons, d.step_buttons)
               if col.button(_("Step {n}").format(n=n), key=f"autograd.bp.step{n}")]
    if buttons[-1].button(_("Reset"), key="autograd.bp.reset"):
        st.session_state.pop(RUN, None)
    return replace(d, lr=rate, target=target, seed=int(seed)), (clicked[0] if clicked else 0)


def backprop_section(device) -> None:
    """Manual deltas next to loss.backward() + SGD, stepped by the user."""
    cfg, wanted = backprop_controls()
    pair = current_pair(cfg, device)
    if steps := pair.steps_left(wanted):
        # a click runs at most 100 steps of a 5-3-1 net (~0.1 s): a light interaction, so it never queues
        # behind other visitors' training at the heavy-job gate (bench/autograd.py measures it)
        backprop.advance(pair, steps)
    manual_out, auto_out = backprop.output(pair)
    cols = st.columns(3)
    cols[0].metric(_("steps"), len(pair.history))
    cols[1].metric(_("output (manual / autograd)"), f"{manual_out:.5f} / {auto_out:.5f}")
    cols[2].metric(_("largest weight difference"), f"{backprop.max_weight_diff(pair):.2e}")
    if pair.history:
        st.plotly_chart(loss_figure(pair.history), width="stretch")
    for column, (title, values) in zip(st.columns(3), backprop.weight_panels(pair).items()):
        column.plotly_chart(weight_heatmap(_(title), values), width="stretch", key=f"autograd.bp.heat.{title}")
    st.dataframe(table(backprop.weight_rows(pair), {"weight": _("weight"), "shape": _("shape"),
                                                    "by hand": _("by hand")}), hide_index=True, width="stretch")
    st.markdown(_("Both halves apply w ← w − lr·∂L/∂w with L = ½(out − y)². By hand: error = out − y, "
                  "δ_out = error·s(1−s), δ_hidden = (δ_out W2ᵀ)·h(1−h), ∂L/∂W2 = hᵀδ_out, ∂L/∂W1 = xᵀδ_hidden. "
                  "The difference stays at float32 rounding (~1e-7): autograd computes the same numbers."))
    ui.code_panel(code.backprop_code(cfg, max(1, len(pair.history))))


def loss_figure(history: list[backprop.StepRecord]) -> go.Figure:
    steps = [r.step for r in history]
    fig = go.Figure([go.Scatter(x=steps, y=[r.loss_manual for r in history], name=_("by hand"), line=dict(width=5)),
                     go.Scatter(x=steps, y=[r.loss_autograd for r in history], name="autograd", line=dict(dash="dash"))])
    return fig.update_layout(xaxis_title=_("step"), yaxis_title=_("loss ½(out − y)²"), height=300, margin=dict(t=20))


def weight_heatmap(title: str, values: np.ndarray) -> go.Figure:
    """One (input x hidden unit) weight panel as a heat-map with its values written in."""
    fig = px.imshow(values, text_auto=".3f", color_continuous_scale="RdBu", zmin=-1, zmax=1,
                    labels=dict(x=_("hidden unit"), y=_("input")), title=title)
    return fig.update_layout(height=300, margin=dict(t=40, b=0), coloraxis_showscale=False)


# ----------------------------------------------------------------------------- 5. linear regression

def regression_data() -> tuple[tuple[float, ...], tuple[float, ...]] | None:
    d = DEFAULTS.linreg
    choice = ui.widgets.radio(_("data"), d, "data", key="autograd.lr.data", horizontal=True,
                              format_func=option_labels(linreg.DATA_TITLES))
    if choice != linreg.OWN_POINTS:
        links.after_widget("pts", d.points, d.points, links.text_codec())  # hidden box: its text leaves the link
        return linreg.DATASETS[choice]
    text = ui.widgets.text_input(_("points, one `x, y` per line"), d, "points", key="autograd.lr.points",
                                 area=True, max_chars=d.max_chars)
    try:
        return linreg.parse_points(text)
    except ValueError as exc:
        ui.show_error(exc)
        return None


def fitted(xs: tuple[float, ...], ys: tuple[float, ...], rate: float, steps: int, device) -> list[linreg.FitStep]:
    """The fit for these settings, kept in the session: a rerun caused by another widget does not redo it.

    Up to 2000 steps of two scalars (~0.1-0.3 s on a CPU) is light, so it never goes through the heavy-job gate,
    but it was most of the time of every rerun of this page (bench/autograd.py).
    """
    fit: linreg.Fit | None = st.session_state.get(FIT)
    if fit is None or not fit.matches(xs, ys, rate, steps, device):
        st.session_state[FIT] = fit = linreg.new_fit(xs, ys, rate, steps, device)
    return fit.history


def regression_section(device) -> None:
    """y = w x + b by manual gradient descent; the learning rate decides converge vs diverge."""
    data = regression_data()
    if data is None:
        return
    xs, ys = data
    left, right = st.columns(2)
    rate = ui.widgets.select_slider(_("learning rate"), DEFAULTS.linreg, "lr", key="autograd.lr.rate", where=left)
    steps = ui.widgets.slider(_("steps"), DEFAULTS.linreg, "steps", key="autograd.lr.steps", where=right)
    history = fitted(xs, ys, rate, steps, device)
    limit, (w_best, b_best) = linreg.stability_limit(xs), linreg.least_squares(xs, ys)
    last = history[-1]
    if linreg.diverged(history):
        st.error(_("Diverged: the loss grew to {loss:.3g} by step {step}. Learning rate {lr} is above this data's "
                   "stability limit ≈ {limit:.4g} - each step overshoots the minimum by more than it gained.").format(
                       loss=last.loss, step=last.step, lr=rate, limit=limit))
    else:
        st.success(_("w = {w:.4f}, b = {b:.4f}, loss {loss:.4f} after {step} steps (least squares: w = {w_best:.4f}, "
                     "b = {b_best:.4f}).").format(w=last.w, b=last.b, loss=last.loss, step=last.step, w_best=w_best,
                                                 b_best=b_best))
    left, right = st.columns(2)
    left.plotly_chart(fit_figure(xs, ys, history), width="stretch")
    right.plotly_chart(mse_figure(history), width="stretch")
    st.markdown(_("Each step: loss = mean((w·x + b − y)²), `loss.backward()`, then inside `torch.no_grad()` "
                  "w −= lr·w.grad and b −= lr·b.grad, then zero the grads (they accumulate). Gradient descent "
                  "is stable for lr < 2/λ_max of the loss's curvature ≈ {limit:.4g} on this data.").format(limit=limit))
    ui.code_panel(code.linreg_code(xs, ys, rate, steps))


def fit_figure(xs, ys, history: list[linreg.FitStep]) -> go.Figure:
    """Data and the line at evenly spaced steps, animated with Plotly's play button."""
    lo, hi = min(xs), max(xs)
    span = max(ys) - min(ys) or 1.0
    step_name = _("step {n}")
    line = lambda h: go.Scatter(x=[lo, hi], y=[h.w * lo + h.b, h.w * hi + h.b], mode="lines",  # noqa: E731
                                name=step_name.format(n=h.step))
    points = go.Scatter(x=list(xs), y=list(ys), mode="markers", name=_("data"))
    frames = [go.Frame(data=[points, line(h)], name=str(h.step))
              for h in linreg.snapshots(history, DEFAULTS.linreg.frames)]
    fig = go.Figure([points, line(history[-1])], frames=frames)
    play = dict(type="buttons", buttons=[dict(label=_("▶ play"), method="animate",
                                              args=[None, dict(frame=dict(duration=80), fromcurrent=False)])])
    return fig.update_layout(updatemenus=[play], height=350, margin=dict(t=30), xaxis_title="x", yaxis_title="y",
                             yaxis_range=[min(ys) - span, max(ys) + span])


def mse_figure(history: list[linreg.FitStep]) -> go.Figure:
    fig = go.Figure(go.Scatter(x=[h.step for h in history], y=[h.loss for h in history], mode="lines"))
    return fig.update_layout(yaxis_type="log", height=350, margin=dict(t=30), xaxis_title=_("step"),
                             yaxis_title=_("MSE loss (log scale)"))


# ----------------------------------------------------------------------------- the lesson

def main() -> None:
    """The lesson: idea, then the five sections as tabs (the open one in the link), then the link."""
    intro()
    device = ui.current_device()
    tabs = ui.widgets.tabs({"graph": _("1 · Expression → graph"), "chain": _("2 · Chain rule"),
                            "rules": _("3 · Behaviours"), "backprop": _("4 · Backprop by hand"),
                            "fit": _("5 · Linear regression")}, key="autograd.tab")
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
    ui.links.share_panel([_("the networks trained with the step buttons: the link restores their settings and "
                            "seed; press a step button to train them again")])


main()
