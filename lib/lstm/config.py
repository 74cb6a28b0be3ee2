"""Every setting of the LSTM page in one frozen dataclass: defaults (with why), widget ranges, link names."""
from __future__ import annotations

from dataclasses import dataclass, replace

from lib.common.messages import N_, LearnerError
from lib.common.settings import setting
from lib.lstm.text import TOKENIZERS

OPTIMIZERS = ("adam", "sgd")
POOLINGS = ("max", "last")
EMBEDDINGS = ("glove", "scratch")
KEEPS = ("best", "last")  # which weights a round ends with: best validation accuracy, or the last step's
HIDDEN_SIZES = (8, 16, 20, 32, 64, 128, 256)  # 20: the tutorial recipe's (x 2 directions = its 40 features)
HEAD_SIZES = (0, 8, 16, 32, 64)  # a hidden linear layer before the output; 0 = none, 16: the tutorial recipe
LEARNING_RATES = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1)
BATCH_SIZES = (8, 16, 32, 64, 128, 256)
GLOVE_DIM = 50
MAX_PHRASE = 3  # the phrase shortcut's longest phrases (words)
EMA_DECAYS = (0.0, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999)  # 0 = no averaging

# option id -> label (the page translates the labels)
EMBEDDING_LABELS = {"glove": N_("GloVe 6B 50d"), "scratch": N_("learned from scratch")}
POOLING_LABELS = {"max": N_("max-pool over time"), "last": N_("final hidden state")}
KEEP_LABELS = {"best": N_("best validation accuracy"), "last": N_("last step")}
EMA_LABELS = {0.0: N_("off: the last step's weights"), **{d: f"{d:g}" for d in EMA_DECAYS[1:]}}


