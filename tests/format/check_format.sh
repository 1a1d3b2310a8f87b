#!/usr/bin/env bash
# CTest entry `format`: every tracked C++ file is as clang-format (the checked-in .clang-format)
# writes it. Layout differs between clang-format releases, so the check runs only with the
# release scripts/setup.sh installs (Debian bookworm: 14); with another, or none, it is skipped.
set -uo pipefail
cd "$(dirname "$0")/../.."
command -v clang-format >/dev/null || { echo "clang-format not installed: skipped"; exit 77; }
major=$(clang-format --version | sed -n 's/.*version \([0-9]*\).*/\1/p')
[[ $major == 14 ]] || { echo "clang-format $major, not 14: skipped"; exit 77; }
git rev-parse --is-inside-work-tree >/dev/null 2>&1 || { echo "not a git checkout: skipped"; exit 77; }
bad=()
while IFS= read -r -d '' file; do
  clang-format --dry-run -Werror "$file" >/dev/null 2>&1 || bad+=("$file")
done < <(git ls-files -z '*.cpp' '*.h')
if ((${#bad[@]})); then
  echo "not clang-formatted (run: clang-format -i FILE):"
  printf '  %s\n' "${bad[@]}"
  exit 1
fi
echo "all C++ files clang-formatted"
