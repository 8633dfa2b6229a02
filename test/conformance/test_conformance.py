"""Every case of cases/*.json against the wrapper under test, judged by the reference's recorded answer.

A case without `deviation` must get exactly the recorded answer (status, compared headers and body; gRPC: code,
details and message), error texts excepted for a profile with `"error_text": "code"`. A case with a `deviation`
must get the documented status/code AND differ from the recorded answer: a deviation that no longer deviates
is stale and fails, so the list stays true. A deviation may also pin what ours answers: `ours` (the body, exactly)
and, for a gRPC case, `same_as` (a REST case of the same model whose answer ours must carry: the same JSON, numbers
as protobuf doubles, or on an error the same message). Every comparison is type-strict (`true`, `1` and `1.0`
differ; suite.typed). The data tests below keep cases, answers, models and profiles in step.
"""

from __future__ import annotations

import fnmatch
import re
import subprocess
import sys

import pytest

from conformance import suite

MODELS = suite.models()
CASES = suite.cases()
CASE_BY_ID = {case.id: case for case in CASES}
EXPECTED = {api: suite.expected(api) for api in suite.APIS}
PARAMS = {api: [pytest.param(case, id=case.id, marks=pytest.mark.conformance_model(case.model))
                for case in CASES if case.api == api] for api in suite.APIS}


def judge(case: suite.Case, ours: dict, profile: suite.Profile, base_url: str = None) -> None:
    """Assert `ours` (a normalised answer) is the recorded one, or the documented deviation from it;
    `base_url` (the same wrapper's REST address) answers a deviation's `same_as` case."""
    entry = EXPECTED[case.api].get(case.id)
    assert entry is not None, f"no recorded answer for {case.id}: run test/conformance/record.py"
    assert entry["digest"] == suite.digest(case, MODELS[case.model]), \
        f"{case.id} or its model changed since the answer was recorded: run test/conformance/record.py"
    recorded = profile.comparable(entry["answer"])
    ours = profile.comparable(ours)
    deviation = case.deviation
    if deviation is None:
        if profile.error_text == "code":
            ours, recorded = suite.without_error_text(ours), suite.without_error_text(recorded)
        if profile.numbers == "protobuf" and case.api == "rest":
            ours, recorded = (dict(a, body=suite.as_protobuf_json(a["body"])) for a in (ours, recorded))
        assert suite.same(ours, recorded), "differs from the reference's recorded answer (no deviation documented):" \
            f"\nours:      {suite.typed(ours)[:1500]}\nreference: {suite.typed(recorded)[:1500]}"
        return
    assert not suite.same(ours, recorded), f"documented as a deviation ({deviation['doc']}) but answers like the " \
                                           "reference: remove the deviation"
    assert suite.outcome_of(ours) == suite.documented_outcome(deviation), f"{deviation['doc']}: ours answered {ours}"
    if case.api == "rest" and ours["status"] >= 400:
        assert suite.is_seldon_status(ours["body"]), ours
    if "ours" in deviation:
        assert suite.same(ours["body"], profile.comparable(deviation["ours"])), \
            f"{deviation['doc']}: ours answered\n{suite.typed(ours['body'])}\n" \
            f"the doc's rule:\n{suite.typed(deviation['ours'])}"
    if "same_as" in deviation:
        judge_carries_rest(ours, suite.answer(CASE_BY_ID[deviation["same_as"]], base_url, None), profile)


def judge_carries_rest(ours: dict, rest: dict, profile: suite.Profile) -> None:
    """A gRPC answer carries the REST answer of the same request: OK with the REST body (numbers as protobuf
    doubles), or an error whose details hold the REST error's message (docs/compatibility.md § Encoding of
    user results: 'gRPC carries the REST JSON')."""
    if ours["code"] == "OK":
        assert rest["status"] == 200, f"gRPC answered OK, REST {rest}"
        assert suite.same(profile.comparable(ours["body"]), profile.comparable(suite.as_protobuf_json(rest["body"]))), \
            f"gRPC must carry our REST JSON:\ngRPC: {suite.typed(ours['body'])}\nREST: {suite.typed(rest['body'])}"
        return
    assert rest["status"] >= 400 and suite.is_seldon_status(rest["body"]), f"gRPC answered {ours}, REST {rest}"
    if profile.error_text == "exact":
        assert rest["body"]["status"]["info"] in ours["details"], f"gRPC {ours['details']!r}, REST {rest['body']}"


@pytest.mark.parametrize("case", PARAMS["rest"])
def test_rest_case_answers_like_the_reference(case, wrapper, profile):
    base_url, _ = wrapper
    judge(case, suite.answer(case, base_url, None), profile)


@pytest.mark.parametrize("case", PARAMS["grpc"])
def test_grpc_case_answers_like_the_reference(case, wrapper, profile):
    base_url, client = wrapper
    judge(case, suite.answer(case, None, client), profile, base_url)


# --- the data stays consistent ----------------------------------------------------------------------------------

def test_case_ids_are_unique():
    ids = [case.id for case in CASES]
    assert sorted({i for i in ids if ids.count(i) > 1}) == []


def test_every_case_names_a_model_of_models_json():
    assert sorted({case.model for case in CASES} - set(MODELS)) == []


