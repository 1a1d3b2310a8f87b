#pragma once
// Paired significance tests over per-user metric values (design §8): is the best model's
// advantage over another model larger than chance?
#include <cstdint>
#include <vector>

namespace seqrec {

struct PairedTestResult {
  double statistic = 0.0;  // W (Wilcoxon: the smaller of the signed-rank sums) or t
  double p_value = 1.0;    // two-sided
  int64_t n = 0;           // pairs used (Wilcoxon: non-zero differences)
};

// Wilcoxon signed-rank test on a[i] - b[i], two-sided. Zero differences are dropped
// (Wilcoxon's original method), tied |differences| get average ranks; p from the exact null
// distribution when n <= 50 and there are no ties, otherwise from the normal approximation
// with tie correction (no continuity correction) - the defaults of scipy.stats.wilcoxon.
// Throws std::invalid_argument when the sizes differ.
PairedTestResult wilcoxon_signed_rank(const std::vector<double>& a, const std::vector<double>& b);

// Paired Student t-test on a[i] - b[i], two-sided, n - 1 degrees of freedom.
PairedTestResult paired_t_test(const std::vector<double>& a, const std::vector<double>& b);

// Two-sided p-value of Student's t distribution with `dof` degrees of freedom.
double student_t_two_sided_p(double t, double dof);
// Standard normal CDF.
double normal_cdf(double x);

}  // namespace seqrec
