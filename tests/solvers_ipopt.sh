#!/bin/sh
# The ipopt examples (tests/solvers.sh).
exec sh "${srcdir:-.}/tests/solvers.sh" ipopt
