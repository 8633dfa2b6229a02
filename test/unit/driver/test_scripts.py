"""Per-script lookup: -s, then .s2i/bin (moved, 0755), then the image's URL."""

from __future__ import annotations

import stat

import pytest

from seldon_s2i.driver.builder import BuilderImage, scripts_url
from seldon_s2i.driver.errors import BuildError
from seldon_s2i.driver.scripts import BUILD_SCRIPTS, install_scripts


def _install(src, upload, scripts_url_flag="", image_url="image:///usr/libexec/s2i", names=BUILD_SCRIPTS):
    return install_scripts(
        names,
        scripts_url=scripts_url_flag,
        src_dir=src,
        image_scripts_url=image_url,
        upload_scripts=upload,
        destination="/tmp",
    )


def test_image_label_supplies_every_script(tree, tmp_path):
    found = _install(tree({"m.py": ""}), tmp_path / "up")
    assert found == {
        "assemble": "/usr/libexec/s2i/assemble",
        "run": "/usr/libexec/s2i/run",
        "save-artifacts": "/usr/libexec/s2i/save-artifacts",
    }


def test_source_scripts_are_moved_and_made_executable(tree, tmp_path):
    src = tree({".s2i/bin/assemble": "#!/bin/sh\n", ".s2i/bin/helper": "x"})
    (src / ".s2i/bin/assemble").chmod(0o600)
    upload = tmp_path / "up"
    found = _install(src, upload)
    assert found["assemble"] == "/tmp/scripts/assemble"
    assert found["run"] == "/usr/libexec/s2i/run"  # each script resolved on its own
    assert not (src / ".s2i/bin/assemble").exists()
    assert (src / ".s2i/bin/helper").exists()  # unrelated files stay
    assert stat.S_IMODE((upload / "assemble").stat().st_mode) == 0o755


def test_deprecated_sti_bin_with_warning(tree, tmp_path, capsys):
    src = tree({".sti/bin/run": "#!/bin/sh\n"})
    found = _install(src, tmp_path / "up")
    assert found["run"] == "/tmp/scripts/run"
    assert ".sti/bin is deprecated" in capsys.readouterr().err


def test_s2i_bin_wins_over_sti_bin(tree, tmp_path):
    src = tree({".s2i/bin/run": "new", ".sti/bin/run": "old"})
    _install(src, tmp_path / "up")
    assert (tmp_path / "up" / "run").read_text() == "new"


def test_scripts_url_flag_wins_over_source(tree, tmp_path):
    flag_dir = tree({"assemble": "from-flag"}, name="flagscripts")
    src = tree({".s2i/bin/assemble": "from-source", ".s2i/bin/run": "from-source"})
    upload = tmp_path / "up"
    found = _install(src, upload, scripts_url_flag=f"file://{flag_dir}")
    assert (upload / "assemble").read_text() == "from-flag"
    assert (src / ".s2i/bin/assemble").exists()  # not consulted, so not moved
    assert (upload / "run").read_text() == "from-source"
    assert found["save-artifacts"] == "/usr/libexec/s2i/save-artifacts"


def test_image_scheme_flag_is_trusted_without_checking(tree, tmp_path):
    found = _install(tree({}), tmp_path / "up", scripts_url_flag="image:///opt/s2i/", image_url="")
    assert found["run"] == "/opt/s2i/run"


def test_flag_that_supplies_nothing_fails(tree, tmp_path):
    empty = tree({}, name="empty")
    with pytest.raises(BuildError, match="could not get any script from --scripts-url"):
        _install(tree({}), tmp_path / "up", scripts_url_flag=str(empty))


def test_missing_required_scripts_uses_s2i_text(tree, tmp_path):
    with pytest.raises(BuildError) as info:
        _install(tree({}), tmp_path / "up", image_url="")
    assert info.value.message == "failed to install [assemble run]"


def test_only_missing_script_is_named(tree, tmp_path):
    src = tree({".s2i/bin/assemble": "x"})
    with pytest.raises(BuildError) as info:
        _install(src, tmp_path / "up", image_url="")
    assert info.value.message == "failed to install [run]"


def test_save_artifacts_is_optional(tree, tmp_path):
    src = tree({".s2i/bin/assemble": "x", ".s2i/bin/run": "y"})
    assert "save-artifacts" not in _install(src, tmp_path / "up", image_url="")


def test_image_scripts_url_order_label_then_deprecated_then_env(capsys):
    both = {"io.openshift.s2i.scripts-url": "image:///a", "io.s2i.scripts-url": "image:///b"}
    assert scripts_url(BuilderImage("b", labels=both)) == "image:///a"
    legacy = {"io.s2i.scripts-url": "image:///b"}
    assert scripts_url(BuilderImage("b", labels=legacy, env={"STI_SCRIPTS_URL": "image:///c"})) == "image:///b"
    assert scripts_url(BuilderImage("b", env={"STI_SCRIPTS_URL": "image:///c"})) == "image:///c"
    assert scripts_url(BuilderImage("b")) == ""
    assert capsys.readouterr().err.count("deprecated") == 2


def test_http_scripts_url(tree, tmp_path, monkeypatch):
    """-s http://base fetches <base>/<script>; a 404 falls through to the next source."""
    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.setenv(name, "127.0.0.1")
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    served = tree({"assemble": "#!/bin/sh\necho from http\n"}, name="served")
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(served))
    handler.log_message = lambda *args: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        upload = tmp_path / "up"
        found = _install(tree({}), upload, scripts_url_flag=f"http://127.0.0.1:{server.server_port}/")
    finally:
        server.shutdown()
        server.server_close()
    assert found["assemble"] == "/tmp/scripts/assemble"
    assert (upload / "assemble").read_text() == "#!/bin/sh\necho from http\n"
    assert stat.S_IMODE((upload / "assemble").stat().st_mode) == 0o755
    assert found["run"] == "/usr/libexec/s2i/run"
