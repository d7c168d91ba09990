"""Lasagne's layers as torch modules: ``Layer(incoming, **params)`` with Lasagne's defaults."""
from .base import Layer, MergeLayer
from .conv import (BaseConvLayer, Conv1DLayer, Conv2DLayer, Conv3DLayer, Deconv2DLayer,
                   Deconv3DLayer, DilatedConv2DLayer, TransposedConv2DLayer,
                   TransposedConv3DLayer, conv_input_length, conv_output_length)
from .dense import DenseLayer, NINLayer
from .embedding import EmbeddingLayer
from .helper import (Network, count_params, feeding, get_all_layers, get_all_param_values,
                     get_all_params, get_output, get_output_shape, set_all_param_values)
from .input import InputLayer
from .local import LocallyConnected2DLayer
from .merge import (ConcatLayer, ElemwiseMergeLayer, ElemwiseSumLayer, autocrop,
                    autocrop_array_shapes, concat)
from .noise import (DropoutLayer, GaussianNoiseLayer, dropout, dropout_channels,
                    dropout_locations, spatial_dropout)
from .normalization import (BatchNormLayer, LocalResponseNormalization2DLayer,
                            StandardizationLayer, batch_norm, instance_norm, layer_norm)
from .pool import (FeaturePoolLayer, FeatureWTALayer, GlobalPoolLayer, MaxPool1DLayer,
                   MaxPool2DLayer, MaxPool3DLayer, Pool1DLayer, Pool2DLayer, Pool3DLayer,
                   SpatialPyramidPoolingLayer, Upscale1DLayer, Upscale2DLayer, Upscale3DLayer,
                   pool_output_length)
from .recurrent import CustomRecurrentLayer, Gate, GRULayer, LSTMLayer, RecurrentLayer
from .shape import (DimshuffleLayer, FlattenLayer, PadLayer, ReshapeLayer, SliceLayer,
                    dimshuffle, flatten, pad, reshape)
from .special import (BiasLayer, ExpressionLayer, InverseLayer, NonlinearityLayer,
                      ParametricRectifierLayer, RandomizedRectifierLayer, ScaleLayer, prelu, rrelu,
                      standardize)
from .transformer import TPSTransformerLayer, TransformerLayer
