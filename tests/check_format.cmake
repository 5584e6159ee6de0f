# ctest runs this to keep the tree clang-format clean (design/ARCHITECTURE.md, 7).
file(GLOB_RECURSE sources
  "${SOURCE_DIR}/base/*.[ch]pp" "${SOURCE_DIR}/engine/*.[ch]pp" "${SOURCE_DIR}/geo/*.[ch]pp"
  "${SOURCE_DIR}/graph/*.[ch]pp" "${SOURCE_DIR}/importers/*.[ch]pp" "${SOURCE_DIR}/data/*.[ch]pp"
  "${SOURCE_DIR}/tests/*.[ch]pp" "${SOURCE_DIR}/bench/*.[ch]pp")
execute_process(COMMAND clang-format --dry-run --Werror ${sources}
  RESULT_VARIABLE result ERROR_VARIABLE problems)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "clang-format would change these files (run 'make format'):\n${problems}")
endif()
list(LENGTH sources count)
message(STATUS "${count} files are clang-format clean")
