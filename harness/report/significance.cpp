// Paired significance tests (design §8): Wilcoxon signed-rank and paired Student t, with the
// Student t tail from the regularized incomplete beta function. Standard library only.
//
// Behaviour matched (scipy.stats.wilcoxon defaults: zero_method='wilcox', correction=False,
// alternative='two-sided', method='auto'):
//  - zero differences are dropped before ranking; tied |d| get average ranks;
//  - statistic = min(W+, W-);
//  - exact null distribution of W+ when the number of non-zero differences is <= 50 and
//    there are no ties among |d| (scipy >= 1.9 switches at 50; before 1.9 it was 25);
//    otherwise the normal approximation with mean n(n+1)/4 and variance
//    n(n+1)(2n+1)/24 - sum(t^3 - t)/48 over tie groups, no continuity correction,
//    p = 2 * Phi(-|z|).
//  Known differences from scipy, by design of the agreed header: scipy 1.9-1.14 also falls
//  back to the normal approximation when there were zero differences (we compute the exact
//  conditional distribution of the remaining n non-zero ranks), and scipy >= 1.15 runs a
//  permutation test for small samples with ties or zeros (we use the normal approximation
//  with tie correction). With no zeros and no ties, or n > 50, the results agree.
#include "harness/report/significance.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace seqrec {

namespace {

std::vector<double> differences(const std::vector<double>& a, const std::vector<double>& b,
                                const char* who) {
  if (a.size() != b.size()) {
    throw std::invalid_argument(std::string(who) + ": samples differ in size (" +
                                std::to_string(a.size()) + " vs " + std::to_string(b.size()) + ")");
  }
  std::vector<double> d(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) d[i] = a[i] - b[i];
  return d;
}

// log(Gamma(a + b) / Gamma(a)) for b small relative to a, computed without the cancellation
// of two huge lgamma values (Stirling series difference, truncation error < 1e-13 for a >= 20).
double log_gamma_ratio(double a, double b) {
  if (a < 20.0) return std::lgamma(a + b) - std::lgamma(a);
  const double c = a + b;
  auto series = [](double z) {
    const double z2 = z * z;
    return (1.0 / 12.0 - (1.0 / 360.0 - (1.0 / 1260.0 - 1.0 / (1680.0 * z2)) / z2) / z2) / z;
  };
  // (c - 1/2) log c - (a - 1/2) log a - b, rearranged as (a - 1/2) log(1 + b/a) + b log c - b.
  return (a - 0.5) * std::log1p(b / a) + b * std::log(c) - b + series(c) - series(a);
}

// log B(a, b) = lgamma(a) + lgamma(b) - lgamma(a + b), stable when one argument is large.
double log_beta(double a, double b) {
  if (a >= b) return std::lgamma(b) - log_gamma_ratio(a, b);
  return std::lgamma(a) - log_gamma_ratio(b, a);
}

// Continued fraction for the incomplete beta function (modified Lentz's method, as in
// Numerical Recipes §6.4 "betacf"). x is the argument and y = 1 - x, passed separately so
// that y keeps its precision when x is close to 1.
double beta_continued_fraction(double a, double b, double x) {
  constexpr int kMaxIterations = 1000000;
  constexpr double kEps = 1e-16;
  constexpr double kTiny = 1e-300;
  const double qab = a + b;
  const double qap = a + 1.0;
  const double qam = a - 1.0;
  double c = 1.0;
  double d = 1.0 - qab * x / qap;
  if (std::fabs(d) < kTiny) d = kTiny;
  d = 1.0 / d;
  double h = d;
  for (int m = 1; m <= kMaxIterations; ++m) {
    const double m2 = 2.0 * m;
    // Even step.
    double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
    d = 1.0 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1.0 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    h *= d * c;
    // Odd step.
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
    d = 1.0 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1.0 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    const double delta = d * c;
    h *= delta;
    if (std::fabs(delta - 1.0) < kEps) return h;
  }
  return h;  // not converged to kEps; the value is still the best available estimate
}

// Regularized incomplete beta I_x(a, b) with y = 1 - x given exactly.
double regularized_incomplete_beta(double a, double b, double x, double y) {
  if (x <= 0.0) return 0.0;
  if (y <= 0.0) return 1.0;
  const double log_x = x > 0.5 ? std::log1p(-y) : std::log(x);
  const double log_y = y > 0.5 ? std::log1p(-x) : std::log(y);
  const double front = std::exp(a * log_x + b * log_y - log_beta(a, b));
  // The continued fraction converges fast for x < (a + 1) / (a + b + 2); otherwise use the
  // symmetry I_x(a, b) = 1 - I_{1-x}(b, a).
  if (x * (a + b + 2.0) < a + 1.0) return front * beta_continued_fraction(a, b, x) / a;
  return 1.0 - front * beta_continued_fraction(b, a, y) / b;
}

}  // namespace

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

double student_t_two_sided_p(double t, double dof) {
  if (std::isnan(t) || std::isnan(dof) || dof <= 0.0) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  if (std::isinf(t)) return 0.0;
  // P(|T| > |t|) = I_{dof/(dof+t^2)}(dof/2, 1/2).
  const double t2 = t * t;
  const double x = dof / (dof + t2);
  const double y = t2 / (dof + t2);
  const double p = regularized_incomplete_beta(0.5 * dof, 0.5, x, y);
  return std::min(1.0, std::max(0.0, p));
}

