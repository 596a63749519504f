# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Kill Tempest in the middle of a run, the way an operator's Ctrl-C or an OOM killer would.

Usage: kill_tempest.py <run_dir> <tests done before the kill> <seconds to wait at most>

Waits until <run_dir>/status.json (written by openinfra.interop.tempest_job) reports at least
that many finished tests (of a run started after this script), then sends SIGKILL to the Tempest process the run recorded, after
checking its kernel start time (never a recycled PID). Prints what it did as JSON.
"""

import json
import os
import signal
import sys
import time


def start_time(pid):
    try:
        with open("/proc/%d/stat" % pid) as handle:
            data = handle.read()
    except OSError:
        return None
    return data[data.rfind(")") + 2:].split()[19]


def main():
    run_dir, wanted, limit = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    status_path = os.path.join(run_dir, "status.json")
    end = time.monotonic() + limit
    begin = time.time() - 1
    while time.monotonic() < end:
        try:
            with open(status_path) as handle:
                status = json.load(handle)
        except (OSError, ValueError):
            status = {}
        if (status.get("started_at") or 0) < begin:
            status = {}  # a run from before: wait for the new one
        if status.get("state") == "finished":
            print(json.dumps({"killed": False, "why": "the run ended first"}))
            return 1
        done = (status.get("counts") or {}).get("done", 0)
        pid = status.get("pid")
        if status.get("state") == "running" and done >= wanted and pid:
            # status.json records the start time as a number, /proc gives text
            if start_time(pid) != str(status.get("pid_start")):
                print(json.dumps({"killed": False, "why": "pid %s is not the recorded process" % pid}))
                return 1
            os.kill(pid, signal.SIGKILL)
            print(json.dumps({"killed": True, "pid": pid, "done": done}))
            return 0
        time.sleep(0.5)
    print(json.dumps({"killed": False, "why": "timeout"}))
    return 1


if __name__ == "__main__":
    sys.exit(main())
