"""A grid search whose fits run on a Dask cluster: an embedded LocalCluster by default, or the
cluster whose scheduler you name.

GridSearchCV tries seed 003's MLP (784-100-10) with 3 learning rates x 2 hidden-layer sizes,
3-fold cross-validation on the 4,000 training digits. Its fits go to the cluster through
joblib's Dask backend (`sknet.distributed.dask_backend`); the script prints the cluster,
``cv_results_`` as a pandas table, and the refitted best net's test accuracy last.

    python examples/sweep_cluster.py                          # 2 local worker processes
    python examples/sweep_cluster.py --workers 4              # 4 local worker processes
    python examples/sweep_cluster.py --scheduler tcp://10.0.0.5:8786   # a running cluster
    python examples/sweep_cluster.py --quick                  # a smoke run

A cluster of your own: ``dask scheduler`` on one machine, ``dask worker tcp://HOST:8786
--nworkers 2 --nthreads 1`` on each worker machine, every one with sknet installed
(``pip install "sknet[dask]"``). Needs the dask extra; the data loads on this machine and
travels to the workers with each fit.
"""
import argparse

import pandas as pd
from sklearn.model_selection import GridSearchCV

from sknet.distributed import dask_backend
from mnist_cnn import load_split
from mnist_mlp import build_mlp


def seed_003_mlp(max_epochs):
    return build_mlp(max_epochs, regression=False).set_params(verbose=0)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="a running Dask scheduler (tcp://host:8786); by default an "
                             "embedded LocalCluster")
    parser.add_argument("--workers", type=int, default=2,
                        help="worker processes of the embedded LocalCluster (one thread each)")
    parser.add_argument("--quick", action="store_true", help="a smoke run on little data")
    parser.add_argument("--epochs", type=int, default=20)
    args = parser.parse_args(argv)

    X_train, y_train, X_test, y_test = load_split(args.quick, flat=True, standardize=False)
    grid = {'update_learning_rate': [0.003, 0.01, 0.03], 'hidden_num_units': [50, 100]}
    epochs = args.epochs
    if args.quick:
        grid, epochs = {'update_learning_rate': [0.01, 0.03]}, 2

    local = {} if args.scheduler else {"n_workers": args.workers, "dashboard_address": None}
    with dask_backend(args.scheduler, **local) as client:
        print(f"cluster: {len(client.scheduler_info()['workers'])} workers at "
              f"{client.scheduler.address}")
        search = GridSearchCV(seed_003_mlp(epochs), grid, cv=3, n_jobs=-1)
        search.fit(X_train, y_train)

    results = pd.DataFrame(search.cv_results_)
    columns = ['param_' + name for name in grid] + ['mean_test_score', 'std_test_score',
                                                    'rank_test_score', 'mean_fit_time']
    table = results[columns].sort_values('rank_test_score')
    table.columns = [c.replace('param_', '') for c in columns]
    with pd.option_context('display.width', 120, 'display.precision', 4):
        print(table.to_string(index=False))
    print(f"\nbest: {search.best_params_}")
    accuracy = search.score(X_test, y_test)
    print(f"test accuracy of the best net: {accuracy:.4f}")
    return accuracy


if __name__ == "__main__":
    main()
