#!/usr/bin/env bash
# Checks every project include of the library's folders against allowed_includes.txt and
# names each offending line: FILE:LINE: the include, and what that folder may include.
# Usage: check_includes.sh SOURCE_ROOT
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$root"
table=tests/layering/allowed_includes.txt

declare -A may_include   # folder -> " allowed folders "
declare -A extends       # baselines/x.h -> " baselines/y.h ... "
while read -r from rest; do
  [[ -z $from || $from == \#* ]] && continue
  if [[ $from == *.h || $from == *.cpp ]]; then
    extends[$from]+=" $rest "
  else
    may_include[$from]=" $rest "
  fi
done <"$table"

violations=0
report() {
  echo "$1:$2: #include \"$3\": $4" >&2
  violations=$((violations + 1))
}

while IFS= read -r file; do
  folder=$(dirname "$file")
  allowed=${may_include[$folder]:-}
  if [[ -z $allowed ]]; then
    report "$file" 1 "-" "folder '$folder' has no line in $table; add one"
    continue
  fi
  stem=${file%.*}
  while IFS=: read -r line header; do
    header=${header#*\"}
    header=${header%%\"*}
    [[ $header == */* ]] || continue  # generated headers (seqrec_version.h) live in the build
    target=$(dirname "$header")
    if [[ $allowed != *" $target "* ]]; then
      report "$file" "$line" "$header" "$folder/ may include only:$allowed"
      continue
    fi
    # Inside baselines/: its own header, or another baseline's only to extend it.
    if [[ $folder == baselines && $target == baselines && ${header%.h} != "$stem" &&
          ${extends[$file]:-} != *" $header "* ]]; then
      report "$file" "$line" "$header" \
        "a baseline includes another only to extend it (listed in $table); shared parts belong in models/layers/"
    fi
  done < <(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$file" || true)
done < <(find core datasets models baselines harness -name '*.h' -o -name '*.cpp' | sort)

if ((violations)); then
  echo "layering: $violations include(s) against the direction" >&2
  exit 1
fi
echo "layering: every include follows $table"
