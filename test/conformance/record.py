"""Re-record expected/*.json: every case's answer from the reference, seldon-core 1.17.1 (`.venv-ref`).

    .venv/bin/python test/conformance/record.py [--reference-venv .venv-ref] [--parallel 4]

Starts `seldon-core-microservice MODEL_NAME --service-type SERVICE_TYPE` on each model of models.json that a case
names (models/python/, the same environment a wrapper gets), sends it its cases, normalises the answers like the
runner does (suite.normalise: generated puid, object addresses) and rewrites expected/rest.json and grpc.json.
Deterministic: a second run writes the same files. Cases with a `deviation` are recorded too (the runner checks
that our wrapper still differs from them: a stale deviation fails). Exits 1 with one `ERROR:` line if the
reference is missing or a model's server does not start.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # test/: the conformance package and ports.py

from conformance import suite  # noqa: E402
from conformance.grpc_client import Client  # noqa: E402
from conformance.wrapper import WrapperProcess  # noqa: E402

REFERENCE_COMMAND = "{venv}/bin/seldon-core-microservice {{model_name}} --service-type {{service_type}}"


def record_model(venv: Path, model: suite.Model, cases: List[suite.Case]) -> List[Tuple[suite.Case, dict]]:
    """Start the reference on one model, answer its cases in order, stop it."""
    as_reference = dataclasses.replace(model, service_type=model.reference_service_type or model.service_type)
    server = WrapperProcess(REFERENCE_COMMAND.format(venv=venv), as_reference, model.path("python")).start()
    client = None
    try:
        server.wait_ready()
        client = Client(server.grpc_target)
        return [(case, suite.answer(case, server.base_url, client)) for case in cases]
    finally:
        if client:
            client.close()
        server.stop()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reference-venv", type=Path, default=suite.ROOT / ".venv-ref")
    parser.add_argument("--parallel", type=int, default=4, help="reference servers running at once")
    args = parser.parse_args(argv)
    if not (args.reference_venv / "bin" / "seldon-core-microservice").exists():
        print(f"ERROR: no seldon-core-microservice in {args.reference_venv}: run `make reference-venv`",
              file=sys.stderr)
        return 1
    models = suite.models()
    by_model: Dict[str, List[suite.Case]] = {}
    for case in suite.cases():
        by_model.setdefault(case.model, []).append(case)
    try:
        with ThreadPoolExecutor(args.parallel) as pool:
            results = list(pool.map(lambda name: record_model(args.reference_venv.resolve(), models[name],
                                                              by_model[name]), by_model))
    except RuntimeError as exc:
        print(f"ERROR: the reference did not serve: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 1
    answers = {case.id: answer for pairs in results for case, answer in pairs}
    for api in suite.APIS:
        recorded = {case.id: {"digest": suite.digest(case, models[case.model]), "answer": answers[case.id]}
                    for case in suite.cases(api)}
        suite.write_json_lines(suite.HERE / "expected" / f"{api}.json", recorded)
        print(f"expected/{api}.json: {len(recorded)} answers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
