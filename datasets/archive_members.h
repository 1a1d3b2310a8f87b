#pragma once
// Reading members of a downloaded archive (the MovieLens .zip files) through libarchive.
#include <map>
#include <string>
#include <vector>

namespace seqrec {

// The contents of the members of archive `path` whose names end in one of `suffixes`
// ("/u.data" or "u.data" both match "ml-100k/u.data"), keyed by the suffix. Throws
// InputError naming the archive when it cannot be read or a suffix matches no member.
std::map<std::string, std::string> read_archive_members(const std::string& path,
                                                        const std::vector<std::string>& suffixes);

}  // namespace seqrec
