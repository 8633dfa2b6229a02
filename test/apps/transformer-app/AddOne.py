"""An input transformer: adds one to every feature."""
import numpy as np


class AddOne:
    def transform_input(self, X, feature_names):
        return np.asarray(X) + 1
