#include "graph/resolution.hpp"
