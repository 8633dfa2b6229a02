"""`seldon-s2i deployment` as a user runs it (no engine: units from source directories, IMAGE=DIR;
the engine-backed path is test/integration/test_operator_contract.py's)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from seldon_s2i.cli import main

ARTICLE = Path(__file__).parent / "manifests" / "article-v1alpha2.yaml"


def run(capsys, *argv: str):
    try:
        code = main(["deployment", *argv])
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def one_error(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("ERROR: "), err
    return lines[0]


def test_a_transformer_and_its_model_are_printed_as_yaml_that_checks_clean(capsys, source_dir, tmp_path):
    transformer = source_dir("transformer", SERVICE_TYPE="TRANSFORMER")
    model = source_dir("model", SERVICE_TYPE="MODEL", API_TYPE="REST")
    code, out, err = run(capsys, f"my-registry/transformer:1.0={transformer}",
                         "--child", f"my-registry/model:2.0={model}", "--name", "pipeline", "--replicas", "2",
                         "-p", "offset=1:INT", "-a", "seldon.io/rest-timeout=100000")
    assert (code, err) == (0, "")
    manifest = yaml.safe_load(out)
    predictor = manifest["spec"]["predictors"][0]
    assert predictor["graph"] == {
        "name": "transformer", "type": "TRANSFORMER", "endpoint": {"type": "REST"},
        "parameters": [{"name": "offset", "value": "1", "type": "INT"}],
        "children": [{"name": "model", "type": "MODEL", "endpoint": {"type": "REST"}, "children": []}]}
    assert predictor["replicas"] == 2 and manifest["spec"]["annotations"] == {"seldon.io/rest-timeout": "100000"}
    written = tmp_path / "seldon-deploy.yaml"
    written.write_text(out)
    assert run(capsys, "--check", str(written)) == (0, f"{written}: 1 valid SeldonDeployment "
                                                        "(machinelearning.seldon.io/v1)\n", "")


def test_json_output_is_the_same_manifest(capsys, source_dir):
    model = source_dir("model", SERVICE_TYPE="MODEL")
    _, as_yaml, _ = run(capsys, f"m:1={model}")
    code, as_json, _ = run(capsys, f"m:1={model}", "-o", "json")
    assert code == 0 and json.loads(as_json) == yaml.safe_load(as_yaml)


def test_two_children_of_one_repository_get_distinct_names(capsys, source_dir):
    router, model = source_dir("router", SERVICE_TYPE="ROUTER"), source_dir("model", SERVICE_TYPE="MODEL")
    code, out, _ = run(capsys, f"router:1={router}", "--child", f"model:1={model}", "--child", f"model:2={model}")
    names = [c["name"] for c in yaml.safe_load(out)["spec"]["predictors"][0]["componentSpecs"][0]["spec"]["containers"]]
    assert (code, names) == (0, ["router", "model", "model-2"])


def test_check_lists_every_problem_with_its_path_and_exits_1(capsys):
    code, out, err = run(capsys, "--check", str(ARTICLE))
    assert (code, out) == (1, "")
    assert one_error(err) == (f"ERROR: {ARTICLE}: $.spec.predictors[0].graph.name: graph node 'classifier' has no "
                              "container of that name in componentSpecs (and no implementation)")


def test_check_reads_several_documents_and_names_each(capsys, tmp_path):
    text = ARTICLE.read_text().replace("name: classifier", "name: my-model-graph")
    both = tmp_path / "both.yaml"
    both.write_text(text + "---\n" + text.replace("replicas: 1", "replicas: one"))
    code, _, err = run(capsys, "--check", str(both))
    assert code == 1
    assert one_error(err) == (f"ERROR: {both} (document 2): $.spec.predictors[0].replicas: 'one' is not of type "
                              "'integer'")


@pytest.mark.parametrize("argv, status, fragment", [
    (["{model}", "-p", "threshold"], 2, "parameter 'threshold' is not of the form -p NAME=VALUE:TYPE"),
    (["{model}", "-p", "n=1.5:INT"], 2, "'1.5' is not a valid INT value"),
    (["{model}", "--name", "My_Model"], 2, "--name 'My_Model' is not a DNS-1123 label"),
    (["{model}", "-a", "rest-timeout"], 2, "annotation 'rest-timeout' is not of the form KEY=VALUE"),
    (["{model}", "-a", "bad key!=1"], 2, "annotation key 'bad key!' is not a Kubernetes annotation key"),
    (["{model}", "-a", "Seldon.IO/x=1"], 2, "annotation key 'Seldon.IO/x' is not a Kubernetes annotation key"),
    (["{model}", "-p", "a=1:INT", "-p", "a=2:INT"], 2, "-p a: the parameter is given more than once"),
    (["{model}", "--replicas", "-1"], 2, "--replicas -1: give 0 to 2147483647"),
    (["{model}", "--replicas", "100000000000000000000"], 2, "--replicas 100000000000000000000: give 0 to 2147483647"),
    (["{model}", "--name", ""], 2, "--name '' is not a DNS-1123 label"),
    (["{model}", "--node-name", ""], 2, "--node-name '' is not a DNS-1123 label"),
    (["{model}", "--namespace", ""], 2, "--namespace '' is not a DNS-1123 label"),
    (["{model}", "--service-name", ""], 2, "--service-name '' is not a DNS-1123 label"),
    (["{model}", "--protocol", "v2"], 1, "serves only the Seldon (v1) protocol (its PROTOCOL=v1), not --protocol v2"),
    (["{v2}", "--protocol", "seldon"], 1, "serves only the Open Inference (V2) protocol (its PROTOCOL=v2), not "
                                          "--protocol seldon"),
    (["{v3}"], 1, "PROTOCOL=v3, an unknown protocol: expected one of v1, v2, both"),
    (["{v2}", "--child", "{model}"], 1, "the images share no protocol"),
    (["{unknown}"], 1, "SERVICE_TYPE=CLASSIFIER, an unknown service type"),
    (["{model}", "--transport", "grpc"], 1, "serves only REST (its API_TYPE), not GRPC"),
    (["Bad:1"], 2, "'Bad:1' is not a valid image name"),
    ([], 2, "give an IMAGE (seldon-s2i deployment IMAGE[=DIR] ...) or --check FILE"),
    (["{model}", "--check", "x.yaml"], 2, "--check FILE takes no IMAGE or --child"),
    (["--check", "a.yaml", "b.yaml"], 2, "--check takes one FILE (b.yaml was read as an IMAGE)"),
    (["--check", "{not_yaml}"], 1, "not valid YAML or JSON at line 1, column 5: mapping values are not allowed"),
    (["--check", "{empty}"], 1, "holds no document: expected a SeldonDeployment"),
    (["--check", "/no/such/file.yaml"], 1, "cannot use /no/such/file.yaml: No such file or directory"),
])
def test_a_mistake_is_one_error_line_and_a_non_zero_exit(capsys, source_dir, tmp_path, argv, status,
                                                          fragment):
    files = {"model": f"m:1={source_dir('model', SERVICE_TYPE='MODEL', API_TYPE='REST')}",
             "unknown": f"m:1={source_dir('unknown', SERVICE_TYPE='CLASSIFIER')}",
             "v2": f"v:1={source_dir('v2', SERVICE_TYPE='MODEL', PROTOCOL='v2')}",
             "v3": f"v:1={source_dir('v3', SERVICE_TYPE='MODEL', PROTOCOL='v3')}",
             "not_yaml": str(tmp_path / "bad.yaml"), "empty": str(tmp_path / "empty.yaml")}
    (tmp_path / "bad.yaml").write_text("a: b: c\n")
    (tmp_path / "empty.yaml").write_text("# nothing\n")
    code, out, err = run(capsys, *[arg.format(**files) for arg in argv])
    assert (code, out) == (status, "")
    assert fragment in one_error(err)


def test_the_readmes_manifest_is_what_the_command_prints_for_the_walkthroughs_image(capsys):
    root = Path(__file__).resolve().parents[3]
    readme = (root / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- seldon-s2i deployment my-registry/my-model:0.1 ", 1)[1]
    block = block.split("```yaml\n", 1)[1].split("```\n", 1)[0]
    code, out, _ = run(capsys, f"my-registry/my-model:0.1={root / 'test' / 'apps' / 'image-model'}")
    assert (code, out) == (0, block)


def test_check_refuses_a_binary_file_in_one_line(capsys, tmp_path):
    binary = tmp_path / "bin.dat"
    binary.write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(128, 256)))
    code, _, err = run(capsys, "--check", str(binary))
    assert code == 1
    assert one_error(err) == f"ERROR: {binary} is not valid YAML or JSON: it is not UTF-8 text"


def test_check_refuses_a_key_given_twice(capsys, tmp_path):
    manifest = yaml.safe_load(ARTICLE.read_text())
    text = yaml.safe_dump(manifest).replace("replicas: 1", "replicas: 1\n    replicas: 2", 1)
    assert text.count("replicas:") >= 2
    twice = tmp_path / "twice.yaml"
    twice.write_text(text)
    code, _, err = run(capsys, "--check", str(twice))
    assert code == 1
    assert "duplicate key 'replicas'" in one_error(err)


@pytest.mark.parametrize("protocol, flags, expected", [
    ("v2", [], "v2"), ("both", [], "seldon"), ("both", ["--protocol", "v2"], "v2"), ("v1", [], "seldon"),
    ("v1", ["--protocol", "seldon"], "seldon"),
])
def test_the_spec_protocol_follows_the_images_protocol(capsys, source_dir, protocol, flags, expected):
    model = source_dir("model", SERVICE_TYPE="MODEL", PROTOCOL=protocol)
    code, out, err = run(capsys, f"my-registry/model:1={model}", *flags)
    assert (code, err) == (0, "")
    assert yaml.safe_load(out)["spec"]["protocol"] == expected


def test_the_node_name_names_the_node_and_container_but_not_the_deployment(capsys, source_dir):
    model = source_dir("model", SERVICE_TYPE="MODEL")
    code, out, _ = run(capsys, f"my-registry/my-model:1={model}", "--node-name", "classifier")
    manifest = yaml.safe_load(out)
    predictor = manifest["spec"]["predictors"][0]
    assert code == 0
    assert (predictor["graph"]["name"], predictor["componentSpecs"][0]["spec"]["containers"][0]["name"]) == (
        "classifier", "classifier")
    assert (manifest["metadata"]["name"], manifest["spec"]["name"]) == ("my-model", "my-model")
    assert predictor["annotations"]["seldon.io/svc-name"] == "my-model"


def _alias_bomb(levels: int = 8, width: int = 9) -> str:
    lines = ["a0: &a0 [" + ", ".join(["x"] * width) + "]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("text, error", [
    ("a: &a [*a]\n", "nests more than 64 levels deep (or a YAML alias refers to the node that holds it)"),
    ("[" * 5000 + "]" * 5000 + "\n", "nests too deeply to be read"),
    ("[" * 100 + "]" * 100 + "\n", "nests more than 64 levels deep (or a YAML alias refers to the node that holds it)"),
    (_alias_bomb(), "holds more than 200000 values once its YAML aliases are expanded"),
], ids=["self-alias", "5000-deep", "100-deep", "alias-bomb"])
def test_check_refuses_a_hostile_document_in_one_line(capsys, tmp_path, text, error):
    """Each was a RecursionError traceback or a walk that did not end (newcomer finding)."""
    hostile = tmp_path / "hostile.yaml"
    hostile.write_text(text)
    code, _, err = run(capsys, "--check", str(hostile))
    assert code == 1 and one_error(err) == f"ERROR: {hostile} {error}: not a SeldonDeployment"
