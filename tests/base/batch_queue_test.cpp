// The queue between an import's reading thread and its writing thread.

#include "base/batch_queue.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>

namespace waymark {
namespace {

TEST(BatchQueue, DeliversEveryBatchInOrderThenEnds) {
    BatchQueue<int> queue(2); // smaller than the number of batches: push() must wait
    std::thread producer([&] {
        for (int b = 0; b < 100; ++b) {
            ASSERT_TRUE(queue.push({b * 3, b * 3 + 1, b * 3 + 2}));
        }
        queue.finish();
    });
    std::vector<int> batch;
    int expected = 0;
    while (queue.pop(batch)) {
        for (const int value : batch) {
            EXPECT_EQ(value, expected++);
        }
    }
    producer.join();
    EXPECT_EQ(expected, 300);
    EXPECT_FALSE(queue.pop(batch)); // stays ended
}

TEST(BatchQueue, TheProducersErrorComesAfterItsBatches) {
    BatchQueue<int> queue(4);
    std::thread producer([&] {
        queue.push({1});
        queue.push({2});
        queue.finish(std::make_exception_ptr(std::runtime_error("line 3: too long")));
    });
    producer.join();
    std::vector<int> batch;
    ASSERT_TRUE(queue.pop(batch));
    EXPECT_EQ(batch, std::vector<int>{1});
    ASSERT_TRUE(queue.pop(batch));
    EXPECT_EQ(batch, std::vector<int>{2});
    try {
        queue.pop(batch);
        FAIL() << "no exception";
    } catch (const std::runtime_error& error) {
        EXPECT_STREQ(error.what(), "line 3: too long");
    }
}

TEST(BatchQueue, CancellingReleasesAWaitingProducer) {
    BatchQueue<int> queue(1);
    ASSERT_TRUE(queue.push({1})); // full now
    bool accepted = true;
    std::thread producer([&] { accepted = queue.push({2}); }); // waits for room
    queue.cancel();
    producer.join();
    EXPECT_FALSE(accepted);
    EXPECT_FALSE(queue.push({3}));
}

} // namespace
} // namespace waymark
