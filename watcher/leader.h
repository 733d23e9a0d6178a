/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Leader election with a coordination.k8s.io/v1 Lease, as client-go's
 * leaderelection does it: try every retry period, take over a lease whose
 * record has not changed for its duration (by our own clock: remote
 * timestamps are never compared with ours), renew while leading, give up
 * after the renew deadline, and release on shutdown.
 */
#ifndef EIP_LEADER_H
#define EIP_LEADER_H

struct event_base;
struct eip_kclient;
struct eip_leader;

struct eip_leader_opts {
	const char	*ns;		/* the operator's namespace */
	const char	*name;		/* the Lease; default
					   egressip-ipam-operator-leader */
	const char	*identity;	/* hostname_<random> if NULL */
	int		 lease_ms;	/* 15000 */
	int		 renew_ms;	/* 10000 */
	int		 retry_ms;	/* 2000 */
};

/* Called on every change of leadership. */
typedef void	(*eip_leader_fn)(int leading, const char *identity, void *arg);

struct eip_leader *leader_new(struct event_base *, struct eip_kclient *,
		    const struct eip_leader_opts *, eip_leader_fn, void *arg);
void		 leader_free(struct eip_leader *);
void		 leader_start(struct eip_leader *);
/* Hands the lease back if we hold it, then calls done (bounded time). */
void		 leader_release(struct eip_leader *, void (*done)(void *),
		    void *arg);
int		 leader_leading(const struct eip_leader *);
const char	*leader_identity(const struct eip_leader *);
/* A new identity: hostname + '_' + 16 random hex digits. */
void		 leader_make_identity(char *buf, size_t len);

#endif
