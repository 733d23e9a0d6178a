/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the protocol decoder: the input is split into a
 * header and a body at a position chosen by its first byte, and decoded as
 * every role.  Anything but a clean accept or EPROTO is a bug.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "eip_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct eip_msg m;
	char err[256];
	size_t hlen;
	int role;

	if (size < 1)
		return 0;
	/* Mostly well-sized headers, sometimes not. */
	hlen = data[0] < 200 ? EIP_HDR_LEN : data[0] % 32;
	data++;
	size--;
	if (hlen > size)
		hlen = size;
	for (role = 0; role < EIP_ROLE_MAX; role++) {
		if (eip_msg_decode(data, hlen, data + hlen, size - hlen,
		    (enum eip_role)role, &m, err, sizeof(err)) == 0) {
			uint8_t hdr[EIP_HDR_LEN];
			char *buf;
			size_t len;

			/* What decodes must encode again. */
			if (eip_msg_encode(m.type, m.flags, m.corr, m.body, hdr,
			    &buf, &len, err, sizeof(err)) != 0)
				abort();
			free(buf);
			eip_msg_clear(&m);
		} else if (errno != EPROTO)
			abort();
	}
	return 0;
}
