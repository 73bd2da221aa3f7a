# `make install` as a packager runs it (PREFIX=/usr, staged in a DESTDIR),
# then the suite served from the installed files alone: the database
# migrated by the installed workos-strapi-migrate from the installed SQL,
# lighttpd configured by the installed lighttpd.conf and running the
# installed programs as www-data with the configuration from an env file
# (as the installed systemd drop-in gives it), and the smoke suite
# against that.  Then `make uninstall` leaves no file behind.

. "$ROOT/tests/smoke.sh"

DEST=$T_RUN/dest
PFX=/usr
PKG=workos-strapi-c
LIB=$DEST$PFX/lib/$PKG
SHARE=$DEST$PFX/share/$PKG
fake POST /_fake/reset >/dev/null

# Install the build this pass tests (plain or sanitizer).
marker=$T_RUN/install.marker
touch "$marker"
sleep 1 # mtimes have a resolution of their own
if make -s -C "$ROOT" install DESTDIR="$DEST" PREFIX="$PFX" BINDIR_SRC="$BIN_DIR" >"$T_RUN/install.log" 2>&1; then
    t_ok "make install DESTDIR=... PREFIX=$PFX succeeds"
else
    t_fail "make install DESTDIR=... PREFIX=$PFX succeeds" "$(tail -n 20 "$T_RUN/install.log")"
fi

# What is installed, where, with which mode.
want() { # MODE PATH...
    local mode=$1 f bad=
    shift
    for f; do
        [ -f "$f" ] && [ "$(stat -c %a "$f")" = "$mode" ] || bad="$bad ${f#"$DEST"}($(stat -c %a "$f" 2>/dev/null || echo missing))"
    done
    [ -z "$bad" ] || { echo "$bad" >&2; return 1; }
}
# Every program the build has (webhook.fcgi once it exists).
progs=$(cd "$BIN_DIR/cgi-bin" && ls *.fcgi | sed 's/\.fcgi$//' | xargs)
check "every program ($progs) is installed 0755 under $PFX/lib/$PKG/cgi-bin" \
    want 755 $(for p in $progs; do echo "$LIB/cgi-bin/$p.fcgi"; done)
check "the installed programs are the build under test" \
    bash -c "for p in $progs; do cmp -s '$BIN_DIR/cgi-bin/'\$p.fcgi '$LIB/cgi-bin/'\$p.fcgi || exit 1; done"
check "migrate is installed 0755 under $PFX/lib/$PKG" want 755 "$LIB/migrate"
check "workos-sync and webhook.fcgi are installed 0755 under $PFX/lib/$PKG" \
    want 755 "$LIB/workos-sync" "$LIB/cgi-bin/webhook.fcgi"
check "the workos-sync unit and cron example are installed 0644, naming the installed program" \
    bash -c "grep -q '^ExecStart=$PFX/lib/$PKG/workos-sync ' '$SHARE/systemd/workos-strapi-c-sync.service' &&
             grep -q '$PFX/lib/$PKG/workos-sync --once' '$SHARE/systemd/workos-strapi-c-sync.cron' &&
             test \$(stat -c %a '$SHARE/systemd/workos-strapi-c-sync.service') = 644"
check "the migrate command is installed 0755 as $PFX/bin/workos-strapi-migrate" \
    want 755 "$DEST$PFX/bin/workos-strapi-migrate"
check "every SQL migration is installed 0644" \
    want 644 $(for f in "$ROOT"/sql/*.sql; do echo "$SHARE/sql/${f##*/}"; done)
check "the web servers' JSON error answers are installed 0644" \
    want 644 "$SHARE/errors/400.json" "$SHARE/errors/502.json" "$SHARE/errors/lighttpd-431.html"
check "the web-server configurations and env.example are installed 0644" \
    want 644 "$SHARE/apache-mod_fcgid.conf" "$SHARE/apache-mod_proxy_fcgi.conf" \
    "$SHARE/lighttpd.conf" "$SHARE/nginx.conf" "$SHARE/env.example"
check "the helper scripts are installed 0755" want 755 "$SHARE/spawn-fcgi.sh" "$SHARE/fcgid-env.sh" "$SHARE/cores.sh"
check "the installed lighttpd.conf counts cores with cores.sh from var.wsc_share" \
    bash -c "grep -q '^var.wsc_share = \"$PFX/share/$PKG\"\$' '$SHARE/lighttpd.conf' &&
             grep -qF 'include_shell \"'\"'\" + var.wsc_share + \"/cores.sh'\"'\" --lighttpd\"' '$SHARE/lighttpd.conf'"

