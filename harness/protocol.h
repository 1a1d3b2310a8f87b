#pragma once
// The evaluation protocol (design §4): a named, hashed value recorded with every result.
// Results under different protocol hashes never share a table column silently.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/params.h"
#include "datasets/dataset.h"
#include "datasets/held_out_users.h"
#include "harness/metrics.h"

namespace seqrec {

struct Protocol {
  std::string split = "loo";
  int64_t max_len = 50;
  PreprocessOptions filter;
  std::string candidates = "full";
  bool mask_seen = false;
  TieRule ties = TieRule::Expected;
  MetricSpec metrics;
  std::string valid_metric = "NDCG@10";
  DropUsers drop_users = DropUsers::None;  // in to_json (and the hash) only when set

  nlohmann::json to_json() const;
  // 16 hex digits of a 64-bit FNV-1a hash of the canonical JSON (sorted keys, no spaces).
  std::string hash() const;
};

// The dataset filter of a recorded protocol (the "filter" object Protocol::to_json writes);
// a missing key keeps its default.
PreprocessOptions recorded_filter(const nlohmann::json& protocol);

// The protocol's keys as a parameter schema, so `--set max_len=200` and config files use the
// same validation as model keys.
ParamSchema protocol_schema();
Protocol protocol_from_params(const Params& params);

// 64-bit FNV-1a of a string, as 16 lower-case hex digits; stable across platforms and runs.
std::string stable_hash(const std::string& text);

}  // namespace seqrec
