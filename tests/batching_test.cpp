#include "datasets/batching.h"

#include <boost/test/unit_test.hpp>

#include "core/errors.h"
#include "datasets/split.h"
#include "harness/trainer.h"

using namespace seqrec;

namespace {

// Two users: u0 = items 1..7 (times 10, 20, ...), u1 = items 8, 9, 10.
Dataset tiny_dataset() {
  Dataset d;
  d.name = "tiny";
  d.user_tokens = {"u0", "u1"};
  d.item_tokens = {"[PAD]", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j"};
  d.sequences = {{1, 2, 3, 4, 5, 6, 7}, {8, 9, 10}};
  d.timestamps = {{10, 20, 30, 40, 50, 60, 70}, {1, 2, 3}};
  return d;
}

std::vector<int64_t> row(const torch::Tensor& t, int64_t r) {
  auto c = t[r].contiguous();
  return std::vector<int64_t>(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel());
}

std::vector<int32_t> identity_order(int64_t n) {
  std::vector<int32_t> o(n);
  for (int64_t i = 0; i < n; ++i) o[i] = static_cast<int32_t>(i);
  return o;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(batching)

BOOST_AUTO_TEST_CASE(leave_one_out_holds_out_last_for_test_and_second_to_last_for_validation) {
  Dataset d = tiny_dataset();
  auto split = make_leave_one_out_split(d);
  BOOST_TEST(split.train_length[0] == 5);
  BOOST_TEST(split.valid_target(0) == 6);
  BOOST_TEST(split.test_target(0) == 7);
  BOOST_TEST(split.train_length[1] == 1);
  BOOST_TEST(split.valid_target(1) == 9);
  BOOST_TEST(split.test_target(1) == 10);
  auto counts = split.train_item_counts();
  BOOST_TEST(counts[1] == 1);
  BOOST_TEST(counts[6] == 0);  // validation item is not training data
  BOOST_TEST(counts[8] == 1);
}

BOOST_AUTO_TEST_CASE(user_with_two_items_is_an_error_naming_the_user) {
  Dataset d = tiny_dataset();
  d.sequences[1] = {8, 9};
  d.timestamps[1] = {1, 2};
  BOOST_CHECK_EXCEPTION(make_leave_one_out_split(d), InputError, [](const InputError& e) {
    return std::string(e.what()).find("'u1'") != std::string::npos;
  });
}

BOOST_AUTO_TEST_CASE(all_positions_shifts_targets_and_keeps_the_last_max_len_items) {
  Dataset d = tiny_dataset();
  auto split = make_leave_one_out_split(d);
  TrainingBatcher batcher(split, SampleMode::AllPositions, /*max_len=*/3);
  BOOST_TEST(batcher.num_samples() == 1);  // u1 has a single training item: no sample
  Batch b = batcher.make_batch(identity_order(1), 0, 1);
  // training items 1..5: inputs 1..4 -> the last 3 are 2,3,4 with targets 3,4,5
  BOOST_TEST(row(b.items, 0) == (std::vector<int64_t>{2, 3, 4}), boost::test_tools::per_element());
  BOOST_TEST(row(b.targets, 0) == (std::vector<int64_t>{3, 4, 5}),
             boost::test_tools::per_element());
  BOOST_TEST(b.lengths[0].item<int64_t>() == 3);
  BOOST_TEST(b.timestamps[0][0].item<double>() == 20.0);
}

BOOST_AUTO_TEST_CASE(last_position_makes_every_prefix_a_sample_with_its_target_at_the_end) {
  Dataset d = tiny_dataset();
  auto split = make_leave_one_out_split(d);
  TrainingBatcher batcher(split, SampleMode::LastPosition, /*max_len=*/50);
  BOOST_TEST(batcher.num_samples() == 4);  // prefixes of 1..5 with a next item: 4
  Batch b = batcher.make_batch(identity_order(4), 0, 4);
  BOOST_TEST(b.items.size(1) == 4);  // trimmed to the longest sample in the batch
  BOOST_TEST(row(b.items, 0) == (std::vector<int64_t>{1, 0, 0, 0}),
             boost::test_tools::per_element());
  BOOST_TEST(row(b.targets, 0) == (std::vector<int64_t>{2, 0, 0, 0}),
             boost::test_tools::per_element());
  BOOST_TEST(row(b.items, 3) == (std::vector<int64_t>{1, 2, 3, 4}),
             boost::test_tools::per_element());
  BOOST_TEST(row(b.targets, 3) == (std::vector<int64_t>{0, 0, 0, 5}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(batches_are_right_padded_to_their_longest_sequence) {
  Dataset d = tiny_dataset();
  d.sequences[1] = {8, 9, 10, 1, 2};
  d.timestamps[1] = {1, 2, 3, 4, 5};
  auto split = make_leave_one_out_split(d);
  TrainingBatcher batcher(split, SampleMode::AllPositions, 50);
  Batch b = batcher.make_batch(identity_order(2), 0, 2);
  BOOST_TEST(b.items.size(1) == 4);
  BOOST_TEST(row(b.items, 1) == (std::vector<int64_t>{8, 9, 0, 0}),
             boost::test_tools::per_element());
  BOOST_TEST(row(b.targets, 1) == (std::vector<int64_t>{9, 10, 0, 0}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(test_input_includes_the_validation_item_and_seen_holds_full_history) {
  Dataset d = tiny_dataset();
  auto split = make_leave_one_out_split(d);
  EvaluationBatcher valid(split, EvalStage::Validation, 3), test(split, EvalStage::Test, 3);
  Batch v = valid.make_batch(0, 2), t = test.make_batch(0, 2);
  BOOST_TEST(row(v.items, 0) == (std::vector<int64_t>{3, 4, 5}), boost::test_tools::per_element());
  BOOST_TEST(v.eval_targets[0].item<int64_t>() == 6);
  BOOST_TEST(row(t.items, 0) == (std::vector<int64_t>{4, 5, 6}), boost::test_tools::per_element());
  BOOST_TEST(t.eval_targets[0].item<int64_t>() == 7);
  BOOST_TEST(row(t.seen, 0) == (std::vector<int64_t>{1, 2, 3, 4, 5, 6}),
             boost::test_tools::per_element());
  BOOST_TEST(row(t.items, 1) == (std::vector<int64_t>{8, 9, 0}), boost::test_tools::per_element());
  BOOST_TEST(t.lengths[1].item<int64_t>() == 2);
  BOOST_TEST(t.eval_targets[1].item<int64_t>() == 10);
}

BOOST_AUTO_TEST_CASE(epoch_order_is_a_permutation_fixed_by_the_seed) {
  Dataset d = tiny_dataset();
  auto split = make_leave_one_out_split(d);
  TrainingBatcher batcher(split, SampleMode::LastPosition, 50);
  std::mt19937_64 a(9), b(9);
  auto oa = batcher.epoch_order(a), ob = batcher.epoch_order(b);
  BOOST_TEST(oa == ob, boost::test_tools::per_element());
  std::sort(oa.begin(), oa.end());
  BOOST_TEST(oa == identity_order(4), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(length_bucketed_order_is_a_permutation_with_far_less_padding) {
  // 300 users with lengths 4..63 spread evenly, every prefix a sample.
  Dataset d;
  d.name = "lengths";
  d.item_tokens = {"[PAD]"};
  for (int i = 1; i <= 20; ++i) d.item_tokens.push_back("i" + std::to_string(i));
  for (int u = 0; u < 300; ++u) {
    d.user_tokens.push_back("u" + std::to_string(u));
    std::vector<int64_t> items;
    std::vector<double> times;
    for (int t = 0; t < 4 + (u * 37) % 60; ++t) {
      items.push_back(1 + (u + t) % 20);
      times.push_back(t);
    }
    d.sequences.push_back(items);
    d.timestamps.push_back(times);
  }
  auto split = make_leave_one_out_split(d);
  TrainingBatcher batcher(split, SampleMode::LastPosition, 50);
  const int64_t batch = 32;
  std::mt19937_64 a(5), b(5), c(5);
  auto bucketed = batcher.length_bucketed_order(a, batch);
  BOOST_TEST(bucketed == batcher.length_bucketed_order(b, batch), boost::test_tools::per_element());
  auto sorted = bucketed;
  std::sort(sorted.begin(), sorted.end());
  BOOST_TEST(sorted == identity_order(batcher.num_samples()), boost::test_tools::per_element());

  // Padded positions the model computes: each batch is as wide as its longest input.
  auto padded_positions = [&](const std::vector<int32_t>& order) {
    int64_t total = 0;
    for (size_t begin = 0; begin < order.size(); begin += batch) {
      const size_t end = std::min(order.size(), begin + static_cast<size_t>(batch));
      Batch x = batcher.make_batch(order, begin, end);
      total += x.items.numel() - x.lengths.sum().item<int64_t>();
    }
    return total;
  };
  const auto shuffled = batcher.epoch_order(c);
  BOOST_TEST(padded_positions(bucketed) * 5 < padded_positions(shuffled));
  // The next epoch draws other batches.
  BOOST_TEST(batcher.length_bucketed_order(a, batch) != bucketed);
}

BOOST_AUTO_TEST_CASE(batch_order_key_selects_the_order_and_defaults_to_shuffled) {
  const ParamSchema schema = trainer_schema();
  Params params(schema);
  BOOST_TEST(!trainer_config_from_params(params).length_bucketed);
  params.set_text("batch_order", "length_bucketed", "--set");
  BOOST_TEST(trainer_config_from_params(params).length_bucketed);
  BOOST_CHECK_THROW(params.set_text("batch_order", "sorted", "--set"), InputError);
}

BOOST_AUTO_TEST_SUITE_END()
