"""The hosted SFTP drop as a user deploys it: deploy/sftp/sshd_config and add-carrier.sh, run
for real (a real sshd, a real system user, a real chroot), with the gateway's folder adapter
watching the carrier's drop folder.

sshd insists that every component of a ChrootDirectory is root-owned and not writable by
others, so the chroot lives under /var/lib (not /tmp) and is removed afterwards; the test user
and groups (`gwtest-acme`, `sftp-carriers`, `gateway`) are created once and reused.
"""

from __future__ import annotations

import dataclasses
import io
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import paramiko
import pytest

from gateway.adapters.sftp import pinned_key
from gateway.service import Gateway
from gateway.store import MessageStatus
from tests.conftest import REPO
from tests.integration.gateway_env import demo_214, make_home
from tests.peers.sshd import Sshd, free_port, keygen, launch, sshd_available

pytestmark = pytest.mark.integration

CARRIER = "gwtest-acme"
DEPLOY = REPO / "deploy" / "sftp"


@dataclasses.dataclass
class Drop:
    server: Sshd
    inbox: Path
    carrier_key: Path


@pytest.fixture(scope="module")
def hosted_drop() -> Iterator[Drop]:
    if not sshd_available() or shutil.which("useradd") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("sshd, useradd and root are required under CI (.ci/run installs sshd)")
        pytest.skip("OpenSSH sshd / useradd not available or not root")
    parent = Path("/var/lib/gateway-sftp-tests")
    parent.mkdir(mode=0o755, exist_ok=True)
    base = parent / uuid.uuid4().hex[:12]
    base.mkdir(mode=0o755)
    try:
        inbox, keys = base / "inbox", base / "carrier_keys"
        carrier_public = keygen(base / "carrier_key")
        subprocess.run(
            [str(DEPLOY / "add-carrier.sh"), CARRIER, str(base / "carrier_key.pub")],
            env={**os.environ, "GATEWAY_INBOX_DIR": str(inbox), "SFTP_CARRIER_KEYS": str(keys)},
            check=True,
            capture_output=True,
        )
        assert (keys / CARRIER).read_text().split()[:2] == carrier_public.split()
        host_key = keygen(base / "host_key")
        port = free_port()
        config = (DEPLOY / "sshd_config").read_text()
        replacements = {
            "Port 22": f"Port {port}\nListenAddress 127.0.0.1\nPidFile {base / 'sshd.pid'}",
            "HostKey /etc/ssh/ssh_host_ed25519_key": f"HostKey {base / 'host_key'}",
            "/srv/gateway/inbox": str(inbox),
            "/etc/ssh/carrier_keys": str(keys),
        }
        for shipped, local in replacements.items():
            assert shipped in config, f"deploy/sftp/sshd_config no longer has {shipped!r}"
            config = config.replace(shipped, local)
        (base / "sshd_config").write_text(config)
        server = launch(base, base / "sshd_config", port, host_key, base / "carrier_key")
        try:
            yield Drop(server, inbox, base / "carrier_key")
        finally:
            server.stop()
    finally:
        shutil.rmtree(base, ignore_errors=True)


def carrier_session(drop: Drop) -> tuple[paramiko.SSHClient, paramiko.SFTPClient]:
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    key = pinned_key(drop.server.host_key)
    client.get_host_keys().add(f"[127.0.0.1]:{drop.server.port}", key.get_name(), key)
    client.connect(
        "127.0.0.1",
        port=drop.server.port,
        username=CARRIER,
        key_filename=str(drop.carrier_key),
        allow_agent=False,
        look_for_keys=False,
        timeout=10,
    )
    return client, client.open_sftp()


def test_carrier_pushes_into_its_drop_and_the_folder_adapter_takes_it(
    hosted_drop: Drop, tmp_path: Path
) -> None:
    settings = make_home(tmp_path)
    settings = dataclasses.replace(settings, inbox_dir=hosted_drop.inbox)
    profile = settings.partners_dir / "demo-carrier.yaml"
    text = profile.read_text()
    assert "  inbound_dir: inbox/demo-carrier\n" in text
    profile.write_text(
        text.replace(
            "  inbound_dir: inbox/demo-carrier\n",
            f"  account: {CARRIER}\n  inbound_dir: inbox/{CARRIER}\n",
        )
    )
    client, sftp = carrier_session(hosted_drop)
    try:
        assert sftp.normalize(".") == f"/{CARRIER}"  # starts in its own folder
        data = demo_214("000000611")
        # the well-behaved upload: temp name, then rename (the gateway never takes .part)
        sftp.putfo(io.BytesIO(data), "214.edi.part", confirm=True)
        sftp.rename("214.edi.part", "214.edi")
    finally:
        sftp.close()
        client.close()
    dropped = hosted_drop.inbox / CARRIER / "214.edi"
    assert dropped.read_bytes() == data
    assert dropped.stat().st_mode & 0o777 == 0o640  # -u 0027: the gateway's group reads it
    gw = Gateway(settings)
    try:
        gw.tick()
        gw.tick()
        (message,) = gw.store.list_messages()
        assert message.partner_id == "demo-carrier" and message.channel == "folder"
        assert message.status is MessageStatus.PARSED
        assert not dropped.exists()
    finally:
        gw.source.close()
        gw.store.close()


def test_the_carrier_is_jailed_to_its_folder(hosted_drop: Drop) -> None:
    other = hosted_drop.inbox / "gwtest-other"
    other.mkdir(mode=0o2770, exist_ok=True)
    (other / "theirs.edi").write_bytes(b"not yours")
    client, sftp = carrier_session(hosted_drop)
    try:
        with pytest.raises(PermissionError):
            sftp.listdir("/")  # the chroot root: pass through only
        with pytest.raises(PermissionError):
            sftp.listdir("/gwtest-other")  # another carrier's drop
        with pytest.raises(FileNotFoundError):
            sftp.stat("/etc/passwd")  # the host's files are outside the jail
        with pytest.raises(OSError):
            sftp.symlink("/gwtest-other/theirs.edi", "link.edi")  # denied request
        with pytest.raises(OSError):
            sftp.mkdir("sub")  # the drop stays flat
        _, stdout, _ = client.exec_command("cat /etc/passwd", timeout=10)
        assert b"root:" not in stdout.read()  # ForceCommand: no shell, only sftp
    finally:
        sftp.close()
        client.close()
    assert not (hosted_drop.inbox / CARRIER / "link.edi").exists()


def test_a_wrong_key_or_root_gets_nothing(hosted_drop: Drop, tmp_path: Path) -> None:
    stranger = tmp_path / "stranger"
    keygen(stranger)
    for user, key in ((CARRIER, stranger), ("root", hosted_drop.carrier_key)):
        client = paramiko.SSHClient()
        client.set_missing_host_key_policy(paramiko.RejectPolicy())
        pinned = pinned_key(hosted_drop.server.host_key)
        client.get_host_keys().add(
            f"[127.0.0.1]:{hosted_drop.server.port}", pinned.get_name(), pinned
        )
        with pytest.raises(paramiko.AuthenticationException):
            client.connect(
                "127.0.0.1",
                port=hosted_drop.server.port,
                username=user,
                key_filename=str(key),
                allow_agent=False,
                look_for_keys=False,
                timeout=10,
            )
        client.close()
