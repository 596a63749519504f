# shellcheck shell=bash
# Programs as data, on the object sandbox and cheaply (issue 13):
#  1. playbooks/results.yml scores the stream 10_certify_admin saved, with no cloud and no
#     Tempest, for the program spelled Storage: the same counts and a byte-identical RefStack
#     document; scoring.json names the guideline and the stream, and a second scoring of the
#     same input changes no file;
#  2. certify.yml with program=Object,list:<file> into 10_certify_admin's results directory:
#     object's complete result is kept, so the one Tempest run holds only the list's five tests
#     (four identity tests of SCS-0128 and one object test); the list program gets its own
#     results directory (list_<stem>), the list verdict rule and a PASS.
ADMIN_RESULTS=$STATE/results-admin
RESCORED=$STATE/results-rescored
cpid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["cpid"])' "$ADMIN_RESULTS/object/refstack-result.json")
guideline=$(summary_field "$ADMIN_RESULTS/object/summary.json" guideline)

"${PLAYBOOK[@]}" playbooks/results.yml -e "subunit=$ADMIN_RESULTS/object/results.subunit" -e program=Storage \
  -e "guideline=$guideline" -e "cpid=$cpid" -e "results_dir=$RESCORED" | tee "$STATE/results-rescored.log"
python3 - "$ADMIN_RESULTS/object" "$RESCORED/object" <<'PY'
import json, sys
ran, rescored = (json.load(open(f"{d}/summary.json")) for d in sys.argv[1:])
assert rescored["counts"] == ran["counts"] and rescored["verdict"] == ran["verdict"] == "PASS", rescored["counts"]
docs = [open(f"{d}/refstack-result.json", "rb").read() for d in sys.argv[1:]]
assert docs[0] == docs[1], "the rescored RefStack document differs from the run's"
print(f"results.yml: object {rescored['counts']['passed']}/{rescored['counts']['required']}, same document")
PY
# what the verdict was scored from, and when; scoring the same input again changes nothing, not
# even that time (the record is written with a result that changed, never beside the same one)
scoring_before=$(sha256sum "$RESCORED/object/scoring.json")
"${PLAYBOOK[@]}" playbooks/results.yml -e "subunit=$ADMIN_RESULTS/object/results.subunit" -e program=Storage \
  -e "guideline=$guideline" -e "cpid=$cpid" -e "results_dir=$RESCORED" > "$STATE/results-rescored-2.log"
grep -Eq 'localhost +: ok=[0-9]+ +changed=0 ' "$STATE/results-rescored-2.log" \
  || { tail -20 "$STATE/results-rescored-2.log"; echo "scoring the same stream again changed something"; exit 1; }
[ "$scoring_before" = "$(sha256sum "$RESCORED/object/scoring.json")" ] || { echo "scoring.json changed"; exit 1; }
python3 - "$RESCORED/object/scoring.json" "$ADMIN_RESULTS/object/results.subunit" "$guideline" <<'PY'
import hashlib, json, sys
record = json.load(open(sys.argv[1]))
assert record["guideline"] == sys.argv[3] and record["program"] == "object", record
assert record["streams"][0]["sha256"] == hashlib.sha256(open(sys.argv[2], "rb").read()).hexdigest(), record
print(f"scoring.json: {record['guideline']} scored at {record['scored_at']}; the same input again changed nothing")
PY

LIST=$STATE/programs-e2e.lst
grep -m4 'tempest.api.identity.v3.test_api_discovery' "$ROOT/guidelines/lists/scs-0128-v1/tempest-tests-non-admin.lst" > "$LIST"
echo 'tempest.api.object_storage.test_account_services.AccountTest.test_list_containers[id-3499406a-ae53-4f8c-b43a-133d4dc6fe3f,smoke]' >> "$LIST"
before=$(sha256sum "$ADMIN_RESULTS/object/summary.json")
"${CERTIFY[@]}" -e "program=Object,list:$LIST" -e "results_dir=$ADMIN_RESULTS" \
  -e "certify_state_dir=$STATE/certify-admin" | tee "$STATE/certify-programs.log"
[ "$before" = "$(sha256sum "$ADMIN_RESULTS/object/summary.json")" ] || { echo "object's kept result changed"; exit 1; }
grep -q 'object: PASS 58/58 required passed (kept' "$STATE/certify-programs.log" \
  || { echo "object's complete result was not kept"; exit 1; }
python3 - "$ADMIN_RESULTS/list_programs-e2e/summary.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
c = s["counts"]
assert (s["verdict"], c["required"], c["passed"], c["failed"], c["missing"]) == ("PASS", 5, 5, 0, 0), (s["verdict"], c)
assert s["verdict_rule"].startswith("no test failed") and s["guideline"] == "list_programs-e2e", s["verdict_rule"]
assert s["run"]["tests"] == 5, s["run"]
print(f"list program: {s['verdict']} {c['passed']}/{c['required']}, rule: {s['verdict_rule']}")
PY
