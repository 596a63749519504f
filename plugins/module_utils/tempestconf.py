# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Pure logic behind the python-tempestconf discovery and Tempest accounts modules.

Two parsers stand between a password and Tempest, and they disagree:

* python-tempestconf keeps tempest.conf in a ``configparser.ConfigParser`` with basic
  interpolation: a value with a lone ``%`` (account-generator passwords have them)
  crashes ``set()``; ``%%`` is read back as ``%`` but *written* as ``%%``.
* Tempest reads tempest.conf with oslo.config: ``%`` is literal, ``$name`` is a
  substitution and ``$$`` is a literal ``$``.

So every value handed to python-tempestconf is escaped for configparser
(:func:`escape_percent`) and the file it writes is turned back into what oslo.config
expects (:func:`finalize_tempest_conf`).
"""

from __future__ import annotations

import base64
import configparser
import hashlib
import hmac
import io
import json
import os
import re
from typing import Any, Mapping, Sequence

from ansible_collections.openinfra.interop.plugins.module_utils.atomic import atomic_write
from ansible_collections.openinfra.interop.plugins.module_utils.explain import PREPROVISIONED_SKIPS
from ansible_collections.openinfra.interop.plugins.module_utils.programs import (
    program_entry,
    validate_programs,
)

#: Keys of tempest.conf that hold passwords (section, key).
SECRET_KEYS: frozenset[tuple[str, str]] = frozenset(
    {
        ("auth", "admin_password"),
        ("identity", "password"),
        ("identity", "alt_password"),
        ("identity", "admin_password"),
    }
)

#: python-tempestconf profile keys this collection lets callers set (argparse dests).
PROFILE_KEYS: frozenset[str] = frozenset(
    {
        "create",
        "non_admin",
        "test_accounts",
        "image",
        "image_disk_format",
        "retry_image",
        "convert_to_raw",
        "no_rng",
        "network",
        "flavor_min_mem",
        "flavor_min_disk",
        "overrides",
        "append",
        "remove",
        "password_regex",
        "password_length",
    }
)

#: Profile keys the module sets itself.
RESERVED_PROFILE_KEYS: frozenset[str] = frozenset(
    {"os_cloud", "out", "deployer_input", "no_default_deployer", "debug", "verbose", "create_accounts_file"}
)

#: (section, option) pairs that name the endpoint interface Tempest uses for a service.
ENDPOINT_TYPE_OPTIONS: tuple[tuple[str, str], ...] = (
    ("identity", "v3_endpoint_type"),
    ("compute", "endpoint_type"),
    ("placement", "endpoint_type"),
    ("image", "endpoint_type"),
    ("network", "endpoint_type"),
    ("volume", "endpoint_type"),
    ("object-storage", "endpoint_type"),
    ("dns", "endpoint_type"),
    ("heat_plugin", "endpoint_type"),
    ("share", "endpoint_type"),
)


#: Python run by the virtualenv's interpreter instead of the ``discover-tempest-config`` script.
#: python-tempestconf 3.5.4 (``Services.edit_identity_url``) rewrites every catalog URL whose
#: path holds ``/identity`` by inserting the auth URL's port and the identity version after the
#: host: written for devstack (``http://host/identity``), it turns ``https://host:8443/identity``
#: into ``https://host:8443:8443/identity/v3`` and discovery dies with LocationParseError. The
#: patch keeps upstream's rewrite for a URL without a port and otherwise leaves the host alone,
#: adding the version only when the path has none. Remove it once upstream handles ports.
#: python-tempestconf before 3.0 (Debian 12 packages 2.5.0, ``Credentials`` without
#: ``get_ssl_certificate_validation``) asks Keystone for its versions with a bare
#: ``requests.get`` (no CA bundle: fails behind a private CA) and logs in with domain "Default"
#: whatever the credentials say (a user of another domain gets 401). The patch gives it the
#: CA of ``[identity]`` and the domains the module wrote where 3.x reads them
#: (:func:`admin_domain_overrides`, :func:`non_admin_domain_overrides`).
DISCOVERY_WRAPPER = """
import re, sys, urllib.parse
from config_tempest.services import services as _services

_upstream = _services.Services.edit_identity_url


