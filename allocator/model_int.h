/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The model's internal state, shared by its files: observed objects
 * (namespaces with their NetNamespace and EgressIP, nodes with their
 * HostSubnet and cloud NIC, EgressIPAMs), the index of every address the
 * model knows, bindings, placements, write tracking and the dirty queues.
 * doc/ALLOCATOR.md describes how they fit together.
 */
#ifndef EIP_MODEL_INT_H
#define EIP_MODEL_INT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "hmap.h"
#include "ipaddr.h"
#include "issue.h"
#include "model.h"
#include "pool.h"
#include "rng.h"
#include "spec.h"

#define A_PREFIX		"egressip-ipam-operator.redhat-cop.io/"
#define EIP_LABEL_IPAM		A_PREFIX "egressipam"
#define OVN_ASSIGNABLE		"k8s.ovn.org/egress-assignable"
#define EIP_OBJ_PREFIX		"eipam-"
#define NS_NAME_LABEL		"kubernetes.io/metadata.name"

enum kind {
	K_NAMESPACE = 0, K_NODE, K_EGRESSIPAM, K_HOSTSUBNET, K_NETNAMESPACE,
	K_EGRESSIP, K_INFRASTRUCTURE, K_NETWORK, K_MAX
};

enum backend { BK_UNKNOWN = 0, BK_SDN, BK_OVN };
enum platform { PF_BAREMETAL = 0, PF_AWS, PF_AZURE };

struct ptrvec {
	void		**v;
	size_t		 n;
	size_t		 cap;
};

struct iplist {
	struct eip_ip	*v;
	size_t		 n;
};

/* One kind of write to one object: what is in flight, what is stale. */
struct wtrack {
	uint64_t	 corr;		/* in flight; 0 = none */
	char		*stale_rv;	/* events at this rv predate our write */
	int64_t		 retry_at;	/* after a failure */
	int		 fails;
};

/* Every address the model knows about, from any source. */
struct ipent {
	uint8_t		 key[17];
	struct eip_ip	 ip;
	struct ns	*holder;	/* bound to this namespace */
	unsigned	 nodes;		/* nodes whose primary IP it is */
	struct ptrvec	 ann;		/* namespaces whose annotation lists it */
	struct ptrvec	 nn;		/* namespaces whose NetNamespace lists it */
	struct ptrvec	 eip;		/* namespaces whose EgressIP lists it */
	unsigned	 feips;		/* foreign EgressIP objects listing it */
	struct ptrvec	 hs;		/* nodes whose HostSubnet lists it */
	struct ptrvec	 nics;		/* nodes whose cloud NIC has it */
	int		 cloud;		/* in use in the cloud subnet */
	unsigned	 pflags;	/* flags applied to the pools */
	struct node	*placed;	/* node chosen to carry it */
	size_t		 pidx;		/* index in placed->placed */
	int		 conflict;	/* the cloud says another NIC has it */
	int		 ours;		/* we held it: remove it where unwanted */
	unsigned	 queued;	/* Q_* bits */
	unsigned	 mark;		/* scratch for list diffs */
};

struct slot;

struct ns {
	char		*name;
	char		*uid;
	char		*rv;
	char		*created;
	char		*error;
	int		 present;
	int		 deleting;
	char		*want;		/* opt-in annotation value */
	char		*annot;		/* observed egressips, NULL = absent */
	char		*annot_seen;	/* the value the binding already reflects */
	int		 seen_set;
	struct iplist	 annot_ips;	/* the parsable IPs of annot */
	struct ipam	*ref;		/* the IPAM `want` names */
	struct ipam	*bound;		/* the IPAM of the binding */
	struct ipent	**ips;		/* binding: one per CIDR, a prefix */
	size_t		 nips;
	unsigned	 ours;		/* bit i: we chose the IP of CIDR i */
	unsigned	 layout;	/* the bound IPAM's layout it follows */
	int		 holding;	/* counted in bound->nholding */
	int		 complete;	/* counted in bound->ncomplete */
	int		 release_annot;	/* we released: remove the annotation */
	char		*bad;		/* why its annotation is rejected */
	struct slot	*waiting;	/* queued for an address of this slot */
	int64_t		 since;		/* opt-in seen (latency) */
	unsigned	 ev;		/* EV_* events already sent */
	char		*nocap;		/* NoCapacity text already sent */
	/* NetNamespace of the same name (SDN) */
	int		 nn_present;
	char		*nn_rv;
	struct iplist	 nn_ips;
	/* EgressIP eipam-<name> (OVN) */
	int		 eip_present;
	char		*eip_rv;
	struct iplist	 eip_ips;
	char		*eip_label;	/* value of our IPAM label */
	char		*eip_sel;	/* the namespaceSelector's name, if only that */
	char		*eip_owner;
	struct iplist	 eip_status;	/* IPs OVN reports as placed */
	struct ptrvec	 eip_status_nodes;
	struct wtrack	 w_annot;
	struct wtrack	 w_nn;
	struct wtrack	 w_eip;
	unsigned	 ep_ns, ep_nn, ep_eip;	/* replay epochs seen */
	unsigned	 queued;
};

