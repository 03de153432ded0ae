// The one list of wrappers (src/preload/wrappers.inc) against what was
// built from it: the library's exported symbols, the version script, and
// the real functions each row resolves to in this libc.
#include <gtest/gtest.h>

#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

extern "C" {
#include "src/preload/next_symbol.h"
#include "src/preload/real.h"
}

namespace {

// Every row's name: what programs must see.
const std::set<std::string> kListed = {
#define PT_WRAP(ret, name, params) #name,
#define PT_WRAP_ONLY(ret, name, params) #name,
#include "src/preload/wrappers.inc"
};

std::string Runfile(const char *env) {
    const char *path = getenv(env);
    EXPECT_NE(path, nullptr) << env << " is not set";
    return path ? path : "";
}

std::string Describe(const std::set<std::string> &names) {
    std::string out;
    for (const auto &n : names)
        out += " " + n;
    return out.empty() ? " (none)" : out;
}

// a - b
std::set<std::string> Minus(const std::set<std::string> &a, const std::set<std::string> &b) {
    std::set<std::string> out;
    for (const auto &n : a)
        if (!b.count(n))
            out.insert(n);
    return out;
}

// The global symbols the library defines in its dynamic symbol table.
std::set<std::string> ExportedBy(const std::string &library) {
    std::set<std::string> out;
    std::string cmd = "nm -D --defined-only '" + library + "'";
    FILE *nm = popen(cmd.c_str(), "r");
    EXPECT_NE(nm, nullptr);
    if (!nm)
        return out;
    char line[512];
    while (fgets(line, sizeof line, nm)) {
        std::istringstream fields(line);
        std::string value, type, name;
        if (fields >> value >> type >> name && isupper(static_cast<unsigned char>(type[0])))
            out.insert(name);
    }
    EXPECT_EQ(pclose(nm), 0) << cmd;
    return out;
}

TEST(Exports, LibraryExportsExactlyTheListedWrappers) {
    std::set<std::string> exported = ExportedBy(Runfile("PIPETRACE_LIB"));
    ASSERT_FALSE(exported.empty());
    EXPECT_EQ(exported, kListed) << "listed but not exported (no wrapper defined?):"
                                 << Describe(Minus(kListed, exported))
                                 << "\nexported but not listed:"
                                 << Describe(Minus(exported, kListed));
}

TEST(Exports, VersionScriptIsTheListAndHidesTheRest) {
    std::ifstream in(Runfile("EXPORTS_MAP"));
    ASSERT_TRUE(in) << "cannot read the version script";
    std::set<std::string> global;
    std::string word, section;
    bool hides_rest = false;
    while (in >> word) {
        if (word == "global:" || word == "local:") {
            section = word;
            continue;
        }
        if (section == "global:" && word.back() == ';')
            global.insert(word.substr(0, word.size() - 1));
        if (section == "local:" && word == "*;")
            hides_rest = true;
    }
    EXPECT_EQ(global, kListed);
    EXPECT_TRUE(hides_rest);
}

// What each real row must resolve to: the symbol, at its version when it
// names one, or its fallback where libc lacks it.
struct RealRow {
    const char *name;
    size_t slot;
    const char *version;
    const char *fallback;
};

const RealRow kRealRows[] = {
#define PT_WRAP(ret, name, params) {#name, offsetof(pt_real_fns, name), nullptr, nullptr},
#define PT_WRAP_V(ret, name, params, version)                                                      \
    {#name, offsetof(pt_real_fns, name), version, nullptr},
#define PT_WRAP_OR(ret, name, params, other) {#name, offsetof(pt_real_fns, name), nullptr, #other},
#define PT_WRAP_ONLY(ret, name, params)
#include "src/preload/wrappers.inc"
};

void *Expected(const RealRow &row) {
    void *fn = row.version ? dlvsym(RTLD_NEXT, row.name, row.version) : dlsym(RTLD_NEXT, row.name);
    if (!fn && row.fallback)
        fn = dlsym(RTLD_NEXT, row.fallback);
    return fn;
}

void *Slot(const RealRow &row) {
    return *reinterpret_cast<void **>(reinterpret_cast<char *>(&pt_real) + row.slot);
}

TEST(RealFunctions, EveryRowResolvesToLibcsOwn) {
    EXPECT_EQ(sizeof(pt_real_fns), sizeof kRealRows / sizeof kRealRows[0] * sizeof(void *))
        << "one slot per real row, none for wrappers without a real function";
    pt_resolve_real();
    for (const RealRow &row : kRealRows) {
        void *expected = Expected(row);
        ASSERT_NE(expected, nullptr) << row.name << " is not in this libc";
        EXPECT_EQ(Slot(row), expected) << row.name;
    }
}

// posix_spawn@GLIBC_2.15, not the compatibility symbol of 2.2.5.
TEST(RealFunctions, VersionedSymbolIsTheAskedVersion) {
    pt_resolve_real();
    void *current = dlvsym(RTLD_NEXT, "posix_spawn", "GLIBC_2.15");
    void *old = dlvsym(RTLD_NEXT, "posix_spawn", "GLIBC_2.2.5");
    ASSERT_NE(current, nullptr);
    EXPECT_EQ(reinterpret_cast<void *>(pt_real.posix_spawn), current);
    if (old) {
        EXPECT_NE(reinterpret_cast<void *>(pt_real.posix_spawn), old);
    }
}

// A slot resolved on demand (a wrapper entered before the constructor)
// gets what the constructor would have given it.
TEST(RealFunctions, OneSlotResolvesOnDemand) {
    pt_resolve_real();
    void *write_fn = reinterpret_cast<void *>(pt_real.write);
    pt_real.write = nullptr;
    EXPECT_EQ(pt_resolve_slot(reinterpret_cast<void **>(&pt_real.write)), write_fn);
    EXPECT_EQ(reinterpret_cast<void *>(pt_real.write), write_fn);
}

// The lookup that replaces dlsym on first use (next_symbol.c) finds what
// dlsym(RTLD_NEXT) finds: every row's function, data (the stdio jump
// table), a function of the loader itself, and for a name with several
// versions the default one.
TEST(NextSymbol, FindsWhatDlsymFinds) {
    pt_prepare_real();
    for (const RealRow &row : kRealRows) {
        if (row.version)
            continue; // dlvsym's, on first use
        void *found = pt_next_symbol(row.name);
        if (!found && row.fallback)
            found = pt_next_symbol(row.fallback);
        EXPECT_EQ(found, Expected(row)) << row.name;
    }
    for (const char *name : {"_IO_file_jumps", "_IO_file_write", "_dl_find_object", "posix_spawn",
                             "environ", "malloc"}) {
        void *expected = dlsym(RTLD_NEXT, name);
        ASSERT_NE(expected, nullptr) << name;
        EXPECT_EQ(pt_next_symbol(name), expected) << name;
    }
    EXPECT_EQ(pt_next_symbol("pt_no_such_function_anywhere"), nullptr);
}

// After start-up's preparation, every slot filled on demand holds what the
// constructor used to fill it with.
TEST(RealFunctions, EverySlotResolvesOnDemandAfterPreparation) {
    pt_prepare_real();
    for (const RealRow &row : kRealRows) {
        void **slot = reinterpret_cast<void **>(reinterpret_cast<char *>(&pt_real) + row.slot);
        *slot = nullptr;
        EXPECT_EQ(pt_resolve_slot(slot), Expected(row)) << row.name;
        EXPECT_EQ(*slot, Expected(row)) << row.name;
    }
}

} // namespace
