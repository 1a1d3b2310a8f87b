// The data stage: readers, preprocessing, lookup, statistics, .npy and the synthetic
// generator (design §3), and the error for every kind of bad input (design §9).
#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "core/errors.h"
#include "datasets/atomic_file.h"
#include "datasets/dataset.h"
#include "datasets/dataset_stats.h"
#include "datasets/npy.h"
#include "datasets/synthetic.h"
#include "harness/cli/cli_commands.h"
#include "harness/protocol.h"
#include "tests/test_support.h"

using namespace seqrec;
using seqrec::testing::ScratchDir;
using seqrec::testing::shared_dataset;

namespace {

// Runs `action`, which must throw InputError; returns its message for further checks.
std::string input_error_message(const std::function<void()>& action) {
  try {
    action();
  } catch (const InputError& e) {
    return e.what();
  }
  BOOST_FAIL("expected an InputError");
  return "";
}

using seqrec::testing::contains;

// A dataset folder DIR/NAME/ holding NAME.inter (and NAME.item when given).
std::string write_atomic(const ScratchDir& scratch, const std::string& name,
                         const std::string& inter, const std::string& item = "") {
  scratch.write(name + "/" + name + ".inter", inter);
  if (!item.empty()) scratch.write(name + "/" + name + ".item", item);
  return scratch.file(name);
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> tokens_of(const Dataset& d, int64_t user) {
  std::vector<std::string> out;
  for (int64_t id : d.sequences[static_cast<size_t>(user)])
    out.push_back(d.item_tokens[static_cast<size_t>(id)]);
  return out;
}

// Sets an environment variable for the lifetime of the object.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_.empty())
      unsetenv(name_);
    else
      setenv(name_, old_.c_str(), 1);
  }

 private:
  const char* name_;
  std::string old_;
};

const char* kTinyHeader = "user_id:token\titem_id:token\ttimestamp:float\n";

}  // namespace

BOOST_AUTO_TEST_SUITE(datasets)

// ---------------------------------------------------------------- real datasets

BOOST_AUTO_TEST_CASE(beauty_statistics_equal_the_published_s3rec_counts) {
  const Dataset d = load_dataset(shared_dataset("beauty"), {});
  const DatasetStats s = compute_stats(d);
  BOOST_TEST(d.name == "beauty");
  BOOST_TEST(s.users == 22363);
  BOOST_TEST(s.items == 12101);
  BOOST_TEST(s.interactions == 198502);
  BOOST_TEST(s.min_length == 5);
  BOOST_TEST(s.max_length == 204);
  BOOST_TEST(s.categories == 637);
  BOOST_TEST(s.category_field == "categories");
  BOOST_TEST(s.min_categories_per_item == 1);
  BOOST_TEST(s.max_categories_per_item == 6);
  BOOST_TEST(s.first_date == "2002-06-12");
  BOOST_TEST(s.last_date == "2014-07-23");
  BOOST_TEST(d.item_token_fields.count("title") == 1u);
  BOOST_TEST(d.item_token_fields.at("title").size() == d.item_tokens.size());
  BOOST_TEST(contains(format_stats_table(s), "22,363"));
}

BOOST_AUTO_TEST_CASE(ml100k_is_sorted_by_time_with_class_as_categories) {
  const Dataset d = load_dataset(shared_dataset("ml-100k"), {});
  BOOST_TEST(d.num_users() == 943);
  BOOST_TEST(d.num_items() == 1682);
  BOOST_TEST(d.num_interactions() == 100000);
  BOOST_TEST(d.category_field == "class");
  BOOST_TEST(d.category_tokens.size() == 19u);
  BOOST_TEST(d.item_token_fields.count("movie_title") == 1u);
  BOOST_REQUIRE(d.has_timestamps());
  for (const auto& times : d.timestamps) {
    BOOST_TEST(std::is_sorted(times.begin(), times.end()));
  }
  const DatasetStats s = compute_stats(d);
  BOOST_TEST(s.first_date == "1997-09-20");
  BOOST_TEST(s.last_date == "1998-04-22");
  BOOST_TEST(s.min_length == 20);
  BOOST_TEST(s.max_length == 737);
}

// ---------------------------------------------------------------- preprocessing

