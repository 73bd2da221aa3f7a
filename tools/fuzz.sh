#!/bin/sh
# Run libFuzzer targets built by `make fuzz`, one after the other, and end
# with one line per target: executions, seconds, and whether it found
# anything.  Each grows its corpus under build/fuzz/corpus/NAME (the seeds
# in tests/fuzz/corpus/NAME are read, never written); what it finds goes to
# build/fuzz/artifacts/, its whole output to build/fuzz/log/NAME.log.
#
#   FUZZ_TIME=seconds FUZZ_RUNS=executions tools/fuzz.sh NAME...
#
# Either limit may be empty; with both, the first one reached ends a run.
set -u
BIN=${FUZZ_BIN:-build/fuzz-clang}
OUTDIR=${FUZZ_OUT:-build/fuzz}
mkdir -p "$OUTDIR/artifacts" "$OUTDIR/log"
summary=""
failed=0
for n in "$@"; do
    mkdir -p "$OUTDIR/corpus/$n"
    # Words without blanks, so one unquoted variable is enough.
    args="-artifact_prefix=$OUTDIR/artifacts/$n- -print_final_stats=1"
    [ -n "${FUZZ_TIME:-}" ] && args="$args -max_total_time=$FUZZ_TIME"
    [ -n "${FUZZ_RUNS:-}" ] && args="$args -runs=$FUZZ_RUNS"
    echo "fuzzing $n (${FUZZ_TIME:+${FUZZ_TIME}s}${FUZZ_TIME:+${FUZZ_RUNS:+, }}${FUZZ_RUNS:+$FUZZ_RUNS runs})"
    "$BIN/fuzz-$n" $args "$OUTDIR/corpus/$n" "tests/fuzz/corpus/$n" \
        >"$OUTDIR/log/$n.log" 2>&1
    rc=$?
    # libFuzzer ends with "Done N runs in S second(s)"; a finding ends it early.
    done_line=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$OUTDIR/log/$n.log" | tail -n 1)
    runs=$(echo "$done_line" | awk '{print $2}')
    secs=$(echo "$done_line" | awk '{print $5}')
    [ -n "$runs" ] ||
        runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$OUTDIR/log/$n.log" | awk '{print $2}')
    case $rc in
    0) result="no finding" ;;
    72) result="interrupted, no finding"; failed=1 ;;
    *) result="FINDING (exit $rc, see $OUTDIR/log/$n.log)"; failed=1 ;;
    esac
    line=$(printf '%-10s %12s runs %7s s  corpus %5s files  %s' "$n" "${runs:-?}" \
        "${secs:-?}" "$(ls "$OUTDIR/corpus/$n" | wc -l)" "$result")
    echo "$line"
    summary="$summary$line
"
done
echo "== fuzz summary"
printf '%s' "$summary"
exit $failed
