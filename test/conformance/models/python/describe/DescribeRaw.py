"""Reports what predict_raw received: type and repr of every key of the message (REST dicts)."""
from Describe import describe


class DescribeRaw:
    def predict_raw(self, msg):
        if isinstance(msg, dict):
            return {"jsonData": {key: describe(value) for key, value in msg.items()}}
        return {"jsonData": {"type": type(msg).__name__}}
