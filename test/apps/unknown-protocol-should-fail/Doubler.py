"""Never served: PROTOCOL=v3 in .s2i/environment must stop assemble before anything is installed."""


class Doubler:
    def predict(self, X, features_names):
        return X
