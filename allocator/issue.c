/* SPDX-License-Identifier: Apache-2.0 */
/* Lists of field/reason problems (see issue.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "issue.h"
#include "xmalloc.h"

void
issues_add(struct eip_issues *l, enum issue_sev sev, const char *field,
    const char *fmt, ...)
{
	struct eip_issue *i;
	va_list ap;

	if (l->n == l->cap) {
		l->cap = l->cap == 0 ? 4 : l->cap * 2;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	i = &l->v[l->n++];
	i->sev = sev;
	i->field = xstrdup(field);
	va_start(ap, fmt);
	if (vasprintf(&i->reason, fmt, ap) == -1)
		i->reason = xstrdup("(out of memory)");
	va_end(ap);
	if (sev == ISSUE_ERROR)
		l->nerrors++;
}

void
issues_clear(struct eip_issues *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].field);
		free(l->v[i].reason);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

char *
issues_text(const struct eip_issues *l, enum issue_sev min)
{
	size_t i, len = 1;
	char *s;

	for (i = 0; i < l->n; i++)
		len += strlen(l->v[i].field) + strlen(l->v[i].reason) + 4;
	s = xmalloc(len);
	s[0] = '\0';
	for (i = 0; i < l->n; i++) {
		if (l->v[i].sev < min)
			continue;
		if (s[0] != '\0')
			strcat(s, "; ");
		strcat(s, l->v[i].field);
		strcat(s, ": ");
		strcat(s, l->v[i].reason);
	}
	return s;
}

int
issues_equal(const struct eip_issues *a, const struct eip_issues *b)
{
	size_t i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (a->v[i].sev != b->v[i].sev ||
		    strcmp(a->v[i].field, b->v[i].field) != 0 ||
		    strcmp(a->v[i].reason, b->v[i].reason) != 0)
			return 0;
	return 1;
}
