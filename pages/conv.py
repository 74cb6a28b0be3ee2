"""Convolution & pooling: what a kernel and a pooling window do to an image and to its shape."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

import ui
import ui.shared_models
from lib.common.samples import PHOTOS
from lib.common.settings import spec
from lib.conv import code, config, filters, image_ops, kernels, layer_stack, pooling, shapes, window

if TYPE_CHECKING:
    import torch
    from PIL import Image

DEFAULTS = config.ConvConfig()


def intro() -> None:
    st.title("🔲 Convolution & pooling")
    st.markdown(
        "A **convolution** slides a small grid of weights (the kernel) over an image and, at every "
        "position, writes out one weighted sum: blur, sharpen and edge detection are all just kernels, "
        "and a CNN *learns* its kernels. **Pooling** shrinks a feature map by keeping the maximum or the "
        "mean of each window. Both change the shape of the tensor in a way you can compute in advance."
    )


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


def _window_demo() -> window.WindowDemo | None:
    """Widgets of the sliding-window section and their stops; None (with a message shown) if they cannot work."""
    c1, c2, c3, c4, c5 = st.columns(5)
    op = window.WINDOW_OPS[ui.widgets.radio("Operation", DEFAULTS, "window_op", key="conv.win.op", where=c1)]
    stride = ui.widgets.number_input("Stride", DEFAULTS, "stride", key="conv.win.stride", where=c2)
    padding = ui.widgets.slider("Padding", DEFAULTS, "window_padding", key="conv.win.padding", where=c3)
    dilation = ui.widgets.slider("Dilation", DEFAULTS, "window_dilation", key="conv.win.dilation", where=c4,
                                 disabled=op == "avg",
                                 help="Gaps between the kernel taps (average pooling has none in PyTorch).")
    size = ui.widgets.selectbox("Input size", DEFAULTS, "grid_size", key="conv.win.size", where=c5)
    kernel, pool = None, DEFAULTS.window_pool
    if op != "conv":
        pool = ui.widgets.slider("Pooling window", DEFAULTS, "window_pool", key="conv.win.pool")
    else:
        text = st.text_area("Kernel (one row per line; fractions like 1/9 are fine)",
                            kernels.kernel_text(kernels.preset_kernel(DEFAULTS.preset)), key="conv.win.kernel",
                            height=100)
        try:
            kernel = kernels.parse_kernel(text)
        except ValueError as e:
            ui.show_error(e, "Kernel: ")
            return None
    try:
        return window.sliding_window(size, DEFAULTS.grid_seed, op, stride, padding, dilation, kernel=kernel, pool=pool)
    except ValueError as e:
        ui.show_error(e)
        return None


def _clamped_step(n: int) -> int:
    """The step slider (1..n), its remembered value clamped when the number of windows shrinks."""
    if st.session_state.get("conv.win.step", 1) > n:
        st.session_state["conv.win.step"] = n
    if n == 1:
        st.caption("There is a single window position.")
        return 1
    return st.slider("Output position (step through the windows)", min_value=1, max_value=n, value=1,
                     key="conv.win.step")


@st.fragment  # each section is a fragment: moving one of its sliders reruns only that section
def sliding_window_section() -> None:
    """1. A kernel or pooling window stepping over a small integer grid."""
    st.markdown("A kernel slides over the input; at each stop it multiplies the numbers under it by its "
                "weights and adds them up (pooling takes their maximum or mean instead). Each stop gives "
                "one output number.")
    demo = _window_demo()
    if demo is None:
        return
    index = _clamped_step(len(demo.steps)) - 1
    _draw_window(demo, window.window_picture(demo, index))
    _window_explanation(demo, demo.steps[index])


def _draw_window(demo: window.WindowDemo, picture: window.WindowPicture) -> None:
    cols = st.columns([3, 2, 3])
    cols[0].plotly_chart(_grid_figure(picture.padded, f"Input {demo.in_hw} + padding {demo.padding}",
                                      picture.window, picture.inner), key="conv.win.fig.in")
    if picture.kernel is not None:
        cols[1].plotly_chart(_grid_figure(picture.kernel, f"Kernel {picture.kernel.shape}"), key="conv.win.fig.k")
    else:
        kh, kw = demo.kernel_hw
        cols[1].markdown(f"**{'Max' if demo.op == 'max' else 'Average'} pooling** over a {kh}x{kw} window: "
                         "no weights to learn.")
    cols[2].plotly_chart(_grid_figure(picture.output, f"Output {picture.output.shape}", picture.cell),
                         key="conv.win.fig.out")


def _window_explanation(demo: window.WindowDemo, step: window.WindowStep) -> None:
    st.markdown(f"**Output[{step.row}, {step.col}]** = {step.formula}")
    (in_h, in_w), (out_h, out_w), (kh, kw) = demo.in_hw, demo.out_hw, demo.kernel_hw
    st.markdown("Output size per axis, `out = floor((in + 2·padding - dilation·(kernel-1) - 1) / stride) + 1`:")
    st.latex(r"H_{out} = " + shapes.formula_text(in_h, kh, demo.stride, demo.padding, demo.dilation))
    if kw != kh:
        st.latex(r"W_{out} = " + shapes.formula_text(in_w, kw, demo.stride, demo.padding, demo.dilation))
    st.caption(f"The hand-computed {out_h}x{out_w} output matches PyTorch's own op (largest difference "
               f"{demo.mismatch():.2g}). Pooling layers also take `ceil_mode=True`, which rounds the division up "
               "so a last, partial window is kept instead of dropped.")
    ui.code_panel(code.window_code(in_h, DEFAULTS.grid_seed, demo.op, demo.kernel_hw, demo.stride, demo.padding,
                                   demo.dilation, demo.kernel))


# ----------------------------------------------------------------------------- 2. on an image

def _kernel_choice() -> torch.Tensor | None:
    name = ui.widgets.selectbox("Kernel", DEFAULTS, "preset", key="conv.preset")
    if name != kernels.CUSTOM:
        kernel = kernels.preset_kernel(name)
        st.caption("Weights: " + kernels.kernel_caption(kernel))
        return kernel
    text = st.text_area("Your kernel (up to 7x7, non-square allowed)", DEFAULTS.custom_kernel,
                        key="conv.kernel_text", height=120)
    try:
        return kernels.parse_kernel(text)
    except ValueError as e:
        ui.show_error(e, "Kernel: ")
        return None


def _conv_settings() -> image_ops.ConvSettings:
    c1, c2, c3, c4, c5, c6 = st.columns(6)
    stride = ui.widgets.number_input("Stride", DEFAULTS, "stride", key="conv.stride", where=c1)
    kind = ui.widgets.selectbox("Padding", DEFAULTS, "padding_kind", key="conv.padding_kind", where=c2)
    amount = (ui.widgets.number_input("Padding (pixels)", DEFAULTS, "padding", key="conv.padding", where=c2)
              if kind == "number" else kind)
    mode = ui.widgets.selectbox("padding_mode", DEFAULTS, "padding_mode", key="conv.padding_mode", where=c3)
    dilation = ui.widgets.slider("Dilation", DEFAULTS, "dilation", key="conv.dilation", where=c4)
    groups = ui.widgets.number_input(
        "Groups", DEFAULTS, "groups", key="conv.groups", where=c5,
        help="1: every output mixes all colours. 3 (RGB): each colour filtered on its own.")
    bias = ui.widgets.number_input("Bias", DEFAULTS, "bias", key="conv.bias", where=c6)
    return image_ops.ConvSettings(stride, amount, mode, dilation, groups, float(bias))


@st.fragment
def image_conv_section(image: Image.Image, grey: bool, file_name: str) -> None:
    """2a. F.conv2d with a preset or typed kernel on the chosen image."""
    kernel = _kernel_choice()
    settings = _conv_settings()
    if kernel is None:
        return
    try:
        result = image_ops.convolve_image(image, grey, kernel, settings, ui.current_device())
    except (ValueError, RuntimeError) as e:
        ui.show_error(e)
        return
    display = ui.widgets.radio(
        "Show the output as", DEFAULTS, "display", key="conv.display", horizontal=True,
        help="Outputs can be negative or above 1 (Sobel, sharpen): choose how to map them to pixels.")
    picture_in, picture_out = result.pictures(display)
    left, right = st.columns(2)
    left.image(picture_in, caption=f"Input {result.in_shape}", width="stretch")
    right.image(picture_out, caption=f"Output {result.out_shape}", width="stretch")
    lo, hi = result.value_range
    st.markdown(f"**Shapes:** input {result.in_shape} -> output {result.out_shape}. "
                f"Output values range from **{lo:.3g}** to **{hi:.3g}**. "
                f"The weight has shape **{result.weight_shape}** "
                "= (out_channels, in_channels / groups, kh, kw): with groups=1 every output channel sums all "
                "input colours (a grey result), with groups = channels each colour is filtered on its own.")
    ui.code_panel(code.image_conv_code(kernel, settings, grey, file_name, DEFAULTS.max_side))


def _pool_settings() -> pooling.PoolSettings:
    c1, c2, c3, c4, c5 = st.columns(5)
    kind = ui.widgets.radio("Pooling", DEFAULTS, "pool_kind", key="conv.pool.kind", where=c1, horizontal=True)
    k = ui.widgets.slider("Window", DEFAULTS, "pool_kernel", key="conv.pool.kernel", where=c2)
    stride = ui.widgets.number_input("Stride", DEFAULTS, "pool_stride", key="conv.pool.stride", where=c3)
    padding = ui.widgets.slider("Padding", DEFAULTS, "pool_padding", key="conv.pool.padding", where=c4)
    ceil_mode = ui.widgets.checkbox("ceil_mode", DEFAULTS, "ceil_mode", key="conv.pool.ceil", where=c5,
                                    help="Round the output size up: keep a last partial window.")
    return pooling.PoolSettings(kind, k, stride, padding, ceil_mode)


@st.fragment
def pooling_section(image: Image.Image, grey: bool, file_name: str) -> None:
    """2b. Max/avg pooling, global average pooling and MaxUnpool2d on the image."""
    settings = _pool_settings()
    try:
        result = pooling.pool_image(image, grey, settings, ui.current_device())
    except ValueError as e:
        ui.show_error(e)
        return
    pooled, unpooled, swatch = result.pictures()
    cols = st.columns(3)
    cols[0].image(pooled, caption=f"{settings.kind} pooled {result.pooled_shape}", width="stretch")
    cols[1].image(unpooled, caption=f"MaxUnpool2d back to {result.in_shape}", width="stretch")
    cols[2].image(swatch, caption="Global average pooling: the image's mean colour")
    st.latex(r"H_{out} = " + result.formula)
    st.markdown(f"**Shapes:** input {result.in_shape} -> {settings.kind} pooled {result.pooled_shape}. "
                f"`adaptive_avg_pool2d(x, 1)` turns {result.in_shape} into {result.gap_shape}: channel means "
                f"{', '.join(f'{m:.3f}' for m in result.means)}. Max pooling keeps **{result.kept:.0%}** of the "
                "pixels (the brightest of each window); `MaxUnpool2d` puts them back where they were, zeros "
                "elsewhere.")
    ui.code_panel(code.pool_code(settings, grey, file_name, DEFAULTS.max_side))


def image_sections() -> tuple[Image.Image, str] | None:
    """Section 2; returns (image, file name for the code panels) for section 3."""
    picked = ui.image_input("conv.image", max_side=DEFAULTS.max_side, samples=PHOTOS, default="Cat (Chelsea)")
    if picked.image is None:
        return None
    file_name = PHOTOS.get(picked.name, picked.name)  # a sample's file, or the uploaded file's own name
    grey = ui.widgets.radio("Colour", DEFAULTS, "colour", key="conv.colour", horizontal=True) == "Greyscale"
    st.markdown("#### Convolution")
    image_conv_section(picked.image, grey, file_name)
    st.markdown("#### Pooling")
    pooling_section(picked.image, grey, file_name)
    return picked.image, file_name


# ----------------------------------------------------------------------------- 3. learned filters

@st.cache_data(show_spinner="Running VGG19…", max_entries=64)
def _feature_maps(pixels: np.ndarray, layer: str, count: int, device: str, online: bool) -> filters.FeatureMaps:
    """The first `count` maps of `layer` for an RGB uint8 image: small, so cheap to keep."""
    return filters.feature_maps(ui.shared_models.vgg19(device, online), pixels, layer, count, device)


@st.fragment
def learned_filters_section(image: Image.Image, file_name: str) -> None:
    """3. VGG19's conv1_1 kernels and the feature maps of a chosen layer."""
    c1, c2, c3 = st.columns([2, 2, 3])
    layer = ui.widgets.selectbox("Layer", DEFAULTS, "vgg_layer", key="conv.vgg.layer", where=c1)
    count = ui.widgets.slider("Feature maps shown", DEFAULTS, "feature_maps", key="conv.vgg.count", where=c2)
    online = ui.widgets.checkbox("Use torchvision's full weights (downloads 550 MB if not cached)", DEFAULTS,
                                 "download", key="conv.vgg.download", where=c3)
    device = ui.current_device()
    try:
        features = ui.shared_models.vgg19(str(device), online)
    except ValueError as e:
        ui.show_error(e)
        return
    st.caption(f"Weights in use: **{features.source}**")
    left, right = st.columns([1, 2])
    left.image(filters.kernel_mosaic(features), width="stretch",
               caption="The 64 conv1_1 kernels (3x3 RGB, each stretched to 0..1)")
    maps = _feature_maps(filters.vgg_pixels(image, DEFAULTS.vgg_side), layer, count, str(device), online)
    right.image(maps.mosaic, width="stretch", caption=f"First {count} of {maps.out_shape[1]} {layer} feature maps")
    st.markdown(f"**{layer}** output shape: **{maps.out_shape}** for a {maps.in_shape} input. "
                "conv1_1's kernels are colour blobs and edge detectors at various angles - the same kind of "
                "kernels as the hand-made Sobel ones, but learnt. Deeper layers have more channels and a "
                "smaller map (each pool halves it): each cell sees a larger part of the image.")
    ui.code_panel(code.vgg_code(layer, file_name, DEFAULTS.vgg_side))


