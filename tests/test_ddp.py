"""One net trained by two processes (sknet.ddp), on the CPU with gloo: the same training as one
process with the two ranks' batches together, the same numbers on both ranks, one printer and
one writer."""
import contextlib
import io
import os
import pickle
import socket
import subprocess
import sys
import time

import numpy as np
import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from sknet import BatchIterator, NeuralNet, TrainSplit, layers, nonlinearities
from sknet.ddp import is_main_process
from sknet.handlers import SaveWeights
from sknet.params import read_params

from .nets import classification_data, mlp, mlp_regressor, regression_data

WORLD = 2
EPOCHS = 3


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def data():
    # 604 rows, a quarter held out: 453 training rows, so the last global batch of 128 has
    # 69 rows and the ranks' shares of it differ by one (35 and 34)
    return classification_data(n=604, features=10)


def ddp_mlp(batch_size, **kwargs):
    """The deterministic MLP: no dropout, no shuffling, seeded weights."""
    settings = dict(max_epochs=EPOCHS, batch_iterator_train=BatchIterator(batch_size),
                    batch_iterator_test=BatchIterator(batch_size),
                    train_split=TrainSplit(eval_size=0.25), random_state=0)
    return mlp(**{**settings, **kwargs})


def batch_norm_net():
    l_in = layers.InputLayer((None, 10))
    hidden = layers.batch_norm(layers.DenseLayer(l_in, 16))
    output = layers.DenseLayer(hidden, 3, nonlinearity=nonlinearities.softmax)
    return NeuralNet(output, update_learning_rate=0.05, max_epochs=2, random_state=1,
                     batch_iterator_train=BatchIterator(50), distributed=True)


def short_regressor(batch_size, **kwargs):
    """A regressor (nolearn's objective on the network's output) on 257 rows without
    validation: the last global batch of 128 has one row, so rank 1 has none of it."""
    return mlp_regressor(batch_iterator_train=BatchIterator(batch_size), train_split=None,
                         max_epochs=2, random_state=0, **kwargs)


def dropout_net(random_state):
    return mlp(layers=[("input", layers.InputLayer), ("hidden", layers.DenseLayer),
                       ("dropout", layers.DropoutLayer), ("output", layers.DenseLayer)],
               max_epochs=1, train_split=None, batch_iterator_train=BatchIterator(64),
               random_state=random_state, distributed=True)


def _training_output(net):
    """The network's output in training mode (dropout on) for fixed input."""
    net.module_.train()
    with torch.no_grad():
        return net.module_(torch.ones(8, 10)).numpy()


def _rank_main(rank, port, folder):
    """One rank: environment as torchrun sets it (sknet joins the group), two fits."""
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(rank),
                      WORLD_SIZE=str(WORLD), LOCAL_RANK=str(rank))
    torch.set_num_threads(1)
    import sknet.handlers
    import sknet.net
    writes, pickles = [], []  # the files this rank wrote
    write_params, atomic_write = sknet.net.write_params, sknet.handlers.atomic_write
    sknet.net.write_params = lambda path, values: (writes.append(path),
                                                   write_params(path, values))
    sknet.handlers.atomic_write = lambda path: (pickles.append(path), atomic_write(path))[1]
    X, y = data()
    net = ddp_mlp(64, distributed=True, verbose=1, on_epoch_finished=[
        SaveWeights(os.path.join(folder, "epoch{epoch}.pkl")),
        SaveWeights(os.path.join(folder, "checkpoint.pkl"), pickle=True)])
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        net.fit(X, y)
    net.save_params_to(os.path.join(folder, "final.pkl"))
    bn = batch_norm_net().fit(X, y)  # a second fit: the process group is already there
    short = short_regressor(64, distributed=True).fit(*regression_data(n=257))
    weighted = ddp_mlp(64, distributed=True).fit(X, y, sample_weight=sample_weights(len(y)))
    # equal shares (256 rows): without their own streams, the ranks would draw alike
    dropouts = [dropout_net(seed).fit(X[:256], y[:256]) for seed in (3, None)]
    result = {"params": net.get_all_params_values(), "history": list(net.train_history_),
              "stdout": out.getvalue(), "writes": writes, "pickles": pickles,
              "proba": net.predict_proba(X),
              "main": is_main_process(net), "pickle": pickle.dumps(net),
              "bn_buffers": [b.numpy() for b in bn.module_.buffers()],
              "bn_proba": bn.predict_proba(X), "short": short.get_all_params_values(),
              "short_history": list(short.train_history_),
              "weighted": weighted.get_all_params_values(),
              "dropout_params": [d.get_all_params_values() for d in dropouts],
              "dropout_outputs": [_training_output(d) for d in dropouts]}
    with open(os.path.join(folder, f"rank{rank}.pkl"), "wb") as f:
        pickle.dump(result, f)
    dist.destroy_process_group()


