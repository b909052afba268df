#!/usr/bin/env bash
# Load test of the schedule endpoint against synthetic events of 100, 1000 and 10000 talks.
#
# For each size: a fresh SQLite file, the event bench-N (bench/generate.py), one `plenary serve`
# worker, then wrk against
#   - GET /health: the ceiling (the framework alone: no database, a tiny body),
#   - GET /events/bench-N/schedule: the full schedule (200),
#   - the same with If-None-Match: <its ETag> (304).
# Every figure is also given as a ratio to the /health ceiling of the same run, since the machine
# is small and shared. Results go to bench/out/results.md; raw wrk output, the schedule bodies and
# the server logs stay in bench/out/ too.
#
# The full schedule of a big event takes seconds to render on one worker, so with 32 connections
# a 10 s run would finish few or no requests. That run therefore uses BENCH_FULL_CONNECTIONS
# connections (default 2: enough to keep the single worker busy) and lasts at least long enough
# for about BENCH_FULL_MIN_REQUESTS requests at the speed of one request measured just before.
#
#   bench/run.sh                                      # the default run
#   BENCH_SIZES="100" BENCH_DURATION=3 bench/run.sh   # a quick one
#
# Environment (defaults): BENCH_SIZES ("100 1000 10000"), BENCH_DURATION (10s), BENCH_THREADS (2),
# BENCH_CONNECTIONS (32), BENCH_FULL_CONNECTIONS (2), BENCH_FULL_MIN_REQUESTS (20),
# BENCH_MAX_DURATION (120, seconds), BENCH_TIMEOUT (wrk --timeout, 60s), BENCH_PORT (18765),
# PYTHON (python), which must be the virtualenv's, with plenary installed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/out"
sizes="${BENCH_SIZES:-100 1000 10000}"
duration="${BENCH_DURATION:-10s}"
threads="${BENCH_THREADS:-2}"
connections="${BENCH_CONNECTIONS:-32}"
full_connections="${BENCH_FULL_CONNECTIONS:-2}"
full_min_requests="${BENCH_FULL_MIN_REQUESTS:-20}"
max_duration="${BENCH_MAX_DURATION:-120}"
timeout="${BENCH_TIMEOUT:-60s}"
port="${BENCH_PORT:-18765}"
python="${PYTHON:-python}"
base="http://127.0.0.1:$port"
duration="${duration%s}"
[[ "$duration" =~ ^[0-9]+$ ]] || { echo "BENCH_DURATION must be whole seconds, e.g. 10 or 10s" >&2; exit 1; }

command -v plenary >/dev/null || { echo "plenary is not on PATH (activate the virtualenv)" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl is needed" >&2; exit 1; }
if ! command -v wrk >/dev/null; then
  echo "installing wrk" >&2
  apt-get update -qq
  apt-get install -y -qq wrk >/dev/null
fi

server_pid=""
stop_server() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}
trap stop_server EXIT
trap 'stop_server; exit 130' INT TERM

if curl -s -o /dev/null "$base/health"; then
  echo "something already listens on port $port; set BENCH_PORT" >&2
  exit 1
fi

mkdir -p "$out"
results="$out/results.md"
revision="$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo '?')"
if [[ -n "$(git -C "$here" status --porcelain -- "$here/../service" 2>/dev/null)" ]]; then
  revision="$revision with uncommitted changes in service/"
fi
singles="$out/single.md"
{
  echo "<!-- $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $revision,"
  echo "     $(nproc) cores; wrk -t$threads -d${duration}s --timeout $timeout --latency, -c$connections"
  echo "     (full schedule: -c$full_connections, at least $full_min_requests requests, at most ${max_duration}s) -->"
  "$python" "$here/wrk_report.py" header
} >"$results"
{
  echo "| N | full schedule, one request alone (curl, median of 3) |"
  echo "|---:|---:|"
} >"$singles"

