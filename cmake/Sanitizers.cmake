# -DMTREC_SANITIZE=address,undefined builds everything with those sanitizers.
if(MTREC_SANITIZE)
  add_compile_options(-fsanitize=${MTREC_SANITIZE} -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${MTREC_SANITIZE})
endif()
