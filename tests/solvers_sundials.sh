#!/bin/sh
# The sundials examples (tests/solvers.sh).
exec sh "${srcdir:-.}/tests/solvers.sh" sundials
