"""An output transformer: multiplies every value by ten."""
import numpy as np


class TimesTen:
    def transform_output(self, X, feature_names):
        return np.asarray(X) * 10
