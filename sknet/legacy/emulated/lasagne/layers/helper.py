"""``lasagne.layers.helper`` under the legacy shim: functions over whole layer graphs."""
from ._names import lasagne_names as _lasagne_names

__all__ = ["get_all_layers", "get_output", "get_output_shape", "get_all_params", "count_params",
           "get_all_param_values", "set_all_param_values"]
globals().update(_lasagne_names(__name__, __all__))

# Theano's style: get_output of a symbolic input records an expression (sknet's otherwise).
from sknet.legacy.symbolic import get_output  # noqa: E402
