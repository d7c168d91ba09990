"""Scale-out: torch threads and GPUs per joblib/Dask/Ray worker, the backends' set-up."""
import builtins
import os
import sys
import time
import types
import zlib

import joblib
import numpy as np
import pytest
import torch

from sknet import distributed
from sknet.distributed import (dask_backend, ray_backend, use_worker_gpu, worker_device,
                               worker_thread_share, worker_threads)

from .nets import classification_data, mlp


@pytest.fixture(autouse=True, scope="module")
def _keep_environment():
    """Ray and Dask write thread limits (OMP_NUM_THREADS=1 ...) into this process's
    environment; later tests start subprocesses that must not inherit them."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


def _threads_in_worker(preset):
    """In a worker: torch set to `preset` threads (as a forked or reused worker may be), the
    count inside worker_threads() and after it, and this worker's process name."""
    import multiprocessing
    torch.set_num_threads(preset)
    with worker_threads():
        inside = torch.get_num_threads()
    time.sleep(0.2)  # keep this worker busy, so that the next task goes to the other one
    return inside, torch.get_num_threads(), multiprocessing.current_process().name


def _fake_gpus(count):
    """Make torch in this process see `count` GPUs (for worker_device; no GPU is touched)."""
    torch.cuda.is_available = lambda: True
    torch.cuda.device_count = lambda: count


def _worker_report(preset, gpus):
    """_threads_in_worker's report, and worker_device('cuda') with `gpus` faked GPUs."""
    report = _threads_in_worker(preset)
    _fake_gpus(gpus)
    return report + (worker_device("cuda"),)


def _fit_in_worker(preset):
    """In a worker whose torch runs `preset` threads: the thread counts a net's fit trains
    with (read by a handler each epoch) and the count after the fit."""
    torch.set_num_threads(preset)
    seen = []
    X, y = classification_data(n=60)
    mlp(max_epochs=2, on_epoch_finished=[lambda net, history: seen.append(
        torch.get_num_threads())]).fit(X, y)
    time.sleep(0.2)  # keep this worker busy, so that the next task goes to the other one
    return seen, torch.get_num_threads()


# ---------------------------------------------------------------------- outside workers

def test_outside_workers_nothing_changes():
    assert worker_thread_share() is None
    assert worker_device("cuda") == "cuda"


# ---------------------------------------------------------------------- loky

