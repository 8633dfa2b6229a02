"""init_metadata() with an unknown top-level key: /metadata must answer 500 MICROSERVICE_BAD_METADATA."""


class BadMetaModel:
    def predict(self, X, names):
        return X

    def init_metadata(self):
        return {"name": "bad", "colour": "red"}
