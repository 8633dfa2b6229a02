"""The language-neutral conformance suite of the Seldon Core v1 protocol (README.md says how to run and extend it).

Code map:
    cases/rest.json, cases/grpc.json   the cases (data): request, model, and a deviation where ours differs on purpose
    expected/rest.json, grpc.json      the reference's recorded answers (written by record.py, never by hand)
    models.json                        each model: MODEL_NAME, SERVICE_TYPE, environment, directory per language
    models/<language>/<directory>/     the user models, once per language
    wrappers/<wrapper>.json            how a wrapper starts, and the cases it declares unsupported (with reasons)
    proto/                             seldon-core 1.17.1's prediction.proto, the gRPC contract under test
    suite.py                           loading cases/models/answers, sending a case, normalising an answer
    wrapper.py                         starting one wrapper process (command template or image) on loopback ports
    grpc_client.py                     a gRPC client compiled from proto/ at run time
    record.py                          re-records expected/ from seldon-core 1.17.1 (.venv-ref)
    conftest.py, test_conformance.py   the pytest runner
"""
