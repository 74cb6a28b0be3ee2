"""Convolution & pooling: what a kernel and a pooling window do to an image and to its shape."""
from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

import ui
import ui.shared_models
from lib.common.messages import N_
from lib.common.samples import PHOTOS
from lib.common.settings import spec
from lib.conv import code, config, filters, image_ops, kernels, layer_stack, pooling, shapes, window
from ui import links
from ui.i18n import _, option_labels, translate

if TYPE_CHECKING:
    import torch
    from PIL import Image

DEFAULTS = config.ConvConfig()
SAMPLE = "Cat (Chelsea)"  # the photo of a fresh page, and of a link without `img` (an upload cannot travel)
TAB = "conv.tab"
# Tabs drawn only while open: every element on the page costs the browser time on each rerun (a slider on
# "On an image" repainted in 244 ms with the other tabs drawn, 122 ms without them: one paired run of 21
# changes, bench/conv_page.py on a loaded machine; with pooling moved to a tab of its own, the image tab went
# from 1.62x to 1.42x the minimal app's time in another). The image tab is always drawn: it holds the picture the
# pooling and filters tabs use, and an upload must not be dropped.
LAZY_TABS = {"window": "conv.win.", "pooling": "conv.pool.", "filters": "conv.vgg.",
             "shapes": "conv.stack."}  # tab id -> its widget keys
STACK_HIDDEN = "conv.stack.hidden"  # the layer table was not drawn last run: its editor has forgotten the edits
PADDING_LABELS = {"number": N_("a number of pixels"), "same": "'same'", "valid": "'valid'"}


def intro() -> None:
    st.title(_("🔲 Convolution & pooling"))
    st.markdown(_(
        "A **convolution** slides a small grid of weights (the kernel) over an image and, at every "
        "position, writes out one weighted sum: blur, sharpen and edge detection are all just kernels, "
        "and a CNN *learns* its kernels. **Pooling** shrinks a feature map by keeping the maximum or the "
        "mean of each window. Both change the shape of the tensor in a way you can compute in advance."))


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
    op = ui.widgets.radio(_("Operation"), DEFAULTS, "window_op", key="conv.win.op", where=c1,
                          format_func=option_labels(window.WINDOW_OPS))
    stride = ui.widgets.number_input(_("Stride"), DEFAULTS, "window_stride", key="conv.win.stride", where=c2)
    padding = ui.widgets.slider(_("Padding"), DEFAULTS, "window_padding", key="conv.win.padding", where=c3)
    dilation = ui.widgets.slider(_("Dilation"), DEFAULTS, "window_dilation", key="conv.win.dilation", where=c4,
                                 disabled=op == "avg",
                                 help=_("Gaps between the kernel taps (average pooling has none in PyTorch)."))
    size = ui.widgets.selectbox(_("Input size"), DEFAULTS, "grid_size", key="conv.win.size", where=c5)
    kernel, pool = None, DEFAULTS.window_pool
    if op != "conv":
        pool = ui.widgets.slider(_("Pooling window"), DEFAULTS, "window_pool", key="conv.win.pool")
    else:
        text = ui.widgets.text_input(_("Kernel (one row per line; fractions like 1/9 are fine)"), DEFAULTS,
                                     "window_kernel", key="conv.win.kernel", area=True, height=100)
        try:
            kernel = kernels.parse_kernel(text)
        except ValueError as e:
            ui.show_error(e, _("Kernel: "))
            return None
    try:
        return window.sliding_window(size, DEFAULTS.grid_seed, op, stride, padding, dilation, kernel=kernel, pool=pool)
    except ValueError as e:
        ui.show_error(e)
        return None


def _step_slider(n: int) -> int:
    """The stop shown (1..n, `pos` in the link), its remembered value clamped when there are fewer stops."""
    def draw() -> int:
        if st.session_state.get("conv.win.step", 1) > n:
            st.session_state["conv.win.step"] = n
        if n == 1:
            st.caption(_("There is a single window position."))
            return 1
        return st.slider(_("Output position (step through the windows)"), min_value=1, max_value=n, value=1,
                         key="conv.win.step")
    return int(ui.widgets.bound(draw, "conv.win.step", spec(DEFAULTS, "window_step").param, 1,
                                links.number_codec(int), lambda v: 1 <= v <= n, st))


