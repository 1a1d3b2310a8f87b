#include "datasets/source_conversion.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <numeric>
#include <set>
#include <sstream>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/errors.h"
#include "datasets/text_parse.h"

namespace seqrec {

namespace {

// The lines of a source file; a file that is not LF-terminated text is an error naming it.
std::vector<std::string_view> lines_of(std::string_view text, const std::string& file) {
  if (text.empty()) throw InputError(file + ": empty");
  std::vector<std::string_view> lines;
  LineCursor cursor(text);
  std::string_view line;
  while (cursor.next(line)) lines.push_back(line);
  return lines;
}

std::vector<std::string_view> split_on(std::string_view line, std::string_view separator) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    const size_t end = line.find(separator, start);
    out.push_back(line.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return out;
    start = end + separator.size();
  }
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "user item item ..." lines: the user token and its item tokens, all decimal integers.
struct SequenceLine {
  std::string_view user;
  std::vector<std::string_view> items;
};

std::vector<SequenceLine> sequence_lines(std::string_view text, const std::string& file) {
  std::vector<SequenceLine> out;
  const auto lines = lines_of(text, file);
  for (size_t k = 0; k < lines.size(); ++k) {
    std::vector<std::string_view> tokens;
    split_whitespace(lines[k], tokens);
    if (tokens.size() < 2 || !std::all_of(tokens.begin(), tokens.end(), all_digits))
      throw input_error_at(file, static_cast<long>(k + 1),
                           "expected 'user item item ...' of decimal ids");
    out.push_back({tokens[0], {tokens.begin() + 1, tokens.end()}});
  }
  return out;
}

// item token -> attribute ids, each kept once (first occurrence), as text.
std::unordered_map<std::string, std::string> attribute_fields(const std::string& json_text,
                                                              const std::string& file) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::parse_error& e) {
    throw InputError(file + ": not valid JSON: " + e.what());
  }
  if (!j.is_object()) throw InputError(file + ": expected an object {item: [attribute, ...]}");
  std::unordered_map<std::string, std::string> out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!it.value().is_array()) throw InputError(file + ": item " + it.key() + " has no list");
    std::set<int64_t> seen;
    std::string field;
    for (const auto& v : it.value()) {
      if (!v.is_number_integer())
        throw InputError(file + ": item " + it.key() + " has a non-integer attribute " + v.dump());
      if (!seen.insert(v.get<int64_t>()).second) continue;
      field += (field.empty() ? "" : " ") + std::to_string(v.get<int64_t>());
    }
    out[it.key()] = field;
  }
  return out;
}

// Item id -> title through the item's ASIN (Beauty): line k of `user_asins` holds S3-Rec
// user k's items as ASINs, position by position.
std::unordered_map<std::string, std::string> titles_by_item(
    const std::vector<SequenceLine>& sequences, const std::string& title_lines,
    const std::string& user_asins) {
  std::unordered_map<std::string, std::string> title_of_asin;
  for (const auto line : lines_of(title_lines, "titles")) {
    const size_t space = line.find(' ');
    if (space == std::string_view::npos) throw InputError("titles: a line without 'ASIN title'");
    const std::string_view title = line.substr(space + 1);
    if (title.find('\t') != std::string_view::npos)
      throw InputError("titles: a title holds a tab: " + std::string(line));
    title_of_asin.emplace(std::string(line.substr(0, space)), std::string(title));
  }
  const auto lines = lines_of(user_asins, "user ASIN sequences");
  if (lines.size() != sequences.size())
    throw InputError("user ASIN sequences: " + std::to_string(lines.size()) + " lines for " +
                     std::to_string(sequences.size()) + " users");
  std::unordered_map<std::string, std::string> out;
  for (size_t k = 0; k < lines.size(); ++k) {
    std::vector<std::string_view> asins;
    split_whitespace(lines[k], asins);
    if (asins.size() != sequences[k].items.size() + 1)
      throw input_error_at("user ASIN sequences", static_cast<long>(k + 1),
                           "not as long as the user's sequence");
    for (size_t j = 0; j < sequences[k].items.size(); ++j) {
      const auto title = title_of_asin.find(std::string(asins[j + 1]));
      if (title == title_of_asin.end())
        throw InputError("titles: no title line for ASIN " + std::string(asins[j + 1]));
      auto [it, fresh] = out.emplace(std::string(sequences[k].items[j]), title->second);
      if (!fresh && it->second != title->second)
        throw input_error_at("user ASIN sequences", static_cast<long>(k + 1),
                             "item " + it->first + " maps to two ASINs");
    }
  }
  return out;
}

