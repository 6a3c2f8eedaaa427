#!/bin/sh
# The petsc examples (tests/solvers.sh).
exec sh "${srcdir:-.}/tests/solvers.sh" petsc
