"""A worker that cannot start: load() raises, so the REST worker dies and the service must exit non-zero."""


class LoadFailsModel:
    def load(self):
        raise RuntimeError("weights file missing")

    def predict(self, X, names):
        return X
