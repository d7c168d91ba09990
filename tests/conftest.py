import numpy as np
import pytest
import torch

# old scripts that only run through `python -m sknet.legacy` (tests/legacy/test_scripts.py)
collect_ignore_glob = ["legacy/scripts/*"]


@pytest.fixture(autouse=True)
def _seed():
    """Every test starts from the same random state (NumPy drives initializers, torch noise)."""
    np.random.seed(0)
    torch.manual_seed(0)


def as_numpy(tensor):
    return tensor.detach().cpu().numpy()