def edit_identity_url(self, url):
    parts = urllib.parse.urlsplit(url)
    if parts.port is None:
        return _upstream(self, url)
    path = parts.path.rstrip("/")
    if not re.search(r"/v[0-9]+(\\.[0-9]+)?$", path):
        path += "/" + self._creds.identity_version
    return urllib.parse.urlunsplit(parts._replace(path=path))


_services.Services.edit_identity_url = edit_identity_url

from config_tempest import credentials as _credentials

if not hasattr(_credentials.Credentials, "get_ssl_certificate_validation"):
    import requests

    _upstream_creds_kwargs = _credentials.Credentials._get_creds_kwargs

    def _list_versions(self, base_url):
        off = str(self._conf.get_defaulted("identity", "disable_ssl_certificate_validation")).lower() == "true"
        ca = self._conf.get_defaulted("identity", "ca_certificates_file")
        return requests.get(base_url, verify=not off and (ca or True)).json()["versions"]["values"]

    def _get_creds_kwargs(self):
        kwargs = _upstream_creds_kwargs(self)
        if self.identity_version == "v3":
            for key in ("domain_name", "project_domain_name", "user_domain_name"):
                value = self.get_credential(key)
                if value:
                    kwargs[key] = value
        return kwargs

    _credentials.Credentials._list_versions = _list_versions
    _credentials.Credentials._get_creds_kwargs = _get_creds_kwargs

from config_tempest.main import main
sys.argv[0] = "discover-tempest-config"
sys.exit(main())
"""


def discovery_command(executable: str, profile_path: str) -> list[str]:
    """argv of python-tempestconf with :data:`DISCOVERY_WRAPPER`, run by the script's virtualenv."""
    python = os.path.join(os.path.dirname(executable), "python")
    return [python, "-c", DISCOVERY_WRAPPER, "--profile", profile_path]


class TempestconfError(ValueError):
    """Bad input for the discovery or accounts logic (one clear message)."""


# ---------------------------------------------------------------------------- escaping


def escape_percent(value: str) -> str:
    """Escape a value for configparser basic interpolation (``%`` -> ``%%``)."""
    return value.replace("%", "%%")


def unescape_percent(raw: str) -> str:
    """What configparser basic interpolation reads for a raw value with no references.

    ``%%`` becomes ``%``. A value with a ``%(name)s`` reference (python-tempestconf never
    writes one) is returned unchanged.
    """
    if "%(" in raw.replace("%%", ""):
        return raw
    return raw.replace("%%", "%")


def escape_dollar(value: str) -> str:
    """Escape a value for oslo.config (``$`` -> ``$$``) so it is read literally."""
    return value.replace("$", "$$")


def render_ini(sections: Mapping[str, Mapping[str, Any]], value_escape: int = 1) -> str:
    """An INI text from ``{section: {key: value}}``.

    ``value_escape`` is how many configparser reads the value goes through before it
    reaches python-tempestconf's own ``set()`` (the deployer input is read once by a
    ``ConfigParser`` and then set again, so it needs two levels).
    """
    out = io.StringIO()
    for section, options in sections.items():
        if not isinstance(options, Mapping):
            raise TempestconfError(
                f"Deployer input section {section!r} must be a mapping of option: value, "
                f"got {type(options).__name__}"
            )
        out.write(f"[{section}]\n")
        for key, value in options.items():
            text = render_value(value)
            for _level in range(value_escape):
                text = escape_percent(text)
            if "\n" in text:
                raise TempestconfError(f"Value of [{section}] {key} must be on one line")
            out.write(f"{key} = {text}\n")
        out.write("\n")
    return out.getvalue()


def render_value(value: Any) -> str:
    """A tempest.conf value: booleans as True/False, lists comma-separated."""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (list, tuple)):
        return ",".join(render_value(v) for v in value)
    if value is None:
        return ""
    return str(value)


# ---------------------------------------------------------------------------- profile


def split_option(name: str) -> tuple[str, str]:
    """``section.key`` -> (section, key); one dot exactly (python-tempestconf's rule)."""
    parts = name.split(".")
    if len(parts) != 2 or not all(parts):
        raise TempestconfError(
            f"Override name {name!r} must be 'section.key' with exactly one dot (e.g. 'compute.image_ref')"
        )
    return parts[0], parts[1]


