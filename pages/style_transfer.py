"""Neural style transfer studio: paint a photo in the style of a painting, live."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import pandas as pd
import plotly.express as px
import streamlit as st

import ui
from lib.common.messages import N_
from lib.common.samples import PAINTINGS, PHOTOS, SAMPLE_IMAGES
from lib.style_transfer import (
    code,
    config,
    cost,
    explain,
    images,
    output,
    presets,
)
from lib.style_transfer.run import StyleRun
from ui import links
from ui.gate import job_budget_for
from ui.i18n import _, option_labels, translate
from ui.shared_models import vgg19

if TYPE_CHECKING:
    import torch

DEFAULTS = config.StyleConfig()
RUN = "style.run"          # session-state key of this user's StyleRun (the current or last one)
APPLIED = "style.applied"  # the preset whose settings the widgets were last set to
# widget key of every setting a preset sets (the output size stays: it belongs to the device)
KEYS = {"content_layer": "style.content_layer", "style_layers": "style.layers", "gram": "style.gram",
        "style_ratio": "style.ratio", "tv_weight": "style.tv", "init": "style.init", "keep_colors": "style.keep_colors",
        "space": "style.space", "optimizer": "style.optimizer", "lr": "style.lr", "steps": "style.steps",
        "coarse_to_fine": "style.coarse", "coarse_steps": "style.coarse_steps", "preview_every": "style.preview_every",
        "seed": "style.seed"}
PICTURES = {"content": ("style.content", "photo", PHOTOS, "Astronaut"),   # key, link name, samples, default
            "style": ("style.style", "painting", PAINTINGS, next(iter(PAINTINGS)))}
INIT_LABELS = {"content": N_("the photo"), "noise": N_("noise"), "style": N_("the painting")}
SPACE_LABELS = {"pixels": N_("network pixels (0..255), step in grey levels"),
                "normalised": N_("ImageNet-normalised pixels")}
GRAM_LABELS = {"chw": N_("Gram / (C×H×W)"), "classic": N_("raw Gram, loss / (C×H×W)")}
LOSS_LABELS = {"content": N_("content"), "style": N_("style"), "total": N_("total")}


@st.cache_resource(show_spinner=False)
def step_seconds_96(upto: str, optimizer: str, device: str) -> float:
    """A real step measured once per process at 96 px, scaled by pixel count for estimates."""
    return cost.measure_step_seconds(vgg19(device, deepest=upto), replace(DEFAULTS, optimizer=optimizer), device,
                                     size=96)


def intro() -> None:
    st.title(_("🎨 Neural style transfer"))
    st.markdown(_(
        "A trained image classifier (VGG19) sees a picture as stacks of **feature maps**. Deep maps say "
        "*what is where* (the **content**); how often features fire *together*, the **Gram matrix**, "
        "says what the texture is like regardless of where (the **style**). Gatys et al. start from a "
        "picture and change its pixels by gradient descent until its deep features match the photo and its "
        "Gram matrices match the painting. Below you pick both pictures, the layers and weights of that "
        "objective, and the optimiser - then watch the picture form."))


# ---------------------------------------------------------------- 1. pictures

def picture(which: str, draw: Callable[[], ui.Picked], where: Any) -> ui.Picked:
    """A sample (its name in the link) or an upload (which cannot travel); `draw` calls ui.image_input."""
    key, param, samples, default = PICTURES[which]
    codec = links.option_codec(list(samples))
    links.before_widget(f"{key}.sample", param, default, codec, lambda v: v in samples)
    with where:
        picked = draw()
        if problem := links.problem(param):
            st.warning(problem, icon="🔗")
    uploaded = st.session_state.get(f"{key}.source") == "Upload"
    links.after_widget(param, default if uploaded else picked.name, default, codec)
    return picked


def pictures_section(gpu: bool) -> tuple[ui.Picked, ui.Picked, int]:
    """Content and style pickers and the output size."""
    st.subheader(_("1 · Pictures"))
    left, right = st.columns(2)
    content = picture("content", lambda: ui.image_input("style.content", label=_("Content photo"), samples=PHOTOS,
                                                        default=PICTURES["content"][3]), left)
    style = picture("style", lambda: ui.image_input("style.style", label=_("Style painting"), samples=PAINTINGS,
                                                    default=PICTURES["style"][3]), right)
    defaults = replace(DEFAULTS, size=DEFAULTS.size_gpu) if gpu else DEFAULTS
    size = ui.widgets.select_slider(_("Output size (longest side, px)"), defaults, "size", key="style.size",
                                    help=_("The painting is resized and cropped to the same shape."))
    return content, style, int(size)


# ---------------------------------------------------------------- 2. recipe and objective

def preset_controls() -> config.StyleConfig:
    """The recipe selector; a newly chosen one sets every widget below to its settings."""
    chosen = ui.widgets.selectbox(_("Recipe"), DEFAULTS, "preset", key="style.preset",
                                  format_func=option_labels({k: p.title for k, p in presets.PRESETS.items()}),
                                  help=_("Choosing a recipe sets every setting below to it; change any of them "
                                         "afterwards."))
    if ui.presets.newly_chosen(APPLIED, chosen):
        apply_preset(chosen)
    recipe = presets.preset(chosen)
    ui.presets.show_origin(recipe.note, recipe.differs)
    return recipe.config


def apply_preset(name: str) -> None:
    """Set the widgets to a preset's settings (they become the new defaults, so they leave the link)."""
    recipe = presets.preset(name).config
    for field, key in KEYS.items():
        ui.presets.set_widget(key, recipe, field)


