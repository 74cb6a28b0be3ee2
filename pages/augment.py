"""Augmentation previewer: build a torchvision transforms.v2 pipeline and look at many random draws."""
from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import streamlit as st
import torch
from PIL import Image

import ui
from lib import augment as aug

CFG = aug.AugmentConfig()
PIPE = "augment.pipeline"   # session state: list of {"id": int, "step": Step}
NEXT = "augment.next_id"
CHANNELS = ("R", "G", "B")
COLOURS = ("#e4572e", "#4caf50", "#2e86de")


# ---------------------------------------------------------------- pipeline state


def _entries() -> list[dict[str, Any]]:
    if PIPE not in st.session_state:
        _replace([aug.Step.default(n) for n in CFG.default_pipeline])
    return st.session_state[PIPE]


def _new_id() -> int:
    st.session_state[NEXT] = st.session_state.get(NEXT, 0) + 1
    return st.session_state[NEXT]


def _replace(steps: list[aug.Step]) -> None:
    """New ids give fresh widget keys, so loaded values show up in the widgets."""
    st.session_state[PIPE] = [{"id": _new_id(), "step": s} for s in steps]


def _add() -> None:
    name = st.session_state["augment.add_name"]
    st.session_state[PIPE].append({"id": _new_id(), "step": aug.Step.default(name)})


def _move(i: int, delta: int) -> None:
    entries = st.session_state[PIPE]
    j = i + delta
    if 0 <= j < len(entries):
        entries[i], entries[j] = entries[j], entries[i]


def _remove(i: int) -> None:
    st.session_state[PIPE].pop(i)


def _load_json(text: str) -> None:
    try:
        _replace(aug.from_json(text))
        st.session_state["augment.json_msg"] = ("success", "Pipeline loaded.")
    except ValueError as e:
        st.session_state["augment.json_msg"] = ("error", f"Not loaded: {e}")


def _load_upload() -> None:
    upload = st.session_state.get("augment.json_file")
    if upload is None:
        return
    try:
        text = upload.getvalue().decode("utf-8")
    except UnicodeDecodeError:
        st.session_state["augment.json_msg"] = ("error", "Not loaded: the file is not UTF-8 text.")
        return
    _load_json(text)


def _load_pasted() -> None:
    _load_json(st.session_state.get("augment.json_text", ""))


# ---------------------------------------------------------------- widgets from specs


def _widget(spec: aug.ParamSpec, key: str, value: Any) -> Any:
    """One parameter widget generated from its spec (albumentations-demo style)."""
    if spec.kind == "pair":
        return _pair_widget(spec, key, value)
    st.session_state.setdefault(key, value)
    if spec.kind == "bool":
        return st.checkbox(spec.name, key=key, help=spec.help or None)
    if spec.kind == "choice":
        return st.selectbox(spec.name, list(spec.options), key=key, help=spec.help or None)
    if spec.kind == "int":
        return st.number_input(spec.name, int(spec.low), int(spec.high), step=int(spec.step), key=key,
                               help=spec.help or None)
    return st.slider(spec.name, float(spec.low), float(spec.high), step=float(spec.step), key=key,
                     help=spec.help or None)


def _pair_widget(spec: aug.ParamSpec, key: str, value: Any) -> tuple:
    """Two number boxes, so a reversed (min > max) pair can be typed and explained."""
    cast = int if spec.integer else float
    out = []
    for col, label, v in zip(st.columns(2), spec.labels, value):
        st.session_state.setdefault(f"{key}.{label}", cast(v))
        out.append(col.number_input(f"{spec.name} {label}", cast(spec.low), cast(spec.high), step=cast(spec.step),
                                    key=f"{key}.{label}", help=spec.help or None))
    return tuple(out)


