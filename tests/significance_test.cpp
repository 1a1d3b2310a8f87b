// Paired significance tests against published values: scipy.stats.wilcoxon's documented
// example (Darwin's Zea mays data), R's documented paired t-test on Student's sleep data,
// closed forms of Student's t CDF, t-table quantiles, and hand-derived normal-approximation
// cases with ties.
#include "harness/report/significance.h"

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

using seqrec::normal_cdf;
using seqrec::paired_t_test;
using seqrec::PairedTestResult;
using seqrec::student_t_two_sided_p;
using seqrec::wilcoxon_signed_rank;

namespace {

const double kPi = std::acos(-1.0);

// The tests take differences d directly: a = d, b = 0.
std::vector<double> zeros_like(const std::vector<double>& d) {
  return std::vector<double>(d.size(), 0.0);
}

PairedTestResult wilcoxon_of(const std::vector<double>& d) {
  return wilcoxon_signed_rank(d, zeros_like(d));
}

PairedTestResult t_test_of(const std::vector<double>& d) { return paired_t_test(d, zeros_like(d)); }

}  // namespace

BOOST_AUTO_TEST_SUITE(significance)

// ---------------------------------------------------------------------------------------
// Wilcoxon signed-rank, exact null distribution.

BOOST_AUTO_TEST_CASE(wilcoxon_exact_matches_scipy_documentation_example) {
  // Source: scipy.stats.wilcoxon documentation, "Examples": the height differences of
  // cross- and self-fertilized Zea mays pairs (Darwin, via Fisher, "The Design of
  // Experiments", 1935, §17). The docs print, for the two-sided test,
  //   WilcoxonResult(statistic=24.0, pvalue=0.041259765625)
  // By hand: ranks of |d| are 1..15 in the listed order except that 48 is rank 10, 67 is 14;
  // W- = 10 + 14 = 24, W+ = 120 - 24 = 96. 676 of the 2^15 sign patterns give W+ <= 24, so
  // p = 2 * 676 / 32768 = 0.041259765625 exactly.
  const std::vector<double> d = {6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75};
  const PairedTestResult r = wilcoxon_of(d);
  BOOST_TEST(r.n == 15);
  BOOST_TEST(r.statistic == 24.0);
  BOOST_TEST(std::fabs(r.p_value - 0.041259765625) < 1e-12);

  // The same data given as two samples, and in the opposite direction: same two-sided p.
  std::vector<double> a(d.size()), b(d.size());
  for (std::size_t i = 0; i < d.size(); ++i) {
    a[i] = 100.0 + d[i];
    b[i] = 100.0;
  }
  const PairedTestResult forward = wilcoxon_signed_rank(a, b);
  const PairedTestResult backward = wilcoxon_signed_rank(b, a);
  BOOST_TEST(forward.statistic == 24.0);
  BOOST_TEST(backward.statistic == 24.0);
  BOOST_TEST(std::fabs(forward.p_value - 0.041259765625) < 1e-12);
  BOOST_TEST(std::fabs(backward.p_value - 0.041259765625) < 1e-12);
}

BOOST_AUTO_TEST_CASE(wilcoxon_exact_small_sample_all_one_sign) {
  // By hand (and R: wilcox.test(c(1, 2, 3, 4, 5)) prints "V = 15, p-value = 0.0625"):
  // W- = 0 and only 1 of the 2^5 sign patterns gives W+ <= 0, so p = 2 / 32 = 0.0625.
  // Zero differences are dropped first (zero_method='wilcox'), leaving n = 5.
  const PairedTestResult r = wilcoxon_of({3, 0, 1, 5, 0, 2, 4});
  BOOST_TEST(r.n == 5);
  BOOST_TEST(r.statistic == 0.0);
  BOOST_TEST(std::fabs(r.p_value - 0.0625) < 1e-15);
}

