import copy
import pickle

import numpy as np
import pytest
import torch

from sknet.layers import DropoutLayer, GaussianNoiseLayer, dropout_channels, get_output
from sknet.random import get_rng, set_rng
from tests.conftest import as_numpy


def test_dropout_zeros_a_fraction_p_and_rescales_the_rest():
    x = np.ones((200, 500), np.float32)
    out = as_numpy(get_output(DropoutLayer((None, 500), p=0.3), x))
    kept = out != 0
    assert abs(1 - kept.mean() - 0.3) < 0.01
    np.testing.assert_allclose(out[kept], 1 / 0.7, rtol=1e-6)


def test_dropout_without_rescale_keeps_values():
    out = as_numpy(get_output(DropoutLayer((None, 100), p=0.5, rescale=False), np.ones((5, 100))))
    assert set(np.unique(out)) == {0.0, 1.0}


def test_deterministic_dropout_and_noise_pass_the_input_through():
    x = np.random.randn(4, 10).astype(np.float32)
    for layer in (DropoutLayer((None, 10)), GaussianNoiseLayer((None, 10))):
        np.testing.assert_array_equal(as_numpy(get_output(layer, x, deterministic=True)), x)


def test_dropout_channels_drops_whole_feature_maps():
    out = as_numpy(get_output(dropout_channels((None, 50, 4, 4), p=0.5), np.ones((8, 50, 4, 4))))
    per_map = out.reshape(8, 50, 16)
    assert (per_map.min(-1) == per_map.max(-1)).all()
    assert 0 < (per_map[..., 0] == 0).mean() < 1


def test_gaussian_noise_has_the_given_sigma():
    out = as_numpy(get_output(GaussianNoiseLayer((None, 1000), sigma=0.5), np.zeros((100, 1000))))
    assert abs(out.std() - 0.5) < 0.01 and abs(out.mean()) < 0.01


def test_dropout_probability_must_be_below_one():
    with pytest.raises(ValueError, match=r"p must be in \[0, 1\), got 1.5"):
        DropoutLayer((None, 10), p=1.5)


@pytest.fixture
def own_rng():
    """Restores sknet's (and lasagne.random's) generator after a test that sets it."""
    previous = get_rng()
    yield
    set_rng(previous)


def _noise_outputs(seed):
    set_rng(np.random.RandomState(seed))
    layers = [DropoutLayer((None, 40), p=0.5), dropout_channels((None, 3, 4, 4), p=0.5),
              GaussianNoiseLayer((None, 40), sigma=1.0)]
    inputs = [torch.ones(8, 40), torch.ones(8, 3, 4, 4), torch.zeros(8, 40)]
    return [layer.get_output_for(x) for layer, x in zip(layers, inputs)], layers


def test_set_rng_with_the_same_seed_gives_the_same_noise(own_rng):
    first, layers = _noise_outputs(5)
    torch.manual_seed(123)  # the layers' generators do not depend on torch's
    second, _ = _noise_outputs(5)
    third, _ = _noise_outputs(6)
    for a, b, c in zip(first, second, third):
        assert torch.equal(a, b) and not torch.equal(a, c)
    assert set(np.unique(as_numpy(first[0]))) == {0.0, 2.0}  # still dropout, rescaled
    # each layer drew its seed as Lasagne's did: one randint(1, 2147462579) from the rng
    expected = np.random.RandomState(5)
    assert [layer.seed for layer in layers] == [expected.randint(1, 2147462579) for _ in range(3)]


def test_a_copied_or_pickled_noise_layer_continues_its_random_stream(own_rng):
    set_rng(np.random.RandomState(0))
    layer = DropoutLayer((None, 40))
    x = torch.ones(8, 40)
    layer.get_output_for(x)
    copied, unpickled = copy.deepcopy(layer), pickle.loads(pickle.dumps(layer))
    following = layer.get_output_for(x)
    assert torch.equal(copied.get_output_for(x), following)
    assert torch.equal(unpickled.get_output_for(x), following)


def test_with_numpys_global_generator_noise_follows_torch_manual_seed():
    assert get_rng() is np.random
    layer, x = DropoutLayer((None, 40)), torch.ones(8, 40)
    torch.manual_seed(7)
    first = layer.get_output_for(x)
    torch.manual_seed(7)
    assert torch.equal(first, layer.get_output_for(x))
    np.random.seed(3)  # and building it took one seed from NumPy's generator, as Lasagne
    assert DropoutLayer((None, 4)).seed == np.random.RandomState(3).randint(1, 2147462579)


def test_a_dropout_layer_pickled_before_its_own_stream_existed_still_runs():
    layer = DropoutLayer((None, 40))
    state = layer.__getstate__()
    for key in ("seed", "_generators", "_generator_states"):  # as an older sknet pickled it
        del state[key]
    old = DropoutLayer.__new__(DropoutLayer)
    old.__setstate__(state)
    torch.manual_seed(1)
    out = old.get_output_for(torch.ones(8, 40))
    torch.manual_seed(1)
    assert torch.equal(out, layer.get_output_for(torch.ones(8, 40)))


def test_a_shared_dropout_rate_or_noise_level_changes_while_the_layer_is_in_use():
    from sknet import shared
    rate = shared(0.0)
    layer, x = DropoutLayer((None, 400), p=rate), torch.ones(50, 400)
    assert torch.equal(layer.get_output_for(x), x)
    rate.set_value(0.75)
    kept = layer.get_output_for(x) != 0
    assert abs(kept.float().mean().item() - 0.25) < 0.02
    with pytest.raises(ValueError, match="p must be in"):
        DropoutLayer((None, 4), p=shared(1.0))
    sigma = shared(0.0)
    noise = GaussianNoiseLayer((None, 400), sigma=sigma)
    assert torch.equal(noise.get_output_for(x), x)
    sigma.set_value(2.0)
    assert abs(noise.get_output_for(x).std().item() - 2.0) < 0.05
