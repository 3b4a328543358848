#!/usr/bin/env bash
# perftest-summary.sh FILE...: for each PerfTest output file prints
#   FILE  steady-state median of the per-second "received" (and "sent") rates, ignoring the first
#   BENCH_WARMUP seconds (default 5), and PerfTest's own average rates.
set -euo pipefail
warmup=${BENCH_WARMUP:-5}
for f in "$@"; do
    awk -v warm="$warmup" -v file="$f" '
        function median(a, n,   i, j, t) {
            if (n == 0) return 0
            for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
            return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
        }
        / time:? [0-9.]+ ?s, sent: / {
            line = $0
            sub(/.* time:? /, "", line); t = line + 0
            if (t < warm + 0.5) next   # the line at ~5.0 s covers second 5: skip it too
            s = $0; sub(/.*sent: /, "", s); s += 0
            r = $0; sub(/.*received: /, "", r); r += 0
            ns++; sent[ns] = s; nr++; recv[nr] = r
        }
        /sending rate avg:/   { x = $0; sub(/.*avg: /, "", x); avg_sent = x + 0 }
        /receiving rate avg:/ { x = $0; sub(/.*avg: /, "", x); avg_recv = x + 0 }
        END {
            printf "%s\tseconds=%d\tmedian_received=%d\tmedian_sent=%d\tavg_received=%d\tavg_sent=%d\n",
                file, nr, median(recv, nr), median(sent, ns), avg_recv, avg_sent
        }' "$f"
done
