"""Time Lasagne's symbolic style (theano.function under the legacy shim) against the
declarative NeuralNet with the same layers, side by side in one run, on the same data and
device, and print the report (written as the last section of a file only when asked with
--output).

The networks are Lasagne's examples/mnist.py MLP (800-800, dropout) and CNN; an epoch is
one pass of Nesterov-momentum training over the data in batches of 500, as mnist.py trains.
Epochs alternate between the two styles; the report gives the median epoch after a
warm-up epoch. The data is random (timing only).

    python benchmarks/bench_symbolic.py                  # prints the report
    python benchmarks/bench_symbolic.py --output benchmarks/RESULTS.md   # and writes it there
    python benchmarks/bench_symbolic.py --quick          # a fast smoke run (never written)
"""
import argparse
import datetime
import platform
import statistics
import time
from pathlib import Path

import numpy as np
import torch

import sknet
from sknet import BatchIterator, NeuralNet, legacy
from sknet.net import DEFAULT_DEVICE

from report import replace_section

BATCH_SIZE = 500
SECTION = "## Symbolic Lasagne (theano.function)"


def build(name, input_var=None):
    """mnist.py's build_mlp / build_cnn, with the shim's lasagne."""
    import lasagne
    from lasagne.layers import (Conv2DLayer, DenseLayer, DropoutLayer, InputLayer,
                                MaxPool2DLayer)
    from lasagne.nonlinearities import rectify, softmax
    network = InputLayer((None, 1, 28, 28), input_var=input_var)
    if name == "mlp":
        network = DropoutLayer(network, p=0.2)
        for _ in range(2):
            network = DropoutLayer(DenseLayer(network, 800, nonlinearity=rectify), p=0.5)
    else:
        for _ in range(2):
            network = Conv2DLayer(network, 32, (5, 5), nonlinearity=rectify,
                                  W=lasagne.init.GlorotUniform())
            network = MaxPool2DLayer(network, (2, 2))
        network = DropoutLayer(DenseLayer(DropoutLayer(network, p=.5), 256,
                                          nonlinearity=rectify), p=.5)
    return DenseLayer(network, 10, nonlinearity=softmax)


def symbolic_epoch(name, X, y):
    """A function that trains one epoch the way mnist.py does (theano.function)."""
    import lasagne
    import theano
    import theano.tensor as T
    input_var, target_var = T.tensor4("inputs"), T.ivector("targets")
    network = build(name, input_var)
    loss = lasagne.objectives.categorical_crossentropy(lasagne.layers.get_output(network),
                                                       target_var).mean()
    params = lasagne.layers.get_all_params(network, trainable=True)
    updates = lasagne.updates.nesterov_momentum(loss, params, learning_rate=0.01,
                                                momentum=0.9)
    train_fn = theano.function([input_var, target_var], loss, updates=updates)

    def epoch():
        order = np.random.permutation(len(X))
        start = time.perf_counter()
        for first in range(0, len(X) - BATCH_SIZE + 1, BATCH_SIZE):
            batch = order[first:first + BATCH_SIZE]
            train_fn(X[batch], y[batch])
        return time.perf_counter() - start
    return epoch


def declarative_epoch(name, X, y):
    """A function that trains one epoch of NeuralNet with the same layers."""
    net = NeuralNet(build(name), update_learning_rate=0.01, update_momentum=0.9,
                    batch_iterator_train=BatchIterator(BATCH_SIZE), train_split=None,
                    max_epochs=1, verbose=0)

    def epoch():
        net.partial_fit(X, y)
        return net.train_history_[-1]["dur"]
    return epoch


def measure(name, samples, epochs):
    rng = np.random.RandomState(0)
    X = rng.uniform(size=(samples, 1, 28, 28)).astype(np.float32)
    y = rng.randint(0, 10, samples).astype(np.int32)
    runs = {"symbolic": symbolic_epoch(name, X, y), "declarative": declarative_epoch(name, X, y)}
    times = {style: [] for style in runs}
    for index in range(epochs + 1):
        styles = list(runs) if index % 2 == 0 else list(reversed(list(runs)))
        for style in styles:
            duration = runs[style]()
            if index > 0:  # the first epoch warms up
                times[style].append(duration)
    return {style: statistics.median(values) for style, values in times.items()}


def report(rows, epochs):
    threads = torch.get_num_threads()
    device = torch.cuda.get_device_name() if DEFAULT_DEVICE == "cuda" else \
        f"CPU ({platform.machine()}, {threads} thread{'s' if threads > 1 else ''})"
    lines = [SECTION, "", f"- date: {datetime.date.today()}", f"- device: {device}",
             f"- versions: sknet {sknet.__version__}, torch {torch.__version__}",
             f"- epoch: Lasagne's examples/mnist.py networks, Nesterov momentum, batch "
             f"{BATCH_SIZE}, training only; the two styles alternate epoch by epoch; median "
             f"of {epochs} epochs after a warm-up epoch; random data", "",
             "| network | samples | theano.function s/epoch | NeuralNet s/epoch | ratio |",
             "|---------|---------|-------------------------|-------------------|-------|"]
    for name, samples, result in rows:
        ratio = result["symbolic"] / result["declarative"]
        lines.append(f"| {name:>7} | {samples:>7} | {result['symbolic']:>23.3f} | "
                     f"{result['declarative']:>17.3f} | {ratio:>5.2f} |")
    lines += ["", "Target: theano.function within 1.2x of NeuralNet's epoch."]
    if DEFAULT_DEVICE != "cuda":
        lines.append("No GPU was used for this run: the ratio on a GPU is unchecked; run this "
                     "script on a CUDA machine to check it.")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, help="write the report as the file's last section")
    parser.add_argument("--quick", action="store_true", help="a fast smoke run")
    args = parser.parse_args()
    sizes = {"mlp": 2000, "cnn": 1000} if args.quick else {"mlp": 10000, "cnn": 2000}
    epochs = 2 if args.quick else 3
    legacy.install()
    rows = [(name, samples, measure(name, samples, epochs)) for name, samples in sizes.items()]
    text = report(rows, epochs)
    print(text)
    if args.output and not args.quick:
        replace_section(args.output, SECTION, text)


if __name__ == "__main__":
    main()
