#include "datasets/synthetic.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <random>
#include <unordered_map>
#include <vector>

#include "core/errors.h"
#include "datasets/npy.h"

namespace seqrec {
namespace {

// Portable random numbers: mt19937_64's output sequence is fixed by the standard; the
// transforms below are plain arithmetic, so the files do not depend on the standard library.
class PortableRandom {
 public:
  explicit PortableRandom(uint64_t seed) : engine_(seed) {}
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }  // [0, 1)
  // Uniform integer in [0, n) without modulo bias (rejection of the incomplete last block).
  uint64_t below(uint64_t n) {
    const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do x = engine_();
    while (x >= limit);
    return x % n;
  }
  // Approximately standard normal: Irwin-Hall sum of 4 uniforms, rescaled to variance 1.
  // Cheap enough for a million items and needs no log/cos.
  double normal() {
    const double sum = uniform() + uniform() + uniform() + uniform();
    return (sum - 2.0) * 1.7320508075688772;
  }

 private:
  std::mt19937_64 engine_;
};

// Independent streams for items and users, so changing --users leaves the items unchanged.
uint64_t stream_seed(uint64_t seed, uint64_t stream) {
  uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (stream + 1);  // splitmix64 finaliser
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

struct SyntheticItems {
  int64_t count = 0;
  int facets = 0;
  std::vector<int32_t> facet_values;  // count * facets
  std::vector<float> latent;          // count * latent_dim
  // Items per full combination of facet values, and per single (facet, value): the sampler
  // draws from these lists, never scanning all items.
  std::unordered_map<uint64_t, std::vector<int32_t>> by_combination;
  std::vector<std::vector<std::vector<int32_t>>> by_facet_value;  // [facet][value]

  int32_t value(int64_t item, int facet) const {
    return facet_values[static_cast<size_t>(item * facets + facet)];
  }
  uint64_t combination_of(const std::vector<int32_t>& values, int values_per_facet) const {
    uint64_t key = 0;  // mixed radix; wraps harmlessly (merges buckets) for huge spaces
    for (int32_t v : values)
      key = key * static_cast<uint64_t>(values_per_facet) + static_cast<uint64_t>(v);
    return key;
  }
};

SyntheticItems make_items(const SyntheticOptions& o, PortableRandom& rng) {
  SyntheticItems items;
  items.count = o.items;
  items.facets = o.facets;
  const size_t dim = static_cast<size_t>(o.latent_dim);
  std::vector<std::vector<float>> centroids(static_cast<size_t>(o.facets * o.values_per_facet),
                                            std::vector<float>(dim));
  for (auto& c : centroids) {
    for (float& x : c) x = static_cast<float>(rng.normal());
  }
  items.facet_values.resize(static_cast<size_t>(o.items * o.facets));
  items.latent.resize(static_cast<size_t>(o.items) * dim);
  items.by_facet_value.assign(
      static_cast<size_t>(o.facets),
      std::vector<std::vector<int32_t>>(static_cast<size_t>(o.values_per_facet)));
  std::vector<int32_t> values(static_cast<size_t>(o.facets));
  for (int64_t i = 0; i < o.items; ++i) {
    float* z = &items.latent[static_cast<size_t>(i) * dim];
    for (int k = 0; k < o.facets; ++k) {
      const auto v = static_cast<int32_t>(rng.below(static_cast<uint64_t>(o.values_per_facet)));
      values[static_cast<size_t>(k)] = v;
      items.facet_values[static_cast<size_t>(i * o.facets + k)] = v;
      items.by_facet_value[static_cast<size_t>(k)][static_cast<size_t>(v)].push_back(
          static_cast<int32_t>(i));
      const auto& c = centroids[static_cast<size_t>(k * o.values_per_facet + v)];
      for (size_t d = 0; d < dim; ++d) z[d] += c[d];
    }
    for (size_t d = 0; d < dim; ++d) z[d] += static_cast<float>(o.latent_noise * rng.normal());
    items.by_combination[items.combination_of(values, o.values_per_facet)].push_back(
        static_cast<int32_t>(i));
  }
  return items;
}

// features = latent · P^T + noise, P a random [modality_dim, latent_dim] projection.
FloatMatrix project_features(const SyntheticItems& items, const SyntheticOptions& o,
                             PortableRandom& rng) {
  const auto dim = static_cast<size_t>(o.latent_dim);
  const auto width = static_cast<size_t>(o.modality_dim);
  std::vector<float> projection(width * dim);
  const double scale = 1.0 / static_cast<double>(o.latent_dim);  // keeps features O(1)
  for (float& p : projection) p = static_cast<float>(rng.normal() * scale * 4.0);
  FloatMatrix features;
  features.rows = items.count;
  features.cols = o.modality_dim;
  features.values.resize(static_cast<size_t>(items.count) * width);
  for (int64_t i = 0; i < items.count; ++i) {
    const float* z = &items.latent[static_cast<size_t>(i) * dim];
    float* out = &features.values[static_cast<size_t>(i) * width];
    for (size_t f = 0; f < width; ++f) {
      float sum = 0;
      for (size_t d = 0; d < dim; ++d) sum += projection[f * dim + d] * z[d];
      out[f] = sum + static_cast<float>(o.feature_noise * rng.normal());
    }
  }
  return features;
}

void append_int(std::string& out, int64_t value) {
  char buffer[24];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, result.ptr);
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw InputError(path + ": cannot create file");
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  if (!out) throw InputError(path + ": write failed");
}

std::string make_interactions(const SyntheticItems& items, const SyntheticOptions& o,
                              PortableRandom& rng) {
  constexpr int64_t kMinute = 60, kHour = 3600, kDay = 86400, kWeek = 7 * kDay;
  std::string out = "user_id:token\titem_id:token\ttimestamp:float\n";
  out.reserve(out.size() +
              static_cast<size_t>(o.users) * static_cast<size_t>(o.max_len + o.min_len) * 12);
  std::vector<int32_t> preferred(static_cast<size_t>(o.facets));
  std::vector<int32_t> sequence;
  // Preferences are copied from a uniformly drawn item, so the preferred combination
  // always has at least one item (popular combinations are preferred more often).
  int focus = -1;  // the one facet a focused user follows; -1 = all facets
  auto draw_preferences = [&] {
    const auto anchor = static_cast<int64_t>(rng.below(static_cast<uint64_t>(items.count)));
    for (int k = 0; k < o.facets; ++k) preferred[static_cast<size_t>(k)] = items.value(anchor, k);
    focus = -1;
    if (o.facet_focus > 0.0 && rng.uniform() < o.facet_focus)
      focus = static_cast<int>(rng.below(static_cast<uint64_t>(o.facets)));
  };
  // Prefers an item the user has not seen yet (real logs rarely repeat) but stays inside
  // the chosen pool, so a small preferred pool yields repeats rather than off-preference items.
  auto pick_unseen = [&](auto&& draw) {
    int32_t item = draw();
    for (int attempt = 0; attempt < 4; ++attempt) {
      if (std::find(sequence.begin(), sequence.end(), item) == sequence.end()) break;
      item = draw();
    }
    return item;
  };
  auto pick_from = [&](const std::vector<int32_t>& pool) {
    return pick_unseen([&] { return pool[static_cast<size_t>(rng.below(pool.size()))]; });
  };
  auto next_item = [&] {
    const double r = rng.uniform();
    if (r < o.follow_preference) {
      if (focus >= 0)
        return pick_from(items.by_facet_value[static_cast<size_t>(focus)][static_cast<size_t>(
            preferred[static_cast<size_t>(focus)])]);
      return pick_from(
          items.by_combination.at(items.combination_of(preferred, o.values_per_facet)));
    }
    if (r < o.follow_preference + 0.5 * (1.0 - o.follow_preference)) {
      const auto k = static_cast<size_t>(rng.below(static_cast<uint64_t>(o.facets)));
      return pick_from(items.by_facet_value[k][static_cast<size_t>(preferred[k])]);
    }
    return pick_unseen(
        [&] { return static_cast<int32_t>(rng.below(static_cast<uint64_t>(items.count))); });
  };
  for (int64_t u = 0; u < o.users; ++u) {
    const auto length =
        o.min_len +
        static_cast<int64_t>(rng.below(static_cast<uint64_t>(o.max_len - o.min_len + 1)));
    int64_t time = o.start_time + static_cast<int64_t>(rng.below(365 * kDay));
    draw_preferences();
    sequence.clear();
    for (int64_t step = 0; step < length; ++step) {
      if (step > 0) {
        if (rng.uniform() < o.long_gap_prob) {
          time += kWeek + static_cast<int64_t>(rng.below(7 * kWeek));
          if (rng.uniform() < o.long_gap_switch) draw_preferences();
        } else {
          time += kMinute + static_cast<int64_t>(rng.below(6 * kHour - kMinute));
        }
      }
      const int32_t item = next_item();
      sequence.push_back(item);
      out += 'u';
      append_int(out, u + 1);
      out += "\ti";
      append_int(out, item + 1);
      out += '\t';
      append_int(out, time);
      out += '\n';
    }
  }
  return out;
}

std::string make_item_file(const SyntheticItems& items) {
  std::string out = "item_id:token\tcategories:token_seq\n";
  for (int64_t i = 0; i < items.count; ++i) {
    out += 'i';
    append_int(out, i + 1);
    out += '\t';
    for (int k = 0; k < items.facets; ++k) {
      if (k > 0) out += ' ';
      out += 'f';
      append_int(out, k);
      out += "_v";
      append_int(out, items.value(i, k));
    }
    out += '\n';
  }
  return out;
}

void require(bool ok, const std::string& option, const std::string& rule, const std::string& got) {
  if (!ok)
    throw InputError("synthetic dataset: " + option + " must be " + rule + " (got " + got + ")");
}

}  // namespace

