// The `seqrec` binary end to end on bad input (design §9): every mistake a user can make on
// the command line, in a config file or in a dataset exits with code 2 and one line
// "error: ..." that names the file and line (or the key); help and listings exit 0.
#include <torch/cuda.h>

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "core/params.h"
#include "harness/machine.h"
#include "harness/protocol.h"
#include "harness/trainer.h"
#include "models/registry.h"
#include "tests/test_support.h"

using namespace seqrec;
using seqrec::testing::CliResult;
using seqrec::testing::run_cli;
using seqrec::testing::run_cli_with_env;
using seqrec::testing::ScratchDir;

namespace {

using seqrec::testing::contains;

// Single-quotes a path for the shell.
std::string q(const std::string& s) { return "'" + s + "'"; }

const char* kHeader = "user_id:token\titem_id:token\ttimestamp:float\n";

// Interaction lines for `users` users with `per_user` items each, timestamps increasing.
std::string tiny_rows(int users, int per_user) {
  std::ostringstream out;
  int t = 1000;
  for (int u = 0; u < users; ++u)
    for (int k = 0; k < per_user; ++k)
      out << "u" << u << "\ti" << (u + k) % 7 << "\t" << t++ << "\n";
  return out.str();
}

// Writes NAME/NAME.inter into `dir` and returns the dataset folder.
std::string write_atomic(const ScratchDir& dir, const std::string& name,
                         const std::string& content) {
  dir.write(name + "/" + name + ".inter", content);
  return dir.file(name);
}

std::string train_args(const std::string& dataset, const std::string& out_dir,
                       const std::string& extra = "", const std::string& model = "pop") {
  return "train --model " + model + " --dataset " + q(dataset) + " --out " + q(out_dir) +
         " --threads 1 --quiet --set epochs=1 " + extra;
}

// Exit code 2 and exactly one line "error: ..." holding every one of `parts`.
void check_one_line_error(const CliResult& r, const std::vector<std::string>& parts) {
  BOOST_TEST_INFO("output: " << r.output);
  BOOST_CHECK_EQUAL(r.exit_code, 2);
  BOOST_CHECK(r.output.rfind("error: ", 0) == 0);
  std::string body = r.output;
  while (!body.empty() && body.back() == '\n') body.pop_back();
  BOOST_CHECK(!body.empty());
  BOOST_CHECK(!contains(body, "\n"));
  for (const auto& p : parts) {
    BOOST_TEST_INFO("expected part: " << p << "\noutput: " << r.output);
    BOOST_CHECK(contains(r.output, p));
  }
}

// The line of `output` that lists parameter `name` (indented "    name  type  default ...").
std::string key_line(const std::string& output, const std::string& name) {
  std::istringstream in(output);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string first;
    words >> first;
    if (first == name && line.rfind("    ", 0) == 0) return line;
  }
  return "";
}

// Every key of `schema` has a line in `output` showing its default.
void check_lists_schema(const std::string& output, const ParamSchema& schema) {
  for (const auto& spec : schema.specs()) {
    const std::string line = key_line(output, spec.name);
    BOOST_TEST_INFO("key " << spec.name << " default " << spec.default_value.dump());
    BOOST_CHECK(!line.empty());
    BOOST_TEST_INFO("key " << spec.name << " line: " << line);
    BOOST_CHECK(contains(line, spec.default_value.dump()));
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli)

// ---- datasets -------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(missing_dataset_folder_is_an_error_naming_it) {
  ScratchDir dir;
  const std::string missing = dir.file("no_such_dataset");
  check_one_line_error(run_cli(train_args(missing, dir.file("runs"))),
                       {missing, "no such dataset folder"});
}

BOOST_AUTO_TEST_CASE(folder_without_dataset_file_is_an_error_naming_the_folder) {
  ScratchDir dir;
  dir.write("empty/readme.md", "nothing here\n");
  check_one_line_error(run_cli(train_args(dir.file("empty"), dir.file("runs"))),
                       {dir.file("empty"), ".inter"});
}

BOOST_AUTO_TEST_CASE(unknown_dataset_name_exits_2_saying_where_it_looked) {
  ScratchDir dir;
  auto r = run_cli(train_args("no_such_dataset_name_xyz", dir.file("runs")));
  BOOST_TEST_INFO("output: " << r.output);
  BOOST_CHECK_EQUAL(r.exit_code, 2);
  BOOST_CHECK(r.output.rfind("error: ", 0) == 0);
  BOOST_CHECK(contains(r.output, "no_such_dataset_name_xyz"));
  BOOST_CHECK(contains(r.output, "SEQREC_DATA"));
}

