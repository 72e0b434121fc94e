"""Translating a SipProfile into pjsua2 configuration objects.

Engine thread only (pjsua2 objects). Every security default is set here
explicitly rather than trusting pjsua2's defaults.
"""

from __future__ import annotations

import pjsua2 as pj

from softphone.config.profile import SipProfile, TlsSettings
from softphone.security.secret import Secret

_TCP_NODELAY = (6, 1)  # IPPROTO_TCP, TCP_NODELAY
_SRTP_USE = {
    "mandatory": pj.PJMEDIA_SRTP_MANDATORY,
    "optional": pj.PJMEDIA_SRTP_OPTIONAL,
    "disabled": pj.PJMEDIA_SRTP_DISABLED,
}
_KEYING = {"sdes": pj.PJMEDIA_SRTP_KEYING_SDES, "dtls": pj.PJMEDIA_SRTP_KEYING_DTLS_SRTP}


def _nodelay_sockopts() -> pj.SockOptVector:
    # Nagle adds ~40 ms per hop to call setup over TLS. Assigning SockOpt.optVal
    # from Python is silently ignored: setOptValInt() is the call that works.
    opt = pj.SockOpt()
    opt.level, opt.optName = _TCP_NODELAY
    opt.setOptValInt(1)
    opts = pj.SockOptVector()
    opts.append(opt)
    return opts


def tls_protocols(min_version: str) -> int:
    if min_version == "1.3":
        return pj.PJ_SSL_SOCK_PROTO_TLS1_3
    return pj.PJ_SSL_SOCK_PROTO_TLS1_2 | pj.PJ_SSL_SOCK_PROTO_TLS1_3


def tls_transport_config(
    tls: TlsSettings,
    *,
    ca_pem: str | None = None,
    cert_pem: str | None = None,
    key_pem: Secret | None = None,
    bound_address: str = "",
    port: int = 0,
) -> pj.TransportConfig:
    """A TLS transport; verification of the server (and its name) is on unless the profile says."""
    tc = pj.TransportConfig()
    tc.port = port
    if bound_address:
        tc.boundAddress = bound_address
    t = tc.tlsConfig
    t.verifyServer = tls.verify_server
    t.proto = tls_protocols(tls.min_version)
    if ca_pem:
        t.CaBuf = ca_pem
    elif tls.ca_file:
        t.CaListFile = str(tls.ca_file)
    # else: pjsip uses OpenSSL's default verify paths (the system store)
    if cert_pem and key_pem:
        t.certBuf = cert_pem
        t.privKeyBuf = key_pem.reveal()
    elif tls.client_cert and tls.client_key:
        t.certFile = str(tls.client_cert)
        t.privKeyFile = str(tls.client_key)
    t.sockOptParams.sockOpts = _nodelay_sockopts()
    tc.sockOptParams.sockOpts = _nodelay_sockopts()
    return tc


def plain_transport_config(port: int = 0, bound_address: str = "") -> pj.TransportConfig:
    tc = pj.TransportConfig()
    tc.port = port
    if bound_address:
        tc.boundAddress = bound_address
    return tc


def media_srtp(mc: pj.AccountMediaConfig, srtp: str, keyings: tuple[str, ...]) -> None:
    mc.srtpUse = _SRTP_USE[srtp]
    # SDES keys in SDP are only as private as the signalling that carries them.
    mc.srtpSecureSignaling = 1 if srtp == "mandatory" else 0
    mc.srtpOpt.keyings.clear()
    for k in keyings:
        mc.srtpOpt.keyings.append(_KEYING[k])


def account_config(
    profile: SipProfile,
    username: str,
    password: Secret | None,
    transport_id: int,
    keyings: tuple[str, ...],
    register: bool,
) -> pj.AccountConfig:
    ac = pj.AccountConfig()
    ac.idUri = profile.aor(username)
    if profile.display_name:
        ac.idUri = f'"{profile.display_name}" <{ac.idUri}>'
    ac.regConfig.registrarUri = profile.registrar_uri if register else ""
    ac.regConfig.registerOnAdd = register
    ac.regConfig.timeoutSec = profile.registration_expiry
    ac.regConfig.retryIntervalSec = 30
    ac.regConfig.firstRetryIntervalSec = 5
    ac.regConfig.dropCallsOnFail = False  # a network blip must not cut a consultation
    for proxy in profile.proxy_uris:
        ac.sipConfig.proxies.append(proxy)
    if password:
        ac.sipConfig.authCreds.append(
            pj.AuthCredInfo("digest", "*", username, 0, password.reveal())
        )
    ac.sipConfig.transportId = transport_id
    media_srtp(ac.mediaConfig, profile.media.srtp, keyings)
    ac.mediaConfig.rtcpMuxEnabled = False
    # pjsua re-INVITEs after every call whose answer lists several codecs, to
    # "lock" one: a needless round trip, and a needless re-offer to police.
    ac.mediaConfig.lockCodecEnabled = False
    _nat(ac.natConfig, profile)
    ac.callConfig.timerUse = pj.PJSUA_SIP_TIMER_OPTIONAL
    return ac


def _nat(nc: pj.AccountNatConfig, profile: SipProfile) -> None:
    nat = profile.nat
    # SIP outbound (RFC 5626) is on by default in pjsua: it sends a stable
    # +sip.instance id derived from this machine to every registrar, and the
    # extra headers only help registrars that implement outbound. The TLS
    # connection is kept open for incoming calls either way.
    nc.sipOutboundUse = 0
    nc.iceEnabled = nat.ice
    # TURN: refused before this (Accounts.add), so pjsua's stays off
    if not nat.stun_servers:
        nc.sipStunUse = pj.PJSUA_STUN_USE_DISABLED
        nc.mediaStunUse = pj.PJSUA_STUN_USE_DISABLED


def loopback_account_config(
    aor: str, transport_id: int, srtp: str, keyings: tuple[str, ...]
) -> pj.AccountConfig:
    """A local account (no registrar) bound to one transport."""
    ac = pj.AccountConfig()
    ac.idUri = aor
    ac.sipConfig.transportId = transport_id
    media_srtp(ac.mediaConfig, srtp, keyings)
    ac.mediaConfig.rtcpMuxEnabled = False
    ac.mediaConfig.lockCodecEnabled = False
    return ac


# pjmedia_jb_discard_algo (pjmedia/jbuf.h)
JB_DISCARD = {"none": 0, "static": 1, "progressive": 2}


def set_jb_discard(med: pj.MediaConfig, algo: int) -> bool:
    """Set pjsua's jitter-buffer discard algorithm; whether it took.

    pjsua2's wheel wraps `MediaConfig.jbDiscardAlgo` as an opaque SWIG pointer (no
    typemap for the enum): reading it gives a pointer to a new copy, assigning a
    pointer copies the value it points to. The copy is written through ctypes, then
    read back. Each copy is disowned: SWIG has no destructor for it and would warn
    when Python frees the wrapper (four bytes each, once per engine start)."""
    import ctypes

    copy = med.jbDiscardAlgo
    copy.disown()
    ctypes.c_int.from_address(int(copy)).value = algo
    med.jbDiscardAlgo = copy
    check = med.jbDiscardAlgo
    check.disown()
    return ctypes.c_int.from_address(int(check)).value == algo
