#!/usr/bin/env bash
# Run every test: the C unit tests (plain and sanitizer builds), then each
# integration suite against a scratch Postgres, lighttpd and the fake
# WorkOS on loopback ports, once with the plain programs and once with
# the ASan + UBSan build.  Ends with one line "N passed, N failed".
#
#   tests/run.sh                 everything (what `make test` runs)
#   tests/run.sh users           only integration suites whose name has "users"
#   NO_SAN=1 tests/run.sh ...    skip the sanitizer pass
#   KEEP=1 tests/run.sh ...      keep the scratch directory for a look
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
FILTER=${1:-}

# Without its scratch directory nothing below has a place: stop (an empty
# T_BASE would put clusters and logs under /).
T_BASE=$(mktemp -d "${TMPDIR:-/tmp}/suite-test.XXXXXX") && [ -d "$T_BASE" ] ||
    { echo "cannot make a scratch directory under ${TMPDIR:-/tmp}" >&2; exit 1; }
chmod 755 "$T_BASE"
T_PIDS=$T_BASE/pids
: >"$T_PIDS"
LOG=$T_BASE/results.log
export ROOT T_BASE T_PIDS
. "$ROOT/tests/lib.sh"

cleanup() {
    local pid
    # Everything the tests started, by PID, even when a test failed.
    while read -r pid; do
        [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null
    done <"$T_PIDS"
    sleep 0.2
    while read -r pid; do
        [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
    done <"$T_PIDS"
    pg_stop "$T_BASE/pg"
    if [ -n "${KEEP:-}" ]; then
        echo "scratch directory kept: $T_BASE"
    else
        rm -rf "$T_BASE"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for tool in curl jq lighttpd psql node; do
    command -v "$tool" >/dev/null || { echo "missing $tool: run make deps" >&2; exit 1; }
done

# run_checks KIND PROGRAM [ARG...]: a unit test or corpus replay, its
# "ok"/"not ok" lines as they are; a program that exits non-zero without
# having said what failed (a sanitizer's report and abort, a crash) is a
# failure of its own, named with the status.
run_checks() {
    local kind=$1 out rc
    shift
    out=$("$@" 2>&1)
    rc=$?
    printf '%s\n' "$out"
    if [ $rc != 0 ] && ! grep -q '^not ok' <<<"$out"; then
        echo "not ok - $kind: $1 exited with status $rc"
    fi
}

{
    echo "== unit tests"
    for t in build/tests/test_* build/san/tests/test_*; do
        [ -x "$t" ] || continue
        run_checks unit "$t"
    done
    for t in build/fuzz/replay-* build/san/fuzz/replay-*; do
        [ -x "$t" ] || continue
        name=${t##*/replay-}
        run_checks fuzz "$t" "$name" "tests/fuzz/corpus/$name"
    done

    echo "== services"
    PG_PORT=$(free_port)
    if pg_init "$T_BASE/pg" && pg_start "$T_BASE/pg" "$PG_PORT"; then
        echo "postgres on 127.0.0.1:$PG_PORT (pid $(pg_pid "$T_BASE/pg"))"
    else
        echo "not ok - services: postgres starts"
        exit 1
    fi
    export PG_PORT PG_ADMIN_URL="postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
    psql -X -q -v ON_ERROR_STOP=1 "$PG_ADMIN_URL" -c "CREATE DATABASE tmpl" &&
        DATABASE_URL="postgresql://postgres@127.0.0.1:$PG_PORT/tmpl" ./bin/migrate --dir sql >"$T_BASE/migrate.log" 2>&1 ||
        { echo "not ok - services: migrations apply to a new database"; cat "$T_BASE/migrate.log"; exit 1; }
    echo "ok - services: migrations apply to a new database"

    node tests/fake-workos/server.js --port 0 --quiet --pidfile "$T_BASE/fake.pid" \
        >"$T_BASE/fake.out" 2>"$T_BASE/fake.err" &
    fake_pid=$!
    echo $fake_pid >>"$T_PIDS"
    # Up to 30 s: it makes an RSA key first, slow on a loaded machine.
    for _ in $(seq 1 600); do
        grep -q '^listening on' "$T_BASE/fake.out" 2>/dev/null && break
        kill -0 "$fake_pid" 2>/dev/null || break
        sleep 0.05
    done
    FAKE_URL=$(sed -n 's/^listening on //p' "$T_BASE/fake.out")
    if [ -z "$FAKE_URL" ]; then
        echo "not ok - services: the fake WorkOS starts"; cat "$T_BASE/fake.err"; exit 1
    fi
    echo "fake WorkOS on $FAKE_URL"
    export FAKE_URL WORKOS_API_BASE=$FAKE_URL WORKOS_API_KEY=sk_test_fake \
        WORKOS_CLIENT_ID=client_test WORKOS_TIMEOUT=3s \
        WORKOS_COOKIE_PASSWORD="cookie-password-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
    export WORKOS_WEBHOOK_SECRET="whsec-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"

    n=0
    modes="plain"
    [ -n "${NO_SAN:-}" ] || modes="plain san"
    for mode in $modes; do
        if [ "$mode" = san ]; then
            BIN_DIR=$ROOT/build/san
        else
            BIN_DIR=$ROOT
        fi
        for s in tests/integration/*.sh; do
            name=$(basename "$s" .sh)
            case "$name" in *"$FILTER"*) ;; *) continue ;; esac
            n=$((n + 1))
            echo "== $mode/$name"
            (
                T_SUITE="$mode/$name"
                T_RUN=$T_BASE/$mode-$name
                mkdir -p "$T_RUN"
                chmod 755 "$T_RUN"
                db="t${n}_$(echo "$name" | tr -c 'a-z0-9\n' '_')"
                psql -X -q -v ON_ERROR_STOP=1 "$PG_ADMIN_URL" \
                    -c "CREATE DATABASE \"$db\" TEMPLATE tmpl" || { t_fail "scratch database"; exit 0; }
                export DATABASE_URL="postgresql://postgres@127.0.0.1:$PG_PORT/$db"
                export JWT_SECRET="test-secret-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
                export BIN_DIR T_RUN T_SUITE
                if [ "$mode" = san ]; then
                    export ASAN_OPTIONS="log_path=$T_RUN/asan:detect_leaks=1:abort_on_error=0"
                    export UBSAN_OPTIONS="log_path=$T_RUN/ubsan:print_stacktrace=1:halt_on_error=1"
                fi
                # Parallel sign-ins need parallel callback processes.
                case "$name" in *signin* | *webhooks* | *sync*) export MAX_PROCS=4 ;; esac
                lighttpd_start || { t_fail "lighttpd starts"; exit 0; }
                . "$ROOT/$s"
                : >"$T_RUN/ran-to-end"
                lighttpd_stop
                if [ "$mode" = san ]; then
                    reports=$(ls "$T_RUN"/asan.* "$T_RUN"/ubsan.* 2>/dev/null)
                    if [ -z "$reports" ]; then
                        t_ok "no sanitizer reports (ASan, LeakSanitizer, UBSan)"
                    else
                        t_fail "no sanitizer reports" "$(head -c 3000 $reports)"
                    fi
                fi
            )
            # A suite that stopped halfway (an unset variable, a syntax
            # error) has checks that never ran: that is a failure too.
            [ -e "$T_BASE/$mode-$name/ran-to-end" ] ||
                echo "not ok - $mode/$name: the suite ran to its end"
        done
    done
} 2>&1 | tee "$LOG"

passed=$(grep -c '^ok - ' "$LOG")
failed=$(grep -c '^not ok - ' "$LOG")
if [ "$failed" -gt 0 ]; then
    echo
    echo "failures:"
    grep '^not ok - ' "$LOG" | cut -c1-400
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
