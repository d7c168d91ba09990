"""Small networks and data sets shared by the NeuralNet tests."""
import numpy as np
from sklearn.datasets import load_digits, make_classification, make_regression

from sknet import NeuralNet, layers, nonlinearities

MLP_LAYERS = [("input", layers.InputLayer), ("hidden", layers.DenseLayer),
              ("output", layers.DenseLayer)]


def classification_data(n=300, features=10, classes=3, seed=0):
    X, y = make_classification(n, features, n_informative=6, n_classes=classes,
                               random_state=seed)
    return X.astype(np.float32), y


def digits_data():
    X, y = load_digits(return_X_y=True)
    return (X / 16.0).astype(np.float32), y


def regression_data(n=300, features=5, seed=0):
    X, y = make_regression(n, features, noise=1.0, random_state=seed)
    return X.astype(np.float32), (y / y.std()).astype(np.float32)


def mlp(features=10, classes=3, **kwargs):
    """A softmax MLP classifier in nolearn's first layers format."""
    params = dict(layers=MLP_LAYERS, input_shape=(None, features), hidden_num_units=32,
                  output_num_units=classes, output_nonlinearity=nonlinearities.softmax,
                  update_learning_rate=0.1, max_epochs=10)
    params.update(kwargs)
    return NeuralNet(**params)


def mlp_regressor(features=5, **kwargs):
    params = dict(layers=MLP_LAYERS, input_shape=(None, features), hidden_num_units=32,
                  output_num_units=1, output_nonlinearity=None, regression=True,
                  update_learning_rate=0.01, max_epochs=20)
    params.update(kwargs)
    return NeuralNet(**params)