def _step_controls(i: int, entry: dict[str, Any], n: int) -> None:
    step, sid = entry["step"], entry["id"]
    spec = aug.REGISTRY[step.name]
    st.caption(f"{spec.doc}  \n_{spec.group}, {'random' if spec.random else 'deterministic'}_")
    cols = st.columns([2, 1, 1, 1])
    st.session_state.setdefault(f"augment.s{sid}.on", step.enabled)
    step.enabled = cols[0].toggle("on", key=f"augment.s{sid}.on")
    cols[1].button("↑", key=f"augment.s{sid}.up", on_click=_move, args=(i, -1), disabled=i == 0, help="move up")
    cols[2].button("↓", key=f"augment.s{sid}.down", on_click=_move, args=(i, 1), disabled=i == n - 1,
                   help="move down")
    cols[3].button("✕", key=f"augment.s{sid}.remove", on_click=_remove, args=(i,), help="remove")
    for p in spec.params:
        step.params[p.name] = _widget(p, f"augment.s{sid}.{p.name}", step.params.get(p.name, p.default))


def pipeline_builder() -> tuple[list[aug.Step], list[Any]]:
    """Section 1: the steps with their widgets; returns the steps and one error slot per step."""
    st.subheader("1. Build the pipeline")
    st.markdown("Transforms run top to bottom on every draw. Open a step to change its parameters, "
                "switch it off, move or remove it. Every widget below is generated from the registry "
                "of parameter specs in `lib/augment.py`.")
    entries = _entries()
    slots = []
    for i, entry in enumerate(entries):
        step = entry["step"]
        label = f"{i + 1}. **{step.name}**({aug.step_summary(step)})" + ("" if step.enabled else "  - off")
        with st.expander(label):
            _step_controls(i, entry, len(entries))
        slots.append(st.empty())
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    names = list(aug.REGISTRY)
    left.selectbox("Add a transform", names, key="augment.add_name",
                   format_func=lambda n: f"{n}  ·  {aug.REGISTRY[n].group}")
    right.button("Add", key="augment.add", on_click=_add, width="stretch")
    st.caption(f"Selected: {aug.REGISTRY[st.session_state['augment.add_name']].doc}")
    return [e["step"] for e in entries], slots


def show_errors(slots: list[Any], errors: dict[int, str]) -> None:
    """Each failing step's reason, right under that step."""
    for i, slot in enumerate(slots):
        if i in errors:
            with slot:
                ui.show_error(ValueError(errors[i]), prefix=f"Step {i + 1} is skipped: ")


# ---------------------------------------------------------------- preview


def _pil(x: torch.Tensor) -> Image.Image:
    return Image.fromarray(aug.to_display(x).permute(1, 2, 0).numpy())  # (3, H, W) -> (H, W, 3)


def _grid(images: list[torch.Tensor], captions: list[str]) -> None:
    cols = st.columns(CFG.columns)
    for k, (img, cap) in enumerate(zip(images, captions)):
        cols[k % CFG.columns].image(_pil(img), caption=cap, width="stretch")


def _new_draw() -> None:
    st.session_state["augment.seed"] = st.session_state["augment.seed"] + 1


def preview(image: torch.Tensor, built: aug.Built, steps: list[aug.Step]) -> aug.Draws:
    """Section 2: original, grid of draws, step-by-step view of one draw."""
    st.subheader("2. Preview random draws")
    c1, c2, c3 = st.columns([2, 1, 1], vertical_alignment="bottom")
    n = c1.slider("Number of draws N", 1, CFG.max_draws, CFG.n_draws, key="augment.n")
    st.session_state.setdefault("augment.seed", CFG.seed)
    seed = c2.number_input("Seed", 0, 2**31 - 1, key="augment.seed")
    c3.button("🎲 New draw", key="augment.new_draw", on_click=_new_draw, width="stretch")
    draws = aug.sample(image, built, n, int(seed))
    _grid([image] + draws.outputs, ["original"] + [f"draw {i} (seed {seed + i})" for i in range(n)])
    st.markdown(f"Draw *i* uses `torch.manual_seed({seed} + i)`: the same seed always gives the same grid, "
                "and any single draw can be reproduced on its own. Deterministic steps at the start run once "
                "for the whole grid and those at the end on the stacked batch `(N, C, H, W)`; only the random "
                "steps run per draw, on uint8 tensors. `ColorJitter` and `RandomRotation` run through faster kernels "
                "that give bit-for-bit the same pixels as torchvision's (ColorJitter's four steps on one float copy of "
                "the image, in place; no bool/int64 temporaries): the exported code below reproduces this grid exactly.")
    _step_view(image, built, steps, n, int(seed))
    return draws


