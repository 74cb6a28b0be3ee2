"""Tensor playground: create, index, reshape, combine and time tensors - and see them."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.express as px
import streamlit as st
import torch

from lib import index_parser as ip
from lib import tensors as T
from lib.common.device import available_devices
from lib.common.samples import PHOTOS
from ui import code_panel, current_device, image_input, show_error

C = T.CONFIG
TABS = ["1 · Create", "2 · Ranks", "3 · Index", "4 · Views", "5 · Operations", "6 · NumPy", "7 · CPU vs GPU"]


# ---------------------------------------------------------------- drawing helpers

def heatmap(t: torch.Tensor, title: str = "", highlight: torch.Tensor | None = None, key: str = "") -> None:
    """Draw a tensor as annotated heat-map(s); `highlight` colours the picked cells instead."""
    if t.numel() == 0:
        st.caption(f"{title}: empty tensor, shape {tuple(t.shape)} - nothing to draw.")
        return
    if t.numel() > C.max_cells_shown:
        st.caption(f"{title}: {t.numel()} values are too many to print; the histogram shows them.")
        histogram(t, key=f"{key}.hist")
        return
    values, labels = T.panels(t)
    z = values if highlight is None else T.panels(highlight)[0]
    is_float = t.is_floating_point()
    text = np.vectorize(lambda v: f"{v:.2f}" if is_float else f"{v:.0f}")(values)
    facet = {"facet_col": 0, "facet_col_wrap": 4} if len(labels) > 1 else {}
    colours = {"color_continuous_scale": "Blues", "range_color": [0, 1]} if highlight is not None \
        else {"color_continuous_scale": "Viridis"}
    fig = px.imshow(z if len(labels) > 1 else z[0], aspect="auto", title=title, **colours, **facet)
    for i, trace in enumerate(fig.data):
        trace.update(text=text[i] if len(labels) > 1 else text[0], texttemplate="%{text}", hoverinfo="text")
    fig.for_each_annotation(lambda a: a.update(text=labels[int(a.text.split("=")[-1])]))
    fig.update_xaxes(dtick=1 if values.shape[2] <= 16 else None)  # whole-number index ticks
    fig.update_yaxes(dtick=1 if values.shape[1] <= 16 else None)
    fig.update_layout(height=min(160 + 60 * values.shape[1] * ((len(labels) + 3) // 4), 700),
                      margin=dict(l=10, r=10, t=40, b=10), coloraxis_showscale=highlight is None)
    st.plotly_chart(fig, width="stretch", key=key or None)


def histogram(t: torch.Tensor, key: str) -> None:
    """Histogram of a tensor's values (random tensors, big tensors)."""
    values = t.detach().to("cpu").reshape(-1).double().numpy()  # any shape -> (numel,)
    fig = px.histogram(values, nbins=40, labels={"value": "value"})
    fig.update_layout(height=260, showlegend=False, margin=dict(l=10, r=10, t=20, b=10))
    st.plotly_chart(fig, width="stretch", key=key)


def facts(d: dict[str, str]) -> None:
    """A two-column table of facts about a tensor."""
    st.dataframe(pd.DataFrame({"property": list(d), "value": list(d.values())}), hide_index=True, width="stretch")


def guarded(fn, *args):
    """Run a lib call; show a ValueError as an error box and return None."""
    try:
        return fn(*args)
    except ValueError as e:
        show_error(e)
        return None


# ---------------------------------------------------------------- 1. create

def section_create(device: torch.device) -> None:
    st.markdown("Pick a **factory**, a **shape** (rank 0 to 5: `()` is a scalar, `2, 3, 4` a stack of "
                "matrices), a **dtype** and a **seed**, and look at the tensor PyTorch builds.")
    left, mid, right = st.columns(3)
    factory = left.selectbox("Factory", T.FACTORIES, index=T.FACTORIES.index(C.factory), key="tensors.create.factory")
    shape_text = mid.text_input("Shape", C.shape, key="tensors.create.shape", help="Sizes separated by commas; empty = scalar.")
    dtype = right.selectbox("dtype", list(T.DTYPES), index=list(T.DTYPES).index(C.dtype), key="tensors.create.dtype")
    extra = _factory_controls(factory)
    shape = guarded(T.parse_shape, shape_text)
    if shape is None:
        return
    spec = T.CreateSpec(factory=factory, shape=shape, dtype=dtype, **extra)
    created = guarded(T.create, spec, device)
    if created is None:
        return
    if factory in T.FACTORY_NOTES:
        st.info(T.FACTORY_NOTES[factory])
    _show_created(created, factory)
    code_panel(T.creation_code(spec, str(device)))


