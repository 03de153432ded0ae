// A traced run as a shell runs a foreground job, for the tests of what
// pipetrace does while a run is live (run_hang_test, watch_test): its own
// process group, waited for by state, never by a fixed time.
#ifndef PIPETRACE_TEST_LIVE_JOB_H
#define PIPETRACE_TEST_LIVE_JOB_H

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "test/harness.h"

namespace live_job {

// /proc/PID/stat's state, process group and name; false when it is gone.
inline bool ProcStat(int pid, char *state, int *pgrp) {
    std::string stat;
    try {
        stat = harness::ReadFile("/proc/" + std::to_string(pid) + "/stat");
    } catch (const std::exception &) {
        return false;
    }
    size_t paren = stat.rfind(')');
    int ppid = 0;
    return paren != std::string::npos &&
           sscanf(stat.c_str() + paren + 1, " %c %d %d", state, &ppid, pgrp) == 3;
}

inline bool Alive(int pid) {
    char state = 0;
    int pgrp = 0;
    return ProcStat(pid, &state, &pgrp) && state != 'Z' && state != 'X';
}

// The pids of group pgid that are not zombies.
inline std::vector<int> GroupMembers(int pgid) {
    std::vector<int> out;
    DIR *d = opendir("/proc");
    while (struct dirent *ent = d ? readdir(d) : nullptr) {
        if (ent->d_name[0] < '0' || ent->d_name[0] > '9')
            continue;
        char state = 0;
        int pgrp = 0;
        int pid = atoi(ent->d_name);
        if (ProcStat(pid, &state, &pgrp) && pgrp == pgid && state != 'Z' && state != 'X')
            out.push_back(pid);
    }
    if (d)
        closedir(d);
    return out;
}

// How a child of the test is started: its argv, environment additions,
// working directory (empty: the test's) and where its three stdio fds go
// (empty: /dev/null).
struct Spawn {
    std::vector<std::string> argv;
    std::vector<std::pair<std::string, std::string>> env;
    std::string cwd, out, err;
};

// Starts s in a process group of its own, as a shell runs a foreground job,
// with stdin from /dev/null.  Returns its pid, which is also the group's.
inline pid_t SpawnInGroup(const Spawn &s) {
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        if (!s.cwd.empty() && chdir(s.cwd.c_str()) != 0)
            _exit(126);
        for (const auto &kv : s.env)
            setenv(kv.first.c_str(), kv.second.c_str(), 1);
        int in = open("/dev/null", O_RDONLY);
        int out = s.out.empty() ? open("/dev/null", O_WRONLY)
                                : open(s.out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int err = s.err.empty() ? open("/dev/null", O_WRONLY)
                                : open(s.err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(in, 0);
        dup2(out, 1);
        dup2(err, 2);
        std::vector<char *> args;
        for (const std::string &a : s.argv)
            args.push_back(const_cast<char *>(a.c_str()));
        args.push_back(nullptr);
        execvp(args[0], args.data());
        _exit(127);
    }
    setpgid(pid, pid); // both sides, so that neither races the other
    return pid;
}

// SIGKILL to the group led by pid (our child), and back only once none of
// it runs any more: a killed process still runs until the signal lands.
inline void KillGroup(pid_t pid) {
    kill(-pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    for (int i = 0; i < 1000 && !GroupMembers(pid).empty(); i++) // a bound, not a timing
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

// A command in a process group of its own, with stdin from /dev/null and
// stdout and stderr into files.
class Job {
  public:
    Job(const std::vector<std::string> &argv, const std::string &tag)
        : out_(harness::FreshPath(tag + "_out")), err_(harness::FreshPath(tag + "_err")) {
        harness::WriteFile(out_, ""); // readable before the child opens them
        harness::WriteFile(err_, "");
        pid_ = SpawnInGroup({argv,
                             {{"PIPETRACE_LIB", harness::LibPath()}, {"PATH", "/usr/bin:/bin"}},
                             "",
                             out_,
                             err_});
    }
    ~Job() {
        if (pid_ > 0)
            KillGroup(pid_);
    }

    int pid() const { return pid_; }
    std::string Stdout() const { return harness::ReadFile(out_); }
    std::string Stderr() const { return harness::ReadFile(err_); }

    // Polls until pred holds (a bound on a hang, not a timing); false if
    // the job ended first.
    bool WaitUntil(const std::function<bool()> &pred) {
        for (int i = 0; i < 1200; i++) {
            if (pred())
                return true;
            if (waitpid(pid_, &status_, WNOHANG) == pid_) {
                pid_ = -1;
                return false;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return false;
    }

    // The job's wait status, after waiting for it (SIGKILL to the group
    // after a minute: a bound, for a run that does not end).
    int Wait() {
        if (pid_ <= 0)
            return status_;
        for (int i = 0; i < 1200; i++) {
            if (waitpid(pid_, &status_, WNOHANG) == pid_) {
                pid_ = -1;
                return status_;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        kill(-pid_, SIGKILL);
        waitpid(pid_, &status_, 0);
        pid_ = -1;
        return status_;
    }

  private:
    std::string out_, err_;
    pid_t pid_ = -1;
    int status_ = -1;
};

// Whether pid sleeps in system call nr now (/proc/PID/syscall).
inline bool InSyscall(int pid, long nr) {
    std::string text;
    try {
        text = harness::ReadFile("/proc/" + std::to_string(pid) + "/syscall");
    } catch (const std::exception &) {
        return false;
    }
    return !text.empty() && atol(text.c_str()) == nr;
}

// The first child of pid (/proc/PID/task/PID/children), or 0.
inline int ChildOf(int pid) {
    std::string text;
    try {
        text = harness::ReadFile("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) +
                                 "/children");
    } catch (const std::exception &) {
        return 0;
    }
    return atoi(text.c_str());
}

// A command as a terminal runs it: a session of its own whose controlling
// terminal is a pseudo-terminal, the command its foreground process group.
// Bytes written to the master are typed (0x03 is Ctrl-C: the line
// discipline sends SIGINT to the foreground group).
class PtyJob {
  public:
    explicit PtyJob(const std::vector<std::string> &argv) {
        master_ = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (master_ < 0 || grantpt(master_) != 0 || unlockpt(master_) != 0)
            return;
        std::string slave = ptsname(master_);
        pid_ = fork();
        if (pid_ == 0) {
            setsid();
            int fd = open(slave.c_str(), O_RDWR); // becomes the controlling terminal
            if (fd < 0)
                _exit(126);
            dup2(fd, 0);
            dup2(fd, 1);
            dup2(fd, 2);
            if (fd > 2)
                close(fd);
            setenv("PIPETRACE_LIB", harness::LibPath().c_str(), 1);
            setenv("PATH", "/usr/bin:/bin", 1);
            std::vector<char *> args;
            for (const std::string &a : argv)
                args.push_back(const_cast<char *>(a.c_str()));
            args.push_back(nullptr);
            execvp(args[0], args.data());
            _exit(127);
        }
        fcntl(master_, F_SETFL, O_NONBLOCK);
    }
    ~PtyJob() {
        if (pid_ > 0) {
            kill(-pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
        if (master_ >= 0)
            close(master_);
    }

    int pid() const { return pid_; }

    // What the terminal showed so far.
    const std::string &Screen() {
        char buf[4096];
        ssize_t n;
        while (master_ >= 0 && (n = read(master_, buf, sizeof buf)) > 0)
            screen_.append(buf, static_cast<size_t>(n));
        return screen_;
    }

    void Type(const std::string &keys) {
        if (write(master_, keys.data(), keys.size()) < 0)
            perror("write to the pty master");
    }

    // Polls until pred holds (a bound on a hang, not a timing).
    bool WaitUntil(const std::function<bool()> &pred) {
        for (int i = 0; i < 1200; i++) {
            Screen();
            if (pred())
                return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return false;
    }

    // The wait status, reading the screen meanwhile (SIGKILL after a minute).
    int Wait() {
        int status = -1;
        for (int i = 0; i < 1200 && pid_ > 0; i++) {
            Screen();
            if (waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                Screen();
                return status;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        if (pid_ > 0) {
            kill(-pid_, SIGKILL);
            waitpid(pid_, &status, 0);
            pid_ = -1;
        }
        return status;
    }

  private:
    int master_ = -1;
    pid_t pid_ = -1;
    std::string screen_;
};

} // namespace live_job

#endif // PIPETRACE_TEST_LIVE_JOB_H
