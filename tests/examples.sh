#!/bin/sh
# Runs every example and checks its result (each exits nonzero when its
# result is wrong); checks that `jacdump --logdet` agrees with the flow
# example's analytic log-determinant. Run by `make check`.
set -u
top=${EXAMPLES_DIR:-./examples}
jacdump=${JACDUMP:-./jacdump}
status=0
tmp=$(mktemp -d)
for ex in polar network flow logistic; do
    if "$top/$ex" >"$tmp/$ex.log" 2>&1; then
        echo "ok: $ex"
    else
        echo "FAILED: $ex"; cat "$tmp/$ex.log"; status=1
    fi
done
"$top/flow" --jacdump "$tmp/flow.txt" >"$tmp/flow.out" || status=1
want=$(sed -n 's/.*analytic sum of the scales *\([0-9.e+-]*\).*/\1/p' "$tmp/flow.out")
got=$("$jacdump" -f "$tmp/flow.txt" --at 0.3,-0.7,1.1,0.5,-0.2,0.8 --logdet --precision 17 |
      sed -n 's/^log|det(J)| = //p')
sign=$("$jacdump" -f "$tmp/flow.txt" --at 0.3,-0.7,1.1,0.5,-0.2,0.8 --logdet | sed -n 's/^sign = //p')
if awk -v a="$got" -v b="$want" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= 1e-12) }' &&
    [ "$sign" = "-1" ]; then
    echo "ok: jacdump --logdet = $got agrees with the analytic $want (sign $sign)"
else
    echo "FAILED: jacdump --logdet gave '$got' (sign '$sign'), analytic '$want'"; status=1
fi
rm -rf "$tmp"
exit $status
