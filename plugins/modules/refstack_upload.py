#!/usr/bin/python
# Copyright: openinfra.interop contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Documentation of the openinfra.interop.refstack_upload action (the action plugin does the work)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: refstack_upload
short_description: Sign a RefStack result and upload it to a RefStack server
version_added: 0.1.0
description:
  - Uploads a RefStack result document (C(refstack-result.json), as written after a Tempest run
    of an interop program) to a RefStack server with C(POST <server>/v1/results/).
  - The request body is the document serialised with Python's C(json.dumps) (default
    separators). It is signed with the vendor's RSA private key (RSA PKCS#1 v1.5, SHA-256, over
    exactly those bytes); the hex signature is sent in C(X-Signature) and the OpenSSH public key
    (C(ssh-rsa <base64>), no comment) in C(X-Public-Key). The server stores the result for the
    user who registered that public key.
  - The document is validated locally first (exactly the keys C(cpid) string,
    C(duration_seconds) integer, C(results) non-empty list of tests with C(name) and optional
    C(uuid)), so a bad document fails before any network call.
  - Connection errors and 5xx answers are retried with exponential backoff; a 400 shows the
    server's message, a 401 explains how to register the public key; other 4xx are not retried.
    The result file is never modified, so a failed upload can be repeated later.
  - Only a complete PASS is uploaded by default. The verdict comes from the C(summary.json) the
    same run wrote beside the result, and counts only when it describes this very document (same
    C(cpid), C(duration_seconds) and number of passed tests). A FAIL, a result without such a
    summary (verdict unknown) or a partial result (the run was interrupted) is refused with one
    message naming the result, why, and the option to set; with O(allow_failed) or
    O(allow_partial) it is uploaded with a warning naming the result and why.
  - Every successful upload is recorded in a receipt file C(upload-receipt.json) next to the
    result, keyed by server and sha256 of the document (with test_id, url, key fingerprint,
    time). The same document is never uploaded to the same server twice, whichever key signs
    it (or none); the next run makes no request and reports C(changed=false). A changed
    result is uploaded again. Receipts of earlier versions (one entry per server) are read.
  - Relative paths (O(result), O(private_key), O(ca_cert)) are taken from the current
    directory of C(ansible-playbook), never from the playbook's or the collection's directory.
  - This is an action plugin; it runs on the controller only, so the private key never leaves
    the controller, whatever host the task targets.
author:
  - openinfra.interop contributors (!UNKNOWN)