def build_profile(
    args: Mapping[str, Any],
    os_cloud: str,
    out: str,
    deployer_input: str | None,
) -> dict[str, Any]:
    """The python-tempestconf profile (``--profile``) for the given arguments.

    ``args`` holds the keys of :data:`PROFILE_KEYS`; override values are escaped for
    configparser interpolation. Raises :class:`TempestconfError` on bad input.
    """
    unknown = sorted(set(args) - PROFILE_KEYS)
    if unknown:
        bad = ", ".join(unknown)
        reserved = sorted(set(unknown) & RESERVED_PROFILE_KEYS)
        hint = f" ({', '.join(reserved)} are set by the module)" if reserved else ""
        raise TempestconfError(
            f"Unknown python-tempestconf profile key(s): {bad}{hint}; accepted: {', '.join(sorted(PROFILE_KEYS))}"
        )
    profile: dict[str, Any] = {
        "os_cloud": os_cloud,
        "out": out,
        "no_default_deployer": True,
        "debug": False,
        "verbose": True,
        "create": bool(args.get("create", False)),
        "non_admin": bool(args.get("non_admin", False)),
    }
    if profile["create"] and profile["non_admin"]:
        raise TempestconfError(
            "create and non_admin cannot both be true: creating resources needs admin credentials"
        )
    if profile["create"] and args.get("test_accounts"):
        raise TempestconfError(
            "create cannot be combined with test_accounts (python-tempestconf aborts with "
            "\"No option 'admin_domain_name'\"): discover as admin with create, generate the "
            "accounts, then discover again with non_admin and test_accounts"
        )
    if deployer_input:
        profile["deployer_input"] = deployer_input
    for key in ("test_accounts", "image", "image_disk_format", "network", "password_regex"):
        if args.get(key):
            profile[key] = str(args[key])
    for key in ("flavor_min_mem", "flavor_min_disk", "password_length"):
        if args.get(key) is not None:
            try:
                profile[key] = int(args[key])
            except (TypeError, ValueError):
                raise TempestconfError(f"{key} must be an integer, got {args[key]!r}") from None
    for key in ("retry_image", "convert_to_raw", "no_rng"):
        if key in args:
            profile[key] = bool(args[key])
    overrides: dict[str, str] = {}
    for name, value in (args.get("overrides") or {}).items():
        split_option(name)
        overrides[name] = escape_percent(render_value(value))
    profile["overrides"] = overrides
    for key in ("append", "remove"):
        entries: dict[str, str] = {}
        for name, value in (args.get(key) or {}).items():
            split_option(name)
            entries[name] = render_value(value)
        if entries:
            profile[key] = entries
    return profile


def endpoint_type_overrides(endpoint_type: str) -> dict[str, str]:
    """Overrides that make Tempest use the given endpoint interface for every service."""
    if endpoint_type not in ("public", "internal", "admin"):
        raise TempestconfError(f"Endpoint type {endpoint_type!r} is not one of public, internal, admin")
    return {f"{section}.{key}": endpoint_type for section, key in ENDPOINT_TYPE_OPTIONS}


def tls_overrides(verify: bool, ca_cert: str) -> dict[str, str]:
    """The TLS settings of the connection profile, where Tempest reads them for every client.

    python-tempestconf writes ``ca_certificates_file`` only for a CA bundle and leaves
    ``disable_ssl_certificate_validation`` at False when checks are off, so Tempest would
    verify what discovery did not; both are set explicitly.
    """
    overrides = {"identity.disable_ssl_certificate_validation": render_value(not verify)}
    if ca_cert and verify:
        overrides["identity.ca_certificates_file"] = ca_cert
    return overrides


def admin_domain_overrides(auth: Mapping[str, Any]) -> dict[str, str]:
    """The admin credentials' domains where Tempest and python-tempestconf read them.

    python-tempestconf 3.x copies them from the clouds.yaml entry itself; 2.5.0 does not, and
    its login reads them from there only through :data:`DISCOVERY_WRAPPER`. Only the domains
    the credentials name are written (Tempest's defaults hold for the others), as 3.x does.
    """
    return {f"auth.admin_{key}": str(auth[key])
            for key in ("domain_name", "project_domain_name", "user_domain_name") if auth.get(key)}


