/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for what users type: IP and CIDR strings, the
 * egressips annotation, and EgressIPAM specs (as the watcher passes them).
 * The first byte picks the parser.  Never a crash, never a leak.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ipaddr.h"
#include "manual.h"
#include "spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct eip_spec spec;
	struct eip_cidr c;
	struct eip_ip ip, *ips = NULL;
	char *s, err[512], buf[CIDR_STRLEN];
	size_t n = 0;
	json_t *j;

	if (size < 1)
		return 0;
	s = malloc(size);
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	switch (data[0] % 3) {
	case 0:
		if (ip_parse(s, &ip) == 0 && ip_format(&ip, buf,
		    sizeof(buf)) == NULL)
			abort();
		if (cidr_parse(s, &c) == 0) {
			struct eip_ip b;
			u128 off;

			cidr_broadcast(&c, &b);
			if (!cidr_contains(&c, &b) ||
			    cidr_offset(&c, &b, &off) != 0 ||
			    off != cidr_last_offset(&c))
				abort();
		}
		break;
	case 1:
		if (manual_parse(s, &ips, &n, err, sizeof(err)) == 0) {
			char *again = manual_format(ips, n);

			if (again == NULL)
				abort();
			free(again);
		}
		free(ips);
		break;
	case 2:
		if ((j = json_loads(s, 0, NULL)) != NULL) {
			memset(&spec, 0, sizeof(spec));
			spec_parse(j, NULL, &spec);
			(void)spec_valid(&spec);
			spec_clear(&spec);
			json_decref(j);
		}
		break;
	}
	free(s);
	return 0;
}