def _factory_controls(factory: str) -> dict:
    """Only the knobs the chosen factory uses."""
    cols = st.columns(3)
    extra: dict = {}
    if factory in T.RANDOM_FACTORIES:
        extra["seed"] = cols[0].number_input("Seed", 0, 2**31 - 1, C.seed, key="tensors.create.seed")
    if factory in ("full", "full_like", "new_full"):
        extra["fill_value"] = cols[1].number_input("Fill value", value=C.fill_value, key="tensors.create.fill")
    if factory == "randint":
        extra["low"] = cols[1].number_input("low (inclusive)", value=C.low, key="tensors.create.low")
        extra["high"] = cols[2].number_input("high (exclusive)", value=C.high, key="tensors.create.high")
    if factory == "linspace":
        extra["start"] = cols[1].number_input("start", value=C.start, key="tensors.create.start")
        extra["end"] = cols[2].number_input("end", value=C.end, key="tensors.create.end")
    return extra


def _show_created(created: T.Created, factory: str) -> None:
    t = created.tensor
    left, right = st.columns([3, 2])
    with left:
        heatmap(t, f"{factory}{tuple(t.shape)}", key="tensors.create.map")
        if factory in T.RANDOM_FACTORIES and t.numel() > 1 and t.dtype != torch.bool:
            st.caption("Histogram of the values:")
            histogram(t, key="tensors.create.values")
    with right:
        facts(created.facts)
        if created.source is not None:
            shared = t.data_ptr() == created.source.ctypes.data
            st.markdown(f"Shares memory with the NumPy array: **{'yes' if shared else 'no - dtype or device differ, so it copied'}**")
        with st.expander("repr", expanded=t.numel() <= 24):
            st.code(repr(t.cpu()) if t.numel() <= 1000 else f"{t.numel()} values (repr skipped)", language="text")


# ---------------------------------------------------------------- 2. ranks

def section_ranks() -> None:
    st.markdown("The **rank** (`dim()`) is the number of indices you need to reach one number. The same photo "
                "becomes tensors of every rank from 0 to 5.")
    image = image_input("tensors.image", label="Photo").image
    if image is None:
        return
    rank = st.select_slider("Rank", options=list(range(6)), value=3, key="tensors.rank",
                            format_func=lambda r: f"{r}")
    st.markdown(f"**Rank {rank}:** {T.RANK_MEANINGS[rank]}")
    hwc = T.image_tensor(image, C.image_side)
    x = T.rank_tensor(hwc, rank, C.batch, C.frames)
    st.markdown(f"`x.shape = {tuple(x.shape)}`, `x.dtype = {x.dtype}`, `x.numel() = {x.numel()}`, "
                f"`x.stride() = {x.stride()}`")
    if x.dim():
        st.caption("All ranks are one flat row of numbers in memory; the stride says how far to jump for a "
                   f"step along each dim (the last dim is {x.stride()[-1]} apart: "
                   f"{'neighbours in memory' if x.stride()[-1] == 1 else 'not neighbours - a permuted view'}).")
    crop_box = _draw_rank(rank, x, hwc)
    code_panel(T.rank_code(rank, _image_path(), C.image_side, image.size, C.batch, C.frames, crop_box))


