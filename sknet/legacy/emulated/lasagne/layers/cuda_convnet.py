"""``lasagne.layers.cuda_convnet`` under the legacy shim: cuda-convnet's layers as sknet's
layers in the bc01 axis order, keeping their defaults."""
from sknet.legacy.layers import Conv2DCCLayer, MaxPool2DCCLayer  # noqa
from sknet.legacy.renames import missing_attributes, stand_ins

globals().update(stand_ins("lasagne.layers.cuda_convnet", [
    "ShuffleBC01ToC01BLayer", "bc01_to_c01b", "ShuffleC01BToBC01Layer", "c01b_to_bc01",
    "NINLayer_c01b"], "sknet's layers take the bc01 axis order only"))
__getattr__ = missing_attributes("lasagne.layers.cuda_convnet")
