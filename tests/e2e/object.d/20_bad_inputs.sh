# shellcheck shell=bash
# Bad credentials against the running sandbox: wrong password, user domain and project each end
# in one error naming whom the credentials name, and no user or project is created (issue 19).
# The same table as the functional stage (tests/functional/test_bad_inputs.py), cloud cases only.
OII_BAD_INPUTS_CLOUDS_YAML=$OS_CLIENT_CONFIG_FILE OII_BAD_INPUTS_TEMPEST_VENV=$OII_HOME/tempest-venv \
  pytest -p no:cacheprovider -q --basetemp="$STATE/bad-inputs" "$ROOT/tests/functional/test_bad_inputs.py::test_bad_input"
