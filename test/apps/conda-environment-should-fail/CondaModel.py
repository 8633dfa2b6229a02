"""Declares its dependencies in a conda environment.yml only: unsupported, the build must say so."""


class CondaModel:
    def predict(self, X, features_names):
        return X
