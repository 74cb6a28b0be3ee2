"""Convolution & pooling: what a kernel and a pooling window do to an image and to its shape."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st
import torch
from PIL import Image

import ui
from lib import conv, conv_code, layer_stack, vgg
from lib.common.samples import PHOTOS
from ui.shared_models import vgg19

CFG = conv.ConvConfig()
OPS = {"Convolution": "conv", "Max pooling": "max", "Average pooling": "avg"}


def _number_input(label: str, key: str, value: int, lo: int, hi: int, help: str = "") -> int:
    return int(st.number_input(label, min_value=lo, max_value=hi, value=value, step=1, key=key, help=help or None))


# ----------------------------------------------------------------------------- 1. sliding window

def _grid_figure(values: np.ndarray, title: str, box: tuple[int, int, int, int] | None = None,
                 inner: tuple[int, int, int, int] | None = None) -> go.Figure:
    """A small heat-map with the numbers written in; `box`/`inner` = (top, left, h, w) rectangles."""
    fig = px.imshow(values, text_auto=".3~g", color_continuous_scale="Blues", aspect="equal", title=title)
    for rect, colour, dash in ((inner, "grey", "dot"), (box, "crimson", "solid")):
        if rect is not None:
            top, left, h, w = rect
            fig.add_shape(type="rect", x0=left - 0.5, x1=left + w - 0.5, y0=top - 0.5, y1=top + h - 0.5,
                          line=dict(color=colour, width=3, dash=dash))
    fig.update_layout(coloraxis_showscale=False, margin=dict(l=5, r=5, t=40, b=5), height=300)
    fig.update_xaxes(showticklabels=False)
    fig.update_yaxes(showticklabels=False)
    return fig


def _window_controls() -> tuple[str, torch.Tensor | None, tuple[int, int], int, int, int] | None:
    """Widgets of the sliding-window section; None (with a message shown) if the kernel is invalid."""
    c1, c2, c3, c4, c5 = st.columns(5)
    op = OPS[c1.radio("Operation", list(OPS), key="conv.win.op")]
    with c2:
        stride = _number_input("Stride", "conv.win.stride", CFG.stride, 0, CFG.max_stride)
    padding = c3.slider("Padding", 0, 3, CFG.padding, key="conv.win.padding")
    dilation = c4.slider("Dilation", 1, 3, CFG.dilation, key="conv.win.dilation", disabled=op == "avg",
                         help="Gaps between the kernel taps (average pooling has none in PyTorch).")
    size = c5.selectbox("Input size", CFG.grid_sizes, index=CFG.grid_sizes.index(CFG.grid_size), key="conv.win.size")
    dilation = 1 if op == "avg" else dilation
    if op != "conv":
        k = st.slider("Pooling window", 1, 4, CFG.pool_kernel, key="conv.win.pool")
        return op, None, (k, k), stride, padding, dilation, size  # type: ignore[return-value]
    text = st.text_area("Kernel (one row per line; fractions like 1/9 are fine)",
                        conv.kernel_text(conv.preset_kernel(CFG.preset)), key="conv.win.kernel", height=100)
    try:
        kernel = conv.parse_kernel(text)
    except ValueError as e:
        ui.show_error(e, "Kernel: ")
        return None
    return op, kernel, tuple(kernel.shape), stride, padding, dilation, size  # type: ignore[return-value]


def _clamped_step(n: int) -> int:
    """The step slider, its remembered value clamped when the number of windows shrinks."""
    if st.session_state.get("conv.win.step", 1) > n:
        st.session_state["conv.win.step"] = n
    if n == 1:
        st.caption("There is a single window position.")
        return 1
    return st.slider("Output position (step through the windows)", 1, n, 1, key="conv.win.step")


@st.fragment  # each section is a fragment: moving one of its sliders reruns only that section
def sliding_window_section() -> None:
    """1. A kernel or pooling window stepping over a small integer grid."""
    st.markdown("A kernel slides over the input; at each stop it multiplies the numbers under it by its "
                "weights and adds them up (pooling takes their maximum or mean instead). Each stop gives "
                "one output number.")
    controls = _window_controls()
    if controls is None:
        return
    op, kernel, khw, stride, padding, dilation, size = controls  # type: ignore[misc]
    grid = conv.random_grid(size, CFG.grid_seed)[0]
    try:
        steps = conv.sliding_steps(grid, khw, op, stride, padding, dilation, kernel)
    except ValueError as e:
        ui.show_error(e)
        return
    step = steps[_clamped_step(len(steps)) - 1]
    _draw_window(grid, steps, step, op, khw, padding, dilation, kernel)
    _window_explanation(grid, steps, step, op, khw, stride, padding, dilation, kernel)


def _draw_window(grid, steps, step, op, khw, padding, dilation, kernel) -> None:
    padded = torch.nn.functional.pad(grid, (padding,) * 4).numpy()
    span = (dilation * (khw[0] - 1) + 1, dilation * (khw[1] - 1) + 1)
    out = np.full((steps[-1].row + 1, steps[-1].col + 1), np.nan)
    for s in steps[: steps.index(step) + 1]:
        out[s.row, s.col] = s.result  # only the windows visited so far
    cols = st.columns([3, 2, 3])
    inner = (padding, padding, grid.shape[0], grid.shape[1]) if padding else None
    cols[0].plotly_chart(_grid_figure(padded, f"Input {tuple(grid.shape)} + padding {padding}",
                                      (step.top, step.left, *span), inner), key="conv.win.fig.in")
    if kernel is not None:
        cols[1].plotly_chart(_grid_figure(kernel.numpy(), f"Kernel {tuple(kernel.shape)}"), key="conv.win.fig.k")
    else:
        cols[1].markdown(f"**{'Max' if op == 'max' else 'Average'} pooling** over a {khw[0]}x{khw[1]} window: "
                         "no weights to learn.")
    cols[2].plotly_chart(_grid_figure(out, f"Output {out.shape}", (step.row, step.col, 1, 1)), key="conv.win.fig.out")


def _window_explanation(grid, steps, step, op, khw, stride, padding, dilation, kernel) -> None:
    st.markdown(f"**Output[{step.row}, {step.col}]** = {step.formula}")
    out_h, out_w = steps[-1].row + 1, steps[-1].col + 1
    st.markdown("Output size per axis, `out = floor((in + 2·padding - dilation·(kernel-1) - 1) / stride) + 1`:")
    st.latex(r"H_{out} = " + conv.formula_text(grid.shape[0], khw[0], stride, padding, dilation))
    if khw[1] != khw[0]:
        st.latex(r"W_{out} = " + conv.formula_text(grid.shape[1], khw[1], stride, padding, dilation))
    reference = conv.reference_window_op(grid, khw, op, stride, padding, dilation, kernel)
    diff = float((reference - conv.steps_to_grid(steps)).abs().max())
    st.caption(f"The hand-computed {out_h}x{out_w} output matches PyTorch's own op (largest difference {diff:.2g}). "
               "Pooling layers also take `ceil_mode=True`, which rounds the division up so a last, partial "
               "window is kept instead of dropped.")
    ui.code_panel(conv_code.window_code(grid.shape[0], CFG.grid_seed, op, khw, stride, padding, dilation, kernel))


# ----------------------------------------------------------------------------- 2. on an image

def _kernel_choice() -> torch.Tensor | None:
    names = list(conv.KERNEL_PRESETS) + ["Custom (type it)"]
    name = st.selectbox("Kernel", names, index=names.index(CFG.preset), key="conv.preset")
    if name in conv.KERNEL_PRESETS:
        kernel = conv.preset_kernel(name)
        st.caption("Weights: " + " | ".join(" ".join(f"{v:.3g}" for v in row) for row in kernel.tolist()))
        return kernel
    text = st.text_area("Your kernel (up to 7x7, non-square allowed)", "1 2 1\n0 0 0\n-1 -2 -1",
                        key="conv.kernel_text", height=120)
    try:
        return conv.parse_kernel(text)
    except ValueError as e:
        ui.show_error(e, "Kernel: ")
        return None


def _conv_settings() -> conv.ConvSettings:
    c1, c2, c3, c4, c5, c6 = st.columns(6)
    with c1:
        stride = _number_input("Stride", "conv.stride", CFG.stride, 0, CFG.max_stride)
    kind = c2.selectbox("Padding", ["number", "same", "valid"], key="conv.padding_kind")
    with c2:
        amount = _number_input("Padding (pixels)", "conv.padding", CFG.padding, 0, 50) if kind == "number" else kind
    mode = c3.selectbox("padding_mode", conv.PADDING_MODES, key="conv.padding_mode")
    dilation = c4.slider("Dilation", 1, CFG.max_dilation, CFG.dilation, key="conv.dilation")
    with c5:
        groups = _number_input("Groups", "conv.groups", CFG.groups, 1, CFG.max_groups,
                               "1: every output mixes all colours. 3 (RGB): each colour filtered on its own.")
    bias = c6.number_input("Bias", -1.0, 1.0, CFG.bias, 0.1, key="conv.bias")
    return conv.ConvSettings(stride, amount, mode, dilation, groups, float(bias))


@st.fragment
def image_conv_section(image, grey: bool, image_name: str) -> None:
    """2a. F.conv2d with a preset or typed kernel on the chosen image."""
    kernel = _kernel_choice()
    settings = _conv_settings()
    if kernel is None:
        return
    x = conv.image_to_tensor(image, grey, ui.current_device())
    try:
        out = conv.apply_conv(x, kernel, settings)
    except (ValueError, RuntimeError) as e:
        ui.show_error(e)
        return
    display = st.radio("Show the output as", conv.DISPLAY_MODES, horizontal=True, key="conv.display",
                       help="Outputs can be negative or above 1 (Sobel, sharpen): choose how to map them to pixels.")
    left, right = st.columns(2)
    left.image(conv.to_display(x, "Clip to 0..1"), caption=f"Input {tuple(x.shape)}", width="stretch")
    right.image(conv.to_display(out, display), caption=f"Output {tuple(out.shape)}", width="stretch")
    st.markdown(f"**Shapes:** input {tuple(x.shape)} -> output {tuple(out.shape)}. "
                f"Output values range from **{out.min().item():.3g}** to **{out.max().item():.3g}**. "
                f"The weight has shape **{tuple(conv.conv_weight(kernel, x.shape[1], settings.groups).shape)}** "
                "= (out_channels, in_channels / groups, kh, kw): with groups=1 every output channel sums all "
                "input colours (a grey result), with groups = channels each colour is filtered on its own.")
    ui.code_panel(conv_code.image_conv_code(kernel, settings, grey, image_name, CFG.max_side))


def _pool_settings() -> conv.PoolSettings:
    c1, c2, c3, c4, c5 = st.columns(5)
    kind = c1.radio("Pooling", ["max", "avg"], horizontal=True, key="conv.pool.kind")
    k = c2.slider("Window", 1, CFG.max_pool_kernel, CFG.pool_kernel, key="conv.pool.kernel")
    with c3:
        stride = _number_input("Stride", "conv.pool.stride", CFG.pool_stride, 0, CFG.max_pool_kernel)
    padding = c4.slider("Padding", 0, 4, 0, key="conv.pool.padding")
    ceil_mode = c5.checkbox("ceil_mode", key="conv.pool.ceil", help="Round the output size up: keep a last partial window.")
    return conv.PoolSettings(kind, k, stride, padding, ceil_mode)


@st.fragment
def pooling_section(image, grey: bool, image_name: str) -> None:
    """2b. Max/avg pooling, global average pooling and MaxUnpool2d on the image."""
    settings = _pool_settings()
    x = conv.image_to_tensor(image, grey, ui.current_device())
    try:
        pooled = conv.apply_pool(x, settings)
        _, indices, unpooled = conv.max_unpool(x, settings.kernel, settings.stride)
    except ValueError as e:
        ui.show_error(e)
        return
    cols = st.columns(3)
    cols[0].image(conv.to_display(pooled, "Clip to 0..1"), caption=f"{settings.kind} pooled {tuple(pooled.shape)}",
                  width="stretch")
    cols[1].image(conv.to_display(unpooled, "Clip to 0..1"), caption=f"MaxUnpool2d back to {tuple(unpooled.shape)}",
                  width="stretch")
    means = conv.global_avg_pool(x).flatten().tolist()
    swatch = np.full((60, 60, 3), np.array(means if len(means) == 3 else means * 3) * 255, dtype=np.uint8)
    cols[2].image(swatch, caption="Global average pooling: the image's mean colour")
    kept = conv.kept_fraction(indices, x.shape[-2] * x.shape[-1])
    h = conv.formula_text(x.shape[-2], settings.kernel, settings.stride, settings.padding, 1, settings.ceil_mode)
    st.latex(r"H_{out} = " + h)
    st.markdown(f"**Shapes:** input {tuple(x.shape)} -> {settings.kind} pooled {tuple(pooled.shape)}. "
                f"`adaptive_avg_pool2d(x, 1)` turns {tuple(x.shape)} into {(1, x.shape[1], 1, 1)}: channel means "
                f"{', '.join(f'{m:.3f}' for m in means)}. Max pooling keeps **{kept:.0%}** of the pixels "
                "(the brightest of each window); `MaxUnpool2d` puts them back where they were, zeros elsewhere.")
    ui.code_panel(conv_code.pool_code(settings, grey, image_name, CFG.max_side))


# ----------------------------------------------------------------------------- 3. learned filters

@st.cache_data(show_spinner="Running VGG19…", max_entries=64)
def _feature_maps(pixels: np.ndarray, layer: str, count: int, device: str, online: bool) -> tuple[np.ndarray, tuple]:
    """(mosaic of the first `count` maps, output shape) for an RGB uint8 image: small, so cheap to keep."""
    x = conv.image_to_tensor(Image.fromarray(pixels), grey=False, device=torch.device(device))
    with torch.no_grad():
        maps = vgg19(device, online).extract(x, [layer])[layer]
    return conv.tile_grid(maps[0, :count, None], cols=4, gap=2), tuple(maps.shape)  # (C, h, w) -> (C, 1, h, w)


@st.fragment
def learned_filters_section(image, image_name: str) -> None:
    """3. VGG19's conv1_1 kernels and the feature maps of a chosen layer."""
    layers = vgg.CONV_LAYERS[: vgg.CONV_LAYERS.index("conv5_1") + 1]
    c1, c2, c3 = st.columns([2, 2, 3])
    layer = c1.selectbox("Layer", layers, index=layers.index(CFG.vgg_layer), key="conv.vgg.layer")
    count = c2.slider("Feature maps shown", 4, 64, CFG.feature_maps, step=4, key="conv.vgg.count")
    online = c3.checkbox("Use torchvision's full weights (downloads 550 MB if not cached)", key="conv.vgg.download")
    device = ui.current_device()
    try:
        features = vgg19(str(device), online)
    except ValueError as e:
        ui.show_error(e)
        return
    st.caption(f"Weights in use: **{features.source}**")
    kernels = features.layers[0].weight  # (64, 3, 3, 3) RGB kernels of conv1_1
    left, right = st.columns([1, 2])
    left.image(conv.tile_grid(kernels, cols=8, gap=2, scale=8), width="stretch",
               caption="The 64 conv1_1 kernels (3x3 RGB, each stretched to 0..1)")
    small = np.asarray(conv.resize_for_vgg(image, CFG.vgg_side))
    mosaic, shape = _feature_maps(small, layer, count, str(device), online)
    right.image(mosaic, width="stretch", caption=f"First {count} of {shape[1]} {layer} feature maps")
    x_shape = (1, 3, *small.shape[:2])
    st.markdown(f"**{layer}** output shape: **{shape}** for a {x_shape} input. "
                "conv1_1's kernels are colour blobs and edge detectors at various angles - the same kind of "
                "kernels as the hand-made Sobel ones, but learnt. Deeper layers have more channels and a "
                "smaller map (each pool halves it): each cell sees a larger part of the image.")
    ui.code_panel(conv_code.vgg_code(layer, image_name, CFG.vgg_side))


