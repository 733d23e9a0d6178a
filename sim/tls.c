/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The simulator's own PKI, made fresh at every start with OpenSSL: a CA
 * (written to DIR/ca.crt and into the kubeconfig) and a serving
 * certificate for 127.0.0.1 and localhost signed by it, loaded into the
 * SSL_CTX that the HTTPS listener uses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "log.h"
#include "sim_tls.h"
#include "xmalloc.h"

static EVP_PKEY *
tls_key(void)
{
	return EVP_EC_gen("P-256");
}

static int
add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ex;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	if ((ex = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)) == NULL)
		return -1;
	X509_add_ext(cert, ex, -1);
	X509_EXTENSION_free(ex);
	return 0;
}

static X509 *
tls_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *ikey,
    int ca)
{
	X509 *c = X509_new();
	ASN1_INTEGER *serial = ASN1_INTEGER_new();
	unsigned char rnd[16];
	BIGNUM *bn;

	RAND_bytes(rnd, sizeof(rnd));
	rnd[0] &= 0x7f;
	bn = BN_bin2bn(rnd, sizeof(rnd), NULL);
	BN_to_ASN1_INTEGER(bn, serial);
	BN_free(bn);
	X509_set_version(c, 2);
	X509_set_serialNumber(c, serial);
	ASN1_INTEGER_free(serial);
	X509_gmtime_adj(X509_getm_notBefore(c), -3600);
	X509_gmtime_adj(X509_getm_notAfter(c), 3600L * 24 * 365);
	X509_set_pubkey(c, key);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(c), "CN",
	    MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(c, X509_get_subject_name(issuer != NULL ?
	    issuer : c));
	if (ca) {
		add_ext(c, c, NID_basic_constraints, "critical,CA:TRUE");
		add_ext(c, c, NID_key_usage, "critical,keyCertSign,cRLSign");
		add_ext(c, c, NID_subject_key_identifier, "hash");
	} else {
		add_ext(c, issuer, NID_basic_constraints, "critical,CA:FALSE");
		add_ext(c, issuer, NID_key_usage,
		    "critical,digitalSignature,keyEncipherment");
		add_ext(c, issuer, NID_ext_key_usage, "serverAuth");
		add_ext(c, issuer, NID_subject_alt_name,
		    "IP:127.0.0.1,DNS:localhost");
		add_ext(c, issuer, NID_authority_key_identifier,
		    "keyid:always");
	}
	if (X509_sign(c, ikey != NULL ? ikey : key, EVP_sha256()) == 0) {
		X509_free(c);
		return NULL;
	}
	return c;
}

int
tls_setup(struct sim_tls *t)
{
	BIO *b;
	BUF_MEM *mem;

	memset(t, 0, sizeof(*t));
	if ((t->ca_key = tls_key()) == NULL || (t->key = tls_key()) == NULL)
		return -1;
	if ((t->ca = tls_cert(t->ca_key, "eipam-sim CA", NULL, NULL, 1)) ==
	    NULL || (t->cert = tls_cert(t->key, "127.0.0.1", t->ca, t->ca_key,
	    0)) == NULL)
		return -1;
	b = BIO_new(BIO_s_mem());
	PEM_write_bio_X509(b, t->ca);
	BIO_get_mem_ptr(b, &mem);
	t->ca_pem = xstrndup(mem->data, mem->length);
	BIO_free(b);
	if ((t->ctx = SSL_CTX_new(TLS_server_method())) == NULL)
		return -1;
	SSL_CTX_set_min_proto_version(t->ctx, TLS1_2_VERSION);
	if (SSL_CTX_use_certificate(t->ctx, t->cert) != 1 ||
	    SSL_CTX_add1_chain_cert(t->ctx, t->ca) != 1 ||
	    SSL_CTX_use_PrivateKey(t->ctx, t->key) != 1)
		return -1;
	/* HTTP/1.1 only: evhttp speaks nothing else. */
	SSL_CTX_set_options(t->ctx, SSL_OP_NO_RENEGOTIATION);
	return 0;
}

void
tls_free(struct sim_tls *t)
{
	SSL_CTX_free(t->ctx);
	X509_free(t->ca);
	X509_free(t->cert);
	EVP_PKEY_free(t->ca_key);
	EVP_PKEY_free(t->key);
	free(t->ca_pem);
	memset(t, 0, sizeof(*t));
}
