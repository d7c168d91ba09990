"""scikit-learn's estimator checks on a small MLP classifier and regressor.

The nets leave out `input_shape` and `output_num_units`: fit takes them from X and y, so the
checks' data of any width fit; a `random_state` makes two fits on the same data identical, as
the checks that compare fits require. The checks listed in NOT_APPLICABLE fail for the reasons
given and run as expected failures.
"""
from sklearn.utils.estimator_checks import parametrize_with_checks

from sknet import NeuralNet, layers, nonlinearities
from sknet.updates import adam

MLP = [("input", layers.InputLayer), ("hidden", layers.DenseLayer),
       ("output", layers.DenseLayer)]

COMMON = {
    "check_no_attributes_set_in_init": "nolearn's keyword parameters (hidden_num_units=...) "
    "are stored as attributes by __init__, and skorch's __init__ sets history_ and "
    "initialized_",
    "check_do_not_raise_errors_in_init_or_set_params": "skorch's set_params builds the "
    "callbacks at once and needs callbacks to be a list",
    "check_sample_weight_equivalence_on_dense_data": "a fit on repeated rows cuts other "
    "mini-batches and another validation split than a weighted fit; with one batch and no "
    "validation the two agree (tests/test_targets.py)",
}
NOT_APPLICABLE = {
    "classifier": COMMON,
    "regressor": {
        **COMMON,
        "check_regressors_train": "predictions keep nolearn's shape: (n, 1) for one output "
        "column even when y was 1-d, since ported code indexes them as pred[:, 0]",
        "check_regressor_multioutput": "predictions are float32, the network's precision "
        "(Theano's floatX), where the check wants float64",
        "check_regressors_no_decision_function": "nolearn's regressors have predict_proba "
        "(the network output), which ported code calls",
    },
}


def classifier():
    return NeuralNet(layers=MLP, hidden_num_units=16, output_nonlinearity=nonlinearities.softmax,
                     update_learning_rate=0.1, max_epochs=20,
                     random_state=0)


def regressor():
    # adam: the checks' targets are in the hundreds, unscaled, and momentum SGD diverges there
    return NeuralNet(layers=MLP, hidden_num_units=16, output_nonlinearity=None,
                     regression=True, update=adam, max_epochs=20, random_state=0)


def not_applicable(estimator):
    return NOT_APPLICABLE["regressor" if estimator.regression else "classifier"]


@parametrize_with_checks([classifier(), regressor()], expected_failed_checks=not_applicable)
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)
