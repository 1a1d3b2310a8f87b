# seqrec report: sasrec: NDCG@10 against hidden, ml-100k (protocol c51ce65c5fe5ca95)
# Data: sensitivity_ml-100k_sasrec_hidden.dat. Render: cd into this folder, then gnuplot sensitivity_ml-100k_sasrec_hidden.gp
set encoding utf8
set datafile separator "\t"
set datafile missing "NaN"
set key outside right top
set grid ytics lc rgb "#dddddd"
set border 3
set tics nomirror
set terminal svg size 800,500 dynamic font "sans,12" noenhanced
set output "sensitivity_ml-100k_sasrec_hidden.svg"
set title "sasrec: NDCG@10 against hidden, ml-100k (protocol c51ce65c5fe5ca95)"
set xlabel "hidden"
set ylabel "NDCG@10 (mean ± std over trials)"
set xrange [28.8:67.2]
set xtics ("32" 32, "64" 64)
plot "sensitivity_ml-100k_sasrec_hidden.dat" using 1:3:4 with yerrorlines pt 7 lw 2 title "validation", \
     "sensitivity_ml-100k_sasrec_hidden.dat" using 1:5:6 with yerrorlines pt 5 lw 2 title "test"
set terminal pngcairo size 1000,625 font "sans,12" noenhanced
set output "sensitivity_ml-100k_sasrec_hidden.png"
replot
set output