# ----------------------------------------------------------------------------- 4. shape calculator

def _table_height(rows: int) -> int:
    """Pixels that show every row without an inner scroll bar (35 px a row plus the header)."""
    return 35 * (rows + 1) + 3


def _stack_inputs() -> tuple[str, tuple[int, int, int], list[dict]]:
    preset = st.selectbox("Preset", list(layer_stack.PRESETS), key="conv.stack.preset")
    shape, rows = layer_stack.PRESETS[preset]
    cols = st.columns(3)
    dims = tuple(int(col.number_input(name, 1, 4096, value, key=f"conv.stack.{name}.{preset}"))
                 for col, name, value in zip(cols, ("C", "H", "W"), shape))
    column_config = {
        "layer": st.column_config.SelectboxColumn("layer", options=layer_stack.LAYER_TYPES, required=True),
        "in": st.column_config.NumberColumn("in", help="in_channels / in_features; empty = inferred", min_value=1),
        "out": st.column_config.NumberColumn("out", help="out_channels / out_features", min_value=1),
        "kernel": st.column_config.NumberColumn("kernel", min_value=1),
        "stride": st.column_config.NumberColumn("stride", min_value=0),
        "padding": st.column_config.NumberColumn("padding", min_value=0),
    }
    frame = pd.DataFrame(rows, columns=list(layer_stack.COLUMNS)).astype({c: "Int64" for c in layer_stack.COLUMNS[1:]})
    edited = st.data_editor(frame, num_rows="dynamic", column_config=column_config, hide_index=False,
                            key=f"conv.stack.editor.{preset}", width="stretch", height=_table_height(len(frame) + 1))
    records = [{k: (None if pd.isna(v) else v) for k, v in r.items()} for r in edited.to_dict("records")]
    return preset, dims, records  # type: ignore[return-value]


