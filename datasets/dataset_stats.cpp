#include "datasets/dataset_stats.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "core/number_format.h"
#include "datasets/text_parse.h"

namespace seqrec {
namespace {

std::string fixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

}  // namespace

std::string iso_date(double unix_seconds) {
  // Days to civil date (H. Hinnant's algorithm): no gmtime, so no time zone or thread issues.
  const auto days = static_cast<int64_t>(std::floor(unix_seconds / 86400.0));
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  char buffer[80];
  std::snprintf(buffer, sizeof buffer, "%04lld-%02lld-%02lld", static_cast<long long>(year),
                static_cast<long long>(month), static_cast<long long>(day));
  return buffer;
}

DatasetStats compute_stats(const Dataset& dataset) {
  DatasetStats s;
  s.name = dataset.name;
  s.users = dataset.num_users();
  s.items = dataset.num_items();
  s.interactions = dataset.num_interactions();
  if (s.users > 0) {
    s.min_length = std::numeric_limits<int64_t>::max();
    for (const auto& seq : dataset.sequences) {
      s.min_length = std::min<int64_t>(s.min_length, static_cast<int64_t>(seq.size()));
      s.max_length = std::max<int64_t>(s.max_length, static_cast<int64_t>(seq.size()));
    }
    s.mean_length = static_cast<double>(s.interactions) / static_cast<double>(s.users);
    if (s.items > 0) {
      s.density = static_cast<double>(s.interactions) /
                  (static_cast<double>(s.users) * static_cast<double>(s.items));
    }
  }

  s.has_timestamps = dataset.has_timestamps();
  if (s.has_timestamps) {
    bool first = true;
    for (const auto& times : dataset.timestamps) {
      for (double t : times) {
        if (first || t < s.first_timestamp) s.first_timestamp = t;
        if (first || t > s.last_timestamp) s.last_timestamp = t;
        first = false;
      }
    }
    s.first_date = iso_date(s.first_timestamp);
    s.last_date = iso_date(s.last_timestamp);
  }

  if (dataset.has_categories()) {
    s.category_field = dataset.category_field;
    s.categories = static_cast<int64_t>(dataset.category_tokens.size());
    s.min_categories_per_item = std::numeric_limits<int64_t>::max();
    int64_t total = 0;
    for (size_t id = 1; id < dataset.item_categories.size(); ++id) {
      const auto n = static_cast<int64_t>(dataset.item_categories[id].size());
      s.min_categories_per_item = std::min(s.min_categories_per_item, n);
      s.max_categories_per_item = std::max(s.max_categories_per_item, n);
      total += n;
    }
    if (s.items > 0) s.mean_categories_per_item = static_cast<double>(total) / s.items;
    if (s.min_categories_per_item == std::numeric_limits<int64_t>::max()) {
      s.min_categories_per_item = 0;
    }
  }
  return s;
}

std::string format_stats_table(const DatasetStats& s) {
  std::string out;
  auto row = [&](const std::string& key, const std::string& value) {
    out += key;
    out.append(key.size() < 24 ? 24 - key.size() : 1, ' ');
    out += value + "\n";
  };
  row("dataset", s.name);
  row("users", format_with_thousands(s.users));
  row("items", format_with_thousands(s.items));
  row("interactions", format_with_thousands(s.interactions));
  row("density", fixed(100.0 * s.density, 4) + " %");
  row("seq. length", "min " + format_with_thousands(s.min_length) + " / mean " +
                         fixed(s.mean_length, 2) + " / max " + format_with_thousands(s.max_length));
  row("timestamps", s.has_timestamps ? s.first_date + " to " + s.last_date : "none");
  if (s.category_field.empty()) {
    row("categories", "none");
  } else {
    row("categories", format_with_thousands(s.categories) + " (column '" + s.category_field + "')");
    row("categories per item", "min " + format_with_thousands(s.min_categories_per_item) +
                                   " / mean " + fixed(s.mean_categories_per_item, 2) + " / max " +
                                   format_with_thousands(s.max_categories_per_item));
  }
  return out;
}

}  // namespace seqrec
