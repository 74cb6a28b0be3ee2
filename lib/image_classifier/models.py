"""The case-study classifiers as editable specs, a builder and a per-layer summary.

A `ModelSpec` (plain data) builds an `nn.Sequential`; the code panels (code.py) read the built
modules, so the code shown always matches the model trained.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace

import torch
from torch import nn

from lib.common.device import seeded_rng
from lib.common.messages import N_, LearnerError, Message
from lib.common.settings import setting

ACTIVATIONS = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh}
KINDS = ("mlp", "mnist_cnn", "lenet", "cifar_cnn", "vgg")
# raw scores + CrossEntropyLoss, or LogSoftmax + NLLLoss (option id -> label, translated by the page)
LOSSES = {"ce": N_("raw scores + CrossEntropyLoss"), "nll": N_("LogSoftmax + NLLLoss")}
CODE_STYLES = {"sequential": "nn.Sequential", "module": N_("nn.Module class"),
               "functional": N_("functional API in forward")}


@dataclass(frozen=True)
class ModelSpec:
    kind: str = "mlp"
    hidden: tuple[int, ...] = (256, 128)      # MLP hidden widths
    activation: str = "relu"
    dropout: float = 0.25                     # 0 = no dropout layers
    log_softmax: bool = True                  # end with LogSoftmax, to pair with NLLLoss
    channels: tuple[int, ...] = (16, 32)      # conv widths (mnist_cnn: 2, cifar_cnn: 3, lenet: 2)
    cfg: tuple[int | str, ...] = (32, "M", 64, "M")  # VGG cfg list: widths and 'M' for max-pool
    batch_norm: bool = False                  # VGG: BatchNorm2d after each conv
    fc: tuple[int, ...] = (512,)              # hidden fully connected widths after the convs

    def to_dict(self) -> dict:
        """Plain types only (lists, str, int, float, bool): safe for weights_only checkpoints."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @staticmethod
    def from_dict(d: dict) -> "ModelSpec":
        """Inverse of `to_dict`, refusing unknown fields or kinds."""
        names = set(ModelSpec.__dataclass_fields__)
        if not isinstance(d, dict) or set(d) - names:
            raise LearnerError("The checkpoint's model description has fields this page does not know.")
        spec = ModelSpec(**{k: tuple(v) if isinstance(v, list) else v for k, v in d.items()})
        validate(spec)
        return spec


# The case studies' networks by a short id (what a link carries); their titles are in PRESET_TITLES and
# their training recipes in recipes.py.
PRESETS: dict[str, ModelSpec] = {
    "mlp_sigmoid": ModelSpec("mlp", (128,), "sigmoid", 0.0, False),
    "mlp": ModelSpec("mlp", (256, 128), "relu", 0.25, True),
    "mnist_cnn": ModelSpec("mnist_cnn", channels=(16, 32), fc=(), dropout=0.0, log_softmax=False),
    # three 3x3 conv blocks with batch norm and no hidden linear layer: with one-cycle, >= 91% on
    # Fashion-MNIST in under a minute on 2 CPU cores (bench/image_classifier.py)
    "fast_cnn": ModelSpec("vgg", cfg=(16, "M", 32, "M", 64), batch_norm=True, fc=(), dropout=0.0,
                          log_softmax=False),
    "lenet": ModelSpec("lenet", channels=(6, 16), fc=(120, 84), dropout=0.0, log_softmax=False),
    "cifar_cnn": ModelSpec("cifar_cnn", channels=(16, 32, 64), fc=(512,), dropout=0.25, log_softmax=False),
    "vgg": ModelSpec("vgg", cfg=(32, "M", 64, "M"), batch_norm=True, fc=(256,), dropout=0.25, log_softmax=False),
}
PRESET_TITLES = {
    "mlp_sigmoid": N_("MLP 784-128-10, sigmoid (first case study, its exact recipe)"),
    "mlp": N_("MLP 784-256-128-10, ReLU, dropout 0.25 (Fashion-MNIST)"),
    "mnist_cnn": N_("MNIST CNN (16@5x5 s2 + pool, 32@5x5): the plain recipe"),
    "fast_cnn": N_("Fast CNN: 16-32-64 with batch norm, one-cycle schedule"),
    "lenet": N_("LeNet-5"),
    "cifar_cnn": N_("CIFAR-10 CNN (3 conv+pool blocks, 512 hidden)"),
    "vgg": N_("VGG-style (cfg list + make_layers)"),
}
DEFAULT_PRESET = "mlp"


