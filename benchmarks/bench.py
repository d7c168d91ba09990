"""Time sknet against a careful hand-written PyTorch loop and plain skorch, in one run, on the
same data and device, and print the report (written to a file only when asked with --output).

Per network: the median epoch time after a warm-up epoch (training on 80% and validating on 20%,
batch 128, Nesterov momentum, as nolearn's defaults do) and prediction throughput; for the MLP
also how the epoch time grows with the number of samples. The data is random (timing only).
Then the small calls, on the CPU: predicting one row (the module on a prepared tensor,
`predict_proba`, onnxruntime when installed) and a 5-epoch fit on load_digits (a raw PyTorch loop
against `NeuralNet.fit`), with one torch thread and with the default.

    python benchmarks/bench.py              # CPU: a few minutes on 2 cores; prints the report
    python benchmarks/bench.py --output benchmarks/RESULTS.md   # and writes it there
    python benchmarks/bench.py --quick      # a fast smoke run (never written)
    python benchmarks/bench.py --networks vgg   # one network (never written)
"""
import argparse
import datetime
import os
import platform
import statistics
import time
from pathlib import Path

import numpy as np
import skorch
import torch
from torch import nn

import sknet
from sknet.files import atomic_write
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


def raw_epoch(model, optimizer, X_train, y_train, X_valid, y_valid):
    """One hand-written epoch: train in order, then validate; the summed training loss,
    validation loss and correct count, left on the device (the caller syncs once)."""
    model.train()
    total = torch.zeros((), device=X_train.device)
    for i in range(0, len(X_train), BATCH_SIZE):
        xb, yb = X_train[i:i + BATCH_SIZE], y_train[i:i + BATCH_SIZE]
        optimizer.zero_grad(set_to_none=True)
        loss = nn.functional.cross_entropy(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.detach() * len(xb)
    model.eval()
    with torch.no_grad():
        valid_total, correct = torch.zeros_like(total), torch.zeros_like(total)
        for i in range(0, len(X_valid), BATCH_SIZE):
            logits, yb = model(X_valid[i:i + BATCH_SIZE]), y_valid[i:i + BATCH_SIZE]
            valid_total += nn.functional.cross_entropy(logits, yb, reduction="sum")
            correct += (logits.argmax(1) == yb).sum()
    return torch.stack([total, valid_total, correct])


def raw_trainer(name, X, y, device):
    """A careful loop: data on the device once, slices per batch, one sync per epoch.
    Returns ``(run_epoch, predict)``; run_epoch trains and validates once, returning seconds."""
    model = torch_module(name).to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, nesterov=True)
    n_valid = len(X) // 5
    X_t, y_t = torch.as_tensor(X, device=device), torch.as_tensor(y, device=device)
    X_valid, y_valid, X_train, y_train = X_t[:n_valid], y_t[:n_valid], X_t[n_valid:], y_t[n_valid:]

    def run_epoch():
        start = time.perf_counter()
        raw_epoch(model, optimizer, X_train, y_train, X_valid, y_valid).tolist()  # one sync
        return time.perf_counter() - start

    def predict(X_new):
        with torch.no_grad():
            X_new = torch.as_tensor(X_new, device=device)
            out = torch.cat([torch.softmax(model(X_new[i:i + BATCH_SIZE]), 1)
                             for i in range(0, len(X_new), BATCH_SIZE)])
            return out.cpu().numpy()
    return run_epoch, predict


def skorch_trainer(name, X, y, device):
    """skorch's NeuralNetClassifier with its defaults (the same optimizer as the others)."""
    net = skorch.NeuralNetClassifier(
        torch_module(name), criterion=nn.CrossEntropyLoss, optimizer=torch.optim.SGD,
        optimizer__momentum=0.9, optimizer__nesterov=True, lr=0.01, batch_size=BATCH_SIZE,
        max_epochs=1, device=device, callbacks__print_log=None, verbose=0).initialize()

    def run_epoch():
        net.partial_fit(X, y)
        return net.history[-1, "dur"]
    return run_epoch, net.predict_proba


def sknet_trainer(name, X, y, device):
    net = NeuralNet(**sknet_layers(name), update_learning_rate=0.01, update_momentum=0.9,
                    max_epochs=1, train_split=TrainSplit(0.2), device=device).initialize()

    def run_epoch():
        net.partial_fit(X, y)
        return net.train_history_[-1]["dur"]
    return run_epoch, net.predict_proba


TRAINERS = {"raw PyTorch": raw_trainer, "plain skorch": skorch_trainer, "sknet": sknet_trainer}


