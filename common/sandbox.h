/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The sandbox engine: one call enters a role's sandbox in a fixed order
 * (no_new_privs, Landlock, not dumpable, seccomp with thread sync).  Each
 * role keeps its seccomp policy as a table next to its code, one line of
 * why per rule; the default action kills the process.
 */
#ifndef EIP_SANDBOX_H
#define EIP_SANDBOX_H

#include <stdint.h>
#include <stdio.h>

enum sandbox_mode {
	SANDBOX_ENFORCE = 0,	/* a forbidden syscall kills the process */
	SANDBOX_TRAP,		/* ... after logging its name (SIGSYS handler) */
	SANDBOX_LOG,		/* allowed but logged by the kernel (audit) */
	SANDBOX_OFF,
};

enum sb_cmp { SB_EQ = 1, SB_NE, SB_MASKED_EQ };

struct sb_arg {
	unsigned	 index;		/* syscall argument number */
	enum sb_cmp	 op;
	uint64_t	 value;
	uint64_t	 mask;		/* SB_MASKED_EQ: (arg & mask) == value */
};

struct sandbox_rule {
	const char	*syscall;	/* NULL ends a table */
	const char	*why;
	int		 err;		/* nonzero: fail with this errno */
	int		 nargs;
	struct sb_arg	 args[2];
};

#define SB_ALLOW(sc, why)	{ sc, why, 0, 0, { { 0 } } }
#define SB_ERRNO(sc, e, why)	{ sc, why, e, 0, { { 0 } } }
#define SB_ALLOW_ARG(sc, i, op, v, why) \
	{ sc, why, 0, 1, { { i, op, v, 0 } } }
#define SB_ALLOW_MASK(sc, i, mask, v, why) \
	{ sc, why, 0, 1, { { i, SB_MASKED_EQ, v, mask } } }
#define SB_END			{ NULL, NULL, 0, 0, { { 0 } } }

/* What every worker needs once running: memory, time, events, ZeroMQ. */
extern const struct sandbox_rule sandbox_base_rules[];
/* Outbound TCP and DNS for the roles that speak to APIs. */
extern const struct sandbox_rule sandbox_net_client_rules[];
/* Files resolv(3) reads at lookup time. */
extern const char *const sandbox_dns_paths[];

struct sandbox_policy {
	const char			*role;
	/* NULL-terminated list of rule tables (each ended by SB_END). */
	const struct sandbox_rule *const *tables;
	/* Paths (files or directories) the role may still read; NULL-ended. */
	const char *const		*read_paths;
	/* Landlock on kernels with network support: may the role connect
	   to TCP ports / bind them?  (seccomp restricts socket families.) */
	int				 tcp_connect;
	int				 tcp_bind;
};

int	 sandbox_mode_parse(const char *, enum sandbox_mode *);
const char *sandbox_mode_name(enum sandbox_mode);

/*
 * Enters the sandbox.  Extra read paths (from the role's config) are
 * added to the policy's.  Returns -1 with a message in err if a layer
 * could not be set up; a kernel without Landlock is a logged warning,
 * never a silent pass, and not an error.
 */
int	 sandbox_apply(const struct sandbox_policy *,
	    const char *const *extra_read_paths, enum sandbox_mode,
	    int debug_attachable, char *err, size_t errlen);
void	 sandbox_dump(const struct sandbox_policy *,
	    const char *const *extra_read_paths, FILE *);
/* Landlock ABI version of the running kernel, or -1. */
int	 sandbox_landlock_abi(void);

#endif
