#pragma once

// The generator's own random numbers. The standard library's distributions
// are implementation-defined, so the same seed could give different worlds
// with another library; these are ours, so a seed always gives the same
// bytes. Every entity draws from its own stream (seed, stream id), so adding
// draws for one child never shifts another's.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace waymark::synth {

/// splitmix64: mixes a 64-bit value into a well-spread one.
constexpr std::uint64_t mix64(std::uint64_t x) noexcept {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/// FNV-1a of a text: a stable salt from an id (std::hash is not stable
/// across standard libraries).
constexpr std::uint64_t stable_hash(std::string_view text) noexcept {
    std::uint64_t hash = 0xcbf29ce484222325ULL;
    for (const char c : text) {
        hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
    }
    return hash;
}

/// xoshiro256** seeded from (seed, stream).
class Rng {
public:
    Rng(std::uint64_t seed, std::uint64_t stream) noexcept {
        std::uint64_t x = mix64(seed) ^ mix64(stream * 0xd1342543de82ef95ULL + 1);
        for (auto& word : m_state) {
            x = mix64(x);
            word = x;
        }
    }

    std::uint64_t next() noexcept {
        const std::uint64_t result = rotl(m_state[1] * 5, 7) * 9;
        const std::uint64_t t = m_state[1] << 17;
        m_state[2] ^= m_state[0];
        m_state[3] ^= m_state[1];
        m_state[1] ^= m_state[2];
        m_state[0] ^= m_state[3];
        m_state[2] ^= t;
        m_state[3] = rotl(m_state[3], 45);
        return result;
    }

    /// Uniform in [0, 1).
    double uniform() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    double uniform(double low, double high) noexcept { return low + (high - low) * uniform(); }

    /// Uniform integer in [low, high] (inclusive), without modulo bias.
    std::int64_t between(std::int64_t low, std::int64_t high) noexcept {
        const auto span = static_cast<std::uint64_t>(high - low) + 1;
        if (span == 0) {
            return static_cast<std::int64_t>(next());
        }
        const std::uint64_t limit = UINT64_MAX - UINT64_MAX % span;
        std::uint64_t value = next();
        while (value >= limit) {
            value = next();
        }
        return low + static_cast<std::int64_t>(value % span);
    }

    /// An index into a container of `size` elements (size > 0).
    std::size_t index(std::size_t size) noexcept {
        return static_cast<std::size_t>(between(0, static_cast<std::int64_t>(size) - 1));
    }

    bool chance(double probability) noexcept { return uniform() < probability; }

    /// Standard normal (Box–Muller; no cached second value, so draws stay aligned).
    double normal() noexcept {
        const double u = 1.0 - uniform(); // (0, 1]
        const double v = uniform();
        return std::sqrt(-2.0 * std::log(u)) * std::cos(2.0 * 3.14159265358979323846 * v);
    }
    double normal(double mean, double sd) noexcept { return mean + sd * normal(); }

    double exponential(double mean) noexcept { return -mean * std::log(1.0 - uniform()); }

    /// Poisson: Knuth's method for small means, a rounded normal for large.
    int poisson(double mean) noexcept {
        if (mean <= 0.0) {
            return 0;
        }
        if (mean < 30.0) {
            const double limit = std::exp(-mean);
            int count = 0;
            double product = uniform();
            while (product > limit) {
                ++count;
                product *= uniform();
            }
            return count;
        }
        const double value = std::round(normal(mean, std::sqrt(mean)));
        return value < 0.0 ? 0 : static_cast<int>(value);
    }

    /// An index drawn with probability proportional to `weights`.
    std::size_t weighted(std::span<const double> weights) noexcept {
        double total = 0.0;
        for (const double w : weights) {
            total += w;
        }
        double target = uniform() * total;
        for (std::size_t i = 0; i < weights.size(); ++i) {
            target -= weights[i];
            if (target < 0.0) {
                return i;
            }
        }
        return weights.size() - 1;
    }

    template <typename T>
    const T& pick(const std::vector<T>& items) noexcept {
        return items[index(items.size())];
    }

    template <typename T>
    void shuffle(std::vector<T>& items) noexcept {
        for (std::size_t i = items.size(); i > 1; --i) {
            std::swap(items[i - 1], items[index(i)]);
        }
    }

private:
    static constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept {
        return (x << k) | (x >> (64 - k));
    }
    std::uint64_t m_state[4]{};
};

} // namespace waymark::synth
