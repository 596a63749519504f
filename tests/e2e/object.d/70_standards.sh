# shellcheck shell=bash
# Tools for guideline authors on the real object sandbox (issue 16):
# 1. a trial run of next.json with test_types [required, advisory]: the advisory capability
#    (object has one in next.json: identity-v3-tokens-delete) is in summary.json, report.html
#    and the junit properties, and the verdict counts the required tests only;
# 2. the consistency check of next.json and the census of untracked object API tests against
#    the installed Tempest, with a candidate guideline (next.json + 3 untracked tests as advisory);
# 3. a second run on that candidate with one required test excluded (an injected failure):
#    the sample's tests get pass/fail, and compare.yml shows exactly that regression and
#    draws the tests x runs matrix, checked in headless chromium.
TRIAL=$STATE/standards-trial
INJECTED=$STATE/standards-injected
TOOLS=$STATE/standards-tools
COMPARISON=$STATE/standards-compare
# The workspace of 10_certify_admin when it ran (its discovery is reused), else a new one.
WORKSPACE=$STATE/certify-admin
RUN=("${CERTIFY[@]}" -e "certify_state_dir=$WORKSPACE" -e fail_on_verdict=false
     -e '{"test_types": ["required", "advisory"]}')
# CI time: both runs keep the account and identity tests (the advisory one among them) and
# exclude the other required tests with the role's exclusion variable (they count as missing,
# in both runs alike).
SCOPE='{"regex": "^(?!tempest\\.api\\.object_storage\\.test_account_services\\.|tempest\\.api\\.identity\\.)", "reason": "outside this step (CI time)"}'

"${RUN[@]}" -e guideline=next -e "results_dir=$TRIAL" -e "{\"refstack_client_exclude\": [$SCOPE]}" \
  > "$STATE/standards-trial.log" || { tail -40 "$STATE/standards-trial.log"; exit 1; }
"$OII_HOME/venv/bin/python" - "$TRIAL/object" <<'PY' || exit 1
import json, re, sys
d = sys.argv[1]
s = json.load(open(d + "/summary.json"))
rows = {r["name"]: r for r in s["trial"]["capabilities"]}
assert set(rows) == {"identity-v3-tokens-delete"}, rows
row = rows["identity-v3-tokens-delete"]
assert row["status"] == "advisory" and row["tests"] >= 1 and row["result"] in ("PASS", "FAIL"), row
assert "identity-v3-tokens-delete" not in {c["name"] for c in s["capabilities"]}, "advisory in the verdict"
html = open(d + "/report.html", encoding="utf-8").read()
assert re.search(r'<table id="trial-capabilities">.*identity-v3-tokens-delete.*</table>', html, re.S), "no trial table"
junit = open(d + "/junit.xml", encoding="utf-8").read()
assert f'<property name="trial.advisory.identity-v3-tokens-delete" value="{row["result"]} ' in junit, "no junit property"
print(f"trial: verdict {s['verdict']} ({s['counts']['passed']}/{s['counts']['required']} required), "
      f"advisory identity-v3-tokens-delete {row['result']} {row['passed']}/{row['tests']}")
PY

"${PLAYBOOK[@]}" playbooks/guideline_check.yml -e "tempest_venv=$OII_HOME/tempest-venv" \
  -e "workspace=$WORKSPACE/tempest-workspace" -e "results_dir=$TOOLS" -e census=true \
  -e '{"guidelines": ["next"], "census_programs": ["object"], "census_include": ["test_account_services"]}' \
  -e candidate_base=next -e candidate_program=object -e candidate_limit=3 > "$STATE/standards-tools.log" \
  || { tail -40 "$STATE/standards-tools.log"; exit 1; }
python3 - "$TOOLS" <<'PY' || exit 1
import json, sys
check = json.load(open(sys.argv[1] + "/guideline-check.json"))
assert check["passed"] and check["reports"][0]["guideline"] == "next", check["reports"][0]["counts"]
census = json.load(open(sys.argv[1] + "/census.json"))
assert census["services"]["object-store"]["untracked"] > 0, census["services"]
candidate = json.load(open(sys.argv[1] + "/candidate-guideline.json"))
added = [c for c in candidate["capabilities"] if c.startswith("untracked-")]
assert added and all(c in candidate["components"]["os_powered_storage"]["capabilities"]["advisory"] for c in added)
print("check of next: passed; census: " + ", ".join(f"{k} {v['untracked']}/{v['api_tests']}" for k, v in census["services"].items()))
PY

# The injected failure: a required test that passed in the trial run, excluded now.
EXCLUDED=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(next(t["name"] for t in s["tests"] if t["outcome"]=="passed" and ".object_storage." in t["name"]))' "$TRIAL/object/summary.json") || exit 1
REGEX=$(python3 -c 'import re,sys; print("^" + re.escape(sys.argv[1]) + r"\[")' "$EXCLUDED") || exit 1
"${RUN[@]}" -e "guideline=$TOOLS/candidate-guideline.json" -e "results_dir=$INJECTED" \
  -e "{\"refstack_client_exclude\": [$SCOPE, {\"regex\": $(python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$REGEX"), \"reason\": \"injected failure (e2e)\"}]}" \
  > "$STATE/standards-injected.log" || { tail -40 "$STATE/standards-injected.log"; exit 1; }
python3 - "$INJECTED/object/summary.json" <<'PY' || exit 1
import json, sys
s = json.load(open(sys.argv[1]))
sample = [t for t in s["trial"]["tests"] if t["capability"].startswith("untracked-")]
assert len(sample) == 3 and all(t["outcome"] in ("passed", "failed", "skipped") for t in sample), sample
print("census sample on the sandbox: " + ", ".join(f"{t['name'].rsplit('.', 1)[1]} {t['outcome']}" for t in sample))
PY

"${PLAYBOOK[@]}" playbooks/compare.yml -e "{\"results_dirs\": [\"$TRIAL\", \"$INJECTED\"], \"labels\": [\"trial\", \"injected\"]}" \
  -e "dest=$COMPARISON" > "$STATE/standards-compare.log" || { tail -40 "$STATE/standards-compare.log"; exit 1; }
"$OII_HOME/venv/bin/python" - "$COMPARISON" "$EXCLUDED" "$ROOT/tests/functional" <<'PY' || exit 1
import json, sys, tempfile
from pathlib import Path
directory, excluded = sys.argv[1], sys.argv[2]
sys.path.insert(0, sys.argv[3])
from test_report_html import CHROMIUM, dom_of  # the report test's own headless chromium
c = json.load(open(directory + "/comparison.json"))
pair = c["programs"]["object"]["pairs"][0]
assert [r["test"] for r in pair["regressions"]] == [excluded], pair["regressions"]
assert pair["regressions"][0]["after"] == "missing", pair["regressions"]
assert c["programs"]["object"]["capabilities"], "no capability ratios"
assert CHROMIUM, "chromium is needed for the comparison page"
tmp = Path(tempfile.mkdtemp(prefix="chromium-", dir=directory))  # under $STATE, removed with it
_html, dom = dom_of(Path(directory) / "comparison.html", tmp)
assert excluded in dom.text("regressions-object-0"), dom.text("regressions-object-0")[:500]
matrix = dom.text("matrix-object")
assert "trial" in matrix and "injected" in matrix and excluded in matrix, matrix[:500]
assert "identity-v3-tokens-delete" in dom.text("capabilities-object")
print(f"compare: exactly one regression ({excluded.rsplit('.', 1)[1]}), matrix of "
      f"{len(c['programs']['object']['matrix'])} tests x 2 runs rendered by chromium")
PY
