#include "geo/gistar.hpp"
