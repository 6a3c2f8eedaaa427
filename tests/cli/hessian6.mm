%%MatrixMarket matrix coordinate real symmetric
% Hessian written by jacdump (lower triangle)
6 6 3
1 1 -20
3 3 -20
5 5 -20
