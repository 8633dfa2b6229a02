"""metrics() returns an invalid metric (no value): the reference answers 500 MICROSERVICE_BAD_METRIC."""


class BadMetric:
    def predict(self, X, features_names):
        return X

    def metrics(self):
        return [{"type": "COUNTER", "key": "oops"}]