@dataclass(frozen=True)
class ModelConfig:
    """The model section's settings. The editable ones start from the chosen preset (`preset_settings`);
    the layer lists are the text the learner edits ("256, 128"), parsed by `parse_widths`/`parse_cfg`."""

    preset: str = setting(DEFAULT_PRESET, options=tuple(PRESETS), param="preset")  # Fashion MLP: ~87% in 5 epochs
    hidden: str = setting("256, 128", param="hidden")          # MLP hidden widths
    channels: str = setting("16, 32", param="ch")              # conv widths of the fixed CNNs
    cfg: str = setting("32, M, 64, M", param="cfg")            # VGG cfg list
    fc: str = setting("512", param="fc")                       # hidden linear widths after the convs
    activation: str = setting("relu", options=tuple(ACTIVATIONS), param="act")
    batch_norm: bool = setting(False, param="bn")
    use_dropout: bool = setting(True, param="drop")
    dropout: float = setting(0.25, lo=0.05, hi=0.8, step=0.05, param="drop_p")  # p offered when a preset has none
    loss: str = setting("nll", options=tuple(LOSSES), param="loss")
    style: str = setting("sequential", options=tuple(CODE_STYLES), param="style")  # how the model's code is written


def preset_settings(spec: ModelSpec, base: ModelConfig = ModelConfig()) -> ModelConfig:
    """The model settings a preset starts from: its layer lists, activation, dropout, batch norm and loss."""
    return replace(base, hidden=as_text(spec.hidden), channels=as_text(spec.channels), cfg=as_text(spec.cfg),
                   fc=as_text(spec.fc), activation=spec.activation, batch_norm=spec.batch_norm,
                   use_dropout=spec.dropout > 0, dropout=spec.dropout or base.dropout,
                   loss="nll" if spec.log_softmax else "ce")


def as_text(items: tuple[int | str, ...]) -> str:
    """(256, 128) -> '256, 128': the text `parse_widths` and `parse_cfg` read back."""
    return ", ".join(map(str, items))


def parse_widths(text: str, what: str = Message("layer widths")) -> tuple[int, ...]:
    """'256, 128' -> (256, 128); no eval, just integers between 1 and 4096."""
    parts = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
    if not all(p.isdigit() and len(p) <= 4 and 1 <= int(p) <= 4096 for p in parts):
        raise LearnerError("The {what} must be whole numbers from 1 to 4096 separated by commas, e.g. 256, 128.",
                           what=what)
    return tuple(int(p) for p in parts)


def parse_cfg(text: str) -> tuple[int | str, ...]:
    """'64, M, 128, M' -> (64, 'M', 128, 'M'), as in torchvision's VGG cfgs."""
    items: list[int | str] = []
    for p in (p.strip() for p in text.split(",") if p.strip()):
        if p.upper() == "M":
            items.append("M")
        elif p.isdigit() and len(p) <= 4 and 1 <= int(p) <= 1024:
            items.append(int(p))
        else:
            raise LearnerError("`{item}` is not a channel count (1-1024) or M (max-pool) in the cfg list.",
                               item=_quoted(p))
    if not any(isinstance(i, int) for i in items):
        raise LearnerError("The cfg list needs at least one convolution width, e.g. 32, M, 64, M.")
    return tuple(items)


def _quoted(text: str) -> str:
    """A learner's text made safe to show inside a code span: no backticks, no line breaks, short."""
    text = text.replace("`", "'").replace("\n", " ")
    return text if len(text) <= 20 else text[:19] + "…"


def validate(spec: ModelSpec) -> None:
    """Raise a LearnerError (a ValueError) with a plain sentence when a spec cannot be built."""
    if spec.kind not in KINDS:
        raise LearnerError("Unknown model kind {kind}.", kind=repr(spec.kind))
    if spec.activation not in ACTIVATIONS:
        raise LearnerError("Unknown activation {name}; use relu, sigmoid or tanh.", name=repr(spec.activation))
    if not 0 <= spec.dropout < 1:
        raise LearnerError("Dropout must be at least 0 and below 1.")
    need = {"mnist_cnn": 2, "lenet": 2, "cifar_cnn": 3}.get(spec.kind)
    if need and len(spec.channels) != need:
        raise LearnerError("This network has {n} convolution layers, so it needs {n} channel counts.", n=need)


def with_changes(spec: ModelSpec, **changes) -> ModelSpec:
    """A copy of `spec` with some fields changed, validated."""
    new = replace(spec, **changes)
    validate(new)
    return new


def spec_from_settings(preset: ModelSpec, s: ModelConfig) -> ModelSpec:
    """The network the learner set up: the preset with the section's widgets applied (parsed, validated).

    Only the fields that matter for the preset's kind are read: an MLP has hidden widths, the fixed CNNs
    channel counts, VGG a cfg list and batch norm; every CNN its hidden linear widths.
    """
    changes: dict = {"activation": s.activation, "dropout": s.dropout if s.use_dropout else 0.0,
                     "log_softmax": s.loss == "nll"}
    if preset.kind == "mlp":
        changes["hidden"] = parse_widths(s.hidden, Message("hidden layer widths"))
    elif preset.kind == "vgg":
        changes["cfg"], changes["batch_norm"] = parse_cfg(s.cfg), s.batch_norm
    else:
        changes["channels"] = parse_widths(s.channels, Message("channel counts"))
    if preset.kind != "mlp":
        changes["fc"] = parse_widths(s.fc, Message("hidden linear widths"))
    return with_changes(preset, **changes)


