"""The Python steps honour pip's settings whichever installer runs (s2i/python/steps.sh).

pip itself reads every PIP_* variable and its configuration files (`pip config list`);
`pip_settings_for_uv` translates what pip reports into uv's arguments, or hands the build over
to pip for a setting uv has no equivalent for. Here with the dev virtualenv's real pip; pip's
configuration files inside a builder are exercised on the real engine
(test/integration/test_python_install_settings.py).
"""

from __future__ import annotations

import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List

S2I = Path(__file__).resolve().parents[2] / "s2i"
VENV_BIN = str(Path(sys.executable).parent)


@dataclass
class Translated:
    uv_args: List[str]
    installer: str
    exports: Dict[str, str]
    output: str


def translate(env: Dict[str, str], pip_config_list: str = "") -> Translated:
    """Source the steps and run language_prepare_install and settle_installer (installer choice,
    pip's settings) in bash.

    With pip_config_list, the translator reads that text instead of the real pip's answer.
    PIP_CONFIG_FILE=/dev/null: pip reads no configuration file, only the variables given.
    """
    run = "language_prepare_install; settle_installer"
    if pip_config_list:
        run = f'pick_installer; eval "$(printf %s {shlex.quote(pip_config_list)} | python -c "$PIP_SETTINGS_AS_UV")"'
    script = (f"set -euo pipefail; PHASE=all; source {S2I}/lib/contract.sh; source {S2I}/python/steps.sh; "
              f"{run}; "
              "for arg in \"${UV_PIP_ARGS[@]}\"; do echo \"ARG $arg\"; done; echo \"INSTALLER $INSTALLER\"; "
              "for name in SSL_CERT_FILE UV_HTTP_TIMEOUT HTTPS_PROXY; do echo \"EXPORT $name=${!name:-}\"; done")
    base = {"PATH": f"{VENV_BIN}:/usr/bin:/bin", "HOME": "/nonexistent", "PIP_CONFIG_FILE": "/dev/null"}
    result = subprocess.run(["bash", "-c", script], env={**base, **env}, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    exports = dict(line[7:].split("=", 1) for line in lines if line.startswith("EXPORT "))
    return Translated(
        uv_args=[line[4:] for line in lines if line.startswith("ARG ")],
        installer=next(line[10:] for line in lines if line.startswith("INSTALLER ")),
        exports={name: value for name, value in exports.items() if value},
        output=result.stdout,
    )


def test_pip_index_variables_become_uv_arguments():
    translated = translate({
        "PIP_INDEX_URL": "https://pypi.example/simple",
        "PIP_EXTRA_INDEX_URL": "https://a.example/simple https://b.example/simple",
        "PIP_TRUSTED_HOST": "a.example b.example:8443",
        "PIP_FIND_LINKS": "/tmp/whl",
        "PIP_NO_INDEX": "true",
        "PIP_NO_CACHE_DIR": "1",  # the builder's own: ignored, it decides nothing about what is installed
    })
    assert translated.installer == "uv"
    assert translated.uv_args == [
        "--extra-index-url", "https://a.example/simple", "--extra-index-url", "https://b.example/simple",
        "--find-links", "/tmp/whl",
        "--index-url", "https://pypi.example/simple",
        "--no-index",
        "--allow-insecure-host", "a.example", "--allow-insecure-host", "b.example:8443",
        "--index-strategy", "unsafe-best-match",  # pip's way with extra indexes: the best version of all
    ]


def test_the_reference_builders_extra_index_url_is_one_more_extra_index():
    translated = translate({"PIP_EXTRA_INDEX_URL": "https://a.example/simple",
                            "EXTRA_INDEX_URL": "https://legacy.example/simple"})
    assert translated.uv_args == ["--extra-index-url", "https://a.example/simple",
                                  "--extra-index-url", "https://legacy.example/simple",
                                  "--index-strategy", "unsafe-best-match"]


def test_flags_and_connection_settings():
    translated = translate({"PIP_PRE": "1", "PIP_REQUIRE_HASHES": "yes", "PIP_NO_BUILD_ISOLATION": "false",
                            "PIP_ONLY_BINARY": ":all:", "PIP_CERT": "/tmp/bundle.pem",
                            "PIP_DEFAULT_TIMEOUT": "60", "PIP_PROXY": "http://proxy.example:3128"})
    assert translated.installer == "uv"
    assert translated.uv_args == ["--only-binary", ":all:", "--prerelease", "allow", "--require-hashes"]
    assert translated.exports == {"SSL_CERT_FILE": "/tmp/bundle.pem", "UV_HTTP_TIMEOUT": "60",
                                  "HTTPS_PROXY": "http://proxy.example:3128"}


def test_a_setting_uv_cannot_honour_hands_the_install_to_pip_in_one_line():
    translated = translate({"PIP_PREFER_BINARY": "1", "PIP_UPGRADE_STRATEGY": "eager", "PIP_INDEX_URL": "https://x/simple"})
    assert translated.installer == "pip"
    assert translated.uv_args == []
    assert ("---> pip setting(s) prefer-binary, upgrade-strategy have no uv equivalent: installing with pip"
            in translated.output)


def test_precedence_is_pips_environment_over_install_section_over_global():
    listing = "\n".join([
        "global.index-url='https://global.example/simple'",
        "global.find-links='/from/global'",
        "install.find-links='/from/install'",
        "global.extra-index-url='\\nhttps://c.example/simple\\nhttps://d.example/simple'",
        ":env:.find-links='/from/env'",
        "freeze.index-url='https://ignored.example/simple'",  # another command's section
    ]) + "\n"
    translated = translate({}, pip_config_list=listing)
    assert translated.uv_args == [
        "--extra-index-url", "https://c.example/simple", "--extra-index-url", "https://d.example/simple",
        "--find-links", "/from/env",
        "--index-url", "https://global.example/simple",
        "--index-strategy", "unsafe-best-match",
    ]


def test_with_pip_chosen_pip_reads_its_settings_itself():
    translated = translate({"SELDON_S2I_INSTALLER": "pip", "PIP_FIND_LINKS": "/tmp/whl"})
    assert translated.installer == "pip"
    assert translated.uv_args == []
