"""init_metadata with a non-string custom value: metadata validation fails."""


class BadMetadata:
    def predict(self, X, features_names):
        return X

    def init_metadata(self):
        return {"name": "bad", "custom": {"n": 1}}
