#pragma once

// A bounded queue of batches from one producer thread to one consumer, in
// order. It lets an import read and parse on one core while it writes on the
// other (design/ARCHITECTURE.md: use both cores where work is parallel);
// batches amortise the locking, and the bound keeps memory constant however
// long the input is.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <mutex>
#include <utility>
#include <vector>

namespace waymark {

template <typename T>
class BatchQueue {
public:
    /// At most `capacity` batches wait at once; push() blocks beyond that.
    explicit BatchQueue(std::size_t capacity) : m_capacity(capacity == 0 ? 1 : capacity) {}

    /// Producer: hands over a batch, waiting while the queue is full. Returns
    /// false (and drops the batch) once the consumer has cancelled.
    bool push(std::vector<T> batch) {
        std::unique_lock lock(m_mutex);
        m_changed.wait(lock, [&] { return m_cancelled || m_batches.size() < m_capacity; });
        if (m_cancelled) {
            return false;
        }
        m_batches.push_back(std::move(batch));
        m_changed.notify_all();
        return true;
    }

    /// Producer: no more batches. With an exception, the consumer's pop()
    /// rethrows it after the batches pushed before it.
    void finish(std::exception_ptr error = nullptr) {
        std::lock_guard lock(m_mutex);
        m_finished = true;
        m_error = std::move(error);
        m_changed.notify_all();
    }

    /// Consumer: the next batch into `out`, waiting for one. Returns false
    /// when the producer finished and every batch was taken; rethrows the
    /// producer's exception at that point.
    bool pop(std::vector<T>& out) {
        std::unique_lock lock(m_mutex);
        m_changed.wait(lock, [&] { return m_finished || !m_batches.empty(); });
        if (m_batches.empty()) {
            if (m_error) {
                std::rethrow_exception(std::exchange(m_error, nullptr));
            }
            return false;
        }
        out = std::move(m_batches.front());
        m_batches.pop_front();
        m_changed.notify_all();
        return true;
    }

    /// Consumer: stop taking batches (for example, because writing failed).
    /// A waiting or later push() returns false, so the producer can stop.
    void cancel() {
        std::lock_guard lock(m_mutex);
        m_cancelled = true;
        m_batches.clear();
        m_changed.notify_all();
    }

private:
    std::size_t m_capacity;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::deque<std::vector<T>> m_batches;
    bool m_finished = false;
    bool m_cancelled = false;
    std::exception_ptr m_error;
};

} // namespace waymark
