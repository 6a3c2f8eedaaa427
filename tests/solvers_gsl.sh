#!/bin/sh
# The gsl examples (tests/solvers.sh).
exec sh "${srcdir:-.}/tests/solvers.sh" gsl
