"""Parameter files as nolearn, Lasagne and Python 2 wrote them, loaded into an sknet net that
then computes what a NumPy implementation of Lasagne's forward pass computes with the same
arrays."""
import pickle
import re
from collections import OrderedDict

import numpy as np
import pytest

from sknet import NeuralNet, layers, nonlinearities
from sknet.params import read_params

from . import reference
from .legacy import py2pickle


def conv_net(**kwargs):
    kwargs = {"output_num_units": 4, **kwargs}
    return NeuralNet(
        layers=[("input", layers.InputLayer), ("conv", layers.Conv2DLayer),
                ("bn", layers.BatchNormLayer), ("pool", layers.MaxPool2DLayer),
                ("output", layers.DenseLayer)],
        input_shape=(None, 2, 7, 7), conv_num_filters=3, conv_filter_size=(3, 3),
        pool_pool_size=2, output_nonlinearity=nonlinearities.softmax,
        update_learning_rate=0.01, device="cpu", **kwargs)


def theano_era_values(dtype=np.float32, seed=1):
    """Values as nolearn's get_all_params_values returned them for `conv_net`."""
    rng = np.random.RandomState(seed)
    return OrderedDict([
        ("input", []),
        ("conv", [rng.randn(3, 2, 3, 3).astype(dtype), rng.randn(3).astype(dtype)]),
        ("bn", [rng.randn(3).astype(dtype), rng.rand(3).astype(dtype) + 0.5,  # beta, gamma
                rng.randn(3).astype(dtype), rng.rand(3).astype(dtype) + 0.5]),  # mean, inv_std
        ("pool", []),
        ("output", [rng.randn(3 * 2 * 2, 4).astype(dtype), rng.randn(4).astype(dtype)]),
    ])


def lasagne_forward(values, X):
    """Lasagne's deterministic forward pass of `conv_net` in NumPy: true convolution (the
    filters flipped), ReLU, BatchNorm with stored mean / inv_std, 2x2 max-pool, dense softmax."""
    W, b = values["conv"]
    beta, gamma, mean, inv_std = (v.reshape(1, -1, 1, 1) for v in values["bn"])
    h = reference.conv(X, W, (1, 1), (0, 0), flip=True) + b.reshape(1, -1, 1, 1)
    h = (np.maximum(h, 0) - mean) * inv_std * gamma + beta
    h = reference.pool(h, (2, 2), (2, 2), (0, 0), True, "max").reshape(len(X), -1)
    W_out, b_out = values["output"]
    z = h @ W_out + b_out
    z = np.exp(z - z.max(1, keepdims=True))
    return z / z.sum(1, keepdims=True)


X = np.random.RandomState(2).rand(5, 2, 7, 7).astype(np.float32)


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)
    return str(path)


@pytest.mark.parametrize("writer", ["pickle_protocol_2", "python2_cpickle"])
def test_nolearn_file_loads_and_computes_lasagnes_function(tmp_path, writer):
    values = theano_era_values()
    data = (pickle.dumps(values, protocol=2) if writer == "pickle_protocol_2"
            else py2pickle.dumps(values))
    net = conv_net().load_params_from(write(tmp_path / "params.pkl", data))
    np.testing.assert_allclose(net.predict_proba(X), lasagne_forward(values, X), rtol=1e-4,
                               atol=1e-6)


def test_python2_pickle_needs_latin1_and_read_params_gives_float32(tmp_path):
    values = theano_era_values(dtype=np.float64)  # floatX=float64 runs stored doubles
    path = write(tmp_path / "params.pkl", py2pickle.dumps(values))
    with open(path, "rb") as f, pytest.raises(UnicodeDecodeError):
        pickle.load(f)  # what a plain Python 3 load does with NumPy's raw byte strings
    loaded = read_params(path)
    assert list(loaded) == list(values)
    for name in values:
        for mine, theirs in zip(loaded[name], values[name]):
            assert mine.dtype == np.float32
            np.testing.assert_allclose(mine, theirs, rtol=1e-6)


@pytest.mark.parametrize("fmt", ["pickle", "npz"])
def test_lasagne_value_list_loads_by_position(tmp_path, fmt):
    values = theano_era_values()
    flat = [v for arrays in values.values() for v in arrays]  # get_all_param_values order
    if fmt == "npz":
        path = str(tmp_path / "model.npz")
        np.savez(path, *flat)
    else:
        path = write(tmp_path / "model.pkl", pickle.dumps(flat, protocol=2))
    loaded = read_params(path)
    assert isinstance(loaded, list) and len(loaded) == 8
    net = conv_net().load_params_from(path)
    np.testing.assert_allclose(net.predict_proba(X), lasagne_forward(values, X), rtol=1e-4,
                               atol=1e-6)
    other = conv_net().initialize()
    layers.set_all_param_values(other.layers_[-1], loaded)
    np.testing.assert_allclose(other.predict_proba(X), net.predict_proba(X), rtol=1e-6)


