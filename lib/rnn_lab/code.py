"""The RNN lab's code panels: standalone scripts that train exactly what the page trains (same seed, same numbers)."""
from __future__ import annotations

from lib.rnn_lab.config import HAND, NamesConfig, WaveConfig


def wave_code(cfg: WaveConfig) -> str:
    """A standalone script that trains exactly what the page trains."""
    nonlin = f", nonlinearity={cfg.nonlinearity!r}" if cfg.cell == "RNN" else ""
    detach = "tuple(s.detach() for s in state)" if cfg.cell == "LSTM" else "state.detach()"
    return f'''import math
import torch
from torch import nn

torch.manual_seed({cfg.seed})


class WaveModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.{cfg.cell}(input_size=1, hidden_size={cfg.hidden_size}, num_layers={cfg.num_layers}, batch_first=True{nonlin})
        self.head = nn.Linear({cfg.hidden_size}, 1)  # applied at every time step

    def forward(self, x, state=None):
        out, state = self.rnn(x, state)  # out: (batch, time, hidden)
        return self.head(out), state     # (batch, time, 1)


model = WaveModel()
optimizer = torch.optim.Adam(model.parameters(), lr={cfg.lr})
loss_fn = nn.MSELoss()
state = None  # hidden state, carried from one window to the next

for step in range({cfg.steps}):
    t = torch.linspace(step * math.pi, (step + 1) * math.pi, {cfg.seq_len})
    x = torch.sin(t).view(1, -1, 1)  # (batch=1, time, input_size=1)
    y = torch.cos(t).view(1, -1, 1)
    prediction, state = model(x, state)
    state = {detach}  # keep the values, cut the graph: no backprop into old windows
    loss = loss_fn(prediction, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step % 25 == 0:
        print(f"step {{step}}: loss {{loss.item():.4f}}")
# the score to beat: predicting 0 everywhere (the best constant) scores mean(cos^2) over a window
print(f"flat prediction at 0 would score {{(y ** 2).mean().item():.4f}}")
print(f"final loss {{loss.item():.6f}}")
'''


