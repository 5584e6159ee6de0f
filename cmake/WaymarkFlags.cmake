# One INTERFACE target carries every compile and link flag; each of our
# targets links it privately. No global add_definitions / include_directories.
add_library(waymark_flags INTERFACE)
add_library(waymark::flags ALIAS waymark_flags)

target_compile_options(waymark_flags INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual
  -Wcast-qual -Wformat=2 -Wimplicit-fallthrough
  $<$<BOOL:${WAYMARK_DEVELOPER}>:-Werror>
  $<$<CONFIG:ASan>:-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined>
  $<$<CONFIG:UBSan>:-O1 -g -fno-omit-frame-pointer -fsanitize=undefined -fno-sanitize-recover=undefined>
  $<$<CONFIG:TSan>:-O1 -g -fno-omit-frame-pointer -fsanitize=thread>)

target_link_options(waymark_flags INTERFACE
  $<$<CONFIG:ASan>:-fsanitize=address,undefined>
  $<$<CONFIG:UBSan>:-fsanitize=undefined>
  $<$<CONFIG:TSan>:-fsanitize=thread>)
