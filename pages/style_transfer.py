"""Neural style transfer studio: paint a photo in the style of a painting, live."""
from __future__ import annotations

from dataclasses import replace

import pandas as pd
import plotly.express as px
import streamlit as st
import torch

import ui
from lib import style_transfer as stl
from lib.common.samples import PAINTINGS, PHOTOS, SAMPLE_IMAGES
from lib.common.vgg import CONV_LAYERS
from ui.shared_models import vgg19

CFG = stl.StyleConfig()
RUN = "style.run"  # session-state key of this user's current/last run
RATIOS = [10.0 ** (k / 2) for k in range(-2, 11)]           # 0.1 .. 1e5, half decades
TV_WEIGHTS = [0.0, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0]
SIZES = [32, 64, 128, 192, 256, 320, 384, 512, 768, 1024, 1536, 2048]
DEFAULT_WEIGHTS = dict(zip(stl.STYLE_LAYERS, stl.STYLE_LAYER_WEIGHTS))


@st.cache_resource(show_spinner="Timing one optimisation step on this device…")
def step_seconds_96(upto: str, optimizer: str, device: str) -> float:
    """A real step measured once per process at 96 px, scaled by pixel count for estimates."""
    return stl.measure_step_seconds(vgg19(device, deepest=upto), replace(CFG, optimizer=optimizer), device, size=96)


def intro() -> None:
    st.title("🎨 Neural style transfer")
    st.markdown(
        "A trained image classifier (VGG19) sees a picture as stacks of **feature maps**. Deep maps say "
        "*what is where* (the **content**); how often features fire *together*, the **Gram matrix**, "
        "says what the texture is like regardless of where (the **style**). Gatys et al. start from a "
        "picture and change its pixels by gradient descent until its deep features match the photo and its "
        "Gram matrices match the painting. Below you pick both pictures, the layers and weights of that "
        "objective, and the optimiser - then watch the picture form."
    )


def pictures() -> tuple:
    """Content and style pickers and the output size; returns (content, style, size, names)."""
    st.subheader("1. Pictures")
    left, right = st.columns(2)
    with left:
        content = ui.image_input("style.content", label="Content photo", samples=PHOTOS, default="Astronaut").image
    with right:
        style = ui.image_input("style.style", label="Style painting", samples=PAINTINGS).image
    gpu = ui.current_device().type != "cpu"
    size = st.select_slider("Output size (longest side, px)", SIZES, value=CFG.size_gpu if gpu else CFG.size,
                            key="style.size", help="The painting is resized and cropped to the same shape.")
    names = (_image_name("style.content", "my_photo.png"), _image_name("style.style", "my_painting.png"))
    return content, style, size, names


def _image_name(key: str, upload_name: str) -> str:
    if st.session_state.get(f"{key}.source", "Sample") == "Sample":
        return st.session_state.get(f"{key}.sample") or ("Astronaut" if "content" in key else next(iter(PAINTINGS)))
    return upload_name


def objective_controls() -> dict:
    """Layers by their real VGG names, weights, ratio, TV, init and colours."""
    st.subheader("2. The objective")
    c1, c2 = st.columns(2)
    content_layer = c1.selectbox("Content layer", CONV_LAYERS, index=CONV_LAYERS.index(CFG.content_layer),
                                 key="style.content_layer", help="Deeper layers keep layout but forget detail.")
    style_layers = c2.multiselect("Style layers", CONV_LAYERS, default=list(CFG.style_layers), key="style.layers",
                                  help="Shallow layers copy colours and fine strokes, deep ones larger motifs.")
    style_layers = sorted(style_layers, key=CONV_LAYERS.index)
    weights = tuple(DEFAULT_WEIGHTS.get(n, 0.2) for n in style_layers)
    st.caption("Per-layer style weights (the classic case study's; other layers get 0.2): "
               + ", ".join(f"`{n}` {w:g}" for n, w in zip(style_layers, weights)))
    c3, c4 = st.columns(2)
    ratio = c3.select_slider("Style / content weight ratio", RATIOS, value=CFG.style_ratio, key="style.ratio",
                             format_func=lambda r: f"{r:.3g}")
    tv = c4.select_slider("Total-variation weight", TV_WEIGHTS, value=CFG.tv_weight, key="style.tv",
                          format_func=lambda v: f"{v:g}")
    c5, c6 = st.columns(2)
    init = c5.radio("Start from", stl.INITS, index=stl.INITS.index(CFG.init), horizontal=True, key="style.init")
    keep = c6.checkbox("Keep the photo's colours (transfer luminance only)", value=CFG.keep_colors,
                       key="style.keep_colors")
    return dict(content_layer=content_layer, style_layers=tuple(style_layers), layer_weights=weights,
                style_ratio=ratio, tv_weight=tv, init=init, keep_colors=keep)