void validate_synthetic_options(const SyntheticOptions& o) {
  require(o.users >= 1, "users", ">= 1", std::to_string(o.users));
  require(o.items >= 1 && o.items <= INT32_MAX - 1, "items", "in [1, 2^31-2]",
          std::to_string(o.items));
  require(o.min_len >= 1, "min_len", ">= 1", std::to_string(o.min_len));
  require(o.max_len >= o.min_len, "max_len", ">= min_len", std::to_string(o.max_len));
  require(o.facets >= 1, "facets", ">= 1", std::to_string(o.facets));
  require(o.values_per_facet >= 1, "values_per_facet", ">= 1", std::to_string(o.values_per_facet));
  require(o.latent_dim >= 1, "latent_dim", ">= 1", std::to_string(o.latent_dim));
  require(o.modality_dim >= 1, "modality_dim", ">= 1", std::to_string(o.modality_dim));
  for (const auto& [name, p] :
       {std::pair<const char*, double>{"follow_preference", o.follow_preference},
        {"long_gap_prob", o.long_gap_prob},
        {"long_gap_switch", o.long_gap_switch},
        {"facet_focus", o.facet_focus}}) {
    require(p >= 0.0 && p <= 1.0, name, "in [0, 1]", std::to_string(p));
  }
  require(o.latent_noise >= 0.0, "latent_noise", ">= 0", std::to_string(o.latent_noise));
  require(o.feature_noise >= 0.0, "feature_noise", ">= 0", std::to_string(o.feature_noise));
}

void write_synthetic_dataset(const std::string& out_dir, const std::string& name,
                             const SyntheticOptions& options) {
  validate_synthetic_options(options);
  if (name.empty() || name.find('/') != std::string::npos) {
    throw InputError("synthetic dataset: name '" + name + "' must be non-empty without '/'");
  }
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) throw InputError(out_dir + ": cannot create folder: " + ec.message());
  const std::string prefix = (std::filesystem::path(out_dir) / name).string();

  PortableRandom item_rng(stream_seed(options.seed, 0));
  const SyntheticItems items = make_items(options, item_rng);
  PortableRandom image_rng(stream_seed(options.seed, 1));
  write_npy_float32(prefix + ".image.npy", project_features(items, options, image_rng));
  PortableRandom text_rng(stream_seed(options.seed, 2));
  write_npy_float32(prefix + ".text.npy", project_features(items, options, text_rng));
  write_text(prefix + ".item", make_item_file(items));
  PortableRandom user_rng(stream_seed(options.seed, 3));
  write_text(prefix + ".inter", make_interactions(items, options, user_rng));
}

}  // namespace seqrec