def names_code(cfg: NamesConfig, names_dir: str = "assets/names") -> str:
    """A standalone script that trains what the page trains (same seed -> same numbers)."""
    if cfg.cell == HAND:
        model_code = '''class HandRNN(nn.Module):
    def __init__(self, input_size, hidden_size, output_size):
        super().__init__()
        self.hidden_size = hidden_size
        self.i2h = nn.Linear(input_size + hidden_size, hidden_size)
        self.i2o = nn.Linear(input_size + hidden_size, output_size)
        self.softmax = nn.LogSoftmax(dim=1)

    def forward(self, x, hidden):
        combined = torch.cat((x, hidden), 1)
        return self.softmax(self.i2o(combined)), torch.tanh(self.i2h(combined))


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.hand = HandRNN(N_LETTERS, HIDDEN, len(languages))

    def forward(self, letters, lengths):
        onehot = F.one_hot(letters, N_LETTERS).float()  # (B, T) -> (B, T, n_letters)
        hidden = torch.zeros(len(letters), HIDDEN)
        output = None
        for t in range(onehot.shape[1]):  # one letter at a time; finished names keep their output
            active = (t < lengths).view(-1, 1)
            out_t, hid_t = self.hand(onehot[:, t], hidden)
            output = out_t if output is None else torch.where(active, out_t, output)
            hidden = torch.where(active, hid_t, hidden)
        return output'''
    else:
        model_code = f'''class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.{cfg.cell}(N_LETTERS, HIDDEN, num_layers={cfg.num_layers}, batch_first=True)
        self.head = nn.Linear(HIDDEN, len(languages))

    def forward(self, letters, lengths):
        onehot = F.one_hot(letters, N_LETTERS).float()  # (B, T) -> (B, T, n_letters)
        output, _ = self.rnn(onehot)  # (B, T, hidden): the state after every letter
        # read each name at its own last letter: the pads after it never changed that state
        # (packing gives the same numbers, a little slower on CPU:
        #  packed = pack_padded_sequence(onehot, lengths, batch_first=True, enforce_sorted=False)
        #  _, h_n = self.rnn(packed)  # for an LSTM: _, (h_n, c_n) = ...
        #  return self.head(h_n[-1]))
        last = output[torch.arange(len(lengths)), lengths - 1]
        return self.head(last)'''
    if cfg.balancing == "weights":
        loss_line = "loss_fn = nn.CrossEntropyLoss(weight=class_weights(train_labels))"
    else:
        loss_line = "loss_fn = nn.CrossEntropyLoss()"
    if cfg.balancing == "sampling":
        order_line = ("order = torch.multinomial(class_weights(train_labels)[torch.tensor(train_labels)], "
                      "len(train_labels), replacement=True, generator=gen).tolist()  # balanced draw")
    else:
        order_line = "order = torch.randperm(len(train_labels), generator=gen).tolist()"
    limit = f"[:{cfg.max_batches}]" if cfg.max_batches else ""
    if cfg.optimizer == "sgd":
        optimizer_line = (f"optimizer = torch.optim.SGD(model.parameters(), lr={cfg.lr})  "
                          "# the classic's p.data.add_(p.grad, alpha=-lr)")
    else:
        optimizer_line = f"optimizer = torch.optim.Adam(model.parameters(), lr={cfg.lr})"
    return f'''import random
import string
import unicodedata
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_sequence

ALL_LETTERS = string.ascii_letters + " .,;'"
N_LETTERS = len(ALL_LETTERS)
HIDDEN = {cfg.hidden_size}


def unicode_to_ascii(s):
    return "".join(c for c in unicodedata.normalize("NFD", s)
                   if unicodedata.category(c) != "Mn" and c in ALL_LETTERS)


# one file per language, one surname per line
names, labels, languages = [], [], []
for label, path in enumerate(sorted(Path({names_dir!r}).glob("*.txt"))):
    languages.append(path.stem)
    seen = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        name = unicode_to_ascii(line.strip())
        if name and name not in seen:
            seen.add(name)
            names.append(name)
            labels.append(label)

order = list(range(len(names)))
random.Random({cfg.seed}).shuffle(order)
n_val = int(len(order) * {cfg.val_fraction})
val_idx, train_idx = order[:n_val], order[n_val:]
train_labels = [labels[i] for i in train_idx]
train_lengths = [len(names[i]) for i in train_idx]


def length_batches(order, batch_size):
    """Batches of similar-length names (less padding), in shuffled order."""
    window, batches = batch_size * 20, []
    for start in range(0, len(order), window):
        chunk = sorted(order[start:start + window], key=lambda p: train_lengths[p])
        batches += [chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size)]
    return [batches[i] for i in torch.randperm(len(batches), generator=gen).tolist()]


def class_weights(labels):
    counts = torch.bincount(torch.tensor(labels), minlength=len(languages)).float().clamp(min=1)
    w = counts.sum() / counts
    return w / w.mean()


def batch(batch_names):
    seqs = [torch.tensor([ALL_LETTERS.index(c) for c in n]) for n in batch_names]
    return pad_sequence(seqs, batch_first=True), torch.tensor([len(s) for s in seqs])


{model_code}


torch.manual_seed({cfg.seed})
model = Model()
{optimizer_line}
{loss_line}
gen = torch.Generator().manual_seed({cfg.seed})

for epoch in range({cfg.epochs}):
    model.train()
    {order_line}
    batches = length_batches(order, {cfg.batch_size}){limit}
    for positions in batches:
        letters, lengths = batch([names[train_idx[p]] for p in positions])
        targets = torch.tensor([train_labels[p] for p in positions])
        loss = loss_fn(model(letters, lengths), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        letters, lengths = batch([names[i] for i in val_idx])
        predicted = model(letters, lengths).argmax(1)
        accuracy = (predicted == torch.tensor([labels[i] for i in val_idx])).float().mean().item()
    print(f"epoch {{epoch + 1}}: last loss {{loss.item():.3f}}, validation accuracy {{accuracy:.3f}}")
'''


def classic_code(hidden_size: int = 128, lr: float = 0.005) -> str:
    """The classic tutorial loop: one random name at a time, hand-written SGD update."""
    return f'''# The classic loop (for comparison; the page trains in padded batches instead)
rnn = HandRNN(N_LETTERS, {hidden_size}, len(languages))
criterion = nn.NLLLoss()  # the cell already ends in LogSoftmax

def train_one(category_tensor, line_tensor):  # line_tensor: (len, 1, n_letters)
    hidden = torch.zeros(1, {hidden_size})
    rnn.zero_grad()
    for i in range(line_tensor.size(0)):
        output, hidden = rnn(line_tensor[i], hidden)
    loss = criterion(output, category_tensor)
    loss.backward()
    for p in rnn.parameters():  # plain SGD by hand
        p.data.add_(p.grad.data, alpha=-{lr})
    return output, loss.item()
'''
