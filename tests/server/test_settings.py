"""Which origins and hosts a server accepts, and which addresses it may listen on."""

from __future__ import annotations

import pytest

from htrac.core.errors import InvalidValueError
from htrac.server.settings import ServerSettings, check_binding, is_loopback, normal_origin


def test_loopback_server_accepts_its_own_names_only():
    settings = ServerSettings(port=7380)
    assert set(settings.origins) == {"http://127.0.0.1:7380", "http://localhost:7380",
                                     "http://[::1]:7380"}
    assert "localhost:7380" in settings.allowed_hosts()
    assert "localhost:7381" not in settings.allowed_hosts()
    assert "evil.example:7380" not in settings.allowed_hosts()


def test_extra_origins_are_normalised_and_checked():
    settings = ServerSettings(port=7380, extra_origins=("HTTP://LocalHost:9000/",
                                                       "https://tablet.lan:443"))
    assert "http://localhost:9000" in settings.origins
    assert "https://tablet.lan" in settings.origins
    for bad in ("localhost:9000", "ftp://x", "http://x/path", "http://u:p@x", "http://x:99999"):
        with pytest.raises(InvalidValueError):
            normal_origin(bad)


def test_tls_origins_use_https():
    settings = ServerSettings(host="192.0.2.10", port=8443, certfile="c", keyfile="k")
    assert settings.origins == ("https://192.0.2.10:8443",)


def test_binding_beyond_loopback_needs_tls_or_the_flag():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.0.2.1")
    assert check_binding("127.0.0.1", False, False) is None
    assert "without TLS" in check_binding("0.0.0.0", False, False)
    assert check_binding("0.0.0.0", True, False) is None
    assert check_binding("0.0.0.0", False, True) is None
