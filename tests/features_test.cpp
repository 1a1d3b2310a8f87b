// Modality features (design §3, §9): reading NAME.<modality>.npy (+ .ids) into the dataset,
// every kind of bad features file, and the deterministic TF-IDF + SVD text featurizer.
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <sstream>

#include "core/errors.h"
#include "datasets/dataset.h"
#include "datasets/npy.h"
#include "datasets/synthetic.h"
#include "datasets/text_features.h"
#include "tests/test_support.h"

using namespace seqrec;
using seqrec::testing::run_cli;
using seqrec::testing::ScratchDir;
using seqrec::testing::shared_dataset;

namespace {

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

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// rows x cols matrix whose row r is (r + 1) * 10 + column, so a row names its origin.
FloatMatrix numbered_rows(int64_t rows, int64_t cols) {
  FloatMatrix m;
  m.rows = rows;
  m.cols = cols;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) m.values.push_back(static_cast<float>((r + 1) * 10 + c));
  return m;
}

// Dataset "tiny": users u, v, w over items a, b, c, d (d seen once, so item_core=2 drops it).
// Items first appear in the order c, a, b, d, so ids differ from the .item order a, b, c, d.
struct Tiny {
  ScratchDir scratch;
  std::string dir = scratch.file("tiny");
  explicit Tiny(bool with_item_file = true) {
    scratch.write(
        "tiny/tiny.inter",
        "user_id:token\titem_id:token\ttimestamp:float\n"
        "u\tc\t1\nu\ta\t2\nu\tb\t3\nv\ta\t1\nv\tc\t2\nv\tb\t3\nw\tb\t1\nw\tc\t2\nw\td\t3\n");
    if (with_item_file) {
      scratch.write(
          "tiny/tiny.item",
          "item_id:token\ttitle:token_seq\n"
          "a\tred nail polish\nb\tRed nail lacquer\nc\tgarden hose\nd\tgarden hose reel\n");
    }
  }
  std::string path(const std::string& file) const { return dir + "/" + file; }
  void npy(const std::string& file, const FloatMatrix& m) const {
    write_npy_float32(path(file), m);
  }
  void text(const std::string& file, const std::string& content) const {
    scratch.write("tiny/" + file, content);
  }
  std::string error(const PreprocessOptions& options = {}) const {
    return input_error_message([&] { load_dataset(dir, options); });
  }
};

std::vector<float> row_of(const FloatMatrix& m, int64_t r) {
  return {m.values.begin() + r * m.cols, m.values.begin() + (r + 1) * m.cols};
}

int64_t id_of(const Dataset& d, const std::string& token) {
  for (size_t id = 1; id < d.item_tokens.size(); ++id)
    if (d.item_tokens[id] == token) return static_cast<int64_t>(id);
  BOOST_FAIL("no item " << token);
  return 0;
}

double cosine(const FloatMatrix& m, int64_t a, int64_t b) {
  double ab = 0, aa = 0, bb = 0;
  for (int64_t c = 0; c < m.cols; ++c) {
    ab += static_cast<double>(m.at(a, c)) * m.at(b, c);
    aa += static_cast<double>(m.at(a, c)) * m.at(a, c);
    bb += static_cast<double>(m.at(b, c)) * m.at(b, c);
  }
  return ab / std::sqrt(aa * bb);
}

double norm(const FloatMatrix& m, int64_t r) {
  double squared = 0;
  for (int64_t c = 0; c < m.cols; ++c) squared += static_cast<double>(m.at(r, c)) * m.at(r, c);
  return std::sqrt(squared);
}

