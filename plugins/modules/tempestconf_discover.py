#!/usr/bin/python
# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Run python-tempestconf (discover-tempest-config) from a Tempest workspace, idempotently."""

from __future__ import annotations

DOCUMENTATION = r"""
module: tempestconf_discover
short_description: Write tempest.conf with python-tempestconf from a generated profile
version_added: 0.1.0
description:
  - Writes a python-tempestconf profile (C(--profile)) from O(args) and runs
    C(discover-tempest-config) from the Tempest workspace O(workdir), so Tempest never reads
    another C(etc/tempest.conf).
  - Discovery runs only when its inputs changed (profile, deployer input, accounts files,
    credentials, O(inputs)), when the output file changed or vanished since the last run, or
    with O(force). The inputs are remembered as a salted digest next to the output.
  - Credentials come from O(cloud) or O(auth) (admin or not), or with O(account_file) from a
    non-admin account of a Tempest accounts file. They reach python-tempestconf through a
    private C(clouds.yaml) that exists only while it runs, with C(%) escaped (its config
    parser interpolates C(%)); never through environment variables or the command line.
  - The written tempest.conf (mode 0600) has C(%) unescaped again and C($) in passwords
    doubled for oslo.config. Its log goes to O(log_file) (0600), scrubbed of every password
    and token as soon as discovery ends.
  - With C(create) in O(args) (admin discovery), the users python-tempestconf creates get
    random passwords of this workspace instead of its public default, and every user, project
    and role assignment of the caller that C(--create) added is removed as soon as discovery
    ends (Tempest never logs in as them), unless a program of O(programs) has a plugin that
    does (for C(orchestration), heat-tempest-plugin logs in as the demo user); then they are
    recorded like the images and flavors discovery created, in C(created-resources.json)
    beside O(out), for the cleanup at the end of the run (M(openinfra.interop.tempest_cleanup)).
  - After discovery (and on every run) the tempest.conf is parsed into a report (services,
    API versions, extensions); the module fails loudly when the services of O(programs) are
    marked unavailable.
extends_documentation_fragment:
  - openinfra.interop.runner_module
  - openinfra.interop.openstack
options:
  workdir:
    description: The Tempest workspace (made by C(tempest init)); discovery runs from it.
    type: path
    required: true
  executable:
    description:
      - Path of C(discover-tempest-config). It runs through the C(python) beside it with a small
        patch of python-tempestconf's identity URL rewriting, which doubles the port of an
        identity endpoint under a path (C(https://host:8443/identity)).
    type: path
    required: true
  out:
    description:
      - The tempest.conf to write, relative to O(workdir) or absolute.
      - The C(endpoint_type) of every service section (and C(identity.v3_endpoint_type)) is set
        to O(interface) unless C(overrides) in O(args) set it.
    type: str
    default: etc/tempest.conf
  profile_file:
    description: Where to write the profile, relative to O(workdir). Defaults to C(<out stem>-profile.yaml) beside O(out).
    type: str
  log_file:
    description: Discovery log, relative to O(workdir). Defaults to C(logs/discover-<out stem>.log).
    type: str
  args:
    description:
      - python-tempestconf profile arguments; keys as in its C(--generate-profile) output
        (C(create), C(non_admin), C(test_accounts), C(image), C(image_disk_format),
        C(network), C(flavor_min_mem), C(flavor_min_disk), C(convert_to_raw), C(no_rng),
        C(retry_image), C(password_regex), C(password_length)), plus C(overrides)
        (dict C(section.key) -> value), C(append) and C(remove).
      - C(create) and C(non_admin) exclude each other; C(create) and C(test_accounts) too.
    type: dict
    default: {}
  deployer_input:
    description: "Deployer input as C({section: {key: value}}), written beside the profile."
    type: dict
  deployer_input_file:
    description: A deployer input file in python-tempestconf's format (read as is). Excludes O(deployer_input).
    type: path
  account_file:
    description:
      - Authenticate discovery as a non-admin account of this Tempest accounts file (one whose
        only role is O(member_role), else a primary account) instead of the user of
        O(cloud)/O(auth), of which only the auth URL, region and TLS settings are used.
    type: path
  member_role:
    description: Name of the member role (for O(account_file)).
    type: str
    default: member
  programs:
    description:
      - Programs whose services must be available after discovery, canonical names of the
        collection's program registry (C(plugins/module_utils/programs.py)), e.g. V(object),
        V(scs_0128), V(list:<file or URL>).
    type: list
    elements: str
    default: []
  allow_partial:
    description:
      - Accept that some (not all) services of O(programs) are unavailable. When every one
        of them is unavailable the module fails regardless.
    type: bool
    default: false
  report_file:
    description: Write the discovery report as JSON here (relative to O(workdir)), atomically.
    type: str
  inputs:
    description: Further values that, when they change, make discovery run again (e.g. versions).
    type: dict
    default: {}
  force:
    description: Run discovery even when no input changed.
    type: bool
    default: false
  timeout:
    description: Seconds discovery may take.
    type: int
    default: 1800
attributes:
  check_mode:
    support: full
    description: Reports whether discovery would run; writes nothing.
notes:
  - Run it with the Python of the Tempest virtualenv (C(ansible_python_interpreter)); it
    needs openstacksdk to read O(cloud).
author:
  - openinfra.interop contributors (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Admin discovery, creating Tempest resources
  openinfra.interop.tempestconf_discover:
    cloud: sandbox
    workdir: /var/lib/interop/tempest
    executable: /var/lib/interop/venv/bin/discover-tempest-config
    programs: [object]
    args:
      create: true
      overrides:
        object-storage.operator_role: member
    report_file: discovery-report.json
  vars:
    ansible_python_interpreter: /var/lib/interop/venv/bin/python

- name: Non-admin discovery as one of the generated accounts
  openinfra.interop.tempestconf_discover:
    cloud: sandbox
    workdir: /var/lib/interop/tempest
    executable: /var/lib/interop/venv/bin/discover-tempest-config
    account_file: /var/lib/interop/tempest/etc/accounts.yaml
    programs: [object]
    args:
      non_admin: true
      test_accounts: /var/lib/interop/tempest/etc/accounts.yaml
"""

