#include "datasets/preprocess.h"

#include <algorithm>
#include <numeric>

#include "core/errors.h"

namespace seqrec {
namespace {

struct UserSequence {
  std::vector<int32_t> items;  // raw item indices
  std::vector<double> times;   // empty when there are no timestamps
};

// Groups interactions by user in file order (a counting sort, hence stable), then sorts
// each user stably by timestamp: ties keep file order, which is the order the source
// benchmarks (S3Rec, RecBole) use for same-second or same-day interactions.
std::vector<UserSequence> group_and_sort(const RawInteractions& raw) {
  const size_t num_users = raw.user_tokens.size();
  const bool timed = !raw.timestamps.empty();
  std::vector<UserSequence> users(num_users);
  std::vector<size_t> counts(num_users, 0);
  for (int32_t u : raw.users) ++counts[static_cast<size_t>(u)];
  for (size_t u = 0; u < num_users; ++u) {
    users[u].items.reserve(counts[u]);
    if (timed) users[u].times.reserve(counts[u]);
  }
  for (size_t i = 0; i < raw.users.size(); ++i) {
    UserSequence& seq = users[static_cast<size_t>(raw.users[i])];
    seq.items.push_back(raw.items[i]);
    if (timed) seq.times.push_back(raw.timestamps[i]);
  }
  if (!timed) return users;
  std::vector<size_t> order;
  for (UserSequence& seq : users) {
    if (std::is_sorted(seq.times.begin(), seq.times.end())) continue;
    order.resize(seq.items.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return seq.times[a] < seq.times[b]; });
    UserSequence sorted;
    sorted.items.reserve(order.size());
    sorted.times.reserve(order.size());
    for (size_t k : order) {
      sorted.items.push_back(seq.items[k]);
      sorted.times.push_back(seq.times[k]);
    }
    seq = std::move(sorted);
  }
  return users;
}

// Keeps each user's first (earliest) interaction with an item, as RecBole's
// `rm_dup_inter: first` does.
void drop_duplicate_pairs(std::vector<UserSequence>& users, size_t num_items) {
  std::vector<int64_t> last_user_seen(num_items, -1);
  for (size_t u = 0; u < users.size(); ++u) {
    UserSequence& seq = users[u];
    size_t kept = 0;
    for (size_t k = 0; k < seq.items.size(); ++k) {
      const auto item = static_cast<size_t>(seq.items[k]);
      if (last_user_seen[item] == static_cast<int64_t>(u)) continue;
      last_user_seen[item] = static_cast<int64_t>(u);
      seq.items[kept] = seq.items[k];
      if (!seq.times.empty()) seq.times[kept] = seq.times[k];
      ++kept;
    }
    seq.items.resize(kept);
    if (!seq.times.empty()) seq.times.resize(kept);
  }
}

// Removes users and items below their thresholds until none is left below (removing an
// item can push a user under the user threshold and vice versa).
void iterative_k_core(std::vector<UserSequence>& users, size_t num_items, int user_core,
                      int item_core) {
  if (user_core <= 0 && item_core <= 0) return;
  std::vector<int64_t> item_counts(num_items);
  bool changed = true;
  while (changed) {
    changed = false;
    if (user_core > 0) {
      for (UserSequence& seq : users) {
        if (!seq.items.empty() && seq.items.size() < static_cast<size_t>(user_core)) {
          seq.items.clear();
          seq.times.clear();
          changed = true;
        }
      }
    }
    if (item_core > 0) {
      std::fill(item_counts.begin(), item_counts.end(), 0);
      for (const UserSequence& seq : users) {
        for (int32_t item : seq.items) ++item_counts[static_cast<size_t>(item)];
      }
      for (UserSequence& seq : users) {
        size_t kept = 0;
        for (size_t k = 0; k < seq.items.size(); ++k) {
          if (item_counts[static_cast<size_t>(seq.items[k])] < item_core) continue;
          seq.items[kept] = seq.items[k];
          if (!seq.times.empty()) seq.times[kept] = seq.times[k];
          ++kept;
        }
        if (kept != seq.items.size()) changed = true;
        seq.items.resize(kept);
        if (!seq.times.empty()) seq.times.resize(kept);
      }
    }
  }
}

}  // namespace

Dataset build_sequences(const RawInteractions& raw, const PreprocessOptions& options,
                        const std::string& source) {
  if (options.user_core < 0 || options.item_core < 0) {
    throw InputError("user_core and item_core must be >= 0");
  }
  const bool timed = !raw.timestamps.empty();
  std::vector<UserSequence> users = group_and_sort(raw);
  if (options.drop_duplicates) drop_duplicate_pairs(users, raw.item_tokens.size());
  iterative_k_core(users, raw.item_tokens.size(), options.user_core, options.item_core);

  // Id remap: users keep their order of first appearance in the file; items are numbered
  // 1..N in order of first appearance when walking those users' sorted sequences. Both are
  // deterministic functions of the file, so ids (and hence results) are reproducible; for
  // the S3Rec-derived files this reproduces the source's own item ids.
  Dataset dataset;
  dataset.item_tokens.push_back("[PAD]");
  std::vector<int64_t> new_id(raw.item_tokens.size(), 0);
  for (size_t u = 0; u < users.size(); ++u) {
    UserSequence& seq = users[u];
    if (seq.items.empty()) continue;
    std::vector<int64_t> ids;
    ids.reserve(seq.items.size());
    for (int32_t item : seq.items) {
      int64_t& id = new_id[static_cast<size_t>(item)];
      if (id == 0) {
        id = static_cast<int64_t>(dataset.item_tokens.size());
        dataset.item_tokens.push_back(raw.item_tokens[static_cast<size_t>(item)]);
      }
      ids.push_back(id);
    }
    dataset.user_tokens.push_back(raw.user_tokens[u]);
    dataset.sequences.push_back(std::move(ids));
    if (timed) dataset.timestamps.push_back(std::move(seq.times));
  }
  if (dataset.sequences.empty()) {
    throw InputError(source + ": no interactions left after filtering (user_core=" +
                     std::to_string(options.user_core) +
                     ", item_core=" + std::to_string(options.item_core) +
                     ", drop_duplicates=" + (options.drop_duplicates ? "true" : "false") + ")");
  }
  return dataset;
}

}  // namespace seqrec
