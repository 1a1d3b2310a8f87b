# seqrec report: Test NDCG@10 against training time, ml-100k (protocol c51ce65c5fe5ca95) one point per configuration; labelled: the configuration chosen by validation
# Data: time_quality_ml-100k.dat. Render: cd into this folder, then gnuplot time_quality_ml-100k.gp
set encoding utf8
set datafile separator "\t"
set datafile missing "NaN"
set key outside right top
set grid ytics lc rgb "#dddddd"
set border 3
set tics nomirror
set terminal svg size 800,500 dynamic font "sans,12" noenhanced
set output "time_quality_ml-100k.svg"
set title "Test NDCG@10 against training time, ml-100k (protocol c51ce65c5fe5ca95)\none point per configuration; labelled: the configuration chosen by validation"
set xlabel "training time (s)"
set ylabel "test NDCG@10 (mean over seeds)"
set xrange [0:*]
set offsets 0, graph 0.2, graph 0.1, graph 0.1
plot "time_quality_ml-100k.dat" index 0 using 1:2 with points pt 7 ps 1.5 title "pop", \
     "time_quality_ml-100k.dat" index 1 using 1:2 with points pt 7 ps 1.5 title "sasrec", \
     "time_quality_ml-100k.dat" using 1:2:(column(4) > 0 ? stringcolumn(3) : "") with labels offset char 0.8,0.6 left font ",10" notitle
set terminal pngcairo size 1000,625 font "sans,12" noenhanced
set output "time_quality_ml-100k.png"
replot
set output
