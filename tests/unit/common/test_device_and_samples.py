"""lib.common.device and lib.common.samples."""
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
