"""Exercises most optional methods of a seldon-core user class (spec §4)."""
import logging
import time

import numpy as np

from seldon_core.metrics import create_counter, create_gauge, create_timer
from seldon_core.user_model import SeldonResponse

logger = logging.getLogger(__name__)


class FullModel:
    def __init__(self, scale=1.0, label="x", flag=False, count=0):
        self.scale, self.label, self.flag, self.count = scale, label, flag, count
        self.loaded = 0

    def load(self):
        self.loaded += 1
        logger.info("FullModel loaded")

    def predict(self, X, names, meta=None):
        if isinstance(X, (bytes, str, dict)):
            return X
        if isinstance(X, np.ndarray) and X.dtype.kind in "if" and X.size and X.flat[0] == 42:
            return SeldonResponse(X * self.scale, tags={"runtime": "yes"},
                                  metrics=[create_gauge("runtime_gauge", 7.0)])
        if isinstance(X, np.ndarray) and X.dtype.kind in "if" and X.size and X.flat[0] == 13:
            raise ValueError("unlucky input")
        if isinstance(X, np.ndarray) and X.dtype.kind in "if" and X.size and X.flat[0] == 7:
            time.sleep(float(X.flat[1]))
        return X * self.scale if isinstance(X, np.ndarray) and X.dtype.kind in "if" else X

    def tags(self):
        return {"model": self.label, "params": f"{self.scale}/{self.flag}/{self.count}", "loaded": self.loaded}

    def metrics(self):
        return [create_counter("full_calls", 1, {"kind": "call"}), create_timer("full_time", 20.0)]

    def class_names(self):
        return None

    def route(self, X, names):
        return int(X.flat[0]) if X.size else -1

    def aggregate(self, features_list, names_list):
        return np.concatenate([np.asarray(f, dtype=float).reshape(-1) for f in features_list]).reshape(1, -1)

    def send_feedback(self, features, feature_names, reward, truth, routing=None):
        return [[reward, len(features)]]

    def health_status(self):
        return {"healthy": True}

    def init_metadata(self):
        return {"name": "full", "versions": ["v1"],
                "inputs": [{"messagetype": "ndarray", "schema": {"names": ["a", "b"]}}]}
