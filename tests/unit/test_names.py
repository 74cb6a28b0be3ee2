"""lib.names: surname -> language, character level."""
import runpy

import pytest
import torch

from lib import names as N
from lib.common.samples import NAMES_DIR


@pytest.fixture(scope="module")
def data():
    return N.load_names(NAMES_DIR)


def test_ascii_normalisation():
    assert N.unicode_to_ascii("Ślusàrski") == "Slusarski"
    assert N.clean_name(" O'Néill-42 ") == ("O'Neill", "-42")
    assert N.clean_name("李") == ("", "李")  # non-Latin: nothing left, and we say what was dropped


def test_encodings():
    assert N.N_LETTERS == 57
    assert N.letter_to_tensor("b")[0].argmax().item() == 1
    t = N.line_to_tensor("Jones")
    assert t.shape == (5, 1, 57)
    assert t.sum().item() == 5 and t[0, 0, N.letter_to_index("J")] == 1


def test_data_set(data):
    assert len(data.languages) == 18 and "Portugese" in data.languages
    assert len(data.names) > 17_000
    assert all(all(c in N.ALL_LETTERS for c in n) for n in data.names)
    counts = data.counts()
    assert counts["Russian"] > 9000 and counts["Vietnamese"] < 100  # the imbalance the page shows


def test_split_is_seeded_and_disjoint(data):
    a, b = N.split(data, 0.1, seed=0)
    assert set(a).isdisjoint(b) and len(a) + len(b) == len(data.names)
    assert N.split(data, 0.1, seed=0) == (a, b)
    assert N.split(data, 0.1, seed=1) != (a, b)


def test_hand_cell_equals_nn_rnn_with_copied_weights():
    torch.manual_seed(0)
    hand = N.HandRNN(N.N_LETTERS, 12, 18)
    rnn = N.copy_hand_to_rnn(hand)
    line = N.line_to_tensor("Kowalski")
    hidden, states = hand.init_hidden(), []
    for i in range(line.shape[0]):
        _, hidden = hand(line[i], hidden)
        states.append(hidden)
    out, h_n = rnn(line)
    torch.testing.assert_close(torch.stack(states), out)
    torch.testing.assert_close(h_n[0], hidden)


@pytest.mark.parametrize("cell", N.CELLS)
def test_packed_batch_equals_one_name_at_a_time(cell):
    """Padding must not change a name's prediction."""
    model = N.make_classifier(N.NamesConfig(cell=cell, hidden_size=8), 18)
    names = ["Li", "Abramovich", "Smith"]
    together = N.predict_logits(model, names)
    alone = torch.cat([N.predict_logits(model, [n]) for n in names])
    torch.testing.assert_close(together, alone, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("cell", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("layers", [1, 2])
def test_padded_forward_equals_packed(cell, layers):
    """Reading the padded output at each name's last letter is exactly what packing gives."""
    model = N.make_classifier(N.NamesConfig(cell=cell, hidden_size=8, num_layers=layers), 18)
    letters, lengths = N.batch_tensors(["Li", "Abramovich", "Smith", "O'Neal"], "cpu")
    torch.testing.assert_close(model(letters, lengths), model.forward_packed(letters, lengths))


def test_packing_demo_counts_names_still_running():
    demo = N.packing_demo("GRU", ["Smith", "Li", "Nguyen"])
    assert demo.batch_sizes == [3, 3, 2, 2, 2, 1]
    assert demo.letters.shape == (3, 6)
    assert demo.max_difference < 1e-5


def test_length_batches_leave_little_padding(data):
    assert N.padding_share([3, 3, 1, 1], [[0, 1], [2, 3]]) == 0
    assert N.padding_share([3, 1], [[0, 1]]) == pytest.approx(1 / 3)
    random_share, bucketed_share = N.padding_shares(data, N.NamesConfig())
    assert bucketed_share < 0.1 < 0.3 < random_share


@pytest.mark.parametrize("balancing", N.BALANCING)
def test_training_lowers_the_loss(data, balancing):
    cfg = N.NamesConfig(hidden_size=32, epochs=1, max_batches=40, balancing=balancing, lr=0.01)
    run = N.new_run(cfg, data)
    progress = list(N.train(run))
    assert len(progress) == 40 and progress[-1].val_accuracy is not None
    first, last = sum(run.losses[:5]) / 5, sum(run.losses[-5:]) / 5
    assert last < first


def test_training_is_deterministic(data):
    def losses(seed):
        run = N.new_run(N.NamesConfig(hidden_size=8, epochs=1, max_batches=5, seed=seed), data)
        list(N.train(run))
        return run.losses
    assert losses(3) == losses(3)
    assert losses(3) != losses(4)


def test_class_weights_favour_small_classes():
    w = N.class_weights([0, 0, 0, 1], 2)
    assert w[1] > w[0] and w.mean().item() == pytest.approx(1.0)


def test_predictions(data):
    model = N.make_classifier(N.NamesConfig(hidden_size=8), len(data.languages))
    top = N.top_k(model, "Smith", data.languages)
    assert len(top) == 3 and sum(p for _, p in top) <= 1.0 + 1e-6
    assert N.prefix_probabilities(model, "Smith").shape == (5, 18)
    m = N.confusion(model, data, list(range(50)))
    assert m.shape == (18, 18)
    rows = m.sum(1)
    assert torch.all(((rows - 1).abs() < 1e-5) | (rows == 0))


def test_bad_config_refused():
    with pytest.raises(ValueError, match="Balancing"):
        N.validate(N.NamesConfig(balancing="magic"))


@pytest.mark.parametrize("cell, balancing", [("GRU", "none"), ("Hand-built RNN", "loss weights"),
                                             ("LSTM", "weighted sampling")])
def test_generated_code_reproduces_validation_accuracy(tmp_path, data, capsys, cell, balancing):
    cfg = N.NamesConfig(cell=cell, hidden_size=8, epochs=1, max_batches=3, balancing=balancing)
    run = N.new_run(cfg, data)
    list(N.train(run))
    script = tmp_path / "names.py"
    script.write_text(N.code(cfg, names_dir=str(NAMES_DIR)))
    runpy.run_path(str(script), run_name="__main__")
    printed = float(capsys.readouterr().out.strip().splitlines()[-1].split()[-1])
    assert printed == pytest.approx(run.val_accuracy[-1], abs=5.1e-4)  # printed with 3 decimals