struct node {
	char		*name;
	int		 present;
	char		*uid;
	char		*rv;
	char		*error;
	json_t		*labels;
	int		 ready;		/* Ready condition is True */
	char		*provider_id;
	struct eip_ip	 iip;		/* InternalIP */
	long		 cap_annot;	/* capacity annotation, -1 none */
	long		 ovn_cap4, ovn_cap6;	/* egress-ipconfig, -1 none */
	/* egress-ipconfig's ifaddr: the cloud subnet of its primary NIC */
	struct eip_cidr	 ovn_if4, ovn_if6;
	int		 has_if4, has_if6;
	char		*assignable_by;
	int		 labelled;	/* has k8s.ovn.org/egress-assignable */
	/* membership */
	struct ipam	*ipam;		/* the one IPAM selecting it, or NULL */
	int		 aidx;		/* its assignment in that IPAM, or -1 */
	int		 nsel;		/* IPAMs selecting it */
	int		 candidate;	/* may carry new IPs */
	int		 was_cand;
	long		 last_cap;
	long		 seen_cap;	/* capacity annotation last applied */
	struct ptrvec	 sel;		/* IPAMs whose selector matches */
	/* HostSubnet of the same name (SDN) */
	int		 hs_present;
	char		*hs_rv;
	struct eip_ip	 hs_hostip;
	struct iplist	 hs_ips;
	char		**hs_cidrs;
	size_t		 hs_ncidrs;
	/* cloud NIC */
	int		 cloud;		/* 1 discovered, -1 failed, 0 unknown */
	char		*nic;
	struct eip_ip	 cprimary;
	struct iplist	 nic_ips;
	long		 cloud_cap;
	uint64_t	 ens_corr;
	int64_t		 ens_retry;
	int		 ens_fails;
	int		 lb_applied;	/* enum lb_mode applied (Azure), -1 unknown */
	int		 ens_lb;	/* lb mode of the ENSURE in flight */
	int		 disc_pending;
	/* placement */
	struct ipent	**placed;
	size_t		 nplaced;
	size_t		 capplaced;
	struct wtrack	 w_hs;
	struct wtrack	 w_label;
	unsigned	 ep_node, ep_hs;
	unsigned	 queued;
};

/* One CIDR of an IPAM: its pool, its nodes, who waits for it. */
struct slot {
	struct ipam	*ipam;
	size_t		 idx;
	struct eip_pool	*pool;
	struct ptrvec	 nodes;		/* member nodes, Ready or not */
	struct ptrvec	 waiting;	/* namespaces waiting for an address */
	struct ptrvec	 unplaced;	/* held IPs without a node */
	struct iplist	 reserved;	/* marked POOL_RESERVED */
	int		 gained;	/* an address became free */
	int		 cloud_ready;	/* discovery done for this CIDR */
	struct iplist	 cloud_used;	/* last discovery of its subnet */
	struct eip_cidr	 subnet;	/* the cloud subnet, if known */
	int		 has_subnet;
	int		 exhausted;	/* a namespace could not get one */
	size_t		 nocap;		/* IPs waiting for capacity */
};

