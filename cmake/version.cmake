# Writes OUT with the repository's `git describe --always --dirty`, only when it changed, so
# result.json records the commit a binary was built from and unrelated files don't rebuild.
# A copy of the sources without .git (a tarball, a build machine given only the tree) names
# its commit in the environment variable SEQREC_VERSION instead.
if(NOT "$ENV{SEQREC_VERSION}" STREQUAL "")
  set(version "$ENV{SEQREC_VERSION}")
else()
  execute_process(COMMAND git -C "${SRC}" describe --always --dirty
                  OUTPUT_VARIABLE version OUTPUT_STRIP_TRAILING_WHITESPACE
                  RESULT_VARIABLE status ERROR_QUIET)
  if(NOT status EQUAL 0 OR version STREQUAL "")
    set(version "unknown")
  endif()
endif()
set(content "#pragma once\n#define SEQREC_BUILD_VERSION \"${version}\"\n")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
endif()
if(NOT "${old}" STREQUAL "${content}")
  file(WRITE "${OUT}" "${content}")
endif()