std::string latin1_to_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

std::string_view trim_spaces(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

const std::string& member(const std::map<std::string, std::string>& members,
                          const std::string& name) {
  auto it = members.find(name);
  if (it == members.end()) throw InputError("the archive has no member " + name);
  return it->second;
}

}  // namespace

AtomicFiles convert_s3rec(const S3RecSources& s) {
  const auto sequences = sequence_lines(s.sequences, "sequences");
  std::vector<SequenceLine> times;
  if (s.timestamps) {
    times = sequence_lines(*s.timestamps, "timestamps");
    if (times.size() != sequences.size())
      throw InputError("timestamps: " + std::to_string(times.size()) + " lines for " +
                       std::to_string(sequences.size()) + " users");
  }
  std::ostringstream inter;
  inter << "user_id:token\titem_id:token" << (s.timestamps ? "\ttimestamp:float" : "") << "\n";
  for (size_t k = 0; k < sequences.size(); ++k) {
    const auto& row = sequences[k];
    if (s.timestamps && (times[k].user != row.user || times[k].items.size() != row.items.size()))
      throw input_error_at("timestamps", static_cast<long>(k + 1),
                           "user or length differs from the sequences' line");
    for (size_t j = 0; j < row.items.size(); ++j) {
      inter << row.user << '\t' << row.items[j];
      if (s.timestamps) inter << '\t' << times[k].items[j];
      inter << '\n';
    }
  }

  const auto attributes = attribute_fields(s.item_attributes, "item attributes");
  const bool with_titles = s.title_lines && s.user_asins;
  std::unordered_map<std::string, std::string> titles;
  if (with_titles) titles = titles_by_item(sequences, *s.title_lines, *s.user_asins);
  std::set<int64_t> items;
  for (const auto& row : sequences)
    for (const auto item : row.items) items.insert(std::stoll(std::string(item)));
  std::ostringstream item;
  item << "item_id:token\tcategories:token_seq" << (with_titles ? "\ttitle:token_seq" : "") << "\n";
  for (int64_t id : items) {
    const std::string token = std::to_string(id);
    const auto found = attributes.find(token);
    item << token << '\t' << (found == attributes.end() ? "" : found->second);
    if (with_titles) item << '\t' << titles.at(token);
    item << '\n';
  }
  return {inter.str(), item.str()};
}

