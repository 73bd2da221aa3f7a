# Shell functions that run a private PostgreSQL cluster in a directory,
# on a loopback port.  Sourced by tools/run.sh and tests/lib.sh.
#
# initdb and postgres refuse to run as root: as root they run as the
# `postgres` user (created by Debian's postgresql package), so the
# cluster's directory must be reachable by that user.

pg_bindir() {
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r); do
        [ -x "$d/initdb" ] && { echo "$d"; return 0; }
    done
    command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
    echo "no PostgreSQL server found (install the postgresql package)" >&2
    return 1
}

# Run a command as the cluster's owner (from /: the postgres user may not
# be able to enter the current directory).
pg_as_owner() {
    if [ "$(id -u)" = 0 ]; then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

# pg_init DIR: make a cluster in DIR/data unless one is there.
pg_init() {
    _dir=$1
    [ -f "$_dir/data/PG_VERSION" ] && return 0
    mkdir -p "$_dir/data" "$_dir/sock"
    if [ "$(id -u)" = 0 ]; then
        chown postgres "$_dir" "$_dir/data" "$_dir/sock" || return 1
        if ! runuser -u postgres -- test -w "$_dir/data"; then
            echo "the postgres user cannot write to $_dir/data: put the checkout where that user can reach it (e.g. not under /root)" >&2
            return 1
        fi
    fi
    pg_as_owner "$(pg_bindir)/initdb" -D "$_dir/data" -U postgres -A trust \
        -E UTF8 --locale=C.UTF-8 --no-sync >"$_dir/initdb.log" 2>&1 || {
        echo "initdb failed; see $_dir/initdb.log" >&2
        return 1
    }
}

# pg_start DIR PORT: start the cluster on 127.0.0.1:PORT, wait until it answers.
pg_start() {
    _dir=$1 _port=$2
    pg_as_owner "$(pg_bindir)/pg_ctl" -D "$_dir/data" -l "$_dir/postgres.log" -w -t 60 \
        -o "-p $_port -k $_dir/sock -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >/dev/null || {
        echo "postgres did not start; see $_dir/postgres.log" >&2
        return 1
    }
}

# pg_pid DIR: the postmaster's PID, from its pid file.
pg_pid() {
    head -n 1 "$1/data/postmaster.pid" 2>/dev/null
}

# pg_stop DIR: stop the cluster (fast), by PID if pg_ctl cannot.
pg_stop() {
    _dir=$1
    [ -f "$_dir/data/postmaster.pid" ] || return 0
    _pid=$(pg_pid "$_dir")
    pg_as_owner "$(pg_bindir)/pg_ctl" -D "$_dir/data" -m fast -w -t 30 stop >/dev/null 2>&1 ||
        { [ -n "$_pid" ] && kill -9 "$_pid" 2>/dev/null; }
    return 0
}

# free_port: a loopback TCP port that nothing listens on now, below the
# kernel's ephemeral range so no outgoing connection can be holding it.
free_port() {
    local lo
    lo=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null)
    [ -n "$lo" ] && [ "$lo" -gt 12000 ] || lo=32768
    while :; do
        _p=$(( 10000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % (lo - 10000) ))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$_p") 2>/dev/null; then
            echo "$_p"
            return 0
        fi
    done
}