BOOST_AUTO_TEST_CASE(header_column_without_type_is_an_error_at_line_1) {
  ScratchDir dir;
  const auto ds =
      write_atomic(dir, "tiny", "user_id\titem_id:token\ttimestamp:float\n" + tiny_rows(3, 4));
  check_one_line_error(run_cli(train_args(ds, dir.file("runs"))), {"tiny.inter:1:", "user_id"});
}

BOOST_AUTO_TEST_CASE(wrong_column_count_is_an_error_at_its_line) {
  ScratchDir dir;
  const auto ds =
      write_atomic(dir, "tiny", std::string(kHeader) + "u1\ti1\t1\nu1\ti2\n" + tiny_rows(3, 4));
  check_one_line_error(run_cli(train_args(ds, dir.file("runs"))), {"tiny.inter:3:", "found 2"});
}

BOOST_AUTO_TEST_CASE(non_numeric_timestamp_is_an_error_at_its_line) {
  ScratchDir dir;
  const auto ds =
      write_atomic(dir, "tiny", std::string(kHeader) + "u1\ti1\t1\nu1\ti2\t2\nu1\ti3\tyesterday\n");
  check_one_line_error(run_cli(train_args(ds, dir.file("runs"))), {"tiny.inter:4:", "yesterday"});
}

BOOST_AUTO_TEST_CASE(non_integer_id_in_sequence_file_is_an_error_at_its_line) {
  ScratchDir dir;
  dir.write("seqs/seqs.txt", "1 10 11 12 13\n2 10 11 abc 13\n3 11 12 13\n");
  check_one_line_error(run_cli(train_args(dir.file("seqs"), dir.file("runs"))),
                       {"seqs.txt:2:", "abc"});
}

BOOST_AUTO_TEST_CASE(empty_dataset_after_filtering_is_an_error_naming_the_file) {
  ScratchDir dir;
  const auto ds = write_atomic(dir, "tiny", kHeader + tiny_rows(4, 5));
  check_one_line_error(run_cli(train_args(ds, dir.file("runs"), "--set user_core=1000")),
                       {"tiny.inter", "no interactions left", "user_core=1000"});
}

BOOST_AUTO_TEST_CASE(user_with_fewer_than_3_items_is_an_error_naming_file_and_user) {
  ScratchDir dir;
  const auto ds =
      write_atomic(dir, "tiny", kHeader + tiny_rows(3, 4) + "short\ti1\t5000\nshort\ti2\t5001\n");
  check_one_line_error(run_cli(train_args(ds, dir.file("runs"))), {"tiny.inter", "'short'", "3"});
}

// ---- models and keys ------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(unknown_model_is_an_error_listing_the_registered_ones) {
  ScratchDir dir;
  const auto ds = write_atomic(dir, "tiny", kHeader + tiny_rows(4, 5));
  check_one_line_error(run_cli(train_args(ds, dir.file("runs"), "", "no_such_model")),
                       {"no_such_model", "pop", "sasrec"});
  check_one_line_error(run_cli("models no_such_model"), {"no_such_model", "sasrec"});
}

BOOST_AUTO_TEST_CASE(unknown_set_key_is_an_error_listing_the_accepted_keys) {
  ScratchDir dir;
  const auto ds = write_atomic(dir, "tiny", kHeader + tiny_rows(4, 5));
  check_one_line_error(run_cli(train_args(ds, dir.file("runs"), "--set no_such_key=1")),
                       {"--set", "'no_such_key'", "accepted keys", "max_len", "epochs", "lr"});
}

BOOST_AUTO_TEST_CASE(ill_typed_set_values_are_errors_naming_the_key) {
  ScratchDir dir;
  const auto ds = write_atomic(dir, "tiny", kHeader + tiny_rows(4, 5));
  const std::string runs = dir.file("runs");
  check_one_line_error(run_cli(train_args(ds, runs, "--set epochs=abc")), {"'epochs'", "abc"});
  check_one_line_error(run_cli(train_args(ds, runs, "--set epochs=1.5")), {"'epochs'", "1.5"});
  check_one_line_error(run_cli(train_args(ds, runs, "--set lr=fast")), {"'lr'", "fast"});
  check_one_line_error(run_cli(train_args(ds, runs, "--set mask_seen=maybe")),
                       {"'mask_seen'", "maybe"});
  check_one_line_error(run_cli(train_args(ds, runs, "--set ties=random")), {"'ties'", "expected"});
}

