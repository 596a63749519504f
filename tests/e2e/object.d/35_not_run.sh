# shellcheck shell=bash
# A run in which no test ran is an error, never a verdict, and never replaces a result (issue 19):
# over a PASS in its own results directory (step 10's, copied), certify again with
# refstack_client_force and an option Tempest rejects. Expect the error with Tempest's own
# message, and every earlier file unchanged, nothing added beside it. CI time: the run starts
# from a copy of step 10's workspace with tempestconf_install_method none, so no discovery runs
# before a Tempest run that is to fail (a copy: the failed attempt stays out of the workspace
# later steps reuse).
RESULTS=$STATE/results-not-run
WORKSPACE=$STATE/certify-not-run
[ "$(summary_field "$STATE/results-admin/object/summary.json" verdict)" = PASS ] \
  || { echo "step 10 left no PASS in $STATE/results-admin to start from"; exit 1; }
rm -rf "$RESULTS" && cp -a "$STATE/results-admin" "$RESULTS"
rm -rf "$WORKSPACE" && cp -a "$STATE/certify-admin" "$WORKSPACE"
fingerprint() { (cd "$RESULTS" && find . -type f -print0 | sort -z | xargs -0 sha256sum); }
before=$(fingerprint)

if "${CERTIFY[@]}" -e "results_dir=$RESULTS" -e "certify_state_dir=$WORKSPACE" -e tempestconf_install_method=none \
     -e refstack_client_force=true -e '{"refstack_client_extra_args": ["--no-such-option"]}' \
     > "$STATE/certify-not-run.log" 2>&1; then
  echo "certify with an option Tempest rejects succeeded"; tail -30 "$STATE/certify-not-run.log"; exit 1
fi
for expected in "object: Tempest ran no test (exit 2, failed)" "unrecognized arguments: --no-such-option"; do
  grep -qF -- "$expected" "$STATE/certify-not-run.log" \
    || { echo "missing from the output: $expected"; tail -30 "$STATE/certify-not-run.log"; exit 1; }
done
if grep -qE "object: (PASS|FAIL) 0/" "$STATE/certify-not-run.log"; then
  echo "a run without tests was reported as a verdict"; exit 1
fi
[ "$(fingerprint)" = "$before" ] || { echo "the earlier PASS changed:"; diff <(echo "$before") <(fingerprint); exit 1; }
echo "not run: an error with Tempest's message, the PASS files unchanged ($(echo "$before" | wc -l) files)"
