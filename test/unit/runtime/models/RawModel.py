"""Raw hooks: predict_raw chooses its own status; route returns an np.int64 (rejected)."""
import numpy as np


class RawModel:
    def predict_raw(self, msg):
        if isinstance(msg, dict):
            if msg.get("strData") == "teapot":
                return {"status": {"code": 418, "info": "short and stout"}}
            return {"jsonData": {"raw": True, "got": sorted(msg)},
                    "meta": {"metrics": [{"key": "raw_counter", "type": "COUNTER", "value": 1}]}}
        msg.strData = "raw grpc"
        return msg

    def route(self, X, names):
        return np.int64(1)

    def class_names(self):
        return ["first", "second"]