AtomicFiles convert_movielens_100k(const std::map<std::string, std::string>& members) {
  const std::string& data = member(members, "u.data");
  if (data.empty() || data.back() != '\n') throw InputError("u.data: not LF-terminated text");
  AtomicFiles out;
  // RecBole's ml-100k.inter is u.data under a typed header, rows in u.data's order.
  out.inter = "user_id:token\titem_id:token\trating:float\ttimestamp:float\n" + data;

  std::vector<std::string> genres;
  for (const auto line : lines_of(member(members, "u.genre"), "u.genre"))
    if (!line.empty()) genres.emplace_back(split_on(line, "|")[0]);
  std::ostringstream item;
  item << "item_id:token\tmovie_title:token_seq\trelease_year:token\tclass:token_seq\n";
  const auto lines = lines_of(member(members, "u.item"), "u.item");
  for (size_t k = 0; k < lines.size(); ++k) {
    const auto fields = split_on(lines[k], "|");
    if (fields.size() != 5 + genres.size())
      throw input_error_at("u.item", static_cast<long>(k + 1),
                           "expected " + std::to_string(5 + genres.size()) + " '|' fields");
    const std::string title = latin1_to_utf8(trim_spaces(fields[1]));
    // "Name (1995)" -> "Name", "1995"; the one title without a year ("unknown", item 267)
    // becomes RecBole's "unkonwn" in both columns, kept for byte-identity with its files.
    const size_t year = title.rfind(" (");
    const std::string name = year == std::string::npos ? "unkonwn" : title.substr(0, year);
    std::string release = "unkonwn";
    if (year != std::string::npos) {
      release = title.substr(year + 2);
      if (!release.empty() && release.back() == ')') release.pop_back();
    }
    std::string classes;
    for (size_t g = 0; g < genres.size(); ++g)
      if (fields[5 + g] == "1") classes += (classes.empty() ? "" : " ") + genres[g];
    item << fields[0] << '\t' << name << '\t' << release << '\t' << classes << '\n';
  }
  out.item = item.str();
  return out;
}

AtomicFiles convert_movielens_1m(const std::map<std::string, std::string>& members) {
  struct Rating {
    int64_t user, movie, timestamp;
    std::string_view time_text;
  };
  std::vector<Rating> ratings;
  const auto lines = lines_of(member(members, "ratings.dat"), "ratings.dat");
  for (size_t k = 0; k < lines.size(); ++k) {
    const auto f = split_on(lines[k], "::");
    if (f.size() != 4 || !all_digits(f[0]) || !all_digits(f[1]) || !all_digits(f[3]))
      throw input_error_at("ratings.dat", static_cast<long>(k + 1),
                           "expected UserID::MovieID::Rating::Timestamp");
    ratings.push_back({std::stoll(std::string(f[0])), std::stoll(std::string(f[1])),
                       std::stoll(std::string(f[3])), f[3]});
  }
  // Users by UserID, each user's ratings by time; ratings of the same second keep file order.
  std::stable_sort(ratings.begin(), ratings.end(), [](const Rating& a, const Rating& b) {
    return a.user != b.user ? a.user < b.user : a.timestamp < b.timestamp;
  });
  std::set<int64_t> movies;
  for (const auto& r : ratings) movies.insert(r.movie);
  std::unordered_map<int64_t, int64_t> item_of_movie;  // the MovieID's rank, from 1
  for (int64_t movie : movies) item_of_movie.emplace(movie, item_of_movie.size() + 1);

  std::ostringstream inter;
  inter << "user_id:token\titem_id:token\ttimestamp:float\n";
  for (const auto& r : ratings)
    inter << r.user << '\t' << item_of_movie.at(r.movie) << '\t' << r.time_text << '\n';

  std::unordered_map<int64_t, std::string> genres_of_movie;
  const auto movie_lines = lines_of(member(members, "movies.dat"), "movies.dat");
  for (size_t k = 0; k < movie_lines.size(); ++k) {
    const auto f = split_on(movie_lines[k], "::");
    if (f.size() != 3 || !all_digits(f[0]))
      throw input_error_at("movies.dat", static_cast<long>(k + 1),
                           "expected MovieID::Title::Genre|Genre...");
    std::string genres = latin1_to_utf8(f[2]);
    std::replace(genres.begin(), genres.end(), ' ', '_');
    std::replace(genres.begin(), genres.end(), '|', ' ');
    genres_of_movie[std::stoll(std::string(f[0]))] = genres;
  }
  std::ostringstream item;
  item << "item_id:token\tcategories:token_seq\n";
  for (int64_t movie : movies) {
    const auto genres = genres_of_movie.find(movie);
    if (genres == genres_of_movie.end())
      throw InputError("movies.dat: no line for MovieID " + std::to_string(movie) +
                       ", which ratings.dat rates");
    item << item_of_movie.at(movie) << '\t' << genres->second << '\n';
  }
  return {inter.str(), item.str()};
}

}  // namespace seqrec
