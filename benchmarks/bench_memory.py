"""Memory and speed of a fit on data one would rather not copy: a float32 X of 1.5 GB
(375000 x 1000) fitted for one epoch from memory, from an ``np.load(mmap_mode='r')`` memmap and
from an h5py dataset (h5py's default contiguous layout, and chunked), each in its own
process; and a transform that sleeps 2 ms per batch, with and without the read-ahead thread.
Not a test: it prints a report (and writes RESULTS.md's "## Memory" section with --output).

Memory is the process's peak above its memory just before ``fit``: anonymous memory (RssAnon,
sampled every 5 ms: what a fit allocates) and the resident set (VmHWM, reset before the fit;
it also counts the file's pages a memmap maps, which the kernel may drop at any time).

    python benchmarks/bench_memory.py                      # ~10 minutes on 2 busy cores
    python benchmarks/bench_memory.py --output benchmarks/RESULTS.md
    python benchmarks/bench_memory.py --rows 50000         # a quick run (never written)
    python benchmarks/bench_memory.py --dir DIR            # the data an earlier run left in DIR
    python benchmarks/bench_memory.py --repeat 3           # each case's median of 3 runs
"""
import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

FEATURES = 1000
CHUNK = 25000


def status(field):
    """A field of /proc/self/status, in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(field)


def write_data(directory, rows):
    """X (float32, rows x FEATURES) as X.npy and in X.h5, and 10-class labels y.npy, written
    in chunks (never whole in memory)."""
    import h5py
    X = np.lib.format.open_memmap(directory / "X.npy", "w+", np.float32, (rows, FEATURES))
    y = np.empty(rows, np.int64)
    projection = np.random.RandomState(1).randn(FEATURES, 10).astype(np.float32)
    with h5py.File(directory / "X.h5", "w") as f:
        dataset = f.create_dataset("X", (rows, FEATURES), np.float32)  # h5py's default layout
        chunked = f.create_dataset("chunked", (rows, FEATURES), np.float32,
                                   chunks=(256, FEATURES))
        for start in range(0, rows, CHUNK):
            block = np.random.RandomState(start).rand(min(CHUNK, rows - start), FEATURES)
            block = block.astype(np.float32)
            X[start:start + len(block)] = dataset[start:start + len(block)] = block
            chunked[start:start + len(block)] = block
            y[start:start + len(block)] = (block @ projection).argmax(1)
    X.flush()
    np.save(directory / "y.npy", y)


def network(sleep_ms=0, prefetch=True):
    import sknet
    from sknet import BatchIterator, NeuralNet, layers, nonlinearities

    class Sleeping(BatchIterator):
        def transform(self, Xb, yb):
            time.sleep(sleep_ms / 1000)
            return Xb, yb

    if not prefetch:
        sknet.data._read_ahead = iter  # the batches as the iterator yields them
    iterator = Sleeping(128) if sleep_ms else BatchIterator(128)
    return NeuralNet(layers=[("input", layers.InputLayer), ("hidden", layers.DenseLayer),
                             ("output", layers.DenseLayer)],
                     input_shape=(None, FEATURES), hidden_num_units=64, output_num_units=10,
                     output_nonlinearity=nonlinearities.softmax, update_learning_rate=0.01,
                     batch_iterator_train=iterator, max_epochs=1, device="cpu")


def run_case(case, directory, rows):
    """One fit in this process; prints its measurements as a JSON line."""
    y = np.load(directory / "y.npy")[:rows]
    keep = None
    if case.startswith("h5py"):
        import h5py
        keep = h5py.File(directory / "X.h5", "r")
        X = keep["chunked" if "chunked" in case else "X"]
    elif case == "memmap":
        X = np.load(directory / "X.npy", mmap_mode="r")
    else:
        X = np.load(directory / "X.npy", mmap_mode="r")[:rows]
        X = np.array(X)  # in memory
    sleep_ms = 2 if case.startswith("sleep") else 0
    net = network(sleep_ms, prefetch=case != "sleep, no read-ahead")
    net.fit(np.array(X[:256]), y[:256])  # once: what importing and first calls allocate
    peak = {"anon": status("RssAnon")}
    before = dict(peak)
    done = threading.Event()

    def sample():
        while not done.wait(0.005):
            peak["anon"] = max(peak["anon"], status("RssAnon"))

    sampler = threading.Thread(target=sample, daemon=True)
    rss_before = status("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # VmHWM from here
    sampler.start()
    start = time.perf_counter()
    net.fit(X, y)
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    print(json.dumps({"case": case, "seconds": seconds, "rows": len(y), "nbytes": X.nbytes,
                      "anon": peak["anon"] - before["anon"],
                      "hwm": status("VmHWM") - rss_before}))
    if keep is not None:
        keep.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=375000)
    parser.add_argument("--output", type=Path)
    parser.add_argument("--cases", type=int, help="only the first CASES cases (a baseline)")
    parser.add_argument("--repeat", type=int, default=1, help="run the cases REPEAT times, "
                        "taking turns, and report each case's median run")
    parser.add_argument("--case")
    parser.add_argument("--dir", type=Path, help="reuse this data directory (kept)")
    args = parser.parse_args()
    if args.case:
        return run_case(args.case, args.dir, args.rows)
    directory = args.dir or Path(tempfile.mkdtemp(prefix="sknet-bench-memory-", dir="/tmp"))
    try:
        if not args.dir:  # --dir: the data of an earlier run, kept
            write_data(directory, args.rows)
        cases = [("in memory", args.rows), ("memmap", args.rows), ("h5py", args.rows),
                 ("h5py, chunked", args.rows), ("sleep, read-ahead", 20000),
                 ("sleep, no read-ahead", 20000)]
        runs = {case: [] for case, _ in cases[:args.cases]}
        for turn in range(args.repeat):  # the cases take turns: a busy phase hits them all
            for case, rows in cases[:args.cases][turn:] + cases[:args.cases][:turn]:
                line = subprocess.run([sys.executable, __file__, "--case", case, "--dir",
                                       str(directory), "--rows", str(rows)], check=True,
                                      capture_output=True, text=True).stdout.splitlines()
                runs[case].append(json.loads(line[-1]))  # the file is in the page cache
                print(runs[case][-1], flush=True)
        results = {case: sorted(found, key=lambda r: r["seconds"])[(len(found) - 1) // 2]
                   for case, found in runs.items()}  # the median run
    finally:
        if not args.dir:
            shutil.rmtree(directory, ignore_errors=True)
    if len(results) < len(cases):
        return
    report = render(results, args.rows, args.repeat)
    print(report)
    if args.output and args.rows == 375000:
        sys.path.insert(0, str(Path(__file__).parent))
        from report import replace_section
        replace_section(args.output, "## Memory", report)


def render(results, rows, repeat):
    memory = results["in memory"]
    gb = memory["nbytes"] / 1e9
    lines = [
        "## Memory",
        "",
        f"`python benchmarks/bench_memory.py`, {datetime.date.today()}, {platform.node()}: "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.1f} when done (a shared machine), median of {repeat} "
        "run(s) of each case, taking turns. One epoch (train 80%, "
        f"validate 20%, batch 128) of a {FEATURES}-64-10 MLP on the CPU, X float32 "
        f"{rows} x {FEATURES} ({gb:.2f} GB), each fit in its own process. Peak memory above "
        "the process's memory just before `fit`, as a multiple of X's size: anonymous "
        "memory (what the fit allocates; sampled every 5 ms) and the resident set (VmHWM; "
        "for a memmap it counts the file's pages mapped from the page cache, which the "
        "kernel may reclaim). Time relative to the in-memory fit (file in the page cache). "
        "h5py: the dataset in h5py's default layout (contiguous, read as a memmap); "
        "chunked: in chunks of 256 rows (read by h5py, which holds the GIL).",
        "",
        "| X | fit (s) | vs in memory | peak anonymous / X | peak resident / X |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for case in ("in memory", "memmap", "h5py", "h5py, chunked"):
        r = results[case]
        lines.append(f"| {case} | {r['seconds']:.1f} | {r['seconds'] / memory['seconds']:.2f}x "
                     f"| {r['anon'] / r['nbytes']:.3f} | {r['hwm'] / r['nbytes']:.3f} |")
    fast, slow = results["sleep, read-ahead"], results["sleep, no read-ahead"]
    lines += ["", f"A transform sleeping 2 ms per batch ({fast['rows']} rows in memory, "
                  f"{-(-int(fast['rows'] * 0.8) // 128)} training batches): "
                  f"{slow['seconds']:.2f} s without the read-ahead thread, "
                  f"{fast['seconds']:.2f} s with it."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
