// `seqrec dataset get`: the conversions of each original format on hand-made excerpts, and
// the whole path (download through a mirror, sha256, conversion, checks, the folder put in
// place) against a loopback HTTP server serving fixture files at the original paths.
#include <archive.h>
#include <archive_entry.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/errors.h"
#include "datasets/archive_members.h"
#include "datasets/download.h"
#include "datasets/source_conversion.h"
#include "test_support.h"

using namespace seqrec;
using namespace seqrec::testing;
namespace fs = std::filesystem;

namespace {

// ---- hand-made excerpts of each original format, and the atomic files they must give ----

// S3-Rec (Beauty-like): user 2's item 7 has repeated attributes, item 9 none; the title of
// item 9's ASIN is empty, as one Beauty title is.
const char* kSequences = "1 5 7 9\n2 7 5 10\n3 10 9 5 7\n";
const char* kAttributes = R"({"5": [3, 1], "7": [2, 2, 4, 2], "10": [1]})";
const char* kTimestamps = "1 100 200 300\n2 150 150 400\n3 10 20 30 40\n";
const char* kTitleLines = "A5 Lipstick Red\nA7 Soap\nA9 \nA10 Brush, large\n";
const char* kUserAsins = "r1 A5 A7 A9\nr2 A7 A5 A10\nr3 A10 A9 A5 A7\n";
const char* kBeautyInter =
    "user_id:token\titem_id:token\ttimestamp:float\n"
    "1\t5\t100\n1\t7\t200\n1\t9\t300\n2\t7\t150\n2\t5\t150\n2\t10\t400\n"
    "3\t10\t10\n3\t9\t20\n3\t5\t30\n3\t7\t40\n";
const char* kBeautyItem =
    "item_id:token\tcategories:token_seq\ttitle:token_seq\n"
    "5\t3 1\tLipstick Red\n7\t2 4\tSoap\n9\t\t\n10\t1\tBrush, large\n";

// MovieLens 100K: u.data verbatim under a header; u.item is ISO-8859-1 (0xE9 = é), with the
// one title without a year (267), one with a trailing space and one with a "(V)" year.
const char* kUData = "196\t242\t3\t881250949\n186\t302\t3\t891717742\n22\t377\t1\t878887116\n";
const std::string kUItem =
    "1|Toy Story (1995)|01-Jan-1995||http://x|0|0|0|1|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0\n"
    "267|unknown||||1|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0\n"
    "1128|Heidi Fleiss: Hollywood Madam (1995) |09-Feb-1996||http://x|0|0|0|0|0|0|0|1|0|0|0|0|0|"
    "0|0|0|0|0|0\n"
    "1412|Land Before Time III: The Time of the Great Giving (1995) (V)|01-Jan-1995||http://x|0|0|"
    "0|1|1|0|0|0|0|0|0|0|1|0|0|0|0|0|0\n"
    "543|Mis\xE9rables, Les (1995)|01-Jan-1995||http://x|0|0|0|0|0|0|0|0|1|0|0|0|1|0|0|0|0|1|0\n";
const char* kUGenre =
    "unknown|0\nAction|1\nAdventure|2\nAnimation|3\nChildren's|4\nComedy|5\nCrime|6\n"
    "Documentary|7\nDrama|8\nFantasy|9\nFilm-Noir|10\nHorror|11\nMusical|12\nMystery|13\n"
    "Romance|14\nSci-Fi|15\nThriller|16\nWar|17\nWestern|18\n\n";
const std::string kMl100kInter =
    std::string("user_id:token\titem_id:token\trating:float\ttimestamp:float\n") + kUData;
const char* kMl100kItem =
    "item_id:token\tmovie_title:token_seq\trelease_year:token\tclass:token_seq\n"
    "1\tToy Story\t1995\tAnimation Children's Comedy\n"
    "267\tunkonwn\tunkonwn\tunknown\n"
    "1128\tHeidi Fleiss: Hollywood Madam\t1995\tDocumentary\n"
    "1412\tLand Before Time III: The Time of the Great Giving (1995)\tV\tAnimation Children's "
    "Musical\n"
    "543\tMis\xC3\xA9rables, Les\t1995\tDrama Musical War\n";

// MovieLens 1M: user 2's two ratings of the same second keep their file order.
const char* kRatings =
    "2::3408::4::978300275\n1::1193::5::978300760\n2::1193::3::978300000\n2::50::5::978300275\n"
    "1::50::4::978300019\n";
const char* kMovies =
    "50::Usual Suspects, The (1995)::Crime|Thriller\n1193::One Flew Over the Cuckoo's Nest "
    "(1975)::Drama\n3408::Erin Brockovich (2000)::Drama\n9999::Never Rated (2000)::Film-Noir\n";
const char* kMl1mInter =
    "user_id:token\titem_id:token\ttimestamp:float\n"
    "1\t1\t978300019\n1\t2\t978300760\n2\t2\t978300000\n2\t3\t978300275\n2\t1\t978300275\n";
const char* kMl1mItem =
    "item_id:token\tcategories:token_seq\n1\tCrime Thriller\n2\tDrama\n3\tDrama\n";

// A zip archive with `members` (name -> content), written with libarchive.
std::string write_zip(const std::string& path,
                      const std::vector<std::pair<std::string, std::string>>& members) {
  archive* a = archive_write_new();
  archive_write_set_format_zip(a);
  BOOST_REQUIRE(archive_write_open_filename(a, path.c_str()) == ARCHIVE_OK);
  for (const auto& [name, content] : members) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, name.c_str());
    archive_entry_set_size(e, static_cast<la_int64_t>(content.size()));
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_write_header(a, e);
    archive_write_data(a, content.data(), content.size());
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  return path;
}

