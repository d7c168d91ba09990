"""Lasagne's symbolic Theano style on torch.

Scripts written for Theano build expressions before they have data: ``T.matrix('x')`` is a
`Placeholder`; ``get_output(layer)``, ``loss.mean()``, ``T.grad`` and the
``lasagne.updates`` rules record `Apply` nodes (a torch function and its arguments); shared
variables are tensors (layer parameters, `SharedVariable`) or `SharedScalarVariable` numbers
that the graph reads when it runs. ``theano.function(inputs, outputs, updates=...)`` returns a
`Function` that binds the placeholders to arrays, runs the recorded calls with torch (autograd
for the gradients) and then assigns every update in place.

>>> from sknet.layers import InputLayer, DenseLayer
>>> x = Placeholder('float32', (False, False), 'x')
>>> l_out = DenseLayer(InputLayer((None, 2), input_var=x), 1, W=np.ones((2, 1)), b=None,
...                    nonlinearity=None)
>>> f = function([x], get_output(l_out).sum())
>>> f(np.array([[1.0, 2.0], [3.0, 4.0]]))
array(10., dtype=float32)
"""
import numpy as np  # noqa: F401 (the doctest's)

from .function import Function, function, grad
from .graph import (Apply, Constant, Placeholder, SharedScalarVariable, SharedVariable,
                    Variable, building, is_symbolic, lift)
from .layers import get_output, input_variable

__all__ = ["Apply", "Constant", "Function", "Placeholder", "SharedScalarVariable",
           "SharedVariable", "Variable", "building", "function", "get_output", "grad",
           "input_variable", "is_symbolic", "lift"]
