"""Build the seeds' MNIST CNN from sknet's layers and print its layers, shapes and size.

Run as ``python -m sknet.layers.tour``.
"""
import numpy as np

from .. import nonlinearities
from . import (Conv2DLayer, DenseLayer, DropoutLayer, InputLayer, MaxPool2DLayer, count_params,
               get_all_layers, get_output)


def build_seed_cnn():
    """The CNN of seed 000 (conv 20x5x5, pool 2, conv 60x5x5, dense 500, dropout, dense 10)."""
    network = InputLayer((None, 1, 28, 28), name="input")
    network = Conv2DLayer(network, 20, (5, 5), name="conv1")
    network = MaxPool2DLayer(network, (2, 2), name="pool1")
    network = Conv2DLayer(network, 60, (5, 5), name="conv2")
    network = DenseLayer(network, 500, name="hidden3")
    network = DropoutLayer(network, 0.5, name="dropout3")
    return DenseLayer(network, 10, nonlinearity=nonlinearities.softmax, name="output")


def main():
    output = build_seed_cnn()
    print(f"# Network with {count_params(output)} learnable parameters\n")
    for layer in get_all_layers(output):
        print(f"  {layer.name:<9} {type(layer).__name__:<15} {layer.output_shape}")
    probabilities = get_output(output, np.zeros((4, 1, 28, 28), np.float32), deterministic=True)
    print(f"\nclass probabilities for 4 blank images: shape {tuple(probabilities.shape)}, rows "
          f"sum to {probabilities.sum(1).detach().numpy().round(4).tolist()}")


if __name__ == "__main__":
    main()
