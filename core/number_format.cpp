#include "core/number_format.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace seqrec {

std::string printf_string(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

namespace {

// "-0.0000" and friends read as 0.
std::string drop_negative_zero(std::string s) {
  if (!s.empty() && s[0] == '-' && s.find_first_not_of("-0.") == std::string::npos) s.erase(0, 1);
  return s;
}

}  // namespace

std::string format_metric(double v) { return drop_negative_zero(printf_string("%.4f", v)); }

std::string format_p_value(double p) {
  if (std::isnan(p)) return "";
  return printf_string("%.3g", p);
}

std::string format_percent(double v) {
  if (std::isnan(v) || std::isinf(v)) return "";
  std::string s = drop_negative_zero(printf_string("%.1f", v));
  if (s[0] != '-' && s != "0.0") s = "+" + s;
  return s;
}

std::string format_seconds(double v) { return drop_negative_zero(printf_string("%.2f", v)); }

std::string format_with_thousands(int64_t n) {
  const std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out = n < 0 ? "-" : "";
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// The value as printed, read back: JSON then holds exactly the numbers the tables show.
double rounded(double v, const char* format) {
  if (std::isnan(v) || std::isinf(v)) return v;
  return std::strtod(printf_string(format, v).c_str(), nullptr);
}

}  // namespace seqrec
