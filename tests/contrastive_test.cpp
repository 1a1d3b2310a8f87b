// The shared InfoNCE: hand-computed values, a brute-force reference, false-negative masking,
// B = 1 and extreme scales.
#include "models/layers/contrastive.h"

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <vector>

using namespace seqrec;

namespace {

using Matrix = std::vector<std::vector<double>>;

Matrix to_matrix(const torch::Tensor& t) {
  auto c = t.to(torch::kDouble).contiguous();
  Matrix m(c.size(0), std::vector<double>(c.size(1)));
  for (int64_t i = 0; i < c.size(0); ++i)
    for (int64_t j = 0; j < c.size(1); ++j) m[i][j] = c[i][j].item<double>();
  return m;
}

double dot(const std::vector<double>& x, const std::vector<double>& y) {
  double s = 0;
  for (size_t k = 0; k < x.size(); ++k) s += x[k] * y[k];
  return s;
}

// The definition, one anchor at a time, in plain doubles.
double reference(const torch::Tensor& a, const torch::Tensor& b, double tau, bool both_views,
                 bool symmetric, const std::vector<int>& labels) {
  const Matrix A = to_matrix(a), Bm = to_matrix(b);
  const int n = static_cast<int>(A.size());
  auto label = [&](int i) { return labels.empty() ? i : labels[i]; };
  auto anchor_loss = [&](const std::vector<double>& x, int row, const Matrix& candidates_a,
                         const Matrix& candidates_b, bool include_a) {
    // Positive: candidates_b[row]; negatives: candidates_b[j] and (if include_a) candidates_a[j]
    // for j != row with a different label.
    double positive = dot(x, candidates_b[row]) / tau, denominator = std::exp(positive);
    for (int j = 0; j < n; ++j) {
      if (j == row || label(j) == label(row)) continue;
      denominator += std::exp(dot(x, candidates_b[j]) / tau);
      if (include_a) denominator += std::exp(dot(x, candidates_a[j]) / tau);
    }
    return -(positive - std::log(denominator));
  };
  double total = 0;
  int anchors = 0;
  for (int i = 0; i < n; ++i) {
    total += anchor_loss(A[i], i, A, Bm, both_views);
    ++anchors;
    if (both_views || symmetric) {
      total += anchor_loss(Bm[i], i, Bm, A, both_views);
      ++anchors;
    }
  }
  // Both directions have n anchors, so this is also the mean of the two directions' means.
  return total / anchors;
}

torch::Tensor labels_mask(const std::vector<int>& labels) {
  return same_label_mask(torch::tensor(std::vector<int64_t>(labels.begin(), labels.end())));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(contrastive)

BOOST_AUTO_TEST_CASE(hand_computed_values_on_unit_vectors) {
  auto e = torch::eye(2);
  const double E = std::exp(1.0);
  // NT-Xent: each anchor sees its partner (sim 1) and two orthogonal views (sim 0).
  BOOST_TEST(info_nce(e, e).item<double>() == std::log(1 + 2 / E),
             boost::test_tools::tolerance(1e-6));
  // Temperature 0.5 doubles every similarity.
  BOOST_TEST(
      info_nce(e, e, InfoNCEOptions().temperature(0.5)).item<double>() == std::log(1 + 2 / (E * E)),
      boost::test_tools::tolerance(1e-6));
  // Cross-view: one negative per anchor.
  auto other = InfoNCEOptions().negatives(ContrastNegatives::OtherView);
  BOOST_TEST(info_nce(e, e, other).item<double>() == std::log(1 + 1 / E),
             boost::test_tools::tolerance(1e-6));
  // Cosine ignores scale: 3·e gives the same as e.
  BOOST_TEST(
      info_nce(3 * e, e, InfoNCEOptions().cosine(true)).item<double>() == std::log(1 + 2 / E),
      boost::test_tools::tolerance(1e-6));
}

BOOST_AUTO_TEST_CASE(matches_the_definition_on_random_views) {
  torch::manual_seed(4);
  auto a = torch::randn({5, 3}), b = torch::randn({5, 3});
  const std::vector<int> labels{1, 2, 1, 3, 2};
  for (double tau : {1.0, 0.2}) {
    BOOST_TEST_CONTEXT("tau " << tau) {
      auto o = InfoNCEOptions().temperature(tau);
      BOOST_TEST(info_nce(a, b, o).item<double>() == reference(a, b, tau, true, false, {}),
                 boost::test_tools::tolerance(1e-5));
      BOOST_TEST(info_nce(a, b, o, labels_mask(labels)).item<double>() ==
                     reference(a, b, tau, true, false, labels),
                 boost::test_tools::tolerance(1e-5));
      auto cross = InfoNCEOptions(o).negatives(ContrastNegatives::OtherView);
      BOOST_TEST(info_nce(a, b, cross).item<double>() == reference(a, b, tau, false, false, {}),
                 boost::test_tools::tolerance(1e-5));
      BOOST_TEST(info_nce(a, b, InfoNCEOptions(cross).symmetric(true), labels_mask(labels))
                         .item<double>() == reference(a, b, tau, false, true, labels),
                 boost::test_tools::tolerance(1e-5));
    }
  }
}

BOOST_AUTO_TEST_CASE(false_negatives_leave_the_softmax) {
  // Rows 0 and 1 are the same vector with the same label; row 2 differs.
  auto v = torch::tensor({{1.0f, 0.0f}, {1.0f, 0.0f}, {0.0f, 1.0f}});
  const double E = std::exp(1.0);
  // Masked: rows 0, 1 (and their views) see the positive and the two e2 views; rows 2 see
  // four orthogonal negatives.
  const double masked = (4 * std::log(1 + 2 / E) + 2 * std::log(1 + 4 / E)) / 6;
  const double unmasked = (4 * std::log(3 + 2 / E) + 2 * std::log(1 + 4 / E)) / 6;
  BOOST_TEST(info_nce(v, v, {}, labels_mask({5, 5, 7})).item<double>() == masked,
             boost::test_tools::tolerance(1e-6));
  BOOST_TEST(info_nce(v, v).item<double>() == unmasked, boost::test_tools::tolerance(1e-6));
  // Every row sharing one label: only the positives remain, so the loss is exactly 0.
  BOOST_TEST(info_nce(v, v, {}, labels_mask({1, 1, 1})).item<double>() == 0.0);
  // The mask's diagonal never removes an anchor's own positive.
  auto all = torch::ones({3, 3}, torch::kBool);
  BOOST_TEST(std::isfinite(info_nce(v, v, {}, all).item<double>()));
}

BOOST_AUTO_TEST_CASE(a_single_row_gives_zero_loss_and_zero_gradients) {
  for (auto negatives : {ContrastNegatives::BothViews, ContrastNegatives::OtherView}) {
    for (bool cosine : {false, true}) {
      auto a = torch::randn({1, 4}, torch::requires_grad());
      auto b = torch::randn({1, 4}, torch::requires_grad());
      auto loss =
          info_nce(a, b, InfoNCEOptions().negatives(negatives).cosine(cosine).symmetric(true));
      loss.backward();
      BOOST_TEST(loss.item<double>() == 0.0);
      BOOST_TEST(torch::isfinite(a.grad()).all().item<bool>());
      BOOST_TEST(torch::isfinite(b.grad()).all().item<bool>());
    }
  }
}

BOOST_AUTO_TEST_CASE(extreme_scales_keep_loss_and_gradients_finite) {
  torch::manual_seed(9);
  for (double scale : {1e-6, 1.0, 1e3}) {
    for (bool cosine : {false, true}) {
      BOOST_TEST_CONTEXT("scale " << scale << " cosine " << cosine) {
        auto a = (scale * torch::randn({8, 16})).requires_grad_();
        auto b = (scale * torch::randn({8, 16})).requires_grad_();
        auto zero = torch::zeros({8, 16}).requires_grad_();  // zero vectors under cosine
        auto loss = info_nce(a, b, InfoNCEOptions().temperature(0.05).cosine(cosine),
                             labels_mask({1, 1, 2, 3, 4, 5, 6, 6})) +
                    info_nce(zero, b, InfoNCEOptions().cosine(cosine));
        loss.backward();
        BOOST_TEST(std::isfinite(loss.item<double>()));
        BOOST_TEST(torch::isfinite(a.grad()).all().item<bool>());
        BOOST_TEST(torch::isfinite(b.grad()).all().item<bool>());
        BOOST_TEST(torch::isfinite(zero.grad()).all().item<bool>());
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(gradient_pulls_positives_together) {
  // One gradient step on the loss raises every positive pair's similarity relative to the rest.
  torch::manual_seed(2);
  auto a = torch::randn({6, 4}, torch::requires_grad());
  auto b = torch::randn({6, 4});
  auto before = info_nce(a, b);
  before.backward();
  auto stepped = (a - 0.1 * a.grad()).detach();
  BOOST_TEST(info_nce(stepped, b).item<double>() < before.item<double>());
}

BOOST_AUTO_TEST_CASE(same_label_mask_marks_equal_labels) {
  auto m = same_label_mask(torch::tensor({3, 1, 3}, torch::kInt64));
  auto expected = torch::tensor({{1, 0, 1}, {0, 1, 0}, {1, 0, 1}}, torch::kInt64).to(torch::kBool);
  BOOST_TEST(torch::equal(m, expected));
}

BOOST_AUTO_TEST_SUITE_END()
