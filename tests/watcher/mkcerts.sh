#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Makes a throwaway CA, a server certificate for 127.0.0.1/localhost signed
# by it, and a second unrelated CA (for "wrong CA" tests), in DIR.
set -eu
d=$1
mkdir -p "$d"
cd "$d"
q() { "$@" >/dev/null 2>&1; }
q openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=eipam-test-ca \
    -keyout ca.key -out ca.crt
q openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=eipam-wrong-ca \
    -keyout wrong-ca.key -out wrong-ca.crt
q openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 \
    -keyout server.key -out server.csr
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n' >ext.cnf
q openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
    -days 2 -extfile ext.cnf -out server.crt
