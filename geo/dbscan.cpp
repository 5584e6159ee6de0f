#include "geo/dbscan.hpp"
