"""Time one hyper-parameter sweep side by side in one run: serial (n_jobs=1, and again with
torch on one thread), joblib's loky backend with n_jobs=2, and a Dask LocalCluster of 2 worker
processes (one thread each, sknet.distributed.dask_backend); print the report (written as the
"## Sweeps" section of a file only when asked with --output).

The sweep is a GridSearchCV of seed 003's MLP (784-100-10, Nesterov momentum) over 8 candidates
(4 learning rates x 2 momenta) with 3-fold cross-validation, a few epochs each, on the offline
MNIST sample (sknet.datasets.load_mnist_sample, 5,000 digits; needs the examples extra). A
first sweep's time includes starting its workers (loky's processes, Dask's cluster), as a
user's first sweep does; warm sweeps on the same workers are then timed taking turns (the
median of 3 rounds), so that a busy phase of the machine falls on every setting. A longer
sweep (--long-epochs) is timed once more from fresh workers: it shows how much of the
start-up a longer fit pays back.

    python benchmarks/bench_sweep.py                  # prints the report (4-6 min on 2 cores)
    python benchmarks/bench_sweep.py --output benchmarks/RESULTS.md   # and writes it there
    python benchmarks/bench_sweep.py --quick          # a fast smoke run (never written)
"""
import argparse
import contextlib
import datetime
import os
import platform
import time
from pathlib import Path

import joblib
import torch
from joblib.externals.loky import get_reusable_executor
from sklearn.model_selection import GridSearchCV

import sknet
from sknet import NeuralNet, layers, nonlinearities
from sknet.datasets import load_mnist_sample
from sknet.distributed import dask_backend
from sknet.updates import nesterov_momentum

from bench import alternating_medians
from report import replace_section

SECTION = "## Sweeps"
TARGET = 1.6  # issue 16: 2 workers at least this much faster than 1
SETTINGS = ("serial (n_jobs=1)", "serial, torch on 1 thread", "loky, n_jobs=2",
            "Dask LocalCluster, 2 workers")


def seed_003_mlp(max_epochs):
    """Seed 003's net; its fit runs on a worker's share of the cores (NeuralNet.fit does)."""
    return NeuralNet(
        layers=[("input", layers.InputLayer), ("hidden", layers.DenseLayer),
                ("output", layers.DenseLayer)],
        input_shape=(None, 784), hidden_num_units=100,
        output_num_units=10, output_nonlinearity=nonlinearities.softmax,
        update=nesterov_momentum, update_learning_rate=0.01, update_momentum=0.9,
        max_epochs=max_epochs)


def sweep(X, y, grid, folds, epochs, n_jobs, backend):
    """Seconds for one GridSearchCV over `grid` (no refit) on joblib's `backend`."""
    search = GridSearchCV(seed_003_mlp(epochs), grid, cv=folds, n_jobs=n_jobs, refit=False)
    start = time.perf_counter()
    with joblib.parallel_config(backend=backend):
        search.fit(X, y)
    return time.perf_counter() - start


def sweeps(X, y, grid, folds, epochs):
    """{setting: a function running one sweep of `epochs` epochs per fit} in SETTINGS order;
    the Dask one needs dask_backend's block."""
    def serial_on_one_thread():
        threads = torch.get_num_threads()
        torch.set_num_threads(1)  # what each worker gets: tells parallelism from contention
        try:
            return sweep(X, y, grid, folds, epochs, 1, "sequential")
        finally:
            torch.set_num_threads(threads)
    return dict(zip(SETTINGS, (lambda: sweep(X, y, grid, folds, epochs, 1, "sequential"),
                               serial_on_one_thread,
                               lambda: sweep(X, y, grid, folds, epochs, 2, "loky"),
                               lambda: sweep(X, y, grid, folds, epochs, 2, "dask"))))


def first_sweeps(X, y, grid, folds, epochs, settings=SETTINGS):
    """{setting: seconds of a first sweep}: the parallel ones start fresh workers (loky's
    processes, a Dask cluster) and include that."""
    runs = sweeps(X, y, grid, folds, epochs)
    get_reusable_executor().shutdown(wait=True)  # no loky worker left from before
    times = {}
    for name in settings:
        run = runs[name]
        start = time.perf_counter()
        with contextlib.ExitStack() as stack:
            if "Dask" in name:
                stack.enter_context(dask_backend(n_workers=2, dashboard_address=None))
            run()
            times[name] = time.perf_counter() - start
    return times


def measure(X, y, grid, folds, epochs, rounds=3):
    """{setting: (first sweep's seconds, with start-up; warm sweep's median seconds)}."""
    seed_003_mlp(1).fit(X[:500], y[:500])  # warm-up: torch's first-call set-up in this process
    first = first_sweeps(X, y, grid, folds, epochs)
    with dask_backend(n_workers=2, dashboard_address=None):
        warm = alternating_medians(sweeps(X, y, grid, folds, epochs), rounds, 1)
    return {name: (first[name], warm[name]) for name in SETTINGS}


