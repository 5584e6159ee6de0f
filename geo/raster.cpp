#include "geo/raster.hpp"
