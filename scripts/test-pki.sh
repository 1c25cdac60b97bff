#!/usr/bin/env bash
# The tests' keys and certificates, made with the openssl CLI into DIR:
# a test CA, a server certificate for localhost/127.0.0.1 signed by it, a
# client certificate (APNs certificate auth), an APNs .p8 key with its
# public half, an FCM service account's RSA key with its public half, and
# a self-signed server certificate nobody trusts.
#   test-pki.sh make DIR     (DIR/ready once complete)
#   test-pki.sh remove DIR
# ctest makes one set per run (the TestPki fixture) that every test process
# reads (PUSHSYNC_TEST_PKI); a test binary run on its own makes its own.
set -euo pipefail
cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: test-pki.sh make|remove DIR" >&2; exit 2; }
if [ "$cmd" = remove ]; then rm -rf "$dir"; exit 0; fi
[ "$cmd" = make ] || { echo "usage: test-pki.sh make|remove DIR" >&2; exit 2; }

rm -rf "$dir"
mkdir -p "$dir"
cd "$dir"
ec=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)
q() {  # runs an openssl command quietly; says what failed and why
  local out
  out=$("$@" 2>&1) || { echo "test-pki.sh: $* failed: $out" >&2; return 1; }
}
q openssl req -x509 "${ec[@]}" -keyout ca.key -out ca.pem -days 2 -subj /CN=pushsync-test-ca
signed_by_ca() {  # NAME CN [openssl x509 args]
  local name=$1 cn=$2; shift 2
  q openssl req "${ec[@]}" -keyout "$name.key" -out "$name.csr" -subj "/CN=$cn"
  q openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -out "$name.pem" "$@"
}
echo "subjectAltName=DNS:localhost,IP:127.0.0.1" > server.ext
signed_by_ca server localhost -extfile server.ext
signed_by_ca client com.example.todo
q openssl req -x509 "${ec[@]}" -keyout untrusted.key -out untrusted.pem -days 2 -subj /CN=localhost \
  -addext subjectAltName=IP:127.0.0.1
q openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out apns.p8
q openssl pkey -in apns.p8 -pubout -out apns.pub
q openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out fcm.pem
q openssl pkey -in fcm.pem -pubout -out fcm.pub
chmod -R a+rX "$dir"
touch ready
