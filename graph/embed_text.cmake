# Writes a text file into a C++ source as a std::string_view, so that data
# shipped with Waymark (data/names/nicknames.csv) is compiled into the binary
# and needs no file at run time. Run at build time by graph/CMakeLists.txt:
#   cmake -DINPUT=file.csv -DOUTPUT=file.cpp -DNAME=symbol -P embed_text.cmake
file(READ "${INPUT}" text)
string(FIND "${text}" ")waymark\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw string delimiter )waymark\"")
endif()
file(WRITE "${OUTPUT}"
  "// Generated from ${INPUT} by graph/embed_text.cmake. Do not edit.\n"
  "#include <string_view>\n\n"
  "namespace waymark::graph {\n"
  "extern const std::string_view ${NAME};\n"
  "const std::string_view ${NAME} = R\"waymark(${text})waymark\";\n"
  "} // namespace waymark::graph\n")
