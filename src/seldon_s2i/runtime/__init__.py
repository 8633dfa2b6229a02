"""seldon-s2i's Seldon Core v1 microservice runtime (wire-compatible with seldon-core 1.17.1), also serving
the Open Inference (V2) protocol from the same user class (v2/).

Module map:
  __main__    entry point: `python -m seldon_s2i.runtime MODEL_NAME [flags]`
  settings    CLI flags, environment, pod annotations, the port rule -> Settings
  loader      importing the user class, PREDICTIVE_UNIT_PARAMETERS, load()
  server      process model: supervisor, gunicorn REST, gRPC workers, metrics, custom_service
  gunicorn_worker  the REST worker: gthread reading each request completely before the model sees it
  request_scan     when a buffered HTTP/1 request is complete (sans-IO, for gunicorn_worker)
  component   transport-neutral calls of user methods and meta merging
  codec       SeldonMessage decoding/encoding for REST dicts and gRPC protos
  encoding    user results -> JSON values, one rule set for REST bodies and gRPC jsonData/ndarray
  jsonout     Flask-jsonify-identical JSON bodies via orjson
  rest/       REST transport (WSGI fast path + Flask app)  grpc_server  gRPC services + reflection
  metrics     Prometheus multiprocess metrics    metadata     model metadata + validation
  errors      Seldon errors and duck typing of seldon-core's exceptions
  serve       `seldon-s2i serve DIR`
  v2/         the Open Inference (V2) protocol: REST routes, gRPC service, tensor mapping (PROTOCOL=v2|both)
"""
