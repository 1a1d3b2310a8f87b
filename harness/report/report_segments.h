#pragma once
// `seqrec report --segments`: the test metrics of each reported configuration (each model's
// leaderboard configuration and each of its ablation variants) within segments of the test
// users (harness/test_case_segments.h), written as segments.{md,tex,csv,json}.
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "harness/report/report_tables.h"
#include "harness/report/test_case_segments.h"

namespace seqrec {

struct SegmentedRow {
  std::string model;
  std::string variant;  // "" = the leaderboard configuration
  int seeds = 0;
  // [metric][segment]: over seeds, each seed's mean over the segment's users; the last
  // entry is all users. NaN mean for a segment without users.
  std::map<std::string, std::vector<Stat>> values;
};

struct SegmentTable {
  std::string dataset;
  std::string protocol_hash;
  std::string slug;
  SegmentDimension dimension;
  std::vector<int64_t> users;        // per segment, then all: users in the per_user.csv files
  std::vector<std::string> metrics;  // the protocol's valid_metric, then HR@ its k
  std::vector<SegmentedRow> rows;    // leaderboard order, each model's variants after it
};

// Segment tables of every group. `segments_of` gives a group's dimensions (it loads the
// group's dataset); InputError when a per_user.csv names a user the dimensions do not know.
std::vector<SegmentTable> build_segment_tables(
    const Report& report,
    const std::function<std::vector<SegmentDimension>(const ReportGroup&)>& segments_of);

std::string render_segments(const std::vector<SegmentTable>& tables, TableFormat format);

// Writes segments.EXT for each format into `out_dir` (created), atomically; returns the paths.
std::vector<std::string> write_segment_tables(const std::vector<SegmentTable>& tables,
                                              const std::string& out_dir,
                                              const std::vector<TableFormat>& formats);

}  // namespace seqrec
