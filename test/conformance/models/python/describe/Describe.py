"""Reports what the user method received: type and repr of X (predict) or of every message key (predict_raw)."""


def describe(value):
    return [type(value).__name__, repr(value)]


class Describe:
    def predict(self, X, features_names):
        return {"X": describe(X), "names": describe(features_names)}

