import numpy as np


class Classifier:
    """Softmax over the first three columns of X (FP64), one output per class name."""

    class_names = ["setosa", "versicolor", "virginica"]

    def init_metadata(self):
        return {"platform": "numpy", "inputs": [{"name": "features", "datatype": "FP64", "shape": [-1, 4]}],
                "outputs": [{"name": name, "datatype": "FP64", "shape": [-1, 1]} for name in self.class_names]}

    def predict(self, X, names):
        scores = np.exp(np.asarray(X, dtype=np.float64)[:, :3])
        return scores / scores.sum(axis=1, keepdims=True)
