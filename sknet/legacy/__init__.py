"""Run nolearn / Lasagne / Theano-era scripts unchanged (opt-in; importing sknet never does
this).

``python -m sknet.legacy old_script.py [args]`` runs a script with the shim installed;
``sknet.legacy.install()`` installs it in this process. Installed, ``import lasagne``,
``from nolearn.lasagne import NeuralNet``, ``import theano`` ... resolve to sknet; old names
warn once with their modern spelling; what sknet cannot emulate fails at import or
construction with a pointer to docs/porting.md.
"""
from ..params import read_params
from .renames import LegacyFeatureError, LegacyNameWarning
from .shim import install, installed, uninstall

__all__ = ["install", "uninstall", "installed", "load_lasagne_params", "LegacyFeatureError",
           "LegacyNameWarning"]


def load_lasagne_params(path):
    """The parameter values in a Theano-era file: ``{layer name: [arrays]}`` from nolearn's
    ``save_params_to``, or ``[arrays]`` from Lasagne's ``get_all_param_values`` (pickled or
    ``np.savez``'d), Python 2 pickles included. Pass them to ``NeuralNet.load_params_from``
    or ``sknet.layers.set_all_param_values``; the layouts are Lasagne's, so nothing needs
    converting for the same layer classes."""
    return read_params(path)
