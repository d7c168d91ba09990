"""The modules the legacy shim serves as ``lasagne``, ``nolearn`` and ``theano``: each maps
the old names to sknet and raises `LegacyFeatureError` for the names it cannot emulate."""
