"""lib/lstm word dropout: words (never padding or boundary tokens) become <unk> in training only, seeded."""
from dataclasses import replace

import pytest
import torch

from lib.common.messages import LearnerError
from lib.lstm import config
from lib.lstm import model as M
from lib.lstm.text import Vocab

IDS = torch.arange(200).remainder(50).reshape(4, 50)  # every id 0-49, four times: <pad>, <unk>, specials, words


def _gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def test_word_dropout_replaces_about_p_of_the_words_by_unk():
    out = M.drop_words(IDS.repeat(50, 1), 0.3, 2, _gen(0), training=True)
    words = IDS.repeat(50, 1) >= 2
    changed = out != IDS.repeat(50, 1)
    assert (out[changed] == 1).all()                        # a dropped word becomes <unk> (index 1)
    assert 0.27 < changed[words].float().mean() < 0.33      # about p of the words, 9,600 draws
    assert not changed[~words].any()                        # <pad> and <unk> stay


@pytest.mark.parametrize("first_word", [2, 4])  # 4: <sos> and <eos> sit at 2 and 3 and are never dropped
def test_word_dropout_keeps_specials(first_word):
    out = M.drop_words(IDS, 0.9, first_word, _gen(1), training=True)
    torch.testing.assert_close(out[IDS < first_word], IDS[IDS < first_word])
    assert (out[IDS >= first_word] == 1).float().mean() > 0.8


def test_word_dropout_only_in_training_and_not_at_zero():
    assert torch.equal(M.drop_words(IDS, 0.5, 2, _gen(0), training=False), IDS)
    assert torch.equal(M.drop_words(IDS, 0.0, 2, _gen(0), training=True), IDS)


def test_word_dropout_is_seeded():
    same = [M.drop_words(IDS, 0.2, 2, _gen(7), training=True) for _ in range(2)]
    assert torch.equal(same[0], same[1])
    assert not torch.equal(same[0], M.drop_words(IDS, 0.2, 2, _gen(8), training=True))


def _pair(word_dropout: float, sos_eos: bool = False) -> M.SentimentLSTM:
    cfg = config.LstmConfig(embedding="scratch", embed_dim=8, hidden=8, head_dropout=0.0, sos_eos=sos_eos,
                            word_dropout=word_dropout)
    specials = ["<pad>", "<unk>"] + (["<sos>", "<eos>"] if sos_eos else [])
    vocab = Vocab.from_tokens(specials + [f"w{i}" for i in range(50 - len(specials))])
    return M.build_model(cfg, vocab, ("neg", "pos"), seed=3)


def test_model_drops_words_in_training_only():
    """Same weights (same seed): with word dropout the training forward pass differs, evaluation does not."""
    plain, dropping = _pair(0.0), _pair(0.5)
    lengths = torch.full((4,), 50)
    assert not torch.allclose(plain(IDS, lengths, _gen(0)), dropping(IDS, lengths, _gen(0)))
    plain.eval(), dropping.eval()
    torch.testing.assert_close(plain(IDS, lengths), dropping(IDS, lengths))


def test_model_knows_where_words_start():
    assert _pair(0.1).first_word == 2 and _pair(0.1, sos_eos=True).first_word == 4


def test_config_refuses_word_dropout_of_one():
    with pytest.raises(LearnerError):
        replace(config.LstmConfig(), word_dropout=1.0).validate()
