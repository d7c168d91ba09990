"""Lasagne's symbolic style on torch: a small expression graph that old scripts build with
``T.matrix``, ``get_output`` and ``lasagne.updates``, and that ``theano.function`` binds to data
and evaluates with torch."""
from ..layers import helper as _helper


def get_output(layer_or_layers, inputs=None, **kwargs):
    """Lasagne's ``get_output``: the layer's output for data (as `sknet.layers.get_output`)."""
    return _helper.get_output(layer_or_layers, inputs, **kwargs)
