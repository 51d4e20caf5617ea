#!/usr/bin/env bash
# Writes the TLS material of the integration tests into DIR: a CA, a server certificate for localhost and
# 127.0.0.1, a client certificate, a client certificate from another CA, and expired client and server
# certificates. Usage: make_test_certs.sh DIR
set -euo pipefail
cd "$1"
q() { "$@" >/dev/null 2>&1 || { echo "make_test_certs: failed: $*" >&2; exit 1; }; }
q openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 30 -subj /CN=detect-test-ca
q openssl req -x509 -newkey rsa:2048 -nodes -keyout other_ca.key -out other_ca.pem -days 30 -subj /CN=other-ca
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > server.ext
printf 'extendedKeyUsage=clientAuth\n' > client.ext
q openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=localhost
q openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 30 \
  -extfile server.ext
# The same server key certified by the other CA: what a certificate rotation to a new CA looks like.
q openssl x509 -req -in server.csr -CA other_ca.pem -CAkey other_ca.key -CAcreateserial -out other_server.pem \
  -days 30 -extfile server.ext
q openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj /CN=detect-client
q openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client.pem -days 30 \
  -extfile client.ext
q openssl x509 -req -in client.csr -CA other_ca.pem -CAkey other_ca.key -CAcreateserial -out other_client.pem \
  -days 30 -extfile client.ext
# `openssl x509 -req` cannot backdate (OpenSSL 3.0): expired certificates come from `openssl ca`.
mkdir -p db && : > db/index.txt && echo 1000 > db/serial
cat > ca.cnf <<'CNF'
[ ca ]
default_ca = test_ca
[ test_ca ]
database = db/index.txt
serial = db/serial
new_certs_dir = db
certificate = ca.pem
private_key = ca.key
default_md = sha256
policy = policy_any
unique_subject = no
[ policy_any ]
commonName = supplied
CNF
q openssl ca -batch -config ca.cnf -in client.csr -out expired_client.pem -notext \
  -startdate 20200101000000Z -enddate 20200201000000Z -extfile client.ext
q openssl ca -batch -config ca.cnf -in server.csr -out expired_server.pem -notext \
  -startdate 20200101000000Z -enddate 20200201000000Z -extfile server.ext