BOOST_AUTO_TEST_CASE(stable_sort_by_user_and_time_keeps_file_order_of_ties) {
  ScratchDir scratch;
  const std::string dir = write_atomic(scratch, "tiny",
                                       std::string(kTinyHeader) +
                                           "b\tx\t5\n"
                                           "a\ty\t3\n"
                                           "a\tz\t1\n"
                                           "a\tw\t3\n"
                                           "b\tv\t5\n"
                                           "a\tq\t2\n");
  const Dataset d = load_atomic_dataset(dir, {});
  BOOST_TEST(d.user_tokens == (std::vector<std::string>{"b", "a"}));
  BOOST_TEST(tokens_of(d, 0) == (std::vector<std::string>{"x", "v"}));
  BOOST_TEST(tokens_of(d, 1) == (std::vector<std::string>{"z", "q", "y", "w"}));
  BOOST_TEST(d.timestamps[1] == (std::vector<double>{1, 2, 3, 3}));
}

BOOST_AUTO_TEST_CASE(id_remap_reserves_zero_for_padding_and_numbers_items_by_first_appearance) {
  ScratchDir scratch;
  const std::string dir = write_atomic(scratch, "tiny",
                                       std::string(kTinyHeader) +
                                           "b\tx\t5\n"
                                           "a\ty\t3\n"
                                           "a\tz\t1\n"
                                           "b\tv\t6\n");
  const Dataset d = load_atomic_dataset(dir, {});
  BOOST_TEST(d.item_tokens == (std::vector<std::string>{"[PAD]", "x", "v", "z", "y"}));
  BOOST_TEST(d.sequences[0] == (std::vector<int64_t>{1, 2}));
  BOOST_TEST(d.sequences[1] == (std::vector<int64_t>{3, 4}));
  BOOST_TEST(d.num_items() == 4);
  BOOST_TEST(d.item_categories.size() == 0u);  // no .item file
}

BOOST_AUTO_TEST_CASE(k_core_filter_is_iterative) {
  ScratchDir scratch;
  // Items e, x, y occur once and go first; that leaves u3 and u4 under 3 interactions, and
  // dropping them leaves d with none.
  const std::string dir = write_atomic(scratch, "tiny",
                                       "user_id:token\titem_id:token\n"
                                       "u1\ta\nu1\tb\nu1\tc\n"
                                       "u2\ta\nu2\tb\nu2\tc\n"
                                       "u3\tc\nu3\td\nu3\te\n"
                                       "u4\td\nu4\tx\nu4\ty\n");
  PreprocessOptions options;
  options.user_core = 3;
  options.item_core = 2;
  const Dataset d = load_atomic_dataset(dir, options);
  BOOST_TEST(d.user_tokens == (std::vector<std::string>{"u1", "u2"}));
  BOOST_TEST(d.item_tokens == (std::vector<std::string>{"[PAD]", "a", "b", "c"}));
  BOOST_TEST(!d.has_timestamps());
  BOOST_TEST(load_atomic_dataset(dir, {}).num_users() == 4);
}

BOOST_AUTO_TEST_CASE(drop_duplicates_keeps_the_earliest_interaction) {
  ScratchDir scratch;
  const std::string dir = write_atomic(scratch, "tiny",
                                       std::string(kTinyHeader) +
                                           "u\tb\t2\n"
                                           "u\ta\t1\n"
                                           "u\ta\t3\n"
                                           "u\tc\t4\n"
                                           "u\tb\t5\n");
  PreprocessOptions options;
  options.drop_duplicates = true;
  const Dataset d = load_atomic_dataset(dir, options);
  BOOST_TEST(tokens_of(d, 0) == (std::vector<std::string>{"a", "b", "c"}));
  BOOST_TEST(d.timestamps[0] == (std::vector<double>{1, 2, 4}));
  BOOST_TEST(load_atomic_dataset(dir, {}).num_interactions() == 5);
}

BOOST_AUTO_TEST_CASE(decreasing_timestamps_and_short_users_are_accepted_by_the_reader) {
  ScratchDir scratch;
  // Atomic files are sorted, so decreasing time is not an error; a one-item user is the
  // split's concern (it needs 3), not the reader's.
  const std::string dir =
      write_atomic(scratch, "tiny", std::string(kTinyHeader) + "u\ta\t9\nu\tb\t1\nv\ta\t4\n");
  const Dataset d = load_atomic_dataset(dir, {});
  BOOST_TEST(tokens_of(d, 0) == (std::vector<std::string>{"b", "a"}));
  BOOST_TEST(d.sequences[1].size() == 1u);
}

