"""Seed 002's VGG-style CNN with batch normalization and dropout, built the Lasagne way.

Two blocks of two 3x3 convolutions (32 then 64 filters), each convolution followed by
batch_norm() (which drops the convolution's bias and applies the rectifier after the
normalization, as Lasagne does), then max-pooling; a 512-unit dense layer with batch norm and
50% dropout; softmax. The layers are stacked as a Lasagne graph and handed to NeuralNet as its
output layer. The learning rate falls linearly from 0.05 to 0.0005 (AdjustVariable on a
shared value) and EarlyStopping ends training when the valid loss has not improved for 10
epochs, restoring the best weights. Same data and split as mnist_cnn.py; the test accuracy is
printed last.

    python examples/mnist_vgg_bn.py            # about 1.5 minutes on 2 CPU cores
    python examples/mnist_vgg_bn.py --quick    # a smoke run on a few hundred digits
"""
import argparse

import numpy as np
import torch

from sknet import BatchIterator, NeuralNet, TrainSplit, layers, nonlinearities, shared
from sknet.handlers import AdjustVariable, EarlyStopping
from sknet.layers import batch_norm
from sknet.updates import nesterov_momentum
from mnist_cnn import load_split


def vgg_bn_layers():
    """The layer graph of seed 002's bn_dropout_vgg_model; returns its output layer."""
    net = layers.InputLayer((None, 1, 28, 28), name='input')
    for block, num_filters in enumerate([32, 64], start=1):
        for index in (1, 2):
            net = batch_norm(layers.Conv2DLayer(net, num_filters, (3, 3),
                                                name=f'conv{block}_{index}'))
        net = layers.MaxPool2DLayer(net, (2, 2), name=f'pool{block}')
    net = batch_norm(layers.DenseLayer(net, 512, name='hidden'))
    net = layers.DropoutLayer(net, p=0.5, name='dropout')
    return layers.DenseLayer(net, 10, nonlinearity=nonlinearities.softmax, name='output')


def build_vgg_bn(max_epochs, batch_iterator_train=None, patience=10):
    """NeuralNet around a fresh vgg_bn_layers() graph (layer instances are trained in place,
    so each net needs its own). `batch_iterator_train` defaults to shuffled batches of 64;
    `patience=None` trains every epoch, without EarlyStopping."""
    stopping = [] if patience is None else [EarlyStopping(patience=patience)]
    return NeuralNet(
        layers=vgg_bn_layers(),
        update=nesterov_momentum,
        update_learning_rate=shared(0.05),
        update_momentum=0.9,
        on_epoch_finished=[AdjustVariable('update_learning_rate', start=0.05, stop=0.0005),
                           *stopping],
        batch_iterator_train=batch_iterator_train or BatchIterator(64, shuffle=True),
        train_split=TrainSplit(eval_size=0.1),
        max_epochs=max_epochs,
        verbose=1,
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run on little data")
    parser.add_argument("--epochs", type=int, default=30)
    args = parser.parse_args(argv)

    X_train, y_train, X_test, y_test = load_split(args.quick)
    np.random.seed(42)
    torch.manual_seed(42)
    net = build_vgg_bn(2 if args.quick else args.epochs)
    net.fit(X_train, y_train)
    accuracy = net.score(X_test, y_test)
    print(f"\ntest accuracy: {accuracy:.4f}")
    return accuracy


if __name__ == "__main__":
    main()
