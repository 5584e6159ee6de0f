// The waymark executable: everything is in the library so that tests can
// run the same code in-process.

#include "engine/cli/app.hpp"

#include <iostream>

int main(int argc, char** argv) {
    return waymark::cli::run(argc, argv, std::cout, std::cerr);
}
