# Sourced by tools/token.sh and tools/psql.sh: is `make run` running in
# this checkout (ROOT)?  It holds var/run.lock for its whole life and
# writes var/run/env (DATABASE_URL, FAKE_WORKOS_URL) once it is up.

# need_running WHAT: load var/run/env, or say to start make run and exit.
need_running() {
    if [ ! -f "$ROOT/var/run/env" ] || [ ! -f "$ROOT/var/run.lock" ] ||
        flock -n -s "$ROOT/var/run.lock" true 2>/dev/null; then
        echo "make $1: the suite is not running: start it with 'make run' (in another terminal) first" >&2
        exit 1
    fi
    set -a
    . "$ROOT/var/run/env"
    set +a
}