@ui.links.fragment  # each section is a fragment: moving one of its sliders reruns only that section
def sliding_window_section() -> None:
    """1. A kernel or pooling window stepping over a small integer grid."""
    st.markdown(_("A kernel slides over the input; at each stop it multiplies the numbers under it by its "
                  "weights and adds them up (pooling takes their maximum or mean instead). Each stop gives "
                  "one output number."))
    demo = _window_demo()
    if demo is None:
        return
    index = _step_slider(len(demo.steps)) - 1
    _draw_window(demo, window.window_picture(demo, index))
    _window_explanation(demo, demo.steps[index])


def _draw_window(demo: window.WindowDemo, picture: window.WindowPicture) -> None:
    cols = st.columns([3, 2, 3])
    title = _("Input {hw} + padding {padding}").format(hw=demo.in_hw, padding=demo.padding)
    cols[0].plotly_chart(_grid_figure(picture.padded, title, picture.window, picture.inner), key="conv.win.fig.in")
    if picture.kernel is not None:
        cols[1].plotly_chart(_grid_figure(picture.kernel, _("Kernel {shape}").format(shape=picture.kernel.shape)),
                             key="conv.win.fig.k")
    else:
        kh, kw = demo.kernel_hw
        text = _("**Max pooling** over a {kh}x{kw} window: no weights to learn.") if demo.op == "max" else \
            _("**Average pooling** over a {kh}x{kw} window: no weights to learn.")
        cols[1].markdown(text.format(kh=kh, kw=kw))
    cols[2].plotly_chart(_grid_figure(picture.output, _("Output {shape}").format(shape=picture.output.shape),
                                      picture.cell), key="conv.win.fig.out")


def _window_explanation(demo: window.WindowDemo, step: window.WindowStep) -> None:
    st.markdown(_("**Output[{row}, {col}]** = {formula}").format(row=step.row, col=step.col, formula=step.formula))
    (in_h, in_w), (out_h, out_w), (kh, kw) = demo.in_hw, demo.out_hw, demo.kernel_hw
    st.markdown(_("Output size per axis, `out = floor((in + 2·padding - dilation·(kernel-1) - 1) / stride) + 1`:"))
    st.latex(r"H_{out} = " + shapes.formula_text(in_h, kh, demo.stride, demo.padding, demo.dilation))
    if kw != kh:
        st.latex(r"W_{out} = " + shapes.formula_text(in_w, kw, demo.stride, demo.padding, demo.dilation))
    st.caption(_("The hand-computed {h}x{w} output matches PyTorch's own op (largest difference {diff}). Pooling "
                 "layers also take `ceil_mode=True`, which rounds the division up so a last, partial window is "
                 "kept instead of dropped.").format(h=out_h, w=out_w, diff=f"{demo.mismatch():.2g}"))
    ui.code_panel(code.window_code(in_h, DEFAULTS.grid_seed, demo.op, demo.kernel_hw, demo.stride, demo.padding,
                                   demo.dilation, demo.kernel))


# ----------------------------------------------------------------------------- 2. on an image

def _kernel_choice() -> torch.Tensor | None:
    name = ui.widgets.selectbox(_("Kernel"), DEFAULTS, "preset", key="conv.preset",
                                format_func=option_labels(kernels.KERNEL_LABELS))
    if name != kernels.CUSTOM:
        kernel = kernels.preset_kernel(name)
        st.caption(_("Weights: {weights}").format(weights=kernels.kernel_caption(kernel)))
        return kernel
    text = ui.widgets.text_input(_("Your kernel (up to 7x7, non-square allowed)"), DEFAULTS, "custom_kernel",
                                 key="conv.kernel_text", area=True, height=120)
    try:
        return kernels.parse_kernel(text)
    except ValueError as e:
        ui.show_error(e, _("Kernel: "))
        return None


