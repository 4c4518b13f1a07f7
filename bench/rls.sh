#!/usr/bin/env bash
# Envoy rate-limit services side by side, in one run: envoyproxy/ratelimit
# (with its own Redis, started here on a private port), Headroom's RLS
# endpoint (`headroom serve --rls-addr`) and the ceiling, bench/rlsok, a bare
# gRPC server that answers OK to everything. All three load the same
# ratelimit YAML (domain bench, key user, 1,000,000 requests per second: every
# descriptor goes through the limiter and is allowed). bench/rlsload drives
# each server in turn with 10,000 descriptor values, at 16 and 64
# connections, 1 and 10 descriptors per request; servers are interleaved
# within each configuration, round after round, and the table gives medians
# and ranges over the rounds, ratios being medians of each round's ratios.
#
# The binaries are given, not built here: build ratelimit from its own
# repository (go build ./src/service_cmd) and headroom from this one.
# On a machine of 2 or more cores the server side (the server and, for
# ratelimit, its Redis) runs on CPU 1 and the load generator on CPU 0
# (taskset); PIN=0 lets the scheduler place them. Pinned to one CPU, a Go
# server runs with GOMAXPROCS=1; GOMAXPROCS=2 in the environment gives every
# Go process here (the three servers and the load generator) two Ps all the
# same. Other REDIS_* settings in the environment reach ratelimit too.
# Needs redis-server. Figures go to BENCHMARKS.md.
# Usage: bench/rls.sh /path/to/ratelimit /path/to/headroom [rounds] [seconds]
# (headroom given as - leaves it out: ratelimit beside the ceiling alone)
set -euo pipefail
cd "$(dirname "$0")/.."
ratelimit=$(realpath "$1")
headroom=$2
[ "$headroom" = - ] || headroom=$(realpath "$headroom")
rounds=${3:-3}
secs=${4:-5}
work=$(mktemp -d)
cleanup() {
  status=$?
  if [ "$status" != 0 ]; then
    for f in "$work"/*.log; do echo "== $f" >&2; tail -20 "$f" >&2; done
  fi
  [ -f "$work/redis.pid" ] && kill "$(cat "$work/redis.pid")" 2>/dev/null
  kill $(jobs -p) 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
server=() load=()
if [ "${PIN:-1}" != 0 ] && [ "$(nproc)" -ge 2 ]; then
  server=(taskset -c 1) load=(taskset -c 0)
fi
go build -o "$work/rlsload" ./bench/rlsload
go build -o "$work/rlsok" ./bench/rlsok

mkdir -p "$work/runtime/ratelimit/config"
cat >"$work/runtime/ratelimit/config/bench.yaml" <<'YAML'
domain: bench
descriptors:
  - key: user
    rate_limit:
      unit: second
      requests_per_unit: 1000000
YAML

declare -A addr pids # taskset execs the server: $! is the server's pid
redis_port=${REDIS_PORT:-6390}
"${server[@]}" redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
  --daemonize yes --pidfile "$work/redis.pid" --logfile "$work/redis.log"
for _ in $(seq 50); do [ -s "$work/redis.pid" ] && break; sleep 0.1; done
# ratelimit as its README runs it, statistics off (the stdout sink it
# falls back to would log every sample), everything else at its defaults.
USE_STATSD=false DISABLE_STATS=true LOG_LEVEL=warn REDIS_SOCKET_TYPE=tcp REDIS_URL="127.0.0.1:$redis_port" \
  RUNTIME_ROOT="$work/runtime" RUNTIME_SUBDIRECTORY=ratelimit RUNTIME_WATCH_ROOT=false \
  HOST=127.0.0.1 PORT=18080 GRPC_HOST=127.0.0.1 GRPC_PORT=18081 DEBUG_HOST=127.0.0.1 DEBUG_PORT=16070 \
  "${server[@]}" "$ratelimit" >"$work/ratelimit.log" 2>&1 &
addr[ratelimit]=127.0.0.1:18081 pids[ratelimit]="$!,$(cat "$work/redis.pid")"
names=(ratelimit)
if [ "$headroom" != - ]; then
  # The operator token opens /debug/pprof on --addr, for profiling.
  HEADROOM_ADMIN_TOKEN=hr_bench_operator HEADROOM_LOG_LEVEL=warn "${server[@]}" "$headroom" serve \
    --addr 127.0.0.1:17460 --data "$work/headroom" \
    --rls-addr 127.0.0.1:18082 --rls-config "$work/runtime/ratelimit/config" >"$work/headroom.log" 2>&1 &
  addr[headroom]=127.0.0.1:18082 pids[headroom]=$!
  names+=(headroom)
fi
"${server[@]}" "$work/rlsok" -addr 127.0.0.1:18083 >"$work/rlsok.log" 2>&1 &
addr[bare]=127.0.0.1:18083 pids[bare]=$!
names+=(bare)
for name in "${names[@]}"; do
  for _ in $(seq 100); do (echo >"/dev/tcp/${addr[$name]/://}") 2>/dev/null && break; sleep 0.1; done
done

results="$work/results.jsonl"
for round in $(seq "$rounds"); do
  for desc in 1 10; do
    for conns in 16 64; do
      for name in "${names[@]}"; do
        line=$("${load[@]}" "$work/rlsload" -addr "${addr[$name]}" -pid "${pids[$name]}" -domain bench \
          -conns "$conns" -descriptors "$desc" -values 10000 -duration "${secs}s" -warmup 1s -json)
        echo "{\"round\": $round, \"server\": \"$name\", \"run\": $line}" | tee -a "$results" >&2
      done
    done
  done
done

python3 - "$results" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
names = list(dict.fromkeys(r["server"] for r in runs))
by = {}
for r in runs:
    key = (r["run"]["descriptors"], r["run"]["conns"])
    by.setdefault(key, {}).setdefault(r["round"], {})[r["server"]] = r["run"]
def mr(xs, fmt):
    return f"{fmt(statistics.median(xs))} ({fmt(min(xs))}–{fmt(max(xs))})"
n0 = lambda x: f"{x:,.0f}"
pc = lambda x: f"{100*x:.0f} %"
x2 = lambda x: f"{x:.2f}×"
pairs = [(a, b) for a, b in [("headroom", "ratelimit"), ("headroom", "bare"), ("ratelimit", "bare")]
         if a in names and b in names][:2]
head = ["descriptors, conns"] + [f"{n} decisions/s" for n in names] + [f"{a} ÷ {b}" for a, b in pairs] \
    + ["CPU µs/decision: " + " / ".join(names), "p99 ms: " + " / ".join(names)]
print("| " + " | ".join(head) + " |")
print("|" + "---|" * len(head))
dps = "decisions_per_second"
for (desc, conns), rounds in sorted(by.items()):
    col = lambda s, f: [rd[s][f] for rd in rounds.values()]
    ratio = lambda a, b: [rd[a][dps] / rd[b][dps] for rd in rounds.values()]
    cells = [f"{desc}, {conns}"] + [mr(col(n, dps), n0) for n in names]
    cells += [mr(ratio(a, b), pc if b == "bare" else x2) for a, b in pairs]
    cells.append(" / ".join(f"{statistics.median(col(n, 'cpu_us_per_decision')):.1f}" for n in names))
    cells.append(" / ".join(f"{statistics.median(col(n, 'p99_ms')):.2f}" for n in names))
    print("| " + " | ".join(cells) + " |")
print(f"\n{len(by)} configurations × {len(names)} servers × {len(next(iter(by.values())))} rounds; "
      f"errors: {sum(r['run']['errors'] for r in runs)}, over_limit: {sum(r['run']['over_limit'] for r in runs)}; "
      f"load generator's cores, max: {max(r['run']['client_cores'] for r in runs):.2f}; "
      f"server side's cores, median: {statistics.median(r['run']['server_cores'] for r in runs):.2f}")
PY
