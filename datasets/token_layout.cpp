#include "datasets/token_layout.h"

#include <algorithm>

namespace seqrec {

namespace {

torch::Tensor int64_tensor(const std::vector<int64_t>& v) {
  return torch::tensor(v, torch::kInt64);
}

// Groups rows by length class (<= 4, <= 8, <= 16, ...), each as wide as its longest row.
void group_rows(TokenLayout& l, const torch::Tensor& lengths) {
  const auto len = lengths.to(torch::kCPU, torch::kInt64).contiguous();
  const int64_t* n = len.data_ptr<int64_t>();
  std::vector<int64_t> start(l.batch + 1, 0);
  for (int64_t b = 0; b < l.batch; ++b) start[b + 1] = start[b] + n[b];
  const int64_t tokens = start[l.batch];
  std::vector<std::vector<int64_t>> classes;
  for (int64_t b = 0; b < l.batch; ++b) {
    size_t c = 0;
    for (int64_t w = 4; n[b] > w; w *= 2) ++c;
    if (classes.size() <= c) classes.resize(c + 1);
    classes[c].push_back(b);
  }
  std::vector<int64_t> token_order, row_order;
  for (const auto& rows : classes) {
    if (rows.empty()) continue;
    TokenGroup g;
    for (int64_t b : rows) g.width = std::max(g.width, n[b]);
    std::vector<int64_t> cells, real_cells;
    auto real = torch::zeros({static_cast<int64_t>(rows.size()), g.width}, torch::kBool);
    auto real_a = real.accessor<bool, 2>();
    for (size_t i = 0; i < rows.size(); ++i) {
      const int64_t b = rows[i];
      for (int64_t p = 0; p < g.width; ++p) {
        const bool is_real = p < n[b];
        cells.push_back(is_real ? start[b] + p : tokens);
        if (!is_real) continue;
        real_a[i][p] = true;
        real_cells.push_back(static_cast<int64_t>(i) * g.width + p);
        token_order.push_back(start[b] + p);
      }
      row_order.push_back(b);
    }
    g.rows = int64_tensor(rows);
    g.cells = int64_tensor(cells);
    g.real = real;
    g.real_cells = int64_tensor(real_cells);
    l.groups.push_back(std::move(g));
  }
  auto inverse = [](const std::vector<int64_t>& order) {
    return torch::argsort(int64_tensor(order));
  };
  l.group_order_of_token = inverse(token_order);
  l.group_order_of_row = inverse(row_order);
}

}  // namespace

TokenLayout TokenLayout::of(const torch::Tensor& lengths, int64_t width) {
  TokenLayout l;
  l.batch = lengths.size(0);
  l.width = width;
  l.real = torch::arange(width, lengths.options()).unsqueeze(0).lt(lengths.unsqueeze(1));
  l.index = l.real.flatten().nonzero().squeeze(1);
  l.rows = torch::div(l.index, width, /*rounding_mode=*/"floor");
  l.positions = l.index - l.rows * width;
  l.last = lengths.cumsum(0) - 1;
  group_rows(l, lengths);
  if (lengths.device() != torch::kCPU) return l.to(lengths.device());
  return l;
}

torch::Tensor TokenLayout::pack(const torch::Tensor& x) const {
  return x.flatten(0, 1).index_select(0, index);
}

torch::Tensor TokenLayout::unpack(const torch::Tensor& tokens) const {
  auto shape = tokens.sizes().vec();
  shape[0] = batch * width;
  auto grid = torch::zeros(shape, tokens.options()).index_copy(0, index, tokens);
  shape[0] = width;
  shape.insert(shape.begin(), batch);
  return grid.view(shape);
}

TokenLayout TokenLayout::subset(const torch::Tensor& keep) const {
  return of(real.sum(1).index({keep}), width);
}

torch::Tensor TokenLayout::tokens_of_rows(const torch::Tensor& keep) const {
  return keep.index_select(0, rows);
}

TokenLayout TokenLayout::to(const torch::Device& device) const {
  if (!defined()) return *this;
  TokenLayout l = *this;
  l.index = index.to(device);
  l.rows = rows.to(device);
  l.positions = positions.to(device);
  l.last = last.to(device);
  l.real = real.to(device);
  for (auto& g : l.groups) {
    g.rows = g.rows.to(device);
    g.cells = g.cells.to(device);
    g.real = g.real.to(device);
    g.real_cells = g.real_cells.to(device);
  }
  l.group_order_of_token = group_order_of_token.to(device);
  l.group_order_of_row = group_order_of_row.to(device);
  return l;
}

}  // namespace seqrec
