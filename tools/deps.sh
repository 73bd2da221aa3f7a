#!/bin/sh
# Install the Debian packages the suite needs to build, run and test, when
# any is missing.  As root it runs apt-get itself; otherwise it says what
# to install.
set -eu

PKGS="gcc make pkg-config libc6-dev libfcgi-dev libcurl4-openssl-dev libjson-c-dev
libpq-dev libssl-dev nettle-dev postgresql postgresql-client lighttpd curl jq nodejs openssl
procps util-linux apache2 libapache2-mod-fcgid nginx spawn-fcgi multiwatch
chromium iproute2 pgbouncer haproxy socat"

missing=""
for p in $PKGS; do
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$st" in *"install ok installed"*) ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
    echo "missing Debian packages:$missing" >&2
    echo "install them with: sudo apt-get install$missing" >&2
    exit 1
fi
echo "installing Debian packages:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
# Debian's postgresql package starts a system cluster; the suite runs its own.
if command -v service >/dev/null 2>&1 && ! [ -d /run/systemd/system ]; then
    service postgresql stop >/dev/null 2>&1 || true
fi
# The web servers' packages may start their system services too; the tests
# run their own, on free loopback ports, and need none of these.
for svc in lighttpd apache2 nginx pgbouncer haproxy; do
    service "$svc" stop >/dev/null 2>&1 || true
done
echo "packages installed"