BOOST_AUTO_TEST_CASE(wilcoxon_exact_up_to_fifty_normal_above) {
  // n = 50 distinct positive differences: exact, p = 2 / 2^50 = 2^-49 (the normal
  // approximation would give about 8e-10 here, so this pins the exact branch).
  std::vector<double> d50;
  for (int i = 1; i <= 50; ++i) d50.push_back(i);
  const PairedTestResult r50 = wilcoxon_of(d50);
  BOOST_TEST(r50.n == 50);
  BOOST_TEST(r50.statistic == 0.0);
  BOOST_TEST(r50.p_value == std::ldexp(1.0, -49));

  // n = 51: the normal approximation. mean = 51*52/4 = 663, var = 51*52*103/24 = 11381.5,
  // z = (0 - 663) / sqrt(11381.5), p = 2 * Phi(z) = erfc(663 / sqrt(2 * 11381.5))
  //   = 5.145276051717698e-10.
  std::vector<double> d51 = d50;
  d51.push_back(51);
  const PairedTestResult r51 = wilcoxon_of(d51);
  BOOST_TEST(r51.n == 51);
  BOOST_TEST(std::fabs(r51.p_value - 5.145276051717698e-10) < 1e-20);

  // n = 60, ranks 1..20 negative: W- = 210, W+ = 1830 - 210 = 1620, mean = 915,
  // var = 60*61*121/24 = 18452.5, p = erfc(705 / sqrt(2 * 18452.5)) = 2.103730203792555e-07.
  std::vector<double> d60;
  for (int i = 1; i <= 60; ++i) d60.push_back(i <= 20 ? -i : i);
  const PairedTestResult r60 = wilcoxon_of(d60);
  BOOST_TEST(r60.statistic == 210.0);
  BOOST_TEST(std::fabs(r60.p_value - 2.103730203792555e-07) < 1e-18);
}

// ---------------------------------------------------------------------------------------
// Wilcoxon signed-rank, normal approximation with ties.

BOOST_AUTO_TEST_CASE(wilcoxon_ties_use_normal_approximation_with_tie_correction) {
  // d = [1, 1, 1, 1, 1, -2] plus two zeros (dropped), so n = 6. By hand:
  //   |d| = 1 five times -> ranks 1..5 share the average rank 3; |d| = 2 -> rank 6.
  //   W+ = 5 * 3 = 15, W- = 6, statistic = min = 6.
  //   mean = 6*7/4 = 10.5
  //   var  = 6*7*13/24 - (5^3 - 5)/48 = 22.75 - 2.5 = 20.25, sd = 4.5
  //   z    = (6 - 10.5) / 4.5 = -1
  //   p    = 2 * Phi(-1) = erfc(1/sqrt 2) = 0.31731050786291415
  // (P(|Z| > 1) = 0.3173: the "68.27% within one standard deviation" value of the normal
  // table, e.g. Abramowitz & Stegun, Table 26.1.) Without the tie correction the variance
  // would be 22.75 and p = 0.3454, so this pins the correction.
  const PairedTestResult r = wilcoxon_of({1, 0, 1, 1, -2, 1, 0, 1});
  BOOST_TEST(r.n == 6);
  BOOST_TEST(r.statistic == 6.0);
  BOOST_TEST(std::fabs(r.p_value - 0.31731050786291415) < 1e-12);
}

BOOST_AUTO_TEST_CASE(wilcoxon_all_tied_and_half_integer_statistic) {
  // n = 9 differences all of magnitude 0.5, three negative. By hand: every rank is 5,
  //   W- = 15, W+ = 30, mean = 9*10/4 = 22.5,
  //   var = 9*10*19/24 - (9^3 - 9)/48 = 71.25 - 15 = 56.25, sd = 7.5,
  //   z = (15 - 22.5) / 7.5 = -1, p = 2 * Phi(-1) = 0.31731050786291415.
  const PairedTestResult r = wilcoxon_of({0.5, -0.5, 0.5, 0.5, -0.5, 0.5, 0.5, -0.5, 0.5});
  BOOST_TEST(r.n == 9);
  BOOST_TEST(r.statistic == 15.0);
  BOOST_TEST(std::fabs(r.p_value - 0.31731050786291415) < 1e-12);

  // Two tied values straddling the sign: d = [1, -1]; average rank 1.5 each,
  // W+ = W- = 1.5 (a half-integer statistic), mean = 1.5 -> z = 0 -> p = 1.
  const PairedTestResult half = wilcoxon_of({1, -1});
  BOOST_TEST(half.statistic == 1.5);
  BOOST_TEST(half.p_value == 1.0);
}

// ---------------------------------------------------------------------------------------
// Wilcoxon edge cases.

