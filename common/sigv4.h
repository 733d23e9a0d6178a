/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AWS Signature Version 4 (AWS4-HMAC-SHA256): canonical request, string to
 * sign, signing key and the Authorization header, for header-signed
 * requests with query or form bodies.  The cloudworker signs with it and
 * eipam-sim verifies with it.  Pure functions over OpenSSL's SHA-256 and
 * HMAC; it lives in libeipcrypto.a so that the allocator never links
 * OpenSSL.
 */
#ifndef EIP_SIGV4_H
#define EIP_SIGV4_H

#include <stddef.h>
#include <time.h>

#define SIGV4_ALGORITHM		"AWS4-HMAC-SHA256"
#define SIGV4_AMZDATE_LEN	16	/* 20150830T123600Z */
#define SIGV4_HEX_LEN		64	/* hex SHA-256 */

struct sigv4_header {
	const char	*name;		/* any case */
	const char	*value;		/* trimmed and folded when signed */
};

/*
 * A request to sign or verify.  path is the request path as the client
 * has it before canonical encoding (for the usual "/" nothing changes);
 * it is normalized (dot segments and repeated slashes removed) and then
 * percent-encoded once, as botocore does for every service but S3.
 * query is the raw query string without '?', or NULL.  Every header in
 * headers is signed; a repeated name is joined with ',' in order.
 * payload_hash, if not NULL, replaces the hex SHA-256 of the body (as
 * x-amz-content-sha256 does).
 */
struct sigv4_request {
	const char			*method;
	const char			*path;
	const char			*query;
	const struct sigv4_header	*headers;
	size_t				 nheaders;
	const void			*body;
	size_t				 body_len;
	const char			*payload_hash;
};

struct sigv4_credentials {
	const char	*access_key;
	const char	*secret_key;
	const char	*session_token;	/* or NULL; the caller adds the header */
	const char	*region;
	const char	*service;
};

/* A parsed Authorization header (pointers into caller storage). */
struct sigv4_auth {
	char		 access_key[129];
	char		 date[9];		/* YYYYMMDD of the scope */
	char		 region[33];
	char		 service[33];
	char		 signed_headers[1024];	/* "content-type;host;x-amz-date" */
	char		 signature[SIGV4_HEX_LEN + 1];
};

/* Canonical pieces; each returns a malloc'ed string or NULL on bad input. */
char	*sigv4_canonical_uri(const char *path);
char	*sigv4_canonical_query(const char *query);
char	*sigv4_canonical_headers(const struct sigv4_header *, size_t,
	    char **signed_headers);
char	*sigv4_canonical_request(const struct sigv4_request *);
char	*sigv4_string_to_sign(const char *amzdate, const char *region,
	    const char *service, const char *canonical_request);
void	 sigv4_signing_key(const char *secret, const char *date8,
	    const char *region, const char *service, unsigned char key[32]);

/* Hex SHA-256 of a buffer into out[SIGV4_HEX_LEN + 1]. */
void	 sigv4_sha256_hex(const void *, size_t, char *out);

/*
 * Signs req at amzdate ("YYYYMMDDTHHMMSSZ"); on success *authorization
 * is the malloc'ed Authorization header value and *signature (if not
 * NULL) the hex signature.  The caller has already put host, x-amz-date
 * and, with a session token, x-amz-security-token into req->headers.
 */
int	 sigv4_sign(const struct sigv4_request *,
	    const struct sigv4_credentials *, const char *amzdate,
	    char **authorization, char *signature);

/* Hex signature only; out[SIGV4_HEX_LEN + 1]. */
int	 sigv4_signature(const struct sigv4_request *, const char *secret,
	    const char *amzdate, const char *region, const char *service,
	    char *out);

/*
 * Parses "AWS4-HMAC-SHA256 Credential=AK/20150830/us-east-1/ec2/aws4_request,
 * SignedHeaders=a;b, Signature=hex".  Returns 0, or -1 with a reason in err.
 */
int	 sigv4_parse_authorization(const char *, struct sigv4_auth *,
	    char *err, size_t errlen);

/* amzdate <-> time_t (UTC). */
void	 sigv4_format_amzdate(time_t, char out[SIGV4_AMZDATE_LEN + 1]);
int	 sigv4_parse_amzdate(const char *, time_t *);

/* Constant-time comparison of two NUL-terminated strings. */
int	 sigv4_equal(const char *, const char *);

#endif
