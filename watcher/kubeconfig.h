/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Where the API server is and how to authenticate: from a kubeconfig file
 * (--kubeconfig) or from the in-cluster service-account files.  Read once
 * at start, before the sandbox; the token file is re-read later by the
 * kube client (bound tokens rotate).
 */
#ifndef EIP_KUBECONFIG_H
#define EIP_KUBECONFIG_H

#include <stddef.h>

#define EIP_SA_DIR	"/var/run/secrets/kubernetes.io/serviceaccount"

struct eip_kubeconf {
	char	*server;	/* https://host:port, no trailing slash */
	char	*ca_pem;	/* the CA bundle, in memory */
	size_t	 ca_len;
	char	*ca_path;	/* the file it came from, or NULL (inline) */
	char	*token;		/* a fixed token, or NULL */
	char	*token_file;	/* re-read on rotation, or NULL */
	char	*namespace;	/* in-cluster namespace file, or NULL */
	char	*source;	/* the kubeconfig path, or the SA dir */
};

/*
 * Supported in a kubeconfig: current-context (or the only context),
 * clusters[].cluster.{server, certificate-authority, certificate-authority-data},
 * users[].user.{token, tokenFile}, contexts[].context.{cluster, user,
 * namespace}.  Refused with a clear error: insecure-skip-tls-verify,
 * client certificates, exec and auth-provider plugins, username/password,
 * proxies, plain http:// servers.
 */
int	 kubeconf_from_file(const char *path, struct eip_kubeconf *,
	    char *err, size_t errlen);
/* Same, from text already read; base is the directory for relative paths. */
int	 kubeconf_from_text(const char *text, size_t len, const char *base,
	    struct eip_kubeconf *, char *err, size_t errlen);
/*
 * KUBERNETES_SERVICE_HOST/PORT and the service-account directory
 * (sa_dir NULL = EIP_SA_DIR): token, ca.crt, namespace.
 */
int	 kubeconf_in_cluster(const char *sa_dir, struct eip_kubeconf *,
	    char *err, size_t errlen);
void	 kubeconf_clear(struct eip_kubeconf *);

/* Reads a whole small file (bounded); NULL with a message on failure. */
char	*kubeconf_read_file(const char *path, size_t max, size_t *len,
	    char *err, size_t errlen);
/* Reads a token file: whitespace trimmed, must be non-empty. */
char	*kubeconf_read_token(const char *path, char *err, size_t errlen);

#endif