def _conv_settings() -> image_ops.ConvSettings:
    c1, c2, c3, c4, c5, c6 = st.columns(6)
    stride = ui.widgets.number_input(_("Stride"), DEFAULTS, "stride", key="conv.stride", where=c1)
    kind = ui.widgets.selectbox(_("Padding"), DEFAULTS, "padding_kind", key="conv.padding_kind", where=c2,
                                format_func=option_labels(PADDING_LABELS))
    amount = (ui.widgets.number_input(_("Padding (pixels)"), DEFAULTS, "padding", key="conv.padding", where=c2)
              if kind == "number" else kind)
    mode = ui.widgets.selectbox("padding_mode", DEFAULTS, "padding_mode", key="conv.padding_mode", where=c3)
    dilation = ui.widgets.slider(_("Dilation"), DEFAULTS, "dilation", key="conv.dilation", where=c4)
    groups = ui.widgets.number_input(
        _("Groups"), DEFAULTS, "groups", key="conv.groups", where=c5,
        help=_("1: every output mixes all colours. 3 (RGB): each colour filtered on its own."))
    bias = ui.widgets.number_input(_("Bias"), DEFAULTS, "bias", key="conv.bias", where=c6)
    return image_ops.ConvSettings(stride, amount, mode, dilation, groups, float(bias))


class Chosen(NamedTuple):
    """The picture of tab 2, which the pooling and filters tabs use too."""

    image: Image.Image | None  # None: "Upload" picked but nothing uploaded (yet)
    file_name: str             # for the code panels: the sample's file or the upload's own name
    grey: bool


def _has_image(chosen: Chosen) -> bool:
    """Say where the picture of a later tab comes from (tab 2), or that there is none yet."""
    if chosen.image is None:
        st.info(_("Pick an image in tab 2 first."))
        return False
    st.caption(_("Uses the image chosen in tab 2."))
    return True


@ui.links.fragment
def image_conv_section(image: Image.Image | None, grey: bool, file_name: str, shown: bytes | None) -> None:
    """2. F.conv2d with a preset or typed kernel on the chosen image (the controls even without one: a widget
    not drawn in a run loses its value, and the link with it). `shown` is the input picture, encoded once."""
    kernel = _kernel_choice()
    settings = _conv_settings()
    display = ui.widgets.radio(
        _("Show the output as"), DEFAULTS, "display", key="conv.display", horizontal=True,
        format_func=option_labels(image_ops.DISPLAY_MODES),
        help=_("Outputs can be negative or above 1 (Sobel, sharpen): choose how to map them to pixels."))
    if kernel is None or image is None:
        return
    try:
        result = image_ops.convolve_image(image, grey, kernel, settings, ui.current_device())
    except (ValueError, RuntimeError) as e:
        ui.show_error(e)
        return
    left, right = st.columns(2)
    left.image(shown, caption=_("Input {shape}").format(shape=result.in_shape), width="stretch")
    right.image(result.output_picture(display), caption=_("Output {shape}").format(shape=result.out_shape),
                width="stretch")
    lo, hi = result.value_range
    st.markdown(_("**Shapes:** input {shape_in} -> output {shape_out}. Output values range from **{lo}** to "
                  "**{hi}**. The weight has shape **{weight}** = (out_channels, in_channels / groups, kh, kw): "
                  "with groups=1 every output channel sums all input colours (a grey result), with groups = "
                  "channels each colour is filtered on its own.").format(
                      shape_in=result.in_shape, shape_out=result.out_shape, lo=f"{lo:.3g}", hi=f"{hi:.3g}",
                      weight=result.weight_shape))
    ui.code_panel(code.image_conv_code(kernel, settings, grey, file_name, DEFAULTS.max_side))


# ----------------------------------------------------------------------------- 3. pooling

def _pool_settings() -> pooling.PoolSettings:
    c1, c2, c3, c4, c5 = st.columns(5)
    kind = ui.widgets.radio(_("Pooling"), DEFAULTS, "pool_kind", key="conv.pool.kind", where=c1, horizontal=True,
                            format_func=option_labels(pooling.POOL_KINDS))
    k = ui.widgets.slider(_("Window"), DEFAULTS, "pool_kernel", key="conv.pool.kernel", where=c2)
    stride = ui.widgets.number_input(_("Stride"), DEFAULTS, "pool_stride", key="conv.pool.stride", where=c3)
    padding = ui.widgets.slider(_("Padding"), DEFAULTS, "pool_padding", key="conv.pool.padding", where=c4)
    ceil_mode = ui.widgets.checkbox("ceil_mode", DEFAULTS, "ceil_mode", key="conv.pool.ceil", where=c5,
                                    help=_("Round the output size up: keep a last partial window."))
    return pooling.PoolSettings(kind, k, stride, padding, ceil_mode)


