"""Time sknet against a careful hand-written PyTorch loop and plain skorch, in one run, on the
same data and device, and write benchmarks/RESULTS.md.

Per network: the median epoch time after a warm-up epoch (training on 80% and validating on 20%,
batch 128, Nesterov momentum, as nolearn's defaults do) and prediction throughput; for the MLP
also how the epoch time grows with the number of samples. The data is random (timing only).

    python benchmarks/bench.py              # CPU: a few minutes on 2 cores
    python benchmarks/bench.py --quick      # a fast smoke run, no RESULTS.md
    python benchmarks/bench.py --networks vgg   # one network, no RESULTS.md
"""
import argparse
import datetime
import json
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import skorch
import torch
from torch import nn

import sknet
from sknet import NeuralNet, TrainSplit, layers, nonlinearities

BATCH_SIZE = 128


# ------------------------------------------------------------------------------ networks

def sknet_layers(name):
    """The benchmark networks in nolearn's declarative style, as NeuralNet kwargs."""
    output = dict(output_num_units=10, output_nonlinearity=nonlinearities.softmax)
    if name == "mlp":
        return dict(layers=[("input", layers.InputLayer), ("hidden", layers.DenseLayer),
                            ("output", layers.DenseLayer)],
                    input_shape=(None, 784), hidden_num_units=100, **output)
    if name == "cnn":
        return dict(layers=[("input", layers.InputLayer), ("conv1", layers.Conv2DLayer),
                            ("pool1", layers.MaxPool2DLayer), ("conv2", layers.Conv2DLayer),
                            ("hidden3", layers.DenseLayer), ("dropout3", layers.DropoutLayer),
                            ("output", layers.DenseLayer)],
                    input_shape=(None, 1, 28, 28), conv1_num_filters=20, conv1_filter_size=5,
                    pool1_pool_size=2, conv2_num_filters=60, conv2_filter_size=5,
                    hidden3_num_units=500, **output)
    net = layers.InputLayer((None, 1, 28, 28), name="input")
    for index, filters in enumerate((32, 32, "pool", 64, 64, "pool")):
        if filters == "pool":
            net = layers.MaxPool2DLayer(net, 2)
        else:
            net = layers.batch_norm(layers.Conv2DLayer(net, filters, 3, pad="same",
                                                       name=f"conv{index}"))
    net = layers.DropoutLayer(layers.DenseLayer(net, 256), 0.5)
    return dict(layers=layers.DenseLayer(net, 10, nonlinearity=nonlinearities.softmax,
                                         name="output"))


def torch_module(name):
    """The same networks as plain torch modules (returning logits)."""
    if name == "mlp":
        return nn.Sequential(nn.Linear(784, 100), nn.ReLU(), nn.Linear(100, 10))
    if name == "cnn":
        return nn.Sequential(nn.Conv2d(1, 20, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(20, 60, 5),
                             nn.ReLU(), nn.Flatten(), nn.Linear(60 * 8 * 8, 500), nn.ReLU(),
                             nn.Dropout(0.5), nn.Linear(500, 10))
    blocks, channels = [], 1
    for filters in (32, 32, "pool", 64, 64, "pool"):
        if filters == "pool":
            blocks.append(nn.MaxPool2d(2))
        else:
            blocks += [nn.Conv2d(channels, filters, 3, padding=1, bias=False),
                       nn.BatchNorm2d(filters, eps=1e-4), nn.ReLU()]
            channels = filters
    return nn.Sequential(*blocks, nn.Flatten(), nn.Linear(64 * 7 * 7, 256), nn.ReLU(),
                         nn.Dropout(0.5), nn.Linear(256, 10))


# ---------------------------------------------------------------------------- runners

def data(name, n, seed=0):
    rng = np.random.RandomState(seed)
    shape = (n, 784) if name == "mlp" else (n, 1, 28, 28)
    return rng.rand(*shape).astype(np.float32), rng.randint(0, 10, n).astype(np.int64)


def sync(device):
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def run_raw(name, X, y, epochs, device):
    """A careful loop: data on the device once, slices per batch, one sync per epoch."""
    model = torch_module(name).to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, nesterov=True)
    n_valid = len(X) // 5
    X_t, y_t = torch.as_tensor(X, device=device), torch.as_tensor(y, device=device)
    X_valid, y_valid, X_train, y_train = X_t[:n_valid], y_t[:n_valid], X_t[n_valid:], y_t[n_valid:]
    durations = []
    for _ in range(epochs):
        start = time.perf_counter()
        model.train()
        total = torch.zeros((), device=device)
        for i in range(0, len(X_train), BATCH_SIZE):
            xb, yb = X_train[i:i + BATCH_SIZE], y_train[i:i + BATCH_SIZE]
            optimizer.zero_grad(set_to_none=True)
            loss = nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.detach() * len(xb)
        model.eval()
        with torch.no_grad():
            valid_total = torch.zeros((), device=device)
            correct = torch.zeros((), device=device)
            for i in range(0, n_valid, BATCH_SIZE):
                logits, yb = model(X_valid[i:i + BATCH_SIZE]), y_valid[i:i + BATCH_SIZE]
                valid_total += nn.functional.cross_entropy(logits, yb, reduction="sum")
                correct += (logits.argmax(1) == yb).sum()
        torch.stack([total, valid_total, correct]).tolist()  # the epoch's one sync
        durations.append(time.perf_counter() - start)

    def predict(X_new):
        with torch.no_grad():
            X_new = torch.as_tensor(X_new, device=device)
            out = torch.cat([torch.softmax(model(X_new[i:i + BATCH_SIZE]), 1)
                             for i in range(0, len(X_new), BATCH_SIZE)])
            return out.cpu().numpy()
    return durations, predict


