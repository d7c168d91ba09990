"""One net trained by several processes at once (data parallel), on torch.distributed.

Opt-in: ``NeuralNet(..., distributed=True)`` started by ``torchrun --nproc_per_node N
script.py``. Every process (rank) runs the same script and the same ``net.fit(X, y)``; sknet
joins torchrun's process group (gloo on the CPU, nccl on CUDA) unless the script already did,
and for that fit:

- cuts every epoch into the global batches one process would see with N times the training
  batch size, and gives rank r its contiguous 1/N of each (`DataParallel.shard`), so that
  "2 ranks x batch 64" trains like "1 process x batch 128";
- runs the training forward through torch's ``DistributedDataParallel``, which averages the
  gradients, so every rank takes the same step and holds the same weights;
- sums the epoch's losses, scores and row counts over the ranks before they are recorded, so
  that the history, the printed table, EarlyStopping and every handler see the same numbers
  on every rank;
- gives each rank's noise layers (dropout) their own random stream, so that the ranks'
  shares get different masks;
- lets rank 0 alone print (stdout is silenced on the others during fit) and write files
  (`is_main_process`: save_params_to, SaveWeights, WeightLog).

Without a process group (a plain ``python script.py``) or with one process, ``distributed=True``
changes nothing. Predicting needs no other rank: `net.module_` is the plain network.
"""
import atexit
import contextlib
import os

import numpy as np
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

from .batching import BatchIterator, num_samples, take
from .data import batches as checked_batches
from .layers.noise import NoiseLayer
from .precision import backward
from .targets import split_weights

__all__ = ["data_parallel", "is_main_process", "DataParallel"]


def launched_by_torchrun():
    """Whether this process was started by torchrun (or a launcher setting the same
    variables), whose environment tells ``init_process_group`` where the others are."""
    return all(name in os.environ for name in ("RANK", "WORLD_SIZE", "MASTER_ADDR",
                                               "MASTER_PORT"))


def _in_process_group():
    return dist.is_available() and dist.is_initialized()


def is_main_process(net=None):
    """False only on the ranks other than 0 of a distributed fit (`net` given with
    ``distributed=True`` in a process group): those skip printing and writing files.

    >>> is_main_process()
    True
    """
    if net is not None and not getattr(net, "distributed", False):
        return True
    return not _in_process_group() or dist.get_rank() == 0


def _join_process_group(device):
    """Join torchrun's process group unless the script already did: nccl for a CUDA
    `device`, gloo otherwise. Returns whether this process is in a group."""
    if _in_process_group():
        return True
    if not launched_by_torchrun():
        return False
    dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    atexit.register(_leave_process_group)
    return True


def _leave_process_group():
    if _in_process_group():
        dist.destroy_process_group()


def _check(net):
    """The checks a distributed fit needs, before any training (bad input: ValueError)."""
    distributed = getattr(net, "distributed", False)  # nets pickled before it existed
    if not isinstance(distributed, (bool, np.bool_)):
        raise ValueError(f"distributed must be True or False, got {distributed!r}")
    for name in ("batch_iterator_train", "batch_iterator_test"):
        if distributed and not isinstance(getattr(net, name), BatchIterator):
            raise ValueError(f"distributed=True needs a BatchIterator (or a subclass) as "
                             f"{name}, to cut global batches; got {getattr(net, name)!r}")


@contextlib.contextmanager
def data_parallel(net):
    """The block of `net`'s training (`fit`, `partial_fit`): with ``distributed=True`` in a
    process group of several ranks, train one net across them (see the module's docstring);
    otherwise do nothing."""
    _check(net)
    device = torch.device(net.device)
    if (not getattr(net, "distributed", False) or not _join_process_group(device)
            or dist.get_world_size() == 1):
        yield
        return
    backend = dist.get_backend()
    if device.type != "cuda" and "gloo" not in str(backend):
        raise ValueError(f"distributed=True with device={net.device!r} needs a process group "
                         f"with the gloo backend; this one uses {backend}")
    net.data_parallel_ = DataParallel(net)
    try:
        with contextlib.ExitStack() as stack:
            if dist.get_rank() != 0:  # one table, one set of messages: rank 0's
                silent = stack.enter_context(open(os.devnull, "w"))
                stack.enter_context(contextlib.redirect_stdout(silent))
            yield
    finally:
        del net.data_parallel_


