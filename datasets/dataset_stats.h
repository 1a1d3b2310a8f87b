#pragma once
// Summary statistics of a loaded dataset (`seqrec dataset stats`), comparable with the
// tables in papers and in shared/datasets/*/README.md.
#include <cstdint>
#include <string>

#include "datasets/dataset.h"

namespace seqrec {

struct DatasetStats {
  std::string name;
  int64_t users = 0, items = 0, interactions = 0;
  int64_t min_length = 0, max_length = 0;
  double mean_length = 0;
  double density = 0;  // interactions / (users * items)

  bool has_timestamps = false;
  double first_timestamp = 0, last_timestamp = 0;  // seconds
  std::string first_date, last_date;               // ISO dates (UTC), empty without timestamps

  std::string category_field;  // empty without categories
  int64_t categories = 0;
  int64_t min_categories_per_item = 0, max_categories_per_item = 0;
  double mean_categories_per_item = 0;
};

DatasetStats compute_stats(const Dataset& dataset);

// A two-column table, one quantity per line, numbers with thousands separators.
std::string format_stats_table(const DatasetStats& stats);

// "YYYY-MM-DD" (UTC) of a unix time in seconds.
std::string iso_date(double unix_seconds);

}  // namespace seqrec
