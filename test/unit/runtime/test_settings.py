"""CLI/env parsing, the port rule, parameters, annotations, metadata validation."""

from __future__ import annotations

import pytest

from seldon_s2i.runtime import loader, metadata
from seldon_s2i.runtime.errors import SeldonError
from seldon_s2i.runtime.settings import UsageError, bind_address, parse_settings


def ports(env, argv=("M",)):
    p = parse_settings(list(argv), env).ports
    return p.http, p.grpc, p.metrics


def test_port_rule():
    assert ports({}) == (9000, 5000, 6000)
    assert ports({"API_TYPE": "REST"}) == (5000, None, 6000)
    assert ports({"API_TYPE": "GRPC"}) == (None, 5000, 6000)
    assert ports({"API_TYPE": "REST", "PREDICTIVE_UNIT_GRPC_SERVICE_PORT": "9500"}) == (5000, 9500, 6000)
    assert ports({"API_TYPE": "REST", "PREDICTIVE_UNIT_HTTP_SERVICE_PORT": "9000",
                  "PREDICTIVE_UNIT_METRICS_SERVICE_PORT": "6001"}) == (9000, None, 6001)
    assert ports({}, ("M", "--http-port", "8080")) == (8080, 5000, 6000)
    assert ports({"GRPC_WORKERS": "0"}) == (9000, None, 6000)


def test_every_server_binds_all_interfaces_unless_host_flag_or_env_says_otherwise():
    assert parse_settings(["M"], {}).host == "0.0.0.0"
    assert parse_settings(["M"], {"SELDON_S2I_HOST": "127.0.0.1"}).host == "127.0.0.1"
    assert parse_settings(["M", "--host", "::1"], {"SELDON_S2I_HOST": "127.0.0.1"}).host == "::1"
    assert parse_settings(["M", "--host", "[::]"], {}).host == "::"


def test_bind_address_brackets_ipv6_literals_only():
    assert bind_address("0.0.0.0", 9000) == "0.0.0.0:9000"
    assert bind_address("localhost", 9000) == "localhost:9000"
    assert bind_address("::1", 9000) == "[::1]:9000"


@pytest.mark.parametrize("host", ["", "  ", "::1::2", "fe80:::x"])
def test_empty_or_malformed_ipv6_host_is_a_usage_error(host):
    with pytest.raises(UsageError, match="SELDON_S2I_HOST"):
        parse_settings(["M", "--host", host], {})


def test_legacy_positional_api_type():
    s = parse_settings(["MyModel", "REST", "--service-type", "MODEL", "--persistence", "0"], {})
    assert (s.ports.http, s.ports.grpc) == (5000, None) and s.persistence == 0
    with pytest.raises(UsageError) as info:
        parse_settings(["MyModel", "FBS"], {})
    assert info.value.exit_code == 255


def test_unknown_arguments_exit_255():
    with pytest.raises(UsageError) as info:
        parse_settings(["M", "--nope"], {})
    assert info.value.exit_code == 255


def test_output_transformer_accepted_and_flags_from_env():
    s = parse_settings(["M", "--service-type", "OUTPUT_TRANSFORMER"],
                       {"GUNICORN_WORKERS": "3", "GUNICORN_THREADS": "4", "GRPC_THREADS": "2",
                        "SELDON_LOG_LEVEL": "DEBUG", "GUNICORN_ACCESS_LOG": "true"})
    assert s.service_type == "OUTPUT_TRANSFORMER" and s.workers == 3 and s.threads == 4
    assert s.grpc_threads == 2 and s.log_level == "DEBUG" and s.access_log


def test_debug_false_string_is_false():
    assert not parse_settings(["M", "--debug", "false"], {}).debug
    assert parse_settings(["M", "--debug"], {}).debug


def test_bad_port_is_usage_error():
    with pytest.raises(UsageError, match="PREDICTIVE_UNIT_HTTP_SERVICE_PORT must be an integer"):
        parse_settings(["M"], {"PREDICTIVE_UNIT_HTTP_SERVICE_PORT": "http"})


def test_two_listeners_on_one_port_is_a_usage_error():
    """Was a started REST listener, 5 s of gunicorn "Connection in use" lines, then exit 1."""
    with pytest.raises(UsageError, match="the http and metrics ports are both 5394"):
        parse_settings(["M", "--http-port", "5394", "--metrics-port", "5394"], {})
    with pytest.raises(UsageError, match="the http and grpc ports are both 7000"):
        parse_settings(["M"], {"PREDICTIVE_UNIT_HTTP_SERVICE_PORT": "7000",
                               "PREDICTIVE_UNIT_GRPC_SERVICE_PORT": "7000"})
    assert parse_settings(["M", "--http-port", "5000"], {"API_TYPE": "REST"}).ports.http == 5000


def test_annotations(tmp_path):
    path = tmp_path / "annotations"
    path.write_text('seldon.io/rest-timeout="2500"\nseldon.io/grpc-max-message-size="1048576"\nother="x"\n')
    s = parse_settings(["M"], {"SELDON_S2I_ANNOTATIONS_FILE": str(path)})
    assert s.timeout == 2 and s.grpc_max_message == 1048576
    assert parse_settings(["M"], {"SELDON_S2I_ANNOTATIONS_FILE": str(tmp_path / "none")}).timeout == 600