def non_admin_domain_overrides(auth: Mapping[str, Any], project_domain_id: str = "") -> dict[str, str]:
    """Overrides that put the domains of non-admin credentials where they are read.

    python-tempestconf 3.5.4 writes the non-admin user's domains under ``[auth]`` but its own
    credentials code reads them from ``[identity]``, so a user outside the Default domain gets
    401 during discovery. Tempest gives a pre-provisioned account without a domain
    ``auth.default_credentials_domain_name``, so that follows the project's domain too.

    ``project_domain_id`` (the id of that project domain, from the credentials' token) becomes
    ``identity.default_domain_id``: without admin rights the default domain Tempest shows
    (``DefaultDomainTestJSON``, in SCS-0128) must be one the user may see, and Keystone lets a
    project user read only its project's domain (``identity:get_domain``: 403 for ``default``).
    """
    user_domain = str(auth.get("user_domain_name") or auth.get("domain_name") or "Default")
    project_domain = str(auth.get("project_domain_name") or auth.get("domain_name") or "Default")
    overrides = {
        "identity.user_domain_name": user_domain,
        "identity.project_domain_name": project_domain,
        "auth.default_credentials_domain_name": project_domain,
    }
    if project_domain_id:
        overrides["identity.default_domain_id"] = project_domain_id
    return overrides


# ---------------------------------------------------------------------------- tempest.conf


def _raw_parser() -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    return parser


def read_conf(text: str) -> configparser.RawConfigParser:
    parser = _raw_parser()
    parser.read_string(text)
    return parser


def finalize_tempest_conf(text: str) -> str:
    """Turn python-tempestconf's output into the file Tempest (oslo.config) should read.

    Every ``%%`` written by configparser becomes ``%`` again, and ``$`` in passwords is
    doubled so oslo.config does not treat it as a substitution. Works line by line on the
    ``key = value`` lines configparser writes, so nothing else of the file changes.
    """
    out: list[str] = []
    section = ""
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        header = re.fullmatch(r"\[([^\]]+)\]", stripped)
        if header:
            section = header.group(1)
            out.append(line)
            continue
        match = re.match(r"^([^\s#;=][^=]*?)\s*=\s?(.*?)(\r?\n)?$", line)
        if not match or not section:
            out.append(line)
            continue
        key, raw, eol = match.group(1), match.group(2), match.group(3) or ""
        value = unescape_percent(raw)
        if (section, key) in SECRET_KEYS:
            value = escape_dollar(value)
        out.append(line if value == raw else f"{key} = {value}{eol}")
    return "".join(out)


def _bool(value: str | None) -> bool | None:
    if value is None:
        return None
    low = value.strip().lower()
    if low in ("true", "yes", "1", "on"):
        return True
    if low in ("false", "no", "0", "off"):
        return False
    return None


