#include "graph/names.hpp"
