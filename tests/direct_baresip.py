"""baresip as a peer reached directly, without a registrar, and our engine's account that
calls it: configuration, certificates, start, stop, what baresip recorded.

Importable as `direct_baresip` (like `helpers`; bench/quality.py puts tests/ on its path).
Used by bench/quality.py (inside network namespaces) and the codec level tests (on
127.0.0.1). Everything here runs on the caller's thread, except `add_direct_account`'s
setup, which it hands to the engine thread.

The peer is baresip 1.0 (Debian's baresip-core, which has the g722, aufile and sndfile
modules): SIP over TLS on its SIP port + 1 (it verifies nothing), auto-answer, SDES-SRTP
mandatory, one codec offered, the WAV sent with `aufile`, what it decodes recorded with
`sndfile` (`recordings/dump-*-dec.wav`). It needs no sound server (`alsa,null` players).
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import socket
import subprocess
import time
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from softphone.tasks.session import EngineSession

MODULES = Path("/usr/lib/baresip/modules")
CODEC_RATE = {"G722": 16000, "PCMU": 8000}


def write_cert(folder: Path, name: str, ip: str) -> tuple[Path, Path]:
    """A throwaway self-signed certificate for `ip`: (certificate + key for baresip,
    certificate alone for the side that pins it)."""
    from softphone.security.certificates import generate_self_signed

    cert, key = generate_self_signed(f"baresip peer {name}", ip_addresses=(ip,), dns_names=())
    both = folder / f"{name}.pem"
    both.write_text(cert + key)
    os.chmod(both, 0o600)
    only = folder / f"{name}.crt"
    only.write_text(cert)
    return both, only


def free_sip_port(ip: str = "127.0.0.1", low: int = 30000, high: int = 40000) -> int:
    """A port p free for baresip's SIP on `ip`: UDP and TCP on p, TCP (TLS) on p + 1.
    Checked by binding; another process may still take it before baresip does."""
    for _ in range(200):
        port = random.randrange(low, high)
        if _free(ip, port, socket.SOCK_DGRAM) and all(
            _free(ip, p, socket.SOCK_STREAM) for p in (port, port + 1)
        ):
            return port
    raise RuntimeError(f"no free SIP port pair on {ip} in {low}-{high}")


def _free(ip: str, port: int, kind: int) -> bool:
    with socket.socket(socket.AF_INET, kind) as s:
        try:
            s.bind((ip, port))
        except OSError:
            return False
    return True


def start(
    folder: Path,
    ip: str,
    user: str,
    codec: str,
    wav: Path,
    cert: Path,
    *,
    sip_port: int = 5060,
    ns: str | None = None,
    dial: str = "",
    trace: bool = False,
) -> subprocess.Popen:
    """baresip as `user` on `ip` (in network namespace `ns` if given), its files in
    `folder`; it calls `dial` once started, if given. TLS listens on `sip_port` + 1.
    `trace`: its SIP trace (`-s`) in its log as it happens (line-buffered)."""
    folder.mkdir(parents=True, exist_ok=True)
    rec = folder / "recordings"
    rec.mkdir(exist_ok=True)
    with wave.open(str(wav)) as w:
        rate = w.getframerate()
    (folder / "config").write_text(
        f"""poll_method epoll