def _csv(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def parse_discovery(text: str, programs: Sequence[str], mode: str) -> dict[str, Any]:
    """The discovery report of a tempest.conf (no secrets): services, API versions, extensions."""
    parser = read_conf(text)

    def get(section: str, key: str) -> str | None:
        if parser.has_section(section) and parser.has_option(section, key):
            return parser.get(section, key)
        return None

    services: dict[str, bool] = {}
    if parser.has_section("service_available"):
        for key, value in parser.items("service_available"):
            if key in parser.defaults():
                continue
            flag = _bool(value)
            if flag is not None:
                services[key] = flag

    api_versions: dict[str, dict[str, bool]] = {}
    extensions: dict[str, list[str]] = {}
    for section in parser.sections():
        if not section.endswith("-feature-enabled"):
            continue
        name = section[: -len("-feature-enabled")]
        for key, value in parser.items(section):
            if key in parser.defaults():
                continue
            if re.fullmatch(r"api_v\d+(\.\d+)?", key):
                flag = _bool(value)
                if flag is not None:
                    api_versions.setdefault(name, {})[key[4:]] = flag
            elif key in ("api_extensions", "discoverable_apis"):
                extensions[name] = sorted(_csv(value))

    programs = validate_programs(programs)
    required: dict[str, dict[str, bool | None]] = {}
    for program in programs:
        required[program] = {need.codename: services.get(need.codename) for need in program_entry(program).services}

    dynamic = _bool(get("auth", "use_dynamic_credentials"))
    if dynamic is None:
        dynamic = True  # Tempest's default
    accounts_file = get("auth", "test_accounts_file") or ""
    notes: list[str] = []
    expected_skips: list[dict[str, str]] = []
    if not dynamic:
        for skip in PREPROVISIONED_SKIPS:
            if skip["program"] in programs or ("platform" in programs and skip["program"] == "object"):
                expected_skips.append({k: v for k, v in skip.items() if k != "message"})
        notes.append(
            "Credentials are pre-provisioned (accounts.yaml): tests that need dynamic credentials are "
            "skipped by Tempest itself, see expected_skips."
        )
    public_network = get("network", "public_network_id") or ""
    if services.get("neutron") and not public_network:
        notes.append(
            "No external (public) network was discovered: tests that need external connectivity will "
            "fail; name one with the network option."
        )
    return {
        "mode": mode,
        "programs": programs,
        "services": dict(sorted(services.items())),
        "available_services": sorted(k for k, v in services.items() if v),
        "required_services": required,
        "api_versions": dict(sorted(api_versions.items())),
        "extensions": dict(sorted(extensions.items())),
        "credentials": {
            "dynamic": dynamic,
            "test_accounts_file": accounts_file,
        },
        "identity": {
            "uri": get("identity", "uri_v3") or get("identity", "uri") or "",
            "region": get("identity", "region") or "",
            "auth_version": get("identity", "auth_version") or "",
        },
        "object_storage": {
            "operator_role": get("object-storage", "operator_role") or "",
            "reseller_admin_role": get("object-storage", "reseller_admin_role") or "",
        },
        "network": {"public_network_id": public_network},
        "image": {
            "image_ref": get("compute", "image_ref") or "",
            "image_ref_alt": get("compute", "image_ref_alt") or "",
        },
        # whether Tempest logs into the servers it boots (its default is off): the tests that
        # need it are skipped otherwise
        "validation": {
            "run_validation": bool(_bool(get("validation", "run_validation"))),
            "connect_method": get("validation", "connect_method") or "",
            "image_ssh_user": get("validation", "image_ssh_user") or "",
        },
        "expected_skips": expected_skips,
        "notes": notes,
    }


def availability_problem(report: Mapping[str, Any], allow_partial: bool) -> str | None:
    """A loud error when discovery marked the selected programs' services unavailable."""
    required: Mapping[str, Mapping[str, bool | None]] = report.get("required_services", {})
    codenames: dict[str, list[str]] = {}
    for program, services in required.items():
        for codename in services:
            codenames.setdefault(codename, []).append(program)
    if not codenames:
        return None
    flags = {c: bool(report.get("services", {}).get(c)) for c in codenames}
    down = [c for c, ok in flags.items() if not ok]
    if not down:
        return None
    where = "; ".join(f"{c} (program {', '.join(codenames[c])})" for c in down)
    if len(down) == len(flags):
        return (
            "Discovery marked EVERY service of the selected programs unavailable in [service_available] "
            f"of tempest.conf: {where}. Tempest would skip all their tests and a run would wrongly look "
            "clean. The service listing most likely failed: read the discovery log."
        )
    if allow_partial:
        return None
    return (
        f"Discovery marked these services of the selected programs unavailable: {where}. Their tests "
        "would be skipped. Read the discovery log (allow partial availability only if this is intended)."
    )


# ---------------------------------------------------------------------------- accounts

ACCOUNT_KEYS = frozenset(
    {
        "username",
        "password",
        "project_name",
        "tenant_name",
        "project_id",
        "domain_name",
        "user_domain_name",
        "project_domain_name",
        "roles",
        "types",
        "resources",
        "system",
        "domain_id",
    }
)


def validate_accounts(accounts: Any, origin: str) -> list[dict[str, Any]]:
    """Check an accounts.yaml structure (list of credentials); one clear error naming the entry."""
    if not isinstance(accounts, list) or not accounts:
        raise TempestconfError(f"{origin} must be a non-empty list of accounts (username, password, project_name)")
    result = []
    for index, account in enumerate(accounts):
        if not isinstance(account, Mapping):
            raise TempestconfError(f"{origin}: entry {index} is not a mapping")
        missing = [k for k in ("username", "password") if not account.get(k)]
        if not (account.get("project_name") or account.get("tenant_name") or account.get("system")
                or account.get("project_id")):
            missing.append("project_name")
        if missing:
            who = account.get("username") or f"entry {index}"
            raise TempestconfError(f"{origin}: account {who!r} lacks {', '.join(missing)}")
        unknown = sorted(set(account) - ACCOUNT_KEYS)
        if unknown:
            raise TempestconfError(
                f"{origin}: account {account.get('username')!r} has unknown key(s) {', '.join(unknown)}; "
                f"accepted: {', '.join(sorted(ACCOUNT_KEYS))}"
            )
        for key in ("roles", "types"):
            if key in account and not isinstance(account[key], list):
                raise TempestconfError(f"{origin}: account {account.get('username')!r}: {key} must be a list")
        result.append({k: account[k] for k in account})
    return result


def summarize_accounts(accounts: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Accounts without their passwords."""
    return [
        {k: v for k, v in a.items() if k != "password"}
        for a in accounts
    ]


def pick_discovery_account(accounts: Sequence[Mapping[str, Any]], member_role: str) -> Mapping[str, Any]:
    """A project-scoped, non-admin account to run non-admin discovery as.

    Prefers an account whose only role is the member role, then a primary account
    (no roles, no types). Never an admin, system-scoped or reader-only account.
    """
    def project_scoped(a: Mapping[str, Any]) -> bool:
        return bool(a.get("project_name") or a.get("tenant_name")) and not a.get("system")

    for account in accounts:
        roles = [str(r) for r in account.get("roles") or []]
        if project_scoped(account) and not account.get("types") and roles == [member_role]:
            return account
    for account in accounts:
        if project_scoped(account) and not account.get("types") and not account.get("roles"):
            return account
    raise TempestconfError(
        f"No account with only the {member_role!r} role (or a primary account without roles) in the "
        "accounts file: non-admin discovery needs one"
    )


def account_auth(account: Mapping[str, Any], auth_url: str) -> dict[str, str]:
    """A clouds.yaml ``auth`` section for an accounts.yaml entry."""
    domain = str(account.get("domain_name") or "Default")
    return {
        "auth_url": auth_url,
        "username": str(account["username"]),
        "password": str(account["password"]),
        "project_name": str(account.get("project_name") or account.get("tenant_name")),
        "user_domain_name": str(account.get("user_domain_name") or domain),
        "project_domain_name": str(account.get("project_domain_name") or domain),
    }


# ---------------------------------------------------------------------------- misc


def demo_passwords(salt: bytes) -> dict[str, str]:
    """Overrides giving python-tempestconf's ``--create`` users passwords of their own.

    Its default (``secrete``) is public. These are random per workspace (derived from the
    state's random salt, so a rerun with unchanged inputs writes the same profile) and never
    leave the workspace's private files.
    """
    return {
        f"identity.{key}": "Oi" + base64.urlsafe_b64encode(
            hmac.new(salt, f"password:{key}".encode("utf-8"), hashlib.sha256).digest()
        ).decode("ascii").rstrip("=")[:32] + "7-"
        for key in ("password", "alt_password")
    }


def digest(parts: Mapping[str, Any], salt: bytes) -> str:
    """A salted digest of discovery inputs (secrets included, never stored in clear)."""
    payload = json.dumps(parts, sort_keys=True, default=str).encode("utf-8")
    return hmac.new(salt, payload, hashlib.sha256).hexdigest()


def sha256_file(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except FileNotFoundError:
        return None


def write_private(path: str, content: str | bytes, mode: int = 0o600) -> bool:
    """Write atomically (temp file in the same dir + ``os.replace``) with ``mode``.

    Returns whether the content (or mode) changed.
    """
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        with open(path, "rb") as handle:
            same = handle.read() == data
        if same and (os.stat(path).st_mode & 0o777) == mode:
            return False
        if same:
            os.chmod(path, mode)
            return True
    except FileNotFoundError:
        pass
    atomic_write(path, data, mode)
    return True


def read_text(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def load_state(path: str) -> dict[str, Any]:
    text = read_text(path)
    if not text:
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def state_salt(state: Mapping[str, Any]) -> bytes:
    salt = state.get("salt")
    if isinstance(salt, str) and re.fullmatch(r"[0-9a-f]{32,}", salt):
        return bytes.fromhex(salt)
    return os.urandom(16)