options:
  result:
    description:
      - Path on the controller to a C(refstack-result.json) file, or to a directory that
        contains one (such as C(<results_dir>/<program>)).
      - A relative path is taken from the current directory of C(ansible-playbook).
    type: path
    required: true
  server:
    description:
      - Base URL of the RefStack API; requests go to C(<server>/v1/results/). A trailing C(/)
        or C(/v1) is ignored.
    type: str
    default: https://refstack.openstack.org/api
  private_key:
    description:
      - Path on the controller to the RSA private key whose public key is registered with the
        server (profile page of the RefStack web UI, or C(POST /v1/profile/pubkeys)).
      - PEM (PKCS#1 C(BEGIN RSA PRIVATE KEY) or PKCS#8 C(BEGIN PRIVATE KEY)) or OpenSSH
        (C(BEGIN OPENSSH PRIVATE KEY)) format. A passphrase-protected OpenSSH key needs the
        Python library C(bcrypt) on the controller.
      - When omitted the upload is anonymous, which is refused unless O(allow_anonymous=true).
      - A relative path is taken from the current directory of C(ansible-playbook).
    type: path
  private_key_passphrase:
    description:
      - Passphrase of an encrypted O(private_key).
    type: str
  allow_anonymous:
    description:
      - Allow an unsigned (anonymous) upload when no O(private_key) is given. Anonymous results
        are not associated with a user and cannot be used for certification.
    type: bool
    default: false
  allow_partial:
    description:
      - Upload a partial result (its run was interrupted, C(partial) in C(summary.json)), with
        a warning. By default it is refused.
    type: bool
    default: false
  allow_failed:
    description:
      - Upload a result whose verdict is not PASS (FAIL, or unknown because no C(summary.json)
        of the same run describes it), with a warning. By default it is refused.
    type: bool
    default: false
  force:
    description:
      - Upload even when the receipt shows this document was already uploaded to this server
        (with any key).
    type: bool
    default: false
  retries:
    description:
      - How many times a connection error or a 5xx answer is retried (0 = one attempt only).
    type: int
    default: 3
  retry_delay:
    description:
      - Seconds before the first retry; each further retry waits twice as long
        (O(retry_delay) * 2**(n-1), at most 300 seconds).
    type: float
    default: 5.0
  timeout:
    description:
      - Timeout in seconds of one HTTP request.
    type: float
    default: 30.0
  validate_certs:
    description:
      - Verify the server's TLS certificate for C(https) servers.
    type: bool
    default: true
  ca_cert:
    description:
      - Path on the controller to a CA bundle that signs the server's certificate.
      - A relative path is taken from the current directory of C(ansible-playbook).
    type: path
  variable_names:
    description:
      - How error messages and warnings name the options, as a map from option name to the
        name the user knows, for a playbook that passes its own variables (such as
        C(refstack_upload_private_key) for O(private_key)). Options not in it are named as
        themselves. The playbooks of this collection set it.
    type: dict
    default: {}
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
attributes:
  bypass_host_loop:
    support: none
  check_mode:
    support: full
    description: Validates the document, loads the key and signs the body; sends nothing and writes no receipt.
  diff_mode:
    support: none
  action:
    support: full
  async:
    support: none
  platform:
    platforms: posix
notes:
  - Retrying a request after a connection error may, rarely, store the result twice on the
    server when the first request had in fact arrived; the receipt prevents duplicates only
    once an upload succeeded.
requirements:
  - cryptography (on the controller)
  - bcrypt (on the controller, only for passphrase-protected OpenSSH keys)
"""

EXAMPLES = r"""
- name: Upload the object program result, signed with the vendor key
  openinfra.interop.refstack_upload:
    result: /srv/interop/results/object
    server: https://refstack.openstack.org/api
    private_key: ~/.ssh/refstack_rsa

- name: Upload to an in-house RefStack with an encrypted key and patient retries
  openinfra.interop.refstack_upload:
    result: /srv/interop/results/platform/refstack-result.json
    server: https://refstack.example.com/api
    private_key: /etc/interop/refstack_rsa
    private_key_passphrase: "{{ vault_refstack_key_passphrase }}"
    retries: 6
    retry_delay: 10

- name: Anonymous upload to a lab server (results/compute is under the current directory)
  openinfra.interop.refstack_upload:
    result: results/compute
    server: http://127.0.0.1:8000
    allow_anonymous: true

- name: Upload a trial run that failed, knowingly (a warning says so)
  openinfra.interop.refstack_upload:
    result: results/platform
    server: https://refstack.example.com/api
    private_key: ~/.ssh/refstack_rsa
    allow_failed: true
"""

RETURN = r"""
test_id:
  description: Id of the result on the server (from the receipt when nothing was uploaded); null in check mode when an upload would be made.
  returned: success
  type: str
  sample: 4d6a3c4b-9c1b-4a7f-9a4c-1d1e6cc9c0a2
url:
  description: Web UI address of the result, as returned by the server.
  returned: success
  type: str
  sample: https://refstack.openstack.org/#/results/4d6a3c4b-9c1b-4a7f-9a4c-1d1e6cc9c0a2
receipt:
  description: Path of the receipt file next to the result (absolute).
  returned: success
  type: str
  sample: /srv/interop/results/object/upload-receipt.json
signed:
  description: Whether the upload is signed.
  returned: success
  type: bool
  sample: true
server:
  description: Normalised server URL (the key of the receipt entry).
  returned: success
  type: str
  sample: https://refstack.openstack.org/api
result:
  description: Absolute path of the result file that was (or would be) uploaded.
  returned: success
  type: str
  sample: /srv/interop/results/object/refstack-result.json
sha256:
  description: sha256 of the exact request body.
  returned: success
  type: str
  sample: 9f2c0e1d5b7a...
public_key_fingerprint:
  description: SHA256 fingerprint of the signing key (as C(ssh-keygen -l) shows it); null when anonymous.
  returned: success
  type: str
  sample: SHA256:Zr3w0d1JvS5v7vJgk0mO3Xn2Y0l8oEoW8m2n0p4j1cU
tests:
  description: Number of passed tests in the result.
  returned: success
  type: int
  sample: 58
uploaded_at:
  description: UTC time of the upload (of the earlier upload of the same document when nothing was sent).
  returned: when uploaded or already uploaded
  type: str
  sample: "2025-01-31T12:00:00Z"
"""
