#!/usr/bin/env bash
# Fuzzes the parse-and-extract path (`parse_mail`) for N seconds (default 60) and exits
# non-zero if any input crashes it, hangs it (over 10 s) or makes it use over 2 GB.
#
#   src-tauri/core/fuzz/run.sh [SECONDS]
#
# Works on stable Rust: cargo-fuzz's default AddressSanitizer needs the nightly-only
# -Zsanitizer, so the target is built with `--sanitizer none`, which keeps libFuzzer and its
# coverage instrumentation (stable -C flags). `-O` builds it as the app ships (release, no
# debug assertions): mail-parser has internal `debug_assert!(false, "should not happen")`
# checks in its recovery path that odd input does reach and that are compiled out of the app,
# so only panics the shipped parser can hit count as crashes. Inputs that find new paths go
# to corpus/parse_mail/ (git-ignored except the seed-* files); a crashing input is saved under
# artifacts/parse_mail/.
set -euo pipefail

seconds="${1:-60}"
cd "$(dirname "$0")"

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --version 0.13.2 --locked
fi

exec cargo fuzz run -O --sanitizer none parse_mail -- \
    -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
