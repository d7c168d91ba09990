"""nolearn's BatchIterator and TrainSplit: how a net cuts data into batches and holds out a
validation set."""
import numpy as np
import torch
from sklearn.model_selection import KFold, StratifiedKFold

from .targets import transformed


def take(data, index):
    """Rows `index` (a slice or an index array) of an array, a tensor or a dict of them."""
    if isinstance(data, dict):
        return {key: value[index] for key, value in data.items()}
    return data[index]


def num_samples(data):
    """The number of rows of an array, a tensor or a dict of them."""
    if isinstance(data, dict):
        return len(next(iter(data.values())))
    return len(data)


def slices_only(iterator):
    """Whether `iterator` only slices its data in order or by a permutation (BatchIterator's own
    ``__iter__`` and ``transform``), so that the rows may be taken without it."""
    kind = type(iterator)
    return kind.__iter__ is BatchIterator.__iter__ and kind.transform is BatchIterator.transform


class BatchIterator:
    """BatchIterator(batch_size, shuffle=False, seed=42)

    Yields ``(Xb, yb)`` batches of `batch_size` rows (the last may be smaller), in a new random
    order each pass when `shuffle`. ``iterator(X, y)`` returns a copy bound to the data (so one
    BatchIterator may serve several threads at once); `X` may be a dict of arrays for nets
    with several inputs; `y` may be None.

    Subclass it and override ``transform(Xb, yb)`` to change batches on the fly, e.g. for data
    augmentation. ``self.test`` is False for the training iterator and True for the one used
    for validation and prediction.

    >>> [len(Xb) for Xb, yb in BatchIterator(4)(np.zeros((10, 2)))]
    [4, 4, 2]
    """

    test = False

    def __init__(self, batch_size, shuffle=False, seed=42):
        if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f"BatchIterator: batch_size must be a positive integer, got "
                             f"{batch_size!r}")
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.seed = seed
        self._random_seed = seed  # `random` is made from it when first used

    @property
    def random(self):
        """The RandomState that shuffles, seeded by the constructor's `seed`; made on first use
        (one costs ~0.2 ms, and a net copies its iterators at each fit, most never shuffling).
        A bound copy uses (and makes) its configured iterator's."""
        owner = self.__dict__.get("_configured", self)
        random = owner.__dict__.get("_random")
        if random is None:
            random = owner.__dict__["_random"] = np.random.RandomState(
                owner.__dict__.get("_random_seed", getattr(owner, "seed", 42)))
        return random

    @random.setter
    def random(self, value):
        self.__dict__["_random"] = value

    def __call__(self, X, y=None):
        # Each call gets its own copy bound to the data, so that threads predicting at once do
        # not iterate each other's rows. The copy shares the configured iterator's random
        # state, and attributes a subclass sets while iterating are written back to it.
        bound = object.__new__(type(self))
        bound.__dict__.update(self.__dict__, X=X, y=y, _configured=self)
        self.__dict__.update(X=X, y=y)  # as nolearn: len() of the iterator is the last data's
        return bound

    def __setattr__(self, name, value):
        super().__setattr__(name, value)
        configured = self.__dict__.get("_configured")
        if configured is not None and name not in ("X", "y"):
            setattr(configured, name, value)

    @property
    def n_samples(self):
        return num_samples(self.X)

    def __len__(self):
        return -(-self.n_samples // self.batch_size)

    def __bool__(self):
        # An iterator is configuration first: truthy even before data is bound, so that
        # ``iterator or BatchIterator(128)`` works.
        return True

    def __iter__(self):
        n, size = self.n_samples, self.batch_size
        order = self.random.permutation(n) if self.shuffle else None
        first = next(iter(self.X.values())) if isinstance(self.X, dict) else self.X
        if order is not None and isinstance(first, torch.Tensor):
            order = torch.as_tensor(order, device=first.device)  # gather on the device
        for start in range(0, n, size):
            index = slice(start, start + size) if order is None else order[start:start + size]
            Xb = take(self.X, index)
            yb = None if self.y is None else self.y[index]
            yield transformed(self.transform, Xb, yb)

    def transform(self, Xb, yb):
        """Change a batch before it reaches the network; returns ``(Xb, yb)``."""
        return Xb, yb

    def __getstate__(self):
        # The bound data is not part of the iterator's configuration.
        state = dict(self.__dict__)
        for name in ("X", "y", "_configured"):
            state.pop(name, None)
        return state

    def __setstate__(self, state):
        state = dict(state)
        if "random" in state:  # pickled before `random` was made on first use
            state["_random"] = state.pop("random")
        self.__dict__.update(state)

    def __repr__(self):
        return (f"{type(self).__name__}(batch_size={self.batch_size}, shuffle={self.shuffle}, "
                f"seed={self.seed})")


class TrainSplit:
    """TrainSplit(eval_size, stratify=True, shuffle=False, seed=42)

    Holds out the first of ``round(1 / eval_size)`` folds for validation: stratified by class
    for classifiers (unless ``stratify=False``), in data order unless `shuffle`. ``eval_size=0``
    trains on everything without validation. Called as ``split(X, y, net)``, it returns
    ``X_train, X_valid, y_train, y_valid``.

    >>> X_train, X_valid, y_train, y_valid = TrainSplit(0.25)(
    ...     np.arange(8), np.array([0, 1] * 4), type('Net', (), {'regression': False}))
    >>> X_valid.tolist(), y_valid.tolist()
    ([0, 1], [0, 1])
    """

    def __init__(self, eval_size, stratify=True, shuffle=False, seed=42):
        if not isinstance(eval_size, (int, float)) or not 0 <= eval_size < 1:
            raise ValueError(f"TrainSplit: eval_size must be in [0, 1), got {eval_size!r}")
        self.eval_size = eval_size
        self.stratify = stratify
        self.shuffle = shuffle
        self.seed = seed

    def __call__(self, X, y, net):
        train, valid = self.indices(X, y, net)
        if not self.eval_size:
            return X, take(X, valid), y, y[valid]
        return take(X, train), take(X, valid), y[train], y[valid]

    def indices(self, X, y, net):
        """The rows ``(train, valid)`` of X that `__call__` returns, as slices or index
        arrays: NeuralNet splits on them, taking views of X rather than copies."""
        n = num_samples(X)
        if not self.eval_size:
            return slice(None), slice(n, None)
        n_splits = round(1.0 / self.eval_size)
        random_state = self.seed if self.shuffle else None
        if getattr(net, "regression", False) or not self.stratify:
            folds = KFold(n_splits, shuffle=self.shuffle, random_state=random_state)
        else:
            folds = StratifiedKFold(n_splits, shuffle=self.shuffle, random_state=random_state)
        return next(folds.split(np.zeros(n), y))

    def __repr__(self):
        return (f"TrainSplit(eval_size={self.eval_size}, stratify={self.stratify}, "
                f"shuffle={self.shuffle}, seed={self.seed})")
