/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Kubernetes API side of eipam-sim: request routing to the store
 * (kube_api.c), discovery (discovery.c), small codecs (util.c), and what
 * the HTTP server needs to know about each request for statistics.
 */
#ifndef EIP_SIM_KUBE_H
#define EIP_SIM_KUBE_H

#include <time.h>

#include "sim.h"

#define SIM_BODY_LIMIT	(3 * 1024 * 1024)

struct sim_auth {
	char		*admin;
	char		*admin_old;	/* accepted until admin_old_until */
	time_t		 admin_old_until;
	char		*readonly;
	char		*control;
};

struct sim_reqinfo {
	char		 resource[128];	/* "namespaces", "leases.coordination.k8s.io", "discovery" */
	char		 kind[64];
	char		 verb[24];
	int		 write;
};

struct sim_kube {
	struct sim_store	*st;
	struct sim_watch_hub	*hub;
	struct sim_auth		*auth;
	size_t			 body_limit;
	char			 server_addr[64];
	long			 watch_timeout;	/* default when not asked */
};

struct kube_path {
	enum {
		KP_UNKNOWN = 0, KP_VERSION, KP_HEALTH, KP_API, KP_APIS,
		KP_GROUP, KP_RESLIST, KP_COLL, KP_ITEM, KP_NOTSERVED,
	}			 kind;
	char			 group[64];
	char			 version[32];
	int			 rt;
	char			 ns[256];
	char			 name[256];
	int			 status;	/* the /status subresource */
};

#define KUBE_RESP	0
#define KUBE_WATCH	1

int	 kube_parse_path(const struct sim_store *, const char *,
	    struct kube_path *);
int	 kube_handle(struct sim_kube *, const struct sim_req *,
	    struct sim_resp *, struct sim_watch_spec *, struct sim_reqinfo *);
void	 kube_resp_json(struct sim_resp *, int code, json_t *);
void	 kube_resp_error(struct sim_resp *, const struct sim_err *,
	    const char *name, const struct sim_rtype *);
/* apiextensions: a CRD was created or deleted; serve or stop serving. */
void	 kube_crd_changed(struct sim_store *, const json_t *crd, int deleted);
int	 kube_auth_check(const struct sim_auth *, const char *authz,
	    int *readonly);

/* discovery.c */
json_t	*discovery_version(void);
json_t	*discovery_api(const char *server);
json_t	*discovery_apis(const struct sim_store *);
json_t	*discovery_group(const struct sim_store *, const char *);
json_t	*discovery_resources(const struct sim_store *, const char *group,
	    const char *version);

/* util.c */
/* Finds a query parameter (decoded into buf); returns 1 if present. */
int	 util_query_get(const char *query, const char *key, char *buf,
	    size_t len);
void	 util_url_decode(const char *in, size_t n, char *out, size_t len);
char	*util_b64url_encode(const char *, size_t);
char	*util_b64url_decode(const char *, size_t *);
/* Go duration such as "3s", "1m30s", "500ms"; -1 if malformed. */
long	 util_parse_duration_ms(const char *);
/* Media type without parameters, lower-cased, into buf. */
void	 util_media_type(const char *ctype, char *buf, size_t len);

#endif