// ---- a loopback HTTP server over a folder: python3 -m http.server --------------------------

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool accepts_connections(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

class LoopbackServer {
 public:
  explicit LoopbackServer(const std::string& root) : port_(free_port()) {
    pid_ = ::fork();
    if (pid_ == 0) {
      const std::string port = std::to_string(port_);
      ::freopen("/dev/null", "w", stderr);
      ::execlp("python3", "python3", "-m", "http.server", port.c_str(), "--bind", "127.0.0.1",
               "--directory", root.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    for (int i = 0; i < 100 && !accepts_connections(port_); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    BOOST_REQUIRE_MESSAGE(accepts_connections(port_), "python3 -m http.server did not start");
  }
  ~LoopbackServer() {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
  }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }

 private:
  int port_;
  pid_t pid_;
};

const std::string kS3 =
    "https://raw.githubusercontent.com/aHuiWang/CIKM2020-S3Rec/0123456789abcdef/data/";
const std::string kGroupLens = "https://files.grouplens.org/datasets/movielens/";

// The path of `url` under the server root: the mirror keeps the original path.
std::string served_path(const ScratchDir& root, const std::string& url) {
  return root.file(url.substr(url.find('/', url.find("://") + 3) + 1));
}

nlohmann::json source(const std::string& url, const std::string& content) {
  return {{"url", url}, {"bytes", content.size()}, {"sha256", sha256_hex(content)}};
}

// Serves every fixture at its original path and writes a catalog naming them: "tiny-beauty"
// (S3-Rec with timestamps and titles), "tiny-ml-100k" and "tiny-ml-1m" (zip archives).
struct Fixtures {
  ScratchDir root;  // what the server serves
  ScratchDir work;
  std::string catalog;

  Fixtures() {
    auto serve = [&](const std::string& url, const std::string& content) {
      fs::create_directories(fs::path(served_path(root, url)).parent_path());
      std::ofstream(served_path(root, url), std::ios::binary) << content;
      return source(url, content);
    };
    nlohmann::json datasets;
    datasets["tiny-beauty"] = entry(
        "s3rec", 3, 4, 10, {{"tiny-beauty.inter", kBeautyInter}, {"tiny-beauty.item", kBeautyItem}},
        {{"sequences", serve(kS3 + "Beauty.txt", kSequences)},
         {"item_attributes", serve(kS3 + "Beauty_item2attributes.json", kAttributes)},
         {"timestamps", serve(kS3 + "Beauty_time.txt", kTimestamps)},
         {"title_lines", serve(kS3 + "titles.txt", kTitleLines)},
         {"user_asins", serve(kS3 + "user_sequence.txt", kUserAsins)}});
    const std::string zip100k = work.file("ml-100k.zip");
    write_zip(
        zip100k,
        {{"ml-100k/u.data", kUData}, {"ml-100k/u.item", kUItem}, {"ml-100k/u.genre", kUGenre}});
    datasets["tiny-ml-100k"] =
        entry("movielens-100k", 3, 5, 3,
              {{"tiny-ml-100k.inter", kMl100kInter}, {"tiny-ml-100k.item", kMl100kItem}},
              {{"archive", serve(kGroupLens + "ml-100k.zip", slurp(zip100k))}});
    const std::string zip1m = work.file("ml-1m.zip");
    write_zip(zip1m, {{"ml-1m/ratings.dat", kRatings}, {"ml-1m/movies.dat", kMovies}});
    datasets["tiny-ml-1m"] = entry(
        "movielens-1m", 2, 3, 5, {{"tiny-ml-1m.inter", kMl1mInter}, {"tiny-ml-1m.item", kMl1mItem}},
        {{"archive", serve(kGroupLens + "ml-1m.zip", slurp(zip1m))}});
    catalog = work.write("catalog.json", nlohmann::json{{"datasets", datasets}}.dump(2));
  }

  static nlohmann::json entry(const std::string& converter, int users, int items, int interactions,
                              const std::map<std::string, std::string>& outputs,
                              const nlohmann::json& sources) {
    nlohmann::json files;
    for (const auto& [name, content] : outputs) files[name] = {{"sha256", sha256_hex(content)}};
    return {
        {"description", "fixture"},
        {"format", "atomic"},
        {"source", "loopback"},
        {"original_data", "none"},
        {"users", users},
        {"items", items},
        {"interactions", interactions},
        {"files", files},
        {"get", {{"converter", converter}, {"licence", "fixture licence"}, {"sources", sources}}}};
  }
};

CliResult get(const Fixtures& f, const std::string& mirror, const std::string& name,
              const std::string& to) {
  return run_cli_with_env("SEQREC_CATALOG='" + f.catalog + "' SEQREC_MIRROR='" + mirror + "'",
                          "dataset get " + name + " --to '" + to + "'");
}

void check_one_line_exit_2(const CliResult& r, const std::string& part) {
  BOOST_TEST_INFO("output: " << r.output);
  BOOST_TEST(r.exit_code == 2);
  const auto error_at = r.output.find("error: ");
  BOOST_REQUIRE(error_at != std::string::npos);
  const std::string error = r.output.substr(error_at);
  BOOST_TEST(std::count(error.begin(), error.end(), '\n') == 1);
  BOOST_TEST(contains(error, part));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(dataset_get)

BOOST_AUTO_TEST_CASE(mirror_replaces_scheme_and_host_and_keeps_the_path) {
  const std::string url = kGroupLens + "ml-100k.zip";
  BOOST_TEST(mirrored_url(url, "") == url);
  BOOST_TEST(mirrored_url(url, "http://127.0.0.1:8000/") ==
             "http://127.0.0.1:8000/datasets/movielens/ml-100k.zip");
  BOOST_TEST(mirrored_url(url, "http://127.0.0.1:8000") ==
             "http://127.0.0.1:8000/datasets/movielens/ml-100k.zip");
}

BOOST_AUTO_TEST_CASE(sha256_matches_the_standard_test_vectors) {
  BOOST_TEST(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  BOOST_TEST(sha256_hex("abc") ==
             "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

BOOST_AUTO_TEST_CASE(s3rec_files_convert_to_atomic_files_with_times_titles_and_categories) {
  const AtomicFiles out = convert_s3rec({kSequences, kAttributes, std::string(kTimestamps),
                                         std::string(kTitleLines), std::string(kUserAsins)});
  BOOST_TEST(out.inter == kBeautyInter);
  BOOST_TEST(out.item == kBeautyItem);
  // Without timestamps and titles (Toys, Sports, Yelp, LastFM): two columns each.
  const AtomicFiles plain = convert_s3rec({kSequences, kAttributes, {}, {}, {}});
  BOOST_TEST(plain.inter.rfind("user_id:token\titem_id:token\n1\t5\n", 0) == 0);
  BOOST_TEST(plain.item == "item_id:token\tcategories:token_seq\n5\t3 1\n7\t2 4\n9\t\n10\t1\n");
}

BOOST_AUTO_TEST_CASE(s3rec_timestamps_of_another_user_or_length_are_refused) {
  BOOST_CHECK_THROW(
      convert_s3rec({kSequences, kAttributes, std::string("1 1 2 3\n2 1 2\n3 1\n"), {}, {}}),
      InputError);
}

BOOST_AUTO_TEST_CASE(movielens_100k_converts_like_recbole_latin1_titles_and_years_included) {
  const AtomicFiles out =
      convert_movielens_100k({{"u.data", kUData}, {"u.item", kUItem}, {"u.genre", kUGenre}});
  BOOST_TEST(out.inter == kMl100kInter);
  BOOST_TEST(out.item == kMl100kItem);
}

BOOST_AUTO_TEST_CASE(movielens_1m_sorts_by_time_keeping_ties_and_ranks_rated_movies) {
  const AtomicFiles out =
      convert_movielens_1m({{"ratings.dat", kRatings}, {"movies.dat", kMovies}});
  BOOST_TEST(out.inter == kMl1mInter);
  BOOST_TEST(out.item == kMl1mItem);
}

BOOST_AUTO_TEST_CASE(zip_members_are_found_by_name_under_any_folder) {
  ScratchDir dir;
  const auto zip = write_zip(dir.file("a.zip"), {{"ml-100k/u.data", "x"}, {"README", "y"}});
  const auto members = read_archive_members(zip, {"u.data"});
  BOOST_TEST(members.at("u.data") == "x");
  BOOST_CHECK_THROW(read_archive_members(zip, {"u.item"}), InputError);
  BOOST_CHECK_THROW(read_archive_members(dir.write("b.zip", "not a zip"), {"u.data"}), InputError);
}

BOOST_AUTO_TEST_CASE(get_over_loopback_writes_byte_identical_atomic_files) {
  Fixtures f;
  LoopbackServer server(f.root.path());
  ScratchDir to;
  for (const auto& [name, inter, item] :
       {std::tuple<std::string, std::string, std::string>{"tiny-beauty", kBeautyInter, kBeautyItem},
        {"tiny-ml-100k", kMl100kInter, kMl100kItem},
        {"tiny-ml-1m", kMl1mInter, kMl1mItem}}) {
    const CliResult r = get(f, server.base(), name, to.path());
    BOOST_TEST_INFO(name << ": " << r.output);
    BOOST_TEST(r.exit_code == 0);
    BOOST_TEST(contains(r.output, "licence: fixture licence"));
    BOOST_TEST(slurp(to.file(name + "/" + name + ".inter")) == inter);
    BOOST_TEST(slurp(to.file(name + "/" + name + ".item")) == item);
    BOOST_TEST(!fs::exists(to.file("." + name + ".get")), "the staging folder is removed");
  }
  // The folder is a dataset the harness reads.
  const CliResult stats = run_cli("dataset stats '" + to.file("tiny-ml-100k") + "'");
  BOOST_TEST_INFO(stats.output);
  BOOST_TEST(stats.exit_code == 0);
  // A second get leaves the dataset alone and says so.
  check_one_line_exit_2(get(f, server.base(), "tiny-beauty", to.path()), "already exists");
}

BOOST_AUTO_TEST_CASE(a_stale_partial_download_is_resumed_or_restarted_to_the_right_bytes) {
  Fixtures f;
  LoopbackServer server(f.root.path());
  ScratchDir to;
  // An earlier run stopped midway through Beauty.txt (python's server ignores Range and sends
  // the whole file again; the .part must then restart, not grow).
  to.write(".tiny-beauty.get/downloads/Beauty.txt.part", std::string(kSequences).substr(0, 7));
  const CliResult r = get(f, server.base(), "tiny-beauty", to.path());
  BOOST_TEST_INFO(r.output);
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(slurp(to.file("tiny-beauty/tiny-beauty.inter")) == kBeautyInter);
}

BOOST_AUTO_TEST_CASE(corrupted_truncated_or_missing_downloads_exit_2_and_write_no_dataset) {
  Fixtures f;
  LoopbackServer server(f.root.path());
  const std::string served = served_path(f.root, kS3 + "Beauty.txt");
  ScratchDir to;
  // Corrupted: one byte changed.
  std::string corrupted = kSequences;
  corrupted[0] = '4';
  std::ofstream(served, std::ios::binary) << corrupted;
  check_one_line_exit_2(get(f, server.base(), "tiny-beauty", to.path()), "sha256");
  BOOST_TEST(!fs::exists(to.file("tiny-beauty")));
  BOOST_TEST(!fs::exists(to.file(".tiny-beauty.get/downloads/Beauty.txt.part")),
             "a wrong download is not kept");
  // Truncated: the server has only the first half.
  std::ofstream(served, std::ios::binary) << std::string(kSequences).substr(0, 10);
  check_one_line_exit_2(get(f, server.base(), "tiny-beauty", to.path()), "expected");
  BOOST_TEST(!fs::exists(to.file("tiny-beauty")));
  // Missing: 404.
  fs::remove(served);
  check_one_line_exit_2(get(f, server.base(), "tiny-beauty", to.path()), "404");
  BOOST_TEST(!fs::exists(to.file("tiny-beauty")));
  // Nothing listening: the address in the message, still exit 2.
  check_one_line_exit_2(get(f, "http://127.0.0.1:9/", "tiny-beauty", to.path()), "127.0.0.1:9");
  BOOST_TEST(!fs::exists(to.file("tiny-beauty")));
}

BOOST_AUTO_TEST_CASE(unknown_name_lists_the_catalog) {
  const CliResult r = run_cli("dataset get no-such-set");
  check_one_line_exit_2(r, "ml-100k");
}

BOOST_AUTO_TEST_SUITE_END()
