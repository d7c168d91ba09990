"""Old scikit-learn modules the legacy shim serves: ``sklearn.cross_validation`` and
``sklearn.grid_search`` (scikit-learn 0.17)."""
