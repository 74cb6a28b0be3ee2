"""The augmentation page's code panels: standalone scripts for the current pipeline, seed and settings.

`export_code` reproduces the page's grid exactly (draw i seeded with `seed + i`); `boxes_code` moves a box
and a mask with the image; `normalise_code` is the classic ToImage + ToDtype + Normalize recipe.
"""
from __future__ import annotations

from lib.augment.images import Box
from lib.augment.pipeline import Step
from lib.augment.registry import REGISTRY

_PHOTO = 'Image.open("photo.png").convert("RGB")'


def step_code(step: Step) -> str:
    """`v2.Name(arg=value, ...)` for one step."""
    params = step.values()
    args = ", ".join(f"{p.name}={p.to_code(params[p.name])}" for p in REGISTRY[step.name].params)
    return f"v2.{step.name}({args})"


def step_summary(step: Step, limit: int = 3) -> str:
    """A short `name=value` list of the first parameters, for a step's title."""
    spec, params = REGISTRY[step.name], step.values()
    parts = [f"{p.name}={p.to_code(params[p.name]).replace('v2.', '')}" for p in spec.params[:limit]]
    return ", ".join(parts) + (", …" if len(spec.params) > limit else "")


def pipeline_code(steps: list[Step], errors: dict[int, str] | None = None) -> str:
    """`v2.Compose([...])` source; disabled or rejected (build `errors`) steps stay as comments."""
    lines = []
    for i, step in enumerate(steps):
        if not step.enabled:
            lines.append(f"    # {step_code(step)},  # switched off")
        elif errors and i in errors:
            lines.append(f"    # {step_code(step)},  # rejected: {errors[i].splitlines()[0]}")
        else:
            lines.append(f"    {step_code(step)},")
    return "v2.Compose([\n" + "\n".join(lines) + "\n])" if lines else "v2.Compose([])"


def export_code(steps: list[Step], seed: int, n: int, build_errors: dict[int, str] | None = None,
                image_path: str = "photo.png") -> str:
    """A standalone script producing the page's grid: draw i is seeded with `seed + i`."""
    return f'''import torch
from PIL import Image
from torchvision.transforms import v2
from torchvision.utils import save_image

pipeline = {pipeline_code(steps, build_errors)}

image = v2.functional.to_image(Image.open({image_path!r}).convert("RGB"))  # (3, H, W) uint8: v2 works on uint8
SEED, N = {seed}, {n}
draws = []
for i in range(N):
    torch.manual_seed(SEED + i)  # one seed per draw: draw i can be reproduced on its own
    draws.append(pipeline(image))
for i, draw in enumerate(draws):
    save_image(draw.float() / 255, f"draw_{{i}}.png")
print([tuple(d.shape) for d in draws])
'''


def boxes_code(steps: list[Step], box: Box, seed: int, build_errors: dict[int, str] | None = None) -> str:
    """Runnable code moving a box and a mask together with the image (draw 0 of the grid)."""
    x0, y0, x1, y1 = box
    return f'''import torch
from torchvision import tv_tensors
from PIL import Image
from torchvision.transforms import v2

pipeline = {pipeline_code(steps, build_errors)}
image = v2.functional.to_image({_PHOTO})  # (3, H, W) uint8
h, w = image.shape[-2:]
boxes = tv_tensors.BoundingBoxes([[{x0} * w, {y0} * h, {x1} * w, {y1} * h]], format="XYXY", canvas_size=(h, w))
mask = tv_tensors.Mask(torch.zeros(h, w, dtype=torch.uint8))
torch.manual_seed({seed})  # draw 0
out = pipeline({{"image": image, "boxes": boxes, "mask": mask}})  # all three move together
print(out["boxes"])
'''


def normalise_code(mean: tuple[float, ...], std: tuple[float, ...]) -> str:
    """Runnable code for the normalise section."""
    m, s = ", ".join(f"{v:.4f}" for v in mean), ", ".join(f"{v:.4f}" for v in std)
    return f'''import torch
from PIL import Image
from torchvision.transforms import v2

image = {_PHOTO}  # PIL image, 0..255
to_model_input = v2.Compose([
    v2.ToImage(),
    v2.ToDtype(torch.float32, scale=True),  # 0..255 -> 0..1
    v2.Normalize(mean=[{m}], std=[{s}]),  # x' = (x - mean) / std
])
x = to_model_input(image)
print("mean per channel", x.mean(dim=(1, 2)))
print("std per channel ", x.std(dim=(1, 2)))
'''
