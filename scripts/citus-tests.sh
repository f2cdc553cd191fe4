#!/usr/bin/env bash
# The Citus tests (tests/live_citus.rs) against a real Citus cluster: builds
# and installs Citus 13.2.2 into the local PostgreSQL 15 when it is missing
# (about 2 minutes, once per machine), starts a throwaway coordinator
# (localhost:9700) and two workers (9701, 9702), runs the tests, and stops
# the cluster again, also when a test fails.
#
# The cluster scripts come from the shared Citus kit beside the repository
# (../shared/citus: the upstream source, a build script and the start/stop
# scripts); CITUS_KIT names another place. With SCHEMAC_CITUS_URL set, the
# tests run against that coordinator instead and no cluster is started.
# Extra arguments go to the test binary (e.g. a test name).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ -n "${SCHEMAC_CITUS_URL:-}" ]]; then
  echo "using SCHEMAC_CITUS_URL (cluster managed by the caller)"
  exec cargo test --test live_citus -- --ignored --show-output "$@"
fi

# The kit: CITUS_KIT, else ../shared/citus beside the repository, else the
# project machines' shared directory.
kit=${CITUS_KIT:-}
if [[ -z "$kit" ]]; then
  for candidate in ../shared/citus /work/shared/citus; do
    if [[ -f "$candidate/build-install.sh" ]]; then
      kit=$candidate
      break
    fi
  done
  kit=${kit:-../shared/citus}
fi
for script in build-install.sh start-cluster.sh stop-cluster.sh; do
  if [[ ! -f "$kit/$script" ]]; then
    echo "no $kit/$script: set CITUS_KIT to the directory holding the Citus build and cluster scripts" >&2
    exit 1
  fi
done
kit=$(cd "$kit" && pwd)

started=$(date +%s)
bash "$kit/build-install.sh"
echo "citus build/install check: $(( $(date +%s) - started )) s"

# Build the tests before the cluster starts, so a slow build holds no nodes.
cargo test --no-run --test live_citus

cluster_started=0
stop_cluster() {
  if (( cluster_started )); then
    bash "$kit/stop-cluster.sh" || true
  fi
}
trap stop_cluster EXIT
if pg_isready -q -h localhost -p 9700; then
  echo "a Citus coordinator already answers on localhost:9700: using it (it is not stopped afterwards)"
else
  # Clears the data directory a killed run may have left (nothing runs there).
  bash "$kit/stop-cluster.sh" >/dev/null
  cluster_started=1
  bash "$kit/start-cluster.sh"
fi

export SCHEMAC_CITUS_URL=postgresql://postgres@localhost:9700/postgres
cargo test --test live_citus -- --ignored --show-output "$@"
echo "citus tests: $(( $(date +%s) - started )) s in total"
