/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Problems found in what the cluster gives us (a spec, an annotation):
 * each names the field and the reason, and is an error (blocks the
 * thing it is about) or a warning (reported, otherwise ignored).  The
 * status and event code turns lists of them into condition messages.
 */
#ifndef EIP_ISSUE_H
#define EIP_ISSUE_H

#include <stddef.h>

enum issue_sev {
	ISSUE_WARN = 0,
	ISSUE_ERROR,
};

struct eip_issue {
	enum issue_sev	 sev;
	char		*field;
	char		*reason;
};

struct eip_issues {
	struct eip_issue *v;
	size_t		 n;
	size_t		 cap;
	size_t		 nerrors;
};

void	 issues_add(struct eip_issues *, enum issue_sev, const char *field,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void	 issues_clear(struct eip_issues *);
/* "field: reason; field: reason" of those at least as bad as min. */
char	*issues_text(const struct eip_issues *, enum issue_sev min);
int	 issues_equal(const struct eip_issues *, const struct eip_issues *);

#endif
