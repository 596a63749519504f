# shellcheck shell=bash
# Certify the object sandbox in admin mode: PASS 58/58 with a RefStack document in
# refstack-client's format, then again into the same results directory: nothing changes.
RESULTS=$STATE/results-admin
ADMIN=("${CERTIFY[@]}" -e "results_dir=$RESULTS" -e "certify_state_dir=$STATE/certify-admin")

"${ADMIN[@]}" | tee "$STATE/certify-admin-1.log"
verdict=$(summary_field "$RESULTS/object/summary.json" verdict)
[ "$verdict" = PASS ] || { echo "verdict $verdict, expected PASS"; exit 1; }
python3 - "$RESULTS/object/refstack-result.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
assert set(doc) == {"cpid", "duration_seconds", "results"}, doc.keys()
assert len(doc["results"]) == 58, len(doc["results"])
print(f"refstack-result.json: {len(doc['results'])} passed tests, cpid {doc['cpid']}")
PY

"${ADMIN[@]}" | tee "$STATE/certify-admin-2.log"
grep -Eq 'localhost +: ok=[0-9]+ +changed=0 ' "$STATE/certify-admin-2.log" \
  || { echo "the second certify run changed something"; exit 1; }
echo "admin: PASS, second run changed nothing"
