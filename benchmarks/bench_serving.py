"""Time serving a fitted net three ways, on the CPU: the torch module called directly on a
prepared tensor, `net.predict_proba` on a NumPy array, and the ONNX export run by onnxruntime,
for one row and for a batch of 128 rows; print the report.

The networks are bench.py's (the MLP and the CNN on 28x28 images), trained one epoch on random
data (timing only). Each time is the median over rounds of the mean time of one call.

    python benchmarks/bench_serving.py              # about a minute on 2 cores
    python benchmarks/bench_serving.py --quick      # a fast smoke run
    python benchmarks/bench_serving.py --networks cnn --threads 1   # one thread each
"""
import argparse
import os
import platform
import statistics
import tempfile
import time

import numpy as np
import onnxruntime
import torch

from bench import data, sknet_layers
from sknet import NeuralNet, export

ROWS = (1, 128)


def fitted_net(name, n):
    X, y = data(name, n)
    net = NeuralNet(**sknet_layers(name), update_learning_rate=0.01, max_epochs=1,
                    device="cpu")
    return net.fit(X, y)


def median_call_time(call, seconds, rounds=7):
    """The median over `rounds` of the mean duration of `call()` in a round of ~`seconds`."""
    call()  # warm-up: first-call allocations and graph optimisation
    start, calls = time.perf_counter(), 0
    while time.perf_counter() - start < seconds / rounds or calls < 3:
        call()
        calls += 1
    per_round = max(3, calls)
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(per_round):
            call()
        times.append((time.perf_counter() - start) / per_round)
    return statistics.median(times)


def time_network(name, seconds, folder, threads):
    net = fitted_net(name, 512)
    path = os.path.join(folder, f"{name}.onnx")
    export.export(net, path)
    options = onnxruntime.SessionOptions()
    if threads:
        options.intra_op_num_threads = threads
    session = onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    input_name = session.get_inputs()[0].name
    module = net.module_.eval()
    nonlinearity = net._get_predict_nonlinearity()
    rows = []
    for n in ROWS:
        X = data(name, n, seed=1)[0]
        tensor = torch.as_tensor(X)

        def module_call():
            with torch.inference_mode():
                return nonlinearity(module(tensor))

        times = {"module": median_call_time(module_call, seconds),
                 "predict_proba": median_call_time(lambda: net.predict_proba(X), seconds),
                 "onnxruntime": median_call_time(
                     lambda: session.run(None, {input_name: X}), seconds)}
        rows.append((name, n, times))
    return rows


def format_report(rows):
    lines = ["| network | rows | module (µs) | predict_proba (µs) | onnxruntime (µs) | "
             "onnxruntime / module |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for name, n, t in rows:
        lines.append(f"| {name} | {n} | {t['module'] * 1e6:,.0f} | "
                     f"{t['predict_proba'] * 1e6:,.0f} | {t['onnxruntime'] * 1e6:,.0f} | "
                     f"{t['onnxruntime'] / t['module']:.2f} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="short timing rounds")
    parser.add_argument("--networks", default="mlp,cnn", help="comma-separated: mlp, cnn")
    parser.add_argument("--threads", type=int, default=0,
                        help="threads for torch and onnxruntime each (default: their own)")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    seconds = 0.2 if args.quick else 2.0
    torch.manual_seed(0)
    np.random.seed(0)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name in args.networks.split(","):
            rows += time_network(name, seconds, folder, args.threads)
    print(f"Serving on the CPU ({platform.processor() or platform.machine()}, "
          f"{torch.get_num_threads()} torch threads, onnxruntime threads: "
          f"{args.threads or 'default'}; torch {torch.__version__}, onnxruntime "
          f"{onnxruntime.__version__}); module = net.module_ on a prepared tensor with the "
          "output nonlinearity, under torch.inference_mode.\n")
    print(format_report(rows))


if __name__ == "__main__":
    main()
