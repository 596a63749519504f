# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""The one tool runner: real child processes (sh, python), real /proc."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from ansible_collections.openinfra.interop.plugins.module_utils import toolrun


def _tool(tmp_path: Path, script: str, **kwargs) -> toolrun.Tool:
    return toolrun.Tool(argv=[sys.executable, "-c", script], cwd=str(tmp_path),
                        log_path=str(tmp_path / "logs" / "tool.log"), **kwargs)


def test_output_goes_to_a_private_scrubbed_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OS_PASSWORD", "from-the-caller")
    monkeypatch.setenv("TEMPEST_CONFIG_DIR", "/etc/tempest")
    script = ("import os, sys; print('env', sorted(k for k in os.environ if k.startswith(('OS_', 'TEMPEST_'))));"
              "print('known Known-Secret1 and', '{\"password\": \"unknown-2\"}'); print('oops', file=sys.stderr);"
              "sys.exit(3)")
    result = toolrun.run(_tool(tmp_path, script, env={"OS_CLOUD": "mine"}, secrets=["Known-Secret1"]))
    log = Path(result.log_path)
    assert result.rc == 3 and result.duration >= 0
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    text = log.read_text()
    assert text == result.log_text
    assert "env ['OS_CLOUD']" in text  # the caller's credentials never reach the tool
    assert "Known-Secret1" not in text and "unknown-2" not in text and "oops" in text
    message = toolrun.failure(result, "the tool", ["Known-Secret1"])
    assert message.startswith("the tool failed (exit code 3); full log: ") and "Known-Secret1" not in message


def test_an_existing_world_readable_log_becomes_private(tmp_path: Path) -> None:
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "tool.log").write_text("old")
    os.chmod(tmp_path / "logs" / "tool.log", 0o644)
    result = toolrun.run(_tool(tmp_path, "print('new')"))
    assert result.rc == 0 and result.log_text == "new\n"
    assert stat.S_IMODE((tmp_path / "logs" / "tool.log").stat().st_mode) == 0o600


def test_timeout_and_missing_executable_are_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(toolrun.ToolError, match=r"^python3?[\d.]* did not finish within 0.5 s; log: "):
        toolrun.run(_tool(tmp_path, "import time; time.sleep(30)", timeout=0.5))
    tool = toolrun.Tool(argv=[str(tmp_path / "nope"), "--password", "Sec-ret9"], cwd=str(tmp_path),
                        log_path=str(tmp_path / "x.log"), secrets=["Sec-ret9"])
    with pytest.raises(toolrun.ToolError, match="^Cannot run .*/nope: .*No such file") as exc:
        toolrun.run(tool)
    assert "Sec-ret9" not in str(exc.value)


def test_error_lines_prefer_errors_and_drop_the_timestamp() -> None:
    log = "2026-11-25 09:24:38.373 12594 INFO tempest x\n2026-11-25 09:24:38.373 12594 ERROR tempest boom\n"
    assert toolrun.error_lines(log) == ["ERROR tempest boom"]
    assert toolrun.error_lines("just\nlines\n") == ["just", "lines"]


def test_child_env_drops_credentials_and_tempest_config() -> None:
    env = toolrun.child_env({"OS_PASSWORD": "x", "OS_CLOUD": "y", "TEMPEST_CONFIG_DIR": "/etc", "PATH": "/bin"})
    assert env == {"PATH": "/bin", "PYTHONWARNINGS": "ignore"}


def test_process_identity_from_proc(tmp_path: Path) -> None:
    me = os.getpid()
    start = toolrun.proc_start_time(me)
    assert start is not None and toolrun.same_process(me, start) and toolrun.same_process(me, str(start))
    assert not toolrun.same_process(me, start - 1) and not toolrun.same_process(None, start)
    (tmp_path / "77").mkdir()
    (tmp_path / "77" / "stat").write_text("77 (z (x)) Z 1 77 77 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 555 0 0\n")
    assert toolrun.proc_start_time(77, proc=str(tmp_path)) == 555
    assert not toolrun.same_process(77, 555, proc=str(tmp_path))  # a zombie is not the process any more
