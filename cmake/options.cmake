# Build options and sanitizer presets, all in one place.
option(LABCTL_BUILD_TESTS "Build the GoogleTest suites" ON)
option(LABCTL_WERROR "Treat warnings as errors" ON)
option(LABCTL_STATIC_WORKLOADS "Link fake-pool and fake-miner statically (for FROM-scratch images)" ON)
set(LABCTL_SANITIZE "" CACHE STRING "Sanitizers to enable: address;undefined, or thread")

if(LABCTL_SANITIZE)
  string(REPLACE ";" "," _san "${LABCTL_SANITIZE}")
  add_compile_options(-fsanitize=${_san} -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${_san})
  # Sanitizer runtimes do not link statically with glibc.
  set(LABCTL_STATIC_WORKLOADS OFF CACHE BOOL "" FORCE)
endif()
