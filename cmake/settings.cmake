# One INTERFACE target carries every warning and define; every target links it.
add_library(labctl_settings INTERFACE)
target_compile_options(labctl_settings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align -Wunused
  -Woverloaded-virtual -Wnull-dereference -Wimplicit-fallthrough -Wformat=2
  $<$<BOOL:${LABCTL_WERROR}>:-Werror>)
target_compile_definitions(labctl_settings INTERFACE
  BOOST_ASIO_NO_DEPRECATED
  LABCTL_VERSION="${PROJECT_VERSION}"
  LABCTL_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