net_interface {ip}
sip_listen {ip}:{sip_port}
sip_certificate {cert}
call_local_timeout 120
audio_player alsa,null
audio_alert alsa,null
audio_source aufile,{wav}
ausrc_srate {rate}
ausrc_channels 1
audio_level no
rtp_ports 20000-29999
rtcp_mux no
jitter_buffer_delay 5-10
rtp_stats yes
module_path {MODULES}
module g711.so
module g722.so
module alsa.so
module aufile.so
module srtp.so
module plc.so
module sndfile.so
snd_path {rec}
module_app account.so
module_app menu.so
statmode_default off
"""
    )
    (folder / "accounts").write_text(
        f"<sip:{user}@{ip};transport=tls>;regint=0;answermode=auto;mediaenc=srtp-mand;"
        f"audio_codecs={codec}/{CODEC_RATE[codec]}/1\n"
    )
    (folder / "contacts").write_text("")
    args = ["baresip", "-f", str(folder)]
    if trace:
        args = ["stdbuf", "-oL", *args, "-s"]
    if ns:
        args = ["ip", "netns", "exec", ns, *args]
    if dial:
        args += ["-e", f"/dial {dial}"]
    with open(folder / "baresip.log", "w") as log:
        return subprocess.Popen(
            args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def recording(folder: Path) -> Path | None:
    """The newest file of what baresip decoded (received), if any."""
    found = sorted((folder / "recordings").glob("dump-*-dec.wav"))
    return found[-1] if found else None


def wait_listening(port: int, ns: str | None = None, timeout: float = 10.0) -> None:
    """Until something listens on TCP `port` (baresip's TLS), in `ns` if given."""
    args = ["ss", "-ltn"]
    if ns:
        args = ["ip", "netns", "exec", ns, *args]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if f":{port} " in subprocess.run(args, capture_output=True, text=True).stdout:
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on TLS port {port}" + (f" in {ns}" if ns else ""))


@contextlib.contextmanager
def local_peer(tmp_path: Path, codec: str, wav: Path) -> Iterator[tuple[str, Path, Path]]:
    """For tests: baresip as bob on 127.0.0.1 offering `codec` only and playing `wav`:
    (its URI, its folder, its certificate). Skipped without baresip and the codec's
    module (failed where the test bed is required: CI installs them)."""
    module = MODULES / ("g722.so" if codec == "G722" else "g711.so")
    if shutil.which("baresip") is None or not module.exists():
        import pytest

        message = f"baresip with its {module.stem} module (Debian: baresip-core) is not installed"
        if os.environ.get("SOFTPHONE_REQUIRE_TESTBED") == "1":
            pytest.fail(message)
        pytest.skip(message)
    pem, crt = write_cert(tmp_path, "bob", "127.0.0.1")
    port = free_sip_port()
    folder = tmp_path / "bob"
    proc = start(folder, "127.0.0.1", "bob", codec, wav, pem, sip_port=port)
    try:
        wait_listening(port + 1)
        yield f"sip:bob@127.0.0.1:{port + 1};transport=tls", folder, crt
    finally:
        stop(proc)


def add_direct_account(
    session: EngineSession,
    account_id: str,
    codec: str,
    *,
    ip: str,
    peer_ip: str,
    peer_cert: Path,
    port: int = 0,
) -> str:
    """An account of our engine on its own TLS listener on `ip`:`port` (0: any), which
    trusts only `peer_cert` (baresip's), offers only `codec` with SDES-SRTP mandatory and
    registers nowhere. Its SIP domain is `peer_ip`: the dial policy allows calls there
    only. Returns its AOR. Blocks until the engine thread has made it."""
    from dataclasses import replace

    from softphone.config.profile import MediaSettings, SipProfile, TlsSettings
    from softphone.engine.pjconfig import tls_transport_config
    from softphone.security.certificates import generate_self_signed
    from softphone.security.secret import Secret

    cert, key = generate_self_signed(f"softphone {account_id}", ip_addresses=(ip,), dns_names=())
    profile = SipProfile(
        name=f"direct {account_id}",
        path=None,
        domain=peer_ip,
        server=peer_ip,
        register=False,
        media=MediaSettings(srtp="mandatory", keying=("sdes",), codecs=(codec,)),
    )

    def setup() -> str:  # engine thread
        accounts = session.engine.accounts
        tc = tls_transport_config(
            TlsSettings(verify_server=True, min_version="1.2"),
            ca_pem=peer_cert.read_text(),  # the only trust anchor
            cert_pem=cert,
            key_pem=Secret(key),
            bound_address=ip,
            port=port,
        )
        tid = accounts.create_listener(tc)
        bound = int(accounts.transport_port(tid))
        aor = f"sip:alice@{ip}:{bound}"
        accounts.add_local(account_id, replace(profile, port=bound), aor, tid, media_address=ip)
        return aor

    return session.engine.run(setup).result(10)
