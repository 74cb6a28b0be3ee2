"""lib.common.runlog: real event files written, read back, zipped; a session's folder cleaned up."""
import gc
import io
import zipfile

import torch

from lib.common.runlog import LogFolder, read_scalars, tensorboard_command


def test_scalars_round_trip_through_event_files():
    logs = LogFolder()
    run = logs.new_run("head only")
    for step, loss in enumerate([1.0, 0.5, 0.25]):
        run.scalar("loss/train", loss, step)
    run.scalar("accuracy/val", 0.8, 2)
    run.images("misclassified", torch.rand(5, 3, 8, 8))
    run.hparams({"lr": 0.01, "stages": (1, 2)}, {"hparam/accuracy": 0.8})
    run.close()
    assert logs.runs() == ["head_only"]
    curves = {c.tag: c for c in read_scalars(logs.path, "head_only")}
    assert curves["loss/train"].steps == [0, 1, 2] and curves["loss/train"].values == [1.0, 0.5, 0.25]
    assert curves["accuracy/val"].values == [0.800000011920929]  # float32 in the event file
    names = zipfile.ZipFile(io.BytesIO(logs.zip_bytes())).namelist()
    assert any(n.startswith("runs/head_only/events.out.tfevents") for n in names)
    assert tensorboard_command(logs.path).startswith("tensorboard --logdir ")
    logs.remove()


def test_run_names_are_safe_and_unique():
    logs = LogFolder()
    a, b = logs.new_run("../../etc/x"), logs.new_run("../../etc/x")
    assert a.path.parent == logs.path and b.path != a.path and not a.path.name.startswith(".")
    a.close()
    b.close()
    logs.remove()


def test_the_folder_is_capped_and_removed_with_the_session():
    logs = LogFolder(max_bytes=10)
    run = logs.new_run("r")
    run.scalar("x", 1.0, 0)
    run.close()
    assert logs.full()
    path = logs.path
    del logs, run
    gc.collect()
    assert not path.exists()  # the visitor left: their state, and so their logs, are gone