namespace {

// Signed-rank sums of the non-zero differences, |d| ranked with average ranks for ties.
struct SignedRanks {
  double w_plus = 0.0, w_minus = 0.0;
  double tie_term = 0.0;  // sum over tie groups of t^3 - t
  bool has_ties = false;
};

SignedRanks signed_ranks(const std::vector<double>& d) {
  const std::size_t n = d.size();
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](std::size_t i, std::size_t j) { return std::fabs(d[i]) < std::fabs(d[j]); });
  SignedRanks r;
  for (std::size_t start = 0; start < n;) {
    std::size_t end = start + 1;
    while (end < n && std::fabs(d[order[end]]) == std::fabs(d[order[start]])) ++end;
    const double t = static_cast<double>(end - start);
    if (end - start > 1) {
      r.has_ties = true;
      r.tie_term += t * t * t - t;
    }
    const double rank = 0.5 * (static_cast<double>(start + 1) + static_cast<double>(end));
    for (std::size_t k = start; k < end; ++k) (d[order[k]] > 0 ? r.w_plus : r.w_minus) += rank;
    start = end;
  }
  return r;
}

// Exact two-sided p of the smaller rank sum `stat` over n untied ranks: count the subsets of
// ranks {1..n} with each sum (the null distribution of W+, every sign pattern equally
// likely). Counts are integers up to 2^50, exact in double.
double exact_signed_rank_p(std::size_t n, double stat) {
  const std::size_t max_sum = n * (n + 1) / 2;
  std::vector<double> counts(max_sum + 1, 0.0);
  counts[0] = 1.0;
  for (std::size_t r = 1; r <= n; ++r)
    for (std::size_t s = r * (r + 1) / 2; s >= r; --s) counts[s] += counts[s - r];
  const auto k = static_cast<std::size_t>(stat);  // integer: no ties means integer ranks
  double at_most = 0.0;
  for (std::size_t s = 0; s <= k; ++s) at_most += counts[s];
  return std::min(1.0, 2.0 * at_most / std::ldexp(1.0, static_cast<int>(n)));
}

}  // namespace

PairedTestResult wilcoxon_signed_rank(const std::vector<double>& a, const std::vector<double>& b) {
  const std::vector<double> all = differences(a, b, "wilcoxon_signed_rank");
  std::vector<double> d;
  d.reserve(all.size());
  PairedTestResult result;
  for (double v : all) {
    if (std::isnan(v)) {  // like scipy's nan_policy='propagate'
      result.statistic = std::numeric_limits<double>::quiet_NaN();
      result.p_value = std::numeric_limits<double>::quiet_NaN();
      result.n = static_cast<int64_t>(all.size());
      return result;
    }
    if (v != 0.0) d.push_back(v);  // zero_method='wilcox': discard zero differences
  }
  const std::size_t n = d.size();
  result.n = static_cast<int64_t>(n);
  if (n == 0) {
    result.statistic = 0.0;
    result.p_value = 1.0;
    return result;
  }
  const SignedRanks ranks = signed_ranks(d);
  const double stat = std::min(ranks.w_plus, ranks.w_minus);
  result.statistic = stat;
  if (n <= 50 && !ranks.has_ties) {
    result.p_value = exact_signed_rank_p(n, stat);
    return result;
  }
  // Normal approximation with the tie correction of the variance.
  const double nn = static_cast<double>(n);
  const double mean = nn * (nn + 1.0) / 4.0;
  const double var = nn * (nn + 1.0) * (2.0 * nn + 1.0) / 24.0 - ranks.tie_term / 48.0;
  const double z = (stat - mean) / std::sqrt(var);
  result.p_value = std::min(1.0, 2.0 * normal_cdf(-std::fabs(z)));
  return result;
}

PairedTestResult paired_t_test(const std::vector<double>& a, const std::vector<double>& b) {
  const std::vector<double> d = differences(a, b, "paired_t_test");
  PairedTestResult result;
  const std::size_t n = d.size();
  result.n = static_cast<int64_t>(n);
  if (n < 2) {
    result.statistic = 0.0;
    result.p_value = 1.0;
    return result;
  }
  const double nn = static_cast<double>(n);
  double mean = 0.0;
  for (double v : d) mean += v;
  mean /= nn;
  double ss = 0.0;
  for (double v : d) ss += (v - mean) * (v - mean);
  const double sd = std::sqrt(ss / (nn - 1.0));
  if (sd == 0.0) {
    if (mean == 0.0) {
      result.statistic = 0.0;
      result.p_value = 1.0;
    } else {
      result.statistic = mean > 0 ? std::numeric_limits<double>::infinity()
                                  : -std::numeric_limits<double>::infinity();
      result.p_value = 0.0;
    }
    return result;
  }
  const double t = mean / (sd / std::sqrt(nn));
  result.statistic = t;
  result.p_value = student_t_two_sided_p(t, nn - 1.0);
  return result;
}

}  // namespace seqrec