def epochs_to_target(times, epochs):
    """{parallel setting: epochs per fit from which its first sweep is TARGET times faster
    than the serial one, or None when its warm speed-up stays below}: projected from one
    size, with each sweep's time proportional to the epochs and a fixed start-up on top."""
    serial_per_epoch = times[SETTINGS[0]][1] / epochs
    projected = {}
    for name in SETTINGS[2:]:
        first, warm = times[name]
        start_up, per_epoch = max(first - warm, 0.0), warm / epochs
        gain = serial_per_epoch - TARGET * per_epoch
        projected[name] = TARGET * start_up / gain if gain > 0 else None
    return projected


def report(times, long_times, candidates, folds, epochs, samples, load):
    """The "## Sweeps" section: the table, the long sweep's first sweeps, the projection."""
    serial = times[SETTINGS[0]][1]
    lines = [
        SECTION, "",
        f"- date: {datetime.date.today().isoformat()}",
        f"- device: {'CUDA' if torch.cuda.is_available() else 'CPU'} ({platform.machine()}, "
        f"{os.cpu_count()} threads; torch {torch.get_num_threads()} threads in the main "
        "process)",
        f"- versions: sknet {sknet.__version__}, torch {torch.__version__}, joblib "
        f"{joblib.__version__}",
        f"- sweep: GridSearchCV of seed 003's 784-100-10 MLP, {candidates} candidates x "
        f"{folds} folds, {epochs} epochs each, on {samples} MNIST digits (no refit); each "
        "fit runs on its worker's share of the cores (NeuralNet.fit); 'first' includes "
        "starting the workers, 'warm' is the median of 3 sweeps on the same workers, the "
        "settings taking turns; speed-ups are against the first row's warm sweep; target: 2 "
        f"workers >= {TARGET}x",
        f"- machine load (1-minute load average) at start / end: {load[0]:.1f} / {load[1]:.1f}"
        " (a quiet machine is near 0)",
        "",
        "| setting | first sweep s | warm sweep s | speed-up first | speed-up warm |",
        "|---------|---------------|--------------|----------------|---------------|",
    ]
    for name, (first, warm) in times.items():
        lines.append(f"| {name} | {first:.1f} | {warm:.1f} | {serial / first:.2f} | "
                     f"{serial / warm:.2f} |")
    if long_times:
        long_epochs, long_first = long_times
        lines += ["", f"The same sweep with {long_epochs} epochs per fit, a first sweep each "
                  "(fresh workers):", "",
                  "| setting | first sweep s | speed-up first |",
                  "|---------|---------------|----------------|"]
        lines += [f"| {name} | {seconds:.1f} | {long_first[SETTINGS[0]] / seconds:.2f} |"
                  for name, seconds in long_first.items()]
    projected = epochs_to_target(times, epochs)
    lines += ["", f"A first sweep reaches {TARGET}x from about this many epochs per fit "
              f"(projected from the {epochs}-epoch rows: start-up = first - warm, the rest "
              "proportional to the epochs): " + "; ".join(
                  f"{name}: " + (f"{value:.0f}" if value is not None else
                                 f"never (its warm speed-up is below {TARGET}x)")
                  for name, value in projected.items())]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run on little data")
    parser.add_argument("--epochs", type=int, default=5, help="epochs per fit")
    parser.add_argument("--long-epochs", type=int, default=40, help="epochs per fit of the "
                        "longer sweep, timed from fresh workers (0: none)")
    parser.add_argument("--output", type=Path, help="write the report as this file's "
                        '"## Sweeps" section (e.g. benchmarks/RESULTS.md)')
    args = parser.parse_args(argv)
    X, y = load_mnist_sample(flat=True)
    grid = {"update_learning_rate": [0.003, 0.01, 0.03, 0.1], "update_momentum": [0.9, 0.95]}
    folds, epochs, long_epochs = 3, args.epochs, args.long_epochs
    if args.quick:
        X, y = X[::10], y[::10]
        grid, folds, epochs, long_epochs = {"update_learning_rate": [0.01, 0.1]}, 2, 1, 2
    candidates = len(grid["update_learning_rate"]) * len(grid.get("update_momentum", [0]))
    load = os.getloadavg()[0]
    times = measure(X, y, grid, folds, epochs)
    long_settings = SETTINGS[:1] + SETTINGS[2:]
    long_times = (long_epochs, first_sweeps(X, y, grid, folds, long_epochs, long_settings)) \
        if long_epochs else None
    text = report(times, long_times, candidates, folds, epochs, len(X),
                  (load, os.getloadavg()[0]))
    print(text)
    if args.output and not args.quick:
        replace_section(args.output, SECTION, text)


if __name__ == "__main__":
    main()
