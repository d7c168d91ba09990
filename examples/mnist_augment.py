"""Data augmentation through a BatchIterator subclass, on mnist_vgg_bn.py's network.

Each training batch is moved on the fly by a random affine map per digit, as Keras'
ImageDataGenerator did in seeds 001 and 002: shifts of up to 2 pixels, rotations of up to 10
degrees and zoom of up to 10%. The iterator overrides ``transform(Xb, yb)`` and leaves
validation and prediction batches alone (``self.test``). Same data, split and net as
mnist_vgg_bn.py, trained for all 50 epochs while the learning rate anneals (no EarlyStopping:
with augmented batches the net keeps improving while the valid loss of 400 digits jitters).
The test accuracy is printed last (0.992).

    python examples/mnist_augment.py            # about 3 minutes on 2 CPU cores
    python examples/mnist_augment.py --quick    # a smoke run on a few hundred digits
"""
import argparse

import numpy as np
import torch
import torch.nn.functional as F

from sknet import BatchIterator
from mnist_cnn import load_split
from mnist_vgg_bn import build_vgg_bn


class AffineBatchIterator(BatchIterator):
    """Shuffled batches whose training images are shifted by up to `max_shift` pixels, rotated
    by up to `max_rotation` degrees and zoomed by up to `max_zoom` (a fraction), each digit
    independently; the image border is repeated into the space uncovered."""

    def __init__(self, batch_size, shuffle=True, seed=42, max_shift=2, max_rotation=10,
                 max_zoom=0.1):
        super().__init__(batch_size, shuffle=shuffle, seed=seed)
        self.max_shift = max_shift
        self.max_rotation = max_rotation
        self.max_zoom = max_zoom

    def transform(self, Xb, yb):
        if self.test:
            return Xb, yb
        n, _, height, width = Xb.shape
        angle = np.deg2rad(self.random.uniform(-self.max_rotation, self.max_rotation, n))
        zoom = self.random.uniform(1 - self.max_zoom, 1 + self.max_zoom, n)
        # affine_grid works in coordinates where the image spans [-1, 1]
        shift = self.random.uniform(-self.max_shift, self.max_shift, (n, 2)) * 2
        shift /= np.array([width, height])
        cos, sin = np.cos(angle) / zoom, np.sin(angle) / zoom
        theta = np.stack([np.stack([cos, -sin, shift[:, 0]], 1),
                          np.stack([sin, cos, shift[:, 1]], 1)], 1)
        grid = F.affine_grid(torch.as_tensor(theta, dtype=torch.float32), list(Xb.shape),
                             align_corners=False)
        moved = F.grid_sample(torch.as_tensor(Xb), grid, padding_mode="border",
                              align_corners=False)
        return moved.numpy(), yb


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run on little data")
    parser.add_argument("--epochs", type=int, default=50)
    args = parser.parse_args(argv)

    X_train, y_train, X_test, y_test = load_split(args.quick)
    np.random.seed(42)
    torch.manual_seed(42)
    net = build_vgg_bn(2 if args.quick else args.epochs,
                       batch_iterator_train=AffineBatchIterator(64), patience=None)
    net.fit(X_train, y_train)
    accuracy = net.score(X_test, y_test)
    print(f"\ntest accuracy: {accuracy:.4f}")
    return accuracy


if __name__ == "__main__":
    main()