@dataclass(frozen=True)
class LstmConfig:
    """Every setting of the page; widgets read their defaults, ranges and link names from here."""

    # pipeline
    tokenizer: str = setting("regex", options=TOKENIZERS, param="tok")  # splits "it's" into "it", "'s" like GloVe
    lower: bool = setting(True, param="lower")            # GloVe 6B is lower-case
    min_freq: int = setting(1, lo=1, hi=50, step=1, param="minf")  # GloVe already knows rare words: keep them
    max_size: int = setting(25_000, lo=10, hi=100_000, step=1000, param="vocab")  # ~17k distinct: nothing cut
    sos_eos: bool = setting(False, param="sos")           # a classifier gains nothing from boundary tokens here
    max_len: int = setting(100, lo=5, hi=500, step=1, param="maxlen")  # longest snippet ~63 tokens: cuts user text
    fix_length: int = setting(0, lo=0, hi=200, step=1, param="pad")  # 0 = pad each batch to its longest text
    # batching
    bucketing: bool = setting(True, param="bucket")       # similar lengths per batch -> little padding
    pack: bool = setting(False, param="pack")             # bucketing leaves ~12% padding; packing would skip it
                                                          # but costs more than it saves on CPU (0.046 vs 0.030 s/step)
    batch_size: int = setting(128, options=BATCH_SIZES, param="batch")  # few, large steps: overhead dominates on CPU
    # embeddings
    embedding: str = setting("glove", options=EMBEDDINGS, param="emb")  # ~10 points better than scratch
    freeze: bool = setting(False, param="freeze")         # fine-tuning the corpus rows moves sentiment words apart
    embed_dim: int = setting(GLOVE_DIM, lo=8, hi=300, step=1, param="edim")  # fixed by GloVe (only for scratch)
    # model
    hidden: int = setting(64, options=HIDDEN_SIZES, param="hidden")
    num_layers: int = setting(1, lo=1, hi=4, step=1, param="layers")
    bidirectional: bool = setting(True, param="bi")
    dropout: float = setting(0.3, lo=0.0, hi=0.8, step=0.05, param="drop")  # between LSTM layers (2+ layers)
    head_dropout: float = setting(0.5, lo=0.0, hi=0.8, step=0.05, param="hdrop")  # small corpus: regularise
    embed_dropout: float = setting(0.0, lo=0.0, hi=0.8, step=0.05, param="edrop")  # on the word vectors
    word_dropout: float = setting(0.2, lo=0.0, hi=0.5, step=0.05, param="wdrop")  # a word -> <unk> in training:
                                          # +1.0 point of validation accuracy (0.1: +0.5), test +0.2 (3 seeds)
    pooling: str = setting("max", options=POOLINGS, param="pool")  # max over time sees every position
    head_hidden: int = setting(0, options=HEAD_SIZES, param="head")  # one linear layer is enough on pooled features
    phrases: int = setting(3, lo=0, hi=MAX_PHRASE, step=1, param="phrases")  # phrase shortcut: a learned score
        # per phrase of up to this many words, added to the LSTM's (0 = off; see phrases.py). Validation / test
        # of the kept weights, 30 CPU-s, seeds 0-2: off 80.7 / 79.5%, 1 word 80.7 / 79.4, up to 2 words
        # 81.3 / 80.3, up to 3 81.7 / 80.4 (chosen on validation; 4 words, hashed, 81.0 / 80.3)
    # training
    optimizer: str = setting("adam", options=OPTIMIZERS, param="opt")
    lr: float = setting(3e-3, options=LEARNING_RATES, param="lr")  # bigger than Adam's 1e-3: a few epochs suffice
    epochs: int = setting(8, lo=1, hi=30, step=1, param="epochs")  # the best point comes after 2-4 epochs
    patience: int = setting(4, lo=0, hi=20, step=1, param="patience")  # stop after this many checks without a
                                                                      # better validation accuracy; 0 = never
    ema: float = setting(0.99, options=EMA_DECAYS, param="ema")  # check and keep an average of the last ~100
                                                                  # steps' weights: +0.6 points of test accuracy
    keep: str = setting("best", options=KEEPS, param="keep")  # it over-fits after a few epochs: keep the best
    seed: int = setting(0, lo=0, hi=10_000, step=1, param="seed")
    evals_per_epoch: int = 2      # validation checks per epoch: points on the curves and chances to keep the best

    def validate(self) -> "LstmConfig":
        """Raise a plain-words LearnerError for settings that cannot work together."""
        if self.embedding == "glove" and self.embed_dim != GLOVE_DIM:
            raise LearnerError("GloVe vectors have {dim} dimensions.", dim=GLOVE_DIM)
        if self.tokenizer not in TOKENIZERS or self.embedding not in EMBEDDINGS or self.pooling not in POOLINGS \
                or self.optimizer not in OPTIMIZERS or self.keep not in KEEPS:
            raise LearnerError("Unknown tokenizer, embedding, pooling, optimizer or kept weights.")
        if self.min_freq < 1 or self.max_size < 10 or self.max_len < 1 or self.epochs < 1 or self.batch_size < 1:
            raise LearnerError("min_freq, max_len, epochs and the batch size must be at least 1, max_size at least 10.")
        if not (1 <= self.hidden <= 1024 and 1 <= self.num_layers <= 4 and 1 <= self.embed_dim <= 512):
            raise LearnerError("The hidden size must be 1-1024, the layers 1-4 and the embedding size 1-512.")
        if not (0 <= self.dropout < 1 and 0 <= self.head_dropout < 1 and 0 <= self.word_dropout < 1 and self.lr > 0
                and self.head_hidden >= 0):
            raise LearnerError("Dropout must be in [0, 1) and the learning rate above 0.")
        if not 0 <= self.phrases <= MAX_PHRASE:
            raise LearnerError("The phrase shortcut reads phrases of 0 to {most} words.", most=MAX_PHRASE)
        return self

    @property
    def directions(self) -> int:
        return 2 if self.bidirectional else 1

    @property
    def width(self) -> int:
        """Features after pooling: hidden size x directions."""
        return self.hidden * self.directions


