"""Names its output columns with class_names()."""
import numpy as np


class ClassNames:
    def predict(self, X, features_names):
        return np.array([[0.1, 0.9], [0.8, 0.2]])

    def class_names(self):
        return ["cat", "dog"]
