# seqrec report: Test NDCG@k, ml-100k (protocol c51ce65c5fe5ca95)
# Data: at_k_NDCG_ml-100k.dat. Render: cd into this folder, then gnuplot at_k_NDCG_ml-100k.gp
set encoding utf8
set datafile separator "\t"
set datafile missing "NaN"
set key outside right top
set grid ytics lc rgb "#dddddd"
set border 3
set tics nomirror
set terminal svg size 800,500 dynamic font "sans,12" noenhanced
set output "at_k_NDCG_ml-100k.svg"
set title "Test NDCG@k, ml-100k (protocol c51ce65c5fe5ca95)"
set xlabel "cut-off k"
set ylabel "test NDCG@k"
set xtics (5, 10, 20)
set xrange [5-0.5:20+0.5]
set yrange [0:*]
plot "at_k_NDCG_ml-100k.dat" using 1:2 with linespoints pt 7 lw 2 title "sasrec", \
     "at_k_NDCG_ml-100k.dat" using 1:3 with linespoints pt 7 lw 2 title "pop"
set terminal pngcairo size 1000,625 font "sans,12" noenhanced
set output "at_k_NDCG_ml-100k.png"
replot
set output
