"""EnterpriseDirectory's checks that need no server (the rest runs against a real slapd
in tests/integration/test_enterprise_directory.py)."""

from __future__ import annotations

import time

import pytest

from softphone.directory.enterprise import (
    DirectoryErrorKind,
    EnterpriseDirectory,
    EnterpriseDirectoryConfig,
)
from softphone.security.redaction import redact, unregister_secret
from softphone.security.secret import Secret

# TEST-NET-1 (RFC 5737): nothing answers there, so any network attempt would fail.
NOWHERE = EnterpriseDirectoryConfig(
    url="ldaps://192.0.2.1", base_dn="dc=example,dc=com", bind_dn="cn=reader,dc=example,dc=com"
)


def test_enterprise_password_pairs_with_bind_dn() -> None:
    with pytest.raises(ValueError, match="a bind DN needs a password"):
        EnterpriseDirectory(NOWHERE, None)
    with pytest.raises(ValueError, match="an empty one would bind anonymously"):
        EnterpriseDirectory(NOWHERE, Secret(""))
    anonymous = EnterpriseDirectoryConfig(url="ldaps://192.0.2.1", base_dn="dc=example,dc=com")
    with pytest.raises(ValueError, match="a password was given without a bind DN"):
        EnterpriseDirectory(anonymous, Secret("x"))
    with pytest.raises(TypeError, match="must be a Secret"):
        EnterpriseDirectory(NOWHERE, "plain-text")  # type: ignore[arg-type]


def test_enterprise_password_is_registered_with_the_log_redactor() -> None:
    password = "Directory-Pa55-unit"
    try:
        EnterpriseDirectory(NOWHERE, Secret(password))
        assert password not in redact(f"bind failed with {password}")
    finally:
        unregister_secret(password)


def test_enterprise_blank_search_asks_no_server() -> None:
    directory = EnterpriseDirectory(NOWHERE, Secret("Directory-Pa55-unit"))
    try:
        started = time.monotonic()
        assert directory.search("   ") == []
        assert time.monotonic() - started < 0.5
        with pytest.raises(ValueError, match="limit must be at least 1"):
            directory.search("anna", limit=0)
    finally:
        unregister_secret("Directory-Pa55-unit")


def test_enterprise_missing_ca_file_is_a_clear_error() -> None:
    config = EnterpriseDirectoryConfig(
        url="ldaps://192.0.2.1", base_dn="dc=example,dc=com", ca_file="/nonexistent/ca.pem"
    )
    check = EnterpriseDirectory(config).check()
    assert not check.ok
    assert check.kind is DirectoryErrorKind.CA_FILE
    assert check.message == (
        "ldaps://192.0.2.1:636: cannot use the CA file /nonexistent/ca.pem: "
        "No such file or directory"
    )
