"""health_status returns an array; metadata defaults."""


class HealthModel:
    def predict(self, X, features_names):
        return X

    def health_status(self):
        return [[1, 2, 3]]
