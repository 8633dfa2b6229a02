"""An output transformer: adds one, and a tag from meta."""
import numpy as np


class OutputTransformer:
    def transform_output(self, X, feature_names, meta=None):
        self._seen = (meta or {}).get("tags", {})
        return np.asarray(X) + 1

    def tags(self):
        return {"output": "transformed"}
