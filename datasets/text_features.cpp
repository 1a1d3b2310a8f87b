#include "datasets/text_features.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <unordered_map>

#include "core/atomic_write.h"
#include "core/errors.h"
#include "datasets/dataset_files.h"
#include "datasets/item_features.h"
#include "datasets/item_side_info.h"

namespace seqrec {
namespace fs = std::filesystem;

namespace {

// The TF-IDF matrix in compressed sparse rows: row = item id - 1, column = term.
struct SparseRows {
  int64_t rows = 0, cols = 0;
  std::vector<int64_t> start{0};  // rows + 1 offsets into column/value
  std::vector<int64_t> column;
  std::vector<double> value;
};

// Row-major dense [rows, cols] doubles: the tall thin matrices of the randomized SVD.
struct Dense {
  int64_t rows = 0, cols = 0;
  std::vector<double> v;
  Dense(int64_t r, int64_t c) : rows(r), cols(c), v(static_cast<size_t>(r * c), 0.0) {}
  double* row(int64_t r) { return v.data() + r * cols; }
  const double* row(int64_t r) const { return v.data() + r * cols; }
};

std::string lower_ascii(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

std::string available_fields(const Dataset& data) {
  std::vector<std::string> names;
  if (!data.category_field.empty()) names.push_back(data.category_field);
  for (const auto& [name, values] : data.item_token_fields) names.push_back(name);
  std::sort(names.begin(), names.end());
  std::string list;
  for (const auto& name : names) list += (list.empty() ? "" : ", ") + name;
  return list.empty() ? "none (its item file has no token_seq column)" : list;
}

void check_fields(const Dataset& data, const std::vector<std::string>& fields) {
  const std::string where = "text features of dataset '" + data.name + "' (" + data.directory + ")";
  if (fields.empty()) {
    throw InputError(where + ": no item fields given; available: " + available_fields(data));
  }
  for (size_t f = 0; f < fields.size(); ++f) {
    const std::string& field = fields[f];
    if (std::find(fields.begin(), fields.begin() + static_cast<std::ptrdiff_t>(f), field) !=
        fields.begin() + static_cast<std::ptrdiff_t>(f)) {
      throw InputError(where + ": item field '" + field + "' is listed twice");
    }
    if ((data.category_field.empty() || field != data.category_field) &&
        data.item_token_fields.count(field) == 0) {
      throw InputError(where + ": no item field '" + field +
                       "'; available: " + available_fields(data));
    }
  }
}

SparseRows tf_idf(const Dataset& data, const std::vector<std::string>& fields,
                  int64_t& items_without_tokens) {
  SparseRows x;
  x.rows = data.num_items();
  std::unordered_map<std::string, int64_t> term_index;
  std::vector<int64_t> df;
  std::vector<int64_t> terms;
  items_without_tokens = 0;
  for (size_t id = 1; id <= static_cast<size_t>(x.rows); ++id) {
    terms.clear();
    for (const std::string& field : fields) {
      auto add = [&](const std::string& token) {
        auto [it, inserted] =
            term_index.emplace(field + ":" + lower_ascii(token), static_cast<int64_t>(df.size()));
        if (inserted) df.push_back(0);
        terms.push_back(it->second);
      };
      if (field == data.category_field) {
        if (id < data.item_categories.size()) {
          for (int32_t c : data.item_categories[id])
            add(data.category_tokens[static_cast<size_t>(c)]);
        }
      } else {
        const auto& per_item = data.item_token_fields.at(field);
        if (id < per_item.size()) {
          for (const std::string& token : per_item[id]) add(token);
        }
      }
    }
    if (terms.empty()) ++items_without_tokens;
    std::sort(terms.begin(), terms.end());
    for (size_t a = 0; a < terms.size();) {
      size_t b = a;
      while (b < terms.size() && terms[b] == terms[a]) ++b;
      x.column.push_back(terms[a]);
      x.value.push_back(static_cast<double>(b - a));
      ++df[static_cast<size_t>(terms[a])];
      a = b;
    }
    x.start.push_back(static_cast<int64_t>(x.column.size()));
  }
  x.cols = static_cast<int64_t>(df.size());
  const double n = static_cast<double>(x.rows);
  for (int64_t r = 0; r < x.rows; ++r) {
    double squared = 0.0;
    for (int64_t k = x.start[r]; k < x.start[r + 1]; ++k) {
      const double df_term = static_cast<double>(df[static_cast<size_t>(x.column[k])]);
      x.value[k] *= std::log((1.0 + n) / (1.0 + df_term)) + 1.0;
      squared += x.value[k] * x.value[k];
    }
    const double norm = std::sqrt(squared);
    for (int64_t k = x.start[r]; k < x.start[r + 1]; ++k) x.value[k] /= norm;
  }
  return x;
}

// out = X · in (in: [cols, l]) or X^T · in (in: [rows, l]).
Dense multiply(const SparseRows& x, const Dense& in, bool transposed) {
  Dense out(transposed ? x.cols : x.rows, in.cols);
  const int64_t l = in.cols;
  for (int64_t r = 0; r < x.rows; ++r) {
    for (int64_t k = x.start[r]; k < x.start[r + 1]; ++k) {
      const double v = x.value[k];
      const double* src = transposed ? in.row(r) : in.row(x.column[k]);
      double* dst = transposed ? out.row(x.column[k]) : out.row(r);
      for (int64_t c = 0; c < l; ++c) dst[c] += v * src[c];
    }
  }
  return out;
}

// Four partial sums in a fixed order: vectorisable, and the same bits on every run.
double dot(const double* a, const double* b, int64_t n) {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += a[i] * b[i];
    s1 += a[i + 1] * b[i + 1];
    s2 += a[i + 2] * b[i + 2];
    s3 += a[i + 3] * b[i + 3];
  }
  for (; i < n; ++i) s0 += a[i] * b[i];
  return (s0 + s1) + (s2 + s3);
}

// Orthonormal columns by modified Gram-Schmidt, run twice ("twice is enough") so that
// rank-deficient inputs stay orthogonal; a column that is (numerically) in the span of the
// previous ones becomes zero, which later yields a zero singular value.
void orthonormalize_columns(Dense& a) {
  const int64_t n = a.rows, l = a.cols;
  std::vector<double> cols(a.v.size());
  for (int64_t i = 0; i < n; ++i)
    for (int64_t c = 0; c < l; ++c) cols[static_cast<size_t>(c * n + i)] = a.row(i)[c];
  for (int64_t c = 0; c < l; ++c) {
    double* q = &cols[static_cast<size_t>(c * n)];
    const double before = std::sqrt(dot(q, q, n));
    for (int pass = 0; pass < 2; ++pass) {
      for (int64_t p = 0; p < c; ++p) {
        const double* qp = &cols[static_cast<size_t>(p * n)];
        const double d = dot(qp, q, n);
        for (int64_t i = 0; i < n; ++i) q[i] -= d * qp[i];
      }
    }
    const double after = std::sqrt(dot(q, q, n));
    const double scale = after > 1e-10 * before && after > 0 ? 1.0 / after : 0.0;
    for (int64_t i = 0; i < n; ++i) q[i] *= scale;
  }
  for (int64_t i = 0; i < n; ++i)
    for (int64_t c = 0; c < l; ++c) a.row(i)[c] = cols[static_cast<size_t>(c * n + i)];
}

// Eigen-decomposition of a small symmetric matrix by cyclic Jacobi rotations: exact to
// rounding, no LAPACK, deterministic. Returns eigenvalues; column k of `vectors` is the
// eigenvector of value k.
std::vector<double> symmetric_eigen(Dense a, Dense& vectors) {
  const int64_t n = a.rows;
  vectors = Dense(n, n);
  for (int64_t i = 0; i < n; ++i) vectors.row(i)[i] = 1.0;
  for (int sweep = 0; sweep < 100; ++sweep) {
    double off = 0.0, diagonal = 0.0;
    for (int64_t p = 0; p < n; ++p) {
      diagonal += a.row(p)[p] * a.row(p)[p];
      for (int64_t q = p + 1; q < n; ++q) off += a.row(p)[q] * a.row(p)[q];
    }
    if (off <= 1e-30 * diagonal) break;
    for (int64_t p = 0; p + 1 < n; ++p) {
      for (int64_t q = p + 1; q < n; ++q) {
        const double apq = a.row(p)[q];
        if (apq == 0.0) continue;
        const double theta = (a.row(q)[q] - a.row(p)[p]) / (2.0 * apq);
        const double t =
            (theta >= 0 ? 1.0 : -1.0) / (std::fabs(theta) + std::sqrt(theta * theta + 1.0));
        const double c = 1.0 / std::sqrt(t * t + 1.0), s = t * c;
        for (int64_t k = 0; k < n; ++k) {  // A·J
          const double akp = a.row(k)[p], akq = a.row(k)[q];
          a.row(k)[p] = c * akp - s * akq;
          a.row(k)[q] = s * akp + c * akq;
        }
        for (int64_t k = 0; k < n; ++k) {  // J^T·A
          const double apk = a.row(p)[k], aqk = a.row(q)[k];
          a.row(p)[k] = c * apk - s * aqk;
          a.row(q)[k] = s * apk + c * aqk;
        }
        a.row(p)[q] = a.row(q)[p] = 0.0;
        for (int64_t k = 0; k < n; ++k) {
          const double vkp = vectors.row(k)[p], vkq = vectors.row(k)[q];
          vectors.row(k)[p] = c * vkp - s * vkq;
          vectors.row(k)[q] = s * vkp + c * vkq;
        }
      }
    }
  }
  std::vector<double> values(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) values[static_cast<size_t>(i)] = a.row(i)[i];
  return values;
}

// Fixed start matrix: splitmix64 and integer arithmetic only, so it is the same everywhere.
Dense start_matrix(int64_t rows, int64_t cols) {
  Dense omega(rows, cols);
  uint64_t state = 0x5eed5eed5eedULL;
  for (double& value : omega.v) {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    value = static_cast<double>(z >> 11) * 0x1.0p-53 * 2.0 - 1.0;
  }
  return omega;
}

}  // namespace

TextFeatures compute_text_features(const Dataset& data, const TextFeatureOptions& options) {
  check_fields(data, options.fields);
  TextFeatures result;
  const SparseRows x = tf_idf(data, options.fields, result.items_without_tokens);
  result.vocabulary = x.cols;
  const int64_t rank_bound = std::min(x.rows, x.cols);
  if (options.dim < 1 || options.dim > rank_bound) {
    throw InputError(
        "text features of dataset '" + data.name + "': dim " + std::to_string(options.dim) +
        " must be in [1, min(items, vocabulary)] = [1, " + std::to_string(rank_bound) + "] (" +
        std::to_string(x.rows) + " items, " + std::to_string(x.cols) + " terms)");
  }

  // Randomized range finder with power iterations (Halko, Martinsson & Tropp 2011, alg. 4.4).
  const int64_t l = std::min(options.dim + std::max<int64_t>(options.oversampling, 0), rank_bound);
  Dense y = multiply(x, start_matrix(x.cols, l), false);
  orthonormalize_columns(y);
  for (int i = 0; i < options.power_iterations; ++i) {
    Dense z = multiply(x, y, true);
    orthonormalize_columns(z);
    y = multiply(x, z, false);
    orthonormalize_columns(y);
  }
  // Y^T X X^T Y = W Λ W^T gives X's top left singular vectors U = Y W and σ² = Λ.
  const Dense b = multiply(x, y, true);  // X^T Y, [V, l]
  Dense gram(l, l);
  for (int64_t j = 0; j < b.rows; ++j) {
    const double* bj = b.row(j);
    for (int64_t p = 0; p < l; ++p) {
      double* g = gram.row(p);
      for (int64_t q = p; q < l; ++q) g[q] += bj[p] * bj[q];
    }
  }
  for (int64_t p = 0; p < l; ++p)
    for (int64_t q = 0; q < p; ++q) gram.row(p)[q] = gram.row(q)[p];
  Dense w(0, 0);
  const std::vector<double> lambda = symmetric_eigen(gram, w);
  std::vector<int64_t> order(static_cast<size_t>(l));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return lambda[static_cast<size_t>(a)] > lambda[static_cast<size_t>(b)];
  });

  const int64_t dim = options.dim;
  Dense u(x.rows, dim);
  double kept = 0.0;
  for (int64_t k = 0; k < dim; ++k) {
    const int64_t e = order[static_cast<size_t>(k)];
    const double sigma_squared = std::max(lambda[static_cast<size_t>(e)], 0.0);
    kept += sigma_squared;
    for (int64_t i = 0; i < x.rows; ++i) {
      double sum = 0.0;
      for (int64_t c = 0; c < l; ++c) sum += y.row(i)[c] * w.row(c)[e];
      u.row(i)[k] = sum;
    }
    // Sign convention of scikit-learn's svd_flip: the largest |entry| of each U column is
    // positive (the first one on ties).
    int64_t largest = 0;
    for (int64_t i = 1; i < x.rows; ++i)
      if (std::fabs(u.row(i)[k]) > std::fabs(u.row(largest)[k])) largest = i;
    const double scale = (u.row(largest)[k] < 0 ? -1.0 : 1.0) * std::sqrt(sigma_squared);
    for (int64_t i = 0; i < x.rows; ++i) u.row(i)[k] *= scale;
  }
  // Rows are unit vectors (or empty), so the squared Frobenius norm counts the non-empty rows.
  const double total = static_cast<double>(x.rows - result.items_without_tokens);
  result.explained_variance = total > 0 ? kept / total : 0.0;

  result.features.rows = x.rows + 1;
  result.features.cols = dim;
  result.features.values.assign(static_cast<size_t>((x.rows + 1) * dim), 0.0f);
  for (int64_t i = 0; i < x.rows; ++i)
    for (int64_t k = 0; k < dim; ++k)
      result.features.at(i + 1, k) = static_cast<float>(u.row(i)[k]);
  return result;
}