BOOST_AUTO_TEST_CASE(item_file_supplies_categories_and_drops_unknown_items) {
  ScratchDir scratch;
  const std::string dir =
      write_atomic(scratch, "tiny", std::string(kTinyHeader) + "u\ta\t1\nu\tb\t2\n",
                   "item_id:token\tgenre:token_seq\tname:token_seq\tyear:float\n"
                   "zzz\tnever used\tunused item\t1999\n"
                   "b\tdrama comedy drama\tthe b\t2001\n"
                   "a\tcomedy\tthe a\t2000\n");
  const Dataset d = load_atomic_dataset(dir, {});
  BOOST_TEST(d.category_field == "genre");
  // Category indices follow item ids 1..N: a (comedy) before b (drama).
  BOOST_TEST(d.category_tokens == (std::vector<std::string>{"comedy", "drama"}));
  BOOST_TEST(d.item_categories[1] == (std::vector<int32_t>{0}));
  BOOST_TEST(d.item_categories[2] == (std::vector<int32_t>{1, 0}));
  BOOST_TEST(d.item_token_fields.at("name")[2] == (std::vector<std::string>{"the", "b"}));
}

// ---------------------------------------------------------------- S3Rec files

BOOST_AUTO_TEST_CASE(s3rec_sequence_file_reads_sequences_and_item2attributes) {
  ScratchDir scratch;
  const std::string seq = scratch.write("lastfm/LastFM.txt", "1 10 11 12\n2 11 12 13 14\n");
  const std::string attrs = scratch.write("lastfm/LastFM_item2attributes.json",
                                          R"({"10": [1, 2], "11": [2], "12": [3], "13": [],)"
                                          R"( "14": ["x"], "99": [7]})");
  const Dataset d = load_sequence_file_dataset(seq, attrs, {});
  BOOST_TEST(d.user_tokens == (std::vector<std::string>{"1", "2"}));
  BOOST_TEST(d.sequences[0] == (std::vector<int64_t>{1, 2, 3}));
  BOOST_TEST(d.sequences[1] == (std::vector<int64_t>{2, 3, 4, 5}));
  BOOST_TEST(!d.has_timestamps());
  BOOST_TEST(d.category_tokens == (std::vector<std::string>{"1", "2", "3", "x"}));
  BOOST_TEST(d.item_categories[1] == (std::vector<int32_t>{0, 1}));
  BOOST_TEST(d.item_categories[4].empty());

  // A folder holding S3Rec's own file names is found and named after the folder.
  const Dataset by_folder = load_dataset(scratch.file("lastfm"), {});
  BOOST_TEST(by_folder.name == "lastfm");
  BOOST_TEST(by_folder.num_interactions() == 7);
  BOOST_TEST(by_folder.has_categories());
}

// ---------------------------------------------------------------- lookup and catalog

BOOST_AUTO_TEST_CASE(dataset_name_is_found_through_seqrec_data) {
  ScratchDir scratch;
  write_atomic(scratch, "tiny", std::string(kTinyHeader) + "u\ta\t1\n");
  ScopedEnv env("SEQREC_DATA", "/nonexistent:" + scratch.path());
  BOOST_TEST(resolve_dataset_dir("tiny") == scratch.file("tiny"));
  BOOST_TEST(load_dataset("tiny", {}).name == "tiny");
}

BOOST_AUTO_TEST_CASE(missing_catalog_dataset_error_lists_searched_dirs_and_source) {
  ScratchDir scratch;
  ScopedEnv env("SEQREC_DATA", scratch.path());
  const std::string message = input_error_message([] { resolve_dataset_dir("yelp"); });
  BOOST_TEST(contains(message, "'yelp' not found"));
  BOOST_TEST(contains(message, scratch.path()));
  BOOST_TEST(contains(message, "shared/datasets"));
  BOOST_TEST(contains(message, "CIKM2020-S3Rec"));
  BOOST_TEST(contains(message, "30,431 users"));
}

BOOST_AUTO_TEST_CASE(unknown_dataset_name_error_says_it_is_not_in_the_catalog) {
  const std::string message = input_error_message([] { load_dataset("no-such-dataset", {}); });
  BOOST_TEST(contains(message, "not in the dataset catalog"));
  BOOST_TEST(contains(message, "./data") == false);  // dirs are absolute
  BOOST_TEST(contains(message, "/data"));
}

// ---------------------------------------------------------------- bad input

