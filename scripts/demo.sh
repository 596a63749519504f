#!/usr/bin/env bash
# The newcomer's first run: install, start the sandbox cloud, certify it for a program
# (default: object) and print the verdict. Usage: scripts/demo.sh [program]
# Stop the sandbox afterwards with:
#   ansible-playbook playbooks/sandbox.yml -e state=absent   (with the venv's ansible-playbook)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OII_HOME=${OPENINFRA_INTEROP_HOME:-$HOME/.cache/openinfra-interop}
PROGRAM=${1:-object}
export ANSIBLE_COLLECTIONS_PATH=$OII_HOME/collections
PLAYBOOK=$OII_HOME/venv/bin/ansible-playbook

bash "$ROOT/scripts/bootstrap.sh"
cd "$ROOT"
"$PLAYBOOK" playbooks/sandbox.yml -e state=present
"$PLAYBOOK" playbooks/certify.yml -e cloud=sandbox -e "program=$PROGRAM"
