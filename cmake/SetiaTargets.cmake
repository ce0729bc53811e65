# Per-target settings shared by every Setia target. Nothing here is directory-wide:
# each target opts in with setia_configure_target().

function(setia_configure_target target)
  target_compile_features(${target} PUBLIC cxx_std_20)
  set_target_properties(${target} PROPERTIES AUTOMOC ON)
  target_compile_definitions(${target} PRIVATE
    QT_NO_CAST_FROM_ASCII QT_NO_CAST_TO_ASCII QT_NO_KEYWORDS
    QT_NO_URL_CAST_FROM_STRING QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
    QT_DISABLE_DEPRECATED_BEFORE=0x060400)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
      -Wnon-virtual-dtor -Wcast-align -Woverloaded-virtual -Wformat=2 -Wimplicit-fallthrough)
    if(SETIA_WARNINGS_AS_ERRORS)
      target_compile_options(${target} PRIVATE -Werror)
    endif()
    if(SETIA_SANITIZE)
      list(JOIN SETIA_SANITIZE "," san)
      target_compile_options(${target} PRIVATE -fsanitize=${san} -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
      target_link_options(${target} PRIVATE -fsanitize=${san})
    endif()
  endif()
endfunction()

# A Qt Test suite: one executable, one CTest test, offscreen platform, a fresh temp HOME.
function(setia_add_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  setia_configure_target(${name})
  target_link_libraries(${name} PRIVATE Qt6::Test Setia::TestSupport ${ARG_LIBS})
  add_test(NAME ${name} COMMAND ${name})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  set_tests_properties(${name} PROPERTIES
    TIMEOUT ${ARG_TIMEOUT}
    SKIP_RETURN_CODE 77
    LABELS "${ARG_LABELS}"
    ENVIRONMENT "QT_QPA_PLATFORM=offscreen;ASAN_OPTIONS=detect_leaks=1:verify_asan_link_order=0;UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")
endfunction()

# The architecture's arrows (docs/architecture.md), checked when CMake configures: a target
# may link only what its part is allowed to. Call after every target exists.
function(setia_check_links target)
  cmake_parse_arguments(ARG "" "" "ALLOWED" ${ARGN})
  get_target_property(libs ${target} LINK_LIBRARIES)
  get_target_property(ilibs ${target} INTERFACE_LINK_LIBRARIES)
  foreach(lib IN LISTS libs ilibs)
    if(NOT lib)
      continue()
    elseif(lib MATCHES "^\\$<LINK_ONLY:([^$]*)>$")
      set(lib ${CMAKE_MATCH_1})
    elseif(lib MATCHES "^\\$<")
      continue() # generator expressions Qt adds (resource objects), not a part
    endif()
    if(NOT lib IN_LIST ARG_ALLOWED)
      message(FATAL_ERROR "Architecture: ${target} links ${lib}, which its part may not use (allowed: ${ARG_ALLOWED}). See docs/architecture.md.")
    endif()
  endforeach()
endfunction()