def objective_controls(start: config.StyleConfig) -> dict:
    """Layers by their real VGG names, Gram normalisation, weights, TV, start and colours."""
    c1, c2 = st.columns(2)
    content_layer = ui.widgets.selectbox(_("Content layer"), start, "content_layer", key="style.content_layer",
                                         where=c1, help=_("Deeper layers keep layout but forget detail."))
    layers = config.ordered_layers(ui.widgets.multiselect(
        _("Style layers"), start, "style_layers", key="style.layers", where=c2,
        help=_("Shallow layers copy colours and fine strokes, deep ones larger motifs.")))
    weights = config.weights_for(layers)
    st.caption(_("Per-layer style weights (the classic case study's; other layers get {other:g}): {weights}").format(
        other=config.OTHER_LAYER_WEIGHT, weights=", ".join(f"`{n}` {w:g}" for n, w in zip(layers, weights))))
    c3, c4, c5 = st.columns(3)
    gram = ui.widgets.radio(_("Gram normalisation"), start, "gram", key="style.gram", where=c3,
                            format_func=option_labels(GRAM_LABELS))
    ratio = ui.widgets.select_slider(_("Style / content weight ratio"), start, "style_ratio", key="style.ratio",
                                     where=c4, format_func=lambda r: f"{r:.3g}")
    tv = ui.widgets.select_slider(_("Total-variation weight"), start, "tv_weight", key="style.tv", where=c5,
                                  format_func=lambda v: f"{v:g}")
    c6, c7, c8 = st.columns(3)
    init = ui.widgets.radio(_("Start from"), start, "init", key="style.init", where=c6, horizontal=True,
                            format_func=option_labels(INIT_LABELS))
    seed = ui.widgets.number_input(_("Noise seed"), start, "seed", key="style.seed", where=c7,
                                   disabled=init != "noise")
    keep = ui.widgets.checkbox(_("Keep the photo's colours"), start, "keep_colors", key="style.keep_colors", where=c8,
                               help=_("Transfer luminance only: the painting gives the brightness and texture, "
                                      "the photo keeps its colours (YIQ: the result's Y with the photo's I and Q)."))
    return dict(content_layer=content_layer, style_layers=layers, layer_weights=weights, gram=gram,
                style_ratio=ratio, tv_weight=tv, init=init, seed=int(seed), keep_colors=keep)


# ---------------------------------------------------------------- 3. optimiser

