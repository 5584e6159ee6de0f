#include "geo/kde.hpp"
