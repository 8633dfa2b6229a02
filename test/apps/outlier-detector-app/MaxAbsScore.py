"""An outlier detector: passes the input through, scoring it (largest absolute value) in the tags."""
import numpy as np


class MaxAbsScore:
    def __init__(self):
        self._score = None

    def transform_input(self, X, feature_names):
        self._score = float(np.max(np.abs(np.asarray(X, dtype=float))))
        return X

    def tags(self):
        return {"outlierScore": self._score}