wait_ready() {
  for _ in $(seq 1 150); do
    if curl -fs -o /dev/null "$base/ready"; then return 0; fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
      echo "the server died; its log:" >&2
      cat "$1" >&2
      return 1
    fi
    sleep 0.2
  done
  echo "the server was not ready after 30 s" >&2
  return 1
}

# measure NAME CONNECTIONS SECONDS URL [wrk options...]; the output goes to $out/wrk-N-NAME.txt
measure() {
  local name="$1" conns="$2" seconds="$3" url="$4"
  shift 4
  echo "  wrk $name: -c$conns -d${seconds}s $*" >&2
  wrk -t"$threads" -c"$conns" -d"${seconds}s" --timeout "$timeout" --latency "$@" "$url" >"$out/wrk-$n-$name.txt"
}

for n in $sizes; do
  echo "== N=$n" >&2
  db="$out/bench-$n.db"
  url="sqlite+aiosqlite:///$db"
  rm -f "$db" "$db-wal" "$db-shm"
  "$python" "$here/generate.py" --database-url "$url" --talks "$n"

  log="$out/server-$n.log"
  PLENARY_DATABASE_URL="$url" PLENARY_LOAD_DEMO=false PLENARY_LOG_LEVEL=warning \
    plenary serve --port "$port" >"$log" 2>&1 &
  server_pid=$!
  wait_ready "$log"

  schedule="$base/events/bench-$n/schedule"
  headers="$out/schedule-$n.headers"
  body="$out/schedule-$n.json"
  status=$(curl -s -D "$headers" -o "$body" -w '%{http_code}' "$schedule")
  if [[ "$status" != 200 ]]; then
    echo "GET $schedule answered $status:" >&2
    cat "$headers" "$body" >&2
    exit 1
  fi
  body_bytes=$(wc -c <"$body")
  etag=$(grep -i '^etag:' "$headers" | head -n1 | cut -d' ' -f2- | tr -d '\r')
  [[ -n "$etag" ]] || { echo "no ETag on $schedule" >&2; exit 1; }
  status=$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$schedule")
  [[ "$status" == 304 ]] || { echo "If-None-Match: $etag got $status, not 304" >&2; exit 1; }

  # One request at a time, for the latency without queueing and to size the full-schedule run.
  single=$(for _ in 1 2 3; do curl -s -o /dev/null -w '%{time_total}\n' "$schedule"; done | sort -n | sed -n 2p)
  full_duration=$(awk -v d="$duration" -v t="$single" -v k="$full_min_requests" -v m="$max_duration" \
    'BEGIN { s = int(t * k + 0.999); if (s < d) s = d; if (s > m) s = m; print s }')
  echo "  schedule: $body_bytes bytes, ETag $etag, ${single}s alone" >&2
  awk -v n="$n" -v t="$single" 'BEGIN { printf "| %s | %.0f ms |\n", n, t * 1000 }' >>"$singles"

  # The full schedule goes last: when wrk stops, the server still renders the requests in flight
  # (seconds each for a big event), which would eat into whatever ran next.
  measure health "$connections" "$duration" "$base/health"
  measure schedule-304 "$connections" "$duration" "$schedule" -H "If-None-Match: $etag"
  measure schedule-200 "$full_connections" "$full_duration" "$schedule"
  stop_server

  ceiling="$out/wrk-$n-health.txt"
  {
    "$python" "$here/wrk_report.py" row "$ceiling" --talks "$n" --endpoint "GET /health (ceiling)" \
      --ceiling "$ceiling"
    "$python" "$here/wrk_report.py" row "$out/wrk-$n-schedule-200.txt" --talks "$n" \
      --endpoint "schedule, full (200)" --ceiling "$ceiling" --body-bytes "$body_bytes"
    "$python" "$here/wrk_report.py" row "$out/wrk-$n-schedule-304.txt" --talks "$n" \
      --endpoint "schedule, If-None-Match (304)" --ceiling "$ceiling" --body-bytes 0
  } >>"$results"
done

{
  echo
  cat "$singles"
} >>"$results"
rm -f "$singles"
cat "$results"