def time_network(name, n, epochs, device, predict_n):
    """Median epoch time and prediction throughput per framework. The three train side by
    side in one process, epoch by epoch in a rotating order, so that a slow phase of a
    shared machine falls on all of them alike (run one after another, or in separate
    processes, they differed by up to 25% here for that reason alone)."""
    X, y = data(name, n)
    trainers = {}
    for label, make in TRAINERS.items():
        np.random.seed(0)
        torch.manual_seed(0)
        trainers[label] = make(name, X, y, device)
    labels = list(trainers)
    epoch_times = {label: [] for label in labels}
    predict_times = {label: [] for label in labels}
    for label in labels:  # warm-up
        trainers[label][0]()
        trainers[label][1](X[:BATCH_SIZE])
    for turn in range(epochs):
        for label in labels[turn % 3:] + labels[:turn % 3]:
            epoch_times[label].append(trainers[label][0]())
    for turn in range(3):
        for label in labels[turn % 3:] + labels[:turn % 3]:
            sync(device)
            start = time.perf_counter()
            trainers[label][1](X[:predict_n])
            sync(device)
            predict_times[label].append(time.perf_counter() - start)
    return {label: {"epoch": statistics.median(epoch_times[label]),
                    "predict": predict_n / statistics.median(predict_times[label])}
            for label in labels}


# ------------------------------------------------------------------------- small calls

def digits():
    """sklearn's load_digits (1797 x 64) scaled to [0, 1]: a small, real fit."""
    from sklearn.datasets import load_digits
    X, y = load_digits(return_X_y=True)
    return (X / 16).astype(np.float32), y.astype(np.int64)


def digits_net(epochs):
    return NeuralNet(layers=[("input", layers.InputLayer), ("hidden", layers.DenseLayer),
                             ("output", layers.DenseLayer)],
                     input_shape=(None, 64), hidden_num_units=32, output_num_units=10,
                     output_nonlinearity=nonlinearities.softmax, update_learning_rate=0.01,
                     update_momentum=0.9, max_epochs=epochs, device="cpu")


def raw_digits_fit(X, y, epochs):
    """What sknet's fit does, by hand: the same stratified 80/20 split, batches of 128 in
    order, Nesterov momentum, validation loss and accuracy read once per epoch."""
    from sklearn.model_selection import StratifiedKFold
    train, valid = next(StratifiedKFold(5).split(X, y))
    X_t, y_t = torch.as_tensor(X), torch.as_tensor(y)
    X_train, y_train, X_valid, y_valid = X_t[train], y_t[train], X_t[valid], y_t[valid]
    model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, nesterov=True)
    history = []
    for _ in range(epochs):
        history.append(raw_epoch(model, optimizer, X_train, y_train, X_valid, y_valid).tolist())
    return model


def alternating_medians(calls, rounds, per_round):
    """The median over `rounds` of each call's mean duration in seconds, the calls taking
    turns within each round (a slow phase of a shared machine falls on all of them)."""
    times = {label: [] for label in calls}
    for label, call in calls.items():  # warm-up
        call()
    for turn in range(rounds):
        labels = list(calls)
        for label in labels[turn % len(labels):] + labels[:turn % len(labels)]:
            start = time.perf_counter()
            for _ in range(per_round):
                calls[label]()
            times[label].append((time.perf_counter() - start) / per_round)
    return {label: statistics.median(t) for label, t in times.items()}


def onnx_sessions(net, thread_counts):
    """{threads: onnxruntime session} running the net's ONNX export, {} without onnxruntime."""
    try:
        import onnxruntime
    except ImportError:
        return {}
    import tempfile
    from sknet import export
    sessions = {}
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "digits.onnx")
        export.export(net, path)
        for threads in thread_counts:
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = threads
            sessions[threads] = onnxruntime.InferenceSession(
                path, options, providers=["CPUExecutionProvider"])
    return sessions


def small_calls(quick=False):
    """Rows of the small-calls table, for one torch thread and the default: predicting one
    row (µs) and a 5-epoch fit on load_digits (s), each against the plain torch way."""
    X, y = digits()
    rows, default_threads = [], torch.get_num_threads()
    rounds, per_round, fits = (3, 20, 3) if quick else (9, 300, 15)
    thread_counts = sorted({1, default_threads})
    torch.manual_seed(0)
    net = digits_net(5).fit(X, y)
    sessions = onnx_sessions(net, thread_counts)
    module, nonlinearity, row = net.module_, net._get_predict_nonlinearity(), X[:1]
    tensor = torch.as_tensor(row)

    def module_call():
        with torch.inference_mode():
            return nonlinearity(module(tensor))

    for threads in thread_counts:
        torch.set_num_threads(threads)
        calls = {"module": module_call, "sknet": lambda: net.predict_proba(row)}
        if sessions:
            session = sessions[threads]
            name = session.get_inputs()[0].name
            calls["onnxruntime"] = lambda: session.run(None, {name: row})
        t = alternating_medians(calls, rounds, per_round)
        onnx = (f"{t['onnxruntime'] * 1e6:.1f}", f"{t['onnxruntime'] / t['module']:.2f}") \
            if sessions else ("-", "-")
        rows.append([threads, "predict 1 row (µs)", f"{t['module'] * 1e6:.1f}",
                     f"{t['sknet'] * 1e6:.1f}", f"{t['sknet'] / t['module']:.2f}", *onnx])
        fit = alternating_medians({"raw": lambda: raw_digits_fit(X, y, 5),
                                   "sknet": lambda: digits_net(5).fit(X, y)}, fits, 1)
        rows.append([threads, "fit 5 epochs, digits (s)", f"{fit['raw']:.4f}",
                     f"{fit['sknet']:.4f}", f"{fit['sknet'] / fit['raw']:.2f}", "-", "-"])
    torch.set_num_threads(default_threads)
    return rows


