"""The models of test/compat_v2/models/ours written as MLServer 1.7.1 MLModels, for the same V2 requests.

Where MLServer's codecs differ from our documented mapping (docs/v2-protocol.md: NumpyCodec and
StringCodec add a trailing dimension to 1-D outputs), the output's shape is set to the mapping's,
so the tests compare what the transports do with the same tensors.
"""

import numpy as np
from mlserver import MLModel
from mlserver.codecs import NumpyCodec, PandasCodec, StringCodec
from mlserver.types import InferenceRequest, InferenceResponse, Parameters, ResponseOutput


class Echo(MLModel):
    async def predict(self, payload: InferenceRequest) -> InferenceResponse:
        if len(payload.inputs) > 1:  # ours: X is a dict by input name, returned as one output per key
            outputs = []
            for request_input in payload.inputs:
                output = NumpyCodec.encode_output(request_input.name, NumpyCodec.decode_input(request_input))
                output.shape = list(request_input.shape)
                outputs.append(output)
            return InferenceResponse(model_name=self.name, outputs=outputs)
        request_input = payload.inputs[0]
        if request_input.datatype == "BYTES":  # NumpyCodec cannot decode BYTES of unequal lengths over gRPC
            output = ResponseOutput(name="output-1", shape=request_input.shape, datatype="BYTES",
                                    data=request_input.data, parameters=Parameters(content_type="np"))
            return InferenceResponse(model_name=self.name, parameters=Parameters(content_type="np"), outputs=[output])
        arr = NumpyCodec.decode_input(request_input)
        output = NumpyCodec.encode_output("output-1", arr)
        output.shape = list(request_input.shape)
        return InferenceResponse(model_name=self.name, parameters=Parameters(content_type="np"), outputs=[output])


class Classifier(MLModel):
    async def predict(self, payload: InferenceRequest) -> InferenceResponse:
        X = NumpyCodec.decode_input(payload.inputs[0])
        scores = np.exp(np.asarray(X, dtype=np.float64)[:, :3])
        proba = scores / scores.sum(axis=1, keepdims=True)
        names = ["setosa", "versicolor", "virginica"]
        outputs = [NumpyCodec.encode_output(name, proba[:, i:i + 1]) for i, name in enumerate(names)]
        return InferenceResponse(model_name=self.name, outputs=outputs)


class Upper(MLModel):
    async def predict(self, payload: InferenceRequest) -> InferenceResponse:
        texts = StringCodec.decode_input(payload.inputs[0])
        output = StringCodec.encode_output("output-1", [text.upper() for text in texts])
        output.shape = [len(texts)]
        return InferenceResponse(model_name=self.name, parameters=Parameters(content_type="str"), outputs=[output])


class Frame(MLModel):
    async def predict(self, payload: InferenceRequest) -> InferenceResponse:
        frame = PandasCodec.decode_request(payload)
        return PandasCodec.encode_response(self.name, frame)


class Failing(MLModel):
    async def predict(self, payload: InferenceRequest) -> InferenceResponse:
        raise ValueError("model failed on purpose")