namespace {

void copy_into(const std::string& file, const fs::path& folder, std::vector<std::string>& copied) {
  const fs::path target = folder / fs::path(file).filename();
  std::error_code ec;
  fs::copy_file(file, target, fs::copy_options::overwrite_existing, ec);
  if (ec) throw InputError(target.string() + ": cannot copy " + file + " there: " + ec.message());
  copied.push_back(target.string());
}

void check_modality_name(const std::string& modality) {
  const bool ok = !modality.empty() && std::all_of(modality.begin(), modality.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
  if (!ok) {
    throw InputError("text features: modality name '" + modality +
                     "' must be non-empty letters, digits, '_' or '-'");
  }
}

}  // namespace

TextFeatureRun write_text_features(const std::string& dataset, const std::string& modality,
                                   const TextFeatureOptions& options, const std::string& out_dir) {
  check_modality_name(modality);
  const Dataset data = load_dataset(dataset, PreprocessOptions{});
  const auto files = find_dataset_files(data.directory);
  if (!files) throw InputError(data.directory + ": holds no dataset");
  TextFeatureRun run;
  run.stats = compute_text_features(data, options);

  const fs::path folder = out_dir.empty() ? fs::path(data.directory) : fs::path(out_dir);
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec) throw InputError(folder.string() + ": cannot create folder: " + ec.message());
  run.folder = folder.string();
  if (!fs::equivalent(folder, data.directory, ec)) {
    copy_into(files->interactions, folder, run.copied);
    if (!files->items.empty()) copy_into(files->items, folder, run.copied);
    for (const auto& [other, file] : find_feature_files(*files)) {
      if (other == modality) continue;
      copy_into(file.npy, folder, run.copied);
      if (!file.ids.empty()) copy_into(file.ids, folder, run.copied);
    }
  }

