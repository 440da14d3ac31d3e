#!/bin/sh
# Add (or update) one carrier's hosted SFTP drop: add-carrier.sh <carrier> <public-key-file>
# Idempotent. Run as root on the SFTP host, with deploy/sftp/sshd_config installed.
set -eu
carrier="$1"
key="$2"
inbox="${GATEWAY_INBOX_DIR:-/srv/gateway/inbox}"
keys="${SFTP_CARRIER_KEYS:-/etc/ssh/carrier_keys}"
case "$carrier" in
  *[!a-z0-9-]* | "" | -*) echo "carrier name: lower-case letters, digits and '-'" >&2; exit 2 ;;
esac
getent group sftp-carriers >/dev/null || groupadd --system sftp-carriers
getent group gateway >/dev/null || groupadd --system gateway
if ! id -u "$carrier" >/dev/null 2>&1; then
  useradd --system --gid sftp-carriers --home-dir /nonexistent --no-create-home \
    --shell /usr/sbin/nologin "$carrier"
fi
usermod -p '*' "$carrier"  # no password, but not locked (sshd refuses locked accounts)
install -d -o root -g gateway -m 0751 "$inbox"
install -d -o "$carrier" -g gateway -m 2770 "$inbox/$carrier"
install -d -o root -g root -m 0755 "$keys"
install -o root -g root -m 0644 "$key" "$keys/$carrier"
echo "carrier $carrier: drop folder $inbox/$carrier (profile: transport kind folder, account $carrier)"
