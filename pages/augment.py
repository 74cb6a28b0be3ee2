"""Augmentation previewer: build a torchvision transforms.v2 pipeline and look at many random draws."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import plotly.graph_objects as go
import streamlit as st

import ui
from lib.augment import code, config, images, json_io, normalise, pipeline, recipes, registry, sampling
from lib.common.messages import N_
from lib.common.settings import spec
from ui import links
from ui.i18n import _, option_labels, translate

if TYPE_CHECKING:
    import torch

    from lib.augment.specs import ParamSpec

DEFAULTS = config.AugmentConfig()
PIPE = "augment.pipeline"   # session state: the user's pipeline, a `pipeline.PipelineState`
SEED = "augment.seed"
MESSAGE = "augment.json_msg"  # (st function name, N_ text or the error) of the last JSON load, shown once
LINKED = "augment.linked_pipeline"  # the steps a link brought, set by ui.links before the builder is drawn
CHANNELS = ("R", "G", "B")
COLOURS = ("#e4572e", "#4caf50", "#2e86de")


def intro() -> None:
    st.title(_("🎛️ Augmentation previewer"))
    st.markdown(_("Data augmentation shows a model many slightly different versions of each training image - "
                  "cropped, flipped, recoloured - so it learns what matters rather than memorising pixels. "
                  "Build a `torchvision.transforms.v2` pipeline below, then look at many random draws **before** "
                  "training with it: if you cannot recognise the object any more, neither can the model."))


# ---------------------------------------------------------------- pipeline state


def _pipeline() -> pipeline.PipelineState:
    if PIPE not in st.session_state:
        st.session_state[PIPE] = pipeline.PipelineState.start(pipeline.default_pipeline())
    return st.session_state[PIPE]


def _add() -> None:
    _pipeline().add(st.session_state["augment.add_name"])


def _load(read: Callable[[], list[pipeline.Step]]) -> None:
    """Replace the pipeline with what `read` returns, or keep it and say why not."""
    try:
        _pipeline().replace(read())
        st.session_state[MESSAGE] = ("success", N_("Pipeline loaded."))
    except ValueError as e:
        st.session_state[MESSAGE] = ("error", e)  # translated when shown


def _use_recipe(key: str) -> None:
    """A tutorial's pipeline and its normalisation (the link follows both)."""
    recipe = recipes.recipe(key)
    _load(recipe.pipeline)
    st.session_state["augment.norm"] = recipe.normalise


def _load_upload() -> None:
    upload = st.session_state.get("augment.json_file")
    if upload is not None:
        _load(lambda: json_io.from_json_bytes(upload.getvalue()))


def _load_pasted() -> None:
    _load(lambda: json_io.from_json(st.session_state.get("augment.json_text", "")))


# ---------------------------------------------------------------- 1. pipeline builder: widgets from specs


def _widget(param: ParamSpec, key: str, value: Any) -> Any:
    """One parameter widget generated from its spec (albumentations-demo style)."""
    if param.kind == "pair":
        return _pair_widget(param, key, value)
    st.session_state.setdefault(key, value)
    hint = _(param.help) if param.help else None  # parameter names stay as in torchvision, their help is translated
    if param.kind == "bool":
        return st.checkbox(param.name, key=key, help=hint)
    if param.kind == "choice":
        return st.selectbox(param.name, list(param.options), key=key, help=hint)
    if param.kind == "int":
        return st.number_input(param.name, int(param.low), int(param.high), step=int(param.step), key=key,
                               help=hint)
    return st.slider(param.name, float(param.low), float(param.high), step=float(param.step), key=key, help=hint)


def _pair_widget(param: ParamSpec, key: str, value: Any) -> tuple:
    """Two number boxes, so a reversed (min > max) pair can be typed and explained."""
    cast = int if param.integer else float
    out = []
    hint = _(param.help) if param.help else None
    for col, label, v in zip(st.columns(2), param.labels, value):
        st.session_state.setdefault(f"{key}.{label}", cast(v))
        out.append(col.number_input(f"{param.name} {_(label)}", cast(param.low), cast(param.high),
                                    step=cast(param.step), key=f"{key}.{label}", help=hint))
    return tuple(out)


