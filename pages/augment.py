"""Augmentation previewer: build a torchvision transforms.v2 pipeline and look at many random draws."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import plotly.graph_objects as go
import streamlit as st

import ui
from lib.augment import code, config, images, json_io, normalise, pipeline, registry, sampling
from lib.common.settings import spec

if TYPE_CHECKING:
    import torch

    from lib.augment.specs import ParamSpec

DEFAULTS = config.AugmentConfig()
PIPE = "augment.pipeline"   # session state: the user's pipeline, a `pipeline.PipelineState`
SEED = "augment.seed"
MESSAGE = "augment.json_msg"  # (st function name, text) of the last JSON load, shown once
CHANNELS = ("R", "G", "B")
COLOURS = ("#e4572e", "#4caf50", "#2e86de")


def intro() -> None:
    st.title("🎛️ Augmentation previewer")
    st.markdown("Data augmentation shows a model many slightly different versions of each training image - "
                "cropped, flipped, recoloured - so it learns what matters rather than memorising pixels. "
                "Build a `torchvision.transforms.v2` pipeline below, then look at many random draws **before** "
                "training with it: if you cannot recognise the object any more, neither can the model.")


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
        st.session_state[MESSAGE] = ("success", "Pipeline loaded.")
    except ValueError as e:
        st.session_state[MESSAGE] = ("error", f"Not loaded: {e}")


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
    if param.kind == "bool":
        return st.checkbox(param.name, key=key, help=param.help or None)
    if param.kind == "choice":
        return st.selectbox(param.name, list(param.options), key=key, help=param.help or None)
    if param.kind == "int":
        return st.number_input(param.name, int(param.low), int(param.high), step=int(param.step), key=key,
                               help=param.help or None)
    return st.slider(param.name, float(param.low), float(param.high), step=float(param.step), key=key,
                     help=param.help or None)


def _pair_widget(param: ParamSpec, key: str, value: Any) -> tuple:
    """Two number boxes, so a reversed (min > max) pair can be typed and explained."""
    cast = int if param.integer else float
    out = []
    for col, label, v in zip(st.columns(2), param.labels, value):
        st.session_state.setdefault(f"{key}.{label}", cast(v))
        out.append(col.number_input(f"{param.name} {label}", cast(param.low), cast(param.high),
                                    step=cast(param.step), key=f"{key}.{label}", help=param.help or None))
    return tuple(out)


def _step_controls(i: int, entry: pipeline.Entry, state: pipeline.PipelineState) -> None:
    step, sid = entry.step, entry.id
    transform = registry.REGISTRY[step.name]
    st.caption(f"{transform.doc}  \n_{transform.group}, {'random' if transform.random else 'deterministic'}_")
    cols = st.columns([2, 1, 1, 1])
    st.session_state.setdefault(f"augment.s{sid}.on", step.enabled)
    step.enabled = cols[0].toggle("on", key=f"augment.s{sid}.on")
    cols[1].button("↑", key=f"augment.s{sid}.up", on_click=state.move, args=(i, -1), disabled=i == 0,
                   help="move up")
    cols[2].button("↓", key=f"augment.s{sid}.down", on_click=state.move, args=(i, 1),
                   disabled=i == len(state.entries) - 1, help="move down")
    cols[3].button("✕", key=f"augment.s{sid}.remove", on_click=state.remove, args=(i,), help="remove")
    for p in transform.params:
        step.params[p.name] = _widget(p, f"augment.s{sid}.{p.name}", step.params.get(p.name, p.default))


def pipeline_section() -> tuple[list[pipeline.Step], list[Any]]:
    """Section 1: the steps with their widgets; returns the steps and one error slot per step."""
    st.subheader("1. Build the pipeline")
    st.markdown("Transforms run top to bottom on every draw. Open a step to change its parameters, "
                "switch it off, move or remove it. Every widget below is generated from the registry "
                "of parameter specs in `lib/augment/registry.py`.")
    state, slots = _pipeline(), []
    for i, entry in enumerate(state.entries):
        step = entry.step
        label = f"{i + 1}. **{step.name}**({code.step_summary(step)})" + ("" if step.enabled else "  - off")
        with st.expander(label):
            _step_controls(i, entry, state)
        slots.append(st.empty())
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    name = ui.widgets.selectbox("Add a transform", DEFAULTS, "add_name", key="augment.add_name", where=left,
                                format_func=lambda n: f"{n}  ·  {registry.REGISTRY[n].group}")
    right.button("Add", key="augment.add", on_click=_add, width="stretch")
    st.caption(f"Selected: {registry.REGISTRY[name].doc}")
    return state.steps(), slots


def show_errors(slots: list[Any], errors: dict[int, str]) -> None:
    """Each failing step's reason, right under that step."""
    for i, slot in enumerate(slots):
        if i in errors:
            with slot:
                ui.show_error(ValueError(errors[i]), prefix=f"Step {i + 1} is skipped: ")


# ---------------------------------------------------------------- 2. preview