@ui.links.fragment
def pooling_section(chosen: Chosen) -> None:
    """3. Max/avg pooling, global average pooling and MaxUnpool2d on the image of tab 2 (the controls always)."""
    settings = _pool_settings()
    if not _has_image(chosen):
        return
    image, grey, file_name = chosen.image, chosen.grey, chosen.file_name
    try:
        result = pooling.pool_image(image, grey, settings, ui.current_device())
    except ValueError as e:
        ui.show_error(e)
        return
    pooled, unpooled, swatch = result.pictures()
    kind = _(pooling.POOL_KINDS[settings.kind])
    cols = st.columns(3)
    cols[0].image(pooled, caption=_("{kind} pooled {shape}").format(kind=kind, shape=result.pooled_shape),
                  width="stretch")
    cols[1].image(unpooled, caption=_("MaxUnpool2d back to {shape}").format(shape=result.in_shape), width="stretch")
    cols[2].image(swatch, caption=_("Global average pooling: the image's mean colour"))
    st.latex(r"H_{out} = " + result.formula)
    st.markdown(_("**Shapes:** input {shape_in} -> {kind} pooled {pooled}. `adaptive_avg_pool2d(x, 1)` turns "
                  "{shape_in} into {gap}: channel means {means}. Max pooling keeps **{kept}** of the pixels (the "
                  "brightest of each window); `MaxUnpool2d` puts them back where they were, zeros elsewhere.").format(
                      shape_in=result.in_shape, kind=kind, pooled=result.pooled_shape, gap=result.gap_shape,
                      means=", ".join(f"{m:.3f}" for m in result.means), kept=f"{result.kept:.0%}"))
    ui.code_panel(code.pool_code(settings, grey, file_name, DEFAULTS.max_side))


def _picture() -> ui.Picked:
    """A sample (its name in the link as `img`) or an upload, which cannot travel: a link shows the sample."""
    names = list(PHOTOS)
    codec = links.option_codec(names)
    links.before_widget("conv.image.sample", "img", SAMPLE, codec, lambda v: v in names)
    picked = ui.image_input("conv.image", max_side=DEFAULTS.max_side, samples=PHOTOS, default=SAMPLE)
    links.after_widget("img", SAMPLE if _uploaded() else picked.name, SAMPLE, codec)
    if problem := links.problem("img"):
        st.warning(problem, icon="🔗")
    return picked


def _uploaded() -> bool:
    return st.session_state.get("conv.image.source") == "Upload"


def image_section() -> Chosen:
    """Tab 2: the picture (also for tabs 3 and 4) and the convolution on it."""
    picked = _picture()
    file_name = PHOTOS.get(picked.name, picked.name)  # a sample's file, or the uploaded file's own name
    grey = ui.widgets.radio(_("Colour"), DEFAULTS, "colour", key="conv.colour", horizontal=True,
                            format_func=option_labels(image_ops.COLOURS)) == "grey"
    # the input picture only changes with the image or the colour: encoded here, not on every slider move
    shown = None if picked.image is None else image_ops.input_picture_jpeg(picked.image, grey)
    image_conv_section(picked.image, grey, file_name, shown)
    return Chosen(picked.image, file_name, grey)


# ----------------------------------------------------------------------------- 4. learned filters

@st.cache_data(show_spinner=False, max_entries=64)
def _feature_maps(pixels: np.ndarray, layer: str, count: int, device: str, online: bool) -> filters.FeatureMaps:
    """The first `count` maps of `layer` for an RGB uint8 image: small, so cheap to keep."""
    return filters.feature_maps(ui.shared_models.vgg19(device, online), pixels, layer, count, device)


