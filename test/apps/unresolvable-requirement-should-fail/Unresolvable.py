"""Its requirements.txt names a distribution no index has: the build must fail."""


class Unresolvable:
    def predict(self, X, features_names):
        return X