BOOST_AUTO_TEST_CASE(missing_file_is_an_error_naming_the_file) {
  ScratchDir scratch;
  const std::string path = scratch.file("absent.inter");
  BOOST_TEST(contains(input_error_message([&] { AtomicFile file(path); }), path));
  const std::string seq = scratch.file("absent.txt");
  BOOST_TEST(contains(input_error_message([&] { load_sequence_file_dataset(seq, "", {}); }), seq));
  const std::string folder = scratch.file("no/such/folder");
  BOOST_TEST(contains(input_error_message([&] { load_dataset(folder, {}); }), folder));
}

// A malformed .inter file: the line its error must name and a fragment saying why.
struct MalformedInter {
  const char* what;
  std::string content;
  std::string line;
  std::string why;
};

BOOST_AUTO_TEST_CASE(malformed_inter_file_is_an_error_at_its_line_saying_why) {
  const std::string tiny(kTinyHeader);
  const std::vector<MalformedInter> cases = {
      {"header without type", "user_id\titem_id:token\nu\ta\n", "bad.inter:1:", "'user_id'"},
      {"header with unknown type", "user_id:token\titem_id:integer\nu\ta\n",
       "bad.inter:1:", "unknown type 'integer'"},
      {"wrong column count", tiny + "u\ta\t1\nu\tb\n", "bad.inter:3:", "expected 3"},
      {"non-numeric timestamp", tiny + "u\ta\tyesterday\n",
       "bad.inter:2:", "timestamp 'yesterday'"},
      {"missing user column", "uid:token\titem_id:token\nu\ta\n", "bad.inter:1:", "user_id"},
      {"missing item column", "user_id:token\titem:token\nu\ta\n", "bad.inter:1:", "item_id"},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.what) {
      ScratchDir scratch;
      const std::string dir = write_atomic(scratch, "bad", c.content);
      const std::string message = input_error_message([&] { load_atomic_dataset(dir, {}); });
      BOOST_TEST(contains(message, c.line));
      BOOST_TEST(contains(message, c.why));
    }
  }
}

BOOST_AUTO_TEST_CASE(empty_dataset_after_filtering_is_an_error_naming_the_file) {
  ScratchDir scratch;
  const std::string dir =
      write_atomic(scratch, "bad", std::string(kTinyHeader) + "u\ta\t1\nu\tb\t2\n");
  PreprocessOptions options;
  options.user_core = 5;
  const std::string message = input_error_message([&] { load_atomic_dataset(dir, options); });
  BOOST_TEST(contains(message, "bad.inter"));
  BOOST_TEST(contains(message, "no interactions left after filtering (user_core=5"));
}

BOOST_AUTO_TEST_CASE(item_listed_twice_in_item_file_is_an_error_at_its_line) {
  ScratchDir scratch;
  const std::string dir = write_atomic(scratch, "bad", std::string(kTinyHeader) + "u\ta\t1\n",
                                       "item_id:token\tcategories:token_seq\na\tx\na\ty\n");
  const std::string message = input_error_message([&] { load_atomic_dataset(dir, {}); });
  BOOST_TEST(contains(message, "bad.item:3:"));
  BOOST_TEST(contains(message, "line 2"));
}

BOOST_AUTO_TEST_CASE(s3rec_line_without_items_is_an_error_at_its_line) {
  ScratchDir scratch;
  const std::string seq = scratch.write("bad.txt", "1 5 6\n2\n");
  const std::string message = input_error_message([&] { load_sequence_file_dataset(seq, "", {}); });
  BOOST_TEST(contains(message, "bad.txt:2:"));
}

BOOST_AUTO_TEST_CASE(item2attributes_value_that_is_not_a_list_is_an_error_naming_the_key) {
  ScratchDir scratch;
  const std::string seq = scratch.write("x.txt", "1 5 6\n");
  const std::string attrs = scratch.write("x_item2attributes.json", R"({"5": [1], "6": 3})");
  const std::string message =
      input_error_message([&] { load_sequence_file_dataset(seq, attrs, {}); });
  BOOST_TEST(contains(message, "x_item2attributes.json"));
  BOOST_TEST(contains(message, "key \"6\""));
}

// ---------------------------------------------------------------- .npy

