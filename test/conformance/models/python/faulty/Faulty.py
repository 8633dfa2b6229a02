"""Misbehaves on request (strData selects how): user errors, wrong return types."""
from seldon_core.flask_utils import SeldonMicroserviceException


class Faulty:
    def predict(self, X, features_names):
        if X == "seldon-418":
            raise SeldonMicroserviceException("I am a teapot", status_code=418, reason="TEAPOT")
        if X == "seldon-default":
            raise SeldonMicroserviceException("bad input here")
        if X == "plain":
            raise ValueError("plain failure")
        if X == "none":
            return None
        if X == "tuple":
            return (1, 2)
        if X == "scalar":
            return 3.5
        if X == "key":
            return {"a": 1}["missing"]
        return X

    def transform_input(self, X, features_names):
        raise RuntimeError("transform failed")
