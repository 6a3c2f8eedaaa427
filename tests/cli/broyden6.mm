%%MatrixMarket matrix coordinate real general
% Jacobian written by jacdump, mode forward
6 6 16
1 1 7
1 2 -2
2 1 -1
2 2 7
2 3 -2
3 2 -1
3 3 7
3 4 -2
4 3 -1
4 4 7
4 5 -2
5 4 -1
5 5 7
5 6 -2
6 5 -1
6 6 7