def optimiser_controls(start: config.StyleConfig) -> dict:
    """Pixel space, optimiser, learning rate, steps and coarse-to-fine."""
    st.subheader(_("3 · Optimise"))
    c1, c2, c3 = st.columns(3)
    space = ui.widgets.radio(_("Optimise"), start, "space", key="style.space", where=c1,
                             format_func=option_labels(SPACE_LABELS))
    optimizer = ui.widgets.radio(_("Optimiser"), start, "optimizer", key="style.optimizer", where=c1, horizontal=True,
                                 format_func={"adam": "Adam", "lbfgs": "L-BFGS"}.get)
    lr = ui.widgets.select_slider(_("Adam learning rate"), start, "lr", key="style.lr", where=c1,
                                  disabled=optimizer != "adam", format_func=lambda v: f"{v:g}")
    steps = ui.widgets.number_input(_("Steps at full size"), start, "steps", key="style.steps", where=c2)
    preview = ui.widgets.number_input(_("Preview every … steps"), start, "preview_every", key="style.preview_every",
                                      where=c2)
    coarse = ui.widgets.checkbox(_("Coarse-to-fine (half size first)"), start, "coarse_to_fine", key="style.coarse",
                                 where=c3)
    coarse_steps = ui.widgets.number_input(_("Steps at half size"), start, "coarse_steps", key="style.coarse_steps",
                                           where=c3, disabled=not coarse)
    return dict(space=space, optimizer=optimizer, lr=float(lr), steps=int(steps), coarse_to_fine=coarse,
                coarse_steps=int(coarse_steps), preview_every=int(preview))


def time_estimate(cfg: config.StyleConfig, aspect: float, device: torch.device) -> float:
    """Caption with the expected run time from a measured step; returns the estimate in seconds."""
    features = vgg19(str(device), deepest=cfg.deepest)
    per_step = step_seconds_96(cfg.deepest, cfg.optimizer, str(device))
    seconds = cost.estimate_seconds(per_step, 96, cfg, aspect)
    flops = cost.step_flops(images.shape_for(cfg.size, aspect), cfg.deepest) / 1e9
    st.caption(_("⏱️ Estimated time: **{time}** for {steps} steps on {device} (one step at 96 px measured {ms:.0f} ms "
                 "here; cost grows with pixels; a full-size step is about {gflop:.0f} GFLOP). Weights: {source}. "
                 "{pixels} {step}").format(
        time=ui.format_seconds(seconds), steps=cfg.total_steps, device=device.type.upper(),
        ms=per_step * 1000, gflop=flops,
        source=translate(explain.weights_name(features.normalization)), pixels=translate(explain.pixel_sentence(features.normalization)),
        step=translate(explain.step_sentence(cfg.space, features.normalization))))
    return seconds


# ---------------------------------------------------------------- running

def stylise(run: StyleRun, device, aspect: float, expected_s: float) -> None:
    """Drive the run through the heavy-job gate, drawing progress, previews and curves; Stop keeps the picture."""
    st.session_state[RUN] = run  # before running: a stopped run keeps what it has painted
    features = vgg19(str(device), deepest=run.config.deepest)
    preview, chart = st.empty(), st.empty()

    def draw(result) -> None:
        if result.image is not None:
            preview.image(images.tensor_to_pil(result.image), caption=_("Preview at step {n}").format(n=result.step), width=320)
            chart.plotly_chart(loss_figure(run), key=f"style.live.{result.step}")

    outcome = ui.run_job(run.steps(features, device), total=run.config.total_steps, label=_("Stylising"),
                         done=lambda r: r.step, note=lambda r: _("· loss {loss:.3g}").format(loss=r.losses["total"]),
                         on_update=draw, must_draw=lambda r: r.image is not None, finished=_("Finished"),
                         kind="style_transfer", device=device, need_bytes=cost.run_bytes(run.config, aspect),
                         expected_s=expected_s)
    run.error = outcome.error
    preview.empty()
    chart.empty()


