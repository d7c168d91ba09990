"""Bad input fails before training with a message that names the argument, what was expected
and what was received; the same estimator then fits with good input."""
import numpy as np
import pytest
import torch
from scipy import sparse
from sklearn.exceptions import DataConversionWarning, NotFittedError

from sknet import BatchIterator, NeuralNet, TrainSplit, layers, nonlinearities

from .nets import MLP_LAYERS, classification_data, mlp, mlp_regressor, regression_data

X, y = classification_data(n=120)
X_reg, y_reg = regression_data(n=120)


def fails_then_fits(net, bad, exception, pattern, good=(X, y)):
    """`net.fit(*bad)` raises `exception` matching `pattern` before any epoch runs; then
    `net.fit(*good)` trains it."""
    with pytest.raises(exception, match=pattern):
        net.fit(*bad)
    net.fit(*good)
    assert len(net.train_history_) == net.max_epochs


CASES = {
    "length mismatch": ((X, y[:-1]), ValueError,
                        r"X and y must have the same length, got 120 rows of X and 119 of y"),
    "feature count": ((X[:, :7], y), ValueError,
                      r"X has 7 features, but NeuralNet is expecting 10 features as input"),
    "NaN in X": ((np.where(X > 1.5, np.nan, X), y), ValueError,
                 r"X holds \d+ NaN or infinite value\(s\)"),
    "inf in X": ((np.where(X > 1.5, np.inf, X), y), ValueError,
                 r"X holds \d+ NaN or infinite"),
    "empty X": ((X[:0], y[:0]), ValueError,
                r"X has 0 sample\(s\) \(shape=\(0, 10\)\) while a minimum of 1 is required"),
    "string X": ((X.astype(str), y), TypeError, r"X must hold numbers, got an array of dtype "
                                                r"<U\d+"),
    "object X": ((np.array([[{"a": 1}] * 10] * 120, dtype=object), y), TypeError,
                 r"X must hold numbers, got an array of dtype object that does not convert"),
    "sparse X": ((sparse.csr_matrix(X), y), TypeError,
                 r"X is a scipy sparse matrix: sparse input is not supported; pass "
                 r"X.toarray\(\)"),
    "complex X": ((X + 1j, y), ValueError, r"X holds complex numbers"),
    "1-d X": ((X[0], y[:1]), ValueError, r"X must have shape \(n, 10\) .* got shape \(10,\); "
                                         r"Reshape your data"),
    "NaN in y": ((X, np.where(y == 1, np.nan, y)), ValueError, r"y holds \d+ NaN or infinite"),
    "float labels": ((X, y + 0.5), ValueError, r"Unknown label type: continuous\. .* use "
                                               r"regression=True"),
    "too many classes": ((X, np.arange(120) % 5), ValueError,
                         r"y holds 5 classes \[0, 1, 2, 3, 4\], but the output layer has 3 "
                         r"unit\(s\); set output_num_units=5"),
    "one-hot y for a classifier": ((X, np.eye(3)[y]), ValueError,
                                   r"y should be a 1d array, got an array of shape \(120, 3\) "
                                   r"instead\. A classifier's y holds class labels; for "
                                   r"continuous, one-hot .* use regression=True"),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_data_fails_before_training_and_leaves_the_net_usable(case):
    bad, exception, pattern = CASES[case]
    fails_then_fits(mlp(max_epochs=2), bad, exception, pattern)


def test_more_classes_than_outputs_with_the_label_encoder():
    labels = np.array(list("abcde"))[np.arange(120) % 5]
    fails_then_fits(mlp(max_epochs=2, use_label_encoder=True), (X, labels), ValueError,
                    r"y holds 5 classes \['a', 'b', 'c', 'd', 'e'\], but the output layer has "
                    r"3 unit\(s\); set output_num_units=5", good=(X, labels[y]))


def test_regression_targets_must_match_the_output_width():
    fails_then_fits(mlp_regressor(max_epochs=2), (X_reg, np.c_[y_reg, y_reg]), ValueError,
                    r"y must have 1 column\(s\) to match the output layer, got shape "
                    r"\(120, 2\)", good=(X_reg, y_reg))


def test_dict_inputs_name_the_missing_and_unexpected_keys():
    net = NeuralNet(
        layers=[("left", layers.InputLayer), ("right", layers.InputLayer),
                ("merge", layers.ConcatLayer), ("output", layers.DenseLayer)],
        left_shape=(None, 4), right_shape=(None, 6), merge_incomings=["left", "right"],
        output_num_units=3, output_nonlinearity=nonlinearities.softmax,
        update_learning_rate=0.1, max_epochs=2)
    bad = {"left": X[:, :4], "rigth": X[:, 4:]}
    fails_then_fits(net, (bad, y), ValueError,
                    r"X must be a dict with one array per InputLayer \['left', 'right'\]; "
                    r"missing \['right'\], unexpected \['rigth'\]",
                    good=({"left": X[:, :4], "right": X[:, 4:]}, y))


def test_a_column_vector_y_is_flattened_with_scikit_learns_warning():
    with pytest.warns(DataConversionWarning, match="A column-vector y was passed"):
        net = mlp(max_epochs=2).fit(X, y[:, None])
    assert net.predict(X).shape == (120,)


@pytest.mark.parametrize("dtype", [np.float64, np.int64, np.uint8])
def test_float64_and_integer_X_are_cast_to_float32_quietly(dtype, recwarn):
    data = np.abs(X * 3).astype(dtype) if dtype != np.float64 else X.astype(np.float64)
    net = mlp(max_epochs=2).fit(data, y)
    assert net.predict_proba(data).dtype == np.float32 and not recwarn.list
    assert net.layers_["hidden"].W.dtype == torch.float32


def test_predict_before_fit_says_to_fit_first():
    with pytest.raises(NotFittedError, match=r"not initialized yet\. Call 'initialize' or "
                                             r"'fit'"):
        mlp().predict(X)


@pytest.mark.parametrize("weights, pattern", [
    (np.ones(119), r"sample_weight must be a number or one weight >= 0 per row of X \(120 "
                   r"rows\), not all 0: sample_weight.shape == \(119,\), expected \(120,\)"),
    (np.r_[-1.0, np.ones(119)], r"sample_weight must .* Negative values in data passed to "
                                r"`sample_weight`"),
    (np.zeros(120), r"sample_weight must .* at least one non-zero number"),
])
def test_bad_sample_weight_is_named_before_training(weights, pattern):
    net = mlp(max_epochs=2)
    with pytest.raises(ValueError, match=pattern):
        net.fit(X, y, sample_weight=weights)
    assert not len(net.train_history_)
    net.fit(X, y, sample_weight=np.ones(120))
    assert len(net.train_history_) == 2


@pytest.mark.parametrize("kwargs, pattern", [
    ({"hiden_num_units": 5}, r"Unused kwarg: hiden_num_units \(did you mean hidden_num_units"),
    ({"update_momentun": 0.9}, r"Unused kwarg: update_momentun \(did you mean "
                               r"update_momentum\?\); nesterov_momentum takes"),
    # a torch optimizer names its learning rate lr, not Lasagne's learning_rate
    ({"update": torch.optim.Adagrad}, r"Unused kwarg: update_learning_rate \(did you mean "
                                      r"update_lr.*\); Adagrad takes update_lr, "),
])
def test_misspelled_parameters_are_named_with_the_closest_valid_names(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        mlp(max_epochs=2, **kwargs).fit(X, y)


@pytest.mark.parametrize("bad, good, pattern", [
    ({"update": "nesterov"}, {"update": "nesterov_momentum"},
     r"unknown update 'nesterov'; choose one of sgd, momentum, nesterov_momentum"),
    ({"hidden_nonlinearity": "relu"}, {"hidden_nonlinearity": nonlinearities.rectify},
     r"DenseLayer 'hidden': nonlinearity must be a callable or None, got 'relu'"),
])
def test_bad_settings_are_named_and_set_params_fixes_them(bad, good, pattern):
    net = mlp(max_epochs=2, **bad)
    with pytest.raises((ValueError, TypeError), match=pattern):
        net.fit(X, y)
    net.set_params(**good).fit(X, y)
    assert len(net.train_history_) == 2


def test_bad_iterator_and_split_sizes_fail_where_they_are_made():
    with pytest.raises(ValueError, match=r"batch_size must be a positive integer, got 0"):
        BatchIterator(0)
    for eval_size in (1, 1.5, -0.1):
        with pytest.raises(ValueError, match=r"eval_size must be in \[0, 1\), got "):
            TrainSplit(eval_size)


def test_a_layer_chain_that_cannot_fit_names_the_layer_its_input_and_why():
    net = NeuralNet(
        layers=[("input", layers.InputLayer), ("conv1", layers.Conv2DLayer),
                ("output", layers.DenseLayer)],
        conv1_num_filters=2, conv1_filter_size=(5, 5), output_num_units=3,
        output_nonlinearity=nonlinearities.softmax, update_learning_rate=0.1, max_epochs=2)
    images = np.random.RandomState(0).rand(30, 1, 4, 4).astype(np.float32)
    with pytest.raises(ValueError, match=r"Conv2DLayer 'conv1' cannot take input shape "
                                         r"\(None, 1, 4, 4\): a 5x5 filter \(stride 1x1, pad "
                                         r"0x0\) does not fit the 4x4 input"):
        net.fit(images, np.arange(30) % 3)
    net.set_params(conv1_filter_size=(3, 3))
    assert net.fit(images, np.arange(30) % 3).layers_["conv1"].output_shape == (None, 2, 2, 2)


def test_fit_takes_the_input_shape_and_output_units_left_out_from_the_data():
    net = NeuralNet(layers=MLP_LAYERS, hidden_num_units=8, update_learning_rate=0.1,
                    output_nonlinearity=nonlinearities.softmax, max_epochs=2)
    net.fit(X[:, :6], y)
    assert net.layers_["input"].shape == (None, 6) and net.n_features_in_ == 6
    assert net.layers_["output"].num_units == 3 and net.predict_proba(X[:, :6]).shape[1] == 3
    net.fit(X, np.arange(120) % 5)  # a refit follows the new data
    assert net.layers_["input"].shape == (None, 10) and net.layers_["output"].num_units == 5
    assert "input_shape" not in net.get_params()  # nothing the user set was changed
    with pytest.raises(ValueError, match=r"X has 6 features, but NeuralNet is expecting 10"):
        net.predict(X[:, :6])


def test_an_image_of_the_wrong_size_names_the_axis():
    net = NeuralNet(layers=[("input", layers.InputLayer), ("conv", layers.Conv2DLayer),
                            ("output", layers.DenseLayer)],
                    input_shape=(None, 1, 28, 28), conv_num_filters=2, conv_filter_size=3,
                    output_num_units=3, output_nonlinearity=nonlinearities.softmax,
                    update_learning_rate=0.1, max_epochs=1)
    images, labels = np.zeros((30, 1, 28, 28), np.float32), np.arange(30) % 3
    fails_then_fits(net, (images[:, :, 1:], labels), ValueError,
                    r"X must have shape \(n, 1, 28, 28\) to match InputLayer 'input', got shape "
                    r"\(30, 1, 27, 28\) \(axis 2 is 27, expected 28\)", good=(images, labels))


def test_non_finite_values_are_counted_exactly_whatever_the_quick_check_says():
    """The sum-of-squares test says 'finite' only when it is sure; large finite values
    overflow it (then each value is checked) and must not be reported."""
    from sknet.validation import _non_finite_count, surely_finite
    data = np.random.RandomState(0).rand(3000, 500).astype(np.float32)  # several 1 MB chunks
    assert surely_finite(data) and _non_finite_count(data) == 0
    data[2, 3] = 3e38  # finite, but its square overflows float32
    assert not surely_finite(data) and _non_finite_count(data) == 0
    data[[0, 2999], [1, 499]] = np.nan, -np.inf
    data[1500, :7] = np.inf
    assert not surely_finite(data) and _non_finite_count(data) == 9
    assert _non_finite_count(data[:, ::2]) == 4  # a strided view: columns 0, 2, 4, 6 of row 1500
