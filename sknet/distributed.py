"""Scale-out on existing engines: joblib (loky), Dask distributed and Ray.

sknet schedules nothing itself. A sweep's candidates run wherever the joblib backend sends them;
this module only makes each worker a good citizen there: torch uses the worker's share of the
cores (`worker_threads`), a worker takes one of several GPUs (`worker_device`), and the Dask and
Ray backends come with an embedded local cluster and an install hint (`dask_backend`,
`ray_backend`). One net trained across several processes (torchrun) is `sknet.ddp`.
"""
import contextlib
import multiprocessing
import os
import re
import sys
import zlib

import torch

__all__ = ["worker_threads", "worker_thread_share", "worker_device", "use_worker_gpu",
           "dask_backend", "ray_backend"]


# ---------------------------------------------------------------------- which worker is this

def _joblib_process_worker():
    """True inside a worker process of joblib's loky or multiprocessing backend: joblib marks
    its workers by a nesting level above zero."""
    if "joblib" not in sys.modules:
        return False
    from joblib.parallel import get_active_backend
    backend, _ = get_active_backend()
    return (getattr(backend, "nesting_level", 0) or 0) > 0 and \
        multiprocessing.current_process().name != "MainProcess"


def _dask_worker():
    """The Dask worker running this task, or None (Dask is only asked if already imported)."""
    if "distributed" not in sys.modules:
        return None
    from distributed import get_worker
    try:
        return get_worker()
    except ValueError:  # "No worker found": not inside a Dask task
        return None


def _ray_worker_context():
    """Ray's runtime context inside a Ray task or actor, or None."""
    ray = sys.modules.get("ray")
    if ray is None or not ray.is_initialized():
        return None
    context = ray.get_runtime_context()
    return context if context.worker.mode == ray.WORKER_MODE else None


def _env_threads():
    """The OpenMP thread limit the engine (or the user) put in this process's environment."""
    value = os.environ.get("OMP_NUM_THREADS", "")
    return int(value) if value.isdigit() and int(value) > 0 else None


# ---------------------------------------------------------------------- threads

def worker_thread_share():
    """How many intra-op threads torch should use in this worker, or None outside workers.

    joblib: the limit it gives each worker (``inner_max_num_threads``, else the user's own
    ``OMP_NUM_THREADS``, else cores // n_jobs). Dask: one per task thread, as a worker's
    threads are its cores (unless the worker's environment sets ``OMP_NUM_THREADS``). Ray: the
    CPUs assigned to the task.
    """
    if _joblib_process_worker():
        return _env_threads()
    if _dask_worker() is not None:
        return _env_threads() or 1
    context = _ray_worker_context()
    if context is not None:
        cpus = context.get_assigned_resources().get("CPU")
        return max(1, int(cpus)) if cpus else _env_threads()
    return None


@contextlib.contextmanager
def worker_threads():
    """Inside a joblib/Dask/Ray worker, run torch on the worker's share of the cores and
    restore the thread count afterwards; elsewhere leave torch alone.

    The share comes from the engine's own setting, so the user's explicit choice there
    (joblib's ``inner_max_num_threads``, ``OMP_NUM_THREADS``, Ray's ``num_cpus``) wins.

    Examples
    --------
    >>> import torch
    >>> before = torch.get_num_threads()
    >>> with worker_threads():  # not in a worker: unchanged
    ...     torch.get_num_threads() == before
    True
    """
    share = worker_thread_share()
    before = torch.get_num_threads()
    if share is None or share == before:
        yield
        return
    torch.set_num_threads(share)
    try:
        yield
    finally:
        torch.set_num_threads(before)


# ---------------------------------------------------------------------- GPUs

def _worker_index():
    """A number identifying this worker among its peers, or None outside workers: the Dask
    worker's name (LocalCluster numbers them), the loky process's number, Ray's GPU id."""
    worker = _dask_worker()
    if worker is not None:
        name = str(worker.name)
        return int(name) if name.isdigit() else zlib.crc32(name.encode())
    if _joblib_process_worker():
        number = re.search(r"(\d+)$", multiprocessing.current_process().name)
        return int(number.group(1)) - 1 if number else os.getpid()
    return None


def _ray_gpu():
    """The visible-device index of the GPU Ray assigned to this task, or None."""
    if _ray_worker_context() is None:
        return None
    import ray
    ids = [str(i) for i in ray.get_gpu_ids()]
    if not ids:
        return None
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    visible = [v.strip() for v in visible.split(",")] if visible else None
    # Ray narrows CUDA_VISIBLE_DEVICES to the task's GPUs, so the first is cuda:0
    return visible.index(ids[0]) if visible and ids[0] in visible else int(ids[0])