def _grid(pictures: list[torch.Tensor], captions: list[str]) -> None:
    cols = st.columns(DEFAULTS.columns)
    for k, (picture, caption) in enumerate(zip(pictures, captions)):
        cols[k % DEFAULTS.columns].image(images.to_pil(picture), caption=caption, width="stretch")


def _new_draw() -> None:
    st.session_state[SEED] = st.session_state[SEED] + 1


def preview_section(image: torch.Tensor, built: pipeline.Built, steps: list[pipeline.Step]) -> sampling.Draws:
    """Section 2: original, grid of draws, step-by-step view of one draw."""
    st.subheader("2. Preview random draws")
    c1, c2, c3 = st.columns([2, 1, 1], vertical_alignment="bottom")
    n = ui.widgets.slider("Number of draws N", DEFAULTS, "n_draws", key="augment.n", where=c1)
    st.session_state.setdefault(SEED, DEFAULTS.seed)  # no default in the widget: the 🎲 button writes the seed
    seeds = spec(DEFAULTS, "seed")
    seed = c2.number_input("Seed", seeds.lo, seeds.hi, step=seeds.step, key=SEED)
    c3.button("🎲 New draw", key="augment.new_draw", on_click=_new_draw, width="stretch")
    draws = sampling.sample(image, built, n, int(seed))
    _grid([image] + draws.outputs, ["original"] + [f"draw {i} (seed {seed + i})" for i in range(n)])
    st.markdown(f"Draw *i* uses `torch.manual_seed({seed} + i)`: the same seed always gives the same grid, "
                "and any single draw can be reproduced on its own. Deterministic steps at the start run once "
                "for the whole grid and those at the end on the stacked batch `(N, C, H, W)`; only the random "
                "steps run per draw, on uint8 tensors. `ColorJitter` and `RandomRotation` run through faster kernels "
                "that give bit-for-bit the same pixels as torchvision's (ColorJitter's four steps on one float copy of "
                "the image, in place; no bool/int64 temporaries): the exported code below reproduces this grid exactly.")
    _step_view(image, built, steps, n, int(seed))
    return draws


def _step_view(image: torch.Tensor, built: pipeline.Built, steps: list[pipeline.Step], n: int, seed: int) -> None:
    st.markdown("**Step by step**: one draw, after each transform of the pipeline.")
    index = st.selectbox("Draw to follow", list(range(n)), key="augment.follow")
    frames = sampling.step_by_step(image, built, seed, min(index, n - 1))
    pictures = [image] + [x for _, x in frames]
    captions = ["input"] + [f"after {i + 1}. {steps[i].name} {images.image_size(x)}" for i, x in frames]
    _grid(pictures, captions)


# ---------------------------------------------------------------- 3. to tensor and normalise


def _histogram(centres: torch.Tensor, counts: torch.Tensor, title: str) -> go.Figure:
    fig = go.Figure()
    for c, name, colour in zip(counts, CHANNELS, COLOURS):
        fig.add_scatter(x=centres.tolist(), y=c.tolist(), name=name, mode="lines", line={"color": colour})
    fig.update_layout(title=title, height=260, margin={"l": 10, "r": 10, "t": 40, "b": 10},
                      xaxis_title="value", yaxis_title="pixels")
    return fig


def normalise_section(draw: torch.Tensor) -> None:
    """Section 3: ToImage + ToDtype + Normalize on draw 0, histograms and stats before/after."""
    st.subheader("3. To tensor and normalise")
    st.markdown("Models want float tensors with values around 0. `ToDtype(float32, scale=True)` maps 0..255 to "
                "0..1, then `Normalize` shifts and scales each channel. Shown on draw 0.")
    preset = ui.widgets.selectbox("mean / std", DEFAULTS, "normalise", key="augment.norm")
    if not normalise.is_rgb(draw):
        st.warning("Draw 0 has one channel (Grayscale with 1 output channel): normalising needs 3 channels here.")
        return
    x01 = normalise.to_float(draw)  # stays on the chosen device
    mean, std = normalise.preset_stats(preset, x01)
    try:
        after = normalise.normalise(x01, mean, std)
    except ValueError as e:
        ui.show_error(e)
        return
    left, right = st.columns(2)
    left.plotly_chart(_histogram(*normalise.channel_histograms(x01, DEFAULTS.hist_bins), "before: x in [0, 1]"),
                      key="augment.hist_before")
    right.plotly_chart(_histogram(*normalise.channel_histograms(after, DEFAULTS.hist_bins),
                                  "after: x' = (x - mean) / std"), key="augment.hist_after")
    _stats_table(x01, after, mean, std)
    ui.code_panel(code.normalise_code(mean, std))


def _stats_table(x01: torch.Tensor, after: torch.Tensor, mean: tuple[float, ...], std: tuple[float, ...]) -> None:
    (m0, s0), (m1, s1) = normalise.channel_stats(x01), normalise.channel_stats(after)
    st.dataframe({"channel": list(CHANNELS), "mean before": m0, "std before": s0, "Normalize mean": list(mean),
                  "Normalize std": list(std), "mean after": m1, "std after": s1}, hide_index=True)
    st.latex(rf"x'_R = \frac{{x_R - {mean[0]:.3f}}}{{{std[0]:.3f}}}"
             rf"\quad\Rightarrow\quad \text{{mean}}' = \frac{{{m0[0]:.3f} - {mean[0]:.3f}}}{{{std[0]:.3f}}}"
             rf" = {m1[0]:.3f}")
    st.caption("The mean after is (mean before - Normalize mean) / Normalize std, and the std after is "
               "std before / Normalize std: with the image's own statistics you get exactly 0 and 1. "
               "The ImageNet values are the statistics of the ImageNet training set, which pretrained models expect.")


