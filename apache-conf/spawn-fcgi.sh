#!/bin/sh
# spawn-fcgi.sh -- start and stop the suite's FastCGI pools with
# spawn-fcgi, for the nginx and Apache mod_proxy_fcgi set-ups on a machine
# without systemd (with systemd, use systemd/workos-strapi-c@.service).
#
#     spawn-fcgi.sh start|stop|restart|status [login callback session webhook content]
#
# Without program names: every program installed under $WSC_LIB/cgi-bin
# (webhook.fcgi only once it is installed).
#
# Run it as root: it reads the root-only env file, makes each pool's Unix
# socket for the web server's user, and starts the programs as the
# suite's own user.  Each pool is WORKERS copies of one program sharing one
# socket, /run/workos-strapi-c/<program>.sock.  Nothing restarts a copy
# that dies; the other copies go on serving, and `spawn-fcgi.sh restart`
# (or a process supervisor) brings the pool back to full size.
#
# What a program prints outside a request (start-up, stop) goes to
# $WSC_LOG/<program>.log; the per-request lines (method, path, what
# happened; never a secret) go to the web server's error log.
#
# Settings, from the environment (defaults in brackets):
#   WSC_ENV_FILE   configuration and secrets [/etc/workos-strapi-c/env]
#   WSC_LIB        installed suite [/usr/local/lib/workos-strapi-c]
#   WSC_SHARE      its shared files, cores.sh [/usr/local/share/workos-strapi-c]
#   WSC_RUN        sockets and pid files [/run/workos-strapi-c]
#   WSC_LOG        start-up logs [/var/log/workos-strapi-c]
#   WSC_USER       user the programs run as [workos-strapi]
#   WSC_GROUP      its group [the user's primary group]
#   WSC_SOCKET_USER / WSC_SOCKET_GROUP   the web server's [www-data]
#   WORKERS        copies of each program [4; content: one per core];
#                  WORKERS_login, WORKERS_callback, WORKERS_session,
#                  WORKERS_webhook, WORKERS_content size one pool
#
# Why one content process per core: a content page is one round trip to
# Postgres, so its process seldom waits, and with Postgres on the same
# machine more processes than cores only queue (make bench on 2 cores: 2
# beat 4 and 8, on throughput and p99).  With Postgres a network hop
# away, set WORKERS_content to two per core.  The sign-in programs wait on
# WorkOS, not on a core.
set -eu

WSC_ENV_FILE=${WSC_ENV_FILE:-/etc/workos-strapi-c/env}
WSC_LIB=${WSC_LIB:-/usr/local/lib/workos-strapi-c}
WSC_RUN=${WSC_RUN:-/run/workos-strapi-c}
WSC_LOG=${WSC_LOG:-/var/log/workos-strapi-c}
WSC_USER=${WSC_USER:-workos-strapi}
WSC_GROUP=${WSC_GROUP:-}
WSC_SOCKET_USER=${WSC_SOCKET_USER:-www-data}
WSC_SOCKET_GROUP=${WSC_SOCKET_GROUP:-www-data}
# The cores, as lighttpd.conf counts them: cores.sh, installed in
# WSC_SHARE (nproc lowered to a cgroup CPU quota, at most 64); nproc's own
# count if it is not there.
WSC_SHARE=${WSC_SHARE:-/usr/local/share/workos-strapi-c}
if [ -r "$WSC_SHARE/cores.sh" ]; then
    cores=$(sh "$WSC_SHARE/cores.sh" || :)
else
    echo "spawn-fcgi.sh: no $WSC_SHARE/cores.sh; counting cores with nproc" >&2
    cores=$(OMP_NUM_THREADS= OMP_THREAD_LIMIT= nproc 2>/dev/null || :)
fi
case $cores in '' | *[!0-9]* | 0*) cores=2 ;; esac
[ "$cores" -le 64 ] || cores=64
WORKERS_content=${WORKERS_content:-${WORKERS:-$cores}}
WORKERS=${WORKERS:-4}

die() { echo "spawn-fcgi.sh: $*" >&2; exit 1; }

