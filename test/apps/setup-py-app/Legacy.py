"""A model packaged the old way (setup.py with install_requires)."""
import six


class Legacy:
    def predict(self, X, features_names):
        return X

    def tags(self):
        return {"six": six.__version__}