def loss_figure(run: StyleRun):
    frame = pd.DataFrame(run.loss_rows())
    long = frame.melt(id_vars=["step"], value_vars=list(LOSS_LABELS), var_name="loss")
    long["loss"] = long["loss"].map(lambda k: _(LOSS_LABELS[k]))
    fig = px.line(long, x="step", y="value", color="loss", log_y=True, height=300,
                  title=_("Losses (log scale; style is before the ratio)"),
                  labels={"step": _("step"), "value": _("value"), "loss": _("loss")})
    return fig.update_layout(margin=dict(l=10, r=10, t=40, b=10))


def controls_and_run(content: ui.Picked, style: ui.Picked, size: int) -> config.StyleConfig | None:
    """Everything from the recipe to the Start/Stop buttons; returns the settings if they can run."""
    st.subheader(_("2 · Recipe and objective"))
    start = replace(preset_controls(), size=size)
    settings = {**objective_controls(start), **optimiser_controls(start)}
    device = ui.current_device()
    names = (content.name, style.name)
    try:
        cfg = replace(start, **settings)
        cfg.validate()
        content01, style01, notes = images.prepare_images(content.image, style.image, cfg.size, cfg.max_aspect)
        aspect = content01.shape[-1] / content01.shape[-2]
        cost.check_size(cfg.size, aspect, cfg.deepest, job_budget_for(device))
        expected_s = time_estimate(cfg, aspect, device)
    except ValueError as e:
        ui.show_error(e)
        return None
    for note in notes:
        st.info(translate(note), icon="✂️")
    buttons(cfg, content01, style01, names, device, aspect, expected_s)
    return cfg


def buttons(cfg: config.StyleConfig, content01: torch.Tensor, style01: torch.Tensor, names: tuple[str, str],
            device, aspect: float, expected_s: float) -> None:
    """Start, Stop and Continue."""
    previous: StyleRun | None = st.session_state.get(RUN)
    b1, b2, b3 = st.columns(3)
    start = b1.button(_("▶️ Start"), type="primary", key="style.start")
    ui.stop_button("style.stop", where=b2, label=_("⏹️ Stop (keeps the current image)"))
    more = b3.button(_("⏩ Continue from current image"), key="style.continue")
    source = explain.weights_name(vgg19(str(device), deepest=cfg.deepest).normalization)
    if start:
        stylise(StyleRun(cfg, content01, style01, names, source), device, aspect, expected_s)
    elif more and (previous is None or not previous.can_continue(tuple(content01.shape[-2:]))):
        st.warning(_("Nothing to continue at this size yet: press Start first."))
    elif more:
        stylise(previous.continued(cfg, content01, style01, names, source), device, aspect, expected_s)


# ---------------------------------------------------------------- 4. result

def results() -> None:
    """Side-by-side, download, curves, per-layer bars, Grams and the explanation."""
    run: StyleRun | None = st.session_state.get(RUN)
    if run is not None and run.error:
        st.error(run.error, icon="⚠️")
    if run is None or run.image is None:
        st.info(_("Press **Start**: the picture appears here and refreshes while it forms."))
        return
    if not run.done and not run.error:
        st.warning(_("Stopped after {done} of {total} steps; the picture so far is kept. Press Continue to go "
                     "on.").format(done=len(run.history), total=run.config.total_steps))
    st.subheader(_("4 · Result"))
    image = images.tensor_to_pil(run.image)
    cols = st.columns(3)
    cols[0].image(images.tensor_to_pil(run.content01[0]), caption=_("Content: {name}").format(name=_(run.names[0])))
    cols[1].image(images.tensor_to_pil(run.style01[0]), caption=_("Style: {name}").format(name=_(run.names[1])))
    cols[2].image(image, caption=_("Result ({w}x{h}, step {n})").format(w=image.width, h=image.height,
                                                                         n=len(run.history)))
    st.download_button(_("⬇️ Download PNG (settings in the file name and metadata)"),
                       output.png_bytes(run.image, run.config), output.file_name(run.config, *run.names),
                       mime="image/png", key="style.download")
    st.caption(_("Weights: {source}.").format(source=translate(run.source)))
    if run.history:
        charts(run)
        explanation(run)


