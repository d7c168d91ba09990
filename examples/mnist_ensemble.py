"""Model averaging and pseudo-labelling (seed 001, models 12 and 13) with sknet estimators.

The 4,000 training digits of mnist_cnn.py's split are divided: 3,000 keep their labels, 1,000
become an unlabelled pool (their labels are thrown away). Then, measured on the same 1,000
test digits:

1. three of mnist_cnn.py's CNNs, differing only in their random seed, each alone;
2. their averaged class probabilities (model averaging);
3. pseudo-labelling: the average labels the unlabelled pool, and a fresh CNN trains on the
   3,000 labelled digits plus the 1,000 pseudo-labelled ones (a quarter of its data, as the
   seed advises), then joins the average.

It prints the accuracy of each step; the last line is the final ensemble's.

    python examples/mnist_ensemble.py            # about 4.5 minutes on 2 CPU cores
    python examples/mnist_ensemble.py --quick    # a smoke run on a few hundred digits
"""
import argparse

import numpy as np
import torch
from sklearn.model_selection import train_test_split

from mnist_cnn import build_cnn, load_split


def train_cnn(X, y, epochs, seed):
    """One of mnist_cnn.py's CNNs, trained quietly from seed `seed`."""
    np.random.seed(seed)
    torch.manual_seed(seed)
    net = build_cnn(epochs)
    net.verbose = 0
    return net.fit(X, y)


def accuracy(probabilities, y):
    return np.mean(probabilities.argmax(axis=1) == y)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run on little data")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--models", type=int, default=3)
    args = parser.parse_args(argv)

    X_train, y_train, X_test, y_test = load_split(args.quick)
    epochs = 2 if args.quick else args.epochs
    X_labelled, X_pool, y_labelled, _ = train_test_split(X_train, y_train, test_size=0.25,
                                                         stratify=y_train, random_state=0)

    members = []
    for seed in range(args.models):
        members.append(train_cnn(X_labelled, y_labelled, epochs, seed))
        print(f"model {seed + 1}: test accuracy "
              f"{accuracy(members[-1].predict_proba(X_test), y_test):.4f}")
    singles = [accuracy(net.predict_proba(X_test), y_test) for net in members]
    averaged = accuracy(np.mean([net.predict_proba(X_test) for net in members], axis=0), y_test)

    pool_labels = np.mean([net.predict_proba(X_pool) for net in members], axis=0).argmax(1)
    pseudo = train_cnn(np.concatenate([X_labelled, X_pool]),
                       np.concatenate([y_labelled, pool_labels]), epochs, seed=args.models)
    pseudo_alone = accuracy(pseudo.predict_proba(X_test), y_test)
    final = accuracy(np.mean([net.predict_proba(X_test) for net in members + [pseudo]], axis=0),
                     y_test)

    print(f"\nmean of the {len(members)} single models:        {np.mean(singles):.4f}")
    print(f"average of their probabilities:       {averaged:.4f}")
    print(f"pseudo-labelled model alone:          {pseudo_alone:.4f}")
    print(f"test accuracy, average with it added: {final:.4f}")
    return final


if __name__ == "__main__":
    main()
