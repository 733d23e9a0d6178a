/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Allocation wrappers that end the process on exhaustion: a worker that
 * cannot allocate is restarted by the supervisor, which is safer than
 * carrying on with half-built state.
 */
#ifndef EIP_XMALLOC_H
#define EIP_XMALLOC_H

#include <stddef.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
int	 xasprintf(char **, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