def charts(run: StyleRun) -> None:
    """Loss curves, per-layer style loss bars and Gram heat-maps."""
    cfg, last = run.config, run.history[-1].losses
    left, right = st.columns(2)
    left.plotly_chart(loss_figure(run), key="style.losses")
    bars = pd.DataFrame({"layer": list(cfg.style_layers), "loss": [last[f"style:{n}"] for n in cfg.style_layers]})
    right.plotly_chart(px.bar(bars, x="layer", y="loss", log_y=True, height=300,
                              labels={"layer": _("layer"), "loss": _("weighted style loss")},
                              title=_("Style loss per layer (last step)")), key="style.layer_bars")
    layer = st.selectbox(_("Gram matrix of layer"), cfg.style_layers, key="style.gram_layer")
    device = ui.current_device()
    pair = run.gram_pair(vgg19(str(device), deepest=cfg.deepest), layer, device)
    painting, result = pair.corner(64)
    titles = (_("Gram of the painting, {layer} (first {n} channels)"), _("Gram of the result, {layer} (first {n} "
                                                                         "channels)"))
    for col, gram, title, name in zip(st.columns(2), (painting, result), titles, ("painting", "result")):
        fig = px.imshow(gram.numpy(), color_continuous_scale="Viridis", height=330,
                        title=title.format(layer=layer, n=gram.shape[0]))
        col.plotly_chart(fig, key=f"style.gram.{name}")
    st.caption(_("Each cell (i, j) is the Gram entry of channels i and j of {layer}: how strongly they fire together "
                 "over all positions, normalised as this run's loss uses it. This layer's style loss before its "
                 "weight: {gap:.3g}.").format(layer=layer, gap=pair.gap))


def explanation(run: StyleRun) -> None:
    """Content loss, Gram matrix and style loss with this run's numbers, in the run's own normalisation."""
    cfg, last = run.config, run.history[-1].losses
    st.markdown(_(
        "**What the numbers mean.** The *content loss* is the mean squared difference between the `{layer}` "
        "feature maps of the result and of the photo: **{content:.3g}**. {gram} The *style loss* is the "
        "weighted sum over {n} layers: **{style:.3g}**, times the ratio {ratio:.3g} = **{style_part:.3g}**. Total "
        "variation {tv:.3g} x {tv_weight:g} = {tv_part:.3g}. Total **{total:.3g}**: the optimiser changes pixels "
        "to make it smaller. If the content share ({share:.0%}) dominates, the result stays a photo; raise the "
        "ratio for more paint.").format(
        layer=cfg.content_layer, content=last["content"], gram=translate(explain.gram_sentence(cfg.gram)),
        n=len(cfg.style_layers), style=last["style"], ratio=cfg.style_ratio, style_part=cfg.style_ratio * last["style"],
        tv=last["tv"], tv_weight=cfg.tv_weight, tv_part=cfg.tv_weight * last["tv"], total=last["total"],
        share=last["content"] / last["total"] if last["total"] else 0.0))


def code_section(cfg: config.StyleConfig, names: tuple[str, str]) -> None:
    """The standalone script for the current settings."""
    paths = tuple(f"assets/images/{SAMPLE_IMAGES[n]}" if n in SAMPLE_IMAGES else n for n in names)
    ui.code_panel(code.generate_code(cfg, *paths), title=_("Standalone script for these settings"))


def not_in_link(content: ui.Picked, style: ui.Picked) -> list[str]:
    """What a link to this page cannot carry: uploads (named) and the painted picture."""
    items = [_("your uploaded picture “{name}”: the link opens the page with the default sample instead").format(
        name=picked.name) for which, picked in (("content", content), ("style", style))
        if st.session_state.get(f"{PICTURES[which][0]}.source") == "Upload" and picked.name]
    return items + [_("the painted picture: the link restores the settings; press Start to paint it again")]


def main() -> None:
    intro()
    content, style, size = pictures_section(ui.current_device().type != "cpu")
    if content.image is None or style.image is None:
        st.info(_("Choose both a content photo and a style painting to go on."))
    else:
        cfg = controls_and_run(content, style, size)
        results()
        if cfg is not None:
            code_section(cfg, (content.name, style.name))
    links.share_panel(not_in_link(content, style))


main()
