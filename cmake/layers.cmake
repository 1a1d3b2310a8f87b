# One object library per layer (design §1: core <- datasets <- models/layers <- models <-
# baselines <- harness), linked together into the one shared seqrec_core.
#
# Each layer compiles against an include root of its own, a folder of symbolic links to the
# source folders (or headers) it may include and nothing else: an include against the
# direction is "file not found" at build time. tests/layering/check_includes.sh checks the
# same table line by line, with finer rules (a headline model never includes another, a
# baseline includes another only to extend it), and names the offending line.

set(SEQREC_LAYER_ROOTS ${CMAKE_BINARY_DIR}/layer_includes)

# seqrec_layer(NAME SOURCES <globs...> SEES <paths relative to the source root...>)
function(seqrec_layer name)
  cmake_parse_arguments(L "" "" "SOURCES;SEES" ${ARGN})
  set(sources)
  foreach(pattern ${L_SOURCES})
    file(GLOB found CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/${pattern})
    list(APPEND sources ${found})
  endforeach()
  set(root ${SEQREC_LAYER_ROOTS}/${name})
  file(REMOVE_RECURSE ${root})
  foreach(path ${L_SEES})
    get_filename_component(parent ${root}/${path} DIRECTORY)
    file(MAKE_DIRECTORY ${parent})
    file(CREATE_LINK ${CMAKE_SOURCE_DIR}/${path} ${root}/${path} SYMBOLIC)
  endforeach()
  add_library(seqrec_layer_${name} OBJECT ${sources})
  target_include_directories(seqrec_layer_${name} PRIVATE ${root})
  target_compile_options(seqrec_layer_${name} PRIVATE -Wall -Wextra -Wno-unused-parameter)
endfunction()

# The headers of models/ that baselines may include: the interface and the registry, not the
# headline models.
set(SEQREC_MODEL_INTERFACE models/sequential_recommender.h models/registry.h)

seqrec_layer(core SOURCES core/*.cpp SEES core)
seqrec_layer(datasets SOURCES datasets/*.cpp SEES core datasets)
seqrec_layer(model_layers SOURCES models/layers/*.cpp SEES core datasets models/layers)
seqrec_layer(models SOURCES models/*.cpp models/fame/*.cpp models/hm4sr/*.cpp
             SEES core datasets models)
seqrec_layer(baselines SOURCES baselines/*.cpp
             SEES core datasets models/layers ${SEQREC_MODEL_INTERFACE} baselines)
seqrec_layer(harness SOURCES harness/*.cpp harness/report/*.cpp harness/cli/cli_*.cpp
             SEES core datasets models/layers ${SEQREC_MODEL_INTERFACE} harness)

# The downloads of `seqrec dataset get`: libcurl for HTTP, libarchive for the .zip files,
# OpenSSL's libcrypto for sha256 (all from Debian, installed by scripts/setup.sh).
find_package(CURL REQUIRED)
find_package(LibArchive REQUIRED)
find_package(OpenSSL REQUIRED)
target_link_libraries(seqrec_layer_datasets PUBLIC CURL::libcurl LibArchive::LibArchive
                                                   OpenSSL::Crypto)

# core is plain C++ (no torch): it links only what it may use.
target_link_libraries(seqrec_layer_core PUBLIC nlohmann_json::nlohmann_json)
foreach(layer datasets model_layers models baselines harness)
  target_link_libraries(seqrec_layer_${layer} PUBLIC ${TORCH_LIBRARIES} nlohmann_json::nlohmann_json)
endforeach()
# One precompiled torch header, compiled once and reused by every torch layer.
target_precompile_headers(seqrec_layer_datasets PRIVATE ${CMAKE_SOURCE_DIR}/cmake/torch_pch.h)
foreach(layer model_layers models baselines harness)
  target_precompile_headers(seqrec_layer_${layer} REUSE_FROM seqrec_layer_datasets)
endforeach()
if(TARGET CLI11::CLI11)
  target_link_libraries(seqrec_layer_harness PUBLIC CLI11::CLI11)
endif()
