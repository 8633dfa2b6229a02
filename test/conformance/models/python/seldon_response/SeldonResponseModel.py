"""Returns SeldonResponse with runtime tags and metrics, on top of static tags()."""
import numpy as np

from seldon_core.user_model import SeldonResponse


class SeldonResponseModel:
    def predict(self, X, features_names, meta=None):
        return SeldonResponse(data=np.asarray(X) * 2, tags={"runtime": "yes", "model_tag": "overridden"},
                              metrics=[{"type": "GAUGE", "key": "sr_gauge", "value": 5}])

    def transform_input(self, X, features_names, meta=None):
        return SeldonResponse(data=X, tags={"stage": "input"})

    def route(self, X, features_names):
        return SeldonResponse(data=1, tags={"routed": True})

    def tags(self):
        return {"model_tag": "static"}