struct ipam {
	char		*name;
	int		 present;
	char		*uid;
	char		*rv;
	char		*error;
	int64_t		 generation;
	int		 deleting;
	char		**finalizers;
	size_t		 nfinalizers;
	char		*spec_text;	/* canonical JSON of spec + LB, to spot changes */
	json_t		*status_obs;
	struct eip_spec	 spec;
	int		 parsed;	/* spec has been parsed */
	int		 frozen;	/* invalid spec: touch nothing */
	int		 cidr_mode;	/* SDN egressCIDRs mode */
	struct slot	**slots;	/* one per spec assignment */
	size_t		 nslots;
	struct hmap	 refs;		/* namespaces opted in to it */
	size_t		 nbound;	/* namespaces bound to it */
	size_t		 nholding;	/* of those, holding at least one IP */
	size_t		 ncomplete;	/* of those, holding one IP per CIDR */
	unsigned	 layout;	/* bumped when the slots change */
	struct ptrvec	 bad;		/* namespaces with rejected annotations */
	struct eip_issues cross;	/* CIDR overlaps with other IPAMs */
	struct ptrvec	 overlap;	/* nodes another IPAM selects too */
	char		*werr;		/* last failed write, for conditions */
	unsigned	 ev;
	char		*ev_text;	/* the warnings already reported */
	int64_t		 status_at;	/* next status write allowed */
	struct wtrack	 w_fin;
	struct wtrack	 w_status;
	char		*werr_obj;	/* the object whose write failed */
	int		 cleaned;	/* deletion cleanup is complete */
	int		 mode_check;	/* re-evaluate CIDR mode */
	unsigned	 ep;
	unsigned	 queued;
};

/* What the cloud said about the subnet around one of our CIDRs. */
struct subnet_rec {
	struct eip_cidr	 cidr;
	int		 done;
	int		 inflight;
	int		 has_subnet;
	struct eip_cidr	 subnet;
	struct iplist	 used;
	char		*error;
	int		 fails;
	int64_t		 retry_at;	/* back off after an error */
};

struct timer {
	int64_t		 at;
	int		 kind;		/* K_NAMESPACE, K_NODE, K_EGRESSIPAM */
	char		*name;
};

/* Queue bits. */
#define Q_DIRTY		0x01u	/* decide again */
#define Q_WRITE		0x02u	/* compare desired and observed */
#define Q_GC		0x04u	/* maybe free at the end of the pass */
#define Q_PLACE		0x08u	/* ipent: place again */
#define Q_UNPLACED	0x10u	/* ipent: in a slot's unplaced list */
#define Q_NPLACE	0x20u	/* node: check its placements */
#define Q_EXT		0x40u	/* ns: give it new addresses */

/* Events already sent (ns->ev, ipam->ev). */
#define EV_EXHAUSTED	0x01u
#define EV_INVALID	0x02u
#define EV_ASSIGNED	0x04u
#define EV_INUSE	0x08u
#define EV_SPEC		0x10u
#define EV_OVERLAP	0x20u
#define EV_HALT		0x40u

struct pending {
	uint64_t	 corr;
	uint16_t	 type;
	char		*name;
	char		*pre_rv;
	json_t		*body;
	int64_t		 sent;
};