PIPELINE_FIELDS = ("tokenizer", "lower", "min_freq", "max_size", "sos_eos", "max_len", "fix_length")
TRAINING_FIELDS = ("optimizer", "lr", "epochs", "seed", "batch_size", "bucketing", "patience", "keep", "ema")


def pipeline_key(cfg: LstmConfig) -> LstmConfig:
    """Only the settings that change the encoded data (so model settings do not re-tokenise)."""
    return LstmConfig(**{name: getattr(cfg, name) for name in PIPELINE_FIELDS})


SOURCES = ("reviews", "zh", "csv")
ZH_BATCH = 64  # the Chinese reviews' default batch size (see for_source)
SOURCE_LABELS = {"reviews": N_("Movie reviews (built in)"), "zh": N_("Chinese reviews (built in)"),
                 "csv": N_("Your CSV")}
GATES = ("input", "forget", "cell", "output")
GATE_LABELS = {"input": N_("input"), "forget": N_("forget"), "cell": N_("cell"), "output": N_("output")}


@dataclass(frozen=True)
class DataConfig:
    """Where the texts come from, which preset the settings start from, and how many rows to use."""

    source: str = setting("reviews", options=SOURCES, param="data")  # offline and always there
    preset: str = setting("default", options=("default", "tutorial"), param="preset")
    max_rows: int = setting(0, lo=0, hi=1_000_000, step=1000, param="rows")  # 0 = all: ~20 s an epoch at most


@dataclass(frozen=True)
class ViewConfig:
    """What the page looks at (texts, words, a gate): shown, not trained on, but part of the link."""

    sample: str = setting("It's not a masterpiece, but the actors clearly had fun - and so did I!", param="sample")
    batch_first: bool = setting(True, param="bf")
    word: str = setting("awful", param="word")
    analogy_a: str = setting("man", param="a")
    analogy_b: str = setting("king", param="b")
    analogy_c: str = setting("woman", param="c")
    pca_words: str = setting("good, great, excellent, bad, awful, boring, movie, film, actor, king, queen, man, woman",
                             param="words")
    text: str = setting("A gorgeous, witty and moving film that never drags.", param="text")
    gate: str = setting("input", options=GATES, param="gate")


def for_source(cfg: LstmConfig, source: str) -> LstmConfig:
    """The settings the widgets start from for a data source. Chinese reviews: jieba's words (shorter sequences
    that carry more meaning than single characters: 83% against 82% test accuracy in bench/lstm_zh), words seen
    at least twice (half of jieba's 38k words occur once), the first 80 words (95% of reviews are shorter), and
    128-number vectors learned from scratch (GloVe 6B is English). The default's batch of 128 becomes 64: twice
    the steps per epoch find the best validation check after about 4 epochs, so a 30-s run on one core or on two
    keeps nearly the same weights. With the default's word dropout (0.2) the kept weights score 84.6% on
    validation and 83.9% on test (bench/lstm_zh's 30 CPU-s on one thread, mean of seeds 0-2; seed 3 agrees),
    against 83.6% and 83.0% at batch 128 without word dropout. The phrase shortcut (3 words) then raised
    validation to 85.4% and test to 84.0% (84.8% and 83.2% without it, both on a machine about 1.5x slower).
    With the shortcut, whose character pairs and triples act as words, characters test as well as jieba's words
    (84.2% against 84.0%, bench/lstm_zh); the words stay the default because they teach what a Chinese
    tokenizer does. A preset's own batch size (the tutorial's 32) is kept."""
    if source != "zh":
        return cfg
    batch = ZH_BATCH if cfg.batch_size == LstmConfig().batch_size else cfg.batch_size
    return replace(cfg, tokenizer="jieba", min_freq=2, max_len=80, embedding="scratch", embed_dim=128, freeze=False,
                   batch_size=batch)
