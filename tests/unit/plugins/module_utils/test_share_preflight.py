# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""What Manila reports (recorded from the sandbox's dummy back end) and the manila-tempest-plugin
options derived from it."""

from __future__ import annotations

import json
from pathlib import Path

from ansible_collections.openinfra.interop.plugins.module_utils import preflight as pf

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "manila"
POOLS = json.loads((FIXTURES / "pools-detail.json").read_text())
DEFAULT_TYPE = json.loads((FIXTURES / "types-default.json").read_text())


def test_features_of_the_dummy_back_end() -> None:
    assert pf.share_features(POOLS, DEFAULT_TYPE) == [
        "create_share_from_snapshot_support",
        "default_share_type:default",
        "mount_snapshot_support",
        "revert_to_snapshot_support",
        "snapshot_support",
        "storage_protocol:NFS_CIFS",
    ]


def test_overrides_follow_the_pools() -> None:
    out = pf.share_overrides(pf.share_features(POOLS, DEFAULT_TYPE), "sharev2")
    assert out == {
        "share.catalog_type": "sharev2",
        "share.capability_revert_to_snapshot_support": True,
        "share.run_revert_to_snapshot_tests": True,
        "share.run_mount_snapshot_tests": True,
        "share.run_replication_tests": False,
        # NFS first, as the pool names it: the plugin creates its shares with the first protocol
        "share.enable_protocols": ["nfs", "cifs"],
        "share.enable_ip_rules_for_protocols": ["nfs"],
        "share.enable_user_rules_for_protocols": ["cifs"],
        "share.enable_cert_rules_for_protocols": [],
        "share.enable_cephx_rules_for_protocols": [],
        "share.capability_storage_protocol": "NFS_CIFS",
        "share.default_share_type_name": "default",
    }


def test_a_cephfs_pool_with_replication_and_capabilities_as_strings_or_lists() -> None:
    pools = {"pools": [
        {"capabilities": {"storage_protocol": "CEPHFS", "snapshot_support": "<is> True",
                          "revert_to_snapshot_support": [False, True], "mount_snapshot_support": "False",
                          "replication_type": "dr"}},
        {"capabilities": {"storage_protocol": "NFS", "snapshot_support": False}},
        "not a pool",
    ]}
    features = pf.share_features(pools, {"share_type": {"name": "gold"}})
    assert features == ["default_share_type:gold", "replication:dr", "revert_to_snapshot_support",
                        "snapshot_support", "storage_protocol:CEPHFS", "storage_protocol:NFS"]
    out = pf.share_overrides(features, "shared-file-system")
    assert out["share.run_replication_tests"] is True
    assert out["share.backend_replication_type"] == "dr"
    assert out["share.run_mount_snapshot_tests"] is False
    assert out["share.enable_cephx_rules_for_protocols"] == ["cephfs"]
    assert out["share.enable_ip_rules_for_protocols"] == ["nfs"]
    # two storage protocols: no single capability_storage_protocol to require
    assert "share.capability_storage_protocol" not in out


def test_nothing_reported_gives_no_overrides() -> None:
    # a non-admin cannot list pools (HTTP 403: the preflight reads None) and a cloud may have no
    # default share type: the plugin's own defaults stay
    assert pf.share_features(None, None) == []
    assert pf.share_overrides([], "sharev2") == {}
    assert pf.share_features({"pools": []}, {"share_type": {"name": "default"}}) == ["default_share_type:default"]
