#include "datasets/download.h"

#include <curl/curl.h>
#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>

#include "core/errors.h"

namespace seqrec {

namespace fs = std::filesystem;

namespace {

// Incremental sha256 through OpenSSL's EVP interface.
class Sha256 {
 public:
  Sha256() : context_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
    if (!context_ || EVP_DigestInit_ex(context_.get(), EVP_sha256(), nullptr) != 1)
      throw std::runtime_error("OpenSSL: cannot initialise sha256");
  }
  void add(const char* data, size_t size) { EVP_DigestUpdate(context_.get(), data, size); }
  std::string hex() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_DigestFinal_ex(context_.get(), digest, &size);
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < size; ++i) {
      out += digits[digest[i] >> 4];
      out += digits[digest[i] & 15];
    }
    return out;
  }

 private:
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> context_;
};

// libcurl's process-wide state, set up once.
void ensure_curl_initialised() {
  static const bool initialised = [] {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    std::atexit(curl_global_cleanup);
    return true;
  }();
  (void)initialised;
}

// A server that answers a resumed transfer with the whole file (python's http.server ignores
// Range): libcurl stops it, and the .part is started again.
struct RangeRefused {};

// What the write callback needs: the .part file, whether the server honoured the range.
struct Transfer {
  CURL* curl = nullptr;
  std::string part_path;
  std::FILE* file = nullptr;
  int64_t resumed_from = 0;
  int64_t received = 0;
  const DownloadProgress* progress = nullptr;
};

size_t write_body(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t bytes = size * count;
  if (std::fwrite(data, 1, bytes, t->file) != bytes) return 0;  // aborts with a write error
  t->received += static_cast<int64_t>(bytes);
  return bytes;
}

int report_progress(void* user, curl_off_t total, curl_off_t done, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  if (t->progress && *t->progress)
    (*t->progress)(t->resumed_from + static_cast<int64_t>(done),
                   total > 0 ? t->resumed_from + static_cast<int64_t>(total) : -1);
  return 0;
}

int64_t file_size_or_zero(const std::string& path) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  return ec ? 0 : static_cast<int64_t>(size);
}

// Fetches `address` into `part` (resuming it); returns the response status.
long transfer(const std::string& address, const std::string& part,
              const DownloadProgress& progress) {
  ensure_curl_initialised();
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) throw std::runtime_error("libcurl: cannot create a transfer");
  Transfer t;
  t.curl = curl.get();
  t.part_path = part;
  t.resumed_from = file_size_or_zero(part);
  t.progress = &progress;
  t.file = std::fopen(part.c_str(), t.resumed_from > 0 ? "ab" : "wb");
  if (!t.file) throw InputError(part + ": cannot write the download");
  char error[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(t.curl, CURLOPT_URL, address.c_str());
  curl_easy_setopt(t.curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(t.curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(t.curl, CURLOPT_FAILONERROR, 1L);
  curl_easy_setopt(t.curl, CURLOPT_CONNECTTIMEOUT, 30L);
  // A stalled connection (under 1 byte/s for a minute) fails instead of hanging forever.
  curl_easy_setopt(t.curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(t.curl, CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt(t.curl, CURLOPT_USERAGENT, "seqrec-dataset-get");
  curl_easy_setopt(t.curl, CURLOPT_WRITEFUNCTION, write_body);
  curl_easy_setopt(t.curl, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(t.curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(t.curl, CURLOPT_XFERINFOFUNCTION, report_progress);
  curl_easy_setopt(t.curl, CURLOPT_XFERINFODATA, &t);
  if (t.resumed_from > 0)
    curl_easy_setopt(t.curl, CURLOPT_RESUME_FROM_LARGE, static_cast<curl_off_t>(t.resumed_from));
  const CURLcode rc = curl_easy_perform(t.curl);
  long status = 0;
  curl_easy_getinfo(t.curl, CURLINFO_RESPONSE_CODE, &status);
  const bool closed = t.file && std::fclose(t.file) == 0;
  // 416: the range starts at the end, i.e. an earlier run received every byte already.
  if (rc == CURLE_HTTP_RETURNED_ERROR && status == 416 && t.resumed_from > 0) return status;
  if (rc == CURLE_RANGE_ERROR) throw RangeRefused{};
  if (rc != CURLE_OK) {
    const std::string reason = error[0] ? error : curl_easy_strerror(rc);
    const int64_t have = file_size_or_zero(part);
    if (have == 0) fs::remove(part);
    throw InputError(address + ": download failed: " + reason +
                     (have > 0 ? " (" + std::to_string(have) + " bytes kept in " + part +
                                     "; run again to resume)"
                               : ""));
  }
  if (!closed) throw InputError(part + ": cannot finish writing the download");
  return status;
}

}  // namespace

std::string mirrored_url(const std::string& url, const std::string& mirror_base) {
  if (mirror_base.empty()) return url;
  const size_t scheme = url.find("://");
  const size_t path_start = scheme == std::string::npos ? 0 : url.find('/', scheme + 3);
  const std::string path = path_start == std::string::npos ? "" : url.substr(path_start + 1);
  return mirror_base + (mirror_base.back() == '/' ? "" : "/") + path;
}

std::string mirror_from_environment() {
  const char* env = std::getenv("SEQREC_MIRROR");
  return env ? std::string(env) : std::string();
}

std::string sha256_hex(const std::string& bytes) {
  Sha256 hash;
  hash.add(bytes.data(), bytes.size());
  return hash.hex();
}

std::string sha256_of_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot read");
  Sha256 hash;
  std::vector<char> buffer(1 << 20);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    hash.add(buffer.data(), static_cast<size_t>(in.gcount()));
  }
  return hash.hex();
}

void download_verified(const SourceFile& source, const std::string& mirror_base,
                       const std::string& path, const DownloadProgress& progress) {
  std::error_code ec;
  if (fs::is_regular_file(path, ec) && sha256_of_file(path) == source.sha256) return;
  const std::string address = mirrored_url(source.url, mirror_base);
  const std::string part = path + ".part";
  try {
    transfer(address, part, progress);
  } catch (const RangeRefused&) {
    // The server cannot continue the .part from where it stopped: start the file again.
    fs::remove(part, ec);
    transfer(address, part, progress);
  }
  const int64_t size = file_size_or_zero(part);
  const std::string actual = sha256_of_file(part);
  if (actual != source.sha256) {
    fs::remove(part, ec);
    throw InputError(address + ": the download is not the expected file (" + std::to_string(size) +
                     " bytes, sha256 " + actual + "; expected " +
                     (source.bytes >= 0 ? std::to_string(source.bytes) + " bytes, " : "") +
                     "sha256 " + source.sha256 + "); removed it, run again to retry");
  }
  fs::rename(part, path);
}

}  // namespace seqrec
