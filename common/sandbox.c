/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Sandbox engine (see sandbox.h): no_new_privs -> Landlock -> not
 * dumpable -> seccomp (thread-synchronised, because libzmq and libcurl
 * run threads).  The order follows OpenBSD's daemons: acquire first, then
 * drop, in one place.
 */
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/landlock.h>
#include <seccomp.h>

#include "config.h"
#include "log.h"
#include "sandbox.h"

int
sandbox_mode_parse(const char *s, enum sandbox_mode *out)
{
	static const char *const names[] = { "enforce", "trap", "log", "off" };
	int i;

	for (i = 0; i < 4; i++) {
		if (s != NULL && strcmp(s, names[i]) == 0) {
			*out = (enum sandbox_mode)i;
			return 0;
		}
	}
	return -1;
}

const char *
sandbox_mode_name(enum sandbox_mode m)
{
	switch (m) {
	case SANDBOX_ENFORCE:	return "enforce";
	case SANDBOX_TRAP:	return "trap";
	case SANDBOX_LOG:	return "log";
	case SANDBOX_OFF:	return "off";
	}
	return "unknown";
}

int
sandbox_landlock_abi(void)
{
#ifdef SYS_landlock_create_ruleset
	long v = syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);

	return v < 0 ? -1 : (int)v;
#else
	return -1;
#endif
}

/* Filesystem rights Landlock knows at each ABI version. */
static uint64_t
landlock_fs_rights(int abi)
{
	uint64_t r = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |
	    LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR |
	    LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |
	    LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR |
	    LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK |
	    LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |
	    LANDLOCK_ACCESS_FS_MAKE_SYM;

	if (abi >= 2)
		r |= 1ULL << 13;	/* LANDLOCK_ACCESS_FS_REFER */
	if (abi >= 3)
		r |= 1ULL << 14;	/* LANDLOCK_ACCESS_FS_TRUNCATE */
	if (abi >= 5)
		r |= 1ULL << 15;	/* LANDLOCK_ACCESS_FS_IOCTL_DEV */
	return r;
}

/* Landlock ABI >= 4 also restricts TCP bind and connect. */
struct eip_landlock_attr {
	uint64_t	handled_access_fs;
	uint64_t	handled_access_net;
};

static int
add_read_path(int ruleset, const char *path, char *err, size_t errlen)
{
	struct landlock_path_beneath_attr pb;
	struct stat st;
	int fd;

	if ((fd = open(path, O_PATH | O_CLOEXEC)) == -1) {
		/* An optional volume (cloud credentials) may be absent. */
		log_warn("sandbox: not granting %s: %s", path, strerror(errno));
		return 0;
	}
	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "fstat %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	pb.allowed_access = LANDLOCK_ACCESS_FS_READ_FILE;
	if (S_ISDIR(st.st_mode))
		pb.allowed_access |= LANDLOCK_ACCESS_FS_READ_DIR;
	pb.parent_fd = fd;
	if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH,
	    &pb, 0) == -1) {
		snprintf(err, errlen, "landlock_add_rule %s: %s", path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int
apply_landlock(const struct sandbox_policy *p, const char *const *extra,
    char *err, size_t errlen)
{
	struct eip_landlock_attr attr;
	size_t attr_len;
	int abi, ruleset, i;
	const char *const *lists[2] = { p->read_paths, extra };

	if ((abi = sandbox_landlock_abi()) < 1) {
		log_warn("sandbox: the kernel has no Landlock; %s runs without "
		    "filesystem restrictions", p->role);
		return 0;
	}
	memset(&attr, 0, sizeof(attr));
	attr.handled_access_fs = landlock_fs_rights(abi);
	attr_len = sizeof(uint64_t);
	if (abi >= 4) {
		/* Deny TCP bind/connect unless the role needs them. */
		if (!p->tcp_bind)
			attr.handled_access_net |= 1ULL << 0;
		if (!p->tcp_connect)
			attr.handled_access_net |= 1ULL << 1;
		if (attr.handled_access_net != 0)
			attr_len = sizeof(attr);
	}
	ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, attr_len, 0);
	if (ruleset == -1) {
		snprintf(err, errlen, "landlock_create_ruleset: %s",
		    strerror(errno));
		return -1;
	}
	for (i = 0; i < 2; i++) {
		const char *const *l;

		for (l = lists[i]; l != NULL && *l != NULL; l++)
			if (**l != '\0' &&
			    add_read_path(ruleset, *l, err, errlen) == -1) {
				close(ruleset);
				return -1;
			}
	}
	if (syscall(SYS_landlock_restrict_self, ruleset, 0) == -1) {
		snprintf(err, errlen, "landlock_restrict_self: %s",
		    strerror(errno));
		close(ruleset);
		return -1;
	}
	close(ruleset);
	log_debug("sandbox: Landlock ABI %d applied", abi);
	return 0;
}

static void
sigsys_handler(int sig, siginfo_t *si, void *ctx)
{
	char msg[200], *name;
	int n;

	/*
	 * The process dies right after this, so the allocation inside
	 * seccomp_syscall_resolve_num_arch() is an acceptable risk for
	 * naming the call, as OpenSSH's debug mode does.
	 */
	name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE,
	    si->si_syscall);
	n = snprintf(msg, sizeof(msg), "sandbox: forbidden system call %s "
	    "(%d) in pid %d\n", name != NULL ? name : "?", si->si_syscall,
	    (int)getpid());
	if (n > 0)
		(void)!write(2, msg, (size_t)n);
	raise(SIGSYS);
	_exit(128 + SIGSYS);
}