pids() { # PROGRAM: the pool's live processes
    [ -f "$WSC_RUN/$1.pid" ] || return 0
    for p in $(cat "$WSC_RUN/$1.pid"); do
        kill -0 "$p" 2>/dev/null && echo "$p"
    done
    return 0
}

start() { # PROGRAM
    prog=$1
    [ -x "$WSC_LIB/cgi-bin/$prog.fcgi" ] || die "no program $WSC_LIB/cgi-bin/$prog.fcgi"
    [ -z "$(pids "$prog")" ] || { echo "$prog: already running"; return 0; }
    eval "n=\${WORKERS_$prog:-$WORKERS}"
    mkdir -p "$WSC_RUN" "$WSC_LOG"
    chmod 0755 "$WSC_RUN"
    touch "$WSC_LOG/$prog.log"
    chown "$WSC_USER${WSC_GROUP:+:$WSC_GROUP}" "$WSC_LOG/$prog.log"
    chmod 0640 "$WSC_LOG/$prog.log"
    # The programs' environment is the env file and nothing else.
    # spawn-fcgi points the programs' stderr at /dev/null: the sh in
    # between sends it to the log instead, then becomes the program.
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin sh -c '
        set -a; . "$1"; set +a; shift
        exec "$@"' sh "$WSC_ENV_FILE" \
        spawn-fcgi -s "$WSC_RUN/$prog.sock" -M 0660 \
            -U "$WSC_SOCKET_USER" -G "$WSC_SOCKET_GROUP" \
            -u "$WSC_USER" ${WSC_GROUP:+-g "$WSC_GROUP"} \
            -F "$n" -P "$WSC_RUN/$prog.pid" -d / \
            -- /bin/sh -c 'exec "$0" 2>>"$1"' \
            "$WSC_LIB/cgi-bin/$prog.fcgi" "$WSC_LOG/$prog.log" >/dev/null ||
        die "$prog: spawn-fcgi failed"
    echo "$prog: $n processes on $WSC_RUN/$prog.sock"
}

stop() { # PROGRAM
    prog=$1
    live=$(pids "$prog")
    if [ -n "$live" ]; then
        # SIGTERM: each program finishes the request it is serving, then
        # exits; give them the time a slow sign-in may take.
        kill -TERM $live 2>/dev/null || true
        i=0
        while [ -n "$(pids "$prog")" ] && [ $i -lt 300 ]; do
            sleep 0.1
            i=$((i + 1))
        done
        live=$(pids "$prog")
        [ -z "$live" ] || kill -KILL $live 2>/dev/null || true
    fi
    rm -f "$WSC_RUN/$prog.sock" "$WSC_RUN/$prog.pid"
    echo "$prog: stopped"
}

status() { # PROGRAM
    live=$(pids "$1")
    if [ -n "$live" ]; then echo "$1: running ($(echo $live))"; else echo "$1: stopped"; return 1; fi
}

PROGRAMS="login callback session webhook content"
[ $# -ge 1 ] || die "usage: spawn-fcgi.sh start|stop|restart|status [$PROGRAMS]"
action=$1
shift
if [ $# = 0 ]; then
    # Every program installed (or, to stop one, that has a pid file).
    for prog in $PROGRAMS; do
        if [ -x "$WSC_LIB/cgi-bin/$prog.fcgi" ] || [ -f "$WSC_RUN/$prog.pid" ]; then
            set -- "$@" "$prog"
        fi
    done
fi
case $action in
start | restart)
    [ -r "$WSC_ENV_FILE" ] || die "cannot read $WSC_ENV_FILE"
    case $WSC_ENV_FILE in /*) ;; *) WSC_ENV_FILE=$PWD/$WSC_ENV_FILE ;; esac
    command -v spawn-fcgi >/dev/null || die "spawn-fcgi is not installed" ;;
esac
rc=0
for prog in "$@"; do
    case $prog in
    login | callback | session | webhook | content) ;;
    *) die "unknown program \"$prog\" (one of: $PROGRAMS)" ;;
    esac
    case $action in
    start) start "$prog" ;;
    stop) stop "$prog" ;;
    restart) stop "$prog"; start "$prog" ;;
    status) status "$prog" || rc=1 ;;
    *) die "unknown action \"$action\"" ;;
    esac
done
exit $rc
