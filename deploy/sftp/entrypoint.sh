#!/bin/sh
# Start the SFTP drop: a host key that survives restarts (volume /etc/ssh/hostkeys), one carrier
# account per /etc/gateway/carrier-keys/<carrier>.pub (add-carrier.sh), then sshd in the
# foreground with its log on stderr.
set -eu
if [ ! -f /etc/ssh/hostkeys/ssh_host_ed25519_key ]; then
  ssh-keygen -q -t ed25519 -N '' -f /etc/ssh/hostkeys/ssh_host_ed25519_key
fi
install -m 0600 /etc/ssh/hostkeys/ssh_host_ed25519_key /etc/ssh/ssh_host_ed25519_key
install -m 0644 /etc/ssh/hostkeys/ssh_host_ed25519_key.pub /etc/ssh/ssh_host_ed25519_key.pub
for key in /etc/gateway/carrier-keys/*.pub; do
  [ -e "$key" ] || continue
  add-carrier.sh "$(basename "$key" .pub)" "$key"
done
/usr/sbin/sshd -t
exec /usr/sbin/sshd -D -e
