"""init_metadata, overlaid by MODEL_METADATA from the environment."""


class MetadataModel:
    def predict(self, X, features_names):
        return X

    def init_metadata(self):
        return {
            "name": "from-init",
            "versions": ["v-init"],
            "platform": "seldon",
            "inputs": [{"messagetype": "tensor", "schema": {"names": ["a", "b"], "shape": [2]}}],
            "outputs": [{"name": "out", "datatype": "FP32", "shape": [1, 2]}],
            "custom": {"author": "compat"},
        }
