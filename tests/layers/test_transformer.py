import numpy as np
import pytest
import torch

from sknet.layers import InputLayer, TPSTransformerLayer, TransformerLayer, get_output
from tests import reference
from tests.conftest import as_numpy

IDENTITY = np.array([[1, 0, 0, 0, 1, 0]], np.float32)


def _affine(shape, **kwargs):
    l_in, l_loc = InputLayer(shape), InputLayer((None, 6))
    return TransformerLayer(l_in, l_loc, **kwargs), l_in, l_loc


@pytest.mark.parametrize("border_mode", ["nearest", "mirror", "wrap"])
def test_affine_identity_returns_the_input_and_a_half_pixel_shift_interpolates(border_mode):
    layer, l_in, l_loc = _affine((None, 2, 5, 4), border_mode=border_mode)
    x = np.random.randn(3, 2, 5, 4).astype(np.float32)
    out = get_output(layer, {l_in: x, l_loc: IDENTITY.repeat(3, 0)})
    np.testing.assert_allclose(as_numpy(out), x, atol=1e-5)
    # columns [0, 10, 20] (width 3: x = -1, 0, 1 are pixels 0, 1, 2); shifting by 0.5 reads
    # halfway between pixels, and the last point, 2.5, reaches past the border
    layer, l_in, l_loc = _affine((None, 1, 2, 3), border_mode=border_mode)
    image = np.array([[[[0, 10, 20], [0, 10, 20]]]], np.float32)
    shift = np.array([[1, 0, 0.5, 0, 1, 0]], np.float32)
    last = {"nearest": 20, "wrap": 10, "mirror": 15}[border_mode]
    expected = [[[[5, 15, last], [5, 15, last]]]]
    np.testing.assert_allclose(as_numpy(get_output(layer, {l_in: image, l_loc: shift})),
                               expected, atol=1e-5)


@pytest.mark.parametrize("border_mode", ["nearest", "mirror", "wrap"])
def test_affine_transform_matches_the_reference_with_downsampling(border_mode):
    layer, l_in, l_loc = _affine((None, 2, 7, 6), downsample_factor=(1.5, 2),
                                 border_mode=border_mode)
    assert layer.output_shape == (None, 2, 4, 3)
    x = np.random.randn(2, 2, 7, 6).astype(np.float32)
    theta = (IDENTITY + np.random.randn(2, 6) * 0.6).astype(np.float32)
    expected = reference.affine_transform(x, theta, 4, 3, border_mode)
    np.testing.assert_allclose(as_numpy(get_output(layer, {l_in: x, l_loc: theta})), expected,
                               rtol=1e-4, atol=1e-4)


def test_affine_gradient_with_respect_to_theta_matches_finite_differences():
    layer, l_in, l_loc = _affine((None, 1, 5, 5))
    x = np.random.randn(1, 1, 5, 5).astype(np.float32)
    theta = torch.tensor(IDENTITY * 0.8 + [[0, 0.1, 0.13, -0.2, 0, 0.07]], requires_grad=True)
    weights = np.random.randn(1, 1, 5, 5)
    (get_output(layer, {l_in: x, l_loc: theta}) * torch.from_numpy(weights).float()).sum() \
        .backward()
    numeric = reference.numeric_gradient(
        lambda t: (reference.affine_transform(x, t, 5, 5, "nearest") * weights).sum(),
        as_numpy(theta), [(0, i) for i in range(6)], eps=1e-3)
    np.testing.assert_allclose(as_numpy(theta.grad)[0], numeric, rtol=1e-2, atol=1e-3)


def test_affine_refuses_what_lasagne_refuses():
    with pytest.raises(ValueError, match=r"localization network must have output shape: "
                                         r"\(batch_size, 6\)"):
        TransformerLayer(InputLayer((None, 1, 5, 5)), InputLayer((None, 5)))
    with pytest.raises(ValueError, match="input network must have a 4-dimensional output"):
        TransformerLayer(InputLayer((None, 5, 5)), InputLayer((None, 6)))
    with pytest.raises(ValueError, match="border_mode must be one of"):
        TransformerLayer(InputLayer((None, 1, 5, 5)), InputLayer((None, 6)), border_mode="edge")


@pytest.mark.parametrize("precompute_grid", [True, False])
def test_thin_plate_spline_matches_the_reference_and_zero_offsets_are_the_identity(
        precompute_grid):
    shape = (None, 2, 6, 5) if precompute_grid else (None, 2, None, None)
    l_in, l_loc = InputLayer(shape), InputLayer((None, 18))
    layer = TPSTransformerLayer(l_in, l_loc, control_points=9, precompute_grid=precompute_grid)
    assert layer.precompute_grid is precompute_grid
    x = np.random.randn(2, 2, 6, 5).astype(np.float32)
    np.testing.assert_allclose(as_numpy(get_output(layer, {l_in: x, l_loc: np.zeros((2, 18))})),
                               x, atol=1e-4)
    offsets = (np.random.randn(2, 18) * 0.3).astype(np.float32)
    expected = reference.thin_plate_spline_transform(x, offsets, 9, 6, 5, "nearest")
    np.testing.assert_allclose(as_numpy(get_output(layer, {l_in: x, l_loc: offsets})), expected,
                               rtol=1e-3, atol=1e-3)


def test_thin_plate_spline_downsamples_and_differentiates_the_offsets():
    l_in, l_loc = InputLayer((None, 1, 6, 6)), InputLayer((None, 8))
    layer = TPSTransformerLayer(l_in, l_loc, downsample_factor=2, control_points=4,
                                border_mode="wrap")
    assert layer.output_shape == (None, 1, 3, 3)
    x = np.random.randn(1, 1, 6, 6).astype(np.float32)
    offsets = torch.tensor(np.random.randn(1, 8) * 0.2, dtype=torch.float32, requires_grad=True)
    out = get_output(layer, {l_in: x, l_loc: offsets})
    np.testing.assert_allclose(
        as_numpy(out), reference.thin_plate_spline_transform(x, as_numpy(offsets), 4, 3, 3,
                                                             "wrap"), rtol=1e-3, atol=1e-3)
    weights = np.random.randn(1, 1, 3, 3)
    (out * torch.from_numpy(weights).float()).sum().backward()
    numeric = reference.numeric_gradient(
        lambda o: (reference.thin_plate_spline_transform(x, o, 4, 3, 3, "wrap")
                   * weights).sum(), as_numpy(offsets), [(0, i) for i in range(8)], eps=1e-3)
    np.testing.assert_allclose(as_numpy(offsets.grad)[0], numeric, rtol=1e-2, atol=1e-3)


def test_thin_plate_spline_refuses_what_lasagne_refuses():
    l_in = InputLayer((None, 1, 5, 5))
    with pytest.raises(ValueError, match="must be a perfect square"):
        TPSTransformerLayer(l_in, InputLayer((None, 20)), control_points=10)
    with pytest.raises(ValueError, match=r"\(batch_size, 2\*control_points\)"):
        TPSTransformerLayer(l_in, InputLayer((None, 16)))
    with pytest.raises(ValueError, match="Grid can only be precomputed if the input height"):
        TPSTransformerLayer(InputLayer((None, 1, None, 5)), InputLayer((None, 32)),
                            precompute_grid=True)
    layer = TPSTransformerLayer(l_in, InputLayer((None, 32)))
    assert "grid_basis" not in layer.state_dict() and layer.get_params() == []
