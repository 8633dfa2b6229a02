"""The Open Inference Protocol (V2) for the same user class the Seldon v1 runtime serves.

Module map (imports go down this list, never up):
  rest          the V2 REST routes as a WSGI app (beside or instead of the v1 app)
  grpc_service  inference.GRPCInferenceService handlers for the runtime's gRPC server
  json_codec    REST bodies <-> InferRequest / tensors      proto_codec  gRPC messages <-> the same
  dataplane     transport-neutral health, metadata, infer over `component.Component`
  tensors       V2 tensors <-> the user's X, names and return value (the mapping of docs/v2-protocol.md)

Layer rule: like rest/ and grpc_server, the transports only translate; what the user's method
receives and how its result becomes outputs is decided once, in `tensors` and `dataplane`.
"""