def test_every_case_has_a_recorded_answer_and_every_answer_a_case():
    for api in suite.APIS:
        ids = {case.id for case in CASES if case.api == api}
        assert sorted(ids ^ set(EXPECTED[api])) == [], f"expected/{api}.json is out of step: run record.py"


def test_every_recorded_answer_is_for_the_current_request_and_model():
    stale = [case.id for case in CASES if case.id in EXPECTED[case.api]
             and EXPECTED[case.api][case.id]["digest"] != suite.digest(case, MODELS[case.model])]
    assert stale == [], "changed since recorded: run test/conformance/record.py"


def test_record_py_without_the_reference_says_so_in_one_line_and_exits_1(tmp_path):
    result = subprocess.run([sys.executable, str(suite.HERE / "record.py"), "--reference-venv", str(tmp_path)],
                            capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.startswith("ERROR: no seldon-core-microservice in ") and result.stderr.count("\n") == 1
    assert "make reference-venv" in result.stderr


def test_every_python_model_directory_holds_its_model():
    for model in MODELS.values():
        assert (model.path("python") / f"{model.model_name}.py").is_file(), model.name


def test_every_deviation_points_at_a_section_of_the_compatibility_doc_and_documents_one_outcome():
    sections = suite.doc_sections()
    for case in CASES:
        if case.deviation:
            doc = case.deviation["doc"]
            assert doc.startswith(f"{suite.COMPAT_DOC} § "), case.id
            section = doc.split("§ ", 1)[1].split(":", 1)[0]
            assert any(heading.startswith(section) for heading in sections), f"{case.id}: no '{section}' section"
            for bullet in re.findall(r": '([^']+)'", doc):  # a named paragraph must be in that section
                assert bullet in suite.doc_section_text(section), f"{case.id}: no '{bullet}' in § {section}"
            assert case.deviation["reason"], case.id
            assert set(case.deviation) & {"status", "grpc_code"} == {"grpc_code" if case.api == "grpc" else "status"}
            assert set(case.deviation) <= {"doc", "reason", "status", "grpc_code", "ours", "same_as"}, case.id


def test_every_deviation_citing_where_the_reference_fails_has_a_recorded_reference_failure():
    """We answer differently from the reference only where it fails (docs/compatibility.md § Encoding of user
    results: 'Where the reference fails'): its recorded answer must be a 500 Seldon status."""
    cited = [case for case in CASES if case.deviation and "'Where the reference fails'" in case.deviation["doc"]]
    assert cited
    for case in cited:
        recorded = EXPECTED[case.api][case.id]["answer"]
        assert recorded["status"] == 500 and suite.is_seldon_status(recorded["body"]), case.id


def test_every_same_as_names_a_rest_case_of_the_same_model_sent_the_same_request():
    """`same_as` compares a gRPC answer with the REST answer to the same message: same model, same payload."""
    pairs = [(case, CASE_BY_ID.get(case.deviation["same_as"])) for case in CASES
             if case.deviation and "same_as" in case.deviation]
    assert pairs, "no same_as deviation left: drop the key from suite and README"
    for case, rest in pairs:
        assert case.api == "grpc" and rest is not None and rest.api == "rest", case.id
        assert (rest.model, rest.spec["path"], rest.spec.get("json")) == (case.model, "/predict", case.spec["request"])


@pytest.mark.parametrize("name", sorted(path.stem for path in (suite.HERE / "wrappers").glob("*.json")))
def test_every_unsupported_entry_of_a_wrapper_profile_matches_a_case_and_gives_a_reason(name):
    profile = suite.profile(name)
    assert profile.command and (suite.HERE / "models" / profile.language).is_dir(), name
    for pattern, reason in profile.unsupported.items():
        assert any(fnmatch.fnmatchcase(case.id, pattern) for case in CASES), f"{name}: {pattern} matches no case"
        assert len(reason) > 20, f"{name}: {pattern} needs a reason a reviewer can judge"


def test_the_suite_covers_every_service_type_and_every_grpc_service():
    service_types = {MODELS[case.model].service_type for case in CASES}
    assert service_types == {"MODEL", "ROUTER", "TRANSFORMER", "OUTPUT_TRANSFORMER", "COMBINER", "OUTLIER_DETECTOR"}
    services = {case.spec["service"] for case in CASES if case.api == "grpc"}
    assert services == {"Model", "Router", "Transformer", "OutputTransformer", "Combiner", "Generic", "Seldon"}


def test_the_suite_has_at_least_a_hundred_protocol_cases():
    """The brief of the differential suite asked for at least 100 cases; the conformance suite inherits them."""
    assert len(CASES) >= 100


def test_predict_raw_gets_a_binary_file_part_as_base64_bytes_and_json_bindata_as_text():
    """docs/compatibility.md § Request handling: 'Multipart parts': the reference's answers that the runner holds
    every wrapper to (describe_raw reports the type and repr of each key predict_raw receives)."""
    def bin_data(case_id):
        return EXPECTED["rest"][case_id]["answer"]["body"]["jsonData"]["binData"]
    assert bin_data("describe_raw-multipart-bin-file") == ["bytes", "b'AAFoaf8='"]
    assert bin_data("describe_raw-predict-bindata-json") == ["str", "'AAFoaf8='"]
