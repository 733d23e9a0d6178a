/* SPDX-License-Identifier: Apache-2.0 */
/* The simulator's CA and serving certificate (tls.c). */
#ifndef EIP_SIM_TLS_H
#define EIP_SIM_TLS_H

#include <openssl/ssl.h>

struct sim_tls {
	EVP_PKEY	*ca_key;
	EVP_PKEY	*key;
	X509		*ca;
	X509		*cert;
	char		*ca_pem;
	SSL_CTX		*ctx;
};

int	 tls_setup(struct sim_tls *);
void	 tls_free(struct sim_tls *);

#endif