static int
rule_add(scmp_filter_ctx ctx, const struct sandbox_rule *r, char *err,
    size_t errlen)
{
	struct scmp_arg_cmp cmp[2];
	uint32_t action;
	int nr, i, rc;

	nr = seccomp_syscall_resolve_name(r->syscall);
	if (nr == __NR_SCMP_ERROR) {
		snprintf(err, errlen, "unknown system call '%s'", r->syscall);
		return -1;
	}
	if (nr < 0)		/* not on this architecture */
		return 0;
	action = r->err != 0 ? SCMP_ACT_ERRNO((uint32_t)r->err) :
	    SCMP_ACT_ALLOW;
	for (i = 0; i < r->nargs; i++) {
		cmp[i].arg = r->args[i].index;
		switch (r->args[i].op) {
		case SB_EQ:
			cmp[i].op = SCMP_CMP_EQ;
			cmp[i].datum_a = r->args[i].value;
			cmp[i].datum_b = 0;
			break;
		case SB_NE:
			cmp[i].op = SCMP_CMP_NE;
			cmp[i].datum_a = r->args[i].value;
			cmp[i].datum_b = 0;
			break;
		case SB_MASKED_EQ:
			cmp[i].op = SCMP_CMP_MASKED_EQ;
			cmp[i].datum_a = r->args[i].mask;
			cmp[i].datum_b = r->args[i].value;
			break;
		}
	}
	rc = seccomp_rule_add_array(ctx, action, nr, (unsigned)r->nargs, cmp);
	if (rc == -EEXIST)	/* same rule in two tables */
		return 0;
	if (rc < 0) {
		snprintf(err, errlen, "seccomp rule %s: %s", r->syscall,
		    strerror(-rc));
		return -1;
	}
	return 0;
}

/*
 * A later table may override an earlier one: if a later table has a rule
 * for the same system call with a different action, the earlier rule is
 * skipped (e.g. the base table fails openat softly, a network role allows
 * it).  Rules with the same action add up (socket for AF_UNIX and AF_INET).
 */
static int
overridden(const struct sandbox_rule *const *later,
    const struct sandbox_rule *r)
{
	const struct sandbox_rule *q;

	for (; *later != NULL; later++)
		for (q = *later; q->syscall != NULL; q++)
			if (strcmp(q->syscall, r->syscall) == 0 &&
			    q->err != r->err)
				return 1;
	return 0;
}

