#pragma once

// Work shared out over threads, one way everywhere (geo/, graph/): a shared
// counter hands out chunks of items as threads become free, so the work
// balances itself. Which thread takes which chunk varies from run to run, so
// callers write per-item outputs, or accumulate in a way whose result does
// not depend on the order: results never depend on the number of threads
// (design/ARCHITECTURE.md, point 6).

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

namespace waymark {

/// `requested` threads, or one per core for 0 (or less); at least one.
inline int thread_count(int requested) {
    if (requested > 0) {
        return requested;
    }
    return static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
}

/// Runs `work` over [0, count) in chunks of `chunk` items on up to `threads`
/// threads (the calling thread is one of them). `work` is called as
/// work(begin, end), or as work(thread, begin, end) with the worker's number
/// (0 … threads-1) for per-thread scratch space. The first exception any
/// worker throws stops the others and is rethrown here.
template <typename Work>
void parallel_chunks(int threads, std::size_t count, std::size_t chunk, const Work& work) {
    const auto call = [&work](int thread, std::size_t begin, std::size_t end) {
        if constexpr (std::is_invocable_v<const Work&, int, std::size_t, std::size_t>) {
            work(thread, begin, end);
        } else {
            (void)thread;
            work(begin, end);
        }
    };
    if (count == 0) {
        return;
    }
    chunk = std::max<std::size_t>(chunk, 1);
    const std::size_t chunks = (count + chunk - 1) / chunk;
    const auto workers = static_cast<int>(
        std::min<std::size_t>(static_cast<std::size_t>(std::max(threads, 1)), chunks));
    if (workers == 1) {
        call(0, 0, count);
        return;
    }
    std::atomic<std::size_t> next{0};
    std::exception_ptr error;
    std::mutex error_mutex;
    const auto body = [&](int thread) {
        try {
            for (std::size_t c = next.fetch_add(1, std::memory_order_relaxed); c < chunks;
                 c = next.fetch_add(1, std::memory_order_relaxed)) {
                call(thread, c * chunk, std::min(count, (c + 1) * chunk));
            }
        } catch (...) {
            const std::lock_guard<std::mutex> lock(error_mutex);
            if (!error) {
                error = std::current_exception();
            }
            next.store(chunks);
        }
    };
    std::vector<std::thread> pool;
    try {
        for (int t = 1; t < workers; ++t) {
            pool.emplace_back(body, t);
        }
    } catch (...) {
        // No thread to be had: stop those started, then report.
        next.store(chunks);
        for (std::thread& thread : pool) {
            thread.join();
        }
        throw;
    }
    body(0);
    for (std::thread& thread : pool) {
        thread.join();
    }
    if (error) {
        std::rethrow_exception(error);
    }
}

} // namespace waymark
