"""Imports a module nobody installed: the build must fail with this traceback."""
import a_module_that_is_not_installed  # noqa: F401


class Broken:
    def predict(self, X, features_names):
        return X
