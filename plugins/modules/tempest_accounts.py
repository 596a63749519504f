#!/usr/bin/python
# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Write a Tempest accounts.yaml: generated, copied from a file, or from given credentials."""

from __future__ import annotations

DOCUMENTATION = r"""
module: tempest_accounts
short_description: Provide the pre-provisioned accounts file (accounts.yaml) of a Tempest workspace
version_added: 0.1.0
description:
  - O(source=generate) runs C(tempest account-generator) with the admin credentials of
    O(cloud)/O(auth) and an admin tempest.conf (O(config_file)), O(concurrency) sets of
    accounts. It runs again only when its inputs change (concurrency, tag, admin user, the
    options of O(config_file) that shape the accounts), when the cleanup at the end of a run
    removed them, or with O(force).
  - The users and projects of generated accounts are recorded in C(created-resources.json)
    beside O(path); M(openinfra.interop.tempest_cleanup) removes them at the end of the run,
    and a new generation removes those of the previous one first. Its log
    (C(logs/account-generator.log), 0600) is scrubbed of every password.
  - O(source=file) copies the accounts file O(src); O(source=credentials) writes O(accounts).
  - The file is validated, written atomically with mode 0600 and returned without passwords.
  - The admin password reaches the generator through its environment only, never its
    command line; generated passwords (they may contain C(%)) are never passed anywhere.
extends_documentation_fragment:
  - openinfra.interop.runner_module
  - openinfra.interop.openstack
options:
  workdir:
    description: The Tempest workspace; the generator runs from it.
    type: path
    required: true
  path:
    description: The accounts file to write, relative to O(workdir) or absolute.
    type: str
    default: etc/accounts.yaml
  source:
    description: Where the accounts come from.
    type: str
    required: true
    choices: [generate, file, credentials]
  executable:
    description: Path of the C(tempest) command (O(source=generate)).
    type: path
  config_file:
    description: An admin tempest.conf for the generator (O(source=generate)).
    type: path
  concurrency:
    description: Number of account sets to generate (one per concurrent Tempest worker).
    type: int
    default: 2
  tag:
    description: Prefix of the names of generated users and projects.
    type: str
  with_admin:
    description: Also generate an admin account per set.
    type: bool
    default: false
  src:
    description: An existing accounts.yaml (O(source=file)).
    type: path
  accounts:
    description:
      - Accounts as in accounts.yaml (O(source=credentials)), each with C(username),
        C(password), C(project_name) and optionally C(domain_name), C(user_domain_name),
        C(project_domain_name), C(roles), C(types), C(resources).
    type: list
    elements: dict
  force:
    description: Generate again even when nothing changed.
    type: bool
    default: false
  timeout:
    description: Seconds the generator may take.
    type: int
    default: 900
attributes:
  check_mode:
    support: full
    description: Reports whether the file would change; writes nothing.
author:
  - openinfra.interop contributors (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Generate 2 sets of accounts with the admin of the sandbox
  openinfra.interop.tempest_accounts:
    cloud: sandbox
    workdir: /var/lib/interop/tempest
    source: generate
    executable: /var/lib/interop/venv/bin/tempest
    config_file: /var/lib/interop/tempest/etc/tempest.conf
    concurrency: 2
  vars:
    ansible_python_interpreter: /var/lib/interop/venv/bin/python

- name: Accounts given by the operator
  openinfra.interop.tempest_accounts:
    workdir: /var/lib/interop/tempest
    source: credentials
    accounts:
      - username: certifier
        password: "{{ vault_certifier_password }}"
        project_name: interop
        domain_name: Default
        roles: [member]
"""

RETURN = r"""
path:
  description: Absolute path of the accounts file.
  returned: always
  type: str
count:
  description: Number of accounts in the file.
  returned: when the file exists
  type: int
accounts:
  description: The accounts without their passwords.
  returned: when the file exists
  type: list
  elements: dict
generated:
  description: Whether the generator ran (or would run, in check mode).
  returned: always
  type: bool
duration:
  description: Seconds the generator took.
  returned: always
  type: float
"""

import json
import os
import shutil
from typing import Any

from ansible_collections.openinfra.interop.plugins.module_utils.openstack import OpenStackModule
from ansible_collections.openinfra.interop.plugins.module_utils import leftovers as lo
from ansible_collections.openinfra.interop.plugins.module_utils import tempestconf as tc
from ansible_collections.openinfra.interop.plugins.module_utils import toolrun

try:
    import yaml
except ImportError:
    yaml = None

#: options of the admin tempest.conf that shape what the generator creates
SHAPING_OPTIONS = (
    ("identity", "uri_v3"),
    ("identity", "uri"),
    ("service_available", "swift"),
    ("service_available", "neutron"),
    ("object-storage", "operator_role"),
    ("object-storage", "reseller_admin_role"),
    ("auth", "tempest_roles"),
)