def run_skorch(name, X, y, epochs, device):
    """skorch's NeuralNetClassifier with its defaults (the same optimizer as the others)."""
    net = skorch.NeuralNetClassifier(
        torch_module(name), criterion=nn.CrossEntropyLoss, optimizer=torch.optim.SGD,
        optimizer__momentum=0.9, optimizer__nesterov=True, lr=0.01, batch_size=BATCH_SIZE,
        max_epochs=epochs, device=device, callbacks__print_log=None, verbose=0)
    net.fit(X, y)
    return [row["dur"] for row in net.history], net.predict_proba


def run_sknet(name, X, y, epochs, device):
    net = NeuralNet(**sknet_layers(name), update_learning_rate=0.01, update_momentum=0.9, max_epochs=epochs, train_split=TrainSplit(0.2),
                    device=device)
    net.fit(X, y)
    return [row["dur"] for row in net.train_history_], net.predict_proba


RUNNERS = {"raw PyTorch": run_raw, "plain skorch": run_skorch, "sknet": run_sknet}


def time_runner(label, name, n, epochs, device, predict_n):
    """One framework on one network: its epoch times after the warm-up epoch, and the time of
    three prediction passes."""
    X, y = data(name, n)
    np.random.seed(0)
    torch.manual_seed(0)
    durations, predict = RUNNERS[label](name, X, y, epochs, device)
    predict(X[:BATCH_SIZE])  # warm-up
    passes = []
    for _ in range(3):
        sync(device)
        start = time.perf_counter()
        predict(X[:predict_n])
        sync(device)
        passes.append(time.perf_counter() - start)
    return {"epochs": durations[1:], "predict": passes}


def time_network(name, n, epochs, device, predict_n, rounds):
    """Median epoch time and prediction throughput per framework over `rounds` rounds. Each
    run has a fresh process (a run must not pay for the allocator and cache state earlier runs
    left: measured here at up to 25%), and each round starts with another framework, so that
    slow phases of a shared machine fall on all of them."""
    samples = {label: {"epochs": [], "predict": []} for label in RUNNERS}
    labels = list(RUNNERS)
    for round_ in range(rounds):
        for label in labels[round_ % 3:] + labels[:round_ % 3]:
            command = [sys.executable, __file__, "--worker", json.dumps(
                [label, name, n, epochs, device, predict_n])]
            output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
            run = json.loads(output.strip().splitlines()[-1])
            for key in samples[label]:
                samples[label][key] += run[key]
    return {label: {"epoch": statistics.median(s["epochs"]),
                    "predict": predict_n / statistics.median(s["predict"])}
            for label, s in samples.items()}