# ---------------------------------------------------------------- building

def make_layers(cfg: tuple[int | str, ...], batch_norm: bool, in_channels: int, act: type[nn.Module]) -> list[nn.Module]:
    """torchvision's VGG `make_layers`: 3x3 convs (padding 1) and 'M' max-pools from a cfg list."""
    layers: list[nn.Module] = []
    for v in cfg:
        if v == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
            continue
        layers.append(nn.Conv2d(in_channels, int(v), kernel_size=3, padding=1))
        layers += [nn.BatchNorm2d(int(v)), act()] if batch_norm else [act()]
        in_channels = int(v)
    return layers


def _features(spec: ModelSpec, c: int, act: type[nn.Module]) -> list[nn.Module]:
    ch = spec.channels
    if spec.kind == "mlp":
        return []
    if spec.kind == "mnist_cnn":
        return [nn.Conv2d(c, ch[0], 5, stride=2, padding=2), act(), nn.MaxPool2d(2),
                nn.Conv2d(ch[0], ch[1], 5, padding=2), act()]
    if spec.kind == "lenet":
        return [nn.Conv2d(c, ch[0], 5, padding=2), act(), nn.MaxPool2d(2),
                nn.Conv2d(ch[0], ch[1], 5), act(), nn.MaxPool2d(2)]
    if spec.kind == "cifar_cnn":
        widths = (c,) + ch
        return [m for i in range(3) for m in (nn.Conv2d(widths[i], widths[i + 1], 3, padding=1), act(), nn.MaxPool2d(2))]
    return make_layers(spec.cfg, spec.batch_norm, c, act)


def _flat_size(layers: list[nn.Module], in_shape: tuple[int, int, int]) -> int:
    """Run a dummy image through the conv part to learn the size Linear must accept."""
    with torch.no_grad():
        try:
            out = nn.Sequential(*layers)(torch.zeros(1, *in_shape)) if layers else torch.zeros(1, *in_shape)
        except RuntimeError as e:
            raise LearnerError("This network shrinks a {h}x{w} image to nothing (too many pools or too large "
                               "kernels); pick fewer layers or a bigger data set.", h=in_shape[1], w=in_shape[2]) from e
    return out[0].numel()


def build(spec: ModelSpec, in_shape: tuple[int, int, int], num_classes: int, seed: int = 0) -> nn.Sequential:
    """Build the network for images of `in_shape` (C, H, W); initial weights depend only on `seed`."""
    validate(spec)
    act = ACTIVATIONS[spec.activation]
    with seeded_rng(seed):  # own RNG stream: sessions are threads of one process
        layers = _features(spec, in_shape[0], act)
        flat = _flat_size(layers, in_shape)
        layers.append(nn.Flatten())  # (B, C, H, W) -> (B, C*H*W)
        widths = (spec.hidden if spec.kind == "mlp" else spec.fc)
        for w in widths:
            layers += [nn.Linear(flat, w), act()] + ([nn.Dropout(spec.dropout)] if spec.dropout else [])
            flat = w
        layers.append(nn.Linear(flat, num_classes))
        if spec.log_softmax:
            layers.append(nn.LogSoftmax(dim=1))
    net = nn.Sequential(*layers)
    if any(isinstance(layer, nn.Conv2d) for layer in layers):
        # channels-last kernels: same numbers, convolutions train ~1.4x faster on CPU (oneDNN) and use
        # tensor cores better on GPUs; inputs follow the weights' format automatically
        net = net.to(memory_format=torch.channels_last)
    return net


def device_of(model: nn.Module) -> torch.device:
    """Where the model's weights live."""
    return next(model.parameters()).device


def modes_differ(spec: ModelSpec, model: nn.Module) -> bool:
    """Whether model.train() and model.eval() give different answers: dropout or batch norm."""
    return spec.dropout > 0 or any(isinstance(m, nn.BatchNorm2d) for m in model.modules())


# ---------------------------------------------------------------- summary

@dataclass(frozen=True)
class LayerRow:
    index: int
    layer: str                  # repr, as print(model) shows it
    output_shape: tuple[int, ...]
    params: int


def summary(model: nn.Sequential, in_shape: tuple[int, int, int]) -> list[LayerRow]:
    """Per-layer output shape (batch of 1) and parameter count."""
    x = torch.zeros(1, *in_shape, device=device_of(model))
    rows = []
    was_training = model.training
    model.eval()
    with torch.no_grad():
        for i, layer in enumerate(model):
            x = layer(x)
            rows.append(LayerRow(i, repr(layer), tuple(x.shape), sum(p.numel() for p in layer.parameters())))
    model.train(was_training)
    return rows


def count_params(model: nn.Module) -> int:
    """Number of trainable numbers in the model."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