# cores.sh: the content pool's size, nproc lowered to a cgroup CPU quota.
# Fake hierarchies stand in for a container's (CGROUP_FS, PROC_CGROUP).
cores() { # membership-file [VAR=value...]: what the installed cores.sh prints
    local m=$1
    shift
    env "$@" CGROUP_FS="$T_RUN/cg" PROC_CGROUP="$m" sh "$SHARE/cores.sh"
}
here=$(OMP_NUM_THREADS= OMP_THREAD_LIMIT= nproc)
[ "$here" -le 64 ] || here=64
mkdir -p "$T_RUN/cg"
printf '0::/\n' >"$T_RUN/cg-root"
check "cores.sh without any quota: nproc's count ($here)" test "$(cores "$T_RUN/cg-root")" = "$here"
check "cores.sh ignores OMP_NUM_THREADS" test "$(cores "$T_RUN/cg-root" OMP_NUM_THREADS=1000)" = "$here"
check "cores.sh --lighttpd sets var.wsc_cores" \
    test "$(CGROUP_FS="$T_RUN/cg" PROC_CGROUP="$T_RUN/cg-root" sh "$SHARE/cores.sh" --lighttpd)" = "var.wsc_cores = $here"
# cgroup v2: a pod limited to one CPU, its container unlimited.
mkdir -p "$T_RUN/cg/kubepods/pod1/c1"
touch "$T_RUN/cg/cgroup.controllers"
echo "max 100000" >"$T_RUN/cg/kubepods/cpu.max"
echo "100000 100000" >"$T_RUN/cg/kubepods/pod1/cpu.max"
echo "max 100000" >"$T_RUN/cg/kubepods/pod1/c1/cpu.max"
printf '0::/kubepods/pod1/c1\n' >"$T_RUN/cg-v2"
check "cores.sh (cgroup v2): a quota of one CPU above the process's group counts 1" test "$(cores "$T_RUN/cg-v2")" = 1
echo "50000 100000" >"$T_RUN/cg/kubepods/pod1/cpu.max"
check "cores.sh (cgroup v2): half a CPU counts 1" test "$(cores "$T_RUN/cg-v2")" = 1
echo "max 100000" >"$T_RUN/cg/kubepods/pod1/cpu.max"
check "cores.sh (cgroup v2): no quota anywhere: nproc's count" test "$(cores "$T_RUN/cg-v2")" = "$here"
for bad in "garbage" "5 00" "08 100000" "100000 0" "9223372036854775807 100000" "-5 100000"; do
    echo "$bad" >"$T_RUN/cg/kubepods/pod1/c1/cpu.max"
    check "cores.sh (cgroup v2): a quota of \"$bad\" is no quota" test "$(cores "$T_RUN/cg-v2")" = "$here"
done
# cgroup v1 (cpu,cpuacct), a Docker container given 1.5 CPUs on a host
# whose root has none: ceil(1.5) = 2, or fewer CPUs if nproc says so.
rm -rf "$T_RUN/cg" && mkdir -p "$T_RUN/cg/cpu,cpuacct/docker/abc"
echo 100000 >"$T_RUN/cg/cpu,cpuacct/cpu.cfs_period_us"
echo -1 >"$T_RUN/cg/cpu,cpuacct/cpu.cfs_quota_us"
echo 100000 >"$T_RUN/cg/cpu,cpuacct/docker/abc/cpu.cfs_period_us"
echo 150000 >"$T_RUN/cg/cpu,cpuacct/docker/abc/cpu.cfs_quota_us"
printf '5:memory:/docker/abc\n3:cpu,cpuacct:/docker/abc\n0::/\n' >"$T_RUN/cg-v1"
want_v1=2
[ "$here" -ge 2 ] || want_v1=$here
check "cores.sh (cgroup v1): 1.5 CPUs count $want_v1" test "$(cores "$T_RUN/cg-v1")" = "$want_v1"
echo 100000 >"$T_RUN/cg/cpu,cpuacct/docker/abc/cpu.cfs_quota_us"
check "cores.sh (cgroup v1): one CPU counts 1" test "$(cores "$T_RUN/cg-v1")" = 1
echo -1 >"$T_RUN/cg/cpu,cpuacct/docker/abc/cpu.cfs_quota_us"
check "cores.sh (cgroup v1): no quota (-1): nproc's count" test "$(cores "$T_RUN/cg-v1")" = "$here"
check "the scale-out examples (HAProxy, PgBouncer) are installed 0644" \
    want 644 "$SHARE/deploy/haproxy.cfg" "$SHARE/deploy/pgbouncer.ini"
check "the systemd units are installed 0644" \
    want 644 "$SHARE/systemd/workos-strapi-c@.service" "$SHARE/systemd/workos-strapi-c.target" \
    "$SHARE/systemd/lighttpd-workos-strapi-c.conf"