  const std::string prefix = (folder / (files->name + "." + modality)).string();
  run.npy = prefix + ".npy";
  const FloatMatrix& by_id = run.stats.features;
  FloatMatrix rows;
  rows.cols = by_id.cols;
  auto append_row = [&](int64_t id) {  // id 0 = an item absent from the data: zeros
    rows.values.insert(rows.values.end(), by_id.values.begin() + id * by_id.cols,
                       by_id.values.begin() + (id + 1) * by_id.cols);
    ++rows.rows;
  };
  if (files->format == DatasetFiles::Format::Atomic && !files->items.empty()) {
    const auto id_of = item_id_by_token(data);
    for (const std::string& token : item_file_order(files->items)) {
      const auto it = id_of.find(token);
      append_row(it == id_of.end() ? 0 : it->second);
    }
    fs::remove(prefix + ".ids", ec);  // a stale ids file would override NAME.item's order
  } else {
    std::string ids;
    for (int64_t id = 1; id <= data.num_items(); ++id) {
      append_row(id);
      ids += data.item_tokens[static_cast<size_t>(id)] + "\n";
    }
    run.ids = prefix + ".ids";
    write_file_atomic(run.ids, ids);
  }
  const std::string temporary = run.npy + ".tmp";
  write_npy_float32(temporary, rows);
  fs::rename(temporary, run.npy, ec);
  if (ec) throw InputError(run.npy + ": cannot rename " + temporary + ": " + ec.message());
  return run;
}

}  // namespace seqrec