BOOST_AUTO_TEST_CASE(npy_round_trip_keeps_shape_and_values) {
  ScratchDir scratch;
  FloatMatrix m;
  m.rows = 3;
  m.cols = 4;
  for (int i = 0; i < 12; ++i) m.values.push_back(0.5f * static_cast<float>(i) - 2.0f);
  write_npy_float32(scratch.file("m.npy"), m);
  const std::string bytes = read_bytes(scratch.file("m.npy"));
  BOOST_TEST(bytes.size() == 128u + 48u);  // header padded to 64 bytes, then 12 floats
  BOOST_TEST(contains(bytes, "'shape': (3, 4)"));
  const FloatMatrix back = read_npy_float32(scratch.file("m.npy"));
  BOOST_TEST(back.rows == 3);
  BOOST_TEST(back.cols == 4);
  BOOST_TEST(back.values == m.values);
}

BOOST_AUTO_TEST_CASE(npy_with_wrong_dtype_or_size_or_nan_is_an_error_naming_the_file) {
  ScratchDir scratch;
  FloatMatrix m;
  m.rows = 2;
  m.cols = 2;
  m.values = {1, 2, 3, 4};
  write_npy_float32(scratch.file("ok.npy"), m);
  std::string bytes = read_bytes(scratch.file("ok.npy"));

  std::string f8 = bytes;
  f8.replace(f8.find("<f4"), 3, "<f8");
  const std::string f8_path = scratch.write("f8.npy", f8);
  BOOST_TEST(contains(input_error_message([&] { read_npy_float32(f8_path); }), "f8.npy"));

  const std::string short_path = scratch.write("short.npy", bytes.substr(0, bytes.size() - 4));
  BOOST_TEST(contains(input_error_message([&] { read_npy_float32(short_path); }), "short.npy"));

  const std::string text_path = scratch.write("text.npy", "not numpy at all");
  BOOST_TEST(contains(input_error_message([&] { read_npy_float32(text_path); }), "bad magic"));

  m.values[3] = std::numeric_limits<float>::quiet_NaN();
  write_npy_float32(scratch.file("nan.npy"), m);
  const std::string message =
      input_error_message([&] { read_npy_float32(scratch.file("nan.npy")); });
  BOOST_TEST(contains(message, "nan.npy: row 1, column 1 is NaN"));
}

// ---------------------------------------------------------------- synthetic data

BOOST_AUTO_TEST_CASE(synthetic_dataset_is_byte_identical_for_the_same_seed) {
  ScratchDir scratch;
  SyntheticOptions options;
  options.users = 200;
  options.items = 120;
  write_synthetic_dataset(scratch.file("a"), "synth", options);
  write_synthetic_dataset(scratch.file("b"), "synth", options);
  options.seed = 2;
  write_synthetic_dataset(scratch.file("c"), "synth", options);
  for (const char* file : {"synth.inter", "synth.item", "synth.image.npy", "synth.text.npy"}) {
    const std::string a = read_bytes(scratch.file(std::string("a/") + file));
    BOOST_TEST(!a.empty());
    BOOST_TEST((a == read_bytes(scratch.file(std::string("b/") + file))), file);
    BOOST_TEST((a != read_bytes(scratch.file(std::string("c/") + file))), file);
  }
}

BOOST_AUTO_TEST_CASE(synthetic_dataset_loads_back_with_time_categories_and_features) {
  ScratchDir scratch;
  SyntheticOptions options;
  options.users = 300;
  options.items = 150;
  options.min_len = 5;
  options.max_len = 12;
  options.modality_dim = 24;
  write_synthetic_dataset(scratch.file("synth"), "synth", options);
  const Dataset d = load_dataset(scratch.file("synth"), {});
  BOOST_TEST(d.num_users() == 300);
  BOOST_TEST(d.has_timestamps());
  BOOST_TEST(d.category_tokens.size() == 12u);  // 3 facets x 4 values
  const DatasetStats s = compute_stats(d);
  BOOST_TEST(s.min_length >= 5);
  BOOST_TEST(s.max_length <= 12);
  BOOST_TEST(s.min_categories_per_item == 3);
  BOOST_TEST(s.max_categories_per_item == 3);
  for (const char* modality : {"synth.image.npy", "synth.text.npy"}) {
    const FloatMatrix f = read_npy_float32(scratch.file(std::string("synth/") + modality));
    BOOST_TEST(f.rows == 150);
    BOOST_TEST(f.cols == 24);
  }

  // Planted structure: consecutive items mostly share all facet values, and far less so
  // across a long gap (the user switched interest).
  int64_t short_same = 0, short_total = 0, long_same = 0, long_total = 0;
  for (size_t u = 0; u < d.sequences.size(); ++u) {
    for (size_t k = 1; k < d.sequences[u].size(); ++k) {
      const bool same = d.item_categories[static_cast<size_t>(d.sequences[u][k])] ==
                        d.item_categories[static_cast<size_t>(d.sequences[u][k - 1])];
      const bool long_gap = d.timestamps[u][k] - d.timestamps[u][k - 1] >= 7 * 86400;
      (long_gap ? long_same : short_same) += same;
      (long_gap ? long_total : short_total) += 1;
    }
  }
  BOOST_REQUIRE(long_total > 50);
  const double short_rate = static_cast<double>(short_same) / static_cast<double>(short_total);
  const double long_rate = static_cast<double>(long_same) / static_cast<double>(long_total);
  BOOST_TEST(short_rate > 0.6);
  BOOST_TEST(long_rate < short_rate - 0.3);
}