def _step_controls(i: int, entry: pipeline.Entry, state: pipeline.PipelineState) -> None:
    step, sid = entry.step, entry.id
    transform = registry.REGISTRY[step.name]
    kind = _("random") if transform.random else _("deterministic")
    st.caption(f"{_(transform.doc)}  \n_{_(transform.group)}, {kind}_")
    cols = st.columns([2, 1, 1, 1])
    st.session_state.setdefault(f"augment.s{sid}.on", step.enabled)
    step.enabled = cols[0].toggle(_("on"), key=f"augment.s{sid}.on")
    cols[1].button("↑", key=f"augment.s{sid}.up", on_click=state.move, args=(i, -1), disabled=i == 0,
                   help=_("move up"))
    cols[2].button("↓", key=f"augment.s{sid}.down", on_click=state.move, args=(i, 1),
                   disabled=i == len(state.entries) - 1, help=_("move down"))
    cols[3].button("✕", key=f"augment.s{sid}.remove", on_click=state.remove, args=(i,), help=_("remove"))
    for p in transform.params:
        step.params[p.name] = _widget(p, f"augment.s{sid}.{p.name}", step.params.get(p.name, p.default))


def pipeline_section() -> tuple[list[pipeline.Step], list[Any]]:
    """Section 1: the steps with their widgets; returns the steps and one error slot per step."""
    st.subheader(_("1. Build the pipeline"))
    st.markdown(_("Transforms run top to bottom on every draw. Open a step to change its parameters, "
                  "switch it off, move or remove it. Every widget below is generated from the registry "
                  "of parameter specs in `lib/augment/registry.py`."))
    _pipeline_from_link()
    recipes_panel()
    state, slots = _pipeline(), []
    for i, entry in enumerate(state.entries):
        step = entry.step
        label = f"{i + 1}. **{step.name}**({code.step_summary(step)})" + ("" if step.enabled else "  - " + _("off"))
        with st.expander(label):
            _step_controls(i, entry, state)
        slots.append(st.empty())
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    groups = {n: f"{n}  ·  {_(t.group)}" for n, t in registry.REGISTRY.items()}  # a dict: format_func outlives the run
    name = ui.widgets.selectbox(_("Add a transform"), DEFAULTS, "add_name", key="augment.add_name", where=left,
                                format_func=groups.get)
    right.button(_("Add"), key="augment.add", on_click=_add, width="stretch")
    st.caption(_("Selected: {doc}").format(doc=_(registry.REGISTRY[name].doc)))
    _pipeline_to_link(state.steps())
    return state.steps(), slots


def recipes_panel() -> None:
    """The tutorials' pipelines, each with where it comes from, how it differs from the default, and a button."""
    with st.expander(_("📖 The tutorials' pipelines, one click away")):
        for key, recipe in recipes.RECIPES.items():
            st.markdown(f"**{_(recipe.title)}**")
            st.markdown(_(recipe.note))
            st.markdown(_(recipe.differs))
            st.button(_("Use this pipeline"), key=f"augment.recipe.{key}", on_click=_use_recipe, args=(key,))


# ---------------------------------------------------------------- the pipeline in the link


def _pipeline_codec() -> links.Codec:
    """The pipeline in a link: its compact data (json_io.to_link_data) packed, read back into checked steps."""
    packed = links.packed_codec(DEFAULTS.max_link_chars)
    return links.Codec(packed.encode, lambda text: json_io.from_link_data(packed.decode(text)))


def _pipeline_from_link() -> None:
    """A link's pipeline replaces the session's (once per new link; a bad one is named and the default used).

    A link without `pipe` leaves the pipeline alone: switching pages drops the query string, and coming back
    must not throw away the pipeline the user built (it lives in session state, not in a widget).
    """
    links.before_widget(LINKED, "pipe", pipeline.default_pipeline(), _pipeline_codec(), missing_is_default=False)
    steps = st.session_state.pop(LINKED, None)
    if steps is not None:
        _pipeline().replace(steps)


def _pipeline_to_link(steps: list[pipeline.Step]) -> None:
    """Mirror the pipeline in the link; one too long for a link is named, with the JSON download instead."""
    default = json_io.to_link_data(pipeline.default_pipeline())
    linked = links.after_widget("pipe", json_io.to_link_data(steps), default, _pipeline_codec())
    if problem := links.problem("pipe"):
        st.warning(problem, icon="🔗")
    if not linked:
        st.download_button(_("⬇️ Send the pipeline as a JSON file instead"), json_io.to_json(steps),
                           "augment_pipeline.json", "application/json", key="augment.dl_json_link")


