# Compiler warnings and CPU tuning for every mtrec target (call mtrec_target_options(tgt)).
function(mtrec_target_options target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
                                           -Wno-sign-conversion
                                           # g++ 12 false positive in std::string at -O3
                                           $<$<CXX_COMPILER_ID:GNU>:-Wno-restrict>)
  if(MTREC_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(MTREC_NATIVE)
    target_compile_options(${target} PRIVATE -march=native)
  endif()
endfunction()
