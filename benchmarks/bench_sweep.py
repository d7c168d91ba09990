"""Time one hyper-parameter sweep side by side in one run: serial (n_jobs=1, and again with
torch on one thread), joblib's loky backend with n_jobs=2, and a Dask LocalCluster of 2 worker
processes (one thread each); print the report (written as the "## Sweeps" section of a file
only when asked with --output).

The sweep is a GridSearchCV of seed 003's MLP (784-100-10, Nesterov momentum) over 8 candidates
(4 learning rates x 2 momenta) with 3-fold cross-validation, a few epochs each, on the offline
MNIST sample (sknet.datasets.load_mnist_sample, 5,000 digits; needs the examples extra). Each
sweep's time includes starting its workers (loky's processes, Dask's cluster), as a user's
first sweep does; a second, warm sweep on the same workers is timed too.

    python benchmarks/bench_sweep.py                  # prints the report (3-5 min on 2 cores)
    python benchmarks/bench_sweep.py --output benchmarks/RESULTS.md   # and writes it there
    python benchmarks/bench_sweep.py --quick          # a fast smoke run (never written)
"""
import argparse
import datetime
import os
import platform
import time
from pathlib import Path

import joblib
import torch
from sklearn.model_selection import GridSearchCV

import sknet
from sknet import NeuralNet, layers, nonlinearities
from sknet.datasets import load_mnist_sample
from sknet.distributed import dask_backend, use_worker_gpu, worker_threads
from sknet.updates import nesterov_momentum

from report import replace_section

SECTION = "## Sweeps"


class WorkerNet(NeuralNet):
    """NeuralNet whose fit runs on the worker's share of the cores and its own GPU, until
    NeuralNet.fit does this itself."""

    def fit(self, X, y, epochs=None):
        use_worker_gpu(self.device)
        with worker_threads():
            return super().fit(X, y, epochs=epochs)


def seed_003_mlp(max_epochs):
    return WorkerNet(
        layers=[("input", layers.InputLayer), ("hidden", layers.DenseLayer),
                ("output", layers.DenseLayer)],
        input_shape=(None, 784), hidden_num_units=100,
        output_num_units=10, output_nonlinearity=nonlinearities.softmax,
        update=nesterov_momentum, update_learning_rate=0.01, update_momentum=0.9,
        max_epochs=max_epochs)


def sweep(X, y, grid, folds, epochs, n_jobs):
    """Seconds for one GridSearchCV over `grid` (no refit) on the active joblib backend."""
    search = GridSearchCV(seed_003_mlp(epochs), grid, cv=folds, n_jobs=n_jobs, refit=False)
    start = time.perf_counter()
    search.fit(X, y)
    return time.perf_counter() - start


def measure(X, y, grid, folds, epochs):
    """{setting: (first sweep's seconds, with start-up; a second sweep's seconds)}."""
    run = lambda n_jobs: sweep(X, y, grid, folds, epochs, n_jobs)  # noqa: E731
    seed_003_mlp(1).fit(X[:500], y[:500])  # warm-up: torch's first-call set-up in this process
    times = {"serial (n_jobs=1)": (run(1), run(1))}
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # what each worker below gets: tells parallelism from contention
    times["serial, torch on 1 thread"] = (run(1), run(1))
    torch.set_num_threads(threads)
    with joblib.parallel_config(backend="loky"):
        start = time.perf_counter()
        run(2)
        times["loky, n_jobs=2"] = (time.perf_counter() - start, run(2))
    start = time.perf_counter()
    with dask_backend(n_workers=2, threads_per_worker=1, dashboard_address=None):
        run(2)
        times["Dask LocalCluster, 2 workers"] = (time.perf_counter() - start, run(2))
    return times


def report(times, candidates, folds, epochs, samples, load):
    serial = times["serial (n_jobs=1)"]
    lines = [
        SECTION, "",
        f"- date: {datetime.date.today().isoformat()}",
        f"- device: {'CUDA' if torch.cuda.is_available() else 'CPU'} ({platform.machine()}, "
        f"{os.cpu_count()} threads; torch {torch.get_num_threads()} threads in the main "
        "process)",
        f"- versions: sknet {sknet.__version__}, torch {torch.__version__}, joblib "
        f"{joblib.__version__}",
        f"- sweep: GridSearchCV of seed 003's 784-100-10 MLP, {candidates} candidates x "
        f"{folds} folds, {epochs} epochs each, on {samples} MNIST digits (no refit); the fits "
        "run under sknet.distributed.worker_threads() and use_worker_gpu() (a NeuralNet "
        "subclass in the benchmark); 'first' includes starting the workers, 'warm' is a "
        "second sweep on the same workers; speed-ups are against the first row",
        f"- machine load (1-minute load average) at start / end: {load[0]:.1f} / {load[1]:.1f}"
        " (a quiet machine is near 0)",
        "",
        "| setting | first sweep s | warm sweep s | speed-up first | speed-up warm |",
        "|---------|---------------|--------------|----------------|---------------|",
    ]
    for name, (first, warm) in times.items():
        lines.append(f"| {name} | {first:.1f} | {warm:.1f} | {serial[0] / first:.2f} | "
                     f"{serial[1] / warm:.2f} |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run on little data")
    parser.add_argument("--epochs", type=int, default=5, help="epochs per fit")
    parser.add_argument("--output", type=Path, help="write the report as this file's "
                        '"## Sweeps" section (e.g. benchmarks/RESULTS.md)')
    args = parser.parse_args(argv)
    X, y = load_mnist_sample(flat=True)
    grid = {"update_learning_rate": [0.003, 0.01, 0.03, 0.1], "update_momentum": [0.9, 0.95]}
    folds, epochs = 3, args.epochs
    if args.quick:
        X, y = X[::10], y[::10]
        grid, folds, epochs = {"update_learning_rate": [0.01, 0.1]}, 2, 1
    candidates = len(grid["update_learning_rate"]) * len(grid.get("update_momentum", [0]))
    load = os.getloadavg()[0]
    times = measure(X, y, grid, folds, epochs)
    text = report(times, candidates, folds, epochs, len(X), (load, os.getloadavg()[0]))
    print(text)
    if args.output and not args.quick:
        replace_section(args.output, SECTION, text)


if __name__ == "__main__":
    main()