BOOST_AUTO_TEST_CASE(out_of_range_set_value_is_an_error_naming_the_key_and_bound) {
  ScratchDir dir;
  const auto ds = write_atomic(dir, "tiny", kHeader + tiny_rows(4, 5));
  check_one_line_error(run_cli(train_args(ds, dir.file("runs"), "--set max_len=0")),
                       {"'max_len'", ">= 1"});
  check_one_line_error(run_cli(train_args(ds, dir.file("runs"), "--set lr=-1")), {"'lr'", ">= 0"});
}

BOOST_AUTO_TEST_CASE(hidden_not_divisible_by_heads_is_an_error_naming_both_keys) {
  ScratchDir dir;
  const auto ds = write_atomic(dir, "tiny", kHeader + tiny_rows(4, 5));
  // Every transformer model reads the two keys through the same options, so each refuses the
  // split before torch's own check (a stack trace, exit 1) is ever reached.
  for (const std::string model : {"sasrec", "bert4rec", "fame", "cl4srec"})
    check_one_line_error(
        run_cli(train_args(ds, dir.file("runs"), "--set hidden=63 --set heads=2", model)),
        {"hidden=63", "heads=2"});
}

BOOST_AUTO_TEST_CASE(set_without_equals_sign_is_an_error_showing_the_argument) {
  ScratchDir dir;
  const auto ds = write_atomic(dir, "tiny", kHeader + tiny_rows(4, 5));
  check_one_line_error(run_cli(train_args(ds, dir.file("runs"), "--set max_len")),
                       {"key=value", "max_len"});
  check_one_line_error(run_cli(train_args(ds, dir.file("runs"), "--set =5")), {"key=value", "=5"});
}

BOOST_AUTO_TEST_CASE(protocol_key_errors_name_the_key) {
  ScratchDir dir;
  const auto ds = write_atomic(dir, "tiny", kHeader + tiny_rows(4, 5));
  check_one_line_error(run_cli(train_args(ds, dir.file("runs"), "--set valid_metric=AUC")),
                       {"'valid_metric'", "AUC"});
  check_one_line_error(run_cli(train_args(ds, dir.file("runs"), "--set ks=5,ten")),
                       {"'ks'", "ten"});
}

// ---- config files ---------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(config_file_with_invalid_json_is_an_error_naming_the_file) {
  ScratchDir dir;
  const auto ds = write_atomic(dir, "tiny", kHeader + tiny_rows(4, 5));
  const auto config = dir.write("bad.json", "{\"lr\": 0.01,,\n}\n");
  check_one_line_error(run_cli(train_args(ds, dir.file("runs"), "--config " + q(config))),
                       {config, "invalid JSON"});
}

BOOST_AUTO_TEST_CASE(config_file_that_is_not_an_object_is_an_error_naming_the_file) {
  ScratchDir dir;
  const auto ds = write_atomic(dir, "tiny", kHeader + tiny_rows(4, 5));
  const auto config = dir.write("list.json", "[1, 2, 3]\n");
  check_one_line_error(run_cli(train_args(ds, dir.file("runs"), "--config " + q(config))),
                       {config, "object"});
}

BOOST_AUTO_TEST_CASE(config_file_with_unknown_or_ill_typed_key_is_an_error_naming_file_and_key) {
  ScratchDir dir;
  const auto ds = write_atomic(dir, "tiny", kHeader + tiny_rows(4, 5));
  const auto unknown = dir.write("unknown.json", "{\"learning_rate\": 0.01}\n");
  check_one_line_error(run_cli(train_args(ds, dir.file("runs"), "--config " + q(unknown))),
                       {unknown, "'learning_rate'", "accepted keys", "lr"});
  const auto typed = dir.write("typed.json", "{\"epochs\": 1.5}\n");
  check_one_line_error(run_cli(train_args(ds, dir.file("runs"), "--config " + q(typed))),
                       {typed, "'epochs'", "integer"});
}

BOOST_AUTO_TEST_CASE(missing_config_file_is_an_error_naming_the_file) {
  ScratchDir dir;
  const auto ds = write_atomic(dir, "tiny", kHeader + tiny_rows(4, 5));
  const auto config = dir.file("absent.json");
  check_one_line_error(run_cli(train_args(ds, dir.file("runs"), "--config " + q(config))),
                       {config});
}

// ---- devices and the command line -----------------------------------------------------

BOOST_AUTO_TEST_CASE(cuda_device_without_cuda_is_an_error_never_a_crash) {
  ScratchDir dir;
  const auto ds = write_atomic(dir, "tiny", kHeader + tiny_rows(4, 5));
  auto r = run_cli(train_args(ds, dir.file("runs"), "--device cuda"));
  BOOST_TEST_INFO("output: " << r.output);
  if (torch::cuda::is_available()) {
    BOOST_CHECK_EQUAL(r.exit_code, 0);
  } else {
    check_one_line_error(r, {"--device cuda", "CUDA"});
  }
}