check "the man page is installed 0644" want 644 "$DEST$PFX/share/man/man1/workos-strapi-migrate.1"
check "README.md is installed 0644" want 644 "$DEST$PFX/share/doc/$PKG/README.md"
check "the installed examples name the installed paths ($PFX/lib/$PKG)" \
    bash -c "grep -q ' $PFX/lib/$PKG/cgi-bin/%i.fcgi\$' '$SHARE/systemd/workos-strapi-c@.service' &&
             grep -q '^var.wsc_lib = \"$PFX/lib/$PKG\"' '$SHARE/lighttpd.conf' &&
             grep -q 'Define WSC_LIB $PFX/lib/$PKG\$' '$SHARE/apache-mod_fcgid.conf' &&
             ! grep -rq '/usr/local/\\(lib\\|share\\)/$PKG' '$SHARE' '$DEST$PFX/share/man'"
if command -v man >/dev/null 2>&1; then
    check "the man page renders" bash -c "man -l '$DEST$PFX/share/man/man1/workos-strapi-migrate.1' 2>&1 | grep -q 'workos-strapi-migrate'"
fi

# Nothing outside DESTDIR.
check "nothing is installed outside DESTDIR ($PFX/lib/$PKG, $PFX/share/$PKG)" \
    bash -c "! [ -e '$PFX/lib/$PKG' ] && ! [ -e '$PFX/share/$PKG' ] && ! [ -e '$PFX/bin/workos-strapi-migrate' ]"
find /usr/local /usr/bin /usr/sbin /usr/lib /usr/share/man /usr/share/doc /etc -xdev -newer "$marker" \
    \( -type f -o -type l \) 2>/dev/null | grep -v '^/etc/ld.so.cache$' >"$T_RUN/outside"
check "no file outside DESTDIR changed during make install" test ! -s "$T_RUN/outside"

