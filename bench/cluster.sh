#!/usr/bin/env bash
# Load benchmark of several nodes sharing PostgreSQL and Redis: one node,
# then three nodes behind `headroom bench --spread`, the same load, in the
# same run; and the limiter through the server against the floor of
# redis-benchmark running a script of the same size. Figures go to
# BENCHMARKS.md. Needs the machine's PostgreSQL and Redis (.ci/services).
# Usage: bench/cluster.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
work=$(mktemp -d)
schema="bench_$$"
pg="postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; psql -q "$pg" -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1; redis-cli --scan --pattern "$schema:*" | xargs -r redis-cli del >/dev/null; rm -rf "$work"' EXIT
psql -q "$pg" -c "CREATE SCHEMA $schema" >/dev/null
go build -o "$work/headroom" ./cmd/headroom
export HEADROOM_TOKEN=hr_bench_operator
export HEADROOM_ADMIN_TOKEN=$HEADROOM_TOKEN
export HEADROOM_STORE="$pg&search_path=$schema"
export HEADROOM_LIMITER=redis://127.0.0.1:6379/0
export HEADROOM_LIMITER_PREFIX="$schema:"
export HEADROOM_SECRET_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
export HEADROOM_PAGING_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
export HEADROOM_LOG_LEVEL=warn
for n in 1 2 3; do
  "$work/headroom" serve --addr "127.0.0.1:744$n" --data "$work/node$n" 2>"$work/node$n.log" &
done
for n in 1 2 3; do
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:744$n/readyz" >/dev/null && break; sleep 0.1; done
done
all="http://127.0.0.1:7441,http://127.0.0.1:7442,http://127.0.0.1:7443"
for batch in 1 10; do
  for conns in 16 64; do
    one=$("$work/headroom" --server http://127.0.0.1:7441 bench --connections "$conns" --batch "$batch" --duration "${secs}s" --warmup 1s | tail -1)
    three=$("$work/headroom" --server http://127.0.0.1:7441 bench --spread "$all" --connections "$conns" --batch "$batch" --duration "${secs}s" --warmup 1s | tail -1)
    echo "1-node   $one"
    echo "3-nodes  $three"
  done
done