BOOST_AUTO_TEST_CASE(device_that_is_not_a_device_is_an_error_naming_it) {
  ScratchDir dir;
  const auto ds = write_atomic(dir, "tiny", kHeader + tiny_rows(4, 5));
  check_one_line_error(run_cli(train_args(ds, dir.file("runs"), "--device toaster")),
                       {"--device", "toaster"});
}

BOOST_AUTO_TEST_CASE(unknown_subcommand_and_option_exit_2) {
  check_one_line_error(run_cli("no_such_command"), {"no_such_command"});
  check_one_line_error(run_cli("train --model pop --dataset x --no-such-option 1"),
                       {"--no-such-option"});
  check_one_line_error(run_cli("dataset no_such_command"), {"no_such_command"});
  check_one_line_error(run_cli(""), {"subcommand"});
}

BOOST_AUTO_TEST_CASE(train_without_required_options_exits_2_naming_them) {
  check_one_line_error(run_cli("train --dataset x"), {"--model"});
  check_one_line_error(run_cli("train --model pop"), {"--dataset"});
  check_one_line_error(run_cli("train --model pop --dataset x --threads 0"), {"--threads"});
}

BOOST_AUTO_TEST_CASE(good_tiny_run_exits_0_and_writes_a_trial_folder) {
  ScratchDir dir;
  const auto ds = write_atomic(dir, "tiny", kHeader + tiny_rows(4, 5));
  auto r = run_cli(train_args(ds, dir.file("runs")));
  BOOST_TEST_INFO("output: " << r.output);
  BOOST_CHECK_EQUAL(r.exit_code, 0);
  BOOST_CHECK(contains(r.output, "pop"));
  BOOST_CHECK(std::filesystem::exists(dir.file("runs")));
}

// A trial reproduces bit for bit only on the same kernels, so its result says which ran: here
// OpenBLAS's Haswell ones, chosen by OPENBLAS_CORETYPE as docs/reproducing.md tells.
BOOST_AUTO_TEST_CASE(result_json_records_the_cpu_and_the_kernels_the_trial_ran_on) {
  ScratchDir dir;
  const auto ds = write_atomic(dir, "tiny", kHeader + tiny_rows(4, 5));
  // Haswell's kernels need AVX2, which torch's AVX2 capability implies.
  const bool force_haswell =
      blas_kernels() != "not OpenBLAS" && torch_cpu_capability() != "DEFAULT";
  auto r = run_cli_with_env(force_haswell ? "OPENBLAS_CORETYPE=Haswell" : "",
                            train_args(ds, dir.file("runs")));
  BOOST_TEST_INFO("output: " << r.output);
  BOOST_REQUIRE_EQUAL(r.exit_code, 0);
  const auto trial = *std::filesystem::directory_iterator(dir.file("runs"));
  const auto result =
      nlohmann::json::parse(seqrec::testing::slurp((trial.path() / "result.json").string()));
  const auto& machine = result.at("machine");
  BOOST_TEST(machine.at("cpu").get<std::string>() == cpu_model_name());
  BOOST_TEST(machine.at("blas").get<std::string>() == blas_library());
  BOOST_TEST(machine.at("blas_kernels").get<std::string>() ==
             (force_haswell ? "Haswell" : blas_kernels()));
  const auto capability = machine.at("torch_cpu_capability").get<std::string>();
  BOOST_TEST((capability == "DEFAULT" || capability == "AVX2" || capability == "AVX512"),
             "torch_cpu_capability " << capability);
}

// ---- help and listings ----------------------------------------------------------------

BOOST_AUTO_TEST_CASE(top_level_help_lists_every_subcommand) {
  auto r = run_cli("--help");
  BOOST_TEST_INFO("output: " << r.output);
  BOOST_CHECK_EQUAL(r.exit_code, 0);
  for (const char* part : {"train", "models", "dataset", "Exit codes"})
    BOOST_CHECK(contains(r.output, part));
}

