#!/usr/bin/env bash
# Installs the Debian packages the build needs (design §2), skipping those already there,
# and makes sure LibTorch uses OpenBLAS: with the reference BLAS it runs ~7x slower.
set -euo pipefail

packages=(build-essential cmake ninja-build ccache libtorch-dev libopenblas0-openmp libcli11-dev
          nlohmann-json3-dev libboost-test-dev libbenchmark-dev gnuplot-nox clang-format
          libcurl4-openssl-dev libarchive-dev libssl-dev python3
          slurm-wlm)  # slurm-wlm: the test of `seqrec sweep --slurm` runs a real single-node Slurm;
                      # clang-format: the `format` test (layout of every C++ file);
                      # libcurl, libarchive, libssl: `seqrec dataset get` (HTTP, .zip, sha256);
                      # python3: its tests serve fixtures with `python3 -m http.server`

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all packages present"
fi

blas=$(update-alternatives --query libblas.so.3-x86_64-linux-gnu 2>/dev/null | awk '/^Value:/{print $2}')
case "$blas" in
  *openblas*) echo "setup: BLAS = $blas" ;;
  *) echo "setup: warning: BLAS is '$blas', not OpenBLAS; LibTorch will be several times slower" >&2 ;;
esac