struct eip_model {
	struct eip_model_config cfg;
	struct eip_rng	 rng;
	int64_t		 now;
	int64_t		 wall;
	unsigned	 synced;	/* bit per enum kind */
	unsigned	 epoch[K_MAX];	/* bumped when the watcher restarts */
	unsigned	 unserved;
	int		 all_synced;
	int		 leading;
	int		 ready;		/* synced, discovered: decide */
	enum backend	 backend;
	enum platform	 platform;
	char		*platform_name;
	char		*network_type;
	json_t		*infra;		/* the Infrastructure body */
	int		 cloud_configured;
	int		 discovered;	/* first cloud discovery answered */
	uint64_t	 disc_corr;
	int64_t		 disc_at;
	int64_t		 rediscover_at;
	int		 credreq_sent;
	struct hmap	 nss;
	struct hmap	 nodes;
	struct hmap	 ipams;
	struct hmap	 ips;		/* struct ipent by key */
	struct hmap	 foreign_eips;	/* name -> struct iplist (carriers) */
	struct hmap	 pend;		/* corr -> struct pending */
	size_t		 inflight;	/* of those, writes to Kubernetes */
	uint64_t	 next_corr;
	int64_t		 expire_at;	/* next scan for timed-out requests */
	struct ptrvec	 q_ipam, q_node, q_ns, q_ip, q_mode, q_node_place, q_ext;
	size_t		 q_ns_head;	/* q_ns is a FIFO: next to decide */
	struct ptrvec	 w_ipam, w_node, w_ns;
	struct ptrvec	 gc_ip, gc_ns, gc_node, gc_ipam;
	struct ptrvec	 slots;		/* every slot with a pool */
	struct ptrvec	 subnets;	/* struct subnet_rec (cloud) */
	int		 subnets_dirty;	/* OVN on a cloud: ovn_cloud_reserve */
	int64_t		 due;		/* debounce deadline, -1 none */
	struct ptrvec	 timers;	/* struct timer */
	struct eip_out	*out;
	size_t		 nout;
	size_t		 capout;
	int		 tracing;
	struct ptrvec	 trace;
	/* counters */
	uint64_t	 n_reconciles;
	uint64_t	 n_decisions;
	uint64_t	 n_writes;
	uint64_t	 n_write_errors;
	uint64_t	 n_conflicts;
	uint64_t	 n_ipam_ok;	/* IPAM evaluations without error */
	uint64_t	 n_ipam_err;
	uint64_t	 lat_buckets[12];
	uint64_t	 lat_count;
	double		 lat_sum;
};