def _draw_rank(rank: int, x: torch.Tensor, hwc: torch.Tensor) -> tuple[int, int, int, int] | None:
    if rank == 0:
        st.metric("x.item() - mean brightness", f"{x.item():.2f}")
    elif rank == 1:
        fig = px.line(y=x.numpy(), labels={"x": "column index", "y": "red value"})
        st.plotly_chart(fig.update_layout(height=260), width="stretch", key="tensors.rank.line")
    elif rank == 2:
        st.image(x.numpy(), caption="(H, W) greyscale: each number is a grey level", width=320)
    elif rank == 3:
        return _draw_image_rank(hwc)
    elif rank == 4:
        st.image([img.permute(1, 2, 0).numpy() for img in x], caption=[f"x[{i}]" for i in range(len(x))], width=150)
        st.caption("Stored as (N, C, H, W): `x[i]` is one image, `x[i, 0]` its red plane.")
    else:
        for n, name in enumerate(("panning right", "panning down")):
            st.caption(f"clip x[{n}] - {name}")
            st.image([f.permute(1, 2, 0).numpy() for f in x[n]], caption=[f"x[{n}, {f}]" for f in range(len(x[n]))], width=100)
    return None


def _draw_image_rank(hwc: torch.Tensor) -> tuple[int, int, int, int]:
    h, w, _ = hwc.shape
    fig = px.imshow(hwc.permute(2, 0, 1).numpy(), facet_col=0, color_continuous_scale="gray", binary_string=False)
    fig.for_each_annotation(lambda a: a.update(text=["x[..., 0] red", "x[..., 1] green", "x[..., 2] blue"][int(a.text.split("=")[-1])]))
    st.plotly_chart(fig.update_layout(height=300, margin=dict(t=30, b=0)), width="stretch", key="tensors.rank.channels")
    st.caption("Each channel is an (H, W) matrix of 0-255; bright in red = a lot of red there.")
    c = st.columns(4)
    top = c[0].slider("top", 0, h - 1, h // 4, key="tensors.crop.top")
    left = c[1].slider("left", 0, w - 1, w // 4, key="tensors.crop.left")
    ch = c[2].slider("height", 1, h, h // 2, key="tensors.crop.height")
    cw = c[3].slider("width", 1, w, w // 2, key="tensors.crop.width")
    patch = T.crop(hwc, top, left, ch, cw)
    a, b = st.columns(2)
    a.image(hwc.numpy(), caption=f"x: {tuple(hwc.shape)}", width=240)
    b.image(patch.numpy(), caption=f"x[{top}:{top + ch}, {left}:{left + cw}, :] -> {tuple(patch.shape)}", width=240)
    return top, left, ch, cw


def _image_path() -> str:
    if st.session_state.get("tensors.image.source", "Sample") == "Sample":
        name = st.session_state.get("tensors.image.sample", next(iter(PHOTOS)))
        return f"assets/images/{PHOTOS.get(name, 'astronaut.jpg')}"
    return "my_photo.jpg"  # the user's upload: save it under this name to run the code


# ---------------------------------------------------------------- 3. index

def section_index() -> None:
    st.markdown("Type a NumPy-style index. Supported: whole numbers, slices `a:b:step`, `...`, `None`, lists "
                "`[0, 2]` or `[True, False, ...]`, and masks `x > 5` (`<`, `>=`, `<=`, `==`, `!=`). "
                "Try `[:, 1]`, `[1:3, ::2]`, `[..., 0]`, `[x % 2]`... (the last one is refused, politely).")
    a, b = st.columns([1, 2])
    shape_text = a.text_input("Shape of x = arange(n).reshape(shape)", C.index_shape, key="tensors.index.shape")
    text = b.text_input("Index", C.index_text, key="tensors.index.text")
    shape = guarded(T.parse_shape, shape_text, C.max_rank, C.max_cells_shown)
    if shape is None:
        return
    x = T.arange_source(shape)
    result = guarded(ip.apply_index, x, text)
    if result is None:
        heatmap(x, "x", key="tensors.index.source")
        return
    picked = ip.selected_cells(x, text)
    left, right = st.columns(2)
    with left:
        heatmap(x, "x - the cells the index reads are dark", highlight=picked.long(), key="tensors.index.map")
    with right:
        heatmap(result, f"x{ip.index_source(ip.parse_index(text))} -> shape {tuple(result.shape)}", key="tensors.index.result")
    st.markdown(f"**{int(picked.sum())} of {x.numel()}** cells selected; the result has shape "
                f"`{tuple(result.shape)}`. Basic indexing (numbers, slices) gives a **view**; lists and masks "
                f"give a **copy** (here: {'view' if T.shares_storage(result, x) else 'copy'}).")
    code_panel(T.index_code(shape, ip.index_source(ip.parse_index(text))))


# ---------------------------------------------------------------- 4. views

def section_views() -> None:
    st.markdown("A tensor is a flat block of memory (its **storage**) plus a **shape**, **strides** (how many "
                "elements to jump per index step) and an **offset**. Views change only those three numbers.")
    c = st.columns([2, 2, 3])
    shape_text = c[0].text_input("Shape of x", C.reshape_shape, key="tensors.view.shape")
    op = c[1].selectbox("Operation", list(T.RESHAPE_OPS), index=list(T.RESHAPE_OPS).index(C.reshape_op), key="tensors.view.op")
    args_text = c[2].text_input(f"Arguments: {T.RESHAPE_OPS[op]}", T.RESHAPE_DEFAULT_ARGS[op], key=f"tensors.view.args.{op}")
    transposed = st.checkbox("Transpose x first (`x = x.transpose(-2, -1)`: same storage, not contiguous)",
                             key="tensors.view.transposed")
    shape = guarded(T.parse_shape, shape_text, C.max_rank, C.max_cells_shown)
    args = guarded(T.parse_ints, args_text)
    if shape is None or args is None:
        return
    x = guarded(T.arange_source, shape, transposed)
    if x is None:
        return
    try:
        y = T.apply_reshape(x, op, args)
    except ValueError as e:
        show_error(e)
        y = _fallback(x, op, args)
        if y is None:
            return
        op = "reshape"
    _show_views(x, y, op, args)
    code_panel(T.reshape_code(shape, transposed, op, args))


def _fallback(x: torch.Tensor, op: str, args: tuple[int, ...]) -> torch.Tensor | None:
    """When `view` fails on a non-contiguous tensor, show that `reshape` copies instead."""
    if op != "view" or x.is_contiguous():
        return None
    y = guarded(T.apply_reshape, x, "reshape", args)
    if y is not None:
        st.warning("`view` never copies, so it refuses when the strides cannot express the new shape. "
                   "`reshape` does the same when it can and **copies** when it must - below is `x.reshape(...)`.")
    return y


def _show_views(x: torch.Tensor, y: torch.Tensor, op: str, args: tuple[int, ...]) -> None:
    left, right = st.columns(2)
    with left:
        heatmap(x, "x", key="tensors.view.x")
        facts(T.layout(x))
    with right:
        heatmap(y, f"y = x.{op}({', '.join(map(str, args))}) -> {tuple(y.shape)}", key="tensors.view.y")
        facts(T.layout(y))
    shared = T.shares_storage(x, y)
    st.markdown(f"**y shares storage with x: {'yes - a view, writing to y changes x' if shared else 'no - a copy'}.**")
    if op == "resize_" and y.numel() > x.numel():
        st.warning(f"`resize_` grew the tensor: elements {x.numel()} to {y.numel() - 1} (flat order) are "
                   "**uninitialised memory** - whatever bytes were there.")
    elif op == "resize_" and y.numel() < x.numel():
        st.warning(f"`resize_` silently dropped the last {x.numel() - y.numel()} elements.")
    if 0 < y.numel() <= C.max_cells_shown:
        heatmap(T.storage_positions(y), "where each element of y lives in its storage (offset + Σ index·stride)",
                key="tensors.view.storage")


# ---------------------------------------------------------------- 5. operations

OPS_TOPICS = ("Element-wise & broadcasting", "Matrix product", "Reductions", "In-place", "Type promotion",
              "Overflow & rounding")


def section_ops() -> None:
    topic = st.segmented_control("Topic", OPS_TOPICS, default=OPS_TOPICS[0], key="tensors.ops.topic")
    draw = {OPS_TOPICS[0]: _ops_broadcast, OPS_TOPICS[1]: _ops_matmul, OPS_TOPICS[2]: _ops_reduce,
            OPS_TOPICS[3]: _ops_inplace, OPS_TOPICS[4]: _ops_promotion, OPS_TOPICS[5]: _ops_overflow}
    draw.get(topic or OPS_TOPICS[0])()


def _two_shapes(key: str, default_a: str, default_b: str):
    a, b = st.columns(2)
    sa = guarded(T.parse_shape, a.text_input("Shape of a", default_a, key=f"{key}.a"))
    sb = guarded(T.parse_shape, b.text_input("Shape of b", default_b, key=f"{key}.b"))
    return (sa, sb) if sa is not None and sb is not None else None


def _ops_broadcast() -> None:
    op = st.selectbox("Operation", T.ELEMENTWISE_OPS, key="tensors.ops.elementwise")
    shapes = _two_shapes("tensors.ops.bshape", C.shape_a, C.shape_b)
    if shapes is None:
        return
    rows = guarded(T.broadcast_table, *shapes)
    if rows is None:
        return
    st.markdown("**Broadcasting:** align the shapes on the right, pad the shorter with 1s, and stretch every "
                "size-1 dim to match (no memory is copied - the stride is 0).")
    st.dataframe(pd.DataFrame(rows), hide_index=True)
    ab = guarded(T.operands, *shapes)
    if ab is None:
        return
    a, b = ab
    y = T.elementwise(a, b, op)
    cols = st.columns(3)
    for col, t, name in ((cols[0], a.expand_as(y), "a"), (cols[1], b.expand_as(y), "b"), (cols[2], y, "y")):
        with col:
            title = f"y {tuple(t.shape)}" if name == "y" else f"{name}.expand_as(y): stride {t.stride()}"
            heatmap(t, title, key=f"tensors.ops.b.{name}")
    code_panel(T.elementwise_code(*shapes, op))


def _ops_matmul() -> None:
    shapes = _two_shapes("tensors.ops.mshape", C.matmul_a, C.matmul_b)
    if shapes is None:
        return
    out = guarded(T.matmul, *shapes)
    if out is None:
        return
    a, b, y = out
    st.markdown(f"**Shape rule:** `(n, k) @ (k, m) -> (n, m)`; here `{tuple(a.shape)} @ {tuple(b.shape)} -> "
                f"{tuple(y.shape)}`. Each output cell is a row of a times a column of b, summed.")
    cols = st.columns(3)
    for col, t, name in ((cols[0], a, "a"), (cols[1], b, "b"), (cols[2], y, "a @ b")):
        with col:
            heatmap(t, f"{name} {tuple(t.shape)}", key=f"tensors.ops.m.{name}")
    code_panel(T.matmul_code(*shapes))


def _ops_reduce() -> None:
    c = st.columns(4)
    shape = guarded(T.parse_shape, c[0].text_input("Shape of x", C.reduce_shape, key="tensors.ops.rshape"))
    op = c[1].selectbox("Reduction", T.REDUCTIONS, key="tensors.ops.reduction")
    dim_text = c[2].selectbox("dim", ["all"] + [str(d) for d in range(-1, len(shape or ()))], key="tensors.ops.dim")
    keepdim = c[3].checkbox("keepdim", key="tensors.ops.keepdim")
    ops = guarded(T.operands, shape, ()) if shape is not None else None
    if ops is None:
        return
    x, dim = ops[0], None if dim_text == "all" else int(dim_text)
    y = guarded(T.reduce, x, op, dim, keepdim)
    if y is None:
        return
    left, right = st.columns(2)
    with left:
        heatmap(x, f"x {tuple(x.shape)}", key="tensors.ops.r.x")
    with right:
        heatmap(y, f"x.{op}({'' if dim is None else f'dim={dim}, keepdim={keepdim}'}) -> {tuple(y.shape)}", key="tensors.ops.r.y")
    st.caption("Reducing over `dim` removes that dim (or keeps it with size 1 when `keepdim=True`, handy for "
               "broadcasting the result back against x).")
    code_panel(T.reduce_code(shape, op, dim, keepdim))


def _ops_inplace() -> None:
    value = st.number_input("v", value=10.0, key="tensors.ops.inplace")
    demo = T.inplace_demo(value)
    st.markdown(f"`x.add_(v)` writes into x: same memory afterwards? **{demo['same_memory_after_add_']}**; "
                f"it returns x itself? **{demo['add_returns_x']}**. `x + v` allocated a new tensor: "
                f"**{demo['y_is_new']}**. Every in-place op ends in `_` (`add_`, `mul_`, `zero_`); they save "
                "memory but can break autograd when the old value was needed for a gradient.")
    left, right = st.columns(2)
    with left:
        heatmap(demo["x"], "x after x.add_(v)", key="tensors.ops.i.x")
    with right:
        heatmap(demo["y"], "y = x + v (computed before add_)", key="tensors.ops.i.y")
    code_panel(T.inplace_code(value))


def _ops_promotion() -> None:
    c = st.columns(3)
    names = list(T.DTYPES)
    da = c[0].selectbox("dtype of a", names, index=names.index("int32"), key="tensors.ops.pa")
    db = c[1].selectbox("dtype of b", names, index=names.index("float16"), key="tensors.ops.pb")
    scalar = c[2].checkbox("b is a Python number", key="tensors.ops.pscalar")
    facts(T.promotion(da, db, scalar))
    st.caption("Rule of thumb: float beats int beats bool; between tensors the wider type wins; a Python number "
               "only changes the *kind* (int -> float), never the width: `int8 tensor + 2` stays int8.")
    code_panel(T.promotion_code(da, db, scalar))


def _ops_overflow() -> None:
    name = st.selectbox("Example", list(T.OVERFLOW_EXAMPLES), key="tensors.ops.overflow")
    dtype, value, step = T.OVERFLOW_EXAMPLES[name]
    result = T.overflow(dtype, value, step)
    facts(result)
    st.caption("Integers wrap around silently (int8 holds -128..127). float16 has 11 significant bits, so above "
               "2048 it cannot store every whole number, and 0.1 is only approximately 0.1 in any float.")
    code_panel(T.overflow_code(dtype, value, step))


# ---------------------------------------------------------------- 6. NumPy bridge

def section_numpy(device: torch.device) -> None:
    st.markdown("`torch.from_numpy(array)` and `tensor.numpy()` **share memory**: change one and the other "
                "changes. `torch.tensor(array)` **copies**. Moving to another device copies too. **Edit a cell "
                "of the NumPy array** below, or write into the tensor, and watch who notices.")
    rows, cols = C.bridge_rows, C.bridge_cols
    base = np.arange(rows * cols, dtype=np.float32).reshape(rows, cols)
    edited = st.data_editor(pd.DataFrame(base, columns=[str(c) for c in range(cols)]), key="tensors.numpy.editor")
    numpy_edits = guarded(T.cell_edits, base, edited.to_numpy())
    if numpy_edits is None:
        return
    c = st.columns(4)
    write = c[0].checkbox("Write into the tensor", key="tensors.numpy.write")
    r = c[1].number_input("row", 0, rows - 1, 0, key="tensors.numpy.row")
    col = c[2].number_input("column", 0, cols - 1, 0, key="tensors.numpy.col")
    v = c[3].number_input("value", value=-1.0, key="tensors.numpy.value")
    edit = (int(r), int(col), float(v)) if write else None
    result = guarded(T.bridge, rows, cols, numpy_edits, edit, device)
    if result is None:
        return
    _show_bridge(result, device)
    code_panel(T.bridge_code(rows, cols, numpy_edits, edit, str(device)))


def _show_bridge(b: T.Bridge, device: torch.device) -> None:
    base = torch.arange(b.array.size, dtype=torch.float32).reshape(b.array.shape)  # the untouched values
    items = [("array (NumPy)", torch.from_numpy(b.array.copy())), ("shared: from_numpy", b.shared),
             ("copied: torch.tensor", b.copied), (f"moved: .to('{device}')", b.moved.cpu())]
    cols = st.columns(4)
    for col, (name, t) in zip(cols, items):
        with col:
            heatmap(t, name, highlight=(t != base).long(), key=f"tensors.numpy.{name}")
    same = "the **same** tensor on CPU: `.to('cpu')` returns it unchanged, so it shares memory too" if device.type == "cpu" \
        else f"a **copy** in {device} memory, so it kept the old values"
    st.markdown(f"Dark cells differ from the original count. `shared` follows every edit; `copied` never does; "
                f"`moved` is {same}.")


# ---------------------------------------------------------------- 7. timing

def section_timing(device: torch.device) -> None:
    st.markdown("A matrix product of two n x n matrices costs 2n³ operations. Small products are dominated by "
                "overheads (launching a kernel, copying), big ones by raw arithmetic - that is where a GPU wins. "
                "Timings use warm-up runs and wait for the accelerator (`synchronize`) before reading the clock.")
    accelerators = [d for d in available_devices() if d.key != "cpu"]
    if device.type == "cpu":
        st.info("No accelerator selected" + (f" - pick {accelerators[0].label} in the sidebar to compare." if accelerators
                else " and none found on this machine: showing the CPU curve only."))
    sizes = st.multiselect("Matrix sizes n", C.timing_choices, default=list(C.timing_sizes), key="tensors.time.sizes")
    devices = [torch.device("cpu")] + ([device] if device.type != "cpu" else [])
    if st.button("Time it", key="tensors.time.run", type="primary") and sizes:
        _run_timing(tuple(sorted(sizes)), devices)
    timings = st.session_state.get("tensors.timings")
    if timings:
        _plot_timings(timings, str(device))
    code_panel(T.timing_code(tuple(sorted(sizes)) or C.timing_sizes, str(device)))


def _run_timing(sizes: tuple[int, ...], devices: list[torch.device]) -> None:
    bar = st.progress(0.0, text="Timing…")
    total, timings = len(sizes) * len(devices), []
    for i, timing in enumerate(T.timing_curve(sizes, devices)):
        timings.append(timing)
        bar.progress((i + 1) / total, text=f"{timing.device} n={timing.n}: {timing.seconds * 1e3:.2f} ms")
    bar.empty()
    st.session_state["tensors.timings"] = timings


def _plot_timings(timings: list[T.Timing], device: str) -> None:
    df = pd.DataFrame([{"device": t.device, "n": t.n, "milliseconds": t.seconds * 1e3, "GFLOP/s": t.gflops}
                       for t in timings])
    left, right = st.columns(2)
    for col, y in ((left, "milliseconds"), (right, "GFLOP/s")):
        fig = px.line(df, x="n", y=y, color="device", markers=True, log_x=True, log_y=True)
        col.plotly_chart(fig.update_layout(height=320), width="stretch", key=f"tensors.time.{y}")
    if device != "cpu" and any(t.device == device for t in timings):
        n = T.crossover(timings, device)
        st.success(f"{device} is faster from n = {n} upwards." if n else f"The CPU won at every size measured; try larger n.")
    st.dataframe(df, hide_index=True)


# ---------------------------------------------------------------- page

st.title("🧊 Tensor playground")
st.markdown(
    "A **tensor** is a box of numbers with a shape: a scalar, a vector, a matrix, an image, a batch of "
    "videos... Every model in PyTorch takes tensors in and gives tensors out. Here you make them, slice "
    "them, reshape them without copying, combine them, hand them to NumPy and time them on the "
    "accelerator. Each tab ends with the code for exactly what you see."
)
_device = current_device()
_tabs = st.tabs(TABS, key="tensors.tab", on_change="rerun")
_sections = (lambda: section_create(_device), section_ranks, section_index, section_views, section_ops,
             lambda: section_numpy(_device), lambda: section_timing(_device))
for _tab, _section in zip(_tabs, _sections):
    if _tab.open:
        with _tab:
            _section()
