#!/bin/sh
# cores.sh -- print how many CPUs the suite's processes may use here: the
# size of the content pool (one process per core; README, "Pool sizing").
#
#     cores.sh                 a number, 1 to 64
#     cores.sh --lighttpd      "var.wsc_cores = N", for lighttpd's include_shell
#
# The count is nproc's (the CPUs this process may run on), lowered to the
# CPU quota of its control group, where there is one: a container or a
# systemd unit limited to 1.5 CPUs on a 64-core host counts 2, not 64.
# cgroup v2 (cpu.max) and v1 (cpu.cfs_quota_us / cpu.cfs_period_us) are
# read for the process's own group and every group above it; the lowest
# quota applies.  OMP_NUM_THREADS and OMP_THREAD_LIMIT, which would
# override nproc's count, are ignored.  A count nproc cannot give is 2; a
# quota that cannot be read is no quota.
# At most 64: each content process holds a Postgres connection, and
# Postgres's default max_connections is 100.
#
# For tests and unusual mounts: CGROUP_FS [/sys/fs/cgroup] is where the
# hierarchies are mounted, PROC_CGROUP [/proc/self/cgroup] the membership.
set -u

n=$(OMP_NUM_THREADS= OMP_THREAD_LIMIT= nproc 2>/dev/null)
case $n in '' | *[!0-9]* | 0*) n=2 ;; esac

fs=${CGROUP_FS:-/sys/fs/cgroup}
membership=${PROC_CGROUP:-/proc/self/cgroup}

# lower QUOTA PERIOD: n becomes ceil(QUOTA / PERIOD) when that is less.
# Anything but plain decimal numbers of at most 15 digits without a
# leading zero (as the kernel writes them) counts as no quota.
lower() {
    for v in "$1" "$2"; do
        case $v in '' | *[!0-9]* | 0*) return 0 ;; esac
        [ "${#v}" -le 15 ] || return 0
    done
    k=$((($1 + $2 - 1) / $2))
    [ "$k" -ge "$n" ] || n=$k
}

# walk DIR TOP FILE...: from DIR up to TOP (inclusive), every quota found.
walk() {
    d=$1 top=$2
    shift 2
    while :; do
        if [ "$#" = 1 ] && [ -r "$d/$1" ]; then
            read -r q p <"$d/$1" && lower "$q" "${p:-}"
        elif [ "$#" = 2 ] && [ -r "$d/$1" ] && [ -r "$d/$2" ]; then
            read -r q <"$d/$1" && read -r p <"$d/$2" && lower "$q" "$p"
        fi
        [ "$d" != "$top" ] && [ "${#d}" -gt "${#top}" ] || break
        d=${d%/*}
    done
}

if [ -r "$membership" ]; then
    while IFS=: read -r id controllers path; do
        case $path in /*) ;; *) continue ;; esac
        path=${path%/}
        if [ "$id" = 0 ] && [ -z "$controllers" ]; then
            # v2: where the unified hierarchy is mounted (alone, or as
            # "unified" next to the v1 ones).
            for top in "$fs" "$fs/unified"; do
                [ -r "$top/cgroup.controllers" ] || continue
                walk "$top$path" "$top" cpu.max
                break
            done
        else
            case ,$controllers, in *,cpu,*) ;; *) continue ;; esac
            for top in "$fs/cpu" "$fs/cpu,cpuacct" "$fs/cpuacct,cpu"; do
                [ -r "$top/cpu.cfs_period_us" ] || continue
                walk "$top$path" "$top" cpu.cfs_quota_us cpu.cfs_period_us
                break
            done
        fi
    done <"$membership"
fi

[ "$n" -ge 1 ] || n=1
[ "$n" -le 64 ] || n=64
if [ "${1:-}" = --lighttpd ]; then
    echo "var.wsc_cores = $n"
else
    echo "$n"
fi