static int
glibc_warm_cmp(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/*
 * glibc's qsort asks sysinfo(2) for the size of memory the first time
 * it sorts more than 1 KiB, then keeps the answer; no policy allows
 * sysinfo.  Ask now, while the call is still allowed, so that every
 * worker may use qsort (the allocator sorts HostSubnet address lists,
 * SigV4 a request's parameters).
 */
static void
glibc_warm(void)
{
	int v[512];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		v[i] = (int)(sizeof(v) / sizeof(v[0]) - i);
	qsort(v, sizeof(v) / sizeof(v[0]), sizeof(v[0]), glibc_warm_cmp);
}

static int
apply_seccomp(const struct sandbox_policy *p, enum sandbox_mode mode,
    char *err, size_t errlen)
{
	const struct sandbox_rule *const *t, *r;
	scmp_filter_ctx ctx;
	uint32_t def;
	int rc;

	switch (mode) {
	case SANDBOX_TRAP:
		def = SCMP_ACT_TRAP;
		break;
	case SANDBOX_LOG:
		def = SCMP_ACT_LOG;
		break;
	default:
		def = SCMP_ACT_KILL_PROCESS;
	}
	if (mode == SANDBOX_TRAP) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = sigsys_handler;
		/* NODEFER: the handler's raise() must kill at once. */
		sa.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_NODEFER;
		sigemptyset(&sa.sa_mask);
		if (sigaction(SIGSYS, &sa, NULL) == -1) {
			snprintf(err, errlen, "sigaction: %s", strerror(errno));
			return -1;
		}
	}
	glibc_warm();
	if ((ctx = seccomp_init(def)) == NULL) {
		snprintf(err, errlen, "seccomp_init failed");
		return -1;
	}
	if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1)) < 0 ||
	    (rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1)) < 0) {
		snprintf(err, errlen, "seccomp_attr_set: %s", strerror(-rc));
		seccomp_release(ctx);
		return -1;
	}
	for (t = p->tables; *t != NULL; t++)
		for (r = *t; r->syscall != NULL; r++)
			if (!overridden(t + 1, r) &&
			    rule_add(ctx, r, err, errlen) == -1) {
				seccomp_release(ctx);
				return -1;
			}
	if ((rc = seccomp_load(ctx)) < 0) {
		snprintf(err, errlen, "seccomp_load: %s", strerror(-rc));
		seccomp_release(ctx);
		return -1;
	}
	seccomp_release(ctx);
	return 0;
}

int
sandbox_apply(const struct sandbox_policy *p, const char *const *extra,
    enum sandbox_mode mode, int debug_attachable, char *err, size_t errlen)
{
#ifdef EIP_SANITIZERS
	if (mode != SANDBOX_OFF)
		log_warn("sandbox: forced off in this sanitizer build");
	mode = SANDBOX_OFF;
#endif
	if (mode == SANDBOX_OFF) {
		log_warn("sandbox: %s runs without a sandbox (--sandbox=off)",
		    p->role);
		if (!debug_attachable)
			prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
		return 0;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		snprintf(err, errlen, "PR_SET_NO_NEW_PRIVS: %s",
		    strerror(errno));
		return -1;
	}
	if (apply_landlock(p, extra, err, errlen) == -1)
		return -1;
	if (!debug_attachable && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1) {
		snprintf(err, errlen, "PR_SET_DUMPABLE: %s", strerror(errno));
		return -1;
	}
	if (apply_seccomp(p, mode, err, errlen) == -1)
		return -1;
	log_info("sandbox: %s entered (%s)", p->role, sandbox_mode_name(mode));
	return 0;
}

static void
dump_rule(const struct sandbox_rule *r, FILE *fp)
{
	int i;

	fprintf(fp, "  %-18s %-8s", r->syscall, r->err ? "errno" : "allow");
	for (i = 0; i < r->nargs; i++) {
		const struct sb_arg *a = &r->args[i];

		if (a->op == SB_MASKED_EQ)
			fprintf(fp, " (arg%u & %#llx) == %#llx", a->index,
			    (unsigned long long)a->mask,
			    (unsigned long long)a->value);
		else
			fprintf(fp, " arg%u %s %#llx", a->index,
			    a->op == SB_EQ ? "==" : "!=",
			    (unsigned long long)a->value);
	}
	if (r->err)
		fprintf(fp, " -> %s", strerror(r->err));
	fprintf(fp, "\n      # %s\n", r->why);
}

void
sandbox_dump(const struct sandbox_policy *p, const char *const *extra,
    FILE *fp)
{
	const struct sandbox_rule *const *t, *r;
	const char *const *l;

	fprintf(fp, "role %s\nseccomp (default: kill the process):\n",
	    p->role);
	for (t = p->tables; *t != NULL; t++)
		for (r = *t; r->syscall != NULL; r++)
			if (!overridden(t + 1, r))
				dump_rule(r, fp);
	fprintf(fp, "landlock read-only paths:\n");
	for (l = p->read_paths; l != NULL && *l != NULL; l++)
		fprintf(fp, "  %s\n", *l);
	for (l = extra; l != NULL && *l != NULL; l++)
		fprintf(fp, "  %s\n", *l);
	fprintf(fp, "landlock tcp: connect %s, bind %s\n",
	    p->tcp_connect ? "allowed" : "denied",
	    p->tcp_bind ? "allowed" : "denied");
}