def worker_device(device):
    """The device this worker should use for `device`: with ``'cuda'`` and k > 1 visible GPUs
    inside a joblib/Dask/Ray worker, ``'cuda:i'`` for this worker's GPU i (so that a sweep's
    candidates spread over the GPUs), and ``'cuda:{LOCAL_RANK}'`` in a process torchrun
    started; any other device, or outside workers, unchanged.

    Examples
    --------
    >>> worker_device('cpu')
    'cpu'
    """
    if str(device) != "cuda" or not torch.cuda.is_available():  # never parse: fit checks it
        return device
    count = torch.cuda.device_count()
    ray_gpu = _ray_gpu()
    if ray_gpu is not None:
        return f"cuda:{ray_gpu % count}"
    if count < 2 or "dask_cuda" in sys.modules:  # dask-cuda gives each worker its GPU as 0
        return device
    local_rank = os.environ.get("LOCAL_RANK", "")  # torchrun's number of the process here
    index = int(local_rank) if local_rank.isdigit() else _worker_index()
    return device if index is None else f"cuda:{index % count}"


def use_worker_gpu(device):
    """Make this worker's GPU (`worker_device`) torch's current device for the worker process,
    so that ``'cuda'`` (kept as the net's `device`, and in its pickle) means that GPU here and
    the current GPU wherever the net is unpickled."""
    chosen = worker_device(device)
    if chosen != device:
        torch.cuda.set_device(torch.device(chosen))
    return chosen


# ---------------------------------------------------------------------- backends

def _require(module, extra):
    try:
        return __import__(module)
    except ImportError as error:
        raise ImportError(f"{module} is not installed: the {extra} backend needs it. Install it "
                          f'with  pip install "sknet[{extra}]"') from error


# Dask's background work in every process of a cluster: a statistical profiler sampling the
# task threads every 10 ms, an event-loop check every 20 ms, memory (100 ms) and system (500 ms)
# monitors. On a machine whose cores all run fits it takes their CPU (a third more than the
# fits' own work per sweep, measured on 2 cores); the embedded cluster runs it rarely.
_QUIET_CLUSTER = {"distributed.worker.profile.enabled": False,
                  "distributed.admin.tick.interval": "1s",
                  "distributed.admin.system-monitor.interval": "2s",
                  "distributed.worker.memory.monitor-interval": "500ms"}


@contextlib.contextmanager
def dask_backend(scheduler=None, **cluster_kwargs):
    """Run joblib's parallel work (a GridSearchCV's fits) on Dask: on the cluster whose
    scheduler is at `scheduler` (``'tcp://host:8786'``), or on an embedded LocalCluster
    (processes, one thread each, Dask's monitors slowed down: `_QUIET_CLUSTER`;
    `cluster_kwargs` go to LocalCluster) when it is None. Yields the ``distributed.Client``."""
    _require("distributed", "dask")
    import dask
    import joblib
    from distributed import Client, LocalCluster
    with contextlib.ExitStack() as stack:
        if scheduler is None:
            cluster_kwargs.setdefault("threads_per_worker", 1)
            cluster_kwargs.setdefault("processes", True)
            with dask.config.set(_QUIET_CLUSTER):  # read as the scheduler and workers start
                cluster = stack.enter_context(LocalCluster(**cluster_kwargs))
            client = stack.enter_context(Client(cluster))
        elif cluster_kwargs:
            raise TypeError(f"cluster_kwargs are for the embedded LocalCluster only; got "
                            f"scheduler={scheduler!r} and {sorted(cluster_kwargs)}")
        else:
            client = stack.enter_context(Client(scheduler))
        stack.enter_context(joblib.parallel_backend("dask"))
        yield client


@contextlib.contextmanager
def ray_backend(address=None, **ray_remote_args):
    """Run joblib's parallel work on Ray: the cluster at `address` (``'auto'``,
    ``'ray://host:10001'``), or a local Ray started for the block when it is None.
    `ray_remote_args` (``num_gpus=1``) go to Ray's workers."""
    ray = _require("ray", "ray")
    import joblib
    from ray.util.joblib import register_ray
    started_here = not ray.is_initialized()
    if started_here:
        ray.init(address=address, include_dashboard=False, log_to_driver=False)
    try:
        register_ray()
        with joblib.parallel_backend("ray", ray_remote_args=ray_remote_args or None):
            yield
    finally:
        if started_here:
            ray.shutdown()
