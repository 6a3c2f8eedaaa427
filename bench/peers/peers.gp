# peers.gp: one chart per family of `make bench-peers`, from the
# peers-FAMILY.dat that peers_table writes: for every case, each tool's
# best time as a multiple of the plain C primal (log scale, lower is
# faster). Run in the results folder as
#     gnuplot -e "family='chain'" peers.gp
# which writes peers-chain.png and peers-chain.svg. peers-chain.cols,
# also peers_table's, names the columns of the tools with rows there.
if (!exists("family")) family = 'chain'
data = sprintf('peers-%s.dat', family)
load sprintf('peers-%s.cols', family)
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y
set grid ytics
set ylabel 'time / time of the plain C primal (log scale)'
set title sprintf('%s: derivative cost by tool (make bench-peers)', family)
# labels end at their cluster's tick, so long ones stay beside it
set xtics rotate by 30 right noenhanced
set lmargin 20
set key top left noenhanced
set yrange [0.5:*]
set datafile missing 'NaN'
colors = "#1b9e77 #d95f02 #7570b3 #e7298a #66a61e #a6761d"
# the hessian family has three kinds of case, 20 in all: a wider chart
width = (family eq 'hessian') ? 1600 : 1100
do for [fmt in "png svg"] {
    if (fmt eq "png") { set terminal pngcairo size width,520 noenhanced } else { set terminal svg size width,520 noenhanced }
    set output sprintf('peers-%s.%s', family, fmt)
    plot for [c=1:words(cols)] data using int(word(cols, c)):xtic(1) \
        title columnheader(int(word(cols, c))) lc rgb word(colors, int(word(cols, c)) - 1)
    unset output
}