# ----------------------------------------------------------------------------- 4. shape calculator

def _table_height(rows: int) -> int:
    """Pixels that show every row without an inner scroll bar (35 px a row plus the header)."""
    return 35 * (rows + 1) + 3


def _input_shape(preset: str, shape: tuple[int, int, int]) -> tuple[int, int, int]:
    """C, H and W of the input, starting at the preset's; one widget set per preset."""
    side, cols = spec(DEFAULTS, "stack_side"), st.columns(3)
    return tuple(int(col.number_input(name, side.lo, side.hi, value, key=f"conv.stack.{name}.{preset}"))
                 for col, name, value in zip(cols, ("C", "H", "W"), shape))  # type: ignore[return-value]


def _layer_table(preset: str, rows: list[dict]) -> list[dict]:
    """The editable table of layers, as plain row dicts (empty cells None)."""
    least = layer_stack.COLUMN_MIN
    column_config = {
        "layer": st.column_config.SelectboxColumn("layer", options=layer_stack.LAYER_TYPES, required=True),
        "in": st.column_config.NumberColumn("in", help="in_channels / in_features; empty = inferred",
                                            min_value=least["in"]),
        "out": st.column_config.NumberColumn("out", help="out_channels / out_features", min_value=least["out"]),
        "kernel": st.column_config.NumberColumn("kernel", min_value=least["kernel"]),
        "stride": st.column_config.NumberColumn("stride", min_value=least["stride"]),
        "padding": st.column_config.NumberColumn("padding", min_value=least["padding"]),
    }
    frame = pd.DataFrame(rows, columns=list(layer_stack.COLUMNS)).astype({c: "Int64" for c in layer_stack.COLUMNS[1:]})
    edited = st.data_editor(frame, num_rows="dynamic", column_config=column_config, hide_index=False,
                            key=f"conv.stack.editor.{preset}", width="stretch", height=_table_height(len(frame) + 1))
    return [{k: (None if pd.isna(v) else v) for k, v in r.items()} for r in edited.to_dict("records")]


@st.fragment
def shape_calculator_section() -> None:
    """4. The layer-stack shape calculator."""
    st.markdown("Stack layers in the table (add rows at the bottom, pick the layer type) and read each "
                "layer's output shape, parameter count and receptive field - how many input pixels one "
                "output cell can see.")
    preset = ui.widgets.selectbox("Preset", DEFAULTS, "stack_preset", key="conv.stack.preset")
    preset_shape, preset_rows = layer_stack.PRESETS[preset]
    shape = _input_shape(preset, preset_shape)
    rows = _layer_table(preset, preset_rows)
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
    ui.code_panel(code.stack_code(rows, shape))


# ----------------------------------------------------------------------------- the lesson

def main() -> None:
    """The lesson: idea, then the four sections as tabs."""
    intro()
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
