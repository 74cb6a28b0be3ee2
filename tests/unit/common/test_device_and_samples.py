"""lib.common.device and lib.common.samples."""
import os
import threading
import time

import pytest
import torch

from lib.common import device, samples


def test_cpu_is_always_offered_last():
    found = device.available_devices()
    assert found[-1].key == "cpu"
    assert device.default_device() == found[0]
    assert found[-1].device == torch.device("cpu")


def test_configure_cpu_threads_uses_allowed_cpus(monkeypatch):
    before = torch.get_num_threads()
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    try:
        assert device.configure_cpu_threads() == device.cpu_count() == torch.get_num_threads()
    finally:
        torch.set_num_threads(before)


@pytest.mark.parametrize("jobs", [2, 64])
def test_concurrent_jobs_share_the_cpus(monkeypatch, jobs):
    before = torch.get_num_threads()
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    try:
        assert device.configure_cpu_threads(jobs) == max(1, device.cpu_count() // jobs) == torch.get_num_threads()
    finally:
        torch.set_num_threads(before)


@pytest.mark.parametrize("text, cap", [("150000 100000", 2), ("100000 100000", 1), ("max 100000", None),
                                       ("garbage", None)])
def test_cpu_quota_caps_the_count(tmp_path, text, cap):
    quota = tmp_path / "cpu.max"
    quota.write_text(text)
    free = device.cpu_count(tmp_path / "missing")
    assert device.cpu_count(quota) == (min(free, cap) if cap else free)


def test_explicit_omp_num_threads_wins(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    assert device.configure_cpu_threads() == torch.get_num_threads()


def test_versions_report_torch():
    info = device.versions()
    assert info["torch"] == torch.__version__
    assert info["CUDA available"] == str(torch.cuda.is_available())


@pytest.mark.parametrize("name", list(samples.SAMPLE_IMAGES))
def test_every_sample_loads_as_rgb(name):
    img = samples.load_sample(name)
    assert img.mode == "RGB" and min(img.size) >= 256


def test_unknown_sample_is_a_clear_error():
    with pytest.raises(ValueError, match="no sample"):
        samples.sample_path("nope")


def test_names_data_present():
    files = sorted(p.name for p in samples.NAMES_DIR.glob("*.txt"))
    assert len(files) == 18 and "Portugese.txt" in files


def test_seed_device_seeds_only_the_cpu_generator_and_repeats():
    from lib.common.device import seed_device
    cpu = torch.device("cpu")
    seed_device(cpu, 7)
    first = torch.rand(3)
    seed_device(cpu, 7)
    torch.testing.assert_close(torch.rand(3), first)
    assert torch.initial_seed() == 7


def _threads_of_this_process() -> int:
    return len(os.listdir("/proc/self/task"))


@pytest.mark.skipif(device._openmp_runtime() is None, reason="torch runs on another OpenMP runtime here")
def test_release_cpu_worker_threads_ends_this_threads_openmp_team():
    """A thread that ran a parallel op owns idle OpenMP workers until it hands them back (ui/jobs.py does,
    before waiting in the queue): too many of them make every team sleep instead of spin (see the docstring)."""
    seen: dict[str, int | bool] = {}
    previous = torch.get_num_threads()

    def session_thread() -> None:
        torch.set_num_threads(2)
        torch.ones(2_000_000).mul_(2)  # large enough for a parallel region: starts this thread's team
        seen["with_team"] = _threads_of_this_process()
        seen["released"] = device.release_cpu_worker_threads()
        deadline = time.monotonic() + 5
        while _threads_of_this_process() >= seen["with_team"] and time.monotonic() < deadline:
            time.sleep(0.01)
        seen["after"] = _threads_of_this_process()
        torch.ones(2_000_000).mul_(2)  # the next parallel op simply starts a fresh team
        seen["again"] = _threads_of_this_process()

    worker = threading.Thread(target=session_thread)
    worker.start()
    worker.join()
    torch.set_num_threads(previous)
    assert seen["released"] is True
    assert seen["after"] == seen["with_team"] - 1
    assert seen["again"] == seen["with_team"]


def test_seeded_rng_blocks_of_concurrent_sessions_do_not_mix():
    """Sessions are threads sharing torch's global generator: one session seeding it while another draws
    would hand the second the first one's numbers (a concurrent-users browser test caught that)."""
    def draws(seed: int) -> torch.Tensor:
        with device.seeded_rng(seed):
            return torch.cat([torch.randn(50) for _ in range(40)])  # many small draws: room to interleave

    solo = {seed: draws(seed) for seed in (1, 2, 3, 4)}
    mixed: list[int] = []

    def session(seed: int) -> None:
        for _ in range(60):
            if not torch.equal(draws(seed), solo[seed]):
                mixed.append(seed)

    threads = [threading.Thread(target=session, args=(seed,)) for seed in solo]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert mixed == []
