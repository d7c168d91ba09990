"""Seed 003's MLP (784-100-10) trained by several processes at once, data parallel: torchrun
starts the processes, ``NeuralNet(distributed=True)`` makes their fits one.

Every process (rank) runs this whole script on the same data. Each trains on its share of
every batch, torch's DistributedDataParallel averages the gradients, and rank 0 prints the
tables, writes the parameter file and prints the test accuracy last. The global batch stays
128 digits: each of N ranks takes 128 / N of it, so the net trains as one process would.

    torchrun --standalone --nproc_per_node 2 examples/train_torchrun.py    # 2 processes here
    python examples/train_torchrun.py                                      # 1 process
    python examples/train_torchrun.py --quick                              # a smoke run

On several machines, run the same command on each with torchrun's rendezvous flags, e.g.
``torchrun --nnodes 2 --nproc_per_node 4 --rdzv-backend c10d --rdzv-endpoint HOST:29400
--rdzv-id job1 examples/train_torchrun.py`` (docs/scaling.md). With CUDA, each process takes
the GPU of its local rank.
"""
import argparse
import os

from sknet import BatchIterator
from sknet.ddp import is_main_process
from mnist_cnn import load_split
from mnist_mlp import build_mlp as seed_003_mlp

GLOBAL_BATCH = 128


def build_mlp(max_epochs, processes):
    """Seed 003's MLP, its global batch cut into one share per process."""
    return seed_003_mlp(max_epochs, regression=False).set_params(
        batch_iterator_train=BatchIterator(GLOBAL_BATCH // processes),
        random_state=0,
        distributed=True,  # under torchrun: one net across the processes
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run on little data")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--output-dir", default=None,
                        help="write the trained parameters there (rank 0 only)")
    args = parser.parse_args(argv)

    processes = int(os.environ.get("WORLD_SIZE", 1))  # torchrun sets it
    X_train, y_train, X_test, y_test = load_split(quick=args.quick, flat=True,
                                                  standardize=False)
    net = build_mlp(2 if args.quick else args.epochs, processes)
    net.fit(X_train, y_train)
    if args.output_dir:
        net.save_params_to(os.path.join(args.output_dir, "train_torchrun_params.pkl"))
    accuracy = net.score(X_test, y_test)  # every rank can predict: no other rank needed
    if is_main_process(net):
        print(f"processes: {processes}, global batch: {GLOBAL_BATCH}")
        print(f"test accuracy: {accuracy:.3f}")


if __name__ == "__main__":
    main()
