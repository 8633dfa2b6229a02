"""health_status_raw returns a dict verbatim; health_status of a SeldonComponent-derived class is not implemented."""
from seldon_core.user_model import SeldonComponent


class HealthRaw(SeldonComponent):
    def predict(self, X, features_names, **kwargs):
        return X

    def health_status_raw(self):
        return {"strData": "raw healthy", "meta": {"tags": {"h": 1}}}