def optimiser_controls() -> dict:
    """Optimiser, learning rate, steps and coarse-to-fine."""
    st.subheader("3. Optimise")
    c1, c2, c3 = st.columns(3)
    optimizer = c1.radio("Optimiser", stl.OPTIMIZERS, index=stl.OPTIMIZERS.index(CFG.optimizer),
                         format_func={"adam": "Adam", "lbfgs": "L-BFGS"}.get, key="style.optimizer")
    lr = c1.slider("Adam step (grey levels per step)", 0.5, 30.0, CFG.lr, 0.5, key="style.lr",
                   disabled=optimizer != "adam",
                   help="We optimise the pixels in the network's own 0..255 scale, so this is how far a pixel may move per step.")
    steps = c2.number_input("Steps at full size", 1, 2000, CFG.steps, key="style.steps")
    coarse = c3.checkbox("Coarse-to-fine (half size first)", value=CFG.coarse_to_fine, key="style.coarse")
    coarse_steps = c3.number_input("Steps at half size", 1, 2000, CFG.coarse_steps, key="style.coarse_steps",
                                   disabled=not coarse)
    preview = c2.number_input("Preview every … steps", 1, 100, CFG.preview_every, key="style.preview_every")
    return dict(optimizer=optimizer, lr=float(lr), steps=int(steps), coarse_to_fine=coarse,
                coarse_steps=int(coarse_steps), preview_every=int(preview))


def time_estimate(config: stl.StyleConfig, aspect: float, device: torch.device) -> None:
    """Caption with the expected run time from a measured step."""
    try:
        per_step = step_seconds_96(config.deepest, config.optimizer, str(device))
    except ValueError as e:
        ui.show_error(e)
        return
    seconds = stl.estimate_seconds(per_step, 96, config, aspect)
    flops = stl.step_flops(stl._shape_for(config.size, aspect), config.deepest) / 1e9
    st.caption(f"⏱️ Estimated time: **{ui.progress.format_seconds(seconds)}** for {config.total_steps} steps on "
               f"{device} (one step at 96 px measured {per_step * 1000:.0f} ms here; cost grows with pixels; "
               f"a full-size step is about {flops:.0f} GFLOP). Weights: {vgg19(str(device), deepest=config.deepest).source}.")


def run(config: stl.StyleConfig, content01, style01, names, device, start01=None) -> None:
    """Run the generator, drawing progress and previews; state survives a Stop."""
    features = vgg19(str(device), deepest=config.deepest)
    state = {"config": config, "history": [], "image": None if start01 is None else start01[0], "names": names, "error": None,
             "content01": content01, "style01": style01, "done": False, "source": features.source}
    st.session_state[RUN] = state
    progress = ui.Progress(config.total_steps, "Stylising")
    preview, chart = st.empty(), st.empty()
    try:
        for result in stl.stylize(features, content01, style01, config, device, start01=start01):
            state["history"].append({"step": result.step, "seconds": result.seconds, **result.losses})
            progress.update(result.step, f"· loss {result.losses['total']:.3g}")
            if result.image is not None:
                state["image"] = result.image
                preview.image(stl.tensor_to_pil(result.image), caption=f"Step {result.step}", width=320)
                chart.plotly_chart(loss_figure(state["history"]), key=f"style.live.{result.step}")
        state["done"] = True
        progress.done("Finished")
    except ValueError as e:  # NaN/inf loss: keep the last good image, say what to change
        state["error"] = str(e)
    preview.empty()
    chart.empty()


def loss_figure(history: list[dict]):
    frame = pd.DataFrame(history)
    long = frame.melt(id_vars=["step"], value_vars=["content", "style", "total"], var_name="loss")
    fig = px.line(long, x="step", y="value", color="loss", log_y=True, height=300,
                  title="Losses (log scale; style is before the ratio)")
    return fig.update_layout(margin=dict(l=10, r=10, t=40, b=10))


def controls_and_run(content, style, size, names) -> stl.StyleConfig | None:
    """Everything from the objective to the Start/Stop buttons; returns the settings if valid."""
    settings = {**objective_controls(), **optimiser_controls()}
    device = ui.current_device()
    try:
        config = replace(CFG, size=int(size), **settings)
        config.validate()
        content01, style01, notes = stl.prepare_images(content, style, config.size, config.max_aspect)
        aspect = content01.shape[-1] / content01.shape[-2]
        stl.check_size(config.size, aspect, config.deepest, stl.memory_budget(device))
    except ValueError as e:
        ui.show_error(e)
        return None
    for note in notes:
        st.info(note, icon="✂️")
    time_estimate(config, aspect, device)
    previous = st.session_state.get(RUN)
    b1, b2, b3 = st.columns(3)
    start = b1.button("▶️ Start", type="primary", key="style.start")
    b2.button("⏹️ Stop (keeps the current image)", key="style.stop")
    can_continue = previous is not None and previous["image"] is not None and \
        tuple(previous["image"].shape[-2:]) == tuple(content01.shape[-2:])
    more = b3.button("⏩ Continue from current image", key="style.continue")
    if start:
        run(config, content01, style01, names, device)
    elif more and not can_continue:
        st.warning("Nothing to continue at this size yet: press Start first.")
    elif more:
        run(replace(config, coarse_to_fine=False), content01, style01, names, device,
            start01=previous["image"].unsqueeze(0))
    return config


