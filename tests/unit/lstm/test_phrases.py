"""lib/lstm/phrases.py: the phrase shortcut's table rows, its score and the phrases it shows."""
import torch

from lib.lstm import phrases
from lib.lstm.phrases import BUCKETS, PhraseShortcut, phrase_rows, row_of


def test_rows_cover_every_phrase_inside_the_text_and_none_in_the_padding():
    ids = torch.tensor([[5, 6, 7, 8], [9, 10, 0, 0]])  # the second text has 2 words, then padding
    rows = phrase_rows(ids, torch.tensor([4, 2]), 3)
    assert rows.shape == (2, 4 + 3 + 2)  # 4 words, 3 pairs, 2 triples per padded row
    assert (rows[0] > 0).sum() == 9       # a full text: 4 + 3 + 2 phrases
    assert (rows[1] > 0).sum() == 3       # 2 words and 1 pair; no triple fits in 2 words
    assert rows[0, :4].tolist() == [5, 6, 7, 8]  # a single word's row is its own index
    assert int(rows.max()) < BUCKETS


def test_row_of_matches_the_batched_rows():
    ids = torch.tensor([[11, 250_000, 3, 17_000]])
    rows = phrase_rows(ids, torch.tensor([4]), 3)[0].tolist()
    words = ids[0].tolist()
    expected = [row_of(words[s:s + n]) for n in (1, 2, 3) for s in range(4 - n + 1)]
    assert rows == expected


def test_word_order_matters_in_a_phrase():
    """'not good' and 'good not' are different phrases (a bag of words would confuse them)."""
    assert row_of([40, 41]) != row_of([41, 40])
    assert row_of([40, 41, 42]) != row_of([40, 42, 41])


def test_an_untrained_shortcut_scores_zero_and_its_sum_is_the_phrases():
    short = PhraseShortcut(num_outputs=1, longest=2)
    ids, lengths = torch.tensor([[4, 5, 6]]), torch.tensor([3])
    assert short(ids, lengths).item() == 0.0  # starts at zero: changes nothing before training
    with torch.no_grad():
        short.table.weight.normal_()
    itos = [f"w{i}" for i in range(10)]
    found = phrases.phrases_in(short, [4, 5, 6], itos)
    assert [p.text for p in found] == ["w4", "w5", "w6", "w4 w5", "w5 w6"]
    assert abs(sum(p.score[0] for p in found) - short(ids, lengths).item()) < 1e-5


def test_strongest_ranks_common_phrases_by_score():
    short = PhraseShortcut(num_outputs=1, longest=2)
    texts = [[4, 5, 6], [4, 5], [4, 5, 7], [6, 7]]
    common = phrases.common_phrases(texts, longest=3, min_texts=2)
    assert set(common[:3]) == {(4,), (5,), (4, 5)} and (5, 6) not in common  # seen 3 times / once
    with torch.no_grad():
        short.table.weight[row_of([4, 5])] = 2.0
        short.table.weight[row_of([6])] = -1.0
    itos = [f"w{i}" for i in range(10)]
    assert phrases.strongest(short, common, itos, 0, 1)[0].text == "w4 w5"
    assert phrases.strongest(short, common, itos, 0, 1, highest=False)[0].text == "w6"
    assert all(len(p.words) <= 2 for p in phrases.strongest(short, common, itos, 0, 99))  # longest=2 reads no triples


def test_the_shape_table_shows_the_shortcut():
    from lib.lstm import config, model, text
    vocab = text.build_vocab([["a", "b", "c"]], 1, 100, False)
    net = model.build_model(config.LstmConfig(embedding="scratch", embed_dim=8, hidden=8), vocab, ("n", "p"), 0)
    shapes = {r.tensor: r.shape for r in model.shape_table(net, 4, 12)}
    assert shapes["phrase_rows"] == (4, 12 + 11 + 10)  # words, pairs and triples of a 12-token text
    assert shapes["phrase_score"] == shapes["logits"] == (4, 1)
