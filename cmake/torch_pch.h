// Precompiled header: the torch includes dominate build time on 2 cores.
#pragma once
#include <torch/torch.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>
