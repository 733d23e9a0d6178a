/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for what the cloudworker reads from EC2 and STS: the
 * input is handed to every response parser and the error parser.  A
 * parser must accept or refuse cleanly; what it accepts must hold
 * together (lists as long as they say, ids present).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ec2.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *b = (const char *)data;
	struct ec2_instances in;
	struct ec2_itypes it;
	struct ec2_subnets sn;
	struct ec2_enis en;
	struct ec2_error e;
	struct sts_credentials c;
	struct eip_ip *ips;
	char err[256];
	size_t n, i;

	if (ec2_parse_instances(b, size, &in, err, sizeof(err)) == 0) {
		for (i = 0; i < in.n; i++) {
			if (in.v[i].id == NULL)
				abort();
			(void)ec2_primary_eni(&in.v[i]);
		}
		ec2_instances_clear(&in);
	}
	if (ec2_parse_instance_types(b, size, &it, err, sizeof(err)) == 0) {
		for (i = 0; i < it.n; i++)
			if (it.v[i].name == NULL || it.v[i].ipv4_per_eni < 1)
				abort();
		ec2_itypes_clear(&it);
	}
	if (ec2_parse_subnets(b, size, &sn, err, sizeof(err)) == 0)
		ec2_subnets_clear(&sn);
	if (ec2_parse_enis(b, size, &en, err, sizeof(err)) == 0)
		ec2_enis_clear(&en);
	if (ec2_parse_assign(b, size, &ips, &n, err, sizeof(err)) == 0)
		free(ips);
	(void)ec2_parse_unassign(b, size, err, sizeof(err));
	if (ec2_parse_error(b, size, &e) == 0 && e.code[0] == '\0')
		abort();
	if (sts_parse_assume(b, size, &c, err, sizeof(err)) == 0)
		sts_credentials_clear(&c);
	return 0;
}