BOOST_AUTO_TEST_CASE(wilcoxon_edge_cases) {
  // All differences zero: nothing left to rank.
  const PairedTestResult none = wilcoxon_signed_rank({0.3, 0.5, 0.7}, {0.3, 0.5, 0.7});
  BOOST_TEST(none.n == 0);
  BOOST_TEST(none.statistic == 0.0);
  BOOST_TEST(none.p_value == 1.0);

  const PairedTestResult empty = wilcoxon_signed_rank({}, {});
  BOOST_TEST(empty.n == 0);
  BOOST_TEST(empty.p_value == 1.0);

  // n = 1: W+ = 1, W- = 0; P(W+ <= 0) = 1/2, p = min(1, 2 * 1/2) = 1.
  const PairedTestResult one = wilcoxon_signed_rank({0.9}, {0.1});
  BOOST_TEST(one.n == 1);
  BOOST_TEST(one.statistic == 0.0);
  BOOST_TEST(one.p_value == 1.0);

  BOOST_CHECK_THROW(wilcoxon_signed_rank({1, 2, 3}, {1, 2}), std::invalid_argument);

  const PairedTestResult nan = wilcoxon_of({1, std::numeric_limits<double>::quiet_NaN(), 2});
  BOOST_TEST(std::isnan(nan.p_value));
}

// ---------------------------------------------------------------------------------------
// Paired t-test.

BOOST_AUTO_TEST_CASE(paired_t_test_matches_student_sleep_data) {
  // Source: R documentation, ?sleep (datasets package): Student (1908) / Cushny & Peebles,
  // extra hours of sleep for 10 patients under two drugs. R's
  //   with(sleep, t.test(extra[group == 1], extra[group == 2], paired = TRUE))
  // prints "t = -4.0621, df = 9, p-value = 0.002833".
  // By hand: mean(d) = -15.8/10 = -1.58, sd(d) = 1.229995, t = -1.58 / (1.229995/sqrt 10)
  // = -4.062128.
  const std::vector<double> group1 = {0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0};
  const std::vector<double> group2 = {1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4};
  const PairedTestResult r = paired_t_test(group1, group2);
  BOOST_TEST(r.n == 10);
  BOOST_TEST(std::fabs(r.statistic - (-4.0621)) < 1e-4);
  BOOST_TEST(std::fabs(r.p_value - 0.002833) < 1e-6);

  // The differences group1 - group2 as listed in the brief give the same answer.
  const PairedTestResult from_d =
      t_test_of({-1.2, -2.4, -1.3, -1.3, 0.0, -1.0, -1.8, -0.8, -4.6, -1.4});
  BOOST_TEST(std::fabs(from_d.statistic - r.statistic) < 1e-12);
  BOOST_TEST(std::fabs(from_d.p_value - r.p_value) < 1e-12);

  // Swapping the samples flips the sign of t, not p.
  const PairedTestResult swapped = paired_t_test(group2, group1);
  BOOST_TEST(std::fabs(swapped.statistic + r.statistic) < 1e-12);
  BOOST_TEST(std::fabs(swapped.p_value - r.p_value) < 1e-15);
}

BOOST_AUTO_TEST_CASE(paired_t_test_edge_cases) {
  // All differences zero: t = 0, p = 1.
  const PairedTestResult zero = paired_t_test({1, 2, 3}, {1, 2, 3});
  BOOST_TEST(zero.statistic == 0.0);
  BOOST_TEST(zero.p_value == 1.0);

  // Constant non-zero difference: sd = 0, t = +-inf, p = 0.
  const PairedTestResult up = t_test_of({0.5, 0.5, 0.5, 0.5});
  BOOST_TEST(std::isinf(up.statistic));
  BOOST_TEST(up.statistic > 0);
  BOOST_TEST(up.p_value == 0.0);
  const PairedTestResult down = t_test_of({-2, -2});
  BOOST_TEST(std::isinf(down.statistic));
  BOOST_TEST(down.statistic < 0);
  BOOST_TEST(down.p_value == 0.0);

  // n < 2: no degrees of freedom.
  const PairedTestResult one = paired_t_test({0.9}, {0.1});
  BOOST_TEST(one.n == 1);
  BOOST_TEST(one.p_value == 1.0);
  const PairedTestResult empty = paired_t_test({}, {});
  BOOST_TEST(empty.p_value == 1.0);

  // n = 2, d = [1, 3]: mean 2, sd = sqrt 2, t = 2 / (sqrt 2 / sqrt 2) = 2, dof 1 (Cauchy):
  // p = 1 - (2/pi) atan 2.
  const PairedTestResult two = t_test_of({1, 3});
  BOOST_TEST(std::fabs(two.statistic - 2.0) < 1e-14);
  BOOST_TEST(std::fabs(two.p_value - (1.0 - 2.0 / kPi * std::atan(2.0))) < 1e-12);

  BOOST_CHECK_THROW(paired_t_test({1, 2}, {1, 2, 3}), std::invalid_argument);
}