RETURN = r"""
tempest_conf:
  description: Absolute path of the tempest.conf.
  returned: always
  type: str
profile_file:
  description: Absolute path of the profile.
  returned: always
  type: str
log_file:
  description: Absolute path of the discovery log.
  returned: always
  type: str
report_file:
  description: Absolute path of the JSON report (empty when O(report_file) is not set).
  returned: always
  type: str
ran:
  description: Whether discovery ran (or, in check mode, would run).
  returned: always
  type: bool
duration:
  description: Seconds discovery took (0 when it did not run).
  returned: always
  type: float
removed:
  description:
    - What C(--create) added to identity and the module removed again (kind, name, id prefix).
    - Empty when a program's plugin logs in as those users; they are then in the ledger.
  returned: always
  type: list
  elements: str
report:
  description:
    - The discovery report; C(services) maps tempest.conf service codenames to availability,
      C(api_versions) and C(extensions) come from the C(*-feature-enabled) sections,
      C(expected_skips) lists required tests Tempest skips in this credentials mode and why.
  returned: when the tempest.conf exists
  type: dict
"""

import json
import os
import shutil
from typing import Any

from ansible_collections.openinfra.interop.plugins.module_utils.openstack import OpenStackModule
from ansible_collections.openinfra.interop.plugins.module_utils import leftovers as lo
from ansible_collections.openinfra.interop.plugins.module_utils import tempestconf as tc
from ansible_collections.openinfra.interop.plugins.module_utils import toolrun
from ansible_collections.openinfra.interop.plugins.module_utils.scrub import scrub_text
from ansible_collections.openinfra.interop.plugins.module_utils import clouds_yaml
from ansible_collections.openinfra.interop.plugins.module_utils.programs import (
    UnknownProgramError,
    uses_discovery_users,
    validate_programs,
)

try:
    import yaml
except ImportError:  # JSON is YAML too
    yaml = None

CLOUD_NAME = "tempestconf-discovery"
PASSWORD_AUTH_TYPES = ("password", "v3password", "v2password")


def _dump_yaml(data: Any) -> str:
    if yaml is not None:
        return yaml.safe_dump(data, default_flow_style=False, sort_keys=True)
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def _load_yaml(text: str) -> Any:
    if yaml is not None:
        return yaml.safe_load(text)
    return json.loads(text)


