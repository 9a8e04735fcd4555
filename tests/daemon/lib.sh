# SPDX-License-Identifier: MIT
# The start-up preamble of the tests/daemon scripts, sourced by each:
#   ZVFIOD=... CTL=...          (the binaries under test)
#   . "$(dirname "$0")/lib.sh"
#   zv_setup NAME              (skip 77 if CTL cannot run here; make the
#                               temp dir T, state dir ST, log T/log; trap)
# then start [ZVFIOD ARGS...] / stop / ctl / raw / fail.
# Knobs, set before zv_setup or any time after:
#   ZV_LOG_LEVEL   the daemon's --log-level (default debug)
#   ZV_LOG_TAIL    lines of the daemon log fail shows (default: all)
#   ZV_EXTRA_PIDS  names of variables holding more pids for the trap to
#                  kill (clients the script starts), e.g. "GP"
#   ZV_KEEP        keep T at exit (say where)
# PID is the daemon's pid while it runs, empty otherwise.

# a cross build whose binaries this machine cannot start: skip (77)
zv_skip_unless_runnable() {
    "$CTL" --help >/dev/null 2>&1 || {
        echo "cannot run $CTL here: skipped"
        exit 77
    }
}

cleanup() {
    local v
    for v in ${ZV_EXTRA_PIDS:-} PID; do
        [ -n "${!v:-}" ] && kill -KILL "${!v}" 2>/dev/null
    done
    if [ -n "${ZV_KEEP:-}" ]; then
        echo "kept $T"
    else
        rm -rf "$T"
    fi
}

zv_setup() {
    zv_skip_unless_runnable
    T=$(mktemp -d "/tmp/zvfiod-$1.XXXXXX") || exit 1
    ST=$T/state
    PID=
    trap cleanup EXIT
}

fail() {
    echo "FAIL: $*"
    echo "--- daemon log"
    if [ -n "${ZV_LOG_TAIL:-}" ]; then
        tail -n "$ZV_LOG_TAIL" "$T/log" 2>/dev/null
    else
        cat "$T/log" 2>/dev/null
    fi
    exit 1
}

ctl() { timeout 10 "$CTL" --socket "$ST/control.sock" "$@"; }

# start the daemon on ST; return once its control socket answers
start() {
    "$ZVFIOD" --state-dir "$ST" --log-level "${ZV_LOG_LEVEL:-debug}" "$@" \
        2>>"$T/log" &
    PID=$!
    for _ in $(seq 100); do
        ctl lschp >/dev/null 2>&1 && return 0
        kill -0 "$PID" 2>/dev/null || fail "daemon exited at start"
        sleep 0.05
    done
    fail "daemon did not come up"
}

# SIGTERM: the daemon must quiesce and exit 0 (stop is this, unless a
# script adds its own checks around zv_stop)
zv_stop() {
    local rc
    kill -TERM "$PID"
    wait "$PID"
    rc=$?
    PID=
    [ $rc = 0 ] || fail "daemon exit status $rc after SIGTERM"
}
stop() { zv_stop; }

raw() { # send lines, print replies (after the greeting)
    python3 - "$ST/control.sock" "$@" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(10); s.connect(sys.argv[1])
f = s.makefile('rwb')
f.readline()
for l in sys.argv[2:]:
    f.write(l.encode() + b'\n'); f.flush()
    while True:
        r = f.readline().decode()
        if not r.startswith('{"event"'): break
    print(r.strip())
PY
}

# sanitizer builds: a report in the daemon's log is a failure
no_sanitizer_report() {
    grep -q 'runtime error\|Sanitizer' "$T/log" &&
        fail "sanitizer report in the daemon log"
    return 0
}
