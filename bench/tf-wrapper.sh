#!/usr/bin/env bash
# terraform, timed: the benchmark points every method at this script so each terraform
# process is logged the same way (start, end, exit code, work dir, subcommand) to
# $BENCH_TF_LOG. Costs one bash start per process (a few ms).
start=$EPOCHREALTIME
"${BENCH_TF_REAL:?BENCH_TF_REAL must name the real terraform binary}" "$@"
rc=$?
if [ -n "$BENCH_TF_LOG" ]; then
  sub=""
  for arg in "$@"; do case "$arg" in -*) ;; *) sub="$arg"; break ;; esac; done
  printf '%s\t%s\t%s\t%s\t%s\n' "$start" "$EPOCHREALTIME" "$rc" "$PWD" "$sub" >> "$BENCH_TF_LOG"
fi
exit $rc