def test_parameters_typed():
    text = ('[{"name":"a","value":"3","type":"INT"},{"name":"b","value":"2.5","type":"FLOAT"},'
            '{"name":"c","value":"hi","type":"STRING"},{"name":"d","value":"yes","type":"BOOL"},'
            '{"name":"e","value":"off","type":"BOOL"},{"name":"f","value":"1e3","type":"DOUBLE"}]')
    assert loader.parse_parameters(text) == {"a": 3, "b": 2.5, "c": "hi", "d": True, "e": False, "f": 1000.0}
    assert loader.parse_parameters("") == {}


@pytest.mark.parametrize("text, message", [
    ('[{"name":"a","value":"x","type":"INT"}]', "Bad model parameter: a with value x can't be parsed as a INT"),
    ('[{"name":"a","value":"1","type":"LONG"}]', "Bad model parameter type: LONG"),
    ('[{"name":"a","value":"maybe","type":"BOOL"}]', "can't be parsed as a BOOL"),
    ("not json", "not valid JSON"),
    ('{"a": 1}', "expected a JSON list"),
])
def test_parameters_errors(text, message):
    with pytest.raises(SeldonError) as info:
        loader.parse_parameters(text)
    assert message in info.value.message and info.value.reason == "MICROSERVICE_BAD_PARAMETER"


@pytest.mark.parametrize("value, ok", [
    ({"name": "n", "versions": ["1"], "platform": "p", "inputs": [], "outputs": [], "custom": {"a": "b"}}, True),
    ({"inputs": [{"messagetype": "tensor", "schema": {"names": ["a"], "shape": [1, 2]}}]}, True),
    ({"inputs": [{"messagetype": "jsonData", "schema": {"any": 1}}, {"messagetype": "binData"}]}, True),
    ({"outputs": [{"name": "o", "datatype": "FP32", "shape": [1, 3]}]}, True),
    ({"colour": "red"}, False),
    ({"custom": {"a": 1}}, False),
    ({"versions": "1"}, False),
    ({"inputs": [{"messagetype": "tensor", "schema": {"shape": ["x"]}}]}, False),
    ({"outputs": [{"name": "o", "datatype": "FLOAT", "shape": [1]}]}, False),
])
def test_metadata_validation(value, ok):
    assert (metadata.validate(value) is None) == ok


def test_metadata_defaults_and_overlays():
    class User:
        def init_metadata(self):
            return {"platform": "sk", "versions": ["u"]}

    meta, problem = metadata.build(User(), "repo/img:0.3", "versions: [env]\ncustom:\n  k: v\n")
    assert problem == ""
    assert meta == {"name": "repo/img", "versions": ["env"], "platform": "sk", "inputs": [], "outputs": [],
                    "custom": {"k": "v"}}
    assert metadata.build(object(), "", None)[0] == {"name": "", "versions": [""], "platform": "", "inputs": [],
                                                     "outputs": [], "custom": {}}
    assert metadata.build(object(), "", '{"custom": {"k": 1}}')[0] is None


@pytest.mark.parametrize("argv", [["M", "--workers", "abc"], ["M", "--log-level", "LOUD"], []])
def test_a_bad_or_missing_argument_is_one_usage_error_not_argparse_usage_text(argv):
    with pytest.raises(UsageError) as info:
        parse_settings(argv, {})
    assert "\n" not in str(info.value) and "--help" in str(info.value) and info.value.exit_code == 2


@pytest.mark.parametrize("name", ["SELDON_S2I_MAX_REQUEST_BYTES", "GRPC_MAX_MESSAGE_LENGTH",
                                  "SELDON_S2I_CLIENT_TIMEOUT"])
@pytest.mark.parametrize("value", ["0", "-5"])
def test_a_size_limit_below_1_is_refused_at_start(name, value):
    with pytest.raises(UsageError, match=f"{name} must be at least 1"):
        parse_settings(["M"], {name: value})


@pytest.mark.parametrize("argv, env, source", [
    (["M"], {"PROTOCOL": "v2", "MLSERVER_HTTP_PORT": "abc"}, "MLSERVER_HTTP_PORT"),
    (["M"], {"PROTOCOL": "v2", "MLSERVER_GRPC_PORT": "99999"}, "MLSERVER_GRPC_PORT"),
    (["M"], {"PREDICTIVE_UNIT_HTTP_SERVICE_PORT": "x"}, "PREDICTIVE_UNIT_HTTP_SERVICE_PORT"),
    (["M", "--metrics-port", "0"], {"PREDICTIVE_UNIT_METRICS_SERVICE_PORT": "6001"}, "--metrics-port"),
])
def test_a_bad_port_names_where_it_was_given(argv, env, source):
    with pytest.raises(UsageError, match=f"^{source} must be"):
        parse_settings(argv, env)


@pytest.mark.parametrize("name", ["GUNICORN_KEEPALIVE", "GUNICORN_MAX_REQUESTS", "GUNICORN_MAX_REQUESTS_JITTER"])
def test_a_negative_gunicorn_setting_is_refused_at_start_naming_it(name):
    with pytest.raises(UsageError, match=f"\\({name}\\) must be at least 0, got -1"):
        parse_settings(["M"], {name: "-1"})
    parse_settings(["M"], {name: "0"})
