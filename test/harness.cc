#include "test/harness.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <stdexcept>

extern char **environ;

namespace harness {

namespace {

std::string Cwd() {
    char buf[4096];
    if (getcwd(buf, sizeof buf) == nullptr)
        return ".";
    return buf;
}

std::string Absolute(const std::string &path) {
    if (!path.empty() && path[0] == '/')
        return path;
    return Cwd() + "/" + path;
}

std::string PathFromEnv(const char *var) {
    const char *v = getenv(var);
    if (v == nullptr || *v == '\0') {
        throw std::runtime_error(std::string(var) + " is not set (the BUILD rule sets it)");
    }
    return Absolute(v);
}

double Now() {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

// The environment for a child: ours, minus unset_env and LD_PRELOAD and the
// PIPETRACE_* variables (so a test states what it traces), plus opts.env.
std::vector<std::string> ChildEnv(const RunOptions &opts) {
    std::vector<std::string> env;
    for (char **e = environ; *e != nullptr; e++) {
        std::string entry = *e;
        std::string name = entry.substr(0, entry.find('='));
        if (name == "LD_PRELOAD" || name == "PIPETRACE_DIR" || name == "PIPETRACE_DATA" ||
            name == "PIPETRACE_ALL_FDS")
            continue;
        bool drop =
            std::find(opts.unset_env.begin(), opts.unset_env.end(), name) != opts.unset_env.end();
        for (const auto &kv : opts.env)
            drop = drop || kv.first == name;
        if (!drop)
            env.push_back(entry);
    }
    for (const auto &kv : opts.env)
        env.push_back(kv.first + "=" + kv.second);
    return env;
}

std::vector<char *> CStrings(std::vector<std::string> &strings) {
    std::vector<char *> out;
    for (std::string &s : strings)
        out.push_back(&s[0]);
    out.push_back(nullptr);
    return out;
}

} // namespace

std::string LibPath() {
    return PathFromEnv("PIPETRACE_LIB");
}
std::string CliPath() {
    return PathFromEnv("PIPETRACE_BIN");
}
std::string ProgPath(const std::string &name) {
    return Absolute("test/" + name);
}
std::string SourcePath(const std::string &relative) {
    return Absolute(relative);
}

std::string RunResult::Describe() const {
    std::ostringstream os;
    if (timed_out)
        os << "timed out; ";
    if (exited)
        os << "exit status " << exit_code;
    else if (term_signal)
        os << "killed by signal " << term_signal;
    else
        os << "did not run";
    os << "\n--- stdout (" << out.size() << " bytes) ---\n"
       << out.substr(0, 2000) << "\n--- stderr ---\n"
       << err.substr(0, 4000);
    return os.str();
}

RunResult Run(const std::vector<std::string> &argv_in, const RunOptions &opts) {
    RunResult r;
    std::vector<std::string> argv_strings = argv_in;
    std::vector<std::string> env_strings = ChildEnv(opts);
    std::vector<char *> argv = CStrings(argv_strings);
    std::vector<char *> envp = CStrings(env_strings);

    int out_pipe[2], err_pipe[2];
    if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) {
        r.err = std::string("pipe2: ") + strerror(errno);
        return r;
    }
    pid_t pid = fork();
    if (pid < 0) {
        r.err = std::string("fork: ") + strerror(errno);
        return r;
    }
    if (pid == 0) {
        // Child: only async-signal-safe calls from here on.
        setpgid(0, 0);
        int null_fd = open("/dev/null", O_RDONLY);
        if (null_fd < 0 || dup2(null_fd, 0) < 0 || dup2(out_pipe[1], 1) < 0 ||
            dup2(err_pipe[1], 2) < 0)
            _exit(126);
        if (null_fd > 2)
            close(null_fd);
        if (!opts.cwd.empty() && chdir(opts.cwd.c_str()) != 0)
            _exit(126);
        if (opts.rlimit_fsize >= 0) {
            struct rlimit rl;
            rl.rlim_cur = rl.rlim_max = static_cast<rlim_t>(opts.rlimit_fsize);
            if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
                _exit(126);
        }
        signal(SIGPIPE, SIG_DFL);
        signal(SIGXFSZ, SIG_DFL);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        execvpe(argv[0], argv.data(), envp.data());
        _exit(127);
    }
    r.pid = pid;
    close(out_pipe[1]);
    close(err_pipe[1]);

