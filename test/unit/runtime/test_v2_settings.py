"""PROTOCOL / --protocol and the V2 port rule (docs/v2-protocol.md, "Ports")."""

from __future__ import annotations

import pytest

from seldon_s2i.runtime.settings import Ports, UsageError, parse_settings

NO_ANNOTATIONS = {"SELDON_S2I_ANNOTATIONS_FILE": "/nonexistent"}


def settings(argv=(), **env):
    return parse_settings(["Model", *argv], {**NO_ANNOTATIONS, **env})


def test_v1_is_the_default_and_its_ports_are_unchanged():
    s = settings()
    assert s.protocol == "v1" and s.ports == Ports(9000, 5000, 6000)


def test_v2_takes_mlservers_default_ports_and_both_keeps_v1s():
    assert settings(PROTOCOL="v2").ports == Ports(8080, 8081, 6000)
    assert settings(["--protocol", "both"]).ports == Ports(9000, 5000, 6000)
    assert settings(PROTOCOL="V2", API_TYPE="REST").ports == Ports(8080, None, 6000)


def test_v2_honours_the_operators_mlserver_ports_before_predictive_unit_ones():
    s = settings(PROTOCOL="v2", MLSERVER_HTTP_PORT="9000", MLSERVER_GRPC_PORT="9500",
                 PREDICTIVE_UNIT_HTTP_SERVICE_PORT="1111", PREDICTIVE_UNIT_GRPC_SERVICE_PORT="2222")
    assert s.ports == Ports(9000, 9500, 6000)
    assert settings(PROTOCOL="v2", PREDICTIVE_UNIT_HTTP_SERVICE_PORT="1111").ports.http == 1111
    assert settings(["--http-port", "7000"], PROTOCOL="v2", MLSERVER_HTTP_PORT="9000").ports.http == 7000


def test_the_v2_model_name_comes_from_mlserver_model_name_then_predictive_unit_id():
    assert settings(MLSERVER_MODEL_NAME="iris", PREDICTIVE_UNIT_ID="unit").v2_model_name == "iris"
    assert settings(PREDICTIVE_UNIT_ID="unit").v2_model_name == "unit"
    assert settings().v2_model_name is None


def test_an_unknown_protocol_is_a_usage_error_naming_the_choices():
    with pytest.raises(UsageError, match="PROTOCOL/--protocol must be v1, v2 or both, got 'v3'"):
        settings(PROTOCOL="v3")
