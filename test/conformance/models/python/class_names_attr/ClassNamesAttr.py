"""Deprecated style: class_names as a list attribute."""


class ClassNamesAttr:
    class_names = ["low", "high"]

    def predict(self, X, features_names):
        return [[1, 2], [3, 4]]
