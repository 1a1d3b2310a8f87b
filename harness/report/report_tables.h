#pragma once
// `seqrec report` tables (design §8): leaderboard, ablation and sensitivity tables built
// from finished trial folders, in Markdown, LaTeX (booktabs), CSV and JSON.
//
// Semantics:
//  - ok trials are grouped by (dataset, protocol_hash); each group is its own table, so
//    results under different protocols never share one. Failed trials are listed apart.
//  - A configuration is (model, variant, params + trainer); its seeds are its repetitions.
//    Each model's (and each ablation variant's) configuration is chosen by the best mean
//    VALIDATION value of the protocol's valid_metric (ties: the first configuration in the
//    order of its canonical JSON); the tables then show its TEST numbers over seeds.
//  - Significance: per-user test values of the valid_metric (averaged over the chosen
//    configuration's seeds, users matched by the `user` column) of the best model vs each
//    other one: Wilcoxon signed-rank and paired t-test; marker † when Wilcoxon p < 0.05.
//  - Output is byte-identical for the same folders: everything is sorted, numbers have a
//    fixed format (metrics %.4f, p-values %.3g), there are no timestamps.
#include <string>
#include <vector>

#include "harness/report/published_reference.h"
#include "harness/report/report_model.h"
#include "harness/report/report_text.h"
#include "harness/trial_store.h"

namespace seqrec {

struct SweepSpec;

// Groups, selects configurations, runs the significance tests (reads per_user.csv).
// `planned`: rows the specs named to the report reproduce, listed as not run yet while none
// of their trials has finished.
Report build_report(const TrialScan& scan, const Reference& reference,
                    const std::vector<PlannedReproduction>& planned = {});

// "md"/"markdown", "latex"/"tex", "csv", "json"; InputError otherwise.
TableFormat parse_table_format(const std::string& name);
std::string format_extension(TableFormat format);  // "md", "tex", "csv", "json"

std::string render_leaderboard(const Report& report, TableFormat format);
std::string render_ablation(const Report& report, TableFormat format);
std::string render_sensitivity(const Report& report, TableFormat format);
std::string render_reproduction(const Report& report, TableFormat format);

// The reproduction table's rows from the trials that name a preset and the published model
// row they reproduce; a preset or published row this build does not know becomes a note.
// A planned row without a finished trial gets the verdict "not run yet" and no numbers.
std::vector<ReproductionRow> reproduction_rows(
    const std::vector<TrialRecord>& trials, const Reference& reference,
    std::vector<std::string>& notes, const std::vector<PlannedReproduction>& planned = {});
// Labels the trials that `spec` expands to (matched by trial id) with its preset and each
// trial's published row, where they ran without them: a preset is only keys, so a trial run
// by another spec with the same keys is that preset's run. Returns how many were labelled.
size_t label_reproductions(std::vector<TrialRecord>& trials, const SweepSpec& spec);
// The published rows `spec` reproduces, one per (dataset, row), with their trial ids.
std::vector<PlannedReproduction> planned_reproductions(const SweepSpec& spec);
// reproduced: |Δ| <= 5% or within 2 std of the seeds (n >= 2); else exceeds or not reproduced.
std::string reproduction_verdict(const Stat& ours, double published);

// Writes leaderboard.EXT, ablation.EXT and sensitivity.EXT for each format into `out_dir`
// (created), atomically, and reproduction.EXT when some trial reproduces a published row.
// Returns the paths written, in order.
std::vector<std::string> write_report_tables(const Report& report, const std::string& out_dir,
                                             const std::vector<TableFormat>& formats);

}  // namespace seqrec
