#!/bin/sh
# Keeps docs/api.md in step with the headers: every public name that a header
# of include/ spells out (not the internal dj__ and DJ__ ones) must appear in
# the reference. Run by `make check`.
set -u
srcdir=${srcdir:-.}
doc="$srcdir/docs/api.md"
missing=0
for name in $(grep -ohE '\b(dj_[a-z0-9_]+|DJ_[A-Z0-9_]+)\b' "$srcdir"/include/dualjac.h \
        "$srcdir"/include/dualjac/*.h | grep -vE '^(dj__|DJ__)|_$' | sort -u); do
    if ! grep -q "\b$name\b" "$doc"; then
        echo "docs/api.md does not mention $name"
        missing=$((missing + 1))
    fi
done
[ "$missing" -eq 0 ] && echo "docs/api.md covers every public name of the headers"
[ "$missing" -eq 0 ]
