/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Small containers the model's files share: pointer vectors, address
 * lists (parsed leniently from what other controllers write) and string
 * helpers.
 */
#include <stdlib.h>
#include <string.h>

#include "model_int.h"
#include "xmalloc.h"

void
ptrvec_push(struct ptrvec *v, void *p)
{
	if (v->n == v->cap) {
		v->cap = v->cap == 0 ? 8 : v->cap * 2;
		v->v = xreallocarray(v->v, v->cap, sizeof(*v->v));
	}
	v->v[v->n++] = p;
}

int
ptrvec_remove(struct ptrvec *v, void *p)
{
	size_t i;

	for (i = 0; i < v->n; i++) {
		if (v->v[i] == p) {
			memmove(&v->v[i], &v->v[i + 1],
			    (v->n - i - 1) * sizeof(*v->v));
			v->n--;
			return 1;
		}
	}
	return 0;
}

int
ptrvec_has(const struct ptrvec *v, const void *p)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (v->v[i] == p)
			return 1;
	return 0;
}

void
ptrvec_clear(struct ptrvec *v)
{
	free(v->v);
	memset(v, 0, sizeof(*v));
}

void
iplist_set(struct iplist *l, const struct eip_ip *v, size_t n)
{
	free(l->v);
	l->v = n > 0 ? xcalloc(n, sizeof(*v)) : NULL;
	if (n > 0)
		memcpy(l->v, v, n * sizeof(*v));
	l->n = n;
}

void
iplist_clear(struct iplist *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int
iplist_has(const struct iplist *l, const struct eip_ip *ip)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (ip_equal(&l->v[i], ip))
			return 1;
	return 0;
}

/* Is every address of a also in b? */
int
iplist_subset(const struct iplist *a, const struct iplist *b)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (!iplist_has(b, &a->v[i]))
			return 0;
	return 1;
}

/*
 * Lists longer than this are compared and de-duplicated by sorting: a
 * HostSubnet carries hundreds of addresses, and the pairwise way cost
 * milliseconds per HostSubnet event.
 */
#define IPLIST_SMALL	16

struct ipidx {
	struct eip_ip	 ip;
	size_t		 idx;
};

/* By address, then position: the first of equal addresses sorts first. */
static int
ipidx_cmp(const void *a, const void *b)
{
	const struct ipidx *x = a, *y = b;
	int c = ip_cmp(&x->ip, &y->ip);

	if (c != 0)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Sorted, duplicate-free copy of l (malloc'ed); its length in *n. */
static struct ipidx *
iplist_sorted(const struct iplist *l, size_t *n)
{
	struct ipidx *v = xcalloc(l->n + 1, sizeof(*v));
	size_t i, k = 0;

	for (i = 0; i < l->n; i++) {
		v[i].ip = l->v[i];
		v[i].idx = i;
	}
	qsort(v, l->n, sizeof(*v), ipidx_cmp);
	for (i = 0; i < l->n; i++)
		if (k == 0 || !ip_equal(&v[k - 1].ip, &v[i].ip))
			v[k++] = v[i];
	*n = k;
	return v;
}

int
iplist_same_set(const struct iplist *a, const struct iplist *b)
{
	struct ipidx *x, *y;
	size_t i, nx, ny;
	int same;

	if (a->n <= IPLIST_SMALL && b->n <= IPLIST_SMALL) {
		for (i = 0; i < a->n; i++)
			if (!iplist_has(b, &a->v[i]))
				return 0;
		for (i = 0; i < b->n; i++)
			if (!iplist_has(a, &b->v[i]))
				return 0;
		return 1;
	}
	x = iplist_sorted(a, &nx);
	y = iplist_sorted(b, &ny);
	same = nx == ny;
	for (i = 0; same && i < nx; i++)
		same = ip_equal(&x[i].ip, &y[i].ip);
	free(x);
	free(y);
	return same;
}

/* Drops repeated addresses, keeping the first of each, in order. */
static void
iplist_dedup(struct iplist *l)
{
	struct ipidx *v;
	size_t i, n;
	char *keep;

	if (l->n <= 1)
		return;
	if (l->n <= IPLIST_SMALL) {
		for (i = n = 0; i < l->n; i++) {
			struct iplist seen = { l->v, n };

			if (!iplist_has(&seen, &l->v[i]))
				l->v[n++] = l->v[i];
		}
		l->n = n;
		return;
	}
	/* Sorted by address then position: the first of each run stays. */
	v = iplist_sorted(l, &n);
	keep = xcalloc(l->n, 1);
	for (i = 0; i < n; i++)
		keep[v[i].idx] = 1;
	for (i = n = 0; i < l->n; i++)
		if (keep[i])
			l->v[n++] = l->v[i];
	l->n = n;
	free(keep);
	free(v);
}

/*
 * The parsable IPs of a JSON list of strings, without duplicates, in
 * order.  Lists come from other controllers and users: what does not
 * parse is not an address anybody can use, so it is left out.  Returns
 * how many were left out.
 */
int
iplist_parse_json(const json_t *arr, struct iplist *out)
{
	const json_t *x;
	struct eip_ip ip;
	size_t i;
	int bad = 0;

	iplist_clear(out);
	if (json_array_size(arr) == 0)
		return 0;
	out->v = xcalloc(json_array_size(arr), sizeof(*out->v));
	json_array_foreach(arr, i, x) {
		if (ip_parse(json_string_value(x), &ip) == -1) {
			bad++;
			continue;
		}
		out->v[out->n++] = ip;
	}
	iplist_dedup(out);
	return bad;
}

void
setstr(char **dst, const char *src)
{
	if (*dst != NULL && src != NULL && strcmp(*dst, src) == 0)
		return;
	free(*dst);
	*dst = src != NULL ? xstrdup(src) : NULL;
}

int
streq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

