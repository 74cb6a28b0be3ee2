"""LSTM sentiment: the page's default training vs the seed-style reference, in one run.

Reference (issue 7): frozen GloVe 50d, biLSTM 64, max-pool, Adam 1e-3, batch 128, every snippet padded
to 70 tokens and stepped through without packing. Page defaults: LstmConfig(). Both on CPU here.
Run: .venv/bin/python -m bench.lstm [--quick]
"""
from __future__ import annotations

import time

import torch

from bench.common import Figure, accelerators, cli
from lib import glove as G
from lib import lstm as L
from lib import text as tx
from lib.common.device import configure_cpu_threads

REFERENCE = L.LstmConfig(fix_length=70, bucketing=False, pack=False, freeze=True, lr=1e-3, batch_size=128,
                         head_dropout=0.0)


def _model(cfg: L.LstmConfig, data: L.Prepared, vectors: G.Glove) -> L.SentimentLSTM:
    weight, _ = G.embedding_matrix(vectors, data.vocab.itos, cfg.seed)
    return L.build_model(cfg, data.vocab, data.classes, cfg.seed, weight)


def seconds_per_epoch(cfg: L.LstmConfig, data: L.Prepared, vectors: G.Glove, epochs: int,
                      device: torch.device = torch.device("cpu")) -> float:
    """Mean wall-clock seconds of full training epochs (validation passes included, as on the page)."""
    cfg = L.LstmConfig(**{**cfg.__dict__, "epochs": epochs, "evals_per_epoch": 1})
    model = _model(cfg, data, vectors)
    start = time.perf_counter()
    for _ in L.train(model, data, cfg, device):
        pass
    return (time.perf_counter() - start) / epochs


def accuracy_after(cfg: L.LstmConfig, data: L.Prepared, vectors: G.Glove, seconds: float) -> tuple[float, float]:
    """Best validation accuracy seen within `seconds` of training, and the epochs done."""
    cfg = L.LstmConfig(**{**cfg.__dict__, "epochs": 100})
    model = _model(cfg, data, vectors)
    last = None
    for last in L.train(model, data, cfg, torch.device("cpu"), seconds=seconds):
        pass
    return max(row["valid_acc"] for row in last.history), last.epoch


def run(quick: bool) -> list[Figure]:
    threads = configure_cpu_threads()
    rows, budget, epochs = (1500, 3.0, 1) if quick else (None, 30.0, 2)
    corpus, vectors = tx.load_embedded_corpus(), G.load_glove()
    default = L.LstmConfig()
    ref_data = L.prepare(corpus, REFERENCE, max_rows=rows)
    page_data = L.prepare(corpus, default, max_rows=rows)
    ref_epoch = seconds_per_epoch(REFERENCE, ref_data, vectors, epochs)
    page_epoch = seconds_per_epoch(default, page_data, vectors, epochs)
    page_acc, page_epochs = accuracy_after(default, page_data, vectors, budget)
    ref_acc, ref_epochs = accuracy_after(REFERENCE, ref_data, vectors, budget)
    speedup = ref_epoch / page_epoch
    return [
        Figure("CPU threads / load average at end", f"{threads} / {open('/proc/loadavg').read().split()[0]}"),
        Figure("reference: seconds per epoch (pad 70, no packing, batch 128)", f"{ref_epoch:.2f}"),
        Figure("page defaults: seconds per epoch (bucketing, batch 128, fine-tuned GloVe)", f"{page_epoch:.2f}"),
        Figure("per-epoch speed-up, reference / page", f"{speedup:.2f}x", ">= 2.5x", speedup >= 2.5),
        Figure(f"page defaults: best validation accuracy within {budget:.0f} s", f"{page_acc:.1%} ({page_epochs:.1f} epochs)",
               ">= 78%", page_acc >= 0.78),
        Figure(f"reference: best validation accuracy within {budget:.0f} s", f"{ref_acc:.1%} ({ref_epochs:.1f} epochs)"),
    ] + [f for device in accelerators() for f in (
        Figure(f"on {device}: reference seconds per epoch", f"{seconds_per_epoch(REFERENCE, ref_data, vectors, epochs, device):.2f}"),
        Figure(f"on {device}: page defaults seconds per epoch", f"{seconds_per_epoch(default, page_data, vectors, epochs, device):.2f}"),
    )]


if __name__ == "__main__":
    cli("LSTM sentiment: page defaults vs reference (CPU)", run)
