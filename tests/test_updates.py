import numpy as np
import pytest
import torch

from sknet import shared, updates

GRADS = [np.array([0.5, -1.0, 2.0]), np.array([0.1, 0.3, -0.4]), np.array([-2.0, 0.0, 1.0]),
         np.array([1.0, 1.0, 1.0])]


def lasagne_reference(name, hyper, steps):
    """Lasagne's update formulas in NumPy, applied to fixed gradients."""
    p = np.array([1.0, 2.0, 3.0])
    s = {"a": np.zeros(3), "b": np.zeros(3), "c": np.zeros(3)}
    lr = hyper["learning_rate"]
    for t, g in enumerate(GRADS[:steps], start=1):
        if name == "sgd":
            p = p - lr * g
        elif name in ("momentum", "nesterov_momentum"):
            s["a"] = hyper["momentum"] * s["a"] - lr * g
            p = p + (s["a"] if name == "momentum" else hyper["momentum"] * s["a"] - lr * g)
        elif name == "adagrad":
            s["a"] += g ** 2
            p = p - lr * g / np.sqrt(s["a"] + hyper["epsilon"])
        elif name == "rmsprop":
            s["a"] = hyper["rho"] * s["a"] + (1 - hyper["rho"]) * g ** 2
            p = p - lr * g / np.sqrt(s["a"] + hyper["epsilon"])
        elif name == "adadelta":
            rho, eps = hyper["rho"], hyper["epsilon"]
            s["a"] = rho * s["a"] + (1 - rho) * g ** 2
            update = g * np.sqrt(s["b"] + eps) / np.sqrt(s["a"] + eps)
            p = p - lr * update
            s["b"] = rho * s["b"] + (1 - rho) * update ** 2
        elif name in ("adam", "amsgrad"):
            b1, b2 = hyper["beta1"], hyper["beta2"]
            a_t = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
            s["a"] = b1 * s["a"] + (1 - b1) * g
            s["b"] = b2 * s["b"] + (1 - b2) * g ** 2
            s["c"] = np.maximum(s["c"], s["b"])
            second = s["c"] if name == "amsgrad" else s["b"]
            p = p - a_t * s["a"] / (np.sqrt(second) + hyper["epsilon"])
        elif name == "adamax":
            b1, b2 = hyper["beta1"], hyper["beta2"]
            s["a"] = b1 * s["a"] + (1 - b1) * g
            s["b"] = np.maximum(b2 * s["b"], np.abs(g))
            p = p - lr / (1 - b1 ** t) * s["a"] / (s["b"] + hyper["epsilon"])
    return p


def run(update, steps, **given):
    param = torch.nn.Parameter(torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64))
    optimizer = update([param], **given)
    for g in GRADS[:steps]:
        param.grad = torch.tensor(g)
        optimizer.step()
    return param.detach().numpy()


@pytest.mark.parametrize("name", ["sgd", "momentum", "nesterov_momentum", "adagrad", "rmsprop",
                                  "adadelta", "adam", "adamax", "amsgrad"])
def test_each_update_follows_lasagnes_formula(name):
    update = getattr(updates, name)
    given = {"learning_rate": 0.1} if name in ("sgd", "momentum", "nesterov_momentum") else {}
    hyper = update.hyperparameters(**given)
    np.testing.assert_allclose(run(update, 4, **given), lasagne_reference(name, hyper, 4),
                               rtol=1e-10)


def test_lasagne_default_hyperparameters():
    assert updates.nesterov_momentum.hyperparameters(learning_rate=0.01) == \
        {"learning_rate": 0.01, "momentum": 0.9}
    assert updates.adam.defaults == {"learning_rate": 0.001, "beta1": 0.9, "beta2": 0.999,
                                     "epsilon": 1e-8}
    assert updates.adamax.defaults["learning_rate"] == 0.002
    assert updates.rmsprop.defaults == {"learning_rate": 1.0, "rho": 0.9, "epsilon": 1e-6}
    assert updates.adadelta.defaults == {"learning_rate": 1.0, "rho": 0.95, "epsilon": 1e-6}
    assert updates.adagrad.defaults == {"learning_rate": 1.0, "epsilon": 1e-6}


def test_changing_the_learning_rate_keeps_lasagnes_velocity():
    # Lasagne's velocity already holds -lr * g: a new learning rate scales new gradients only.
    param = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    rate = shared(1.0)
    optimizer = updates.momentum([param], learning_rate=rate, momentum=0.5)
    param.grad = torch.ones(1, dtype=torch.float64)
    optimizer.step()  # v = -1, p = -1
    rate.set_value(0.1)
    updates.momentum.set_hyperparameters(optimizer, learning_rate=rate)
    optimizer.step()  # v = 0.5 * -1 - 0.1 = -0.6, p = -1.6
    assert optimizer.param_groups[0]["lr"] == 0.1
    assert param.item() == pytest.approx(-1.6)


def test_bad_hyperparameters_name_the_update_and_the_valid_names():
    with pytest.raises(ValueError, match=r"adam got unknown hyper-parameter\(s\) learning_rat "
                                         r"\(did you mean learning_rate\?\)"):
        updates.adam([torch.nn.Parameter(torch.zeros(1))], learning_rat=0.1)
    with pytest.raises(ValueError, match="sgd needs learning_rate"):
        updates.sgd([torch.nn.Parameter(torch.zeros(1))])


def test_updates_pickle_by_name():
    import copy
    import pickle
    assert pickle.loads(pickle.dumps(updates.adam)) is updates.adam
    assert copy.deepcopy(updates.nesterov_momentum) is updates.nesterov_momentum


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad_clears_gradients_as_torch_optimizers_do(set_to_none):
    """sknet's update rules clear gradients as torch.optim.SGD does: to None by default,
    to zeros in the same tensor with set_to_none=False; a step after it moves nothing."""
    ours, theirs = torch.nn.Parameter(torch.ones(3)), torch.nn.Parameter(torch.ones(3))
    optimizers = [updates.momentum([ours], learning_rate=0.1),
                  torch.optim.SGD([theirs], lr=0.1)]
    for param, optimizer in zip((ours, theirs), optimizers):
        (param * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
        grad = param.grad
        optimizer.zero_grad(set_to_none=set_to_none)
        if set_to_none:
            assert param.grad is None
        else:
            assert param.grad is grad and grad.tolist() == [0.0, 0.0, 0.0]
    optimizers[0].step()
    assert ours.tolist() == [1.0, 1.0, 1.0]