def _step_view(image: torch.Tensor, built: aug.Built, steps: list[aug.Step], n: int, seed: int) -> None:
    st.markdown("**Step by step**: one draw, after each transform of the pipeline.")
    index = st.selectbox("Draw to follow", list(range(n)), key="augment.follow")
    index = min(index, n - 1)
    frames = aug.step_by_step(image, built, seed, index)
    images = [image] + [x for _, x in frames]
    captions = ["input"] + [f"after {i + 1}. {steps[i].name} {tuple(x.shape[-2:])}" for i, x in frames]
    _grid(images, captions)


# ---------------------------------------------------------------- to tensor and normalise


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
    preset = st.selectbox("mean / std", list(aug.NORMALISE_PRESETS), key="augment.norm")
    if draw.shape[0] != 3:
        st.warning("Draw 0 has one channel (Grayscale with 1 output channel): normalising needs 3 channels here.")
        return
    x01 = aug.to_float(draw)  # stays on the chosen device
    mean, std = aug.NORMALISE_PRESETS[preset] or aug.channel_stats(x01)
    try:
        after = aug.normalise(x01, mean, std)
    except ValueError as e:
        ui.show_error(e)
        return
    left, right = st.columns(2)
    left.plotly_chart(_histogram(*aug.channel_histograms(x01, CFG.hist_bins), "before: x in [0, 1]"),
                      key="augment.hist_before")
    right.plotly_chart(_histogram(*aug.channel_histograms(after, CFG.hist_bins), "after: x' = (x - mean) / std"),
                       key="augment.hist_after")
    _stats_table(x01, after, mean, std)
    ui.code_panel(aug.normalise_code(tuple(mean), tuple(std)))


def _stats_table(x01: torch.Tensor, after: torch.Tensor, mean: Any, std: Any) -> None:
    (m0, s0), (m1, s1) = aug.channel_stats(x01), aug.channel_stats(after)
    st.dataframe({"channel": list(CHANNELS), "mean before": m0, "std before": s0, "Normalize mean": list(mean),
                  "Normalize std": list(std), "mean after": m1, "std after": s1}, hide_index=True)
    st.latex(rf"x'_R = \frac{{x_R - {mean[0]:.3f}}}{{{std[0]:.3f}}}"
             rf"\quad\Rightarrow\quad \text{{mean}}' = \frac{{{m0[0]:.3f} - {mean[0]:.3f}}}{{{std[0]:.3f}}}"
             rf" = {m1[0]:.3f}")
    st.caption("The mean after is (mean before - Normalize mean) / Normalize std, and the std after is "
               "std before / Normalize std: with the image's own statistics you get exactly 0 and 1. "
               "The ImageNet values are the statistics of the ImageNet training set, which pretrained models expect.")


# ---------------------------------------------------------------- boxes and masks


def boxes_section(image: torch.Tensor, built: aug.Built, n: int, seed: int, pipeline_code: str) -> None:
    """Section 4: a box and a mask transformed together with the image via tv_tensors."""
    st.subheader("4. Boxes and masks")
    st.markdown("With `tv_tensors.BoundingBoxes` and `tv_tensors.Mask`, one v2 call moves the box (yellow) and "
                "the mask (cyan) exactly like the pixels; colour transforms leave them alone. The v1 transforms "
                "could only change images.")
    if not st.toggle("Show a box and a mask", value=False, key="augment.boxes"):
        return
    c1, c2 = st.columns(2)
    x0, x1 = c1.slider("box x (left, right)", 0.0, 1.0, (CFG.box[0], CFG.box[2]), 0.01, key="augment.box_x")
    y0, y1 = c2.slider("box y (top, bottom)", 0.0, 1.0, (CFG.box[1], CFG.box[3]), 0.01, key="augment.box_y")
    try:
        sample = aug.boxed_sample(image, (x0, y0, x1, y1))
    except ValueError as e:
        ui.show_error(e)
        return
    draws = aug.sample(sample, built, min(n, CFG.columns * 2), seed)
    for i, msg in sorted(draws.errors.items()):
        st.warning(f"Step {i + 1} is skipped for boxes: {msg}")
    images = [aug.draw_annotations(sample)] + [aug.draw_annotations(d) for d in draws.outputs]
    _grid(images, ["original"] + [f"draw {i}" for i in range(len(draws.outputs))])
    ui.code_panel(_boxes_code(pipeline_code, (x0, y0, x1, y1), seed))


