#pragma once
// Downloading a public source file so that what lands on disk is exactly what the catalog
// names: libcurl for the transfer, OpenSSL for the sha256, a resumable ".part" file, and
// one clear error (InputError) when the transfer fails or the bytes are not the expected ones.
#include <cstdint>
#include <functional>
#include <string>

namespace seqrec {

// Where a file comes from and what it must be.
struct SourceFile {
  std::string url;     // the original address, e.g. https://files.grouplens.org/...
  std::string sha256;  // lower-case hex
  int64_t bytes = -1;  // -1 = not stated
};

// The address to fetch `url` from: with a mirror base (SEQREC_MIRROR, e.g.
// "http://127.0.0.1:8000/"), the base followed by the url's path without its leading '/'
// (scheme, host and port replaced, the path kept as on the original host); else `url`.
std::string mirrored_url(const std::string& url, const std::string& mirror_base);

// The mirror base from $SEQREC_MIRROR, or "" when unset.
std::string mirror_from_environment();

std::string sha256_hex(const std::string& bytes);
std::string sha256_of_file(const std::string& path);

// Called as a transfer progresses: bytes so far and in total (-1 when the server did not say).
using DownloadProgress = std::function<void(int64_t done, int64_t total)>;

// Downloads `source` (through `mirror_base` when not empty) to `path`. Bytes arrive in
// `path`.part; a .part left by an interrupted run is resumed with a Range request (a server
// that ignores the range answers with the whole file, which then restarts the .part). The
// finished file is renamed to `path` only when its sha256 matches; a mismatch deletes the
// .part. A `path` already there with the right sha256 is kept without a transfer. Throws
// InputError naming the address and the reason; an interrupted transfer keeps its .part so
// the next run resumes it.
void download_verified(const SourceFile& source, const std::string& mirror_base,
                       const std::string& path, const DownloadProgress& progress);

}  // namespace seqrec