class TempestconfDiscoverModule(OpenStackModule):
    argument_spec = {
        "workdir": {"type": "path", "required": True},
        "executable": {"type": "path", "required": True},
        "out": {"type": "str", "default": "etc/tempest.conf"},
        "profile_file": {"type": "str"},
        "log_file": {"type": "str"},
        "args": {"type": "dict", "default": {}},
        "deployer_input": {"type": "dict"},
        "deployer_input_file": {"type": "path"},
        "account_file": {"type": "path"},
        "member_role": {"type": "str", "default": "member"},
        "programs": {"type": "list", "elements": "str", "default": []},
        "allow_partial": {"type": "bool", "default": False},
        "report_file": {"type": "str"},
        "inputs": {"type": "dict", "default": {}},
        "force": {"type": "bool", "default": False},
        "timeout": {"type": "int", "default": 1800},
    }
    module_kwargs = {
        "supports_check_mode": True,
        "required_one_of": [["cloud", "auth", "connection"]],
        "mutually_exclusive": [["deployer_input", "deployer_input_file"]],
    }

    # ------------------------------------------------------------------ helpers
    def _path(self, value: str) -> str:
        return value if os.path.isabs(value) else os.path.join(self.params["workdir"], value)

    def _fail(self, msg: str, secrets: list[str], **kwargs: Any) -> None:
        self.module.fail_json(msg=scrub_text(msg, secrets), **kwargs)

    def _credentials(self) -> tuple[dict[str, Any], list[str]]:
        """The clouds.yaml entry python-tempestconf gets (clear text) and the secrets in it."""
        config = self.conn.config
        raw = dict(config.config)
        auth = dict(raw.get("auth") or {})
        auth_type = raw.get("auth_type") or "password"
        if auth_type not in PASSWORD_AUTH_TYPES:
            self.module.fail_json(
                msg=f"python-tempestconf authenticates with a password; auth_type {auth_type!r} of the "
                f"given credentials is not supported (use one of {', '.join(PASSWORD_AUTH_TYPES)})"
            )
        secrets = [str(auth.get("password") or "")]
        if self.params["account_file"]:
            text = tc.read_text(self.params["account_file"])
            if text is None:
                self.module.fail_json(msg=f"account_file {self.params['account_file']} does not exist")
            try:
                accounts = tc.validate_accounts(_load_yaml(text), self.params["account_file"])
                account = tc.pick_discovery_account(accounts, self.params["member_role"])
            except (tc.TempestconfError, ValueError) as exc:
                self._fail(f"Cannot use account_file: {exc}", [str(a) for a in _passwords(text)])
            secrets += [str(a) for a in _passwords(text)]
            auth = tc.account_auth(account, str(auth.get("auth_url") or ""))
        missing = [k for k in ("auth_url", "username", "password") if not auth.get(k)]
        if missing:
            self.module.fail_json(msg=f"The credentials for discovery lack {', '.join(missing)}")
        entry: dict[str, Any] = {"auth": auth, "auth_type": "password"}
        # region, interface, CA bundle and client certificate: the same profile as the preflight
        # (python-tempestconf writes the CA into [identity] ca_certificates_file for Tempest)
        entry.update(self.connection_profile.sdk_options())
        if raw.get("identity_api_version"):
            entry["identity_api_version"] = raw["identity_api_version"]
        return entry, [s for s in secrets if s]

    def _project_domain_id(self, entry: dict[str, Any], secrets: list[str]) -> str:
        """Id of the project domain of the discovery credentials, from their token."""
        # imported here: the base class reports a missing openstacksdk before any of this runs
        import openstack
        from keystoneauth1 import exceptions as ksa_exceptions

        try:
            conn = openstack.connect(load_yaml_config=False, load_envvars=False, **entry)
            return str(conn.session.auth.get_access(conn.session).project_domain_id or "")
        except (openstack.exceptions.SDKException, ksa_exceptions.ClientException) as exc:
            self._fail(f"Cannot read the project domain of the discovery credentials: {exc}", secrets)
        return ""

    def _run_discovery(self, profile_path: str, entry: dict[str, Any], tmp_out: str, log_path: str,
                       private_dir: str, secrets: list[str]) -> float:
        p = self.params
        escaped = json.loads(json.dumps(entry))
        escaped["auth"]["password"] = tc.escape_percent(str(entry["auth"]["password"]))
        if os.path.isdir(private_dir):
            shutil.rmtree(private_dir)
        os.makedirs(private_dir, mode=0o700)
        try:
            clouds = os.path.join(private_dir, "clouds.yaml")
            tc.write_private(clouds, clouds_yaml.private_text(CLOUD_NAME, escaped))
            # an empty tempest.conf for Tempest's own config loader: nothing foreign is read
            tc.write_private(os.path.join(private_dir, "tempest.conf"), "")
            if os.path.exists(tmp_out):
                os.unlink(tmp_out)
            tool = toolrun.Tool(
                argv=tc.discovery_command(p["executable"], profile_path), cwd=p["workdir"], log_path=log_path,
                env={"OS_CLIENT_CONFIG_FILE": clouds, "TEMPEST_CONFIG_DIR": private_dir,
                     "TEMPEST_CONFIG": "tempest.conf"},
                timeout=p["timeout"], secrets=secrets, name="discover-tempest-config",
            )
            try:
                result = toolrun.run(tool)
            except toolrun.ToolError as exc:
                self._fail(str(exc), secrets)
        finally:
            shutil.rmtree(private_dir, ignore_errors=True)
        if result.rc != 0 or not os.path.exists(tmp_out):
            self._fail(toolrun.failure(result, "discover-tempest-config", secrets), secrets)
        return result.duration

    # ------------------------------------------------------------------ resources
    def _cloud_before(self, names: dict[str, str]) -> dict[str, Any]:
        """Ids of the demo users and projects, and the caller's roles on those projects, before --create."""
        cloud = lo.Cloud(self.conn)
        users = cloud.ids_by_name("users", [names["username"], names["alt_username"]])
        projects = cloud.ids_by_name("projects", [names["project_name"], names["alt_project_name"]])
        me = self.conn.current_user_id
        return {"users": users, "projects": projects,
                "assignments": cloud.project_assignments(me, set().union(*projects.values()))}

    def _demo_identity_added(self, names: dict[str, str], before: dict[str, Any],
                             state_path: str) -> list[dict[str, Any]]:
        """What --create added to identity: new demo users and projects, new roles of the caller."""
        cloud = lo.Cloud(self.conn)
        users = cloud.ids_by_name("users", [names["username"], names["alt_username"]])
        projects = cloud.ids_by_name("projects", [names["project_name"], names["alt_project_name"]])
        me = self.conn.current_user_id
        old_projects = set().union(*before["projects"].values())
        grants = cloud.project_assignments(me, old_projects) - before["assignments"]
        added = [lo.entry("role_assignments", f"{pid}:{rid}", f"{me} on {pid}", "tempestconf_discover",
                          user_id=me, project_id=pid, role_id=rid, state_file=state_path)
                 for pid, rid in sorted(grants)]
        for kind, now, then in (("users", users, before["users"]), ("projects", projects, before["projects"])):
            for name, ids in now.items():
                added += [lo.entry(kind, rid, name, "tempestconf_discover", state_file=state_path)
                          for rid in sorted(ids - then.get(name, set()))]
        return added

    def _settle_demo_identity(self, added: list[dict[str, Any]], ledger_path: str) -> list[dict[str, Any]]:
        """Remove what --create added now, or record it for the run's cleanup when tests log in as it.

        Tempest itself never logs in as these users (admin mode: dynamic credentials; non-admin
        mode: pre-provisioned accounts), but a program's plugin may (programs.uses_discovery_users):
        then they stay until the cleanup at the end of the run removes them from the ledger.
        """
        if uses_discovery_users(self.params["programs"]):
            if added:
                lo.save(ledger_path, lo.merge(lo.load(ledger_path), added))
            return []
        removed, errors = lo.remove_all(lo.Cloud(self.conn), added, check_mode=False)
        if errors:
            self.module.fail_json(msg="Cannot remove what python-tempestconf --create made: " + "; ".join(errors))
        return removed

    def _known_resources(self) -> dict[str, set[str] | None]:
        cloud = lo.Cloud(self.conn)
        return {kind: cloud.existing_ids(kind) for kind in ("images", "flavors")}

    def _record_resources(self, known: dict[str, set[str] | None], conf_path: str, state_path: str,
                          ledger_path: str) -> None:
        """Record the images and flavors discovery created (Tempest needs them until the end)."""
        text = tc.read_text(conf_path)
        if not text:
            return
        conf = tc.read_conf(text)
        new = [
            lo.entry(kind, rid, rid, "tempestconf_discover", state_file=state_path)
            for kind, rid in lo.conf_resources(
                lambda s, k: conf.get(s, k) if conf.has_section(s) and conf.has_option(s, k) else None)
            if known.get(kind) is not None and rid not in (known[kind] or set())
        ]
        if new:
            lo.save(ledger_path, lo.merge(lo.load(ledger_path), new))

    # ------------------------------------------------------------------ main
    def run(self) -> None:
        p = self.params
        try:
            validate_programs(p["programs"])
        except UnknownProgramError as exc:
            self.module.fail_json(msg=str(exc))
        workdir = p["workdir"]
        if not os.path.isfile(os.path.join(workdir, ".stestr.conf")):
            self.module.fail_json(
                msg=f"{workdir} is not a Tempest workspace (no .stestr.conf): run 'tempest init' first"
            )
        if not os.access(p["executable"], os.X_OK):
            self.module.fail_json(msg=f"executable {p['executable']} is not an executable file")
        out = self._path(p["out"])
        stem = os.path.splitext(os.path.basename(out))[0]
        profile_path = self._path(p["profile_file"] or os.path.join(os.path.dirname(out), f"{stem}-profile.yaml"))
        log_path = self._path(p["log_file"] or os.path.join("logs", f"discover-{stem}.log"))
        report_path = self._path(p["report_file"]) if p["report_file"] else ""
        state_path = os.path.join(os.path.dirname(out), f".{os.path.basename(out)}.state.json")
        tmp_out = os.path.join(os.path.dirname(out), f".{os.path.basename(out)}.discovered")
        private_dir = os.path.join(os.path.dirname(out), f".discovery-{stem}")
        for directory in (os.path.dirname(out), os.path.dirname(profile_path), os.path.dirname(log_path)):
            if not os.path.isdir(directory):
                self.module.fail_json(msg=f"Directory {directory} does not exist")

        entry, secrets = self._credentials()

        deployer_path = None
        deployer_text = None
        if p["deployer_input"]:
            try:
                deployer_text = tc.render_ini(p["deployer_input"], value_escape=2)
            except tc.TempestconfError as exc:
                self.module.fail_json(msg=f"Bad deployer_input: {exc}")
            deployer_path = os.path.join(os.path.dirname(profile_path), f"{stem}-deployer-input.conf")
        elif p["deployer_input_file"]:
            deployer_path = p["deployer_input_file"]
            if not os.path.isfile(deployer_path):
                self.module.fail_json(msg=f"deployer_input_file {deployer_path} does not exist")

        args = dict(p["args"])
        # every service's endpoint interface and TLS settings follow the connection profile and
        # non-admin domains go where python-tempestconf and Tempest read them; caller's overrides win
        profile = self.connection_profile
        derived = tc.endpoint_type_overrides(profile.interface)
        derived.update(tc.tls_overrides(profile.verify, profile.ca_cert))
        derived.update(
            tc.non_admin_domain_overrides(entry["auth"], self._project_domain_id(entry, secrets))
            if args.get("non_admin") else tc.admin_domain_overrides(entry["auth"]))
        args["overrides"] = {**derived, **(args.get("overrides") or {})}
        if args.get("test_accounts"):
            args["test_accounts"] = self._path(str(args["test_accounts"]))
            if not os.path.isfile(args["test_accounts"]):
                self.module.fail_json(msg=f"test_accounts file {args['test_accounts']} does not exist")
            secrets += _passwords(tc.read_text(args["test_accounts"]) or "")
        if p["account_file"] and not args.get("non_admin"):
            self.module.fail_json(msg="account_file is for non-admin discovery: set args.non_admin to true")
        image = args.get("image")
        if image and not str(image).startswith(("http://", "https://")) and os.sep in str(image):
            args["image"] = self._path(str(image))
        state = tc.load_state(state_path)
        salt = tc.state_salt(state)
        creates_users = bool(args.get("create")) and not args.get("non_admin") and not args.get("test_accounts")
        if creates_users:
            # python-tempestconf --create would give its demo users a public default password
            args["overrides"] = {**tc.demo_passwords(salt), **args["overrides"]}
            secrets += [str(args["overrides"][k]) for k in tc.demo_passwords(salt)]
        try:
            profile = tc.build_profile(args, CLOUD_NAME, tmp_out, deployer_path)
        except tc.TempestconfError as exc:
            self.module.fail_json(msg=f"Bad discovery arguments: {exc}")
        parts = {
            "profile": profile,
            "deployer_input": deployer_text if deployer_text is not None else (
                tc.read_text(deployer_path) if deployer_path else None
            ),
            "test_accounts": tc.sha256_file(args["test_accounts"]) if args.get("test_accounts") else None,
            "account_file": tc.sha256_file(p["account_file"]) if p["account_file"] else None,
            "credentials": entry,
            "executable": os.path.realpath(p["executable"]),
            "image": tc.sha256_file(args["image"]) if args.get("image") and os.path.isfile(str(args["image"])) else None,
            "inputs": p["inputs"],
        }
        new_digest = tc.digest(parts, salt)
        out_sha = tc.sha256_file(out)
        needs_run = (
            p["force"]
            or out_sha is None
            or state.get("digest") != new_digest
            or state.get("out_sha256") != out_sha
        )
        profile_text = _dump_yaml(profile)

        changed = False
        duration = 0.0
        removed: list[dict[str, Any]] = []
        if self.module.check_mode:
            changed = needs_run or tc.read_text(profile_path) != profile_text
        else:
            changed |= tc.write_private(profile_path, profile_text)
            if deployer_text is not None and deployer_path:
                changed |= tc.write_private(deployer_path, deployer_text)
            if needs_run:
                names = lo.demo_names(args["overrides"])
                before = self._cloud_before(names) if creates_users else None
                known = self._known_resources()
                try:
                    duration = self._run_discovery(profile_path, entry, tmp_out, log_path, private_dir, secrets)
                finally:
                    # also after a failed discovery: what it made is removed or recorded
                    ledger_path = os.path.join(os.path.dirname(out), lo.LEDGER)
                    if before is not None:
                        removed = self._settle_demo_identity(
                            self._demo_identity_added(names, before, state_path), ledger_path)
                    self._record_resources(known, tmp_out, state_path, ledger_path)
                conf_text = tc.finalize_tempest_conf(tc.read_text(tmp_out) or "")
                tc.write_private(out, conf_text)
                os.unlink(tmp_out)
                state = {"salt": salt.hex(), "digest": new_digest, "out_sha256": tc.sha256_file(out)}
                tc.write_private(state_path, json.dumps(state, indent=2, sort_keys=True) + "\n")
                changed = True
            elif (os.stat(out).st_mode & 0o777) != 0o600:
                os.chmod(out, 0o600)
                changed = True

        result: dict[str, Any] = {
            "changed": changed,
            "ran": needs_run,
            "removed": [lo.label(r) for r in removed],
            "duration": round(duration, 1),
            "tempest_conf": out,
            "profile_file": profile_path,
            "log_file": log_path,
            "report_file": report_path,
        }
        conf_text = tc.read_text(out)
        if conf_text is None or (needs_run and self.module.check_mode):
            # check mode: the current file is not what discovery would write; no report of it
            self.module.exit_json(**result)
        mode = "non_admin" if args.get("non_admin") else "admin"
        report = tc.parse_discovery(conf_text, p["programs"], mode)
        report["tempest_conf"] = out
        report["log_file"] = log_path
        result["report"] = report
        if report_path and not self.module.check_mode:
            result["changed"] |= tc.write_private(
                report_path, json.dumps(report, indent=2, sort_keys=True) + "\n", 0o644
            )
        if needs_run and not self.module.check_mode:
            for line in toolrun.error_lines(tc.read_text(log_path) or "", limit=5):
                if " ERROR " in f" {line} ":
                    self.module.warn(scrub_text(f"discover-tempest-config: {line}", secrets))
        problem = tc.availability_problem(report, p["allow_partial"])
        if problem:
            self._fail(f"{problem} Log: {log_path}; tempest.conf: {out}", secrets, **result)
        self.module.exit_json(**result)


def _passwords(text: str) -> list[str]:
    """Passwords of an accounts.yaml text (to keep them out of messages)."""
    try:
        data = _load_yaml(text)
    except Exception:  # a broken file has no usable passwords; the caller reports it
        return []
    if not isinstance(data, list):
        return []
    return [str(a.get("password")) for a in data if isinstance(a, dict) and a.get("password")]


def main() -> None:
    TempestconfDiscoverModule()()


if __name__ == "__main__":
    main()