SMALL_HEADER = ["threads", "call", "torch", "sknet", "sknet/torch", "onnxruntime",
                "onnxruntime/torch"]


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
    parser.add_argument("--quick", action="store_true", help="small sizes; nothing written")
    parser.add_argument("--output", help="write the report of a complete run to this file "
                        "(e.g. benchmarks/RESULTS.md); by default it is only printed")
    parser.add_argument("--networks", default="mlp,cnn,vgg",
                        help="a subset to time, without the scaling table; nothing written")
    args = parser.parse_args(argv)
    gpu = args.device.startswith("cuda")
    scale = 0.04 if args.quick else 1.0
    sizes = {"mlp": 50_000, "cnn": 50_000 if gpu else 10_000, "vgg": 50_000 if gpu else 5_000}
    epochs = 2 if args.quick else 5

    chosen = args.networks.split(",")
    complete = set(chosen) == set(sizes) and not args.quick
    rows = []
    for name, n in ((k, v) for k, v in sizes.items() if k in chosen):
        n = max(int(n * scale), 4 * BATCH_SIZE)
        results = time_network(name, n, epochs, args.device, predict_n=min(n, 10_000))
        raw, skorch_, ours = (results[k] for k in TRAINERS)
        rows.append([name, n] + [f"{results[k]['epoch']:.3f}" for k in TRAINERS]
                    + [f"{ours['epoch'] / raw['epoch']:.2f}",
                       f"{ours['epoch'] / skorch_['epoch']:.2f}"]
                    + [f"{results[k]['predict']:,.0f}" for k in TRAINERS])
        print(rows[-1], flush=True)
    header = ["network", "samples", "raw s/epoch", "skorch s/epoch", "sknet s/epoch",
              "sknet/raw", "sknet/skorch", "raw pred/s", "skorch pred/s", "sknet pred/s"]
    table = format_table(rows, header)

    scaling_rows = []
    for n in (10_000, 25_000, 50_000) if complete else ():
        n = max(int(n * scale), 4 * BATCH_SIZE)
        results = time_network("mlp", n, epochs, args.device, predict_n=BATCH_SIZE)
        ratio = results["sknet"]["epoch"] / results["raw PyTorch"]["epoch"]
        scaling_rows.append([n] + [f"{results[k]['epoch']:.3f}" for k in TRAINERS]
                            + [f"{ratio:.2f}"])
        print(scaling_rows[-1], flush=True)
    scaling = format_table(scaling_rows, ["MLP samples", "raw s/epoch", "skorch s/epoch",
                                          "sknet s/epoch", "sknet/raw"])
    small = format_table(small_calls(args.quick), SMALL_HEADER)
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    report = (f"# Benchmark results\n\n"
              f"- date: {datetime.date.today()}\n- device: {device_name(args.device)}\n"
              f"- versions: sknet {sknet.__version__}, torch {torch.__version__}, skorch "
              f"{skorch.__version__}, numpy {np.__version__}, Python "
              f"{platform.python_version()}\n"
              f"- epoch: train on 80%, validate on 20%, batch {BATCH_SIZE}, Nesterov momentum; the "
              f"three frameworks train side by side in one process, epoch by epoch in a rotating "
              f"order; median of {epochs} epochs after a warm-up epoch; prediction: median of 3 "
              f"passes\n\n"
              f"- load average (1, 5, 15 min) when the report was made: {load}\n\n"
              f"{table}\n\nEpoch time against the number of samples (MLP):\n\n{scaling}\n\n"
              f"Small calls (CPU, 64-32-10 MLP on load_digits): predicting one row with the "
              f"module on a prepared tensor (its output nonlinearity applied, under "
              f"inference_mode), `predict_proba` on a NumPy row and the ONNX export in "
              f"onnxruntime, median of 9 rounds of 300 calls taking turns; a 5-epoch fit "
              f"(80/20 stratified split, batch 128, Nesterov, validation each epoch) by a raw "
              f"PyTorch loop and by `NeuralNet.fit`, median of 15 fits taking turns:\n\n"
              f"{small}\n")
    if not gpu:
        report += ("\nNo GPU was used for this run: the GPU targets (sknet/raw <= 1.15, sknet "
                   "at least 3x faster than skorch on the MLP) are unchecked here; run this "
                   "script on a CUDA machine to check them.\n")
    print("\n" + report)
    if args.output and complete:
        write_report(Path(args.output), report)
        print(f"wrote {args.output}")
    elif args.output:
        print(f"not written to {args.output}: only a complete run (all networks, not --quick) "
              "is")


def write_report(path, report):
    """`report` as the head of `path`, keeping the "## " sections other benchmark scripts wrote
    below it (see report.py); written atomically."""
    old = path.read_text() if path.exists() else ""
    sections = old[old.find("\n## ") + 1:] if "\n## " in old else ""
    with atomic_write(path, "w") as f:
        f.write(report.rstrip("\n") + "\n" + ("\n" + sections if sections else ""))


if __name__ == "__main__":
    main()
