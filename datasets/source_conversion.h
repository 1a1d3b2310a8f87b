#pragma once
// The conversions `seqrec dataset get` applies to the original public files, producing the
// atomic files this harness reads (docs/datasets.md lists every rule and why). Each works on
// the files' bytes in memory and is a pure function, so a test can feed it hand-made excerpts
// of each original format.
#include <map>
#include <optional>
#include <string>

namespace seqrec {

struct AtomicFiles {
  std::string inter;  // NAME.inter
  std::string item;   // NAME.item
};

// S3-Rec's files (Beauty, Toys, Sports, Yelp, LastFM): `sequences` ("user item item ..." per
// line, chronological) and `item_attributes` (JSON {item: [attribute, ...]}). Beauty also has
// `timestamps` (TiCoSeRec: "user t t ..." per line, aligned with the sequences) and titles:
// `title_lines` ("ASIN title" per line) with `user_asins` ("reviewer ASIN ASIN ..." per line,
// aligned with the sequences) mapping each item id to its ASIN.
struct S3RecSources {
  std::string sequences, item_attributes;
  std::optional<std::string> timestamps;
  std::optional<std::string> title_lines, user_asins;
};
AtomicFiles convert_s3rec(const S3RecSources& sources);

// MovieLens 100K (GroupLens ml-100k.zip): u.data, u.item (ISO-8859-1), u.genre, keyed by
// those names. The result equals RecBole's ml-100k atomic files.
AtomicFiles convert_movielens_100k(const std::map<std::string, std::string>& members);

// MovieLens 1M (GroupLens ml-1m.zip): ratings.dat and movies.dat (ISO-8859-1), keyed by those
// names. Users by UserID; each user's ratings by timestamp, ratings of the same second in
// file order; items numbered by the rank of their MovieID among the rated movies (as the
// BERT4Rec preprocessing does), genres as categories.
AtomicFiles convert_movielens_1m(const std::map<std::string, std::string>& members);

}  // namespace seqrec