class TempestAccountsModule(OpenStackModule):
    argument_spec = {
        "workdir": {"type": "path", "required": True},
        "path": {"type": "str", "default": "etc/accounts.yaml"},
        "source": {"type": "str", "required": True, "choices": ["generate", "file", "credentials"]},
        "executable": {"type": "path"},
        "config_file": {"type": "path"},
        "concurrency": {"type": "int", "default": 2},
        "tag": {"type": "str"},
        "with_admin": {"type": "bool", "default": False},
        "src": {"type": "path"},
        "accounts": {"type": "list", "elements": "dict", "no_log": True},
        "force": {"type": "bool", "default": False},
        "timeout": {"type": "int", "default": 900},
    }
    module_kwargs = {
        "supports_check_mode": True,
        "required_if": [
            ["source", "generate", ["executable", "config_file"]],
            ["source", "file", ["src"]],
            ["source", "credentials", ["accounts"]],
        ],
    }

    def __init__(self) -> None:
        super().__init__()
        if yaml is None:
            self.module.fail_json(msg="PyYAML is needed on the host (it comes with Tempest)")

    def _path(self, value: str) -> str:
        return value if os.path.isabs(value) else os.path.join(self.params["workdir"], value)

    def _finish(self, path: str, changed: bool, generated: bool, duration: float) -> None:
        result: dict[str, Any] = {
            "changed": changed, "path": path, "generated": generated, "duration": round(duration, 1)
        }
        text = tc.read_text(path)
        if text is not None:
            try:
                accounts = tc.validate_accounts(yaml.safe_load(text), path)
            except (tc.TempestconfError, yaml.YAMLError) as exc:
                self.module.fail_json(msg=f"Bad accounts file: {exc}", **result)
            result["count"] = len(accounts)
            result["accounts"] = tc.summarize_accounts(accounts)
        self.module.exit_json(**result)

    # ---------------------------------------------------------------- sources
    def _from_text(self, path: str, text: str, origin: str) -> None:
        try:
            tc.validate_accounts(yaml.safe_load(text), origin)
        except yaml.YAMLError as exc:
            self.module.fail_json(msg=f"{origin} is not valid YAML: {exc}")
        except tc.TempestconfError as exc:
            self.module.fail_json(msg=str(exc))
        if self.module.check_mode:
            current = tc.read_text(path)
            changed = current != text or (os.stat(path).st_mode & 0o777) != 0o600
        else:
            changed = tc.write_private(path, text)
        self._finish(path, changed, False, 0.0)

    def _generate(self, path: str) -> None:
        p = self.params
        if p["concurrency"] < 1:
            self.module.fail_json(msg=f"concurrency must be at least 1, got {p['concurrency']}")
        conf_text = tc.read_text(p["config_file"])
        if conf_text is None:
            self.module.fail_json(msg=f"config_file {p['config_file']} does not exist")
        conf = tc.read_conf(conf_text)
        shaping = {
            f"{s}.{k}": conf.get(s, k) if conf.has_section(s) and conf.has_option(s, k) else None
            for s, k in SHAPING_OPTIONS
        }
        raw = dict(self.conn.config.config)
        auth = dict(raw.get("auth") or {})
        missing = [k for k in ("username", "password", "project_name") if not auth.get(k)]
        if missing:
            self.module.fail_json(
                msg=f"Generating accounts needs admin credentials with {', '.join(missing)} (names, not ids)"
            )
        domain = str(auth.get("user_domain_name") or auth.get("project_domain_name") or "Default")
        state_path = os.path.join(os.path.dirname(path), f".{os.path.basename(path)}.state.json")
        state = tc.load_state(state_path)
        salt = tc.state_salt(state)
        new_digest = tc.digest(
            {
                "concurrency": p["concurrency"],
                "tag": p["tag"],
                "with_admin": p["with_admin"],
                "admin": [auth.get("auth_url"), auth["username"], auth["project_name"], domain],
                "config": shaping,
            },
            salt,
        )
        current_sha = tc.sha256_file(path)
        needed = (
            p["force"] or current_sha is None or state.get("digest") != new_digest
            or state.get("sha256") != current_sha
        )
        if not needed:
            changed = False
            if (os.stat(path).st_mode & 0o777) != 0o600:
                changed = True
                if not self.module.check_mode:
                    os.chmod(path, 0o600)
            self._finish(path, changed, False, 0.0)
        if self.module.check_mode:
            self._finish(path, True, True, 0.0)

        secrets = [str(auth["password"])]
        ledger_path = os.path.join(os.path.dirname(path), lo.LEDGER)
        # the accounts of an earlier generation go before new ones are made
        self._remove_generated(ledger_path)
        work = os.path.join(os.path.dirname(path), ".account-generator")
        if os.path.isdir(work):
            shutil.rmtree(work)
        os.makedirs(work, mode=0o700)
        cmd = [p["executable"], "account-generator", "-c", p["config_file"], "-r", str(p["concurrency"]), "-i", "3"]
        if p["tag"]:
            cmd += ["--tag", p["tag"]]
        if p["with_admin"]:
            cmd.append("--with-admin")
        tmp_out = os.path.join(work, "accounts.yaml")
        cmd.append(tmp_out)
        tool = toolrun.Tool(
            argv=cmd, cwd=p["workdir"], log_path=os.path.join(p["workdir"], "logs", "account-generator.log"),
            # the admin password only in the environment, never on the command line
            env={"OS_USERNAME": str(auth["username"]), "OS_PASSWORD": str(auth["password"]),
                 "OS_PROJECT_NAME": str(auth["project_name"]), "OS_DOMAIN_NAME": domain},
            timeout=p["timeout"], secrets=secrets, name="tempest account-generator",
        )
        try:
            try:
                result = toolrun.run(tool)
            except toolrun.ToolError as exc:
                self.module.fail_json(msg=str(exc))
            text = tc.read_text(tmp_out)
            if text:
                # recorded even when the generator failed half-way: what it made is removed at the end
                self._record_generated(text, ledger_path, state_path)
            if result.rc != 0 or not text:
                self.module.fail_json(msg=toolrun.failure(result, "tempest account-generator", secrets))
            try:
                tc.validate_accounts(yaml.safe_load(text), "generated accounts")
            except (tc.TempestconfError, yaml.YAMLError) as exc:
                self.module.fail_json(msg=f"tempest account-generator wrote a bad file: {exc}")
            tc.write_private(path, text)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        tc.write_private(
            state_path,
            json.dumps({"salt": salt.hex(), "digest": new_digest, "sha256": tc.sha256_file(path)}, indent=2) + "\n",
        )
        duration = result.duration
        self._finish(path, True, True, duration)

    # ---------------------------------------------------------------- cloud resources
    def _record_generated(self, text: str, ledger_path: str, state_path: str) -> None:
        """Record the users and projects of generated accounts for the cleanup at the end of the run."""
        try:
            accounts = yaml.safe_load(text) or []
        except yaml.YAMLError:
            return
        users = [str(a["username"]) for a in accounts if isinstance(a, dict) and a.get("username")]
        projects = [str(a.get("project_name") or a.get("tenant_name")) for a in accounts
                    if isinstance(a, dict) and (a.get("project_name") or a.get("tenant_name"))]
        cloud = lo.Cloud(self.conn)
        new = []
        for kind, names in (("users", users), ("projects", projects)):
            for name, ids in sorted(cloud.ids_by_name(kind, names).items()):
                new += [lo.entry(kind, rid, name, "tempest_accounts", state_file=state_path) for rid in sorted(ids)]
        lo.save(ledger_path, lo.merge(lo.load(ledger_path), new))

    def _remove_generated(self, ledger_path: str) -> None:
        entries = lo.load(ledger_path)
        mine = [e for e in entries if e.get("by") == "tempest_accounts"]
        if not mine:
            return
        removed, errors = lo.remove_all(lo.Cloud(self.conn), mine, check_mode=False)
        if errors:
            self.module.fail_json(msg="Cannot remove the accounts of an earlier generation: " + "; ".join(errors))
        done = {(e["kind"], e["id"]) for e in removed}
        lo.save(ledger_path, [e for e in entries if (e["kind"], e["id"]) not in done])

    def run(self) -> None:
        p = self.params
        if not os.path.isdir(p["workdir"]):
            self.module.fail_json(msg=f"workdir {p['workdir']} does not exist")
        path = self._path(p["path"])
        if not os.path.isdir(os.path.dirname(path)):
            self.module.fail_json(msg=f"Directory {os.path.dirname(path)} does not exist")
        if p["source"] == "generate":
            if not (p["cloud"] or p["auth"] or p["connection"]):
                self.module.fail_json(msg="source=generate needs admin credentials: cloud, auth or connection")
            self._generate(path)
        elif p["source"] == "file":
            text = tc.read_text(p["src"])
            if text is None:
                self.module.fail_json(msg=f"src {p['src']} does not exist")
            self._from_text(path, text, p["src"])
        else:
            try:
                accounts = tc.validate_accounts(p["accounts"], "accounts")
            except tc.TempestconfError as exc:
                self.module.fail_json(msg=str(exc))
            self._from_text(path, yaml.safe_dump(accounts, default_flow_style=False, sort_keys=True), "accounts")


def main() -> None:
    TempestAccountsModule()()


if __name__ == "__main__":
    main()