def run_ranks(folder, timeout=120):
    """Start the ranks as processes (torch.multiprocessing), fail on an error or a hang."""
    context = mp.start_processes(_rank_main, args=(free_port(), str(folder)), nprocs=WORLD,
                                 join=False, start_method="spawn")
    deadline = time.monotonic() + timeout
    try:
        while not context.join(timeout=1):
            if time.monotonic() > deadline:
                pytest.fail(f"the {WORLD} ranks did not finish in {timeout} s")
    finally:
        for process in context.processes:
            if process.is_alive():
                process.kill()
    return [pickle.load(open(folder / f"rank{r}.pkl", "rb")) for r in range(WORLD)]


@pytest.fixture(scope="module")
def ranks(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ddp")
    return run_ranks(folder), folder


@pytest.fixture(scope="module")
def one_process():
    """The reference: one process, batches of 2 x 64 rows (distributed=True, no group)."""
    X, y = data()
    return ddp_mlp(64 * WORLD, distributed=True).fit(X, y)


def sample_weights(n):
    """Uneven weights, so that the ranks' shares of a batch's weight differ from their
    shares of its rows."""
    return np.random.RandomState(5).randint(1, 6, size=n).astype(np.float64)


def max_difference(a, b):
    return max(float(np.abs(x - z).max()) for key in a for x, z in zip(a[key], b[key]))


def test_two_ranks_of_batch_64_train_as_one_process_of_batch_128(ranks, one_process):
    (first, second), _ = ranks
    X, y = data()
    n_train = len(TrainSplit(eval_size=0.25)(X, y, one_process)[0])
    assert n_train % 128 % 2 == 1  # the last batch's shares differ by a row
    assert max_difference(first["params"], one_process.get_all_params_values()) <= 1e-5
    assert max_difference(first["params"], second["params"]) == 0  # the same weights


def test_two_ranks_train_a_weighted_fit_as_one_process(ranks):
    (first, second), _ = ranks
    X, y = data()
    one = ddp_mlp(64 * WORLD, distributed=True).fit(X, y, sample_weight=sample_weights(len(y)))
    assert max_difference(first["weighted"], one.get_all_params_values()) <= 1e-5
    assert max_difference(first["weighted"], second["weighted"]) == 0


def test_a_rank_without_rows_of_the_last_batch_adds_nothing_to_the_step(ranks):
    (first, second), _ = ranks
    one = short_regressor(128).fit(*regression_data(n=257))
    assert max_difference(first["short"], one.get_all_params_values()) <= 1e-5
    assert max_difference(first["short"], second["short"]) == 0
    np.testing.assert_allclose([row["train_loss"] for row in second["short_history"]],
                               [row["train_loss"] for row in one.train_history_], rtol=1e-5)


def test_both_ranks_record_the_one_process_losses_and_scores(ranks, one_process):
    (first, second), _ = ranks
    keys = ["train_loss", "valid_loss", "valid_accuracy", "train_loss_best", "valid_loss_best"]
    for row_0, row_1, row in zip(first["history"], second["history"], one_process.train_history_):
        assert [row_0[k] for k in keys] == [row_1[k] for k in keys]
        np.testing.assert_allclose([row_0[k] for k in keys], [row[k] for k in keys], atol=1e-5)
    assert len(first["history"]) == EPOCHS


def test_only_rank_0_prints_and_writes(ranks):
    (first, second), folder = ranks
    assert first["stdout"].count("train loss") == 1  # one epoch table
    assert first["stdout"].count("# Neural Network with") == 1
    assert len([l for l in first["stdout"].splitlines() if l.strip()[:1].isdigit()]) >= EPOCHS
    assert second["stdout"] == ""
    assert (first["main"], second["main"]) == (True, False)
    expected = [str(folder / f"epoch000{e}.pkl") for e in range(1, EPOCHS + 1)]
    assert first["writes"] == expected + [str(folder / "final.pkl")]
    assert second["writes"] == []
    assert first["pickles"] == [str(folder / "checkpoint.pkl")] * EPOCHS
    assert second["pickles"] == []
    saved = read_params(folder / "final.pkl")  # the arrays (without sknet's record of shapes)
    assert max_difference(saved, first["params"]) == 0


def test_a_net_pickled_by_a_rank_predicts_in_a_plain_process(ranks):
    (first, _), folder = ranks
    X, _ = data()
    after_fit = pickle.loads(first["pickle"])
    checkpoint = pickle.load(open(folder / "checkpoint.pkl", "rb"))  # pickled while training
    for net in (after_fit, checkpoint):
        assert "data_parallel_" not in vars(net)
        np.testing.assert_allclose(net.predict_proba(X), first["proba"], atol=1e-6)
    assert not dist.is_initialized()


def test_batch_norm_ranks_keep_rank_0s_running_averages(ranks):
    (first, second), _ = ranks
    for mine, theirs in zip(first["bn_buffers"], second["bn_buffers"]):
        np.testing.assert_array_equal(mine, theirs)
    np.testing.assert_array_equal(first["bn_proba"], second["bn_proba"])
    assert not np.allclose(first["bn_buffers"][0], 0)  # the averages did move


def test_dropout_draws_other_masks_on_each_rank_and_the_weights_stay_equal(ranks):
    (first, second), _ = ranks
    for mine, theirs in zip(first["dropout_params"], second["dropout_params"]):
        assert max_difference(mine, theirs) == 0
    for mine, theirs in zip(first["dropout_outputs"], second["dropout_outputs"]):
        assert not np.allclose(mine[0], mine[1])  # dropout was on: rows of ones differ
        assert not np.allclose(mine, theirs)


def test_distributed_must_be_a_bool_and_a_single_process_ignores_it(one_process):
    X, y = data()
    net = ddp_mlp(64, distributed="yes")
    with pytest.raises(ValueError, match="distributed must be True or False, got 'yes'"):
        net.fit(X, y)
    assert len(net.set_params(distributed=False).fit(X, y, epochs=1).train_history_) == 1
    plain = ddp_mlp(64 * WORLD).fit(X, y)  # the same net, distributed=False
    assert max_difference(one_process.get_all_params_values(),
                          plain.get_all_params_values()) == 0


def test_the_example_runs_under_torchrun_with_two_processes(tmp_path):
    pytest.importorskip("mlxtend")
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone",
               f"--nproc_per_node={WORLD}", "train_torchrun.py", "--quick",
               "--output-dir", str(tmp_path)]
    done = subprocess.run(command, cwd="examples", capture_output=True, text=True,
                          timeout=180, env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert done.stdout.count("  epoch    train loss") == 1  # rank 0's table only
    assert lines[-2:-1] == [f"processes: {WORLD}, global batch: 128"]
    assert lines[-1].startswith("test accuracy: ") and 0 < float(lines[-1].split()[-1]) <= 1
    assert (tmp_path / "train_torchrun_params.pkl").stat().st_size > 300_000


def test_under_torchrun_each_process_takes_the_gpu_of_its_local_rank(monkeypatch):
    from sknet.distributed import worker_device
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 4)
    monkeypatch.setenv("LOCAL_RANK", "3")
    assert worker_device("cuda") == "cuda:3"
    assert worker_device("cuda:0") == "cuda:0"  # an explicit device is the user's choice
    monkeypatch.setenv("LOCAL_RANK", "5")  # more processes than GPUs on this machine
    assert worker_device("cuda") == "cuda:1"
    monkeypatch.delenv("LOCAL_RANK")
    assert worker_device("cuda") == "cuda"
