# plot.gp: the forward-vs-reverse plots, from the data bench_modes writes.
# Run in the results directory: gnuplot plot.gp
load 'crossover.gp'

set logscale xy
set grid
set key center right box opaque
set ylabel 'time / primal'
set style line 1 lc rgb '#1f77b4' lw 2 pt 7
set style line 2 lc rgb '#d62728' lw 2 pt 5
set style line 3 lc rgb '#2ca02c' lw 2 pt 9
set style line 4 lc rgb '#7f7f7f' lw 1 dt 2

do for [fmt in 'png svg'] {
    if (fmt eq 'png') { set terminal pngcairo size 900,560 font 'sans,11' } else { set terminal svg size 900,560 font 'sans,11' }

    set output 'forward_reverse_inputs.'.fmt
    set title 'Gradient of the chain R^n -> R^{64} -> R^{64} -> R (tanh layers, sum)'
    set xlabel 'inputs n'
    unset arrow
    if (cross_inputs > 0) {
        set arrow 1 from cross_inputs, graph 0 to cross_inputs, graph 1 nohead ls 2 dt 3
        set label 1 sprintf('measured crossover n = %.3g', cross_inputs) at cross_inputs, graph 0.93 offset 1,0
    }
    if (model_inputs > 0) {
        set arrow 2 from model_inputs, graph 0 to model_inputs, graph 1 nohead ls 4
        set label 2 sprintf('auto mode switches at n = %.3g', model_inputs) at model_inputs, graph 0.86 offset 1,0
    }
    plot 'chain_inputs.dat' using 1:2 with linespoints ls 1 title 'forward (best chunk)', \
         '' using 1:3 with linespoints ls 2 title 'reverse (record + sweep)', \
         '' using 1:4 with linespoints ls 3 title 'reverse sweep alone'
    unset label 1
    unset label 2

    set output 'forward_reverse_outputs.'.fmt
    set title 'Jacobian of the chain R^{64} -> R^{64} -> R^{64} -> R^m (tall for large m)'
    set xlabel 'outputs m'
    unset arrow
    if (cross_outputs > 0) {
        set arrow 1 from cross_outputs, graph 0 to cross_outputs, graph 1 nohead ls 2 dt 3
        set label 1 sprintf('measured crossover m = %.3g', cross_outputs) at cross_outputs, graph 0.93 offset 1,0
    }
    if (model_outputs > 0) {
        set arrow 2 from model_outputs, graph 0 to model_outputs, graph 1 nohead ls 4
        set label 2 sprintf('auto mode switches at m = %.3g', model_outputs) at model_outputs, graph 0.86 offset 1,0
    }
    plot 'chain_outputs.dat' using 1:2 with linespoints ls 1 title 'forward (best chunk)', \
         '' using 1:3 with linespoints ls 2 title 'reverse', \
         '' using 1:4 with linespoints ls 3 title 'auto'
    unset label 1
    unset label 2
}
