#!/usr/bin/env bash
# The API contract, checked against a real hub: schemathesis generates requests from the document the
# hub serves (/api/openapi.json, generated from its code) and sends them to a gridpatrol-hub started
# here on loopback with the sample users, signed in as the sample admin. It fails on any 5xx, a status
# a route does not document, a wrong content type, or a body the document does not describe (each
# route's error codes included). Called by scripts/test.sh after the cargo tests; scripts/setup.sh
# installs schemathesis. Bounded: CONTRACT_EXAMPLES cases per operation (default 100), a fixed seed
# (CONTRACT_SEED) so a failure reproduces; well under a minute on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS="${XDG_CACHE_HOME:-$HOME/.cache}/gridpatrol/venv/bin/schemathesis"
[ -x "$SCHEMATHESIS" ] || { echo "contract: schemathesis is missing; run scripts/setup.sh" >&2; exit 1; }
EXAMPLES="${CONTRACT_EXAMPLES:-100}"
SEED="${CONTRACT_SEED:-20261201}"

# The hub binary: from GRIDPATROL_BIN_DIR when the caller has just built the workspace (scripts/test.sh,
# as the e2e tests do), else built here.
if [ -n "${GRIDPATROL_BIN_DIR:-}" ]; then
  HUB_BIN="$GRIDPATROL_BIN_DIR/gridpatrol-hub"
else
  cargo build --locked --quiet -p gridpatrol-hub --bin gridpatrol-hub
  HUB_BIN="$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/debug/gridpatrol-hub"
fi
[ -x "$HUB_BIN" ] || { echo "contract: $HUB_BIN is missing" >&2; exit 1; }

work="$(mktemp -d)"
hub_pid=""
cleanup() {
  if [ -n "$hub_pid" ]; then kill "$hub_pid" 2>/dev/null || true; wait "$hub_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

"$HUB_BIN" --data-dir "$work/hub" init --sample >/dev/null
"$HUB_BIN" --data-dir "$work/hub" serve --listen 127.0.0.1:0 >"$work/stdout" 2>"$work/stderr" &
hub_pid=$!

# The hub prints the address it bound on stdout's first line; wait for it, or for the hub to die.
base=""
for _ in $(seq 1 300); do
  line="$(head -n 1 "$work/stdout" 2>/dev/null || true)"
  if [[ "$line" == *"listening on http://"* ]]; then base="${line##* }"; break; fi
  kill -0 "$hub_pid" 2>/dev/null || { echo "contract: the hub did not start:" >&2; cat "$work/stderr" >&2; exit 1; }
  sleep 0.1
done
[ -n "$base" ] || { echo "contract: the hub printed no address in 30 s" >&2; exit 1; }

token="$(curl -sS --fail-with-body -H 'content-type: application/json' \
  -d '{"user": "admin", "password": "admin-sample", "device": "contract"}' "$base/api/v1/sign-in" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')"

# A photo the hub holds, so GET /photos/{sha256} is also tried where it answers 200 (a 2x2 PNG).
python3 - "$work/photo.png" <<'PY'
import struct, sys, zlib
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
rows = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)) \
    + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
open(sys.argv[1], "wb").write(png)
PY
photo="$(sha256sum "$work/photo.png" | cut -d' ' -f1)"
curl -sS --fail-with-body -X PUT -H "Authorization: Bearer $token" -H 'content-type: application/octet-stream' \
  --data-binary @"$work/photo.png" "$base/api/v1/photos/$photo?offset=0&total=$(stat -c %s "$work/photo.png")" >/dev/null
# A request outside the document is refused with a 4xx; for a photo over the size limit that 4xx is 413.
cat >"$work/contract.toml" <<'TOML'
[checks.negative_data_rejection]
expected-statuses = [400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 428, 429]
TOML
{ printf 'parameters = { "path.sha256" = "%s" }\n' "$photo"; cat "$work/contract.toml"; } >"$work/held-photo.toml"

echo "contract: schemathesis against $base (seed $SEED, $EXAMPLES examples per operation)"
start=$(date +%s)
status=0
# One worker: Python 3.11's ast.parse, which Hypothesis calls to describe strategies, fails now and then
# when two threads call it at once ("AST constructor recursion depth mismatch"). Run from the temporary
# folder so schemathesis's cache (.schemathesis/) stays out of the repository.
run() {
  (cd "$work" && "$SCHEMATHESIS" "$@" run "$base/api/openapi.json" \
    --header "Authorization: Bearer $token" \
    --checks all --exclude-checks positive_data_acceptance \
    --mode all --phases examples,coverage,fuzzing \
    --max-examples "$EXAMPLES" --seed "$SEED" --workers 1 --generation-database none \
    --request-timeout 20 --no-color --output-truncate true "${only[@]}") || status=$?
}
# Every operation with generated data; then the photo routes on the photo the hub holds.
only=(); run --config-file "$work/contract.toml"
only=(--include-path-regex '^/api/v1/photos/'); run --config-file "$work/held-photo.toml"
echo "contract: schemathesis took $(( $(date +%s) - start )) s"
if [ "$status" -ne 0 ]; then
  echo "contract: the hub's stderr:" >&2
  tail -n 50 "$work/stderr" >&2
fi
exit "$status"
