# shellcheck shell=bash
# Non-admin mode as the README shows it: a tenant's clouds.yaml entry and the sandbox's
# pre-provisioned accounts file, through certify variables only (mode, accounts_file). Tempest
# skips test_list_containers_with_marker without dynamic credentials, so the verdict is FAIL with
# 57 of 58 passed, no failure, and that one skip explained.
RESULTS=$STATE/results-non-admin
read -r tenant accounts < <(python3 - "$STATE/sandbox/sandbox.json" <<'PY'
import json, sys
info = json.load(open(sys.argv[1]))  # sandbox_cloud_info, as the role wrote it
print(info["clouds"]["demo"], info["accounts_file"])
PY
)
"${CERTIFY[@]}" -e "cloud=$tenant" -e mode=non-admin -e "accounts_file=$accounts" \
  -e "results_dir=$RESULTS" -e "certify_state_dir=$STATE/certify-non-admin" -e fail_on_verdict=false \
  | tee "$STATE/certify-non-admin.log"
python3 - "$RESULTS/object/summary.json" <<'PY'
import json, sys
summary = json.load(open(sys.argv[1]))
counts = summary["counts"]
assert (counts["passed"], counts["failed"], counts["skipped"], counts["missing"]) == (57, 0, 1, 0), counts
[why] = summary["explanations"]
assert why["name"].endswith("test_list_containers_with_marker"), why
assert "pre-provisioned accounts" in why["explanation"], why
assert summary["cpid_method"] == "catalog", summary["cpid_method"]
print(f"non-admin: {counts['passed']}/{counts['required']} passed, skip explained: {why['explanation']}")
PY
