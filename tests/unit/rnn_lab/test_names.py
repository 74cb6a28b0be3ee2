"""lib.rnn_lab: surname -> language, character level (letters, data, models, training, code)."""

import pytest
import torch

from lib.rnn_lab import code as C
from lib.rnn_lab import config
from lib.rnn_lab import data as D
from lib.rnn_lab import letters as L
from lib.rnn_lab import models as M
from lib.rnn_lab import training as T
from lib.common.device import seeded_rng
from lib.common.samples import NAMES_DIR
from tests.helpers import run_script


@pytest.fixture(scope="module")
def data():
    return D.load_names(NAMES_DIR)


def test_ascii_normalisation():
    assert L.unicode_to_ascii("Ślusàrski") == "Slusarski"
    assert L.clean_name(" O'Néill-42 ") == ("O'Neill", "-42")
    assert L.clean_name("李") == ("", "李")  # non-Latin: nothing left, and we say what was dropped


def test_encodings():
    assert L.N_LETTERS == 57
    assert L.letter_to_tensor("b")[0].argmax().item() == 1
    t = L.line_to_tensor("Jones")
    assert t.shape == (5, 1, 57)
    assert t.sum().item() == 5 and t[0, 0, L.letter_to_index("J")] == 1


def test_data_set(data):
    assert len(data.languages) == 18 and "Portugese" in data.languages
    assert len(data.names) > 17_000
    assert all(all(c in L.ALL_LETTERS for c in n) for n in data.names)
    counts = data.counts()
    assert counts["Russian"] > 9000 and counts["Vietnamese"] < 100  # the imbalance the page shows


def test_split_is_seeded_and_disjoint(data):
    a, b = D.split(data, 0.1, seed=0)
    assert set(a).isdisjoint(b) and len(a) + len(b) == len(data.names)
    assert D.split(data, 0.1, seed=0) == (a, b)
    assert D.split(data, 0.1, seed=1) != (a, b)


@pytest.mark.parametrize("name, hidden, seed", [("Kowalski", 12, 0), ("Satoshi", 16, 0), ("O'Neal", 5, 3)])
def test_hand_cell_equals_nn_rnn_with_copied_weights(name, hidden, seed):
    """The check the page shows: the hand-built cell stepped letter by letter is nn.RNN with split weights."""
    check = M.hand_cell_check(name, hidden, seed)
    assert check.hand_states.shape == check.rnn_output.shape == (len(name), 1, hidden)
    torch.testing.assert_close(check.hand_states, check.rnn_output)
    torch.testing.assert_close(check.rnn_last[0], check.hand_states[-1])
    assert check.max_difference < 1e-5


def test_hand_cell_check_fails_when_the_weights_differ():
    """The check can fail: nn.RNN with the hidden bias not zeroed is another recurrence."""
    with seeded_rng(0):
        hand = M.HandRNN(L.N_LETTERS, 8, 18)
    rnn = M.copy_hand_to_rnn(hand)
    with torch.no_grad():
        rnn.bias_hh_l0.fill_(0.5)
    line = L.line_to_tensor("Smith")
    out, _ = rnn(line)
    assert not torch.allclose(out, M.hand_cell_check("Smith", 8, 0).hand_states, atol=1e-3)


