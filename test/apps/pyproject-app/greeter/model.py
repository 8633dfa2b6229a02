"""A model inside a package (MODEL_NAME=greeter.model.Greeter) whose dependency comes from pyproject.toml."""
import six


class Greeter:
    def predict(self, X, features_names):
        return X

    def tags(self):
        return {"six": six.__version__, "module": __name__}
