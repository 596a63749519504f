#!/usr/bin/env bash
# The newcomer's first run: install, start the sandbox cloud with the services a program needs,
# certify it for that program and print the verdict.
#   Usage: scripts/demo.sh [program]   program: object (default), compute, platform, dns, orchestration,
#                                      shared_file_system, scs-0128; any case (storage is object)
# Stop the sandbox afterwards with:
#   ansible-playbook playbooks/sandbox.yml -e state=absent   (with the venv's ansible-playbook)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OII_HOME=${OPENINFRA_INTEROP_HOME:-$HOME/.cache/openinfra-interop}
export ANSIBLE_COLLECTIONS_PATH=$OII_HOME/collections
PLAYBOOK=$OII_HOME/venv/bin/ansible-playbook

bash "$ROOT/scripts/bootstrap.sh"
# the program's canonical name (any case, aliases such as storage) from the program registry
PROGRAM=$(PYTHONPATH=$OII_HOME/collections "$OII_HOME/venv/bin/python" -c '
import sys
from ansible_collections.openinfra.interop.plugins.module_utils.programs import canonical_program
print(canonical_program(sys.argv[1]))' "${1:-object}") || exit 2
case "$PROGRAM" in
  object) SERVICES=object ;;
  # SCS-0128 lists compute, identity, image, network and volume tests
  compute|scs_0128) SERVICES=compute ;;
  platform) SERVICES=object,compute ;;
  dns) SERVICES=dns ;;
  # some orchestration tests boot servers: with compute, all of them can pass
  orchestration) SERVICES=orchestration,compute ;;
  shared_file_system) SERVICES=shared_file_system ;;
  *) echo "the sandbox cannot run program '$PROGRAM'; choose object, compute, platform, dns, orchestration, shared_file_system or scs-0128" >&2
     exit 2 ;;
esac
GUIDELINE=()
if [ "$PROGRAM" = shared_file_system ]; then
  # no official shared_file_system guideline can be fetched (it lived in the retired interop
  # repository): certify against the collection's test fixture, and say so
  FIXTURE=$ROOT/tests/fixtures/guidelines/shared_file_system.fixture.json
  echo "NOTE: shared_file_system uses the TEST FIXTURE guideline $FIXTURE (manila-tempest-plugin API"
  echo "      tests the sandbox passes), not an official interop guideline: the verdict is a demo."
  GUIDELINE=(-e "guideline=$FIXTURE")
fi
cd "$ROOT"
"$PLAYBOOK" playbooks/sandbox.yml -e state=present -e "services=$SERVICES"
# the sandbox writes what Tempest discovery needs to know about it (image file, public network)
"$PLAYBOOK" playbooks/certify.yml -e cloud=sandbox -e "program=$PROGRAM" "${GUIDELINE[@]}" \
  -e "@$HOME/.local/share/openinfra-interop/sandbox/tempest-vars.yml"
