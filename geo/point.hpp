#pragma once

// A point in a projected working CRS whose unit is the metre. Every algorithm
// in geo/ measures distances in the plane: callers project first.

namespace waymark::geo {

struct Point {
    double x = 0;
    double y = 0;
};

} // namespace waymark::geo