def results() -> None:
    """Side-by-side, download, curves, per-layer bars, Grams and the explanation."""
    state = st.session_state.get(RUN)
    if not state or state["image"] is None:
        st.info("Press **Start**: the picture appears here and refreshes while it forms.")
        return
    if state["error"]:
        st.error(state["error"], icon="⚠️")
    elif not state["done"]:
        st.warning(f"Stopped after {len(state['history'])} of {state['config'].total_steps} steps; "
                   "the picture so far is kept. Press Continue to go on.")
    st.subheader("4. Result")
    config = state["config"]
    image = stl.tensor_to_pil(state["image"])
    cols = st.columns(3)
    cols[0].image(stl.tensor_to_pil(state["content01"][0]), caption=f"Content: {state['names'][0]}")
    cols[1].image(stl.tensor_to_pil(state["style01"][0]), caption=f"Style: {state['names'][1]}")
    cols[2].image(image, caption=f"Result ({image.width}x{image.height}, step {len(state['history'])})")
    st.download_button("⬇️ Download PNG (settings in the file name and metadata)",
                       stl.png_bytes(state["image"], config), stl.file_name(config, *state["names"]),
                       mime="image/png", key="style.download")
    st.caption(f"Weights: {state['source']}.")
    if state["history"]:
        charts(state)
        explanation(state)


def charts(state: dict) -> None:
    """Loss curves, per-layer style loss bars and Gram heat-maps."""
    config, last = state["config"], state["history"][-1]
    left, right = st.columns(2)
    left.plotly_chart(loss_figure(state["history"]), key="style.losses")
    bars = pd.DataFrame({"layer": list(config.style_layers),
                         "weighted style loss": [last[f"style:{n}"] for n in config.style_layers]})
    right.plotly_chart(px.bar(bars, x="layer", y="weighted style loss", log_y=True, height=300,
                              title="Style loss per layer (last step)"), key="style.layer_bars")
    layer = st.selectbox("Gram matrix of layer", config.style_layers, key="style.gram_layer")
    features = vgg19(str(ui.current_device()), deepest=config.deepest)
    style01 = state["style01"]
    if config.keep_colors:
        style01 = stl.luminance_image(style01, like=state["content01"])
    grams = {"painting": stl.layer_gram(features, style01, layer, ui.current_device()),
             "result": stl.layer_gram(features, state["image"].unsqueeze(0), layer, ui.current_device())}
    shown = min(64, grams["painting"].shape[0])
    cols = st.columns(2)
    for col, (name, gram) in zip(cols, grams.items()):
        fig = px.imshow(gram[:shown, :shown].numpy(), color_continuous_scale="Viridis", height=330,
                        title=f"Gram of the {name}, {layer} (first {shown} channels)")
        col.plotly_chart(fig, key=f"style.gram.{name}")
    gap = torch.nn.functional.mse_loss(grams["result"], grams["painting"]).item()
    st.caption(f"Each cell (i, j) is how strongly channels i and j of {layer} fire together, averaged over "
               f"positions. Mean squared gap between the two: {gap:.3g} - the style loss of this layer "
               f"before its weight.")


def explanation(state: dict) -> None:
    """Content loss, Gram matrix and style loss with this run's numbers."""
    config, last = state["config"], state["history"][-1]
    style_part = config.style_ratio * last["style"]
    tv_part = config.tv_weight * last["tv"]
    st.markdown(
        f"**What the numbers mean.** The *content loss* is the mean squared difference between the "
        f"`{config.content_layer}` feature maps of the result and of the photo: **{last['content']:.3g}** "
        f"(VGG's Caffe weights work on 0..255 pixels, so activations and losses are large). The *Gram matrix* "
        f"of a layer with C channels is the C x C table of channel products averaged over all positions - "
        f"it forgets *where*, keeps *what goes with what*. The *style loss* is the weighted sum over "
        f"{len(config.style_layers)} layers of the squared Gram gaps: **{last['style']:.3g}**, times the "
        f"ratio {config.style_ratio:.3g} = **{style_part:.3g}**. Total variation {last['tv']:.3g} x "
        f"{config.tv_weight:g} = {tv_part:.3g}. Total **{last['total']:.3g}**: the optimiser changes pixels "
        f"to make it smaller. If the content share ({last['content'] / last['total']:.0%}) dominates, the "
        f"result stays a photo; raise the ratio for more paint."
    )


def code(config: stl.StyleConfig, names: tuple[str, str]) -> None:
    """The standalone script for the current settings."""
    paths = tuple(f"assets/images/{SAMPLE_IMAGES[n]}" if n in SAMPLE_IMAGES else n for n in names)
    ui.code_panel(stl.generate_code(config, *paths), title="Standalone script for these settings")


def main() -> None:
    intro()
    content, style, size, names = pictures()
    if content is None or style is None:
        st.info("Choose both a content photo and a style painting to go on.")
        return
    config = controls_and_run(content, style, size, names)
    results()
    if config is not None:
        code(config, names)


main()