    struct pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
    std::string *sinks[2] = {&r.out, &r.err};
    int open_count = 2;
    double deadline = Now() + opts.timeout_s;
    while (open_count > 0) {
        double left = deadline - Now();
        if (left <= 0) {
            if (r.timed_out)
                break; // grace period over: stop reading
            r.timed_out = true;
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            deadline = Now() + 2; // drain what is left, briefly
            continue;
        }
        int wait_ms = static_cast<int>(left * 1000) + 1;
        if (opts.kill_when && !r.killed_on_purpose) {
            wait_ms = std::min(wait_ms, 20);
            if (opts.kill_when()) {
                r.killed_on_purpose = true;
                kill(-pid, SIGKILL);
                kill(pid, SIGKILL);
            }
        }
        int n = poll(fds, 2, wait_ms);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd < 0 || fds[i].revents == 0)
                continue;
            char buf[65536];
            ssize_t got = read(fds[i].fd, buf, sizeof buf);
            if (got > 0) {
                sinks[i]->append(buf, static_cast<size_t>(got));
            } else if (got == 0 || errno != EINTR) {
                close(fds[i].fd);
                fds[i].fd = -1;
                open_count--;
            }
        }
    }
    for (auto &p : fds)
        if (p.fd >= 0)
            close(p.fd);

    // Output closed; the process may still be running (or a grandchild held
    // the pipes).  Wait for it, killing it at the deadline.
    int status = 0;
    bool killed = r.timed_out;
    for (;;) {
        pid_t w = waitpid(pid, &status, killed ? 0 : WNOHANG);
        if (w == pid)
            break;
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return r;
        }
        if (Now() > deadline) {
            r.timed_out = killed = true;
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            continue;
        }
        struct timespec ts = {0, 2 * 1000 * 1000};
        nanosleep(&ts, nullptr);
    }
    if (WIFEXITED(status)) {
        r.exited = true;
        r.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        r.term_signal = WTERMSIG(status);
    }
    return r;
}

std::vector<std::pair<std::string, std::string>> PreloadEnv(const std::string &dir) {
    return {{"LD_PRELOAD", LibPath()}, {"PIPETRACE_DIR", dir}};
}

static std::string TmpRoot() {
    const char *t = getenv("TEST_TMPDIR");
    return t != nullptr && *t != '\0' ? t : "/tmp";
}

std::string FreshPath(const std::string &tag) {
    static int counter = 0;
    for (;;) {
        std::string path = TmpRoot() + "/" + tag + "." + std::to_string(getpid()) + "." +
                           std::to_string(counter++);
        struct stat st;
        if (lstat(path.c_str(), &st) != 0)
            return path;
    }
}

std::string FreshDir(const std::string &tag) {
    std::string path = FreshPath(tag);
    if (mkdir(path.c_str(), 0700) != 0)
        throw std::runtime_error("mkdir " + path + ": " + strerror(errno));
    return path;
}

std::vector<std::string> TraceFileNames(const std::string &dir) {
    std::vector<std::string> names;
    DIR *d = opendir(dir.c_str());
    if (d == nullptr)
        return names;
    while (dirent *e = readdir(d)) {
        std::string name = e->d_name;
        if (name.size() > 4 && name.compare(name.size() - 4, 4, ".ptr") == 0)
            names.push_back(name);
    }
    closedir(d);
    std::sort(names.begin(), names.end());
    return names;
}

std::string ReadFile(const std::string &path) {
    FILE *f = fopen(path.c_str(), "rb");
    if (f == nullptr)
        throw std::runtime_error("cannot open " + path);
    std::string data;
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        data.append(buf, n);
    fclose(f);
    return data;
}

void WriteFile(const std::string &path, const std::string &data) {
    FILE *f = fopen(path.c_str(), "wb");
    if (f == nullptr)
        throw std::runtime_error("cannot create " + path);
    fwrite(data.data(), 1, data.size(), f);
    fclose(f);
}

std::vector<std::string> Lines(const std::string &text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line))
        lines.push_back(line);
    return lines;
}

bool Event::HasFdFlag(const std::string &flag) const {
    return std::find(fd_flags.begin(), fd_flags.end(), flag) != fd_flags.end();
}

bool Event::IsRead() const {
    return call == "read" || call == "readv" || call == "__read_chk";
}

bool Event::IsWrite() const {
    return call == "write" || call == "writev";
}

const Process *Trace::FindProcess(int pid) const {
    for (const Process &p : processes)
        if (p.pid == pid)
            return &p;
    return nullptr;
}

std::vector<const Process *> Trace::ProcessesNamed(const std::string &argv0) const {
    std::vector<const Process *> out;
    for (const Process &p : processes) {
        if (p.argv.empty())
            continue;
        const std::string &a = p.argv[0];
        std::string base = a.substr(a.rfind('/') == std::string::npos ? 0 : a.rfind('/') + 1);
        if (base == argv0)
            out.push_back(&p);
    }
    return out;
}

std::vector<const Event *> Trace::Select(const EventPred &pred) const {
    std::vector<const Event *> out;
    for (const Event &e : events)
        if (pred(e))
            out.push_back(&e);
    return out;
}

size_t Trace::Count(const EventPred &pred) const {
    return Select(pred).size();
}

int64_t Trace::SumResult(const EventPred &pred) const {
    int64_t sum = 0;
    for (const Event *e : Select(pred))
        if (e->has_result && e->result > 0)
            sum += e->result;
    return sum;
}

std::string Trace::Data(const EventPred &pred) const {
    std::string out;
    for (const Event *e : Select(pred))
        out += e->data;
    return out;
}

