"""SSRF protection for webhook URLs."""

from __future__ import annotations

import pytest

from handoff.exceptions import UnsafeURLError
from handoff.urlsafety import check_url


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://169.254.169.254/latest/meta-data", "metadata"),
        ("http://[fe80::1]/hook", "link-local"),
        ("http://169.254.10.1/hook", "link-local"),
        ("http://[::ffff:169.254.169.254]/", "metadata"),
        ("http://100.100.100.200/", "metadata"),
        ("http://224.0.0.1/", "multicast"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://10.1.2.3/", "private"),
        ("http://192.168.0.10/", "private"),
        ("http://127.0.0.1:8080/", "loopback"),
        ("ftp://example.test/", "http or https"),
        ("http://user:pw@example.test/", "credentials"),
        ("http:///nohost", "no host"),
    ],
)
def test_refused(url: str, why: str) -> None:
    with pytest.raises(UnsafeURLError, match=why):
        check_url(url, resolver=lambda host, port: ["93.184.215.14"])


def test_names_are_resolved_and_every_address_checked() -> None:
    with pytest.raises(UnsafeURLError, match=r"169\.254\.169\.254"):
        check_url(
            "https://hooks.example.test/x",
            resolver=lambda host, port: ["93.184.215.14", "169.254.169.254"],
        )
    assert [
        str(a)
        for a in check_url(
            "https://hooks.example.test/x", resolver=lambda host, port: ["93.184.215.14"]
        )
    ] == ["93.184.215.14"]


def test_loopback_only_when_allowed() -> None:
    assert check_url("http://localhost:9/hook", allow_loopback=True)
    with pytest.raises(UnsafeURLError, match="private"):
        check_url("http://10.0.0.1/", allow_loopback=True)
    assert check_url("http://10.0.0.1/", allow_private=True)
    with pytest.raises(UnsafeURLError, match="does not resolve"):
        check_url("http://no-such-host.invalid/", resolver=_fail)


def _fail(host: str, port: int) -> list[str]:
    raise OSError("name not known")
