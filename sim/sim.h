/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eipam-sim internals: the resource table, the in-memory store and its
 * event history, selectors, patches, the Kubernetes API handler, watch
 * fan-out, the OpenShift controllers, scenarios and the control API.
 * Everything here works on JSON and struct sim_req/sim_resp, never on
 * sockets; eipam-sim.c owns the network.
 */
#ifndef EIP_SIM_H
#define EIP_SIM_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "sim_http.h"

/* rtypes.c: the resource types the simulator knows. */
struct sim_rtype {
	const char	*group;		/* "" for core */
	const char	*version;
	const char	*plural;
	const char	*singular;
	const char	*kind;
	int		 namespaced;
	int		 custom;	/* CRD semantics (415, 422) */
	int		 has_status;	/* status subresource */
	const char	*short_names;	/* comma-separated or NULL */
	const char	*const *fields;	/* extra field-selector labels */
	int		 always_served;
};

#define SIM_RT_MAX	32

int	 rtype_count(void);
const struct sim_rtype *rtype_get(int);
int	 rtype_index(const struct sim_rtype *);
const struct sim_rtype *rtype_find(const char *group, const char *version,
	    const char *plural);
const struct sim_rtype *rtype_by_kind(const char *kind);
const struct sim_rtype *rtype_by_name(const char *plural);
/* "leases.coordination.k8s.io" or "namespaces". */
void	 rtype_qualified(const struct sim_rtype *, char *, size_t);
char	*rtype_api_version(const struct sim_rtype *, char *, size_t);

/* errors carried from the store to the Status object */
struct sim_err {
	int		 code;
	char		 reason[40];
	char		 message[512];
	char		 field[128];	/* for 422 causes */
};

