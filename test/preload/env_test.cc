// The environment a child is started with (src/preload/env.c): whatever the
// program hands exec or posix_spawn, the child must come out preloaded with
// this library and the same PIPETRACE_* settings, unless told not to follow.
#include <gtest/gtest.h>

#include <string.h>

#include <string>
#include <vector>

extern "C" {
#include "src/preload/env.h"
#include "src/preload/state.h"
}

namespace {

const char kLib[] = "/opt/pt/libpipetrace.so";

// A NULL-terminated array over strings the test keeps alive.
class Env {
  public:
    Env(std::initializer_list<std::string> entries) : strings_(entries) {
        for (auto &s : strings_)
            ptrs_.push_back(&s[0]);
        ptrs_.push_back(nullptr);
    }
    char **get() { return ptrs_.data(); }

  private:
    std::vector<std::string> strings_;
    std::vector<char *> ptrs_;
};

std::vector<std::string> Strings(char *const *envp) {
    std::vector<std::string> out;
    for (char *const *e = envp; e && *e; e++)
        out.push_back(*e);
    return out;
}

// What a child would be started with when the program passes `given`.
std::vector<std::string> Fixed(char **given) {
    pt_env_room room;
    char *const *out = pt_env_prepare(&room, given);
    std::vector<std::string> strings = Strings(out);
    pt_env_release(&room);
    return strings;
}

class ChildEnv : public ::testing::Test {
  protected:
    // The image was started as `pipetrace run` starts it.
    void SetUp() override {
        strcpy(pt_config.dir, "/work/trace");
        Env start{"PATH=/usr/bin", "LD_PRELOAD=/opt/pt/libpipetrace.so", "PIPETRACE_DIR=trace",
                  "PIPETRACE_DATA=full"};
        pt_env_capture_as(start.get(), kLib);
    }
};

using Strs = std::vector<std::string>;

TEST_F(ChildEnv, ClearedEnvironmentGetsThePreloadAndOurVariablesBack) {
    Env cleared{"PATH=/bin"};
    EXPECT_EQ(Fixed(cleared.get()), (Strs{"PATH=/bin", "LD_PRELOAD=/opt/pt/libpipetrace.so",
                                          "PIPETRACE_DIR=/work/trace", "PIPETRACE_DATA=full"}));
    Env empty{};
    EXPECT_EQ(Fixed(empty.get()), (Strs{"LD_PRELOAD=/opt/pt/libpipetrace.so",
                                        "PIPETRACE_DIR=/work/trace", "PIPETRACE_DATA=full"}));
    // execve(path, argv, NULL): Linux takes it as empty.
    EXPECT_EQ(Fixed(nullptr), (Strs{"LD_PRELOAD=/opt/pt/libpipetrace.so",
                                    "PIPETRACE_DIR=/work/trace", "PIPETRACE_DATA=full"}));
}

// The directory is passed on absolute: a child that changed directory
// records into the same trace.
TEST_F(ChildEnv, DirectoryIsPassedOnAbsoluteAndTheProgramsOwnValuesWin) {
    Env own{"PIPETRACE_DATA=0", "LD_PRELOAD=/opt/pt/libpipetrace.so"};
    EXPECT_EQ(Fixed(own.get()), (Strs{"PIPETRACE_DATA=0", "LD_PRELOAD=/opt/pt/libpipetrace.so",
                                      "PIPETRACE_DIR=/work/trace"}));
}

TEST_F(ChildEnv, OtherPreloadsStayAfterOurs) {
    Env other{"LD_PRELOAD=/usr/lib/libfaketime.so:/x.so", "PIPETRACE_DIR=/work/trace",
              "PIPETRACE_DATA=full"};
    EXPECT_EQ(Fixed(other.get()),
              (Strs{"LD_PRELOAD=/opt/pt/libpipetrace.so:/usr/lib/libfaketime.so:/x.so",
                    "PIPETRACE_DIR=/work/trace", "PIPETRACE_DATA=full"}));
    Env blank{"LD_PRELOAD=", "PIPETRACE_DIR=/work/trace", "PIPETRACE_DATA=full"};
    EXPECT_EQ(Fixed(blank.get()), (Strs{"LD_PRELOAD=/opt/pt/libpipetrace.so",
                                        "PIPETRACE_DIR=/work/trace", "PIPETRACE_DATA=full"}));
}

// ld.so separates entries with colons or spaces; only a whole entry that is
// our path counts.
TEST_F(ChildEnv, OursAmongOthersIsLeftAloneButAPrefixIsNotOurs) {
    Env among{"LD_PRELOAD=/x.so /opt/pt/libpipetrace.so", "PIPETRACE_DIR=/work/trace",
              "PIPETRACE_DATA=full"};
    char **given = among.get();
    pt_env_room room;
    EXPECT_EQ(pt_env_prepare(&room, given), given) << "nothing missing: the program's own array";
    pt_env_release(&room);
    EXPECT_TRUE(pt_env_keeps_tracing(given));

    Env prefix{"LD_PRELOAD=/opt/pt/libpipetrace.so.old", "PIPETRACE_DIR=/work/trace",
               "PIPETRACE_DATA=full"};
    EXPECT_FALSE(pt_env_keeps_tracing(prefix.get()));
    EXPECT_EQ(Fixed(prefix.get())[0],
              "LD_PRELOAD=/opt/pt/libpipetrace.so:/opt/pt/libpipetrace.so.old");
}

// An environment too large for the stack room is fixed in a mapping.
TEST_F(ChildEnv, LargeEnvironmentIsFixedWholeInAMapping) {
    std::vector<std::string> strings;
    for (int i = 0; i < 3 * PT_ENV_SMALL; i++)
        strings.push_back("V" + std::to_string(i) + "=x");
    std::vector<char *> ptrs;
    for (auto &s : strings)
        ptrs.push_back(&s[0]);
    ptrs.push_back(nullptr);
    std::vector<std::string> fixed = Fixed(ptrs.data());
    ASSERT_EQ(fixed.size(), strings.size() + 3);
    EXPECT_EQ(fixed[0], "V0=x");
    EXPECT_EQ(fixed[strings.size() - 1], strings.back());
    EXPECT_EQ(fixed[strings.size()], "LD_PRELOAD=/opt/pt/libpipetrace.so");
}

// A rebuilt LD_PRELOAD that does not fit its room: the program's own is
// passed on rather than a cut one.
TEST_F(ChildEnv, PreloadTooLongToRebuildIsLeftAsItWas) {
    std::string huge = "LD_PRELOAD=/" + std::string(PT_ENV_PRELOAD_BUF, 'x') + ".so";
    Env given{huge, "PIPETRACE_DIR=/work/trace", "PIPETRACE_DATA=full"};
    EXPECT_EQ(Fixed(given.get())[0], huge);
}

TEST(ChildEnvFollow, FollowZeroLeavesChildrenAlone) {
    strcpy(pt_config.dir, "/work/trace");
    Env start{"LD_PRELOAD=/opt/pt/libpipetrace.so", "PIPETRACE_FOLLOW=0"};
    pt_env_capture_as(start.get(), kLib);
    EXPECT_FALSE(pt_env_following());
    Env cleared{"PATH=/bin"};
    char **given = cleared.get();
    pt_env_room room;
    EXPECT_EQ(pt_env_prepare(&room, given), given);
    pt_env_release(&room);
    EXPECT_FALSE(pt_env_keeps_tracing(given));
}

// A set-id program (no environment kept) and a library whose path cannot be
// told pass nothing on.
TEST(ChildEnvFollow, SecureExecutionAndUnknownLibraryFollowNothing) {
    strcpy(pt_config.dir, "/work/trace");
    pt_env_capture_as(nullptr, kLib);
    EXPECT_FALSE(pt_env_following());
    Env start{"LD_PRELOAD=/opt/pt/libpipetrace.so"};
    pt_env_capture_as(start.get(), nullptr);
    EXPECT_FALSE(pt_env_following());
    Env cleared{"PATH=/bin"};
    EXPECT_EQ(Fixed(cleared.get()), (Strs{"PATH=/bin"}));
    EXPECT_TRUE(pt_env_keeps_tracing(cleared.get())) << "cannot tell: says nothing";
    pt_env_capture_as(start.get(), kLib);
    EXPECT_TRUE(pt_env_following());
}

} // namespace
