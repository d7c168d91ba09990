"""A grid search over a CNN's layer sizes and learning rate, inside a scikit-learn Pipeline.

The pipeline centres the flat pixels (StandardScaler without scaling), reshapes them to
(n, 1, 28, 28) images (FunctionTransformer) and trains a small nolearn-style CNN. GridSearchCV
tries every combination of ``hidden_num_units``, ``conv1_num_filters`` and
``update_learning_rate`` (addressed as ``net__<name>``, like any estimator parameter) with
3-fold cross-validation on 2,000 of the training digits, prints ``cv_results_`` as a pandas
table, refits the best combination on those digits and prints its test accuracy last (the test
split of mnist_cnn.py).

    python examples/grid_search.py            # about half a minute on 2 CPU cores
    python examples/grid_search.py --quick    # a smoke run: 2 combinations, 5 epochs
"""
import argparse

import numpy as np
import pandas as pd
import torch
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from sknet import NeuralNet, layers, nonlinearities
from sknet.updates import nesterov_momentum
from mnist_cnn import load_split


def to_images(X):
    """Flat 784-pixel rows -> (n, 1, 28, 28) float32 images."""
    return np.asarray(X, dtype=np.float32).reshape(-1, 1, 28, 28)


def build_pipeline(max_epochs):
    net = NeuralNet(
        layers=[
            ('input', layers.InputLayer),
            ('conv1', layers.Conv2DLayer),
            ('pool1', layers.MaxPool2DLayer),
            ('hidden', layers.DenseLayer),
            ('output', layers.DenseLayer),
        ],
        input_shape=(None, 1, 28, 28),
        conv1_num_filters=8, conv1_filter_size=(5, 5),
        pool1_pool_size=(2, 2),
        hidden_num_units=50,
        output_num_units=10, output_nonlinearity=nonlinearities.softmax,
        update=nesterov_momentum, update_learning_rate=0.05, update_momentum=0.9,
        max_epochs=max_epochs,
    )
    return Pipeline([
        ('center', StandardScaler(with_std=False)),
        ('images', FunctionTransformer(to_images)),
        ('net', net),
    ])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run on little data")
    parser.add_argument("--epochs", type=int, default=10)
    args = parser.parse_args(argv)

    X_train, y_train, X_test, y_test = load_split(args.quick, flat=True, standardize=False)
    X_train, y_train = X_train[:2000], y_train[:2000]
    grid = {
        'net__hidden_num_units': [50, 200],
        'net__conv1_num_filters': [8, 16],
        'net__update_learning_rate': [0.01, 0.05],
    }
    epochs = args.epochs
    if args.quick:
        grid = {'net__hidden_num_units': [50, 200]}
        epochs = 5

    np.random.seed(42)
    torch.manual_seed(42)
    search = GridSearchCV(build_pipeline(epochs), grid, cv=3)
    search.fit(X_train, y_train)

    results = pd.DataFrame(search.cv_results_)
    columns = ['param_' + name for name in grid] + ['mean_test_score', 'std_test_score',
                                                    'rank_test_score', 'mean_fit_time']
    table = results[columns].sort_values('rank_test_score')
    table.columns = [c.replace('param_net__', '') for c in columns]
    with pd.option_context('display.width', 120, 'display.precision', 4):
        print(table.to_string(index=False))
    print(f"\nbest: {search.best_params_}")
    accuracy = search.score(X_test, y_test)
    print(f"test accuracy of the best pipeline: {accuracy:.4f}")
    return accuracy


if __name__ == "__main__":
    main()
