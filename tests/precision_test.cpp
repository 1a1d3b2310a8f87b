// bfloat16 training: autocast is on exactly inside the guard, and a bf16 trial trains to
// finite, sensible numbers under its own trial id.
#include "harness/precision.h"

#include <boost/test/unit_test.hpp>

#include "core/errors.h"
#include "model_fixtures.h"

using namespace seqrec;
using namespace seqrec::testing;

BOOST_AUTO_TEST_SUITE(precision)

BOOST_AUTO_TEST_CASE(products_are_bfloat16_only_inside_the_guard) {
  const auto a = torch::randn({4, 8}), b = torch::randn({8, 3});
  {
    AutocastGuard guard(Precision::BFloat16, torch::Device(torch::kCPU));
    BOOST_TEST(torch::mm(a, b).scalar_type() == torch::kBFloat16);
  }
  BOOST_TEST(torch::mm(a, b).scalar_type() == torch::kFloat);
  {
    AutocastGuard guard(Precision::Float32, torch::Device(torch::kCPU));
    BOOST_TEST(torch::mm(a, b).scalar_type() == torch::kFloat);
  }
}

BOOST_AUTO_TEST_CASE(unknown_precision_is_an_error_naming_the_key) {
  BOOST_CHECK_EXCEPTION(make_trial_setup("sasrec", synthetic_dataset().directory, nullptr, "",
                                         {"precision=fp8"}, 1, 1, "cpu"),
                        InputError, [](const InputError& e) {
                          return std::string(e.what()).find("precision") != std::string::npos;
                        });
}

BOOST_AUTO_TEST_CASE(bf16_trial_trains_to_numbers_near_float32) {
  // Padded: on ml-100k after 2 epochs the packed pair's rankings happen to tie to the last digit
  // (their losses differ in the 4th decimal), so the check below could not tell them apart.
  const std::vector<std::string> sets = {"loss=ce", "epochs=2", "patience=2", "execution=padded"};
  auto bf16_sets = sets;
  bf16_sets.push_back("precision=bf16");
  const auto f32 = train_trial("sasrec", ml100k_dataset(), sets);
  const auto bf16 = train_trial("sasrec", ml100k_dataset(), bf16_sets);
  BOOST_TEST(bf16.at("trial_id") != f32.at("trial_id"));
  BOOST_TEST(bf16.at("trainer").at("precision") == "bf16");
  const double a = f32["metrics"]["valid"]["NDCG@10"], b = bf16["metrics"]["valid"]["NDCG@10"];
  BOOST_TEST_MESSAGE("ml-100k valid NDCG@10 after 2 epochs: float32 " << a << ", bf16 " << b);
  BOOST_TEST(a != b);                      // the products really ran in bfloat16
  BOOST_TEST(std::abs(a - b) < 0.25 * a);  // and rounding did not derail training
}

BOOST_AUTO_TEST_SUITE_END()
