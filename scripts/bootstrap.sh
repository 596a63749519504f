#!/usr/bin/env bash
# Prepare this machine to use and test the collection, from PyPI and Debian packages only:
#   - with --test, the Debian packages only the tests need;
#   - the controller venv (ansible-core, test tools) from tests/requirements.txt; with
#     --operator only what certify.yml needs (requirements.txt: ansible-core, openstacksdk, ...);
#   - the collection built from this checkout and installed from its own tarball;
#   - a copy of the checkout under ansible_collections/openinfra/interop for ansible-test;
#   - a local stand-in for ansible-test's get-pip download.
# Safe to run again: each step is skipped when its inputs have not changed.
# Usage: scripts/bootstrap.sh [--test | --operator]   (--test also installs what only the tests
# need; --operator installs only what running the collection needs, no test tools)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OII_HOME=${OPENINFRA_INTEROP_HOME:-$HOME/.cache/openinfra-interop}
VENV=$OII_HOME/venv
PYTHON=${OPENINFRA_INTEROP_PYTHON:-python3}
# Only the tests need these: a RefStack server's database, a browser for the HTML report,
# ansible-test sanity runs shellcheck; ssh-keygen makes keys for the key-format tests; Debian's
# packaged Tempest and python-tempestconf for the install method system (tests/e2e/object.d).
TEST_DEB_PACKAGES=(mariadb-server chromium shellcheck openssh-client python3-tempest python3-tempestconf)

log() { printf '[bootstrap] %s\n' "$*" >&2; }

install_debian_packages() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Recreating a venv costs minutes: do it only when the requirement files changed.
install_controller_venv() {
  local requirements=$1 stamp=$VENV/.requirements.sha256 want
  # the files pip reads for this kind of venv (tests/requirements.txt includes requirements.txt)
  want=$(cat "$ROOT/requirements.txt" "$requirements" | sha256sum | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  log "installing the controller venv $VENV"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -U pip wheel
  "$VENV/bin/pip" install -q --disable-pip-version-check -r "$requirements"
  echo "$want" > "$stamp"
}

# The files git would commit: tracked ones plus untracked ones it does not ignore.
checkout_files() {
  if git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
    git -C "$ROOT" ls-files -co --exclude-standard -z
  else
    (cd "$ROOT" && find . -type f ! -path './.git/*' -print0)
  fi
}

# ansible-test and ansible-lint need the collection below ansible_collections/<ns>/<name>.
copy_for_ansible_test() {
  local dest=$OII_HOME/src/ansible_collections/openinfra/interop
  rm -rf "$dest" && mkdir -p "$dest"
  # --ignore-failed-read: a tracked file deleted in the working tree is simply not copied.
  checkout_files | tar -C "$ROOT" --null --ignore-failed-read -T - -cf - | tar -C "$dest" -xf -
}

install_collection() {
  local dist=$OII_HOME/dist
  rm -rf "$dist" && mkdir -p "$dist"
  "$VENV/bin/ansible-galaxy" collection build --force --output-path "$dist" \
    "$OII_HOME/src/ansible_collections/openinfra/interop" >/dev/null
  "$VENV/bin/ansible-galaxy" collection install --force --offline -p "$OII_HOME/collections" \
    "$dist"/openinfra-interop-*.tar.gz >/dev/null
}

# ansible-test bootstraps pip in each venv it creates from a get-pip script it downloads from
# a host we cannot reach; the stand-in runs pip from a wheel fetched from PyPI instead.
install_get_pip_stand_in() {
  local version cache wheel_dir wheel
  version=$("$VENV/bin/python" - <<'EOF'
from types import SimpleNamespace
from ansible_test._internal.python_requirements import get_venv_packages
print(get_venv_packages(SimpleNamespace(version="3.11"))["pip"])
EOF
)
  cache=$HOME/.ansible/test/cache/get_pip_${version//./_}.py
  [ -f "$cache" ] && return 0
  wheel_dir=$OII_HOME/wheels
  mkdir -p "$wheel_dir" "$(dirname "$cache")"
  "$VENV/bin/pip" download -q --disable-pip-version-check --no-deps --only-binary=:all: \
    -d "$wheel_dir" "pip==$version"
  wheel=$(ls "$wheel_dir"/pip-"$version"-*.whl)
  log "installing a get-pip stand-in for pip $version"
  cat > "$cache.tmp" <<EOF
"""Stand-in for get-pip.py: install pip $version from a wheel downloaded from PyPI."""
import runpy
import sys

args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
sys.path.insert(0, "$wheel")
sys.argv = ["pip", "install", "--upgrade", "--force-reinstall", *args]
runpy.run_module("pip", run_name="__main__", alter_sys=True)
EOF
  mv "$cache.tmp" "$cache"
}

# Zuul's own schemas validate zuul.d/ (tests/zuul/validate_zuul.py): zuul without its service
# dependencies, plus what zuul.configloader imports, in a venv of its own.
install_zuul_venv() {
  local venv=$OII_HOME/zuul-venv stamp want
  stamp=$venv/.requirements.sha256
  want=$(sha256sum < "$ROOT/tests/zuul/requirements.txt" | cut -d' ' -f1)
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && return 0
  log "installing the Zuul schema venv $venv"
  "$PYTHON" -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check --no-deps zuul==14.3.0
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$ROOT/tests/zuul/requirements.txt"
  echo "$want" > "$stamp"
}

main() {
  mkdir -p "$OII_HOME"
  if [ "${1:-}" = "--operator" ]; then
    install_controller_venv "$ROOT/requirements.txt"
    copy_for_ansible_test
    install_collection
    log "ready: venv $VENV (runtime only), collection installed under $OII_HOME/collections"
    return 0
  fi
  if [ "${1:-}" = "--test" ]; then
    install_debian_packages "${TEST_DEB_PACKAGES[@]}"
    install_zuul_venv
  fi
  install_controller_venv "$ROOT/tests/requirements.txt"
  copy_for_ansible_test
  install_collection
  install_get_pip_stand_in
  log "ready: venv $VENV, collection installed under $OII_HOME/collections"
}

main "$@"
