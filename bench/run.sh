#!/usr/bin/env bash
# Load benchmark of the native API: the real server, the same server with
# the engine call replaced by a no-op (HEADROOM_TEST_NOOP_ENFORCE=1), and a
# bare net/http JSON server (bench/barehttp), driven alternately, round by
# round, by `headroom bench` and, for single items, wrk. Figures go to
# BENCHMARKS.md. Usage: bench/run.sh [rounds] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
secs=${2:-5}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
go build -tags headroom_bench -o "$work/headroom" ./cmd/headroom
go build -o "$work/barehttp" ./bench/barehttp
export HEADROOM_TOKEN=hr_bench_operator
HEADROOM_ADMIN_TOKEN=$HEADROOM_TOKEN "$work/headroom" serve --addr 127.0.0.1:7431 --data "$work/real" 2>"$work/real.log" &
HEADROOM_ADMIN_TOKEN=$HEADROOM_TOKEN HEADROOM_TEST_NOOP_ENFORCE=1 "$work/headroom" serve --addr 127.0.0.1:7432 --data "$work/noop" 2>"$work/noop.log" &
"$work/barehttp" --addr 127.0.0.1:7433 2>"$work/bare.log" &
for port in 7431 7432 7433; do
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
done
echo "server  round  $("$work/headroom" --server http://127.0.0.1:7431 bench --duration 1s --warmup 0s | head -1)"
for round in $(seq "$rounds"); do
  for batch in 1 10; do
    for conns in 16 64; do
      for port in 7433 7432 7431; do
        name=real; [ "$port" = 7432 ] && name=noop; [ "$port" = 7433 ] && name=bare
        line=$("$work/headroom" --server "http://127.0.0.1:$port" bench --connections "$conns" --batch "$batch" \
          --duration "${secs}s" --warmup 1s | tail -1)
        echo "$name    $round      $line"
      done
    done
  done
  if command -v wrk >/dev/null; then
    for port in 7433 7432 7431; do
      name=real; [ "$port" = 7432 ] && name=noop; [ "$port" = 7433 ] && name=bare
      wrk -t2 -c16 -d"${secs}s" --latency -s bench/enforce.lua "http://127.0.0.1:$port" |
        awk -v n="$name" -v r="$round" '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} END {printf "wrk-%s %s  c=16 batch=1  %s req/s  p50 %s  p99 %s\n", n, r, rps, p50, p99}'
    done
  fi
done