def show_errors(slots: list[Any], errors: dict[int, str]) -> None:
    """Each failing step's reason, right under that step."""
    for i, slot in enumerate(slots):
        if i in errors:
            with slot:
                ui.show_error(ValueError(errors[i]), prefix=_("Step {n} is skipped: ").format(n=i + 1))


# ---------------------------------------------------------------- 2. preview


def _grid(pictures: list[torch.Tensor], captions: list[str]) -> None:
    cols = st.columns(DEFAULTS.columns)
    for k, (picture, caption) in enumerate(zip(pictures, captions)):
        cols[k % DEFAULTS.columns].image(images.to_pil(picture), caption=caption, width="stretch")


def _new_draw() -> None:
    st.session_state[SEED] = st.session_state[SEED] + 1


def _seed_input(where: Any) -> int:
    """The seed box, in the link as `seed`; no default in the widget: the 🎲 button writes the seed."""
    seeds, codec = spec(DEFAULTS, "seed"), links.number_codec(int)
    links.before_widget(SEED, seeds.param, DEFAULTS.seed, codec, seeds.allows)
    st.session_state.setdefault(SEED, DEFAULTS.seed)
    seed = int(where.number_input(_("Seed"), seeds.lo, seeds.hi, step=seeds.step, key=SEED))
    links.after_widget(seeds.param, seed, DEFAULTS.seed, codec)
    if problem := links.problem(seeds.param):
        where.warning(problem, icon="🔗")
    return seed


def preview_section(image: torch.Tensor, built: pipeline.Built, steps: list[pipeline.Step]) -> sampling.Draws:
    """Section 2: original, grid of draws, step-by-step view of one draw."""
    st.subheader(_("2. Preview random draws"))
    c1, c2, c3 = st.columns([2, 1, 1], vertical_alignment="bottom")
    n = ui.widgets.slider(_("Number of draws N"), DEFAULTS, "n_draws", key="augment.n", where=c1)
    seed = _seed_input(c2)
    c3.button(_("🎲 New draw"), key="augment.new_draw", on_click=_new_draw, width="stretch")
    draws = sampling.sample(image, built, n, seed)
    _grid([image] + draws.outputs,
          [_("original")] + [_("draw {i} (seed {seed})").format(i=i, seed=seed + i) for i in range(n)])
    st.markdown(_("Draw *i* uses `torch.manual_seed({seed} + i)`: the same seed always gives the same grid, "
                  "and any single draw can be reproduced on its own. Deterministic steps at the start run once "
                  "for the whole grid and those at the end on the stacked batch `(N, C, H, W)`; only the random "
                  "steps run per draw, on uint8 tensors. `ColorJitter` and `RandomRotation` run through faster "
                  "kernels that give bit-for-bit the same pixels as torchvision's (ColorJitter's four steps on one "
                  "float copy of the image, in place; no bool/int64 temporaries): the exported code below "
                  "reproduces this grid exactly.").format(seed=seed))
    _step_view(image, built, steps, n, int(seed))
    return draws


def _step_view(image: torch.Tensor, built: pipeline.Built, steps: list[pipeline.Step], n: int, seed: int) -> None:
    st.markdown(_("**Step by step**: one draw, after each transform of the pipeline."))
    codec = links.number_codec(int)
    links.before_widget("augment.follow", "follow", 0, codec, lambda v: 0 <= v < n)
    index = st.selectbox(_("Draw to follow"), list(range(n)), key="augment.follow")
    links.after_widget("follow", index, 0, codec)
    if problem := links.problem("follow"):
        st.warning(problem, icon="🔗")
    frames = sampling.step_by_step(image, built, seed, min(index, n - 1))
    pictures = [image] + [x for _i, x in frames]
    captions = [_("input")] + [_("after {n}. {name} {size}").format(n=i + 1, name=steps[i].name,
                                                                    size=images.image_size(x)) for i, x in frames]
    _grid(pictures, captions)


# ---------------------------------------------------------------- 3. to tensor and normalise


def _histogram(centres: torch.Tensor, counts: torch.Tensor, title: str) -> go.Figure:
    fig = go.Figure()
    for c, name, colour in zip(counts, CHANNELS, COLOURS):
        fig.add_scatter(x=centres.tolist(), y=c.tolist(), name=name, mode="lines", line={"color": colour})
    fig.update_layout(title=title, height=260, margin={"l": 10, "r": 10, "t": 40, "b": 10},
                      xaxis_title=_("value"), yaxis_title=_("pixels"))
    return fig


