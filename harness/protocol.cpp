#include "harness/protocol.h"

#include <cstdio>

#include "core/errors.h"

namespace seqrec {

std::string stable_hash(const std::string& text) {
  uint64_t h = 14695981039346656037ULL;  // FNV-1a 64-bit offset basis
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

ParamSchema protocol_schema() {
  ParamSchema s;
  s.string_param("split", "loo",
                 "data split: loo = per user last item test, second-to-last validation "
                 "(SASRec/S3-Rec protocol)",
                 {"loo"});
  s.int_param("max_len", 50, "most recent items of a sequence fed to the model (SASRec: 50)", 1,
              100000);
  s.int_param("user_core", 0,
              "k-core filter: keep users with at least this many interactions (0 = off)", 0);
  s.int_param("item_core", 0,
              "k-core filter: keep items with at least this many interactions (0 = off)", 0);
  s.bool_param("drop_duplicates", false,
               "drop repeated (user, item) interactions, keeping the first");
  s.bool_param("mask_seen", false,
               "exclude items the user already interacted with from the ranking (the target "
               "itself is never excluded)");
  s.string_param("ties", "expected",
                 "rank of a target tied with other items: expected (mean over random order), "
                 "pessimistic, optimistic",
                 {"expected", "pessimistic", "optimistic"});
  s.string_list_param("metrics", {"HR", "Recall", "NDCG", "MRR", "Precision"},
                      "metrics reported at every k", {"HR", "Recall", "NDCG", "MRR", "Precision"});
  s.string_list_param("ks", {"5", "10", "20"}, "cut-offs k of the metrics");
  s.string_param("valid_metric", "NDCG@10",
                 "validation metric for early stopping and model selection (never the test split)");
  s.string_param("drop_users", "none",
                 "users a stage leaves out: none (default), or cold_or_seen_target = those whose "
                 "held-out item occurs before that stage in no user's sequence, or already in "
                 "their own (the eSASRec benchmark's leave-one-out splitter; Beauty's test keeps "
                 "22,311 of 22,363). result.json records the counts",
                 {"none", "cold_or_seen_target"});
  s.added_after_recorded_trials("drop_users");
  return s;
}

Protocol protocol_from_params(const Params& p) {
  Protocol pr;
  pr.split = p.get_string("split");
  pr.max_len = p.get_int("max_len");
  pr.filter.user_core = static_cast<int>(p.get_int("user_core"));
  pr.filter.item_core = static_cast<int>(p.get_int("item_core"));
  pr.filter.drop_duplicates = p.get_bool("drop_duplicates");
  pr.mask_seen = p.get_bool("mask_seen");
  pr.ties = parse_tie_rule(p.get_string("ties"));
  pr.metrics.metrics = p.get_string_list("metrics");
  pr.metrics.ks.clear();
  for (const auto& k : p.get_string_list("ks")) {
    size_t used = 0;
    int v = 0;
    try {
      v = std::stoi(k, &used);
    } catch (...) {
      used = 0;
    }
    if (used != k.size() || v < 1)
      throw InputError("key 'ks': '" + k + "' is not a positive integer");
    pr.metrics.ks.push_back(v);
  }
  if (pr.metrics.metrics.empty() || pr.metrics.ks.empty())
    throw InputError("keys 'metrics' and 'ks' must not be empty");
  pr.valid_metric = p.get_string("valid_metric");
  pr.drop_users = parse_drop_users(p.get_string("drop_users"));
  bool known = false;
  for (const auto& c : pr.metrics.columns()) known |= (c == pr.valid_metric);
  if (!known)
    throw InputError("key 'valid_metric': '" + pr.valid_metric +
                     "' is not one of the computed metrics (e.g. NDCG@10)");
  return pr;
}

nlohmann::json Protocol::to_json() const {
  nlohmann::json j = {{"split", split},
                      {"max_len", max_len},
                      {"filter",
                       {{"user_core", filter.user_core},
                        {"item_core", filter.item_core},
                        {"drop_duplicates", filter.drop_duplicates}}},
                      {"candidates", candidates},
                      {"mask_seen", mask_seen},
                      {"ties", seqrec::to_string(ties)},
                      {"metrics", metrics.metrics},
                      {"ks", metrics.ks},
                      {"valid_metric", valid_metric}};
  // Added after results were recorded under the hash of the keys above.
  if (drop_users != DropUsers::None) j["drop_users"] = seqrec::to_string(drop_users);
  return j;
}

PreprocessOptions recorded_filter(const nlohmann::json& protocol) {
  const nlohmann::json f = protocol.value("filter", nlohmann::json::object());
  PreprocessOptions filter;
  filter.user_core = f.value("user_core", filter.user_core);
  filter.item_core = f.value("item_core", filter.item_core);
  filter.drop_duplicates = f.value("drop_duplicates", filter.drop_duplicates);
  return filter;
}

std::string Protocol::hash() const { return stable_hash(to_json().dump()); }

}  // namespace seqrec
