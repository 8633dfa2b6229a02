"""The simplest seldon-core model: returns its input unchanged."""


class Echo:
    def predict(self, X, features_names):
        return X
