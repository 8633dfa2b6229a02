"""Routes on the first value: 0/1 as int, 2 as np.int64 (rejected by the reference), 3 raises."""
import numpy as np


class Router:
    def route(self, X, features_names):
        first = int(np.asarray(X, dtype=float).flat[0])
        if first == 2:
            return np.int64(2)
        if first == 3:
            raise ValueError("no route for 3")
        if first == 4:
            return -1
        return first
