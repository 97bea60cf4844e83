#!/usr/bin/env bash
# Creates (or refreshes) the bench's own Python virtual environment with PyTorch 2.x from PyPI
# (bench/python/requirements-torch.txt), the second PyTorch peer beside Debian's python3-torch.
# Never installs anything system-wide; neither the platform nor the tests need it.
# Where: BENCH_VENV, else .venv-bench at the repository's root; nothing is done when it was made
# from the same requirements. About 4 GB on disk (torch's CUDA build and the libraries it links).
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
venv="${BENCH_VENV:-$repo/.venv-bench}"
requirements="$repo/bench/python/requirements-torch.txt"
made_from() { cat "$requirements" "$0" | sha256sum | cut -d' ' -f1; }

if [ "$(cat "$venv/.made-from" 2>/dev/null || true)" = "$(made_from)" ]; then
  echo "bench venv $venv is up to date"
  exit 0
fi
# Debian's Python (python3-venv), the same interpreter as the other peer's.
/usr/bin/python3 -m venv "$venv"
# --no-deps: the requirements list what `import torch` loads on a CPU, not the CUDA toolkit.
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps -r "$requirements"
"$venv/bin/python" -c 'import torch; assert torch.ones(2).sum().item() == 2'
made_from > "$venv/.made-from"
echo "bench venv $venv ready: torch $("$venv/bin/python" -c 'import torch; print(torch.__version__)')"
