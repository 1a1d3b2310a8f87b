#pragma once
// Fixed number formats shared by tables, logs and messages, so a number reads the same
// wherever it is printed, and JSON can hold exactly the value a table shows.
#include <cstdint>
#include <string>

namespace seqrec {

std::string printf_string(const char* format, double v);  // one number through printf
std::string format_metric(double v);                      // %.4f, no "-0.0000"
std::string format_p_value(double p);                     // %.3g; "" for NaN
std::string format_percent(double v);                     // %.1f with a sign; "" for NaN and inf
std::string format_seconds(double v);                     // %.2f
std::string format_with_thousands(int64_t n);             // 1234567 -> "1,234,567"

// The value as `format` prints it, read back.
double rounded(double v, const char* format);

}  // namespace seqrec
