import numpy as np


class Classifier:
    """Softmax over the first three columns of X (FP64), one output per class name."""

    class_names = ["setosa", "versicolor", "virginica"]

    def predict(self, X, names):
        scores = np.exp(np.asarray(X, dtype=np.float64)[:, :3])
        return scores / scores.sum(axis=1, keepdims=True)
