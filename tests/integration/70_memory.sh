# A long-lived content.fcgi keeps flat memory: its resident size after
# 100,000 more requests of every kind stays where it was after warming up.
# Measured on the plain build only: ASan's quarantine grows RSS by design,
# and the sanitizer pass checks for leaks with LeakSanitizer instead.

if [ "$BIN_DIR" = "$ROOT" ]; then
    # This measures memory, not budgets: one Postgres stall past the
    # anonymous 500 ms on a loaded machine must not fail a request here.
    lighttpd_stop
    READ_TIMEOUT=15s lighttpd_start || t_fail "lighttpd restarts with READ_TIMEOUT=15s"
    uid=$(mkuser "memory@example.com")
    tok=$(token --id "$uid")
    for i in 1 2 3; do
        curl -s -o /dev/null -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
            --data "{\"data\":{\"title\":\"Memory $i\"}}" "http://127.0.0.1:$HTTP_PORT/api/articles"
    done
    pid=$(pgrep -P "$LIGHTTPD_PID" -f 'cgi-bin/content.fcgi' | head -n 1)
    base="http://127.0.0.1:$HTTP_PORT"
    # One curl, many requests over kept-alive connections: a mix of reads,
    # filters, errors and authenticated calls.
    mix() { # count file
        local n=$1 f=$2 i
        : >"$f"
        for i in $(seq 1 "$n"); do
            case $((i % 6)) in
            # 97 pages: more than a process keeps answers for (pcache.h).
            0) echo "url = \"$base/api/articles?filters[title][\$containsi]=mem&sort=title:desc&pagination[pageSize]=2&pagination[page]=$((i % 97 + 1))\"" ;;
            1) echo "url = \"$base/api/users/me\""; echo "header = \"Authorization: Bearer $tok\"" ;;
            2) echo "url = \"$base/api/nothing/$i\"" ;;
            3) echo "url = \"$base/api/users/me\""; echo "header = \"Authorization: Bearer bad.$i.token\"" ;;
            4) echo "url = \"$base/api/articles?filters[nope]=$i\"" ;;
            5) echo "url = \"$base/api/health\"" ;;
            esac
            echo "output = \"/dev/null\""
            echo 'write-out = "%{http_code}\\n"'
            echo 'globoff'
            [ "$i" = "$n" ] || echo "next"
        done >>"$f"
    }
    rss() { awk '/^VmRSS/ {print $2}' "/proc/$pid/status"; }
    mix 3000 "$T_RUN/warm.cfg"
    curl -gs -K "$T_RUN/warm.cfg" >"$T_RUN/warm.codes" 2>&1
    check "the warm-up requests were all served" test "$(grep -c '^[2-5][0-9][0-9]$' "$T_RUN/warm.codes")" = 3000
    r1=$(rss)
    mix 100000 "$T_RUN/long.cfg"
    curl -gs -K "$T_RUN/long.cfg" >"$T_RUN/long.codes" 2>&1
    check "the 100,000 requests were all served" test "$(grep -c '^[2-5][0-9][0-9]$' "$T_RUN/long.codes")" = 100000
    check "none of them was a server error" bash -c "! grep -q '^5' '$T_RUN/long.codes'"
    r2=$(rss)
    check "content.fcgi served all 103,000 requests in one process" test "$(pgrep -P "$LIGHTTPD_PID" -f 'cgi-bin/content.fcgi' | head -n 1)" = "$pid"
    if [ -n "$r1" ] && [ -n "$r2" ] && [ $((r2 - r1)) -lt 512 ]; then
        t_ok "memory stays flat over 100,000 requests (RSS ${r1} KiB -> ${r2} KiB)"
    else
        t_fail "memory stays flat over 100,000 requests" "RSS ${r1:-?} KiB -> ${r2:-?} KiB"
    fi
    req GET /api/health
    expect_status "the process still answers afterwards" 200
fi