def test_sknet_save_params_to_round_trips_through_read_params(tmp_path):
    net = conv_net().initialize()
    net.save_params_to(tmp_path / "p.pkl")
    again = conv_net().load_params_from(tmp_path / "p.pkl")
    np.testing.assert_array_equal(again.predict_proba(X), net.predict_proba(X))


def test_list_of_wrong_length_or_shape_loads_nothing(tmp_path):
    net = conv_net().initialize()
    before = [v.copy() for v in net.get_all_params_values()["conv"]]
    flat = [v for arrays in theano_era_values().values() for v in arrays]
    with pytest.raises(ValueError, match="got 7 parameter arrays, but the network has 8"):
        net.load_params_from(flat[:-1])
    flat[6] = np.zeros((5, 4), np.float32)  # the output layer's W
    with pytest.raises(ValueError, match="layer 'output': parameter W has shape"):
        net.load_params_from(flat)
    np.testing.assert_array_equal(net.get_all_params_values()["conv"][0], before[0])


def test_file_with_theano_objects_is_refused_with_a_pointer(tmp_path):
    # a pickled Theano shared variable: GLOBAL theano.tensor.sharedvar TensorSharedVariable
    data = b"\x80\x02ctheano.tensor.sharedvar\nTensorSharedVariable\nq\x00)\x81q\x01."
    path = write(tmp_path / "net.pickle", data)
    with pytest.raises(ValueError, match=r"theano\.tensor\.sharedvar.*porting\.md"):
        read_params(path)


def test_file_with_other_objects_is_refused_without_running_them(tmp_path):
    data = pickle.dumps({"conv": [__import__("os").getcwd]}, protocol=2)
    with pytest.raises(ValueError, match="posix.getcwd|nt.getcwd"):
        read_params(write(tmp_path / "evil.pkl", data))


def test_truncated_file_names_the_file(tmp_path):
    data = pickle.dumps(theano_era_values(), protocol=2)
    path = write(tmp_path / "cut.pkl", data[: len(data) // 2])
    with pytest.raises(ValueError, match="cut.pkl: cannot read parameters"):
        read_params(path)


def test_a_file_from_another_architecture_names_the_file_and_layer_and_loads_nothing(tmp_path):
    trained = conv_net().initialize()
    path = tmp_path / "params.pkl"
    trained.save_params_to(path)
    other = conv_net(output_num_units=5).initialize()
    before = other.get_all_params_values()
    with pytest.raises(ValueError, match=rf"{re.escape(str(path))}: layer 'output' parameter W "
                                         r"has shape 12x4 there but 12x5 in this net, so the "
                                         r"file is from another architecture; nothing was "
                                         r"loaded \(skip_mismatched=True"):
        other.load_params_from(path)
    after = other.get_all_params_values()
    for name in before:  # not even the layers before 'output' were loaded
        for old, new in zip(before[name], after[name]):
            np.testing.assert_array_equal(old, new)
    other.load_params_from(path, skip_mismatched=True)  # the layers that match
    np.testing.assert_array_equal(other.get_all_params_values()["conv"][0],
                                  trained.get_all_params_values()["conv"][0])


def test_a_file_sharing_no_layer_name_or_with_a_wrong_count_is_refused(tmp_path):
    net = conv_net().initialize()
    with pytest.raises(ValueError, match=r"the parameters given: none of its layers \['dense1', "
                                         r"'dense2'\] is a layer of this net"):
        net.load_params_from({"dense1": [np.zeros(3)], "dense2": [np.zeros(3)]})
    with pytest.raises(ValueError, match=r"layer 'conv' has 1 parameter arrays there but 2 "
                                         r"\(W, b\)"):
        net.load_params_from({"conv": [net.get_all_params_values()["conv"][0]]})


def test_a_list_file_that_does_not_fit_names_the_file(tmp_path):
    net = conv_net().initialize()
    flat = [v for arrays in theano_era_values().values() for v in arrays]
    path = tmp_path / "short.npz"
    np.savez(path, *flat[:-1])
    with pytest.raises(ValueError, match=rf"{re.escape(str(path))}: got 7 parameter arrays, "
                                         r"but the network has 8.*; nothing was loaded"):
        net.load_params_from(path)