BOOST_AUTO_TEST_CASE(focused_synthetic_users_keep_one_facet_and_vary_the_others) {
  ScratchDir scratch;
  SyntheticOptions options;
  options.users = 300;
  options.items = 150;
  options.long_gap_prob = 0.0;  // one preference draw per user
  options.facet_focus = 1.0;
  write_synthetic_dataset(scratch.file("focus"), "focus", options);
  const Dataset d = load_dataset(scratch.file("focus"), {});
  // Consecutive items rarely share every facet value, but most share one: the focus facet.
  int64_t share_all = 0, share_one = 0, pairs = 0;
  for (const auto& sequence : d.sequences) {
    for (size_t k = 1; k < sequence.size(); ++k) {
      const auto& a = d.item_categories[static_cast<size_t>(sequence[k - 1])];
      const auto& b = d.item_categories[static_cast<size_t>(sequence[k])];
      int64_t common = 0;
      for (auto c : a) common += std::count(b.begin(), b.end(), c);
      share_all += common == static_cast<int64_t>(a.size());
      share_one += common >= 1;
      ++pairs;
    }
  }
  const double all_rate = static_cast<double>(share_all) / static_cast<double>(pairs);
  const double one_rate = static_cast<double>(share_one) / static_cast<double>(pairs);
  BOOST_TEST(one_rate > 0.8);
  BOOST_TEST(all_rate < 0.3);
  // Off (the default) draws no extra numbers: the file is byte for byte what the generator
  // wrote before the option existed (hash taken with the binary of commit 9848ce9).
  SyntheticOptions plain;
  plain.users = 200;
  plain.items = 120;
  write_synthetic_dataset(scratch.file("plain"), "s", plain);
  BOOST_TEST(stable_hash(read_bytes(scratch.file("plain/s.inter"))) == "27b68ed6cfd10a20");
}

BOOST_AUTO_TEST_CASE(synthetic_options_out_of_range_are_an_error_naming_the_option) {
  ScratchDir scratch;
  SyntheticOptions options;
  options.max_len = 2;
  const std::string message =
      input_error_message([&] { write_synthetic_dataset(scratch.path(), "s", options); });
  BOOST_TEST(contains(message, "max_len"));
}

// ---------------------------------------------------------------- CLI

BOOST_AUTO_TEST_CASE(cli_synth_then_stats_prints_the_table) {
  ScratchDir scratch;
  const std::string out = scratch.file("cli");
  auto run = [](std::vector<std::string> args) {
    CLI::App app;
    add_dataset_commands(app);
    std::reverse(args.begin(), args.end());  // CLI11 takes the arguments in reverse order
    std::ostringstream captured;
    std::streambuf* old = std::cout.rdbuf(captured.rdbuf());
    try {
      app.parse(args);
    } catch (...) {
      std::cout.rdbuf(old);
      throw;
    }
    std::cout.rdbuf(old);
    return captured.str();
  };
  run({"dataset", "synth", "--out", out, "--users", "40", "--items", "30", "--seed", "7"});
  const std::string table = run({"dataset", "stats", out, "--user-core", "5"});
  BOOST_TEST(contains(table, "users                   40"));
  BOOST_TEST(contains(table, "categories              12 (column 'categories')"));
  BOOST_TEST(contains(input_error_message([&] {
                        run({"dataset", "stats", out + "/nope"});
                      }),
                      "nope"));
}

BOOST_AUTO_TEST_SUITE_END()