class DataParallel:
    """One distributed fit of a net: its DDP-wrapped network, this rank's share of the
    batches, and the epoch sums over the ranks (lives for the fit, never pickled)."""

    def __init__(self, net):
        self.rank, self.world = dist.get_rank(), dist.get_world_size()
        device = torch.device(net.device)
        if device.type == "cuda" and device.index is None:
            device = torch.device("cuda", torch.cuda.current_device())
        self.device = device
        trained = {id(p) for group in net.optimizer_.param_groups for p in group["params"]}
        unused = any(p.requires_grad and id(p) not in trained for p in net.module_.parameters())
        # DDP broadcasts rank 0's weights (and buffers) now, so every rank starts alike
        self.module = DistributedDataParallel(
            net.module_, device_ids=[device.index] if device.type == "cuda" else None,
            find_unused_parameters=unused)
        self.global_rows = None  # rows of the global batch being trained on
        self.stand_in = None
        self._own_noise(net)

    def _own_noise(self, net):
        """Give this rank's noise layers (dropout) a random stream of their own: the ranks run
        the same script with the same seeds, and would draw the same masks for their shares.
        Rank 0 keeps its stream; rank r re-seeds from a number drawn from it, plus r."""
        noise = [layer for layer in net.layers_.values() if isinstance(layer, NoiseLayer)]
        if self.rank == 0 or not noise:
            return
        generators = [layer.generator(self.device) for layer in noise]
        for generator in generators:
            if generator is not None:
                generator.manual_seed(_drawn_seed(generator) + self.rank)
        if None in generators:  # layers drawing from torch's global generators
            torch.manual_seed(_drawn_seed(None) + self.rank)

    def shard(self, batches, training):
        """This rank's rows of each of the epoch's global batches: `batches` (the iterator
        bound to the data) with its batch size times the number of ranks. Rank r takes rows
        [start_r, stop_r) of each, the first ``rows % world`` ranks one row more. A rank
        whose share of a short last batch is empty still steps while training (a zero
        gradient: the ranks' steps must pair up) and skips it in validation."""
        if batches is None:
            return None
        self._check_same_data(batches.n_samples, batches.batch_size, training)
        batches.__dict__["batch_size"] = batches.batch_size * self.world  # this copy only
        return self._rows(checked_batches(batches), training)

    def _rows(self, batches, training):
        for Xb, yb in batches:
            rows = num_samples(Xb)
            quotient, extra = divmod(rows, self.world)
            start = self.rank * quotient + min(self.rank, extra)
            part = slice(start, start + quotient + (self.rank < extra))
            self.global_total = _loss_divisor(yb, rows)
            if part.stop > part.start or training:
                if part.stop == part.start:
                    self.stand_in = (take(Xb, slice(0, 1)), _rows_of(yb, slice(0, 1)))
                yield take(Xb, part), _rows_of(yb, part)
        if training:
            self.sync_buffers()

    def _check_same_data(self, rows, batch_size, training):
        """Refuse, on every rank alike, data or batch sizes that differ between the ranks
        (their steps would not pair up) and sets with fewer rows than ranks."""
        mine = torch.tensor([rows, -rows, batch_size, -batch_size], device=self.device)
        dist.all_reduce(mine, op=dist.ReduceOp.MAX)
        most, least, largest, smallest = mine[0].item(), -mine[1].item(), mine[2].item(), \
            -mine[3].item()
        name = "training" if training else "validation"
        if most != least or largest != smallest:
            raise ValueError(
                f"distributed=True: every process must fit the same X and y with the same "
                f"batch size; the {name} sets have {least} to {most} rows and the batch "
                f"sizes are {smallest} to {largest} across the {self.world} processes")
        if rows < self.world:
            raise ValueError(f"distributed=True over {self.world} processes needs at least "
                             f"{self.world} {name} rows; got {rows}")

    def train_step(self, net, batch):
        """`net`'s training step through DDP. Each rank's mean loss is weighted by its share
        of the global batch (of its rows, or of its sample weights; times the number of
        ranks, as DDP averages the gradients), so that the step is the one a single process
        takes on the global batch, also when the shares differ."""
        rows = num_samples(batch[0])
        weight = (_loss_divisor(batch[1], rows) * self.world / self.global_total
                  if self.global_total else 0.0)
        loss, output, target = net._batch_loss(batch if rows else self.stand_in,
                                               training=True, module=self.module)
        backward(loss if weight == 1 else loss * weight, net.__dict__.get("grad_scaler_"),
                 net.optimizer_)
        if not rows:  # the stand-in row trained nothing and counts for nothing
            output = ([o[:0] for o in output] if isinstance(output, list) else output[:0])
            return net._step_result(loss.detach() * 0, output, target[:0])
        return net._step_result(loss, output, target)

    def sum_over_ranks(self, epoch_totals, batch_losses):
        """Replace each rank's epoch sums (and row counts ``n``) by their totals over all
        ranks, in one all-reduce; the ranks' sums have the same names (every rank has rows of
        each set). When the total training loss is not finite, also sum the per-batch losses,
        so that every rank names the same batch."""
        layout = [(prefix, name) for prefix in sorted(epoch_totals)
                  for name in sorted(epoch_totals[prefix])]
        sums = torch.stack([torch.as_tensor(epoch_totals[p][n], dtype=torch.float64,
                                            device=self.device).reshape(()) for p, n in layout])
        dist.all_reduce(sums)
        for (prefix, name), value in zip(layout, sums.tolist()):
            epoch_totals[prefix][name] = int(value) if name == "n" else value
        train_loss = epoch_totals.get("train", {}).get("loss", 0.0)
        if not np.isfinite(train_loss) and batch_losses:
            losses = torch.stack(batch_losses).to(self.device)
            dist.all_reduce(losses)
            batch_losses[:] = list(losses)

    def sync_buffers(self):
        """Give every rank rank 0's buffers (BatchNorm's running averages) after an epoch's
        training, as DDP does before each training forward: each rank updated its own with
        its own rows, and validation and prediction must agree."""
        for buffer in self.module.module.buffers():
            dist.broadcast(buffer, 0)


def _drawn_seed(generator):
    """A seed drawn from `generator` (torch's global one for None)."""
    device = "cpu" if generator is None else generator.device
    return int(torch.randint(2 ** 62, (), generator=generator, device=device))


def _loss_divisor(y, rows):
    """What a batch's mean loss divides by: its rows, or the sum of its sample weights."""
    weights = split_weights(y)[1]
    return rows if weights is None else float(weights.sum())


def _rows_of(y, part):
    return None if y is None else y[part]
