#!/usr/bin/env bash
# Load benchmark of nodes that share PostgreSQL and Redis, in one run:
#  1. the Redis limiter through the server (one node, `headroom bench`, 16
#     and 64 connections, single items and batches of 10), beside the floor:
#     redis-benchmark -P 16 running the limiter's own script, one take per
#     call; round trips per decision from Redis's own count of socket reads;
#     beside it, the same node with the in-process limiter, and the HTTP
#     stack's ceiling: the server answering without deciding (a build with
#     -tags headroom_bench and HEADROOM_TEST_NOOP_ENFORCE=1);
#  2. three nodes against one node: the same load, spread by
#     `headroom bench --spread` over all three.
# Needs the machine's PostgreSQL and Redis (.ci/services). Figures go to
# BENCHMARKS.md. Usage: bench/cluster.sh [seconds] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-5}
rounds=${2:-2}
work=$(mktemp -d)
schema="bench_$$"
pg="postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
cleanup() {
  status=$?
  if [ "$status" != 0 ]; then
    for f in "$work"/node*.log; do echo "== $f" >&2; tail -30 "$f" >&2; done
  fi
  kill $(jobs -p) 2>/dev/null || true
  wait 2>/dev/null || true
  psql -q "$pg" -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true
  redis-cli --scan --pattern "$schema:*" | xargs -r redis-cli del >/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
psql -q "$pg" -c "CREATE SCHEMA $schema" >/dev/null
go build -o "$work/headroom" ./cmd/headroom
go build -tags headroom_bench -o "$work/headroom-noop" ./cmd/headroom
export HEADROOM_TOKEN=hr_bench_operator
export HEADROOM_ADMIN_TOKEN=$HEADROOM_TOKEN
export HEADROOM_STORE="$pg&search_path=$schema"
export HEADROOM_LIMITER=redis://127.0.0.1:6379/0
export HEADROOM_LIMITER_PREFIX="$schema:"
export HEADROOM_SECRET_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
export HEADROOM_LOG_LEVEL=warn
for n in 1 2 3; do
  "$work/headroom" serve --addr "127.0.0.1:744$n" --data "$work/node$n" 2>"$work/node$n.log" &
done
HEADROOM_LIMITER=local "$work/headroom" serve --addr 127.0.0.1:7444 --data "$work/node4" 2>"$work/node4.log" &
HEADROOM_LIMITER=local HEADROOM_TEST_NOOP_ENFORCE=1 "$work/headroom-noop" serve --addr 127.0.0.1:7445 --data "$work/node5" 2>"$work/node5.log" &
for n in 1 2 3 4 5; do
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:744$n/readyz" >/dev/null && break; sleep 0.1; done
done
all="http://127.0.0.1:7441,http://127.0.0.1:7442,http://127.0.0.1:7443"

# The floor's script: exactly the package's, loaded by hand.
python3 -c 'import re; print(re.search(r"const gcraSource = `(.*?)`", open("redis/script.go").read(), re.S).group(1), end="")' >"$work/gcra.lua"
sha=$(redis-cli SCRIPT LOAD "$(cat "$work/gcra.lua")")
floor() {
  redis-benchmark -P 16 -c 16 -n 400000 -r 4096 -q EVALSHA "$sha" 1 "$schema:floor:__rand_int__" "" 1000 1000000000000 |
    tr '\r' '\n' | awk '/requests per second/ {for (i = 2; i <= NF; i++) if ($i == "requests") {print $(i-1) + 0; exit}}'
}
reads() { redis-cli INFO stats | awk -F: '/^total_reads_processed/ {print $2+0}'; }

bench() { # port, then bench flags
  local port=$1
  shift
  "$work/headroom" --server "http://127.0.0.1:$port" bench "$@" --duration "${secs}s" --warmup 1s -o json
}
field() { python3 -c "import json,sys; print(round(json.load(sys.stdin)['$1'], 2))"; }

printf "%-6s %-16s %-10s %-11s %-10s %-11s %-10s %-11s %-10s\n" round load floor/s redis/s reads/dec local/s noop/s 3-nodes/s p99-redis
for round in $(seq "$rounds"); do
  for batch in 1 10; do
    for conns in 16 64; do
      f=$(floor)
      r0=$(reads)
      one=$(bench 7441 --connections "$conns" --batch "$batch")
      r1=$(reads)
      local_=$(bench 7444 --connections "$conns" --batch "$batch")
      noop=$(bench 7445 --connections "$conns" --batch "$batch")
      three=$(bench 7441 --spread "$all" --connections "$conns" --batch "$batch")
      d1=$(echo "$one" | field decisions_per_second)
      s1=$(echo "$one" | field seconds)
      # Redis's socket reads during the run and its 1 s warm-up, per decision
      rpd=$(python3 -c "print(f'{($r1 - $r0) / ($d1 * ($s1 + 1)):.3f}')")
      printf "%-6s %-16s %-10s %-11.0f %-10s %-11.0f %-10.0f %-11.0f %-10s\n" "$round" "c=$conns batch=$batch" "$f" "$d1" "$rpd" \
        "$(echo "$local_" | field decisions_per_second)" "$(echo "$noop" | field decisions_per_second)" \
        "$(echo "$three" | field decisions_per_second)" "$(echo "$one" | field p99_ms)"
    done
  done
done