// ---------------------------------------------------------------------------------------
// Student t and normal distributions.

BOOST_AUTO_TEST_CASE(student_t_matches_closed_forms) {
  // Closed forms of the t CDF (e.g. Wikipedia, "Student's t-distribution", table of special
  // cases): dof = 1 (Cauchy): P(|T| > t) = 1 - (2/pi) atan|t|;
  // dof = 2: P(|T| > t) = 1 - |t| / sqrt(2 + t^2).
  for (double t : {0.0, 0.1, 0.5, 1.0, 2.0, 3.5, 10.0, 100.0, -1.0, -7.0}) {
    const double cauchy = 1.0 - 2.0 / kPi * std::atan(std::fabs(t));
    const double two = 1.0 - std::fabs(t) / std::sqrt(2.0 + t * t);
    BOOST_TEST(std::fabs(student_t_two_sided_p(t, 1.0) - cauchy) < 1e-12, "t = " << t);
    BOOST_TEST(std::fabs(student_t_two_sided_p(t, 2.0) - two) < 1e-12, "t = " << t);
  }
  BOOST_TEST(std::fabs(student_t_two_sided_p(1.0, 1.0) - 0.5) < 1e-14);  // Cauchy quartile
  BOOST_TEST(student_t_two_sided_p(0.0, 7.0) == 1.0);
  BOOST_TEST(student_t_two_sided_p(std::numeric_limits<double>::infinity(), 7.0) == 0.0);
}

BOOST_AUTO_TEST_CASE(student_t_matches_t_table) {
  // Two-sided 5% critical values from a t table (R: qt(0.975, 10) = 2.228138851986274,
  // qt(0.975, 9) = 2.262157162740992; printed tables give 2.228 and 2.262).
  BOOST_TEST(std::fabs(student_t_two_sided_p(2.228138851986274, 10.0) - 0.05) < 1e-9);
  BOOST_TEST(std::fabs(student_t_two_sided_p(2.262157162740992, 9.0) - 0.05) < 1e-9);
  BOOST_TEST(std::fabs(student_t_two_sided_p(2.228, 10.0) - 0.05) < 1e-4);
  BOOST_TEST(std::fabs(student_t_two_sided_p(-2.228, 10.0) - 0.05) < 1e-4);
  // Two-sided 1% critical value for dof = 20 from a t table: 2.845.
  BOOST_TEST(std::fabs(student_t_two_sided_p(2.845, 20.0) - 0.01) < 1e-4);
  // Large dof tends to the normal: t = 1.96, dof = 1e7 -> 2 * (1 - Phi(1.96)) = 0.0499958.
  BOOST_TEST(std::fabs(student_t_two_sided_p(1.96, 1e7) - 0.05) < 1e-4);
  BOOST_TEST(std::fabs(student_t_two_sided_p(1.96, 1e7) - 2.0 * normal_cdf(-1.96)) < 1e-6);
}

BOOST_AUTO_TEST_CASE(normal_cdf_matches_table) {
  // The 97.5% quantile of the standard normal: Phi(1.959963984540054) = 0.975.
  BOOST_TEST(std::fabs(normal_cdf(1.959963984540054) - 0.975) < 1e-12);
  BOOST_TEST(std::fabs(normal_cdf(-1.959963984540054) - 0.025) < 1e-12);
  BOOST_TEST(normal_cdf(0.0) == 0.5);
  // Phi(1) = 0.8413447460685429 (normal table: 0.8413).
  BOOST_TEST(std::fabs(normal_cdf(1.0) - 0.8413447460685429) < 1e-12);
}

BOOST_AUTO_TEST_SUITE_END()
