/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Seccomp rules shared by the workers: what any of them needs once its
 * sockets are open (libevent, libzmq's threads, glibc), and the outbound
 * TCP/DNS set of the two roles that speak to APIs.  Role tables live next
 * to each role's code.
 */
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <errno.h>
#include <sched.h>
#include <stddef.h>

#include "sandbox.h"

const struct sandbox_rule sandbox_base_rules[] = {
	SB_ALLOW("read", "sockets, eventfds and the lifeline"),
	SB_ALLOW("write", "log lines to stderr; eventfds"),
	SB_ALLOW("readv", "glibc and libzmq scatter reads"),
	SB_ALLOW("writev", "glibc and libzmq gather writes"),
	SB_ALLOW("close", "connections come and go"),
	SB_ALLOW("fcntl", "non-blocking and close-on-exec flags"),
	SB_ALLOW_ARG("ioctl", 1, SB_EQ, FIONREAD,
	    "libevent asks how many bytes a socket has"),
	SB_ALLOW("fstat", "glibc stdio"),
	SB_ALLOW("newfstatat", "glibc implements fstat with it"),
	SB_ALLOW("lseek", "glibc stdio"),
	SB_ALLOW("epoll_wait", "the libevent loop"),
	SB_ALLOW("epoll_pwait", "the libevent loop"),
	SB_ALLOW("epoll_ctl", "the libevent loop"),
	SB_ALLOW("poll", "libzmq's threads and mailboxes"),
	SB_ALLOW("ppoll", "libzmq's threads and mailboxes"),
	SB_ALLOW("eventfd2", "libzmq mailboxes for new pipes"),
	SB_ALLOW("futex", "locks and condition variables between threads"),
	SB_ALLOW("set_robust_list", "new threads (glibc)"),
	SB_ALLOW("rseq", "new threads (glibc)"),
	SB_ALLOW("sched_yield", "libzmq spin-waits"),
	SB_ALLOW("sched_getaffinity", "libzmq sizes its thread pool"),
	SB_ALLOW("sched_getparam", "libzmq threads read their scheduling"),
	SB_ALLOW("sched_getscheduler", "libzmq threads read their scheduling"),
	SB_ALLOW("sched_setscheduler",
	    "libzmq threads apply their (unchanged) scheduling at start"),
	SB_ALLOW("getpid", "log lines carry the pid"),
	SB_ALLOW("gettid", "glibc locks"),
	SB_ALLOW("tgkill", "abort() on a broken invariant"),
	SB_ALLOW("rt_sigaction", "signal handlers (libevent, libcurl)"),
	SB_ALLOW("rt_sigprocmask", "threads block signals"),
	SB_ALLOW("rt_sigreturn", "return from a signal handler"),
	SB_ALLOW("sigaltstack", "glibc thread setup"),
	SB_ALLOW("restart_syscall", "interrupted sleeps"),
	SB_ALLOW("exit", "threads end"),
	SB_ALLOW("exit_group", "the process ends"),
	SB_ALLOW("nanosleep", "libzmq reconnect and backoff"),
	SB_ALLOW("clock_nanosleep", "sleeps"),
	SB_ALLOW("clock_gettime", "timers (usually in the vDSO)"),
	SB_ALLOW("clock_getres", "libevent's clock setup"),
	SB_ALLOW("gettimeofday", "timestamps (usually in the vDSO)"),
	SB_ALLOW("getrandom", "randomness for IP selection and jitter"),
	SB_ALLOW("brk", "malloc"),
	SB_ALLOW_MASK("mmap", 2, PROT_EXEC, 0,
	    "malloc and thread stacks; never executable memory"),
	SB_ALLOW_MASK("mprotect", 2, PROT_EXEC, 0,
	    "thread stack guard pages; never executable memory"),
	SB_ALLOW("munmap", "free"),
	SB_ALLOW("mremap", "realloc of large blocks"),
	SB_ALLOW("madvise", "glibc returns memory to the kernel"),
	SB_ALLOW_MASK("clone", 0, CLONE_THREAD, CLONE_THREAD,
	    "new threads only, never new processes"),
	SB_ERRNO("clone3", ENOSYS,
	    "its flags cannot be inspected; glibc falls back to clone"),
	SB_ALLOW_ARG("prctl", 0, SB_EQ, PR_SET_NAME, "libzmq names its threads"),
	SB_ALLOW_ARG("socket", 0, SB_EQ, AF_UNIX,
	    "ZeroMQ ipc:// reconnects; never other families here"),
	SB_ALLOW("connect", "ZeroMQ ipc:// reconnects"),
	SB_ALLOW("accept4", "ZeroMQ accepts peers on bound ipc:// endpoints"),
	SB_ALLOW("accept", "ZeroMQ accepts peers on bound ipc:// endpoints"),
	SB_ALLOW("getsockopt", "ZeroMQ and libevent socket state"),
	SB_ALLOW("setsockopt", "ZeroMQ socket options on new connections"),
	SB_ALLOW("getsockname", "ZeroMQ connection bookkeeping"),
	SB_ALLOW("getpeername", "ZeroMQ connection bookkeeping"),
	SB_ALLOW("sendto", "socket writes"),
	SB_ALLOW("recvfrom", "socket reads"),
	SB_ALLOW("sendmsg", "socket writes"),
	SB_ALLOW("recvmsg", "socket reads"),
	SB_ALLOW("shutdown", "closing connections"),
	SB_ERRNO("openat", EACCES,
	    "files are opened before the sandbox; a late attempt fails softly"),
	SB_ERRNO("open", EACCES,
	    "files are opened before the sandbox; a late attempt fails softly"),
	SB_END
};

const struct sandbox_rule sandbox_net_client_rules[] = {
	SB_ALLOW_ARG("socket", 0, SB_EQ, AF_INET, "TCP to the API; DNS over UDP"),
	SB_ALLOW_ARG("socket", 0, SB_EQ, AF_INET6, "TCP to the API; DNS over UDP"),
	SB_ALLOW("bind", "DNS resolvers bind their UDP socket"),
	SB_ALLOW("openat", "reading files Landlock still allows (tokens, CA, resolv.conf)"),
	SB_ALLOW("pread64", "reading files"),
	SB_ALLOW("uname", "libcurl and OpenSSL identify the platform"),
	SB_ALLOW("getuid", "OpenSSL and the resolver check the user"),
	SB_ALLOW("geteuid", "OpenSSL and the resolver check the user"),
	SB_ALLOW("getgid", "OpenSSL checks the group"),
	SB_ALLOW("getegid", "OpenSSL checks the group"),
	SB_ALLOW("ioctl", "the resolver asks for the interface configuration"),
	SB_ALLOW("pipe2", "libcurl's threaded resolver wakes the loop"),
	SB_ALLOW("socketpair", "libcurl's threaded resolver wakes the loop"),
	SB_ALLOW("statx", "the resolver checks whether resolv.conf changed"),
	SB_ALLOW("stat", "the resolver checks whether resolv.conf changed"),
	SB_ALLOW("getdents64", "reading a projected token directory"),
	SB_END
};

const char *const sandbox_dns_paths[] = {
	"/etc/resolv.conf", "/etc/hosts", "/etc/nsswitch.conf",
	"/etc/gai.conf", "/etc/host.conf", NULL
};
