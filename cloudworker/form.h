/* SPDX-License-Identifier: Apache-2.0 */
/*
 * application/x-www-form-urlencoded bodies and query strings, as the EC2
 * and STS Query APIs and the AAD token endpoint take them: RFC 3986
 * unreserved characters kept, everything else %XX (upper case), so the
 * same bytes are what SigV4 signs and what the server decodes.
 */
#ifndef EIP_CLOUD_FORM_H
#define EIP_CLOUD_FORM_H

#include <stddef.h>

struct eip_form {
	char	*buf;
	size_t	 len;
	size_t	 cap;
};

void	 form_add(struct eip_form *, const char *name, const char *value);
/* The name is printf-formatted: form_addf(f, ip, "PrivateIpAddress.%zu", i). */
void	 form_addf(struct eip_form *, const char *value, const char *namefmt,
	    ...) __attribute__((format(printf, 3, 4)));
/* Takes the body (NUL-terminated, "" when empty); the form is reset. */
char	*form_take(struct eip_form *, size_t *len);
void	 form_clear(struct eip_form *);
/* Percent-encodes s into a new string (the same rule as form_add). */
char	*form_encode(const char *s);

#endif