def normalise_section(draw: torch.Tensor) -> None:
    """Section 3: ToImage + ToDtype + Normalize on draw 0, histograms and stats before/after."""
    st.subheader(_("3. To tensor and normalise"))
    st.markdown(_("Models want float tensors with values around 0. `ToDtype(float32, scale=True)` maps 0..255 to "
                  "0..1, then `Normalize` shifts and scales each channel. Shown on draw 0."))
    preset = ui.widgets.selectbox(_("mean / std"), DEFAULTS, "normalise", key="augment.norm",
                                  format_func=option_labels(normalise.PRESET_LABELS))
    if not normalise.is_rgb(draw):
        st.warning(_("Draw 0 has one channel (Grayscale with 1 output channel): normalising needs 3 channels here."))
        return
    x01 = normalise.to_float(draw)  # stays on the chosen device
    mean, std = normalise.preset_stats(preset, x01)
    try:
        after = normalise.normalise(x01, mean, std)
    except ValueError as e:
        ui.show_error(e)
        return
    left, right = st.columns(2)
    left.plotly_chart(_histogram(*normalise.channel_histograms(x01, DEFAULTS.hist_bins), _("before: x in [0, 1]")),
                      key="augment.hist_before")
    right.plotly_chart(_histogram(*normalise.channel_histograms(after, DEFAULTS.hist_bins),
                                  _("after: x' = (x - mean) / std")), key="augment.hist_after")
    _stats_table(x01, after, mean, std)
    ui.code_panel(code.normalise_code(mean, std))


def _stats_table(x01: torch.Tensor, after: torch.Tensor, mean: tuple[float, ...], std: tuple[float, ...]) -> None:
    (m0, s0), (m1, s1) = normalise.channel_stats(x01), normalise.channel_stats(after)
    st.dataframe({_("channel"): list(CHANNELS), _("mean before"): m0, _("std before"): s0,
                  _("Normalize mean"): list(mean), _("Normalize std"): list(std), _("mean after"): m1,
                  _("std after"): s1}, hide_index=True)
    st.latex(rf"x'_R = \frac{{x_R - {mean[0]:.3f}}}{{{std[0]:.3f}}}"
             rf"\quad\Rightarrow\quad \text{{mean}}' = \frac{{{m0[0]:.3f} - {mean[0]:.3f}}}{{{std[0]:.3f}}}"
             rf" = {m1[0]:.3f}")
    st.caption(_("The mean after is (mean before - Normalize mean) / Normalize std, and the std after is "
                 "std before / Normalize std: with the image's own statistics you get exactly 0 and 1. "
                 "The ImageNet values are the statistics of the ImageNet training set, which pretrained models "
                 "expect."))


# ---------------------------------------------------------------- 4. boxes and masks


def _pair_codec() -> links.Codec:
    """Two numbers in a link, comma-separated (`bx=0.2,0.8`)."""
    number = links.number_codec(float)

    def decode(text: str) -> tuple[float, float]:
        parts = text.split(",")
        if len(parts) != 2:
            raise links.LinkError("not two numbers separated by a comma")
        return number.decode(parts[0]), number.decode(parts[1])
    return links.Codec(lambda pair: ",".join(number.encode(v) for v in pair), decode)


def _edges(label: str, first: str, second: str, param: str, where: Any) -> tuple[float, float]:
    """A range slider over two box edges, in the link as `param`; range and defaults from `first` and `second`."""
    edge, key, codec = spec(DEFAULTS, first), f"augment.box_{param[-1]}", _pair_codec()
    default = (getattr(DEFAULTS, first), getattr(DEFAULTS, second))
    links.before_widget(key, param, default, codec, lambda v: edge.lo <= v[0] <= v[1] <= edge.hi)
    value = tuple(where.slider(label, edge.lo, edge.hi, default, edge.step, key=key))
    links.after_widget(param, value, default, codec)
    if problem := links.problem(param):
        where.warning(problem, icon="🔗")
    return value


