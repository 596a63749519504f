"""Run tasks of the collection's action plugins through a real ansible-playbook on localhost."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

ROOT = Path(__file__).resolve().parents[4]


@dataclass
class PlayRun:
    """What one ansible-playbook run did: its exit code, output and each task's registered result."""

    rc: int
    stdout: str
    stderr: str
    names: list[str]
    results: list[dict[str, Any]]

    def by_name(self) -> dict[str, dict[str, Any]]:
        """Each task's result by task name; the run itself must have succeeded."""
        if self.rc != 0:
            raise AssertionError(f"ansible-playbook failed (rc {self.rc}):\n{self.stdout}\n{self.stderr}")
        return dict(zip(self.names, self.results))


@pytest.fixture(scope="session")
def collections_path() -> Iterator[str]:
    """A directory holding ansible_collections/openinfra/interop (the checkout itself)."""
    if ROOT.parent.name == "openinfra" and ROOT.parent.parent.name == "ansible_collections":
        yield str(ROOT.parents[2])
        return
    top = Path(tempfile.mkdtemp(prefix="oii-action-"))
    (top / "ansible_collections" / "openinfra").mkdir(parents=True)
    os.symlink(ROOT, top / "ansible_collections" / "openinfra" / "interop")
    try:
        yield str(top)
    finally:
        shutil.rmtree(top)


@pytest.fixture()
def ansible_tasks(collections_path: str, tmp_path: Path) -> Callable[..., PlayRun]:
    """``ansible_tasks(tasks, *ansible_playbook_args)`` runs the tasks in one play on localhost."""

    def run(tasks: list[dict[str, Any]], *extra: str) -> PlayRun:
        out = tmp_path / "registered.json"
        out.unlink(missing_ok=True)
        registered = [dict(item, register=f"result_{index}") for index, item in enumerate(tasks)]
        collect = "{{ [%s] | to_json }}" % ", ".join(f"result_{i}" for i in range(len(tasks)))
        play_tasks = registered + [{"name": "collect", "check_mode": False, "diff": False,
                                    "ansible.builtin.copy": {"content": collect, "dest": str(out)}}]
        book = tmp_path / "play.yml"
        book.write_text(json.dumps([{"hosts": "localhost", "gather_facts": False, "tasks": play_tasks}]),
                        encoding="utf-8")
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_path, ANSIBLE_NOCOLOR="1",
                   ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"), ANSIBLE_RETRY_FILES_ENABLED="0")
        cmd = [sys.executable, "-m", "ansible.cli.playbook", "-i", "localhost,", "-c", "local",
               "-e", json.dumps({"ansible_python_interpreter": sys.executable}), str(book), *extra]
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300, check=False)
        if not out.is_file():
            raise AssertionError(f"ansible-playbook stopped early (rc {proc.returncode}):\n"
                                 f"{proc.stdout}\n{proc.stderr}")
        return PlayRun(proc.returncode, proc.stdout, proc.stderr, [item["name"] for item in tasks],
                       json.loads(out.read_text(encoding="utf-8")))

    return run
