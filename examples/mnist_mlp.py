"""Seed 003's multi-layer perceptron (784-100-10), as a classifier and as the seed's one-hot
regression.

The seed trained nolearn's NeuralNet with ``regression=True`` on one-hot float targets and a
linear output layer (mean squared error), 400 epochs of Nesterov momentum at 0.01. This runs
that net and the same network as a softmax classifier (cross-entropy on the class ids) on
flat pixels in [0, 1] of the offline sample, split as in mnist_cnn.py. It prints both nets'
epoch tables and their test accuracies (the regression net's class is its largest output);
the regression net's accuracy is printed last.

    python examples/mnist_mlp.py            # under a minute on 2 CPU cores
    python examples/mnist_mlp.py --quick    # a smoke run on a few hundred digits
"""
import argparse

import numpy as np
import torch

from sknet import NeuralNet, layers, nonlinearities
from sknet.updates import nesterov_momentum
from mnist_cnn import load_split


def build_mlp(max_epochs, regression):
    """Seed 003's net; with `regression`, its linear output and one-hot targets."""
    return NeuralNet(
        layers=[
            ('input', layers.InputLayer),
            ('hidden', layers.DenseLayer),
            ('output', layers.DenseLayer),
        ],
        input_shape=(None, 784),
        hidden_num_units=100,
        output_num_units=10,
        output_nonlinearity=None if regression else nonlinearities.softmax,
        update=nesterov_momentum,
        update_learning_rate=0.01,
        update_momentum=0.9,
        regression=regression,
        max_epochs=max_epochs,
        verbose=1,
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run on little data")
    parser.add_argument("--epochs", type=int, default=100,
                        help="epochs of the classifier; the regression net trains 4x as many")
    args = parser.parse_args(argv)

    X_train, y_train, X_test, y_test = load_split(args.quick, flat=True, standardize=False)
    epochs = 2 if args.quick else args.epochs
    np.random.seed(42)
    torch.manual_seed(42)

    print("Classifier: softmax output, cross-entropy on class ids\n")
    classifier = build_mlp(epochs, regression=False).fit(X_train, y_train)
    classifier_accuracy = classifier.score(X_test, y_test)

    print("\nSeed 003: linear output, squared error on one-hot targets\n")
    one_hot = np.eye(10, dtype=np.float32)
    regressor = build_mlp(4 * epochs, regression=True).fit(X_train, one_hot[y_train])
    predicted = regressor.predict(X_test)
    test_mse = np.mean((predicted - one_hot[y_test]) ** 2)
    regression_accuracy = np.mean(predicted.argmax(axis=1) == y_test)

    print(f"\ntest accuracy, classifier: {classifier_accuracy:.4f}")
    print(f"test mean squared error, one-hot regression: {test_mse:.5f}")
    print(f"test accuracy, one-hot regression: {regression_accuracy:.4f}")
    return classifier_accuracy, regression_accuracy


if __name__ == "__main__":
    main()