def test_loky_workers_run_torch_on_their_share_restore_it_and_take_a_gpu_each():
    results = joblib.Parallel(n_jobs=2, backend="loky")(
        joblib.delayed(_worker_report)(3, 4) for _ in range(4))
    share = max(joblib.cpu_count() // 2, 1)  # joblib's inner limit for 2 jobs
    assert {(inside, after) for inside, after, *_ in results} == {(share, 3)}
    for *_, name, device in results:  # LokyProcess-1, the first worker, takes cuda:0
        assert name.startswith("LokyProcess-")
        assert device == f"cuda:{(int(name.rsplit('-', 1)[1]) - 1) % 4}"
    assert len({name for *_, name, _ in results}) == 2


def test_a_fit_in_a_loky_worker_trains_on_the_workers_share_of_threads():
    results = joblib.Parallel(n_jobs=2, backend="loky")(
        joblib.delayed(_fit_in_worker)(3) for _ in range(2))
    share = max(joblib.cpu_count() // 2, 1)
    assert results == [([share, share], 3)] * 2
    assert _fit_in_worker(torch.get_num_threads())[0] == [torch.get_num_threads()] * 2


@pytest.mark.parametrize("engine", ["joblib", "dask"])
def test_the_thread_limit_in_the_workers_environment_wins(monkeypatch, engine):
    # what joblib's inner_max_num_threads, a user's OMP_NUM_THREADS or Dask's nanny config
    # put in a worker's environment
    if engine == "joblib":
        monkeypatch.setattr(distributed, "_joblib_process_worker", lambda: True)
    else:
        monkeypatch.setattr(distributed, "_dask_worker", lambda: types.SimpleNamespace(name=0))
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    before = torch.get_num_threads()
    with worker_threads():
        inside = torch.get_num_threads()
    assert (inside, torch.get_num_threads()) == (3, before)


def test_a_ray_task_runs_torch_on_its_assigned_cpus(monkeypatch):
    context = types.SimpleNamespace(get_assigned_resources=lambda: {"CPU": 2.0, "GPU": 1.0})
    monkeypatch.setattr(distributed, "_ray_worker_context", lambda: context)
    assert worker_thread_share() == 2


# ---------------------------------------------------------------------- Dask

@pytest.fixture(scope="module")
def dask_client():
    pytest.importorskip("distributed")
    with dask_backend(n_workers=2, threads_per_worker=1, dashboard_address=None) as client:
        yield client


def _dask_report(preset, gpus):
    from distributed import get_worker
    return _worker_report(preset, gpus) + (get_worker().name,)


def test_dask_workers_run_one_torch_thread_per_task_thread_and_take_their_gpu(dask_client):
    results = joblib.Parallel()(joblib.delayed(_dask_report)(2, 2) for _ in range(4))
    assert {(inside, after) for inside, after, *_ in results} == {(1, 2)}
    assert {(name, device) for *_, device, name in results} == {(0, "cuda:0"), (1, "cuda:1")}


def _dask_monitors(dask_worker):
    import dask
    return ("profile" in dask_worker.periodic_callbacks,
            dask.config.get("distributed.admin.tick.interval"),
            dask.config.get("distributed.worker.memory.monitor-interval"))


def test_the_embedded_cluster_runs_dasks_monitors_rarely_and_leaves_the_config_alone(
        dask_client):
    import dask
    assert set(dask_client.run(_dask_monitors).values()) == {(False, "1s", "500ms")}
    # the caller's configuration keeps Dask's defaults (distributed.yaml)
    assert (dask.config.get("distributed.worker.profile.enabled"),
            dask.config.get("distributed.admin.tick.interval")) == (True, "20ms")


def test_a_seeded_grid_search_on_the_dask_cluster_scores_as_the_serial_one(dask_client):
    from sklearn.model_selection import GridSearchCV
    X, y = classification_data(n=120)

    def search():
        return GridSearchCV(mlp(max_epochs=2, random_state=0), {"hidden_num_units": [4, 8]},
                            cv=2, n_jobs=2).fit(X, y)
    on_dask = search()
    with joblib.parallel_config(backend="sequential"):
        serial = search()
    assert on_dask.cv_results_["params"] == [{"hidden_num_units": 4}, {"hidden_num_units": 8}]
    for key in ("split0_test_score", "split1_test_score"):
        np.testing.assert_array_equal(on_dask.cv_results_[key], serial.cv_results_[key])
    assert on_dask.best_estimator_.predict(X).shape == (120,)


def test_a_seeded_grid_search_in_loky_workers_scores_as_the_serial_one():
    from sklearn.model_selection import GridSearchCV
    X, y = classification_data(n=120)
    grid = {"hidden_num_units": [4, 8], "update_learning_rate": [0.01, 0.1]}

    def search(backend):
        with joblib.parallel_config(backend=backend):
            return GridSearchCV(mlp(max_epochs=2, random_state=0), grid, cv=3,
                                n_jobs=2).fit(X, y)
    on_loky, serial = search("loky"), search("sequential")
    np.testing.assert_allclose(on_loky.cv_results_["mean_test_score"],
                               serial.cv_results_["mean_test_score"], rtol=0, atol=1e-6)
    assert on_loky.best_params_ == serial.best_params_


def test_dask_backend_takes_cluster_options_only_for_the_embedded_cluster():
    pytest.importorskip("distributed")
    with pytest.raises(TypeError, match=r"scheduler='tcp://host:8786' and \['n_workers'\]"):
        with dask_backend("tcp://host:8786", n_workers=2):
            pass


# ---------------------------------------------------------------------- Ray

def _ray_task():
    time.sleep(0.2)
    return worker_thread_share(), os.getpid()


def test_ray_workers_run_torch_on_their_assigned_cpus():
    pytest.importorskip("ray", reason="Ray is not installed (pip install 'sknet[ray]')")
    with ray_backend(num_cpus=1):
        results = joblib.Parallel(n_jobs=2)(joblib.delayed(_ray_task)() for _ in range(2))
    assert {share for share, _ in results} == {1}
    assert os.getpid() not in {pid for _, pid in results}


def test_a_seeded_grid_search_on_ray_scores_as_the_serial_one():
    pytest.importorskip("ray", reason="Ray is not installed (pip install 'sknet[ray]')")
    from sklearn.model_selection import GridSearchCV
    X, y = classification_data(n=120)
    grid = {"hidden_num_units": [4, 8], "update_learning_rate": [0.01, 0.1]}

    def search():
        return GridSearchCV(mlp(max_epochs=2, random_state=0), grid, cv=3, n_jobs=2).fit(X, y)
    with ray_backend(num_cpus=1):  # Ray's workers: one CPU each
        on_ray = search()
    with joblib.parallel_config(backend="sequential"):
        serial = search()
    np.testing.assert_allclose(on_ray.cv_results_["mean_test_score"],
                               serial.cv_results_["mean_test_score"], rtol=0, atol=1e-6)
    assert on_ray.best_params_ == serial.best_params_


# ---------------------------------------------------------------------- missing engines

@pytest.mark.parametrize("backend, module, extra", [(dask_backend, "distributed", "dask"),
                                                    (ray_backend, "ray", "ray")])
def test_a_missing_engine_names_the_extra_to_install(monkeypatch, backend, module, extra):
    real_import = builtins.__import__

    def without_engine(name, *args, **kwargs):
        if name.split(".")[0] == module:
            raise ImportError(f"No module named {module!r}")
        return real_import(name, *args, **kwargs)
    monkeypatch.setattr(builtins, "__import__", without_engine)
    with pytest.raises(ImportError, match=rf'pip install "sknet\[{extra}\]"'):
        with backend():
            pass


# ---------------------------------------------------------------------- GPUs, faked

@pytest.fixture
def four_gpus(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 4)


def _as_dask_worker(monkeypatch, name):
    monkeypatch.setattr(distributed, "_dask_worker", lambda: types.SimpleNamespace(name=name))


@pytest.mark.parametrize("name, expected", [(0, "cuda:0"), (3, "cuda:3"), (6, "cuda:2"),
                                            ("7", "cuda:3")])
def test_dask_worker_takes_the_gpu_its_number_names(four_gpus, monkeypatch, name, expected):
    _as_dask_worker(monkeypatch, name)
    assert worker_device("cuda") == expected


def test_a_named_dask_worker_takes_a_gpu_from_its_name(four_gpus, monkeypatch):
    _as_dask_worker(monkeypatch, "gpu-node-a")
    assert worker_device("cuda") == f"cuda:{zlib.crc32(b'gpu-node-a') % 4}"


def test_explicit_devices_and_a_single_gpu_are_left_alone(four_gpus, monkeypatch):
    _as_dask_worker(monkeypatch, 3)
    assert [worker_device(d) for d in ("cuda:1", "cpu", torch.device("cuda:2"))] == \
        ["cuda:1", "cpu", torch.device("cuda:2")]
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    assert worker_device("cuda") == "cuda"


def test_no_gpu_leaves_cuda_to_the_net(monkeypatch):
    _as_dask_worker(monkeypatch, 3)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert worker_device("cuda") == "cuda"


def test_dask_cuda_workers_keep_their_own_gpu_zero(four_gpus, monkeypatch):
    _as_dask_worker(monkeypatch, 3)
    monkeypatch.setitem(sys.modules, "dask_cuda", types.ModuleType("dask_cuda"))
    assert worker_device("cuda") == "cuda"


@pytest.mark.parametrize("visible, assigned, expected", [("5", [5], "cuda:0"),
                                                         ("2,5,7", [7], "cuda:2"),
                                                         (None, [3], "cuda:3")])
def test_ray_task_takes_its_assigned_gpu(four_gpus, monkeypatch, visible, assigned, expected):
    fake_ray = types.SimpleNamespace(get_gpu_ids=lambda: assigned)
    monkeypatch.setitem(sys.modules, "ray", fake_ray)
    monkeypatch.setattr(distributed, "_ray_worker_context", lambda: object())
    if visible is None:
        monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    else:
        monkeypatch.setenv("CUDA_VISIBLE_DEVICES", visible)
    assert worker_device("cuda") == expected


def test_use_worker_gpu_makes_the_workers_gpu_current(four_gpus, monkeypatch):
    chosen = []
    monkeypatch.setattr(torch.cuda, "set_device", chosen.append)
    _as_dask_worker(monkeypatch, 2)
    assert use_worker_gpu("cuda") == "cuda:2"
    assert chosen == [torch.device("cuda:2")]
    monkeypatch.setattr(distributed, "_dask_worker", lambda: None)
    assert use_worker_gpu("cuda") == "cuda" and len(chosen) == 1


# ---------------------------------------------------------------------- successive halving

def test_halving_grid_search_spends_epochs_as_its_resource():
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    from sklearn.model_selection import HalvingGridSearchCV
    X, y = classification_data(n=150)
    search = HalvingGridSearchCV(mlp(train_split=None), {"hidden_num_units": [4, 8, 16]},
                                 resource="max_epochs", min_resources=1, max_resources=3,
                                 factor=3, cv=2).fit(X, y)
    # 3 candidates on 1 epoch, the best third (one) on 3 epochs
    assert search.n_resources_ == [1, 3] and search.n_candidates_ == [3, 1]
    assert search.best_params_["max_epochs"] == 3
    assert len(search.best_estimator_.history_) == 3
