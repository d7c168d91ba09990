"""``nolearn.lasagne.visualize`` under the legacy shim: sknet's plots (matplotlib)."""
from sknet.legacy.renames import missing_attributes
from sknet.visualize import (draw_to_file, draw_to_notebook, plot_conv_activity,  # noqa
                             plot_conv_weights, plot_loss, plot_occlusion, plot_saliency)

__getattr__ = missing_attributes("nolearn.lasagne.visualize")
