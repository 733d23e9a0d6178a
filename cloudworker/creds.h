/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Cloud credentials from the mounted Secret egress-ipam-operator-cloud-
 * credentials, one file per key, exactly as the cloud-credential-operator
 * writes them: AWS static keys or the STS `credentials` INI (role_arn,
 * web_identity_token_file); Azure client id, tenant, subscription and a
 * client secret or a federated token file.  Every secret value read is
 * registered with the log redactor before it is used.  Nothing here
 * speaks to the network.
 */
#ifndef EIP_CLOUD_CREDS_H
#define EIP_CLOUD_CREDS_H

#include <stddef.h>

enum cred_kind {
	CRED_NONE = 0,
	CRED_AWS_STATIC,
	CRED_AWS_WEB_IDENTITY,
	CRED_AZURE_SECRET,
	CRED_AZURE_FEDERATED,
};

struct eip_creds {
	enum cred_kind	 kind;
	char		*access_key;		/* AWS static */
	char		*secret_key;
	char		*role_arn;		/* AWS web identity */
	char		*token_file;		/* AWS web identity, Azure WI */
	char		*client_id;		/* Azure */
	char		*tenant_id;
	char		*subscription_id;
	char		*client_secret;
};

#define CREDS_FILE_MAX	(64 * 1024)

const char *creds_kind_name(enum cred_kind);
/*
 * Loads the credentials of a platform ("AWS" or "Azure") from dir.
 * Returns 0, or -1 with a reason in err naming the missing or bad key
 * (never a value).
 */
int	 creds_load(const char *dir, const char *platform, struct eip_creds *,
	    char *err, size_t errlen);
/* Wipes and frees. */
void	 creds_clear(struct eip_creds *);

/*
 * Reads a projected token file (re-read before each exchange, as the
 * kubelet rotates it), trimmed, registered as a secret.  malloc'ed.
 */
char	*creds_read_token(const char *path, char *err, size_t errlen);

/*
 * The value of key in section of an INI text (`[default]`, `key = value`,
 * `#`/`;` comments), malloc'ed, or NULL.  An absent section header means
 * keys at the top count as [default].
 */
char	*creds_ini_get(const char *ini, const char *section, const char *key);

/*
 * Token files the Secret points at (web_identity_token_file,
 * azure_federated_token_file), for the sandbox: their directories must
 * stay readable.  Fills up to max paths (malloc'ed), returns the count.
 */
size_t	 creds_token_paths(const char *dir, char **out, size_t max);

#endif
