"""Returns its input: the tiny-request benchmark model."""


class EchoModel:
    def predict(self, X, features_names, meta=None):
        return X
