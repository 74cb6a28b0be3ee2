"""Tensor playground: create, index, reshape, combine and time tensors - and see them."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pandas as pd
import plotly.express as px
import streamlit as st

import ui
from lib.common.device import available_devices
from lib.common.messages import N_
from lib.common.samples import PHOTOS
from lib.tensors import (
    basics, bridge, code, config, create, display, index_parser, operations, promotion, ranks, timing, views,
)
from ui import links
from ui.i18n import _, option_labels, translate

if TYPE_CHECKING:
    import torch

DEFAULTS = config.TensorConfig()
TIMINGS = "tensors.timings"        # session-state key: the list of timing.Timing measured in this session
EDITS = "tensors.numpy.linked"     # the NumPy table's edits as a link brought them
EDITOR = "tensors.numpy.editor"    # the table's key; a new link's edits give it a fresh one
SHAPE_CHARS = config.SHAPE_CHARS


def intro() -> None:
    st.title(_("🧊 Tensor playground"))
    st.markdown(_(
        "A **tensor** is a box of numbers with a shape: a scalar, a vector, a matrix, an image, a batch of "
        "videos... Every model in PyTorch takes tensors in and gives tensors out. Here you make them, slice "
        "them, reshape them without copying, combine them, hand them to NumPy and time them on the "
        "accelerator. Each tab ends with the code for exactly what you see."))


# ---------------------------------------------------------------- helpers

def guarded(fn: Callable, *args: Any) -> Any:
    """Run a lib call; show its ValueError as an error box (in the reader's language) and return None."""
    try:
        return fn(*args)
    except ValueError as e:
        ui.show_error(e)
        return None


def shape_input(label: str, name: str, key: str, where: Any = st) -> str:
    return ui.widgets.text_input(label, DEFAULTS, name, key=key, where=where, max_chars=SHAPE_CHARS,
                                 help=_("Sizes separated by commas; empty = scalar."))


def heatmap(t: torch.Tensor, title: str = "", highlight: torch.Tensor | None = None, key: str = "") -> None:
    """Draw a tensor as annotated heat-map(s); `highlight` colours the picked cells instead."""
    if t.numel() == 0:
        st.caption(_("{title}: empty tensor, shape {shape} - nothing to draw.").format(title=title, shape=tuple(t.shape)))
        return
    if t.numel() > display.MAX_CELLS:
        st.caption(_("{title}: {n} values are too many to print; the histogram shows them.").format(title=title,
                                                                                                   n=t.numel()))
        histogram(t, key=f"{key}.hist")
        return
    g = display.grid(t, highlight)
    many = len(g.labels) > 1
    facet = {"facet_col": 0, "facet_col_wrap": 4} if many else {}
    colours = {"color_continuous_scale": "Blues", "range_color": [0, 1]} if highlight is not None \
        else {"color_continuous_scale": "Viridis"}
    fig = px.imshow(g.colour if many else g.colour[0], aspect="auto", title=title, **colours, **facet)
    for i, trace in enumerate(fig.data):
        trace.update(text=g.text[i] if many else g.text[0], texttemplate="%{text}", hoverinfo="text")
    fig.for_each_annotation(lambda a: a.update(text=g.labels[int(a.text.split("=")[-1])]))
    fig.update_xaxes(dtick=1 if g.values.shape[2] <= 16 else None)  # whole-number index ticks
    fig.update_yaxes(dtick=1 if g.values.shape[1] <= 16 else None)
    fig.update_layout(height=min(160 + 60 * g.values.shape[1] * ((len(g.labels) + 3) // 4), 700),
                      margin=dict(l=10, r=10, t=40, b=10), coloraxis_showscale=highlight is None)
    st.plotly_chart(fig, width="stretch", key=key or None)


def histogram(t: torch.Tensor, key: str) -> None:
    """Histogram of a tensor's values (random tensors, big tensors)."""
    fig = px.histogram(display.flat_values(t), nbins=40)
    fig.update_layout(height=260, showlegend=False, margin=dict(l=10, r=10, t=20, b=10),
                      xaxis_title=_("value"), yaxis_title=_("count"))
    st.plotly_chart(fig, width="stretch", key=key)


def facts(d: dict[str, str]) -> None:
    """A two-column table of facts about a tensor, labels and values in the reader's language."""
    st.dataframe(pd.DataFrame({_("property"): [_(k) for k in d], _("value"): [translate(v) for v in d.values()]}),
                 hide_index=True, width="stretch")


# ---------------------------------------------------------------- 1. create

def section_create(device: torch.device) -> None:
    st.markdown(_("Pick a **factory**, a **shape** (rank 0 to 5: `()` is a scalar, `2, 3, 4` a stack of "
                  "matrices), a **dtype** and a **seed**, and look at the tensor PyTorch builds."))
    left, mid, right = st.columns(3)
    factory = ui.widgets.selectbox(_("Factory"), DEFAULTS, "factory", key="tensors.create.factory", where=left)
    shape_text = shape_input(_("Shape"), "shape", "tensors.create.shape", mid)
    dtype = ui.widgets.selectbox("dtype", DEFAULTS, "dtype", key="tensors.create.dtype", where=right)
    extra = factory_controls(factory)
    shape = guarded(basics.parse_shape, shape_text)
    if shape is None:
        return
    spec = create.CreateSpec(factory=factory, shape=shape, dtype=dtype, **extra)
    created = guarded(create.create, spec, device)
    if created is None:
        return
    if factory in create.FACTORY_NOTES:
        st.info(_(create.FACTORY_NOTES[factory]))
    show_created(created, factory)
    ui.code_panel(code.creation_code(spec, str(device)))


def factory_controls(factory: str) -> dict:
    """Only the knobs the chosen factory uses."""
    cols = st.columns(3)
    extra: dict = {}
    if factory in create.RANDOM_FACTORIES:
        extra["seed"] = int(ui.widgets.number_input(_("Seed"), DEFAULTS, "seed", key="tensors.create.seed",
                                                    where=cols[0]))
    if factory in create.FILL_FACTORIES:
        extra["fill_value"] = ui.widgets.number_input(_("Fill value"), DEFAULTS, "fill_value",
                                                      key="tensors.create.fill", where=cols[1])
    if factory == "randint":
        extra["low"] = int(ui.widgets.number_input(_("low (inclusive)"), DEFAULTS, "low", key="tensors.create.low",
                                                   where=cols[1]))
        extra["high"] = int(ui.widgets.number_input(_("high (exclusive)"), DEFAULTS, "high",
                                                    key="tensors.create.high", where=cols[2]))
    if factory == "linspace":
        extra["start"] = ui.widgets.number_input("start", DEFAULTS, "start", key="tensors.create.start", where=cols[1])
        extra["end"] = ui.widgets.number_input("end", DEFAULTS, "end", key="tensors.create.end", where=cols[2])
    return extra


def show_created(created: create.Created, factory: str) -> None:
    t = created.tensor
    left, right = st.columns([3, 2])
    with left:
        heatmap(t, f"{factory}{tuple(t.shape)}", key="tensors.create.map")
        if factory in create.RANDOM_FACTORIES and display.worth_a_histogram(t):
            st.caption(_("Histogram of the values:"))
            histogram(t, key="tensors.create.values")
    with right:
        facts(created.facts)
        if created.source is not None:
            st.markdown(_("Shares memory with the NumPy array: **{answer}**").format(
                answer=_("yes") if created.shares_source else _("no - dtype or device differ, so it copied")))
        text = display.short_repr(t)
        with st.expander("repr", expanded=t.numel() <= 24):
            st.code(text if text is not None else _("{n} values (repr skipped)").format(n=t.numel()), language="text")


# ---------------------------------------------------------------- 2. ranks

CROP = (("top", "top"), ("left", "left"), ("height", "h"), ("width", "w"))  # widget key part, link name


def section_ranks() -> None:
    st.markdown(_("The **rank** (`dim()`) is the number of indices you need to reach one number. The same photo "
                  "becomes tensors of every rank from 0 to 5."))
    picked = photo_input()
    if picked.image is None:
        return
    rank = ui.widgets.select_slider(_("Rank"), DEFAULTS, "rank", key="tensors.rank")
    st.markdown(_("**Rank {rank}:** {meaning}").format(rank=rank, meaning=_(ranks.RANK_MEANINGS[rank])))
    hwc = ranks.image_tensor(picked.image, ranks.IMAGE_SIDE)
    x = ranks.rank_tensor(hwc, rank)
    f = ranks.facts(x)
    st.markdown(f"`x.shape = {f.shape}`, `x.dtype = {f.dtype}`, `x.numel() = {f.numel}`, `x.stride() = {f.stride}`")
    if f.shape:
        st.caption(_("All ranks are one flat row of numbers in memory; the stride says how far to jump for a step "
                     "along each dim (the last dim is {step} apart: {meaning}).").format(
            step=f.stride[-1], meaning=_("neighbours in memory") if f.last_dim_contiguous
            else _("not neighbours - a permuted view")))
    crop_box = draw_rank(rank, x, hwc, f)
    ui.code_panel(code.rank_code(rank, image_path(picked.name), ranks.IMAGE_SIDE, picked.image.size,
                                 crop_box=crop_box))


def photo_input() -> ui.Picked:
    """The photo picker, its sample in the link as `photo` (an upload cannot travel: the share panel says so)."""
    return ui.image_input("tensors.image", label=_("Photo"), default=DEFAULTS.photo, param="photo")


def image_path(name: str | None) -> str:
    """Where the generated code finds the photo: the sample's file, or the upload saved as my_photo.jpg."""
    return f"assets/images/{PHOTOS[name]}" if name in PHOTOS else "my_photo.jpg"


def draw_rank(rank: int, x: torch.Tensor, hwc: torch.Tensor, f: ranks.Facts) -> tuple[int, int, int, int] | None:
    if rank == 0:
        st.metric(_("x.item() - mean brightness"), f"{f.value:.2f}")
    elif rank == 1:
        fig = px.line(y=ranks.as_picture(x), labels={"x": _("column index"), "y": _("red value")})
        st.plotly_chart(fig.update_layout(height=260), width="stretch", key="tensors.rank.line")
    elif rank == 2:
        st.image(ranks.as_picture(x), caption=_("(H, W) greyscale: each number is a grey level"), width=320)
    elif rank == 3:
        return draw_image_rank(hwc)
    elif rank == 4:
        pictures = ranks.pictures(x)
        st.image(pictures, caption=[f"x[{i}]" for i in range(len(pictures))], width=150)
        st.caption(_("Stored as (N, C, H, W): `x[i]` is one image, `x[i, 0]` its red plane."))
    else:
        for n, (clip, name) in enumerate(zip(ranks.pictures(x), (_("panning right"), _("panning down")))):
            st.caption(_("clip x[{n}] - {name}").format(n=n, name=name))
            st.image(clip, caption=[f"x[{n}, {i}]" for i in range(len(clip))], width=100)
    return None


def draw_image_rank(hwc: torch.Tensor) -> tuple[int, int, int, int]:
    h, w, _c = hwc.shape
    fig = px.imshow(ranks.channels(hwc), facet_col=0, color_continuous_scale="gray", binary_string=False)
    names = [_("x[..., 0] red"), _("x[..., 1] green"), _("x[..., 2] blue")]
    fig.for_each_annotation(lambda a: a.update(text=names[int(a.text.split("=")[-1])]))
    st.plotly_chart(fig.update_layout(height=300, margin=dict(t=30, b=0)), width="stretch", key="tensors.rank.channels")
    st.caption(_("Each channel is an (H, W) matrix of 0-255; bright in red = a lot of red there."))
    top, left, ch, cw = crop_sliders(ranks.CropRange(h, w))
    patch = ranks.crop(hwc, top, left, ch, cw)
    a, b = st.columns(2)
    a.image(ranks.as_picture(hwc), caption=f"x: {tuple(hwc.shape)}", width=240)
    b.image(ranks.as_picture(patch), caption=f"x[{top}:{top + ch}, {left}:{left + cw}, :] -> {tuple(patch.shape)}",
            width=240)
    return top, left, ch, cw


def crop_sliders(box: ranks.CropRange) -> tuple[int, int, int, int]:
    """Four sliders whose ranges follow this photo's size, each in the link (top, left, h, w)."""
    labels = (_("top"), _("left"), _("height"), _("width"))
    codec, values = links.number_codec(int), []
    for col, (part, param), label, default, (lo, hi) in zip(st.columns(4), CROP, labels, box.default(), box.bounds()):
        key = f"tensors.crop.{part}"
        if not lo <= st.session_state.get(key, default) <= hi:  # another photo: the old crop may not fit
            st.session_state[key] = default
        values.append(ui.widgets.bound(
            lambda c=col, l=label, k=key, lo=lo, hi=hi, d=default: c.slider(l, lo, hi, d, key=k),
            key, param, default, codec, lambda v, lo=lo, hi=hi: lo <= v <= hi, col))
    return tuple(values)


# ---------------------------------------------------------------- 3. index

def section_index() -> None:
    st.markdown(_("Type a NumPy-style index. Supported: whole numbers, slices `a:b:step`, `...`, `None`, lists "
                  "`[0, 2]` or `[True, False, ...]`, and masks `x > 5` (`<`, `>=`, `<=`, `==`, `!=`). "
                  "Try `[:, 1]`, `[1:3, ::2]`, `[..., 0]`, `[x % 2]`... (the last one is refused, politely)."))
    a, b = st.columns([1, 2])
    shape_text = shape_input(_("Shape of x = arange(n).reshape(shape)"), "index_shape", "tensors.index.shape", a)
    text = ui.widgets.text_input(_("Index"), DEFAULTS, "index_text", key="tensors.index.text", where=b,
                                 max_chars=index_parser.MAX_INDEX_TEXT)
    shape = guarded(basics.parse_shape, shape_text, basics.MAX_RANK, display.MAX_CELLS)
    if shape is None:
        return
    example = guarded(views.index_example, shape, text)
    if example is None:
        heatmap(views.arange_source(shape), "x", key="tensors.index.source")
        return
    left, right = st.columns(2)
    with left:
        heatmap(example.x, _("x - the cells the index reads are dark"), highlight=example.picked, key="tensors.index.map")
    with right:
        heatmap(example.result, _("x{index} -> shape {shape}").format(index=example.source,
                                                                     shape=tuple(example.result.shape)),
                key="tensors.index.result")
    st.markdown(_("**{n} of {total}** cells selected; the result has shape `{shape}`. Basic indexing (numbers, "
                  "slices) gives a **view**; lists and masks give a **copy** (here: {kind}).").format(
        n=int(example.picked.sum()), total=example.x.numel(), shape=tuple(example.result.shape),
        kind=_("view") if example.is_view else _("copy")))
    ui.code_panel(code.index_code(shape, example.source))


# ---------------------------------------------------------------- 4. views

def section_views() -> None:
    st.markdown(_("A tensor is a flat block of memory (its **storage**) plus a **shape**, **strides** (how many "
                  "elements to jump per index step) and an **offset**. Views change only those three numbers."))
    c = st.columns([2, 2, 3])
    shape_text = shape_input(_("Shape of x"), "reshape_shape", "tensors.view.shape", c[0])
    op = ui.widgets.selectbox(_("Operation"), DEFAULTS, "reshape_op", key="tensors.view.op", where=c[1])
    args_text = args_input(op, c[2])
    transposed = ui.widgets.checkbox(_("Transpose x first (`x = x.transpose(-2, -1)`: same storage, not contiguous)"),
                                     DEFAULTS, "transposed", key="tensors.view.transposed")
    shape = guarded(basics.parse_shape, shape_text, basics.MAX_RANK, display.MAX_CELLS)
    args = guarded(basics.parse_ints, args_text)
    if shape is None or args is None:
        return
    x = guarded(views.arange_source, shape, transposed)
    if x is None:
        return
    try:
        y = views.apply_reshape(x, op, args)
    except ValueError as e:
        ui.show_error(e)
        y = fallback(x, op, args)
        if y is None:
            return
        op = "reshape"
    show_views(x, y, op, args)
    ui.code_panel(code.reshape_code(shape, transposed, op, args))


def args_input(op: str, where: Any) -> str:
    """The op's arguments; each op starts from its own example, linked as `vargs`."""
    default, key = views.RESHAPE_DEFAULT_ARGS[op], f"tensors.view.args.{op}"
    label = _("Arguments: {what}").format(what=_(views.RESHAPE_OPS[op]))
    return ui.widgets.bound(lambda: where.text_input(label, default, max_chars=SHAPE_CHARS, key=key),
                            key, "vargs", default, links.text_codec(SHAPE_CHARS), lambda v: True, where)


def fallback(x: torch.Tensor, op: str, args: tuple[int, ...]) -> torch.Tensor | None:
    """When `view` fails on a non-contiguous tensor, show that `reshape` copies instead."""
    if not views.can_fall_back(x, op):
        return None
    y = guarded(views.apply_reshape, x, "reshape", args)
    if y is not None:
        st.warning(_("`view` never copies, so it refuses when the strides cannot express the new shape. "
                     "`reshape` does the same when it can and **copies** when it must - below is `x.reshape(...)`."))
    return y


def show_views(x: torch.Tensor, y: torch.Tensor, op: str, args: tuple[int, ...]) -> None:
    left, right = st.columns(2)
    with left:
        heatmap(x, "x", key="tensors.view.x")
        facts(views.layout(x))
    with right:
        heatmap(y, f"y = x.{op}({', '.join(map(str, args))}) -> {tuple(y.shape)}", key="tensors.view.y")
        facts(views.layout(y))
    shared = views.shares_storage(x, y)
    st.markdown(_("**y shares storage with x: {answer}.**").format(
        answer=_("yes - a view, writing to y changes x") if shared else _("no - a copy")))
    if op == "resize_" and y.numel() > x.numel():
        st.warning(_("`resize_` grew the tensor: elements {first} to {last} (flat order) are **uninitialised "
                     "memory** - whatever bytes were there.").format(first=x.numel(), last=y.numel() - 1))
    elif op == "resize_" and y.numel() < x.numel():
        st.warning(_("`resize_` silently dropped the last {n} elements.").format(n=x.numel() - y.numel()))
    if 0 < y.numel() <= display.MAX_CELLS:
        heatmap(views.storage_positions(y), _("where each element of y lives in its storage (offset + Σ index·stride)"),
                key="tensors.view.storage")


# ---------------------------------------------------------------- 5. operations

def section_ops() -> None:
    topics = config.TOPICS
    topic = ui.widgets.bound(
        lambda: st.segmented_control(_("Topic"), list(topics), default=DEFAULTS.topic, key="tensors.ops.topic",
                                     format_func=option_labels(topics)) or DEFAULTS.topic,
        "tensors.ops.topic", "topic", DEFAULTS.topic, links.option_codec(tuple(topics)), lambda v: v in topics, st)
    draw = {"broadcast": ops_broadcast, "matmul": ops_matmul, "reduce": ops_reduce, "inplace": ops_inplace,
            "promotion": ops_promotion, "overflow": ops_overflow}
    draw[topic]()


def two_shapes(key: str, name_a: str, name_b: str) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
    a, b = st.columns(2)
    sa = guarded(basics.parse_shape, shape_input(_("Shape of a"), name_a, f"{key}.a", a))
    sb = guarded(basics.parse_shape, shape_input(_("Shape of b"), name_b, f"{key}.b", b))
    return (sa, sb) if sa is not None and sb is not None else None


def ops_broadcast() -> None:
    op = ui.widgets.selectbox(_("Operation"), DEFAULTS, "elementwise_op", key="tensors.ops.elementwise")
    shapes = two_shapes("tensors.ops.bshape", "shape_a", "shape_b")
    rows = guarded(operations.broadcast_table, *shapes) if shapes is not None else None
    ab = guarded(operations.operands, *shapes) if rows is not None else None
    if ab is None:
        return
    st.markdown(_("**Broadcasting:** align the shapes on the right, pad the shorter with 1s, and stretch every "
                  "size-1 dim to match (no memory is copied - the stride is 0)."))
    headers = {"dim": "dim", "a": "a", "b": "b", "result": _("result"), "rule": _("rule")}
    st.dataframe(pd.DataFrame([{headers[k]: _(v) for k, v in row.items()} for row in rows]), hide_index=True)
    a, b = ab
    y = operations.elementwise(a, b, op)
    for col, t, name in zip(st.columns(3), (operations.stretched(a, y), operations.stretched(b, y), y), "aby"):
        with col:
            title = f"y {tuple(t.shape)}" if name == "y" else f"{name}.expand_as(y): stride {t.stride()}"
            heatmap(t, title, key=f"tensors.ops.b.{name}")
    ui.code_panel(code.elementwise_code(*shapes, op))


def ops_matmul() -> None:
    shapes = two_shapes("tensors.ops.mshape", "matmul_a", "matmul_b")
    out = guarded(operations.matmul, *shapes) if shapes is not None else None
    if out is None:
        return
    a, b, y = out
    st.markdown(_("**Shape rule:** `(n, k) @ (k, m) -> (n, m)`; here `{a} @ {b} -> {y}`. Each output cell is a "
                  "row of a times a column of b, summed.").format(a=tuple(a.shape), b=tuple(b.shape), y=tuple(y.shape)))
    for col, t, name in zip(st.columns(3), (a, b, y), ("a", "b", "a @ b")):
        with col:
            heatmap(t, f"{name} {tuple(t.shape)}", key=f"tensors.ops.m.{name}")
    ui.code_panel(code.matmul_code(*shapes))


def ops_reduce() -> None:
    c = st.columns(4)
    shape = guarded(basics.parse_shape, shape_input(_("Shape of x"), "reduce_shape", "tensors.ops.rshape", c[0]))
    op = ui.widgets.selectbox(_("Reduction"), DEFAULTS, "reduction", key="tensors.ops.reduction", where=c[1])
    dims = operations.reduce_dims(len(shape or ()))
    dim_text = ui.widgets.bound(
        lambda: c[2].selectbox("dim", dims, key="tensors.ops.dim", format_func=option_labels({d: d for d in dims} | {"all": N_("all")})),
        "tensors.ops.dim", "dim", "all", links.option_codec(dims), lambda v: v in dims, c[2])
    keepdim = ui.widgets.checkbox("keepdim", DEFAULTS, "keepdim", key="tensors.ops.keepdim", where=c[3])
    ops = guarded(operations.operands, shape, ()) if shape is not None else None
    if ops is None:
        return
    x, dim = ops[0], None if dim_text == "all" else int(dim_text)
    y = guarded(operations.reduce, x, op, dim, keepdim)
    if y is None:
        return
    left, right = st.columns(2)
    with left:
        heatmap(x, f"x {tuple(x.shape)}", key="tensors.ops.r.x")
    with right:
        heatmap(y, f"x.{op}({'' if dim is None else f'dim={dim}, keepdim={keepdim}'}) -> {tuple(y.shape)}",
                key="tensors.ops.r.y")
    st.caption(_("Reducing over `dim` removes that dim (or keeps it with size 1 when `keepdim=True`, handy for "
                 "broadcasting the result back against x)."))
    ui.code_panel(code.reduce_code(shape, op, dim, keepdim))


def ops_inplace() -> None:
    value = ui.widgets.number_input("v", DEFAULTS, "inplace_value", key="tensors.ops.inplace")
    demo = operations.inplace_demo(value)
    yes_no = {True: _("yes"), False: _("no")}
    st.markdown(_("`x.add_(v)` writes into x: same memory afterwards? **{same}**; it returns x itself? **{returns}**. "
                  "`x + v` allocated a new tensor: **{new}**. Every in-place op ends in `_` (`add_`, `mul_`, "
                  "`zero_`); they save memory but can break autograd when the old value was needed for a "
                  "gradient.").format(same=yes_no[demo.same_memory_after], returns=yes_no[demo.returns_x],
                                      new=yes_no[demo.y_is_new]))
    left, right = st.columns(2)
    with left:
        heatmap(demo.x, _("x after x.add_(v)"), key="tensors.ops.i.x")
    with right:
        heatmap(demo.y, _("y = x + v (computed before add_)"), key="tensors.ops.i.y")
    ui.code_panel(code.inplace_code(value))


def ops_promotion() -> None:
    c = st.columns(3)
    da = ui.widgets.selectbox(_("dtype of a"), DEFAULTS, "promote_a", key="tensors.ops.pa", where=c[0])
    db = ui.widgets.selectbox(_("dtype of b"), DEFAULTS, "promote_b", key="tensors.ops.pb", where=c[1])
    kind = ui.widgets.radio(_("b is"), DEFAULTS, "b_kind", key="tensors.ops.pkind", where=c[2],
                            format_func=option_labels(promotion.B_KINDS))
    facts(promotion.promotion_facts(promotion.promotion(da, db, kind)))
    st.markdown(_("**The rule** (`torch.result_type`): the highest *category* present wins - bool < integer < "
                  "floating point. Within it, among the tensors that have dims, `torch.promote_types` picks the "
                  "smallest dtype that holds every value of both, which need not be either one: `{a} + {b}` gives "
                  "**{result}**. 0-dim tensors and Python numbers count only when their category is higher: an int8 "
                  "tensor + 2 stays **{with_int}**, an int8 tensor + 2.5 becomes **{with_float}** (the default "
                  "float dtype).").format(**promotion.rule_sentence()))
    rows = [{"a": p.a, "b": f"{p.b} ({_(promotion.B_KINDS[p.b_kind])})", "a + b": p.result,
             _("neither operand's dtype"): "✓" if p.is_neither else ""} for p in promotion.rule_cases()]
    st.dataframe(pd.DataFrame(rows), hide_index=True)
    ui.code_panel(code.promotion_code(da, db, kind))


def ops_overflow() -> None:
    name = ui.widgets.selectbox(_("Example"), DEFAULTS, "overflow", key="tensors.ops.overflow")
    dtype, value, step = promotion.OVERFLOW_EXAMPLES[name]
    facts(promotion.overflow(dtype, value, step))
    st.caption(_("Integers wrap around silently (int8 holds -128..127). float16 has 11 significant bits, so above "
                 "2048 it cannot store every whole number, and 0.1 is only approximately 0.1 in any float."))
    ui.code_panel(code.overflow_code(dtype, value, step))


# ---------------------------------------------------------------- 6. NumPy bridge

def section_numpy(device: torch.device) -> None:
    st.markdown(_("`torch.from_numpy(array)` and `tensor.numpy()` **share memory**: change one and the other "
                  "changes. `torch.tensor(array)` **copies**. Moving to another device copies too. **Edit a cell "
                  "of the NumPy array** below, or write into the tensor, and watch who notices."))
    rows, cols = DEFAULTS.bridge_rows, DEFAULTS.bridge_cols
    numpy_edits = edited_cells(rows, cols)
    if numpy_edits is None:
        return
    c = st.columns(4)
    write = ui.widgets.checkbox(_("Write into the tensor"), DEFAULTS, "write", key="tensors.numpy.write", where=c[0])
    r = ui.widgets.number_input(_("row"), DEFAULTS, "row", key="tensors.numpy.row", where=c[1])
    col = ui.widgets.number_input(_("column"), DEFAULTS, "col", key="tensors.numpy.col", where=c[2])
    v = ui.widgets.number_input(_("value"), DEFAULTS, "value", key="tensors.numpy.value", where=c[3])
    edit = (int(r), int(col), float(v)) if write else None
    result = guarded(bridge.bridge, rows, cols, numpy_edits, edit, device)
    if result is None:
        return
    show_bridge(result, device)
    ui.code_panel(code.bridge_code(rows, cols, numpy_edits, edit, str(device)))


def edited_cells(rows: int, cols: int) -> list[bridge.Edit] | None:
    """The table of the NumPy array; its edits travel in the link (`edits`), packed."""
    codec, base = links.packed_codec(), bridge.start_array(rows, cols)
    links.before_widget(EDITS, "edits", [], codec, lambda v: bridge.valid_edits(v, rows, cols))
    linked = [tuple(e) for e in st.session_state.get(EDITS, [])]
    if st.session_state.get(f"{EDITOR}.from") != linked:  # a new link: a fresh table showing its edits
        st.session_state[f"{EDITOR}.version"] = st.session_state.get(f"{EDITOR}.version", 0) + 1
        st.session_state[f"{EDITOR}.from"] = linked
    start = bridge.apply_edits(base, [(int(r), int(c), float(v)) for r, c, v in linked])
    edited = st.data_editor(pd.DataFrame(start, columns=[str(c) for c in range(cols)]),
                            key=f"{EDITOR}.{st.session_state[f'{EDITOR}.version']}")
    edits = guarded(bridge.cell_edits, base, edited.to_numpy())
    links.after_widget("edits", [list(e) for e in edits or []], [], codec)
    if problem := links.problem("edits"):
        st.warning(problem, icon="🔗")
    return edits


def show_bridge(b: bridge.Bridge, device: torch.device) -> None:
    for col, (name, t, changed) in zip(st.columns(4), b.views()):
        with col:
            heatmap(t, name, highlight=changed, key=f"tensors.numpy.{name}")
    same = _("the **same** tensor on CPU: `.to('cpu')` returns it unchanged, so it shares memory too") \
        if device.type == "cpu" else _("a **copy** in {device} memory, so it kept the old values").format(device=device)
    st.markdown(_("Dark cells differ from the original count. `shared` follows every edit; `copied` never does; "
                  "`moved` is {same}.").format(same=same))


# ---------------------------------------------------------------- 7. timing

def section_timing(device: torch.device) -> None:
    st.markdown(_("A matrix product of two n x n matrices costs 2n³ operations. Small products are dominated by "
                  "overheads (launching a kernel, copying), big ones by raw arithmetic - that is where a GPU wins. "
                  "Timings use warm-up runs and wait for the accelerator (`synchronize`) before reading the clock."))
    accelerators = [d for d in available_devices() if d.key != "cpu"]
    if device.type == "cpu":
        st.info(_("No accelerator selected - pick {name} in the sidebar to compare.").format(name=accelerators[0].label)
                if accelerators else _("No accelerator selected and none found on this machine: showing the CPU "
                                       "curve only."))
    sizes = tuple(sorted(ui.widgets.multiselect(_("Matrix sizes n"), DEFAULTS, "timing_sizes",
                                                key="tensors.time.sizes")))
    if st.button(_("Time it"), key="tensors.time.run", type="primary") and sizes:
        run_timing(sizes, timing.devices_to_time(device))
    timings = st.session_state.get(TIMINGS)
    if timings:
        plot_timings(timings, str(device))
    ui.code_panel(code.timing_code(sizes or DEFAULTS.timing_sizes, str(device)))


def run_timing(sizes: tuple[int, ...], devices: list[torch.device]) -> None:
    bar = st.progress(0.0, text=_("Timing…"))
    total, timings = len(sizes) * len(devices), []
    for i, t in enumerate(timing.timing_curve(sizes, devices)):
        timings.append(t)
        bar.progress((i + 1) / total, text=f"{t.device} n={t.n}: {t.seconds * 1e3:.2f} ms")
    bar.empty()
    st.session_state[TIMINGS] = timings


def plot_timings(timings: list[timing.Timing], device: str) -> None:
    ms, device_col = _("milliseconds"), _("device")
    df = pd.DataFrame([{device_col: t.device, "n": t.n, ms: t.seconds * 1e3, "GFLOP/s": t.gflops} for t in timings])
    for col, y in zip(st.columns(2), (ms, "GFLOP/s")):
        fig = px.line(df, x="n", y=y, color=device_col, markers=True, log_x=True, log_y=True)
        col.plotly_chart(fig.update_layout(height=320), width="stretch", key=f"tensors.time.{y}")
    if device != "cpu" and any(t.device == device for t in timings):
        n = timing.crossover(timings, device)
        st.success(_("{device} is faster from n = {n} upwards.").format(device=device, n=n) if n
                   else _("The CPU won at every size measured; try larger n."))
    st.dataframe(df, hide_index=True)


# ---------------------------------------------------------------- page

def main() -> None:
    intro()
    device = ui.current_device()
    sections = {"create": lambda: section_create(device), "ranks": section_ranks, "index": section_index,
                "views": section_views, "ops": section_ops, "numpy": lambda: section_numpy(device),
                "timing": lambda: section_timing(device)}
    tabs = ui.widgets.tabs({k: _(v) for k, v in config.SECTIONS.items()}, key="tensors.tab")
    for tab, draw in zip(tabs, sections.values()):
        if tab.open:
            with tab:
                draw()
    ui.links.share_panel([_("an uploaded photo: the link opens the sample photo instead"),
                          _("the timings: the link restores the sizes; press Time it to measure them on your "
                            "own device")])


main()