BOOST_AUTO_TEST_CASE(train_help_lists_every_option_with_its_default) {
  auto r = run_cli("train --help");
  BOOST_TEST_INFO("output: " << r.output);
  BOOST_CHECK_EQUAL(r.exit_code, 0);
  for (const char* option : {"--model", "--dataset", "--config", "--set", "--seed", "--out",
                             "--threads", "--device", "--dump-topk", "--quiet"}) {
    BOOST_TEST_INFO("option " << option);
    BOOST_CHECK(contains(r.output, option));
  }
  auto line_of = [&](const std::string& option) {
    std::istringstream in(r.output);
    std::string line;
    while (std::getline(in, line))
      if (contains(line, option)) return line;
    return std::string();
  };
  BOOST_CHECK(contains(line_of("--seed"), "42"));
  BOOST_CHECK(contains(line_of("--out"), "runs"));
  BOOST_CHECK(contains(line_of("--device"), "cpu"));
  BOOST_CHECK(contains(line_of("--dump-topk"), "0"));
  BOOST_CHECK(contains(line_of("--threads"), "="));  // default: the number of cores
  BOOST_CHECK(contains(r.output, "default: all cores"));
}

BOOST_AUTO_TEST_CASE(models_lists_every_registered_model_with_its_keys_and_defaults) {
  auto r = run_cli("models");
  BOOST_TEST_INFO("output: " << r.output);
  BOOST_CHECK_EQUAL(r.exit_code, 0);
  for (const auto& name : ModelRegistry::instance().names()) {
    BOOST_TEST_INFO("model " << name);
    // Models share key names (hidden, dropout...), so look each key up in the model's own
    // section: from its "name - " header to the next blank line.
    // At a line's start: "sasrec - " is also the tail of "esasrec - ".
    auto start = r.output.rfind(name + " - ", 0) == 0 ? 0 : r.output.find("\n" + name + " - ");
    BOOST_REQUIRE(start != std::string::npos);
    if (start != 0) ++start;
    const auto end = r.output.find("\n\n", start);
    check_lists_schema(
        r.output.substr(start, end == std::string::npos ? std::string::npos : end - start),
        ModelRegistry::instance().get(name).schema());
  }
}

BOOST_AUTO_TEST_CASE(models_sasrec_lists_only_sasrec_with_every_key_and_default) {
  auto r = run_cli("models sasrec");
  BOOST_TEST_INFO("output: " << r.output);
  BOOST_CHECK_EQUAL(r.exit_code, 0);
  BOOST_CHECK(r.output.rfind("sasrec - ", 0) == 0);
  BOOST_CHECK(!contains(r.output, "pop - "));
  check_lists_schema(r.output, ModelRegistry::instance().get("sasrec").schema());
  for (const char* key : {"hidden", "layers", "heads", "dropout", "max_len"}) {
    if (std::string(key) == "max_len") {
      BOOST_CHECK(key_line(r.output, key).empty());  // protocol keys only with --common
    } else {
      BOOST_CHECK(!key_line(r.output, key).empty());
    }
  }
}

BOOST_AUTO_TEST_CASE(models_common_lists_every_trainer_and_protocol_key_with_its_default) {
  auto r = run_cli("models --common");
  BOOST_TEST_INFO("output: " << r.output);
  BOOST_CHECK_EQUAL(r.exit_code, 0);
  BOOST_CHECK(contains(r.output, "trainer keys"));
  BOOST_CHECK(contains(r.output, "protocol keys"));
  check_lists_schema(r.output, trainer_schema());
  check_lists_schema(r.output, protocol_schema());
}

// A filtered seqrec_bench run is named on its page as it was run, not as scripts/bench.sh.
BOOST_AUTO_TEST_CASE(perf_report_names_the_command_it_is_given) {
  ScratchDir dir;
  const auto bench = dir.write(
      "bench.json",
      R"({"context": {"num_cpus": 2}, "benchmarks": [{"name": "BM_MatmulF32/M:6400/K:64/N:256",)"
      R"( "run_type": "iteration", "cpu_time": 1.0, "real_time": 1.0, "time_unit": "ms",)"
      R"( "FLOP/s": 1e11}]})");
  const auto page = dir.file("page.md");
  auto r = run_cli("perf-report " + bench + " --out " + page +
                   " --command 'build/seqrec_bench --benchmark_filter=Matmul'");
  BOOST_TEST_INFO("output: " << r.output);
  BOOST_CHECK_EQUAL(r.exit_code, 0);
  std::ifstream in(page);
  const std::string md((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  BOOST_CHECK(contains(md, "Generated by `build/seqrec_bench --benchmark_filter=Matmul` from"));
  r = run_cli("perf-report " + bench + " --out " + page);
  std::ifstream again(page);
  const std::string by_default((std::istreambuf_iterator<char>(again)),
                               std::istreambuf_iterator<char>());
  BOOST_CHECK(contains(by_default, "Generated by `bash scripts/bench.sh` from"));
}

BOOST_AUTO_TEST_SUITE_END()