int	 sim_err_set(struct sim_err *, int code, const char *reason,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
json_t	*sim_status_json(const struct sim_err *, const char *name,
	    const struct sim_rtype *);

/* store.c */
enum sim_ev_type {
	SIM_EV_ADDED = 0,
	SIM_EV_MODIFIED,
	SIM_EV_DELETED,
};

struct sim_event {
	enum sim_ev_type type;
	int		 rt;		/* rtype index */
	uint64_t	 rv;
	json_t		*obj;		/* new state, or last state if DELETED */
	json_t		*old;		/* previous state (MODIFIED) or NULL */
};

struct sim_obj {
	char		*key;		/* "ns/name" or "/name" */
	json_t		*obj;		/* immutable once stored */
	uint64_t	 rv;
};

struct sim_coll {
	struct sim_obj	**v;
	size_t		 n;
	size_t		 cap;
	int		 served;
};

struct sim_store;
typedef void (*sim_observer_fn)(struct sim_store *, const struct sim_event *,
    void *);

struct sim_store {
	uint64_t	 rv;
	struct sim_coll	 colls[SIM_RT_MAX];
	struct sim_event *hist;		/* ring of recent events */
	size_t		 hist_cap;
	size_t		 hist_len;
	size_t		 hist_head;	/* index of the oldest */
	uint64_t	 evicted_rv;	/* newest rv no longer in history */
	struct {
		sim_observer_fn	 fn;
		void		*arg;
	}		 obs[8];
	int		 nobs;
	uint64_t	 uid_seq;
	long		 now_offset;	/* added to time(), for tests */
};

/* Update flags. */
#define SIM_UPD_STATUS		0x01	/* the /status subresource */
#define SIM_UPD_FORCE		0x02	/* no RV precondition */

struct sim_store *store_new(size_t hist_cap);
void	 store_free(struct sim_store *);
void	 store_observe(struct sim_store *, sim_observer_fn, void *);
void	 store_set_served(struct sim_store *, int rt, int served);
int	 store_served(const struct sim_store *, int rt);
const struct sim_obj *store_get(struct sim_store *, int rt, const char *ns,
	    const char *name);
/* Objects of rt in ns (NULL = all), in key order, starting after key. */
size_t	 store_lower_bound(const struct sim_coll *, const char *key);
int	 store_create(struct sim_store *, int rt, const char *ns, json_t *obj,
	    json_t **out, struct sim_err *);
int	 store_update(struct sim_store *, int rt, const char *ns,
	    const char *name, json_t *obj, int flags, json_t **out,
	    struct sim_err *);
int	 store_delete(struct sim_store *, int rt, const char *ns,
	    const char *name, const char *precond_uid, const char *precond_rv,
	    json_t **out, struct sim_err *);
int	 store_remove_now(struct sim_store *, int rt, const char *ns,
	    const char *name);
/* Removes every object of rt (CRD deleted); emits DELETED for each. */
void	 store_purge(struct sim_store *, int rt);
/* The oldest rv still covered by history: a watch from rv < this is 410. */
int	 store_rv_expired(const struct sim_store *, uint64_t rv);
void	 store_now(const struct sim_store *, char *, size_t);
void	 store_now_micro(const struct sim_store *, char *, size_t);
char	*store_key(const char *ns, const char *name);

/* selector.c */
enum sim_sel_op {
	SEL_EQ, SEL_NE, SEL_IN, SEL_NOTIN, SEL_EXISTS, SEL_NOTEXISTS,
};

struct sim_sel_req {
	char		*key;
	enum sim_sel_op	 op;
	char		**values;
	int		 nvalues;
};

struct sim_selector {
	struct sim_sel_req *reqs;
	int		 nreqs;
};

int	 selector_parse_labels(const char *, struct sim_selector *, char *,
	    size_t);
int	 selector_parse_fields(const char *, const struct sim_rtype *,
	    struct sim_selector *, char *, size_t);
int	 selector_match_labels(const struct sim_selector *, const json_t *obj);
int	 selector_match_fields(const struct sim_selector *, const json_t *obj);
/* metav1.LabelSelector (matchLabels, matchExpressions) against labels. */
int	 selector_match_labelselector(const json_t *sel, const json_t *labels);
void	 selector_free(struct sim_selector *);
int	 selector_parse_bool(const char *, int *);

/* patch.c */
json_t	*patch_merge(const json_t *target, const json_t *patch);
int	 patch_json(json_t **doc, const json_t *ops, struct sim_err *);
json_t	*patch_strategic(const json_t *target, const json_t *patch,
	    struct sim_err *);

/* watch.c: watch streams, independent of the transport. */
struct sim_watcher;
typedef void (*sim_watch_send_fn)(struct sim_watcher *, const char *,
    size_t);
typedef void (*sim_watch_end_fn)(struct sim_watcher *);

struct sim_watch_spec {
	int		 rt;
	char		 ns[254];		/* "" for all */
	char		*label_sel;
	char		*field_sel;
	char		 rv[32];		/* "" or "0": start with ADDED */
	int		 rv_set;
	int		 bookmarks;
	int		 initial_events_end;	/* sendInitialEvents=true */
	long		 timeout_s;		/* 0: the default */
};

struct sim_watcher {
	int		 rt;
	char		*ns;
	struct sim_selector lsel;
	struct sim_selector fsel;
	int		 bookmarks;
	uint64_t	 sent_rv;
	sim_watch_send_fn send;
	sim_watch_end_fn end;
	void		*ctx;		/* the transport's */
	int		 dead;
};

struct sim_watch_hub {
	struct sim_store *st;
	struct sim_watcher **v;
	size_t		 n;
	size_t		 cap;
	uint64_t	 events_sent;
};

struct sim_watch_hub *watch_hub_new(struct sim_store *);
void	 watch_hub_free(struct sim_watch_hub *);
/*
 * Creates a watcher from spec and sends its start (initial ADDED events
 * or the replay from history).  When the resourceVersion is too old it
 * sends the ERROR event, sets err->code to 410 and marks the watcher dead:
 * the caller then ends the stream and stops the watcher.
 */
struct sim_watcher *watch_start(struct sim_watch_hub *,
	    const struct sim_watch_spec *, sim_watch_send_fn, void *ctx,
	    struct sim_err *);
void	 watch_stop(struct sim_watch_hub *, struct sim_watcher *);
void	 watch_bookmarks(struct sim_watch_hub *);
char	*watch_line(const char *type, const json_t *obj, size_t *len);
size_t	 watch_count(const struct sim_watch_hub *);

#endif
