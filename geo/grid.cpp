#include "geo/grid.hpp"