# The installed migrate command, on a database of its own.
"$DEST$PFX/bin/workos-strapi-migrate" --help >"$T_RUN/migrate.help" 2>&1
check "workos-strapi-migrate --help explains itself" grep -q '^usage: workos-strapi-migrate' "$T_RUN/migrate.help"
check "workos-strapi-migrate --help names the installed migrations" grep -qF "(default: $SHARE/sql)" "$T_RUN/migrate.help"
inst_db="${DATABASE_URL##*/}_inst"
psql -X -q -v ON_ERROR_STOP=1 "$PG_ADMIN_URL" -c "CREATE DATABASE \"$inst_db\"" >/dev/null
INST_URL=${DATABASE_URL%/*}/$inst_db
check "workos-strapi-migrate migrates a new database from the installed SQL" \
    env DATABASE_URL="$INST_URL" "$DEST$PFX/bin/workos-strapi-migrate"
DATABASE_URL="$INST_URL" "$DEST$PFX/bin/workos-strapi-migrate" --status >"$T_RUN/migrate.status" 2>&1
check "every installed migration is applied" \
    test "$(grep -c '^applied ' "$T_RUN/migrate.status")" = "$(ls "$ROOT"/sql/*.sql | wc -l)"
DATABASE_URL="$INST_URL" "$DEST$PFX/bin/workos-strapi-migrate" >"$T_RUN/migrate.again" 2>&1
check "running it again changes nothing" grep -q ' 0 applied now' "$T_RUN/migrate.again"

# Serve from the installed files: lighttpd with the installed lighttpd.conf
# (only its paths set for this scratch directory), as www-data, the
# configuration from an env file as systemd's EnvironmentFile= gives it.
D=$T_RUN/served
mkdir -p "$D/run" "$D/log" "$D/s"
chmod 755 "$D"
chown www-data "$D/run" "$D/log"
chmod 1777 "$D/s"
PORT=$(free_port)
sed -e "s|^var.wsc_lib = .*|var.wsc_lib = \"$LIB\"|" -e "s|^var.wsc_run = .*|var.wsc_run = \"$D/run\"|" \
    -e "s|^var.wsc_share = .*|var.wsc_share = \"$SHARE\"|" \
    "$SHARE/lighttpd.conf" >"$D/workos-strapi-c.conf"
if [ -n "${ASAN_OPTIONS:-}" ]; then
    # The sanitizer build's options, passed like the suite's own variables.
    sed -i 's|"TRUST_PROXY" )|"TRUST_PROXY", "ASAN_OPTIONS", "UBSAN_OPTIONS" )|' "$D/workos-strapi-c.conf"
    check "the sanitizer options were added to bin-copy-environment" grep -q '"ASAN_OPTIONS"' "$D/workos-strapi-c.conf"
fi
cat >"$D/lighttpd.conf" <<CONF
# What Debian's lighttpd.conf gives; the suite's part is the installed
# lighttpd.conf, included with this directory's paths.
server.modules = ()
server.document-root = "$D"
server.bind = "127.0.0.1"
server.port = $PORT
server.username = "www-data"
server.groupname = "www-data"
server.errorlog = "$D/log/error.log"
server.pid-file = "$D/lighttpd.pid"
include "$D/workos-strapi-c.conf"
CONF
{
    echo "DATABASE_URL=$INST_URL"
    echo "JWT_SECRET=$JWT_SECRET"
    echo "WORKOS_API_KEY=$WORKOS_API_KEY"
    echo "WORKOS_CLIENT_ID=$WORKOS_CLIENT_ID"
    echo "WORKOS_REDIRECT_URI=http://127.0.0.1:$PORT/api/auth/workos/callback"
    echo "WORKOS_COOKIE_PASSWORD=$WORKOS_COOKIE_PASSWORD"
    echo "WORKOS_WEBHOOK_SECRET=$WORKOS_WEBHOOK_SECRET"
    echo "WORKOS_API_BASE=$WORKOS_API_BASE"
    echo "WORKOS_TIMEOUT=$WORKOS_TIMEOUT"
    if [ -n "${ASAN_OPTIONS:-}" ]; then
        echo "ASAN_OPTIONS=log_path=$D/s/asan:detect_leaks=1:abort_on_error=0"
        echo "UBSAN_OPTIONS=log_path=$D/s/ubsan:print_stacktrace=1:halt_on_error=1"
    fi
} >"$D/env"
chmod 600 "$D/env"
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin sh -c 'set -a; . "$0"; set +a; exec lighttpd -D -f "$1"' \
    "$D/env" "$D/lighttpd.conf" >>"$D/log/stderr" 2>&1 &
INST_PID=$!
echo "$INST_PID" >>"$T_PIDS"
up=0
for _ in $(seq 1 200); do
    curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$PORT/" && { up=1; break; }
    kill -0 "$INST_PID" 2>/dev/null || break
    sleep 0.05
done
if [ $up = 1 ]; then
    t_ok "lighttpd serves the installed programs with the installed lighttpd.conf"
    inst_kids=$(pgrep -P "$INST_PID" | tr '\n' ' ')
    check "the programs running are the installed ones, as www-data" \
        bash -c "for p in $inst_kids; do
                   case \$(readlink /proc/\$p/exe) in '$LIB'/cgi-bin/*.fcgi) ;; *) exit 1 ;; esac
                   [ \"\$(ps -o user= -p \$p)\" = www-data ] || exit 1
                 done; [ -n '$inst_kids' ]"
    if [ -n "${ASAN_OPTIONS:-}" ]; then
        check "ASAN_OPTIONS reaches the installed programs" \
            grep -qa '^ASAN_OPTIONS=log_path=' <(tr '\0' '\n' <"/proc/${inst_kids%% *}/environ" 2>/dev/null)
    fi
    HTTP_PORT=$PORT
    smoke installed
    # The installed lighttpd.conf: long heads accepted, lighttpd's own
    # errors in JSON.
    server_errors installed
else
    t_fail "lighttpd serves the installed programs with the installed lighttpd.conf" \
        "$(tail -n 20 "$D/log/stderr" "$D/log/error.log" 2>&1)"
    inst_kids=
fi
kill -TERM "$INST_PID" 2>/dev/null
for _ in $(seq 1 100); do kill -0 "$INST_PID" 2>/dev/null || break; sleep 0.05; done
kill -KILL "$INST_PID" 2>/dev/null
wait "$INST_PID" 2>/dev/null
for p in $inst_kids; do
    kill -TERM "$p" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
    kill -KILL "$p" 2>/dev/null
done
for f in "$D"/s/asan.* "$D"/s/ubsan.*; do
    [ -e "$f" ] || continue
    b=${f##*/}
    cp "$f" "$T_RUN/${b%%.*}.installed-${b#*.}"
done

private_secrets "no file that others may read holds a secret (env file, configurations)" "$T_RUN"

# make uninstall removes exactly what make install put there.
if make -s -C "$ROOT" uninstall DESTDIR="$DEST" PREFIX="$PFX" >"$T_RUN/uninstall.log" 2>&1; then
    t_ok "make uninstall succeeds"
else
    t_fail "make uninstall succeeds" "$(tail -n 20 "$T_RUN/uninstall.log")"
fi
left=$(find "$DEST" \( -type f -o -type l \) 2>/dev/null | head -n 20)
check "make uninstall leaves no file in DESTDIR${left:+ (left: $left)}" test -z "$left"
check "make uninstall removes the project's own directories" \
    bash -c "! [ -e '$LIB' ] && ! [ -e '$SHARE' ] && ! [ -e '$DEST$PFX/share/doc/$PKG' ]"
