#!/usr/bin/env bash
# Creates (or refreshes) the tests' Python virtual environment: TensorFlow, TF Serving's API,
# Huawei's SDKs, boto3, schemathesis (test/python/requirements.txt). Never installs anything
# system-wide, and the platform never needs it: it is what the tests compare the platform with.
# Where: TEST_VENV, else .venv at the repository's root. Skipped when the requirements did not change.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv="${TEST_VENV:-.venv}"
req="test/python/requirements.txt"
stamp="$venv/.requirements.sha256"
want="$(cat "$req" "$0" | sha256sum | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "test venv $venv is up to date"
  exit 0
fi
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check --upgrade pip
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req"
# tensorflow-serving-api requires the `tensorflow` distribution, which would install TensorFlow a
# second time beside tensorflow-cpu; its modules need only what tensorflow-cpu brought.
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps tensorflow-serving-api==2.21.0
echo "$want" > "$stamp"
echo "test venv $venv ready: $("$venv/bin/python" --version)"
