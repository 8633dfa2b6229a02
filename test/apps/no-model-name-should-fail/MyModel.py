"""A fine model, but .s2i/environment forgets MODEL_NAME: the build must say so."""


class MyModel:
    def predict(self, X, features_names):
        return X
