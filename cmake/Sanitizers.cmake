# -DMTREC_SANITIZE=address,undefined builds everything with those sanitizers,
# less what these two leave out (scripts/sanitize.sh sets both, for its
# compile time):
# - MTREC_FRONT_END_NO_SANITIZE (e.g. undefined): sanitizers left out of the
#   test files and the CLI, thin front ends over the library, which keeps them
#   all. UBSan about halves those files' compile time.
# - MTREC_SERVE_SANITIZE=OFF: the HTTP server's library (src/serve) without
#   any: no test that scripts/sanitize.sh runs serves HTTP, and
#   scripts/fuzz.sh runs its handlers under ASan+UBSan (62 of the sanitized
#   build's 610 CPU seconds were that library's).
# - MTREC_SANITIZE_COLD_O0=ON: the library's files that parse, read, write and
#   describe (MTREC_COLD_SOURCES_REGEX), and the CLI, at -O0, each compiled
#   alone: their compile time at -O2 under both sanitizers was most of the
#   sanitized build's (checkpoint.cc alone 36 CPU s at -O2, 15 at -O0). The
#   arithmetic the tests compare bit for bit (backend, core, model, eval,
#   optim, infer, loss) stays at the build's level.
set(MTREC_FRONT_END_NO_SANITIZE "" CACHE STRING
    "Sanitizers of MTREC_SANITIZE not instrumented in the test files and the CLI (e.g. undefined)")
option(MTREC_SERVE_SANITIZE "Instrument src/serve with MTREC_SANITIZE too" ON)
option(MTREC_SANITIZE_COLD_O0 "With MTREC_SANITIZE: the cold sources and the CLI at -O0" OFF)
set(MTREC_COLD_SOURCES_REGEX "/mtrec/(api|data|io|report|run|train)/|/src/cli/")
if(MTREC_SANITIZE)
  add_compile_options(-fsanitize=${MTREC_SANITIZE} -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${MTREC_SANITIZE})
endif()

# Applies MTREC_FRONT_END_NO_SANITIZE to a front end's target.
function(mtrec_front_end_sanitizers target)
  if(MTREC_SANITIZE AND MTREC_FRONT_END_NO_SANITIZE)
    target_compile_options(${target} PRIVATE -fno-sanitize=${MTREC_FRONT_END_NO_SANITIZE})
  endif()
endfunction()

# MTREC_SANITIZE_COLD_O0: -O0 for those of `sources` that MTREC_COLD_SOURCES_REGEX
# matches (a file with its own options is compiled outside the unity units).
function(mtrec_sanitize_cold_sources)
  if(MTREC_SANITIZE AND MTREC_SANITIZE_COLD_O0)
    set(cold ${ARGN})
    list(FILTER cold INCLUDE REGEX "${MTREC_COLD_SOURCES_REGEX}")
    set_source_files_properties(${cold} PROPERTIES COMPILE_OPTIONS -O0)
  endif()
endfunction()
