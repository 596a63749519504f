# shellcheck shell=bash
# tempestconf_install_method none on the workspace of 10_certify_admin: nothing installed, no
# discovery; its tempest.conf is used as it is (same bytes, same mtime) and the result records
# the method and the Tempest version. A directory that is no earlier run's workspace is one
# clear error before anything is created. CI time: only the account tests run (the other
# required tests are excluded, so they count as missing and the verdict is FAIL).
WORKSPACE=$STATE/certify-admin
RESULTS=$STATE/results-install-none
CONF=$WORKSPACE/tempest-workspace/etc/tempest.conf
[ -f "$CONF" ] || { echo "no workspace from 10_certify_admin in $WORKSPACE"; exit 1; }
before=$(sha256sum "$CONF"; stat -c %Y "$CONF")
SCOPE='{"regex": "^(?!tempest\\.api\\.object_storage\\.test_account_services\\.)", "reason": "outside this step (CI time)"}'
"${CERTIFY[@]}" -e "certify_state_dir=$WORKSPACE" -e "results_dir=$RESULTS" -e fail_on_verdict=false \
  -e tempestconf_install_method=none -e "{\"refstack_client_exclude\": [$SCOPE]}" \
  > "$STATE/install-none.log" || { tail -40 "$STATE/install-none.log"; exit 1; }
[ "$(sha256sum "$CONF"; stat -c %Y "$CONF")" = "$before" ] || { echo "tempest.conf changed"; exit 1; }
if grep -A2 -E 'TASK \[openinfra.interop.tempestconf : (Install Tempest|Discover)' "$STATE/install-none.log" \
  | grep -Eq '^(ok|changed):'; then
  echo "install method none installed or discovered something"; exit 1
fi
"$OII_HOME/venv/bin/python" - "$RESULTS/object/summary.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
meta = s["metadata"]
assert meta["tempest_install_method"] == "none", meta
assert meta["tempest"]["tempest"], meta["tempest"]
account = [t for t in s["tests"] if ".test_account_services." in t["name"]]
assert account and all(t["outcome"] == "passed" for t in account), [(t["name"], t["outcome"]) for t in account]
print(f"install method none: {len(account)} account tests passed with Tempest {meta['tempest']['tempest']}")
PY
# no earlier run in that directory: one message, nothing created
if "${CERTIFY[@]}" -e "certify_state_dir=$STATE/install-none-empty" -e "results_dir=$RESULTS-empty" \
  -e tempestconf_install_method=none > "$STATE/install-none-empty.log"; then
  echo "install method none accepted a directory without an earlier run"; exit 1
fi
grep -q "tempestconf_install_method is none, so nothing is installed or discovered, but .*install-none-empty/tempest-workspace/etc/tempest.conf does not exist" \
  "$STATE/install-none-empty.log" || { tail -20 "$STATE/install-none-empty.log"; exit 1; }
[ ! -e "$STATE/install-none-empty/tempest-workspace" ] || { echo "a workspace was created"; exit 1; }
echo "install method none: a directory without an earlier run is one clear error"
