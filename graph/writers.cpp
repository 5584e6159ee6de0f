#include "graph/writers.hpp"
