// Process names as users know them (src/analysis/procname.c): the script
// an interpreter runs, not the interpreter alone.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "analysis/procname.h"

namespace {

std::string Name(const std::vector<const char *> &argv, const char *exe = "/usr/bin/x") {
    char buf[PT_NAME_MAX];
    pt_name_argv(argv.data(), argv.size(), exe, buf, sizeof buf);
    return buf;
}

TEST(ProcName, AProgramIsItsFileName) {
    EXPECT_EQ("sort", Name({"/usr/bin/sort", "-n"}));
    EXPECT_EQ("head", Name({"head", "-n", "1"}));
    EXPECT_EQ("bash", Name({"-bash"}, "/bin/bash")); // a login shell
}

TEST(ProcName, AnInterpreterIsNamedWithItsScript) {
    EXPECT_EQ("python3 worker.py", Name({"python3", "/srv/app/worker.py", "--fast"}));
    EXPECT_EQ("python3.11 worker.py", Name({"/usr/bin/python3.11", "-u", "worker.py"}));
    EXPECT_EQ("sh build.sh", Name({"sh", "./build.sh", "all"}));
    EXPECT_EQ("bash run.sh", Name({"bash", "-e", "run.sh"}));
    EXPECT_EQ("perl gen.pl", Name({"perl", "gen.pl"}));
    EXPECT_EQ("node server.js", Name({"node", "server.js"}));
    EXPECT_EQ("ruby task.rb", Name({"ruby", "task.rb"}));
    EXPECT_EQ("dash", Name({"dash"})); // reading its stdin
    // A shebang script started by its own name: argv[0] is the script, the
    // exe the interpreter.
    EXPECT_EQ("tool.py", Name({"./tool.py"}, "/usr/bin/python3.11"));
}

TEST(ProcName, InlineProgramsAreQuotedAndModulesNamed) {
    EXPECT_EQ("sh -c 'yes | head -n 1'", Name({"sh", "-c", "yes | head -n 1"}));
    EXPECT_EQ("python3 -m http.server", Name({"python3", "-m", "http.server", "8000"}));
    EXPECT_EQ("node -e 'console.log(1)'", Name({"node", "-e", "console.log(1)"}));
    EXPECT_EQ("python3 -c 'import os  os.exit(0)'",
              Name({"python3", "-c", "import os\n\tos.exit(0)"}));
}

TEST(ProcName, ALongNameIsCutWithDots) {
    std::string text(200, 'x');
    std::string n = Name({"sh", "-c", text.c_str()});
    EXPECT_EQ(static_cast<size_t>(PT_NAME_MAX - 1), n.size());
    EXPECT_EQ("...", n.substr(n.size() - 3));
    EXPECT_EQ("sh -c 'xxx", n.substr(0, 10));
}

TEST(ProcName, NoArgvFallsBackToTheExe) {
    EXPECT_EQ("seq", Name({}, "/usr/bin/seq"));
    EXPECT_EQ("?", Name({}, ""));
}

} // namespace
