/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The supervisor's restart policy, as pure code over a caller-given clock
 * (tests drive it with a fake one).
 *
 * - A child that dies before READY (other than by SIGKILL from outside)
 *   looks like a structural fault: its role is throttled (30 s), as
 *   Postfix's master does.  More than max_early such deaths within the
 *   window gives up.
 * - Otherwise restart after 0.2 s doubling per death of that role in the
 *   last 30 s, capped at 30 s, with +-20% jitter: a single kill -9 comes
 *   back within a second, a crash loop slows down.
 * - More than max_deaths deaths of one role within the window gives up:
 *   the supervisor exits non-zero and the kubelet's CrashLoopBackOff takes
 *   over.  The defaults (60 in 5 minutes) tolerate a chaos test killing a
 *   random worker about once a second for a minute (about 15 deaths per
 *   role), while a worker crashing right after READY trips it within a few
 *   minutes.
 */
#ifndef EIP_RESTART_H
#define EIP_RESTART_H

#define RESTART_RING	128

struct restart_policy {
	double	backoff_min;	/* 0.2 s */
	double	backoff_max;	/* 30 s */
	double	recent;		/* 30 s: deaths counted for the backoff */
	double	throttle;	/* 30 s after a death before READY */
	double	window;		/* 300 s */
	int	max_deaths;	/* 60 */
	int	max_early;	/* 5 */
};

struct restart_state {
	double	deaths[RESTART_RING];	/* times of recent deaths */
	int	early[RESTART_RING];	/* 1 if that death was before READY */
	int	n;			/* entries used (ring) */
	int	head;
	unsigned long total;
};

void	restart_policy_default(struct restart_policy *);
/*
 * Records a death and returns the delay before the restart in seconds, or
 * -1 if the policy gives up.  why (optional) says which rule applied.
 * jitter01 is a uniform random number in [0, 1).
 */
double	restart_on_death(struct restart_state *, const struct restart_policy *,
	    double now, int was_ready, int external_kill, double jitter01,
	    char *why, size_t whylen);
int	restart_count(const struct restart_state *, double now, double span,
	    int early_only);

#endif
