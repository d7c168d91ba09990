# Data for py2_digits.py, in Python 2: two classes of 16-pixel "digits", a bright left or right
# half. Imported by the script from its folder, so the shim converts it too.
import numpy as np


def make_digits(n):
    half_width = 16 / 2
    y = np.arange(n) % 2
    X = np.random.RandomState(1).uniform(0, 0.5, size=(n, 16))
    for i in xrange(n):
        if y[i]:
            X[i, half_width:] += 0.5
        else:
            X[i, :half_width] += 0.5
    return X.astype(np.float32), y.astype(np.int32)


def class_counts(y):
    counts = {}
    for label in y:
        counts[label] = counts.get(label, 0) + 1
    if not counts.has_key(0):
        print "no zeros"
    return counts
