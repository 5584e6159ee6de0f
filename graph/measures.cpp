#include "graph/measures.hpp"
