# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""One way to run an external tool (python-tempestconf, tempest account-generator, tempest cleanup).

Modelled on community.general's ``CmdRunner``: the caller says *what* to run (argv, working
directory, extra environment, timeout, log file, the secrets it handed the tool) and this module
owns *how*: a child environment without the caller's ``OS_*`` credentials or Tempest config
paths, stdin closed, output to a log file created 0600, the log scrubbed of every secret (known
values and secret-named keys, :mod:`scrub`) as soon as the tool ends, a timeout that kills the
tool, and one error type whose message never holds a secret. It also owns process identity from
``/proc`` (a PID plus its kernel start time), which the detached Tempest supervisor and the
sandbox processes use to tell their own process from a recycled PID.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Optional, Sequence

from ansible_collections.openinfra.interop.plugins.module_utils.atomic import atomic_write
from ansible_collections.openinfra.interop.plugins.module_utils.scrub import scrub_text

PROC = "/proc"
LOG_MODE = 0o600


class ToolError(Exception):
    """A tool could not run or failed; the message is already scrubbed."""


@dataclass
class ToolResult:
    """What a finished tool run left: exit code, seconds, and its (scrubbed) log."""

    rc: int
    duration: float
    log_path: str
    log_text: str


@dataclass
class Tool:
    """An external command and how it is run."""

    argv: Sequence[str]
    cwd: str
    log_path: str
    env: Mapping[str, str] = field(default_factory=dict)
    timeout: Optional[float] = None
    secrets: Iterable[str] = ()
    name: str = ""

    @property
    def label(self) -> str:
        return self.name or os.path.basename(str(self.argv[0]))


def child_env(environ: Mapping[str, str], extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a child: no ``OS_*`` credentials and no ``TEMPEST_CONFIG*`` paths of the
    caller (a tool must read only what it is given), plus ``extra``."""
    env = {k: v for k, v in environ.items() if not (k.startswith("OS_") or k.startswith("TEMPEST_CONFIG"))}
    env["PYTHONWARNINGS"] = "ignore"
    env.update(extra or {})
    return env


def open_private_log(path: str, append: bool = False) -> int:
    """A log file descriptor, the file 0600 even when it existed with another mode."""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC), LOG_MODE)
    os.fchmod(fd, LOG_MODE)
    return fd


def scrub_file(path: str, secrets: Iterable[str]) -> str:
    """Rewrite ``path`` (0600) without secrets; returns the scrubbed text ('' when absent)."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except FileNotFoundError:
        return ""
    text = scrub_text(raw.decode("utf-8", "replace"), secrets)
    if text.encode("utf-8") != raw or (os.stat(path).st_mode & 0o777) != LOG_MODE:
        atomic_write(path, text, LOG_MODE)
    return text


def run(tool: Tool) -> ToolResult:
    """Run ``tool`` to its end; its output goes to ``tool.log_path``, scrubbed afterwards.

    Raises :class:`ToolError` when it cannot start or exceeds its timeout. A non-zero exit code
    is returned, not raised: the caller knows what it means.
    """
    secrets = list(tool.secrets)
    fd = open_private_log(tool.log_path)
    start = time.monotonic()
    try:
        with os.fdopen(fd, "w") as log:
            proc = subprocess.run(
                list(tool.argv), cwd=tool.cwd, env=child_env(os.environ, tool.env), stdout=log,
                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, timeout=tool.timeout, check=False,
            )
    except subprocess.TimeoutExpired:
        scrub_file(tool.log_path, secrets)
        raise ToolError(f"{tool.label} did not finish within {tool.timeout:g} s; log: {tool.log_path}") from None
    except OSError as exc:
        scrub_file(tool.log_path, secrets)
        raise ToolError(scrub_text(f"Cannot run {tool.argv[0]}: {exc}", secrets)) from None
    duration = time.monotonic() - start
    return ToolResult(proc.returncode, duration, tool.log_path, scrub_file(tool.log_path, secrets))


def error_lines(log_text: str, limit: int = 8) -> list[str]:
    """The last lines of a tool log that say what went wrong (oslo.log prefix dropped)."""
    lines = [line.rstrip() for line in log_text.splitlines() if line.strip()]
    picked = [line for line in lines if re.search(r"\b(ERROR|CRITICAL|Traceback|Exception|Error)\b", line)]
    result = picked[-limit:] if picked else lines[-limit:]
    return [re.sub(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \d+ ", "", line) for line in result]


def failure(result: ToolResult, what: str, secrets: Iterable[str] = ()) -> str:
    """One message for a tool that exited non-zero: exit code, log path, last errors, no secret."""
    lines = error_lines(result.log_text)
    return scrub_text(
        f"{what} failed (exit code {result.rc}); full log: {result.log_path}. Last errors: {' | '.join(lines)}",
        secrets,
    )


# ------------------------------------------------------------------------------ process identity


def stat_fields(pid: int, proc: str = PROC) -> Optional[list[str]]:
    """Fields of ``/proc/<pid>/stat`` after the command name (index 0 = state), or None."""
    try:
        with open(f"{proc}/{pid}/stat", encoding="utf-8", errors="replace") as handle:
            raw = handle.read()
    except OSError:
        return None
    # the command name is in parentheses and may itself contain spaces or parentheses
    return raw[raw.rfind(")") + 2:].split()


def proc_start_time(pid: int, proc: str = PROC) -> Optional[int]:
    """Kernel start time of ``pid`` (clock ticks since boot), None when it does not exist."""
    fields = stat_fields(pid, proc)
    if fields is None or len(fields) < 20:
        return None
    return int(fields[19])


def same_process(pid: Optional[int], start: object, proc: str = PROC) -> bool:
    """True when ``pid`` is still the live process that had kernel start time ``start``
    (not a zombie, not a recycled PID)."""
    if not pid or start is None:
        return False
    fields = stat_fields(int(pid), proc)
    return bool(fields) and len(fields or []) >= 20 and fields[0] not in ("Z", "X") and fields[19] == str(start)
