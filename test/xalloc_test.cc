// The viewer's allocation (src/trace/xalloc.h): growth by doubling, and
// out of memory as one line and exit status 2, never a NULL to check.
#include <cstdint>
#include <cstdlib>

#include <gtest/gtest.h>

#include "trace/xalloc.h"

namespace {

TEST(Grow, DoublesFromEightOrTakesWhatIsNeeded) {
    EXPECT_EQ(8u, pt_grow_cap(0, 1));
    EXPECT_EQ(32u, pt_grow_cap(16, 17));
    EXPECT_EQ(100u, pt_grow_cap(16, 100));
    EXPECT_EQ(SIZE_MAX, pt_grow_cap(SIZE_MAX / 2 + 1, SIZE_MAX / 2 + 2));
}

TEST(Grow, KeepsItemsAndGrowsOnlyWhenFull) {
    int *v = nullptr;
    size_t len = 0, cap = 0;
    for (int i = 0; i < 1000; i++) {
        size_t before = cap;
        PT_GROW(v, len + 1, cap);
        if (len < before) {
            EXPECT_EQ(before, cap) << "grown while there was room";
        }
        v[len++] = i;
    }
    EXPECT_EQ(1024u, cap);
    for (int i = 0; i < 1000; i++)
        ASSERT_EQ(i, v[i]);
    free(v);
}

TEST(Xalloc, ZeroBytesIsStillAPointerToFree) {
    void *p = pt_xmalloc(0);
    void *q = pt_xcalloc(0, 8);
    EXPECT_NE(nullptr, p);
    EXPECT_NE(nullptr, q);
    free(p);
    free(q);
    char *s = pt_xstrdup("pipe:[88121]");
    EXPECT_STREQ("pipe:[88121]", s);
    free(s);
}

// A count times size that overflows is refused before any allocation.
TEST(XallocDeathTest, AnOverflowingArrayIsOutOfMemory) {
    EXPECT_EXIT(pt_xreallocarray(nullptr, SIZE_MAX / 2, 4), ::testing::ExitedWithCode(2),
                "^pipetrace: out of memory\n$");
}

#ifndef __SANITIZE_ADDRESS__ // ASan reports a huge malloc itself (--config=asan)
TEST(XallocDeathTest, AFailedAllocationIsOneLineAndExitStatus2) {
    EXPECT_EXIT(pt_xmalloc(SIZE_MAX - 4096), ::testing::ExitedWithCode(2),
                "^pipetrace: out of memory\n$");
    EXPECT_EXIT(pt_xcalloc(SIZE_MAX / 16, 8), ::testing::ExitedWithCode(2),
                "^pipetrace: out of memory\n$");
}
#endif

} // namespace
