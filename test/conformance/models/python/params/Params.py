"""Constructor kwargs from PREDICTIVE_UNIT_PARAMETERS (INT, FLOAT, DOUBLE, STRING, BOOL)."""


class Params:
    def __init__(self, a, b, c, d, e=None):
        self.params = {name: [type(value).__name__, value] for name, value in
                       dict(a=a, b=b, c=c, d=d, e=e).items()}

    def predict(self, X, features_names):
        return self.params
