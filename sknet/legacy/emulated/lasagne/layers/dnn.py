"""``lasagne.layers.dnn`` under the legacy shim: cuDNN layers as sknet's layers (torch picks
cuDNN by itself on a GPU). They keep Lasagne's cross-correlation default."""
from sknet.legacy.layers import (BatchNormDNNLayer, Conv2DDNNLayer, Conv3DDNNLayer,  # noqa
                                 MaxPool2DDNNLayer, MaxPool3DDNNLayer, Pool2DDNNLayer,
                                 Pool3DDNNLayer, batch_norm_dnn)
from sknet.legacy.renames import missing_attributes, stand_ins

globals().update(stand_ins("lasagne.layers.dnn", ["SpatialPyramidPoolingDNNLayer"],
                           "not emulated yet"))
__getattr__ = missing_attributes("lasagne.layers.dnn")