/* model.c */
void	 ptrvec_push(struct ptrvec *, void *);
int	 ptrvec_remove(struct ptrvec *, void *);
int	 ptrvec_has(const struct ptrvec *, const void *);
void	 ptrvec_clear(struct ptrvec *);
void	 iplist_set(struct iplist *, const struct eip_ip *, size_t);
void	 iplist_clear(struct iplist *);
int	 iplist_has(const struct iplist *, const struct eip_ip *);
int	 iplist_same_set(const struct iplist *, const struct iplist *);
int	 iplist_parse_json(const json_t *, struct iplist *);
void	 setstr(char **, const char *);
int	 streq(const char *, const char *);
void	 model_trace_line(struct eip_model *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 model_kick(struct eip_model *);
void	 timer_add(struct eip_model *, int64_t at, int kind, const char *);
void	 q_ns(struct eip_model *, struct ns *, unsigned);
void	 q_node(struct eip_model *, struct node *, unsigned);
void	 q_ipam(struct eip_model *, struct ipam *, unsigned);
void	 q_ip(struct eip_model *, struct ipent *);
struct ns *ns_get(struct eip_model *, const char *, int create);
struct node *node_get(struct eip_model *, const char *, int create);
struct ipam *ipam_get(struct eip_model *, const char *, int create);
int	 model_cloud(const struct eip_model *);
int	 model_decides(const struct eip_model *);

/* store.c */
void	 store_ns_annot(struct eip_model *, struct ns *, const char *);
void	 store_nn_ips(struct eip_model *, struct ns *, const struct iplist *);
void	 store_eip_ips(struct eip_model *, struct ns *, const struct iplist *);
void	 store_hs(struct eip_model *, struct node *, const struct iplist *,
	    const json_t *cidrs);
void	 queue_all(struct eip_model *);
void	 store_eip_gone(struct eip_model *, struct ns *);
int	 store_stale(const struct wtrack *, const char *rv);

/* ipindex.c */
struct ipent *ip_get(struct eip_model *, const struct eip_ip *, int create);
void	 ip_sync(struct eip_model *, struct ipent *);
void	 ip_carriers(struct eip_model *, const struct iplist *old,
	    const struct iplist *new, unsigned *(*field)(struct ipent *));
unsigned *ipf_feips(struct ipent *);
unsigned *ipf_nodes(struct ipent *);
enum ns_carrier { NC_ANN = 0, NC_NN, NC_EIP };
void	 ip_ns_carriers(struct eip_model *, const struct iplist *old,
	    const struct iplist *new, struct ns *, enum ns_carrier);
struct ns *ip_carried_by_other(const struct ipent *, const struct ns *);
void	 ip_vec_carriers(struct eip_model *, const struct iplist *old,
	    const struct iplist *new, struct node *, int nic);
void	 ip_set_cloud(struct eip_model *, const struct eip_ip *, int on);
int	 ip_owned(const struct eip_model *, const struct eip_ip *);
int	 ip_owned_ent(const struct eip_model *, const struct ipent *,
	    const struct eip_ip *);
void	 ip_gc(struct eip_model *);
void	 ip_mark_pool(struct eip_model *, struct slot *);

/* ipam.c */
void	 ipam_apply(struct eip_model *, struct ipam *);
void	 ipam_cross_check(struct eip_model *);
void	 ipam_membership(struct eip_model *, struct node *);
void	 ipam_mode_check(struct eip_model *, struct ipam *);
int	 ipam_halted(const struct eip_model *, const struct ipam *);
int	 ipam_active(const struct ipam *);
void	 ipam_free(struct ipam *);
void	 ipam_teardown(struct eip_model *, struct ipam *);
int	 ipam_owns_cidr(const struct eip_model *, const char *);
void	 slot_free(struct eip_model *, struct slot *);

/* bind.c */
void	 bind_reconcile(struct eip_model *, struct ns *);
void	 bind_release(struct eip_model *, struct ns *, const char *why);
void	 bind_drop_ip(struct eip_model *, struct ns *, size_t);
int	 bind_claim_prio(const struct eip_model *, const struct ns *,
	    const struct ipent *);
void	 bind_wake(struct eip_model *, struct slot *);
int	 bind_writable(const struct eip_model *, const struct ns *);
int	 bind_release_only(const struct eip_model *, const struct ns *);
int	 iplist_subset(const struct iplist *, const struct iplist *);
void	 bind_extend_queued(struct eip_model *);

/* place.c */
void	 place_ip(struct eip_model *, struct ipent *);
void	 place_unset(struct eip_model *, struct ipent *);
void	 place_node_changed(struct eip_model *, struct node *);
long	 place_capacity(const struct eip_model *, const struct node *);
struct slot *place_slot_of(const struct eip_model *, const struct ipent *);

/* writes.c */
uint64_t write_send(struct eip_model *, uint16_t, const char *name,
	    const char *pre_rv, json_t *body, struct wtrack *);
int	 write_ready(const struct eip_model *, const struct wtrack *,
	    const char *rv);
void	 write_result(struct eip_model *, uint64_t corr, const json_t *);
void	 write_expire(struct eip_model *);
void	 out_push(struct eip_model *, uint16_t, uint64_t, json_t *);
void	 event_send(struct eip_model *, const char *kind, const char *name,
	    const char *uid, int warning, const char *reason, const char *fmt, ...)
	    __attribute__((format(printf, 7, 8)));

/* backend_sdn.c */
void	 sdn_ns_writes(struct eip_model *, struct ns *);
void	 sdn_node_writes(struct eip_model *, struct node *);

/* backend_ovn.c */
void	 ovn_ns_writes(struct eip_model *, struct ns *);
void	 ovn_node_writes(struct eip_model *, struct node *);
void	 ovn_cloud_reserve(struct eip_model *);

/* backend_cloud.c */
void	 cloud_start(struct eip_model *);
void	 cloud_discover_node(struct eip_model *, struct node *);
void	 cloud_discovered(struct eip_model *, const json_t *);
void	 cloud_ensured(struct eip_model *, uint64_t, const json_t *);
int	 cloud_subnet_ready(const struct eip_model *, const struct eip_cidr *);
void	 cloud_node_writes(struct eip_model *, struct node *);
void	 cloud_tick(struct eip_model *);
void	 cloud_lost(struct eip_model *, uint16_t, const char *, uint64_t);
int	 cloud_on_nic(const struct node *, const struct eip_ip *);
void	 cloud_want_subnets(struct eip_model *);
void	 cloud_subnet_mark(struct eip_model *, struct subnet_rec *,
	    const struct eip_cidr *, struct iplist *);

/* annot.c */
void	 ns_annot_writes(struct eip_model *, struct ns *);

/* status.c */
void	 status_ipam_writes(struct eip_model *, struct ipam *);
int	 status_cleanup_done(struct eip_model *, struct ipam *);
json_t	*status_gauges(struct eip_model *);
void	 status_latency(struct eip_model *, struct ns *);

/* dump.c */
json_t	*dump_model(struct eip_model *);

#endif