@ui.links.fragment
def learned_filters_section(chosen: Chosen) -> None:
    """4. VGG19's conv1_1 kernels and the feature maps of a chosen layer, on the image of section 2."""
    c1, c2, c3 = st.columns([2, 2, 3])
    layer = ui.widgets.selectbox(_("Layer"), DEFAULTS, "vgg_layer", key="conv.vgg.layer", where=c1)
    count = ui.widgets.slider(_("Feature maps shown"), DEFAULTS, "feature_maps", key="conv.vgg.count", where=c2)
    online = ui.widgets.checkbox(_("Use torchvision's full weights"), DEFAULTS, "download", key="conv.vgg.download",
                                 where=c3, help=_("Downloads 550 MB the first time (then cached). Without them the "
                                                  "page uses the embedded 8-bit VGG19 weights."))
    if not _has_image(chosen):
        return
    image, file_name = chosen.image, chosen.file_name
    device = ui.current_device()
    try:
        features = ui.shared_models.vgg19(str(device), online)
    except ValueError as e:
        ui.show_error(e)
        return
    st.caption(_("Weights in use: **{source}**").format(source=translate(filters.weights_name(features))))
    left, right = st.columns([1, 2])
    left.image(filters.kernel_mosaic(features), width="stretch",
               caption=_("The 64 conv1_1 kernels (3x3 RGB, each stretched to 0..1)"))
    with st.spinner(_("Running VGG19…")):
        maps = _feature_maps(filters.vgg_pixels(image, DEFAULTS.vgg_side), layer, count, str(device), online)
    right.image(maps.mosaic, width="stretch", caption=_("First {count} of {total} {layer} feature maps").format(
        count=count, total=maps.out_shape[1], layer=layer))
    st.markdown(_("**{layer}** output shape: **{shape}** for a {shape_in} input. conv1_1's kernels are colour "
                  "blobs and edge detectors at various angles - the same kind of kernels as the hand-made Sobel "
                  "ones, but learnt. Deeper layers have more channels and a smaller map (each pool halves it): "
                  "each cell sees a larger part of the image.").format(
                      layer=layer, shape=maps.out_shape, shape_in=maps.in_shape))
    ui.code_panel(code.vgg_code(layer, file_name, DEFAULTS.vgg_side))


# ----------------------------------------------------------------------------- 5. shape calculator

def _table_height(rows: int) -> int:
    """Pixels that show every row without an inner scroll bar (35 px a row plus the header)."""
    return 35 * (rows + 1) + 3


def _input_shape(preset: str, shape: tuple[int, int, int]) -> tuple[int, int, int]:
    """C, H and W of the input (`c`, `h`, `w` in the link), starting at the preset's; one widget set per preset."""
    side, codec, values = spec(DEFAULTS, "stack_side"), links.number_codec(int), []
    for col, name, value in zip(st.columns(3), ("C", "H", "W"), shape):
        key = f"conv.stack.{name}.{preset}"
        values.append(int(ui.widgets.bound(lambda: col.number_input(name, side.lo, side.hi, value, key=key),
                                           key, name.lower(), value, codec, side.allows, col)))
    return tuple(values)  # type: ignore[return-value]


def _rows_codec() -> links.Codec:
    """The layer table as packed JSON, checked cell by cell when it comes from a link."""
    packed = links.packed_codec()
    return links.Codec(packed.encode, lambda text: layer_stack.rows_to_link(layer_stack.rows_from_link(
        packed.decode(text))))


def _layer_rows(preset: str, preset_rows: list[dict]) -> list[dict]:
    """The editable table of layers (`layers` in the link, packed); a link's table opens in a fresh editor."""
    key, codec = f"conv.stack.rows.{preset}", _rows_codec()
    default = layer_stack.rows_to_link(preset_rows)
    if st.session_state.pop(STACK_HIDDEN, False) and f"{key}.edited" in st.session_state:
        st.session_state[key] = st.session_state[f"{key}.edited"]  # the table as it was when its tab closed
    links.before_widget(key, "layers", default, codec)
    start = st.session_state.get(key, default)
    if st.session_state.get(f"{key}.from") != start:  # new rows from a link (or back to the preset's)
        st.session_state[f"{key}.version"] = st.session_state.get(f"{key}.version", 0) + 1
        st.session_state[f"{key}.from"] = start
    rows = _layer_table(f"conv.stack.editor.{preset}.{st.session_state[f'{key}.version']}",
                        [layer_stack.layer_row(*cells) for cells in start])
    st.session_state[f"{key}.edited"] = layer_stack.rows_to_link(rows)
    links.after_widget("layers", st.session_state[f"{key}.edited"], default, codec)
    if problem := links.problem("layers"):
        st.warning(problem, icon="🔗")
    return rows


