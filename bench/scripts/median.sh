#!/usr/bin/env bash
# median.sh NUMBER...: prints the median.
set -euo pipefail
printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
