# seqrec report: Validation NDCG@10 per epoch, ml-100k (protocol c51ce65c5fe5ca95)
# Data: curves_ml-100k.dat. Render: cd into this folder, then gnuplot curves_ml-100k.gp
set encoding utf8
set datafile separator "\t"
set datafile missing "NaN"
set key outside right top
set grid ytics lc rgb "#dddddd"
set border 3
set tics nomirror
set terminal svg size 800,500 dynamic font "sans,12" noenhanced
set output "curves_ml-100k.svg"
set title "Validation NDCG@10 per epoch, ml-100k (protocol c51ce65c5fe5ca95)"
set xlabel "epoch"
set ylabel "validation NDCG@10"
plot "curves_ml-100k.dat" index 0 using 1:2 with linespoints pt 7 ps 0.6 lw 2 title "sasrec"
set terminal pngcairo size 1000,625 font "sans,12" noenhanced
set output "curves_ml-100k.png"
replot
set output
