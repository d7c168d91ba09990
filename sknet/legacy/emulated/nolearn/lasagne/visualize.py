"""``nolearn.lasagne.visualize`` under the legacy shim: sknet's plots (matplotlib)."""
from sknet.legacy.renames import missing_attributes, stand_ins
from sknet.visualize import (draw_to_file, plot_conv_activity, plot_conv_weights,  # noqa
                             plot_loss, plot_occlusion, plot_saliency)

globals().update(stand_ins("nolearn.lasagne.visualize", ["draw_to_notebook"],
                           "draw the graph with draw_to_file and display the image"))
__getattr__ = missing_attributes("nolearn.lasagne.visualize")
