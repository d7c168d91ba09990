"""``lasagne.regularization`` under the legacy shim: every Lasagne penalty helper. While a
script builds expressions they return an expression (read when a compiled function runs,
so it follows the parameters as they train); in NeuralNet's objective they compute at once."""
from sknet import regularization as _regularization
from sknet.legacy.renames import missing_attributes
from sknet.legacy.symbolic import Apply, building, lift

l1 = lift(_regularization.l1)
l2 = lift(_regularization.l2)
apply_penalty = lift(_regularization.apply_penalty)


def _deferred(function):
    """`function` (over layers) recorded as an expression while scripts build expressions."""
    def deferred(*args, **kwargs):
        if building():
            return Apply(function, args, kwargs)
        return function(*args, **kwargs)
    deferred.__name__ = deferred.__qualname__ = function.__name__
    deferred.__doc__ = function.__doc__
    return deferred


regularize_layer_params = _deferred(_regularization.regularize_layer_params)
regularize_layer_params_weighted = _deferred(_regularization.regularize_layer_params_weighted)
regularize_network_params = _deferred(_regularization.regularize_network_params)

__getattr__ = missing_attributes("lasagne.regularization")