@st.fragment
def shape_calculator_section() -> None:
    """4. The layer-stack shape calculator."""
    st.markdown("Stack layers in the table (add rows at the bottom, pick the layer type) and read each "
                "layer's output shape, parameter count and receptive field - how many input pixels one "
                "output cell can see.")
    _, shape, rows = _stack_inputs()
    try:
        results = layer_stack.analyse(rows, shape)
    except ValueError as e:
        ui.show_error(e)
        return
    table = pd.DataFrame([{"#": r.index, "layer": r.layer, "output shape": str(r.out_shape or "—"),
                           "parameters": r.params, "receptive field": r.receptive_field} for r in results])
    st.dataframe(table, hide_index=True, width="stretch", height=_table_height(len(table)))
    broken = [r for r in results if r.error]
    for r in broken:
        st.error(f"Layer {r.index} ({r.layer}) does not fit: {r.error}", icon="🧱")
    if results and not broken:
        st.success(f"Input {shape} -> output {results[-1].out_shape}; "
                   f"{layer_stack.total_params(results):,} parameters in all.")
    ui.code_panel(layer_stack.stack_code(rows, shape))


# ----------------------------------------------------------------------------- the lesson

def image_sections() -> tuple | None:
    """Section 2; returns (image, file name for the code panels) for section 3."""
    image = ui.image_input("conv.image", max_side=CFG.max_side, samples=PHOTOS, default="Cat (Chelsea)").image
    if image is None:
        return None
    source = st.session_state.get("conv.image.source", "Sample")
    name = PHOTOS.get(st.session_state.get("conv.image.sample", ""), "photo.jpg") if source == "Sample" else "my_image.png"
    grey = st.radio("Colour", ["RGB", "Greyscale"], horizontal=True, key="conv.colour") == "Greyscale"
    st.markdown("#### Convolution")
    image_conv_section(image, grey, name)
    st.markdown("#### Pooling")
    pooling_section(image, grey, name)
    return image, name


def main() -> None:
    """The lesson: idea, then the four sections as tabs."""
    st.title("🔲 Convolution & pooling")
    st.markdown(
        "A **convolution** slides a small grid of weights (the kernel) over an image and, at every "
        "position, writes out one weighted sum: blur, sharpen and edge detection are all just kernels, "
        "and a CNN *learns* its kernels. **Pooling** shrinks a feature map by keeping the maximum or the "
        "mean of each window. Both change the shape of the tensor in a way you can compute in advance."
    )
    tabs = st.tabs(["1 · Sliding window", "2 · On an image", "3 · Learned filters", "4 · Shape calculator"])
    with tabs[0]:
        sliding_window_section()
    with tabs[1]:
        chosen = image_sections()
    with tabs[2]:
        if chosen is None:
            st.info("Pick an image in tab 2 first.")
        else:
            st.caption("Uses the image chosen in tab 2.")
            learned_filters_section(*chosen)
    with tabs[3]:
        shape_calculator_section()


main()
