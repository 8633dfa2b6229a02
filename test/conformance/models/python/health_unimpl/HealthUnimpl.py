"""A SeldonComponent subclass with no health_status: 'not implemented - assuming healthy'."""
from seldon_core.user_model import SeldonComponent


class HealthUnimpl(SeldonComponent):
    def predict(self, X, features_names, **kwargs):
        return X