# ---------------------------------------------------------------------------- report

def format_table(rows, header):
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    line = lambda r: "| " + " | ".join(str(c).rjust(w) for c, w in zip(r, widths)) + " |"
    return "\n".join([line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
                     + [line(r) for r in rows])


def device_name(device):
    if device.startswith("cuda"):
        return torch.cuda.get_device_name(torch.device(device))
    return f"CPU ({platform.processor() or platform.machine()}, {torch.get_num_threads()} threads)"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--quick", action="store_true", help="small sizes, no RESULTS.md")
    parser.add_argument("--output", default=str(Path(__file__).with_name("RESULTS.md")))
    parser.add_argument("--networks", default="mlp,cnn,vgg",
                        help="a subset to time, without the scaling table or RESULTS.md")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(time_runner(*json.loads(args.worker))))
        return
    gpu = args.device.startswith("cuda")
    scale = 0.04 if args.quick else 1.0
    sizes = {"mlp": 50_000, "cnn": 50_000 if gpu else 10_000, "vgg": 50_000 if gpu else 5_000}
    rounds = {"mlp": 5, "cnn": 2, "vgg": 2}
    epochs = 2 if args.quick else 4

    chosen = args.networks.split(",")
    complete = set(chosen) == set(sizes) and not args.quick
    rows = []
    for name, n in ((k, v) for k, v in sizes.items() if k in chosen):
        n = max(int(n * scale), 4 * BATCH_SIZE)
        results = time_network(name, n, epochs, args.device, predict_n=min(n, 10_000),
                               rounds=1 if args.quick else rounds[name])
        raw, skorch_, ours = (results[k] for k in RUNNERS)
        rows.append([name, n] + [f"{results[k]['epoch']:.3f}" for k in RUNNERS]
                    + [f"{ours['epoch'] / raw['epoch']:.2f}",
                       f"{ours['epoch'] / skorch_['epoch']:.2f}"]
                    + [f"{results[k]['predict']:,.0f}" for k in RUNNERS])
        print(rows[-1], flush=True)
    header = ["network", "samples", "raw s/epoch", "skorch s/epoch", "sknet s/epoch",
              "sknet/raw", "sknet/skorch", "raw pred/s", "skorch pred/s", "sknet pred/s"]
    table = format_table(rows, header)

    scaling_rows = []
    for n in (10_000, 25_000, 50_000) if complete else ():
        n = max(int(n * scale), 4 * BATCH_SIZE)
        results = time_network("mlp", n, epochs, args.device, predict_n=BATCH_SIZE, rounds=3)
        scaling_rows.append([n] + [f"{results[k]['epoch']:.3f}" for k in RUNNERS]
                            + [f"{results['sknet']['epoch'] / results['raw PyTorch']['epoch']:.2f}"])
        print(scaling_rows[-1], flush=True)
    scaling = format_table(scaling_rows, ["MLP samples", "raw s/epoch", "skorch s/epoch",
                                          "sknet s/epoch", "sknet/raw"])
    report = (f"# Benchmark results\n\n"
              f"- date: {datetime.date.today()}\n- device: {device_name(args.device)}\n"
              f"- versions: sknet {sknet.__version__}, torch {torch.__version__}, skorch "
              f"{skorch.__version__}, numpy {np.__version__}, Python "
              f"{platform.python_version()}\n"
              f"- epoch: train on 80%, validate on 20%, batch {BATCH_SIZE}, Nesterov momentum; "
              f"the median over rounds (MLP 5, CNN and VGG 2; each run in a fresh process, the "
              f"frameworks' order rotated) of {epochs - 1} epochs after a warm-up epoch; "
              f"prediction: the median of 3 passes per run\n\n"
              f"{table}\n\nEpoch time against the number of samples (MLP):\n\n{scaling}\n")
    if not gpu:
        report += ("\nNo GPU was used for this run: the GPU targets (sknet/raw <= 1.15, sknet "
                   "at least 3x faster than skorch on the MLP) are unchecked here; run this "
                   "script on a CUDA machine to check them.\n")
    print("\n" + report)
    if complete:
        Path(args.output).write_text(report)


if __name__ == "__main__":
    main()
