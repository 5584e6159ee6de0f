#pragma once

// DBSCAN (Ester, Kriegel, Sander and Xu, 1996) with weighted points, indexed
// by a grid of eps-sized cells so that neighbour search is never O(n²).
//
// Definitions follow scikit-learn's DBSCAN with sample_weight, so that its
// labels are a reference: a point is *core* when the summed weight of the
// points within eps of it (itself included, distance <= eps) is at least
// min_weight; core points within eps of each other share a cluster; a
// non-core point within eps of a core point is a *border* point; every other
// point is noise. Unlike scikit-learn, whose border points go to whichever
// cluster reaches them first, a border point here joins the cluster of its
// nearest core point (ties: the core point with the lowest index), so labels
// do not depend on input order or thread count.

#include "geo/point.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace waymark::geo {

struct DbscanParams {
    double eps = 250;      ///< neighbourhood radius, metres (> 0)
    double min_weight = 5; ///< summed weight that makes a point core (> 0)
    int threads = 0;       ///< 0: hardware concurrency; results never depend on it
};

class Dbscan {
public:
    /// `weights` is empty (every point weighs 1) or one non-negative weight
    /// per point. Throws InputError for bad parameters or weights.
    Dbscan(std::span<const Point> points, std::span<const double> weights, DbscanParams params);

    void run();

    static constexpr int noise = -1;
    /// Per point: its cluster (0..cluster_count()-1) or `noise`. Clusters are
    /// numbered in the order of their lowest-indexed core point.
    const std::vector<int>& labels() const { return m_labels; }
    /// Per point: 1 if core, else 0.
    const std::vector<std::uint8_t>& core() const { return m_core; }
    int cluster_count() const { return m_clusters; }

private:
    std::span<const Point> m_points;
    std::span<const double> m_weights;
    DbscanParams m_params;
    std::vector<int> m_labels;
    std::vector<std::uint8_t> m_core;
    int m_clusters = 0;
};

} // namespace waymark::geo