def _layer_table(key: str, rows: list[dict]) -> list[dict]:
    """The data editor of the layers, as plain row dicts (empty cells None)."""
    least = layer_stack.COLUMN_MIN
    column_config = {
        "layer": st.column_config.SelectboxColumn("layer", options=layer_stack.LAYER_TYPES, required=True),
        "in": st.column_config.NumberColumn("in", help=_("in_channels / in_features; empty = inferred"),
                                            min_value=least["in"]),
        "out": st.column_config.NumberColumn("out", help=_("out_channels / out_features"), min_value=least["out"]),
        "kernel": st.column_config.NumberColumn("kernel", min_value=least["kernel"]),
        "stride": st.column_config.NumberColumn("stride", min_value=least["stride"]),
        "padding": st.column_config.NumberColumn("padding", min_value=least["padding"]),
    }
    frame = pd.DataFrame(rows, columns=list(layer_stack.COLUMNS)).astype({c: "Int64" for c in layer_stack.COLUMNS[1:]})
    edited = st.data_editor(frame, num_rows="dynamic", column_config=column_config, hide_index=False,
                            key=key, width="stretch", height=_table_height(len(frame) + 1))
    return [{k: (None if pd.isna(v) else v) for k, v in r.items()} for r in edited.to_dict("records")]


@ui.links.fragment
def shape_calculator_section() -> None:
    """5. The layer-stack shape calculator."""
    st.markdown(_("Stack layers in the table (add rows at the bottom, pick the layer type) and read each "
                  "layer's output shape, parameter count and receptive field - how many input pixels one "
                  "output cell can see."))
    preset = ui.widgets.selectbox(_("Preset"), DEFAULTS, "stack_preset", key="conv.stack.preset",
                                  format_func=option_labels(layer_stack.PRESET_LABELS))
    preset_shape, preset_rows = layer_stack.PRESETS[preset]
    shape = _input_shape(preset, preset_shape)
    rows = _layer_rows(preset, preset_rows)
    try:
        results = layer_stack.analyse(rows, shape)
    except ValueError as e:
        ui.show_error(e)
        return
    table = pd.DataFrame([{"#": r.index, _("layer"): r.layer, _("output shape"): str(r.out_shape or "—"),
                           _("parameters"): r.params, _("receptive field"): translate(r.receptive_field)}
                          for r in results])
    st.dataframe(table, hide_index=True, width="stretch", height=_table_height(len(table)))
    broken = [r for r in results if r.error]
    for r in broken:
        st.error(_("Layer {index} ({layer}) does not fit: {reason}").format(index=r.index, layer=r.layer,
                                                                            reason=translate(r.error)), icon="🧱")
    if results and not broken:
        st.success(_("Input {shape_in} -> output {shape_out}; {n} parameters in all.").format(
            shape_in=shape, shape_out=results[-1].out_shape, n=f"{layer_stack.total_params(results):,}"))
    ui.code_panel(code.stack_code(rows, shape))


# ----------------------------------------------------------------------------- the lesson

def not_in_link(picked_upload: bool) -> list[str]:
    """What a link to this page cannot carry."""
    items = [_("your uploaded picture: the link opens the page with the sample photo instead")] if picked_upload \
        else []
    return items + [_("the choice of torchvision's full weights (a 550 MB download): the link uses the embedded "
                      "weights; tick the box yourself")]


def keep_hidden_settings() -> None:
    """Keep the values of widgets in tabs not drawn this run: Streamlit forgets a widget's value after a run
    that does not draw it, unless the value is set through session state (their link values stay in the URL)."""
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(tuple(LAZY_TABS.values()))]:
        if ".editor." not in key and ".fig." not in key:  # a data editor's edits cannot be set this way
            st.session_state[key] = st.session_state[key]


def main() -> None:
    """The lesson: idea, the link, then the five sections as tabs (the open one in the link, the only one drawn
    besides the image tab)."""
    intro()
    keep_hidden_settings()
    # before the sections: they are fragments, and a fragment rerun may only update a box drawn before it
    links.share_panel(not_in_link(_uploaded()))
    labels = {"window": _("1 · Sliding window"), "image": _("2 · On an image"), "pooling": _("3 · Pooling"),
              "filters": _("4 · Learned filters"), "shapes": _("5 · Shape calculator")}
    tabs = dict(zip(labels, ui.widgets.tabs(labels, key=TAB)))
    opened = next((tab for tab, label in labels.items() if label == st.session_state.get(TAB)), "window")
    if opened == "window":
        with tabs["window"]:
            sliding_window_section()
    with tabs["image"]:
        chosen = image_section()
    if opened == "pooling":
        with tabs["pooling"]:
            pooling_section(chosen)
    if opened == "filters":
        with tabs["filters"]:
            learned_filters_section(chosen)
    if opened == "shapes":
        with tabs["shapes"]:
            shape_calculator_section()
    else:
        st.session_state[STACK_HIDDEN] = True


main()
