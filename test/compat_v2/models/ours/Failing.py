class Failing:
    """Raises on every call: a user exception must be a 500 with its message, the worker living on."""

    def predict(self, X, names):
        raise ValueError("model failed on purpose")