# ---------------------------------------------------------------- 4. boxes and masks


def _edges(label: str, first: str, second: str, key: str, where: Any) -> tuple[float, float]:
    """A range slider over two box edges; range and defaults from the fields `first` and `second`."""
    edge = spec(DEFAULTS, first)
    default = (getattr(DEFAULTS, first), getattr(DEFAULTS, second))
    return where.slider(label, edge.lo, edge.hi, default, edge.step, key=key)


def boxes_section(image: torch.Tensor, built: pipeline.Built, steps: list[pipeline.Step], n: int, seed: int) -> None:
    """Section 4: a box and a mask transformed together with the image via tv_tensors."""
    st.subheader("4. Boxes and masks")
    st.markdown("With `tv_tensors.BoundingBoxes` and `tv_tensors.Mask`, one v2 call moves the box (yellow) and "
                "the mask (cyan) exactly like the pixels; colour transforms leave them alone. The v1 transforms "
                "could only change images.")
    if not ui.widgets.toggle("Show a box and a mask", DEFAULTS, "boxes", key="augment.boxes"):
        return
    c1, c2 = st.columns(2)
    x0, x1 = _edges("box x (left, right)", "box_x0", "box_x1", "augment.box_x", c1)
    y0, y1 = _edges("box y (top, bottom)", "box_y0", "box_y1", "augment.box_y", c2)
    try:
        sample = images.boxed_sample(image, (x0, y0, x1, y1))
    except ValueError as e:
        ui.show_error(e)
        return
    draws = sampling.sample(sample, built, min(n, DEFAULTS.columns * 2), seed)
    for i, msg in sorted(draws.errors.items()):
        st.warning(f"Step {i + 1} is skipped for boxes: {msg}")
    pictures = [images.draw_annotations(sample)] + [images.draw_annotations(d) for d in draws.outputs]
    _grid(pictures, ["original"] + [f"draw {i}" for i in range(len(draws.outputs))])
    ui.code_panel(code.boxes_code(steps, (x0, y0, x1, y1), seed, built.errors))


# ---------------------------------------------------------------- 5. export and import


def export_section(steps: list[pipeline.Step], build_errors: dict[int, str], n: int, seed: int) -> None:
    """Section 5: code and JSON out, JSON in."""
    st.subheader("5. Export and import")
    script = code.export_code(steps, seed, n, build_errors)
    ui.code_panel(script, title="The pipeline as runnable code (reproduces the grid above)", expanded=True)
    payload = json_io.to_json(steps)
    c1, c2 = st.columns(2)
    c1.download_button("⬇️ Pipeline as JSON", payload, "augment_pipeline.json", "application/json",
                       key="augment.dl_json")
    c2.download_button("⬇️ Pipeline as Python", script, "augment_pipeline.py", "text/x-python",
                       key="augment.dl_py")
    st.file_uploader("Load a pipeline JSON", type=["json"], key="augment.json_file", on_change=_load_upload)
    with st.expander("…or paste JSON"):
        st.text_area("Pipeline JSON", key="augment.json_text", height=150)
        st.button("Load pasted JSON", key="augment.json_load", on_click=_load_pasted)
    kind, msg = st.session_state.pop(MESSAGE, (None, None))
    if kind:
        getattr(st, kind)(msg)


def coverage_section() -> None:
    """Which transforms.v2 classes the previewer covers, and why the others are left out."""
    with st.expander(f"Coverage: {len(registry.REGISTRY)} transforms of torchvision.transforms.v2"):
        missing = registry.uncovered_transforms()
        if missing:
            st.warning("New in this torchvision and not in the registry yet: " + ", ".join(missing))
        else:
            st.success("Every transforms.v2 class is either in the registry or listed below with a reason.")
        st.dataframe({"not previewed": list(registry.NOT_PREVIEWED), "why": list(registry.NOT_PREVIEWED.values())},
                     hide_index=True)


def main() -> None:
    intro()
    pil = ui.image_input("augment.image", max_side=DEFAULTS.max_side).image
    steps, slots = pipeline_section()
    built = pipeline.build_pipeline(steps)
    if pil is None:
        show_errors(slots, built.errors)
        return
    image = images.to_uint8_image(pil, ui.current_device())
    draws = preview_section(image, built, steps)
    show_errors(slots, {**draws.errors, **built.errors})
    n, seed = len(draws.outputs), int(st.session_state[SEED])
    normalise_section(draws.outputs[0])
    boxes_section(image, built, steps, n, seed)
    export_section(steps, built.errors, n, seed)
    coverage_section()


main()
