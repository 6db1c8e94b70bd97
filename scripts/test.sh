#!/usr/bin/env bash
# Runs every test of the solution, after installing what the tests need (redis-server, kubectl).
# Usage: scripts/test.sh [extra dotnet test arguments]
# Ends with one summary line: "tests: N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."

install_prerequisites() {
  # command → Debian package: redis-server for the Redis integration tests, kubectl to render deploy/k8s.
  local missing=()
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  command -v kubectl >/dev/null 2>&1 || missing+=(kubernetes-client)
  if [ ${#missing[@]} -eq 0 ]; then
    return
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "note: ${missing[*]} not installed and apt-get is not available; the tests that need them will fail or skip." >&2
    return
  fi
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      echo "note: not root and no sudo: cannot install ${missing[*]}." >&2
      return
    fi
  fi
  echo "Installing ${missing[*]} (Debian packages) for the tests..."
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_prerequisites

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test IpEnrich.sln "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# Microsoft.Testing.Platform prints an aggregated summary: total / failed / succeeded / skipped.
read -r passed failed skipped < <(awk '
  /^[[:space:]]*failed:[[:space:]]*[0-9]+/    { f=$2 }
  /^[[:space:]]*succeeded:[[:space:]]*[0-9]+/ { p=$2 }
  /^[[:space:]]*skipped:[[:space:]]*[0-9]+/   { s=$2 }
  END { printf "%d %d %d\n", p, f, s }' "$log")

if [ "$status" -eq 0 ] && [ "$passed" -eq 0 ]; then
  echo "error: the test run executed no test" >&2
  status=1
fi
echo
echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
exit "$status"
