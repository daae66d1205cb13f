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
set(MTREC_FRONT_END_NO_SANITIZE "" CACHE STRING
    "Sanitizers of MTREC_SANITIZE not instrumented in the test files and the CLI (e.g. undefined)")
option(MTREC_SERVE_SANITIZE "Instrument src/serve with MTREC_SANITIZE too" ON)
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
