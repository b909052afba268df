# Shell functions shared by bench/feeds.sh and bench/import.sh (sourced, not run).
#
# They follow bench/run.sh: one `plenary serve` worker per server, the machine's CPU read from
# /proc/stat around every wrk run, and a wait for a quiet machine before each measurement.
#
# The caller sets: out (a directory), port, python, threads, timeout (wrk --timeout), quiet_wait
# (seconds), here (bench/) and, before start_server and measure, url (the database) and n (a label for files).
# shellcheck shell=bash

base="http://127.0.0.1:$port"
server_pid=""
clock_ticks="$(getconf CLK_TCK)"

stop_server() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}

require_tools() {
  command -v plenary >/dev/null || { echo "plenary is not on PATH (activate the virtualenv)" >&2; exit 1; }
  command -v curl >/dev/null || { echo "curl is needed" >&2; exit 1; }
  if ! command -v wrk >/dev/null; then
    echo "installing wrk" >&2
    apt-get update -qq
    apt-get install -y -qq wrk >/dev/null
  fi
  if curl -s -o /dev/null "$base/health"; then
    echo "something already listens on port $port; set BENCH_PORT" >&2
    exit 1
  fi
}

# pin_revision: with BENCH_REVISION set, extract service/ and fixtures/ of that commit (git archive)
# into $out/src and put it first on PYTHONPATH, so the run measures one commit even while the
# working tree changes; $revision tells what is measured either way.
pin_revision() {
  local wanted="${BENCH_REVISION:-}" commit imported
  if [[ -z "$wanted" ]]; then
    revision="$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo '?')"
    if [[ -n "$(git -C "$here" status --porcelain -- "$here/../service" 2>/dev/null)" ]]; then
      revision="$revision with uncommitted changes in service/"
    fi
    return 0
  fi
  commit="$(git -C "$here/.." rev-parse --verify --quiet "$wanted^{commit}")" ||
    { echo "BENCH_REVISION: no commit $wanted" >&2; exit 1; }
  rm -rf "$out/src"
  mkdir -p "$out/src"
  git -C "$here/.." archive "$commit" service fixtures | tar -x -C "$out/src"
  export PYTHONPATH="$out/src${PYTHONPATH:+:$PYTHONPATH}"
  # From $out, since `python -c` puts the current directory (maybe the repository) first.
  imported="$(cd "$out" && "$python" -c 'import service; print(service.__file__)')"
  [[ "$imported" == "$out/src/"* ]] || { echo "service is imported from $imported, not $out/src" >&2; exit 1; }
  revision="$(git -C "$here/.." rev-parse --short "$commit") (git archive, not the working tree)"
}

# Busy and stolen jiffies of the whole machine (all cores), from the first line of /proc/stat.
machine_cpu() { awk '/^cpu /{ print $2 + $3 + $4 + $7 + $8, $9; exit }' /proc/stat; }
# utime + stime of one process, all its threads (fields 14 and 15 of /proc/PID/stat), in jiffies.
process_cpu() { sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
# seconds_of JIFFIES_BEFORE JIFFIES_AFTER
seconds_of() { awk -v b="$1" -v a="$2" -v hz="$clock_ticks" 'BEGIN { printf "%.3f", (a - b) / hz }'; }
now() { date +%s.%N; }
elapsed_since() { awk -v t0="$1" -v t1="$(now)" 'BEGIN { printf "%.3f", t1 - t0 }'; }

# wait_quiet: until the whole machine used under 0.15 of a core for 5 s, at most $quiet_wait s.
wait_quiet() {
  local waited=0 before after busy=""
  while ((waited < quiet_wait)); do
    before="$(machine_cpu)"
    sleep 5
    after="$(machine_cpu)"
    waited=$((waited + 5))
    busy=$(awk -v b="${before%% *}" -v a="${after%% *}" -v hz="$clock_ticks" 'BEGIN { printf "%.2f", (a - b) / hz / 5 }')
    if awk -v c="$busy" 'BEGIN { exit !(c < 0.15) }'; then
      ((waited > 5)) && echo "  the machine was busy; waited ${waited}s for it to calm down" >&2
      return 0
    fi
  done
  ((quiet_wait == 0)) || echo "  the machine is still busy ($busy cores) after ${quiet_wait}s; measuring anyway" >&2
}

# start_server LOG [VAR=VALUE...]: one worker on $url, with these extra settings.
start_server() {
  local log="$1"
  shift
  env -u PLENARY_RENDER_CACHE_MB PLENARY_DATABASE_URL="$url" PLENARY_LOAD_DEMO=false \
    PLENARY_LOG_LEVEL=warning "$@" plenary serve --port "$port" >"$log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 150); do
    if curl -fs -o /dev/null "$base/ready"; then return 0; fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
      echo "the server died; its log:" >&2
      cat "$log" >&2
      return 1
    fi
    sleep 0.2
  done
  echo "the server was not ready after 30 s" >&2
  return 1
}

# measure NAME CONNECTIONS SECONDS URL [wrk options...]; wrk's output goes to $out/wrk-$n-NAME.txt,
# the CPU used meanwhile (by the server, by wrk, by everything else) to $out/wrk-$n-NAME.cpu, in
# the format bench/wrk_report.py reads.
measure() {
  local name="$1" conns="$2" seconds="$3" target="$4"
  shift 4
  echo "  wrk $name: -c$conns -d${seconds}s $*" >&2
  local file="$out/wrk-$n-$name" machine_before server_before t0 t1 machine_after server_after wrk_cpu
  local TIMEFORMAT='%3U %3S'
  machine_before="$(machine_cpu)"
  server_before="$(process_cpu "$server_pid")"
  t0="$(now)"
  { time wrk -t"$threads" -c"$conns" -d"${seconds}s" --timeout "$timeout" --latency "$@" "$target" \
    >"$file.txt" 2>"$file.err"; } 2>"$file.time"
  t1="$(now)"
  machine_after="$(machine_cpu)"
  server_after="$(process_cpu "$server_pid")"
  wrk_cpu="$(awk '{ print $1 + $2 }' "$file.time")"
  awk -v hz="$clock_ticks" -v t0="$t0" -v t1="$t1" -v mb="$machine_before" -v ma="$machine_after" \
    -v sb="$server_before" -v sa="$server_after" -v w="$wrk_cpu" 'BEGIN {
      split(mb, b, " "); split(ma, a, " ")
      elapsed = t1 - t0; busy = (a[1] - b[1]) / hz; steal = (a[2] - b[2]) / hz; server = (sa - sb) / hz
      other = busy - server - w; if (other < 0) other = 0
      printf "elapsed %.3f\nbusy %.3f\nserver %.3f\nwrk %.3f\nother %.3f\nsteal %.3f\n", elapsed, busy, server, w, other, steal
    }' >"$file.cpu"
  rm -f "$file.time"
  echo "    $(grep -h '^Requests/sec' "$file.txt"), CPU: $(tr '\n' ' ' <"$file.cpu")" >&2
}

# timings COUNT URL [curl options...]: COUNT requests one after another, their time_total in s, sorted.
timings() {
  local count="$1" target="$2"
  shift 2
  for _ in $(seq 1 "$count"); do curl -s -o /dev/null -w '%{time_total}\n' "$@" "$target"; done | sort -n
}
median() { awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ms() { awk -v t="$1" 'BEGIN { printf "%.0f ms", t * 1000 }'; }
