# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""The connection profile: one resolved way to reach the cloud, passed between steps as a fact."""

from __future__ import annotations

from pathlib import Path

import pytest

from ansible_collections.openinfra.interop.plugins.module_utils.connection import (
    ConnectionProfile,
    ProfileError,
    is_tls_failure,
    tls_hint,
)

# openstacksdk's config of a production-like clouds.yaml entry (private CA, path, region, domain)
CONFIG = {
    "auth": {"auth_url": "https://cloud.example.com:8443/identity/v3", "username": "tenant",
             "password": "s3cret", "project_name": "interop", "user_domain_name": "Certifiers",
             "project_domain_name": "Certifiers"},
    "region_name": "RegionTwo",
    "interface": "internal",
    "verify": True,
    "cacert": "/etc/pki/cloud-ca.pem",
    "cert": "/etc/pki/client.pem",
    "key": "/etc/pki/client.key",
}


def test_profile_from_the_sdk_config_holds_no_secret_and_round_trips() -> None:
    profile = ConnectionProfile.from_config(CONFIG, "prod", "/home/u/clouds.yaml")
    fact = profile.as_fact()
    assert fact == {
        "cloud": "prod", "clouds_yaml": "/home/u/clouds.yaml",
        "auth_url": "https://cloud.example.com:8443/identity/v3", "region_name": "RegionTwo",
        "interface": "internal", "verify": True, "ca_cert": "/etc/pki/cloud-ca.pem",
        "client_cert": "/etc/pki/client.pem", "client_key": "/etc/pki/client.key",
    }
    assert "s3cret" not in repr(fact)
    assert ConnectionProfile.from_fact(fact) == profile
    # the keys openstacksdk (and a clouds.yaml entry) take
    assert profile.sdk_options() == {"interface": "internal", "verify": True, "region_name": "RegionTwo",
                                     "cacert": "/etc/pki/cloud-ca.pem", "cert": "/etc/pki/client.pem",
                                     "key": "/etc/pki/client.key"}


def test_defaults_of_a_plain_entry() -> None:
    profile = ConnectionProfile.from_config({"auth": {"auth_url": "http://127.0.0.1:5000/v3"}, "verify": False},
                                            "sandbox")
    assert profile.sdk_options() == {"interface": "public", "verify": False}
    assert profile.problems() == []


@pytest.mark.parametrize(("fact", "match"), [
    ({}, "tempestconf_connection fact"),
    ({"cloud": "x", "password": "no"}, r"Unknown key\(s\) in connection: password"),
    ({"cloud": "x", "interface": "private"}, "'private' is not one of public, internal, admin"),
])
def test_a_bad_fact_is_one_clear_error(fact: dict, match: str) -> None:
    with pytest.raises(ProfileError, match=match):
        ConnectionProfile.from_fact(fact)


def test_problems_name_the_missing_file_and_where_it_was_set(tmp_path: Path) -> None:
    cert = tmp_path / "client.pem"
    cert.write_text("-----BEGIN CERTIFICATE-----\n")
    profile = ConnectionProfile("prod", ca_cert=str(tmp_path / "ca.pem"), client_cert=str(cert))
    problems = profile.problems({"ca_cert": "option ca_cert"})
    assert problems == [
        f"the CA bundle '{tmp_path / 'ca.pem'}' (option ca_cert) does not exist or is not a file",
        "a client certificate needs its key (client_key, or 'key' in the clouds.yaml entry)",
    ]
    # from the clouds.yaml entry when no option set it
    assert "(cacert of clouds.yaml entry 'prod')" in profile.problems()[0]
    # one PEM with certificate and key is enough
    cert.write_text("-----BEGIN CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\n")
    (tmp_path / "ca.pem").write_text("ca")
    assert profile.problems() == []


def test_tls_hint_says_which_ca_to_give() -> None:
    text = tls_hint("https://cloud.example.com:8443/identity/v3", "CERTIFICATE_VERIFY_FAILED")
    assert "No CA bundle was given" in text and "ca_cert certify variable" in text
    assert "did not verify it" in tls_hint("https://x/v3", "bad", "option ca_cert")


@pytest.mark.parametrize(("text", "tls"), [
    # keystoneauth 5, auth URL https://127.0.0.1:64443/identity/v3 without the CA
    ("Could not find versioned identity endpoints when attempting to authenticate. Please check that "
     "your auth_url is correct. SSL exception connecting to https://127.0.0.1:64443/identity/v3: "
     "HTTPSConnectionPool(host='127.0.0.1', port=64443): Max retries exceeded with url: /identity/v3 "
     "(Caused by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate "
     "verify failed: self-signed certificate in certificate chain (_ssl.c:1006)')))", True),
    ("Unable to establish connection to https://127.0.0.1:9/v3: Connection refused", False),
])
def test_tls_failures_are_recognised_in_discovery_errors(text: str, tls: bool) -> None:
    assert is_tls_failure(text) is tls