def boxes_section(image: torch.Tensor, built: pipeline.Built, steps: list[pipeline.Step], n: int, seed: int) -> None:
    """Section 4: a box and a mask transformed together with the image via tv_tensors."""
    st.subheader(_("4. Boxes and masks"))
    st.markdown(_("With `tv_tensors.BoundingBoxes` and `tv_tensors.Mask`, one v2 call moves the box (yellow) and "
                  "the mask (cyan) exactly like the pixels; colour transforms leave them alone. The v1 transforms "
                  "could only change images."))
    if not ui.widgets.toggle(_("Show a box and a mask"), DEFAULTS, "boxes", key="augment.boxes"):
        return
    c1, c2 = st.columns(2)
    x0, x1 = _edges(_("box x (left, right)"), "box_x0", "box_x1", "bx", c1)
    y0, y1 = _edges(_("box y (top, bottom)"), "box_y0", "box_y1", "by", c2)
    try:
        sample = images.boxed_sample(image, (x0, y0, x1, y1))
    except ValueError as e:
        ui.show_error(e)
        return
    draws = sampling.sample(sample, built, min(n, DEFAULTS.columns * 2), seed)
    for i, msg in sorted(draws.errors.items()):
        st.warning(_("Step {n} is skipped for boxes: {reason}").format(n=i + 1, reason=msg))
    pictures = [images.draw_annotations(sample)] + [images.draw_annotations(d) for d in draws.outputs]
    _grid(pictures, [_("original")] + [_("draw {i}").format(i=i) for i in range(len(draws.outputs))])
    ui.code_panel(code.boxes_code(steps, (x0, y0, x1, y1), seed, built.errors))


# ---------------------------------------------------------------- 5. export and import


def export_section(steps: list[pipeline.Step], build_errors: dict[int, str], n: int, seed: int) -> None:
    """Section 5: code and JSON out, JSON in."""
    st.subheader(_("5. Export and import"))
    script = code.export_code(steps, seed, n, build_errors)
    ui.code_panel(script, title=_("The pipeline as runnable code (reproduces the grid above)"), expanded=True)
    payload = json_io.to_json(steps)
    c1, c2 = st.columns(2)
    c1.download_button(_("⬇️ Pipeline as JSON"), payload, "augment_pipeline.json", "application/json",
                       key="augment.dl_json")
    c2.download_button(_("⬇️ Pipeline as Python"), script, "augment_pipeline.py", "text/x-python",
                       key="augment.dl_py")
    st.file_uploader(_("Load a pipeline JSON"), type=["json"], key="augment.json_file", on_change=_load_upload)
    with st.expander(_("…or paste JSON")):
        st.text_area(_("Pipeline JSON"), key="augment.json_text", height=150)
        st.button(_("Load pasted JSON"), key="augment.json_load", on_click=_load_pasted)
    kind, what = st.session_state.pop(MESSAGE, (None, None))
    if kind == "success":
        st.success(_(what))
    elif kind == "error":
        st.error(_("Not loaded: {reason}").format(reason=translate(what)))


def coverage_section() -> None:
    """Which transforms.v2 classes the previewer covers, and why the others are left out."""
    with st.expander(_("Coverage: {n} transforms of torchvision.transforms.v2").format(n=len(registry.REGISTRY))):
        missing = registry.uncovered_transforms()
        if missing:
            st.warning(_("New in this torchvision and not in the registry yet: {names}").format(
                names=", ".join(missing)))
        else:
            st.success(_("Every transforms.v2 class is either in the registry or listed below with a reason."))
        st.dataframe({_("not previewed"): list(registry.NOT_PREVIEWED),
                      _("why"): [_(why) for why in registry.NOT_PREVIEWED.values()]}, hide_index=True)


def not_in_link() -> list[str]:
    return [_("your own picture: the link opens the page with the sample image"),
            _("a pipeline too long for a link: send its JSON file (section 5) instead")]


def main() -> None:
    intro()
    pil = ui.image_input("augment.image", max_side=DEFAULTS.max_side, param="img").image  # the sample in the link
    steps, slots = pipeline_section()
    built = pipeline.build_pipeline(steps)
    if pil is None:
        show_errors(slots, built.errors)
        links.share_panel(not_in_link())
        return
    image = images.to_uint8_image(pil, ui.current_device())
    draws = preview_section(image, built, steps)
    show_errors(slots, {**draws.errors, **built.errors})
    n, seed = len(draws.outputs), int(st.session_state[SEED])
    normalise_section(draws.outputs[0])
    boxes_section(image, built, steps, n, seed)
    export_section(steps, built.errors, n, seed)
    coverage_section()
    links.share_panel(not_in_link())


main()
