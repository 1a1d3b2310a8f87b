# seqrec report: Ablation of sasrec, ml-100k (protocol c51ce65c5fe5ca95)
# Data: ablation_ml-100k_sasrec.dat. Render: cd into this folder, then gnuplot ablation_ml-100k_sasrec.gp
set encoding utf8
set datafile separator "\t"
set datafile missing "NaN"
set key outside right top
set grid ytics lc rgb "#dddddd"
set border 3
set tics nomirror
set terminal svg size 800,500 dynamic font "sans,12" noenhanced
set output "ablation_ml-100k_sasrec.svg"
set title "Ablation of sasrec, ml-100k (protocol c51ce65c5fe5ca95)"
set ylabel "test metric (mean ± std over seeds)"
set yrange [0:*]
set style data histograms
set style histogram errorbars gap 1 lw 1.5
set style fill solid 0.75 border -1
set boxwidth 0.9
set xtics norotate
plot "ablation_ml-100k_sasrec.dat" using 2:3:xtic(1) title "test NDCG@10", \
     "ablation_ml-100k_sasrec.dat" using 4:5 title "test HR@10"
set terminal pngcairo size 1000,625 font "sans,12" noenhanced
set output "ablation_ml-100k_sasrec.png"
replot
set output