def _boxes_code(pipeline_code: str, box: tuple[float, ...], seed: int) -> str:
    x0, y0, x1, y1 = box
    return f'''import torch
from torchvision import tv_tensors
from PIL import Image
from torchvision.transforms import v2

pipeline = {pipeline_code}
image = v2.functional.to_image(Image.open("photo.png").convert("RGB"))  # (3, H, W) uint8
h, w = image.shape[-2:]
boxes = tv_tensors.BoundingBoxes([[{x0} * w, {y0} * h, {x1} * w, {y1} * h]], format="XYXY", canvas_size=(h, w))
mask = tv_tensors.Mask(torch.zeros(h, w, dtype=torch.uint8))
torch.manual_seed({seed})  # draw 0
out = pipeline({{"image": image, "boxes": boxes, "mask": mask}})  # all three move together
print(out["boxes"])
'''


# ---------------------------------------------------------------- export and import


def export_section(steps: list[aug.Step], build_errors: dict[int, str], n: int, seed: int) -> None:
    """Section 5: code and JSON out, JSON in."""
    st.subheader("5. Export and import")
    code = aug.export_code(steps, seed, n, build_errors)
    ui.code_panel(code, title="The pipeline as runnable code (reproduces the grid above)", expanded=True)
    payload = aug.to_json(steps)
    c1, c2 = st.columns(2)
    c1.download_button("⬇️ Pipeline as JSON", payload, "augment_pipeline.json", "application/json",
                       key="augment.dl_json")
    c2.download_button("⬇️ Pipeline as Python", code, "augment_pipeline.py", "text/x-python", key="augment.dl_py")
    st.file_uploader("Load a pipeline JSON", type=["json"], key="augment.json_file", on_change=_load_upload)
    with st.expander("…or paste JSON"):
        st.text_area("Pipeline JSON", key="augment.json_text", height=150)
        st.button("Load pasted JSON", key="augment.json_load", on_click=_load_pasted)
    kind, msg = st.session_state.pop("augment.json_msg", (None, None))
    if kind:
        getattr(st, kind)(msg)


def coverage() -> None:
    """Which transforms.v2 classes the previewer covers, and why the others are left out."""
    with st.expander(f"Coverage: {len(aug.REGISTRY)} transforms of torchvision.transforms.v2"):
        missing = aug.uncovered_transforms()
        if missing:
            st.warning("New in this torchvision and not in the registry yet: " + ", ".join(missing))
        else:
            st.success("Every transforms.v2 class is either in the registry or listed below with a reason.")
        st.dataframe({"not previewed": list(aug.NOT_PREVIEWED), "why": list(aug.NOT_PREVIEWED.values())},
                     hide_index=True)


def main() -> None:
    st.title("🎛️ Augmentation previewer")
    st.markdown("Data augmentation shows a model many slightly different versions of each training image - "
                "cropped, flipped, recoloured - so it learns what matters rather than memorising pixels. "
                "Build a `torchvision.transforms.v2` pipeline below, then look at many random draws **before** "
                "training with it: if you cannot recognise the object any more, neither can the model.")
    pil = ui.image_input("augment.image", max_side=CFG.max_side).image
    steps, slots = pipeline_builder()
    built = aug.build_pipeline(steps)
    if pil is None:
        show_errors(slots, built.errors)
        return
    image = aug.to_uint8_image(pil, ui.current_device())
    draws = preview(image, built, steps)
    show_errors(slots, {**draws.errors, **built.errors})
    n, seed = len(draws.outputs), int(st.session_state["augment.seed"])
    normalise_section(draws.outputs[0])
    boxes_section(image, built, n, seed, aug.pipeline_code(steps, built.errors))
    export_section(steps, built.errors, n, seed)
    coverage()


main()
