#!/usr/bin/env bash
# Starts Grid Patrol for a newcomer: a local hub with the SAMPLE registry, sample users and four
# weeks of SAMPLE activity (示例数据: `gridpatrol-hub sample`) on 127.0.0.1:8787, and the desktop
# app on the sample registry, signed in to that hub as the sample officer 李明 and synced. Data
# lives under target/demo/ (app/ and hub/); safe to run again (rm -rf target/demo starts afresh,
# with the sample weeks ending in the current week). Closing the window stops the hub too (if this
# run started it). Without a display (a server, CI), the window opens under Xvfb.
#
#   scripts/start.sh          the officer 李明's app (and the hub)
#   scripts/start.sh --lead   the team lead 王建国's app on its own data folder (target/demo/lead),
#                             next to the officer's: run it from a second terminal
set -euo pipefail
ROLE=officer
[ "${1:-}" = "--lead" ] && ROLE=lead
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "== building the UI and the programs (the first build takes several minutes)"
npm --prefix ui run build --silent
cargo build --quiet -p gridpatrol-desktop -p gridpatrol-cli -p gridpatrol-hub
BIN="$PWD/target/debug"
if [ "$ROLE" = lead ]; then
  APP_DATA="$PWD/target/demo/lead"; HUB_USER=王建国; HUB_PASSWORD=lead-sample
else
  APP_DATA="${GRIDPATROL_DATA_DIR:-$PWD/target/demo/app}"; HUB_USER=李明; HUB_PASSWORD=officer-sample
fi
HUB_DATA="$PWD/target/demo/hub"
# The demo stores' passphrase, used only where no OS keyring answers (a server, CI, this machine):
# the stores are encrypted either way (README, "Security notes"). Set your own to override it.
export GRIDPATROL_PASSPHRASE="${GRIDPATROL_PASSPHRASE:-demo-passphrase 示例口令}"
HUB_URL="http://127.0.0.1:8787"

if curl -fsS "$HUB_URL/api/health" >/dev/null 2>&1; then
  echo "== a hub already answers on $HUB_URL; using it"
  HUB_PID=""
else
  if [ ! -f "$HUB_DATA/hub.db" ]; then
    "$BIN/gridpatrol-hub" --data-dir "$HUB_DATA" init --sample
    echo "== writing four weeks of SAMPLE activity into the hub (about 20 s)"
    "$BIN/gridpatrol-hub" --data-dir "$HUB_DATA" sample
  fi
  "$BIN/gridpatrol-hub" --data-dir "$HUB_DATA" serve --listen 127.0.0.1:8787 > "$PWD/target/demo/hub.log" 2>&1 &
  HUB_PID=$!
  trap '[ -n "$HUB_PID" ] && kill "$HUB_PID" 2>/dev/null' EXIT
  for _ in $(seq 100); do curl -fsS "$HUB_URL/api/health" >/dev/null 2>&1 && break; sleep 0.1; done
fi

"$BIN/gridpatrol" --data-dir "$APP_DATA" init --sample
if [ ! -f "$APP_DATA/.demo-signed-in" ]; then
  echo "$HUB_PASSWORD" | "$BIN/gridpatrol" --data-dir "$APP_DATA" login --hub "$HUB_URL" --user "$HUB_USER" --password-stdin
  # The first pull before the window opens, so it opens on the sample city (the app syncs by itself after).
  "$BIN/gridpatrol" --data-dir "$APP_DATA" sync
  touch "$APP_DATA/.demo-signed-in"
fi

cat <<TXT

网格巡查 Grid Patrol: the app opens on the SAMPLE city (示例数据), signed in to the local hub as $HUB_USER ($ROLE).
  - Four weeks of made-up activity: patrols on Wednesdays and Saturdays, findings in every state of the loop,
    units at work, deferrals, overdue cases, weekly logs submitted, approved and one returned with a comment.
  - Today: start a patrol, see your grids and the sync status; the map, record a finding (Ctrl+Enter saves),
    the findings list with search, your patrols by week, 周巡查日志 (weekly logs: submit a week for review);
    English with the button at the top right.
  - The team lead's app, next to it: scripts/start.sh --lead (from a second terminal) signs in as 王建国:
    Today's queue (待受理, 待派遣, 待核查, 延期申请, 退回的案件, 待审核日志, 超期), the review queue of submitted
    logs (A approves, R returns with a comment), 看板 (the dashboard), and the moves a lead makes on findings.
    Changes travel through the hub by themselves, or press 立即同步.
  Hub log: target/demo/hub.log. Sample hub passwords: see README.md.
TXT

if [ -n "${DISPLAY:-}" ]; then
  "$BIN/gridpatrol-desktop" --data-dir "$APP_DATA"
else
  echo "(no DISPLAY: running the window under Xvfb)"
  xvfb-run -a -s "-screen 0 1366x768x24" "$BIN/gridpatrol-desktop" --data-dir "$APP_DATA"
fi