TextFeatureOptions text_options(std::vector<std::string> fields, int64_t dim) {
  TextFeatureOptions options;
  options.fields = std::move(fields);
  options.dim = dim;
  return options;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(features)

// ---------------------------------------------------------------- reading

BOOST_AUTO_TEST_CASE(synthetic_features_load_by_item_id_with_a_zero_padding_row) {
  ScratchDir scratch;
  SyntheticOptions options;
  options.users = 60;
  options.items = 40;
  options.modality_dim = 8;
  write_synthetic_dataset(scratch.path(), "synth", options);
  const Dataset d = load_dataset(scratch.path(), {});
  BOOST_TEST(d.item_features.size() == 2u);
  for (const std::string modality : {"image", "text"}) {
    BOOST_TEST_CONTEXT("modality " << modality) {
      BOOST_REQUIRE(d.has_features(modality));
      const FloatMatrix& f = d.item_features.at(modality);
      BOOST_TEST(f.rows == d.num_items() + 1);
      BOOST_TEST(f.cols == 8);
      BOOST_TEST(row_of(f, 0) == std::vector<float>(8, 0.0f));
      // NAME.item lists i1, i2, ... in order, so item token iK is row K-1 of the file.
      const FloatMatrix raw = read_npy_float32(scratch.file("synth." + modality + ".npy"));
      for (int64_t id = 1; id <= d.num_items(); ++id) {
        const int64_t k = std::stoll(d.item_tokens[static_cast<size_t>(id)].substr(1));
        BOOST_TEST(row_of(f, id) == row_of(raw, k - 1));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(rows_follow_the_item_file_and_skip_items_without_interactions) {
  Tiny tiny;
  tiny.text("tiny.item",
            "item_id:token\n"
            "a\nzzz\nb\nc\nd\n");  // zzz has no interactions
  tiny.npy("tiny.image.npy", numbered_rows(5, 2));
  const Dataset d = load_dataset(tiny.dir, {});
  const FloatMatrix& f = d.item_features.at("image");
  BOOST_TEST(f.rows == 5);
  BOOST_TEST(row_of(f, id_of(d, "a")) == (std::vector<float>{10, 11}));
  BOOST_TEST(row_of(f, id_of(d, "b")) == (std::vector<float>{30, 31}));
  BOOST_TEST(row_of(f, id_of(d, "c")) == (std::vector<float>{40, 41}));
  BOOST_TEST(row_of(f, id_of(d, "d")) == (std::vector<float>{50, 51}));
}

BOOST_AUTO_TEST_CASE(ids_companion_gives_each_rows_item_and_filtered_items_are_ignored) {
  Tiny tiny(/*with_item_file=*/false);
  tiny.npy("tiny.clip.npy", numbered_rows(4, 3));
  tiny.text("tiny.clip.ids", "d\nb\nc\na\n");
  const Dataset all = load_dataset(tiny.dir, {});
  const FloatMatrix& f = all.item_features.at("clip");
  BOOST_TEST(row_of(f, id_of(all, "d")) == (std::vector<float>{10, 11, 12}));
  BOOST_TEST(row_of(f, id_of(all, "a")) == (std::vector<float>{40, 41, 42}));

  PreprocessOptions core;
  core.item_core = 2;  // drops d, which the ids file still lists: fine
  const Dataset filtered = load_dataset(tiny.dir, core);
  BOOST_TEST(filtered.num_items() == 3);
  BOOST_TEST(filtered.item_features.at("clip").rows == 4);
  BOOST_TEST(row_of(filtered.item_features.at("clip"), id_of(filtered, "b")) ==
             (std::vector<float>{20, 21, 22}));
}

// ---------------------------------------------------------------- bad input

BOOST_AUTO_TEST_CASE(row_count_other_than_the_item_file_is_an_error_naming_both) {
  Tiny tiny;
  tiny.npy("tiny.text.npy", numbered_rows(3, 2));
  const std::string message = tiny.error();
  BOOST_TEST(contains(message, tiny.path("tiny.text.npy") + ": has 3 rows"));
  BOOST_TEST(contains(message, tiny.path("tiny.item") + " lists 4 items"));
}

BOOST_AUTO_TEST_CASE(row_count_other_than_the_ids_file_is_an_error_naming_both) {
  Tiny tiny;
  tiny.npy("tiny.text.npy", numbered_rows(5, 2));
  tiny.text("tiny.text.ids", "a\nb\nc\nd\n");
  const std::string message = tiny.error();
  BOOST_TEST(contains(message, tiny.path("tiny.text.npy") + ": has 5 rows"));
  BOOST_TEST(contains(message, tiny.path("tiny.text.ids") + " lists 4 items"));
}

BOOST_AUTO_TEST_CASE(duplicate_item_in_the_ids_file_is_an_error_at_its_line) {
  Tiny tiny;
  tiny.npy("tiny.text.npy", numbered_rows(4, 2));
  tiny.text("tiny.text.ids", "a\nb\na\nd\n");
  BOOST_TEST(
      contains(tiny.error(), tiny.path("tiny.text.ids") + ":3: item 'a' already listed at line 1"));
}

BOOST_AUTO_TEST_CASE(duplicate_item_in_the_item_file_is_an_error_at_its_line) {
  Tiny tiny;
  tiny.text("tiny.item", "item_id:token\nzzz\na\nb\nc\nd\nzzz\n");
  tiny.npy("tiny.text.npy", numbered_rows(6, 2));
  const std::string message = tiny.error();
  BOOST_TEST(contains(message, tiny.path("tiny.item") + ":7: item 'zzz' already listed at line 2"));
  BOOST_TEST(contains(message, "tiny.text.npy"));
}

BOOST_AUTO_TEST_CASE(item_of_the_data_without_a_row_is_an_error_naming_it) {
  Tiny tiny;
  tiny.npy("tiny.text.npy", numbered_rows(3, 2));
  tiny.text("tiny.text.ids", "a\nb\nd\n");
  const std::string message = tiny.error();
  BOOST_TEST(contains(message, tiny.path("tiny.text.npy") + ": no row for item 'c'"));
  BOOST_TEST(contains(message, "tiny.text.ids"));
}

BOOST_AUTO_TEST_CASE(token_never_in_the_data_is_an_error_at_its_line) {
  Tiny tiny;
  tiny.npy("tiny.text.npy", numbered_rows(5, 2));
  tiny.text("tiny.text.ids", "a\nnope\nb\nc\nd\n");
  const std::string message = tiny.error();
  BOOST_TEST(contains(message, tiny.path("tiny.text.ids") + ":2: item 'nope' is in neither"));
  BOOST_TEST(contains(message, "tiny.inter"));
}

BOOST_AUTO_TEST_CASE(blank_line_inside_the_ids_file_is_an_error_at_its_line) {
  Tiny tiny;
  tiny.npy("tiny.text.npy", numbered_rows(4, 2));
  tiny.text("tiny.text.ids", "a\nb\n\nc\nd\n");
  BOOST_TEST(contains(tiny.error(), tiny.path("tiny.text.ids") + ":3: empty line"));
}

BOOST_AUTO_TEST_CASE(nan_or_infinite_feature_is_an_error_naming_the_file) {
  for (const float bad :
       {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()}) {
    Tiny tiny;
    FloatMatrix m = numbered_rows(4, 2);
    m.at(2, 1) = bad;
    tiny.npy("tiny.text.npy", m);
    BOOST_TEST(contains(tiny.error(), tiny.path("tiny.text.npy") + ": row 2, column 1 is"));
  }
}

BOOST_AUTO_TEST_CASE(features_without_item_file_or_ids_are_an_error_naming_both) {
  Tiny tiny(/*with_item_file=*/false);
  tiny.npy("tiny.text.npy", numbered_rows(4, 2));
  const std::string message = tiny.error();
  BOOST_TEST(contains(message, tiny.path("tiny.text.npy") + ": cannot tell which item"));
  BOOST_TEST(contains(message, tiny.path("tiny.item")));
  BOOST_TEST(contains(message, tiny.path("tiny.text.ids")));
}

// ---------------------------------------------------------------- text featurizer

BOOST_AUTO_TEST_CASE(text_features_have_the_shape_and_group_items_sharing_tokens) {
  Tiny tiny;
  const Dataset d = load_dataset(tiny.dir, {});
  const TextFeatures t = compute_text_features(d, text_options({"title"}, 2));
  BOOST_TEST(t.vocabulary == 7);  // red nail polish lacquer garden hose reel ("Red" = "red")
  BOOST_TEST(t.items_without_tokens == 0);
  BOOST_TEST(t.features.rows == 5);
  BOOST_TEST(t.features.cols == 2);
  BOOST_TEST(row_of(t.features, 0) == std::vector<float>(2, 0.0f));
  const int64_t a = id_of(d, "a"), b = id_of(d, "b"), c = id_of(d, "c"), dd = id_of(d, "d");
  BOOST_TEST(cosine(t.features, a, b) > 0.9);
  BOOST_TEST(cosine(t.features, c, dd) > 0.9);
  BOOST_TEST(std::fabs(cosine(t.features, a, c)) < 0.1);
  BOOST_TEST(t.explained_variance > 0.5);
  BOOST_TEST(t.explained_variance <= 1.0 + 1e-9);
}

BOOST_AUTO_TEST_CASE(text_features_are_an_svd_components_orthogonal_and_descending) {
  const Dataset d = load_dataset(shared_dataset("ml-100k"), {});
  const TextFeatures t = compute_text_features(d, text_options({"movie_title", "class"}, 24));
  BOOST_TEST(t.features.rows == d.num_items() + 1);
  BOOST_TEST(t.features.cols == 24);
  // F = U·Σ, so F^T F = Σ²: diagonal, descending.
  std::vector<double> gram(24 * 24, 0.0);
  for (int64_t i = 1; i < t.features.rows; ++i)
    for (int p = 0; p < 24; ++p)
      for (int q = 0; q < 24; ++q)
        gram[p * 24 + q] += static_cast<double>(t.features.at(i, p)) * t.features.at(i, q);
  for (int p = 0; p < 24; ++p) {
    if (p > 0) BOOST_TEST(gram[p * 24 + p] <= gram[(p - 1) * 24 + p - 1] * (1 + 1e-6));
    for (int q = 0; q < p; ++q) {
      BOOST_TEST(std::fabs(gram[p * 24 + q]) < 1e-4 * gram[0], "F^T F (" << p << "," << q << ")");
    }
  }
  double kept = 0;
  for (int p = 0; p < 24; ++p) kept += gram[p * 24 + p];
  const auto rows_with_text = static_cast<double>(d.num_items() - t.items_without_tokens);
  BOOST_TEST(std::fabs(kept / rows_with_text - t.explained_variance) < 1e-4);

  // The randomized SVD has converged: far more iterations and columns change no singular value.
  TextFeatureOptions thorough = text_options({"movie_title", "class"}, 24);
  thorough.oversampling = 96;
  thorough.power_iterations = 25;
  const TextFeatures exact = compute_text_features(d, thorough);
  for (int64_t k = 0; k < 24; ++k) {
    double a = 0, b = 0;
    for (int64_t i = 1; i < t.features.rows; ++i) {
      a += static_cast<double>(t.features.at(i, k)) * t.features.at(i, k);
      b += static_cast<double>(exact.features.at(i, k)) * exact.features.at(i, k);
    }
    BOOST_TEST(std::fabs(std::sqrt(a) - std::sqrt(b)) < 1e-4 * std::sqrt(b), "sigma " << k);
  }

  // Keeping every component reproduces the TF-IDF rows' geometry: unit norms.
  Tiny tiny;
  const Dataset small = load_dataset(tiny.dir, {});
  const TextFeatures full = compute_text_features(small, text_options({"title"}, 4));
  BOOST_TEST(std::fabs(full.explained_variance - 1.0) < 1e-9);
  for (int64_t i = 1; i <= 4; ++i) BOOST_TEST(std::fabs(norm(full.features, i) - 1.0) < 1e-6);
}

BOOST_AUTO_TEST_CASE(text_features_are_byte_identical_across_runs) {
  ScratchDir scratch;
  const auto options = text_options({"movie_title", "class"}, 32);
  const auto first =
      write_text_features(shared_dataset("ml-100k"), "text", options, scratch.file("a"));
  const auto second =
      write_text_features(shared_dataset("ml-100k"), "text", options, scratch.file("b"));
  const std::string bytes = read_bytes(first.npy);
  BOOST_TEST(bytes.size() > 1682u * 32u * 4u);
  BOOST_TEST(bytes == read_bytes(second.npy));
}

BOOST_AUTO_TEST_CASE(unknown_field_or_too_large_dim_is_an_error_listing_what_is_allowed) {
  Tiny tiny;
  const Dataset d = load_dataset(tiny.dir, {});
  const std::string field =
      input_error_message([&] { compute_text_features(d, text_options({"name"}, 2)); });
  BOOST_TEST(contains(field, "no item field 'name'; available: title"));
  const std::string dim =
      input_error_message([&] { compute_text_features(d, text_options({"title"}, 5)); });
  BOOST_TEST(contains(dim, "dim 5 must be in [1, min(items, vocabulary)] = [1, 4]"));
  const std::string name = input_error_message(
      [&] { write_text_features(tiny.dir, "te/xt", text_options({"title"}, 2), ""); });
  BOOST_TEST(contains(name, "'te/xt'"));
}

BOOST_AUTO_TEST_CASE(features_without_item_file_are_written_with_an_ids_list) {
  ScratchDir scratch;
  scratch.write("lastfm/LastFM.txt", "1 10 11 12\n2 11 12 13 14\n");
  scratch.write("lastfm/LastFM_item2attributes.json",
                R"({"10": [1, 2], "11": [2], "12": [3], "13": [1], "14": [3]})");
  const auto run = write_text_features(scratch.file("lastfm"), "text",
                                       text_options({"attributes"}, 2), scratch.file("out"));
  BOOST_TEST(run.ids == scratch.file("out/LastFM.text.ids"));
  BOOST_TEST(read_bytes(run.ids) == "10\n11\n12\n13\n14\n");
  const Dataset d = load_dataset(scratch.file("out"), {});
  BOOST_TEST(d.item_features.at("text").rows == 6);
}

BOOST_AUTO_TEST_CASE(cli_writes_a_dataset_folder_that_trains) {
  ScratchDir scratch;
  const std::string out = scratch.file("ml");
  const auto r = run_cli("features text --dataset '" + shared_dataset("ml-100k") +
                         "' --fields movie_title,class --dim 16 --out '" + out + "'");
  BOOST_TEST_INFO("output: " << r.output);
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(contains(r.output, "vocabulary"));
  BOOST_TEST(contains(r.output, "explained variance"));
  BOOST_TEST(contains(r.output, out + "/ml-100k.text.npy"));
  for (const char* file : {"ml-100k.inter", "ml-100k.item", "ml-100k.text.npy"}) {
    BOOST_TEST(std::filesystem::is_regular_file(out + "/" + file), file);
  }
  const Dataset d = load_dataset(out, {});
  BOOST_TEST(d.item_features.at("text").rows == 1683);
  BOOST_TEST(d.item_features.at("text").cols == 16);

  const auto train = run_cli("train --model sasrec_mm --dataset '" + out + "' --out '" +
                             scratch.file("runs") + "' --threads 1 --quiet --set epochs=1");
  BOOST_TEST_INFO("output: " << train.output);
  BOOST_TEST(train.exit_code == 0);

  const auto bad = run_cli("features text --dataset '" + shared_dataset("ml-100k") +
                           "' --fields title --out '" + scratch.file("x") + "'");
  BOOST_TEST_INFO("output: " << bad.output);
  BOOST_TEST(bad.exit_code == 2);
  BOOST_TEST(contains(bad.output, "no item field 'title'; available: class, movie_title"));
}

BOOST_AUTO_TEST_SUITE_END()