@pytest.mark.parametrize("cell", config.NAME_CELLS)
def test_packed_batch_equals_one_name_at_a_time(cell):
    """Padding must not change a name's prediction."""
    model = M.make_classifier(config.NamesConfig(cell=cell, hidden_size=8), 18)
    names = ["Li", "Abramovich", "Smith"]
    together = T.predict_logits(model, names)
    alone = torch.cat([T.predict_logits(model, [n]) for n in names])
    torch.testing.assert_close(together, alone, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("cell", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("layers", [1, 2])
def test_padded_forward_equals_packed(cell, layers):
    """Reading the padded output at each name's last letter is exactly what packing gives."""
    model = M.make_classifier(config.NamesConfig(cell=cell, hidden_size=8, num_layers=layers), 18)
    letters, lengths = L.batch_tensors(["Li", "Abramovich", "Smith", "O'Neal"], "cpu")
    torch.testing.assert_close(model(letters, lengths), model.forward_packed(letters, lengths))


def test_packing_demo_counts_names_still_running():
    demo = M.packing_demo("GRU", ["Smith", "Li", "Nguyen"])
    assert demo.batch_sizes == [3, 3, 2, 2, 2, 1]
    assert demo.letters.shape == (3, 6)
    assert demo.max_difference < 1e-5


def test_length_batches_leave_little_padding(data):
    assert D.padding_share([3, 3, 1, 1], [[0, 1], [2, 3]]) == 0
    assert D.padding_share([3, 1], [[0, 1]]) == pytest.approx(1 / 3)
    random_share, bucketed_share = D.padding_shares(data, 128, 0.1, 0)
    assert bucketed_share < 0.1 < 0.3 < random_share


@pytest.mark.parametrize("balancing", config.BALANCING)
def test_training_lowers_the_loss(data, balancing):
    cfg = config.NamesConfig(hidden_size=32, epochs=1, max_batches=40, balancing=balancing, lr=0.01)
    run = T.new_run(cfg, data)
    progress = list(T.train(run))
    assert len(progress) == 40 and progress[-1].val_accuracy is not None
    first, last = sum(run.losses[:5]) / 5, sum(run.losses[-5:]) / 5
    assert last < first


def test_training_is_deterministic(data):
    def losses(seed):
        run = T.new_run(config.NamesConfig(hidden_size=8, epochs=1, max_batches=5, seed=seed), data)
        list(T.train(run))
        return run.losses
    assert losses(3) == losses(3)
    assert losses(3) != losses(4)


def test_class_weights_favour_small_classes():
    w = D.class_weights([0, 0, 0, 1], 2)
    assert w[1] > w[0] and w.mean().item() == pytest.approx(1.0)


def test_predictions(data):
    model = M.make_classifier(config.NamesConfig(hidden_size=8), len(data.languages))
    top = T.top_k(model, "Smith", data.languages)
    assert len(top) == 3 and sum(p for _, p in top) <= 1.0 + 1e-6
    assert T.prefix_probabilities(model, "Smith").shape == (5, 18)
    m = T.confusion(model, data, list(range(50)))
    assert m.shape == (18, 18)
    rows = m.sum(1)
    assert torch.all(((rows - 1).abs() < 1e-5) | (rows == 0))


def test_bad_config_refused():
    with pytest.raises(ValueError, match="Balancing"):
        config.validate_names(config.NamesConfig(balancing="magic"))
    with pytest.raises(ValueError, match="optimizer"):
        config.validate_names(config.NamesConfig(optimizer="lbfgs"))


@pytest.mark.parametrize("cell, balancing, optimizer, batch", [
    ("GRU", "none", "adam", 128), ("hand", "weights", "adam", 128), ("LSTM", "sampling", "adam", 128),
    ("hand", "sampling", "sgd", 1),  # the tutorial preset's shape: plain SGD, one name a step
])
def test_generated_code_reproduces_validation_accuracy(tmp_path, data, cell, balancing, optimizer, batch):
    cfg = config.NamesConfig(cell=cell, hidden_size=8, epochs=1, max_batches=3, balancing=balancing,
                             optimizer=optimizer, batch_size=batch, lr=0.005 if optimizer == "sgd" else 0.01)
    run = T.new_run(cfg, data)
    list(T.train(run))
    printed = run_script(C.names_code(cfg, names_dir=str(NAMES_DIR)), tmp_path, "names.py").stdout
    assert float(printed.strip().splitlines()[-1].split()[-1]) == pytest.approx(run.val_accuracy[-1], abs=5.1e-4)


def test_every_language_file_has_a_translatable_name(data):
    assert tuple(data.languages) == D.LANGUAGE_NAMES  # the page shows _(language): all are in the catalog
    assert data.majority_share() == pytest.approx(data.counts()["Russian"] / len(data.names))


def test_typed_names_and_their_one_hot_rows():
    assert L.clean_names(" Ng, 42 , O'Néal,") == ["Ng", "O'Neal"]
    assert L.clean_names(" , !") == []
    rows = L.onehot_rows("Abba")
    assert rows.shape == (4, 57) and rows.sum(1).tolist() == [1, 1, 1, 1]
    assert rows[1].argmax().item() == L.letter_to_index("b")


def test_packing_demo_marks_letters_and_pads():
    demo = M.packing_demo("hand", ["Li", "Kim"])  # the hand cell has no packed form: shown with nn.RNN
    assert demo.real() == [[1, 1, 0], [1, 1, 1]]


def test_progress_counts_batches_over_epochs(data):
    run = T.new_run(config.NamesConfig(hidden_size=8, epochs=2, max_batches=3), data)
    progress = list(T.train(run))
    assert [p.done for p in progress] == [1, 2, 3, 4, 5, 6] and run.total_batches == 6
    assert len(run.val_accuracy) == 2 and run.epochs_done == 2
