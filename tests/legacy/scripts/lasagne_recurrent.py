"""Shaped like Lasagne's examples/recurrent.py: a bidirectional vanilla RNN learns the sum of
the two marked numbers of a sequence, trained through theano.function with adagrad; smaller
than the original so that it runs in seconds. Run with ``python -m sknet.legacy``.

Usage: lasagne_recurrent.py [EPOCHS [--clip-total-norm]]
"""
from __future__ import print_function

import sys

import numpy as np
import theano
import theano.tensor as T

import lasagne

MIN_LENGTH = 10
MAX_LENGTH = 15
N_HIDDEN = 20
N_BATCH = 50
LEARNING_RATE = .05
GRAD_CLIP = 100
EPOCH_SIZE = 20
NUM_EPOCHS = 6


def gen_data(min_length=MIN_LENGTH, max_length=MAX_LENGTH, n_batch=N_BATCH):
    X = np.concatenate([np.random.uniform(size=(n_batch, max_length, 1)),
                        np.zeros((n_batch, max_length, 1))], axis=-1)
    mask = np.zeros((n_batch, max_length))
    y = np.zeros((n_batch,))
    for n in range(n_batch):
        length = np.random.randint(min_length, max_length)
        mask[n, :length] = 1
        X[n, length:, 0] = 0
        X[n, np.random.randint(length // 10 + 1), 1] = 1
        X[n, np.random.randint(length // 2, length), 1] = 1
        y[n] = np.sum(X[n, :, 0] * X[n, :, 1])
    X -= X.reshape(-1, 2).mean(axis=0)
    y -= y.mean()
    return (X.astype(theano.config.floatX), y.astype(theano.config.floatX),
            mask.astype(theano.config.floatX))


def build_network():
    l_in = lasagne.layers.InputLayer(shape=(N_BATCH, MAX_LENGTH, 2), name='input')
    l_mask = lasagne.layers.InputLayer(shape=(N_BATCH, MAX_LENGTH), name='mask')
    l_forward = lasagne.layers.RecurrentLayer(
        l_in, N_HIDDEN, mask_input=l_mask, grad_clipping=GRAD_CLIP,
        W_in_to_hid=lasagne.init.HeUniform(), W_hid_to_hid=lasagne.init.HeUniform(),
        nonlinearity=lasagne.nonlinearities.tanh, only_return_final=True)
    l_backward = lasagne.layers.RecurrentLayer(
        l_in, N_HIDDEN, mask_input=l_mask, grad_clipping=GRAD_CLIP,
        W_in_to_hid=lasagne.init.HeUniform(), W_hid_to_hid=lasagne.init.HeUniform(),
        nonlinearity=lasagne.nonlinearities.tanh, only_return_final=True, backwards=True)
    l_concat = lasagne.layers.ConcatLayer([l_forward, l_backward])
    l_out = lasagne.layers.DenseLayer(l_concat, num_units=1,
                                      nonlinearity=lasagne.nonlinearities.tanh)
    return l_in, l_mask, l_out


def main(num_epochs=NUM_EPOCHS, clip_total_norm=False):
    l_in, l_mask, l_out = build_network()
    target_values = T.vector('target_output')
    network_output = lasagne.layers.get_output(l_out)
    predicted_values = network_output.flatten()
    cost = T.mean((predicted_values - target_values)**2)
    all_params = lasagne.layers.get_all_params(l_out)
    if clip_total_norm:
        all_grads = T.grad(cost, all_params)
        cost_or_grads = lasagne.updates.total_norm_constraint(all_grads, GRAD_CLIP)
    else:
        cost_or_grads = cost
    updates = lasagne.updates.adagrad(cost_or_grads, all_params, LEARNING_RATE)
    train = theano.function([l_in.input_var, target_values, l_mask.input_var],
                            cost, updates=updates)
    compute_cost = theano.function([l_in.input_var, target_values, l_mask.input_var], cost)

    X_val, y_val, mask_val = gen_data()
    costs = [float(compute_cost(X_val, y_val, mask_val))]
    print("Before training: validation cost = {}".format(costs[0]))
    for epoch in range(num_epochs):
        for _ in range(EPOCH_SIZE):
            X, y, m = gen_data()
            train(X, y, m)
        costs.append(float(compute_cost(X_val, y_val, mask_val)))
        print("Epoch {} validation cost = {}".format(epoch, costs[-1]))
    return costs


if __name__ == '__main__':
    main(int(sys.argv[1]) if len(sys.argv) > 1 else NUM_EPOCHS, '--clip-total-norm' in sys.argv)
