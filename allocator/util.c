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

static int
ipcmp_sort(const void *a, const void *b)
{
	return ip_cmp(a, b);
}

/*
 * Same addresses, in any order?  Sorted copies, so a HostSubnet with
 * thousands of IPs costs n log n, not n squared.
 */
int
iplist_same_set(const struct iplist *a, const struct iplist *b)
{
	struct eip_ip *x, *y;
	size_t i, j, nx, ny;
	int same = 1;

	if (a->n == 0 || b->n == 0)
		return a->n == b->n;
	x = xcalloc(a->n, sizeof(*x));
	y = xcalloc(b->n, sizeof(*y));
	memcpy(x, a->v, a->n * sizeof(*x));
	memcpy(y, b->v, b->n * sizeof(*y));
	qsort(x, a->n, sizeof(*x), ipcmp_sort);
	qsort(y, b->n, sizeof(*y), ipcmp_sort);
	/* Lists may repeat an address: compare the distinct ones. */
	for (i = j = 0, nx = a->n, ny = b->n; same && (i < nx || j < ny);) {
		if (i == nx || j == ny || !ip_equal(&x[i], &y[j])) {
			same = 0;
			break;
		}
		while (i + 1 < nx && ip_equal(&x[i], &x[i + 1]))
			i++;
		while (j + 1 < ny && ip_equal(&y[j], &y[j + 1]))
			j++;
		i++;
		j++;
	}
	free(x);
	free(y);
	return same;
}

struct ipidx {
	struct eip_ip	ip;
	size_t		idx;
};

static int
ipidx_cmp(const void *a, const void *b)
{
	const struct ipidx *x = a, *y = b;
	int c = ip_cmp(&x->ip, &y->ip);

	if (c != 0)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Drops repeated addresses, keeping the first of each, in n log n. */
static void
iplist_dedup(struct iplist *l)
{
	struct ipidx *t;
	char *dup;
	size_t i, k;

	if (l->n < 2)
		return;
	t = xcalloc(l->n, sizeof(*t));
	dup = xcalloc(l->n, 1);
	for (i = 0; i < l->n; i++) {
		t[i].ip = l->v[i];
		t[i].idx = i;
	}
	qsort(t, l->n, sizeof(*t), ipidx_cmp);
	for (i = 1; i < l->n; i++)
		if (ip_equal(&t[i].ip, &t[i - 1].ip))
			dup[t[i].idx] = 1;
	for (i = k = 0; i < l->n; i++)
		if (!dup[i])
			l->v[k++] = l->v[i];
	l->n = k;
	free(t);
	free(dup);
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