std::string Trace::Head(size_t lines) const {
    std::vector<std::string> all = Lines(text);
    std::string out;
    for (size_t i = 0; i < all.size() && i < lines; i++)
        out += all[i] + "\n";
    if (all.size() > lines)
        out += "... (" + std::to_string(all.size() - lines) + " more lines)\n";
    return out;
}

static std::vector<std::string> StringList(const json::Value &v) {
    std::vector<std::string> out;
    for (const json::Value &item : v.as_array())
        out.push_back(item.as_string());
    return out;
}

static Process ParseProcess(const json::Value &v) {
    Process p;
    p.raw = v;
    p.pid = static_cast<int>(v["pid"].as_int());
    p.ppid = static_cast<int>(v["ppid"].as_int());
    p.image = v["image"].as_string();
    p.file = v["file"].as_string();
    p.exe = v["exe"].as_string();
    p.argv = StringList(v["argv"]);
    p.fork_child = v["fork_child"].as_bool();
    p.stdio = v["stdio"].as_string();
    if (!v["stopped"].is_null())
        p.stopped = v["stopped"].as_string();
    p.dropped = v["dropped"].as_int();
    p.torn = v["torn"].as_int();
    return p;
}

static Event ParseEvent(const json::Value &v) {
    Event e;
    e.raw = v;
    e.pid = static_cast<int>(v["pid"].as_int());
    e.tid = static_cast<int>(v["tid"].as_int());
    e.image = v["image"].as_string();
    e.call = v["call"].as_string();
    e.state = v["state"].as_string();
    e.t_start_ns = v["t_start_ns"].as_int();
    if (v.has("via"))
        e.via = v["via"].as_string();
    if (v.has("fd"))
        e.fd = static_cast<int>(v["fd"].as_int());
    if (v.has("object") && !v["object"].is_null()) {
        const json::Value &o = v["object"];
        e.kind = o["kind"].as_string();
        if (o.has("ino") && !o["ino"].is_null())
            e.ino = o["ino"].as_int();
        if (o.has("dev") && !o["dev"].is_null())
            e.dev = o["dev"].as_int();
    }
    // Lists may be null on events they do not apply to (fork has no fd).
    if (v.has("fd_flags") && !v["fd_flags"].is_null())
        e.fd_flags = StringList(v["fd_flags"]);
    if (v.has("arg") && !v["arg"].is_null())
        e.arg = v["arg"].as_int();
    if (!v["result"].is_null()) {
        e.has_result = true;
        e.result = v["result"].as_int();
    }
    if (v.has("errno") && !v["errno"].is_null())
        e.err = v["errno"].as_string();
    if (v.has("data") && !v["data"].is_null())
        e.data = v["data"].bytes();
    if (v.has("data_len"))
        e.data_len = v["data_len"].as_int();
    if (v.has("data_cut"))
        e.data_cut = v["data_cut"].as_bool();
    if (v.has("fds") && !v["fds"].is_null())
        for (const json::Value &fd : v["fds"].as_array())
            e.fds.push_back(static_cast<int>(fd.as_int()));
    if (v.has("flags") && !v["flags"].is_null())
        e.flags = StringList(v["flags"]);
    if (v.has("child") && !v["child"].is_null())
        e.child = static_cast<int>(v["child"].as_int());
    return e;
}

Trace ParseTrace(const std::string &text) {
    Trace t;
    t.text = text;
    int line_no = 0;
    try {
        for (const std::string &line : Lines(text)) {
            line_no++;
            if (line.empty())
                continue;
            json::Value v = json::parse(line);
            const std::string &type = v["type"].as_string();
            if (type == "process") {
                if (!t.events.empty())
                    throw std::runtime_error("process line after an event line");
                t.processes.push_back(ParseProcess(v));
            } else if (type == "call") {
                t.events.push_back(ParseEvent(v));
            }
            // Other line types are not part of the contract: ignored.
        }
    } catch (const std::exception &ex) {
        t.error = "dump line " + std::to_string(line_no) + ": " + ex.what();
        return t;
    }
    for (size_t i = 1; i < t.events.size(); i++) {
        const Event &a = t.events[i - 1];
        const Event &b = t.events[i];
        if (b.t_start_ns < a.t_start_ns && t.order_error.empty()) {
            t.order_error = "event " + std::to_string(i) +
                            " starts before the one "
                            "printed before it:\n  " +
                            a.raw.dump() + "\n  " + b.raw.dump();
        }
    }
    t.ok = true;
    return t;
}

Trace LoadTrace(const std::string &dir) {
    RunResult r = Run({CliPath(), "dump", "--json", dir});
    if (!r.exited || r.exit_code != 0) {
        Trace t;
        t.error = "pipetrace dump --json " + dir + " failed: " + r.Describe();
        return t;
    }
    return ParseTrace(r.out);
}

size_t BlockedCalls(const std::string &dir, const std::string &call) {
    Trace t;
    try {
        t = LoadTrace(dir);
    } catch (const std::exception &) {
        return 0; /* not readable yet */
    }
    size_t n = 0;
    for (const Event &e : t.events)
        n += e.call == call && e.state == "unfinished";
    return n;
}

} // namespace harness
