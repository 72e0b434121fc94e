"""End-to-end calls on the engine thread: choosing, building, checking and ending them.

Engine thread only, like `calls` (which owns the call registry and calls in here at
fixed points). The aiortc side of each call (`softphone.e2e.media.E2eSession`) lives
on the e2e-media loop thread; it is started and stopped with `MediaLoop.submit`, and
reports back through `Engine.post`, so nothing here ever blocks on it.

The media session of a call is one of two kinds, chosen per call:
* pjmedia with SDES-SRTP (`calls`), interoperable, encrypted hop by hop;
* end to end (this module): aiortc's DTLS-SRTP, with the commit-reveal SAS.
Both feed the same conference bridge (`PjE2ePort` here, the call's own stream for
SDES), so sources, recorders, the analyzer and the sound-device bridge work alike.

Outgoing: the offer is prepared on the loop (aiortc gathers its candidates) before
the INVITE is sent; `on_sdp_created` then puts it into pjsua's SDP (wire.merge) with
the commitment. The answer is read from the raw SIP response (`on_invite_response`),
because pjsua2 hands large SDPs to callbacks as "": an answer without our lines is
an SDES call (policy permitting), one with them starts aiortc's ICE and DTLS. Once the
call is confirmed, the nonce is revealed in an in-dialog MESSAGE.

Incoming: an offer with valid end-to-end lines makes the call end to end (policy
permitting). pjsua builds its answer when the 180 goes out; it is kept, and when the
user answers, aiortc's answer is prepared on the loop and the 200 carries pjsua's
SDES line (a=inactive) plus ours (`Call.answer` with an explicit SDP). ICE therefore
starts only once the user answers, however long the phone rings.

Every failure ends the call with a reason (`CallSecurityDidFail`); none falls back to
SDES silently. A failure while building an SDP inside `onCallSdpCreated` would let
pjsua send its own SDP, so that SDP is spoiled (every line a=inactive) and the call
is ended.

The SAS half (reveal, showing the SAS, the users' verdict) is `e2e_verification`,
which this class inherits; the per-call state is `e2e_state.E2eCall`.

pjsua's media state for these calls is not to be trusted (the SDES line is
inactive, the extra slots are unknown to it): what the UI sees comes from aiortc's
transport (`Connected`) instead.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pjsua2 as pj

from softphone.e2e import sas, wire
from softphone.e2e.bridge import AudioBridge
from softphone.engine import events as ev
from softphone.engine.e2e_state import E2eCall, E2eState, colon
from softphone.engine.e2e_verification import REVEAL_TIMEOUT_S, E2eVerification
from softphone.engine.pjobjects import PjE2ePort
from softphone.engine.sdp import plaintext_reason
from softphone.policy.end_to_end import (
    E2eMode,
    PeerE2eFacts,
    call_mode,
    decide_fallback,
    identity_status,
    peer_address,
)

if TYPE_CHECKING:
    from softphone.e2e.identity import DtlsIdentity
    from softphone.e2e.loop import MediaLoop
    from softphone.e2e.media import Connected, E2eSession
    from softphone.engine.accounts import AccountEntry
    from softphone.engine.calls import CallEntry, Calls
    from softphone.engine.engine import Engine

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 15.0  # answer seen -> DTLS connected


def plaintext_ok(entry: CallEntry) -> bool:
    return entry.account.profile.media.allows_plaintext


_MIRROR = {"sendrecv": "sendrecv", "sendonly": "recvonly", "recvonly": "sendonly"}


def _direction(local_hold: bool, offer: wire.PeerE2e | None) -> str:
    """The direction of our end-to-end lines in a re-offer (`offer` None) or in the
    answer to the peer's re-offer. pjsua's SDES line says nothing here: it stays
    inactive on these calls."""
    if offer is None:
        return "sendonly" if local_hold else "sendrecv"
    answer = _MIRROR.get(offer.direction, "inactive")
    if local_hold:
        answer = {"sendrecv": "sendonly", "recvonly": "inactive"}.get(answer, answer)
    return answer


def _spoil(text: str) -> str:
    """An SDP nobody can start media with: every section a=inactive (best effort)."""
    try:
        sdp = wire.Sdp.parse(text)
        sdp.sections = [wire.with_direction(s, "inactive") for s in sdp.sections]
        return sdp.text()
    except Exception:
        return text


class E2eCalls(E2eVerification):
    def __init__(self, engine: Engine, calls: Calls) -> None:
        self._engine = engine
        self._calls = calls
        self._loop: MediaLoop | None = None
        self._identities: dict[str, DtlsIdentity] = {}
        self._warm_after_registration: list[AccountEntry] = []
        self._unavailable: str | None = None
        self._checked = False
        self._closing: list = []  # futures of sessions being closed

    # -- capability ----------------------------------------------------------------

    def unavailable_reason(self) -> str | None:
        """Why end-to-end calls cannot be made here (aiortc missing), or None."""
        if not self._checked:
            self._checked = True
            missing = [m for m in ("aiortc", "av") if importlib.util.find_spec(m) is None]
            if missing:
                self._unavailable = f"{' and '.join(missing)} not installed"
        return self._unavailable

    def warm_up(self, account: AccountEntry) -> None:
        """Start the media loop and import aiortc on it (about half a second, once), so
        the first end-to-end call does not wait for it on the engine thread.

        Not while the account registers: making its identity and importing aiortc take
        the GIL from the engine thread, which then answered the registrar's challenge
        late (registration measured 5-60 ms instead of ~1 ms). `warm_up_registered()`
        does it once the first registration outcome is in.
        """
        if account.state == ev.RegistrationState.REGISTERING:
            self._warm_after_registration.append(account)
        else:
            self._warm_up_now(account)

    def warm_up_registered(self) -> None:
        """Engine loop turn: warm up for the accounts whose registration has settled."""
        waiting = self._warm_after_registration
        if not waiting:
            return
        alive = set(self._engine.accounts.ids())  # one removed while registering: forget it
        waiting = [a for a in waiting if a.account_id in alive]
        settled = [a for a in waiting if a.state != ev.RegistrationState.REGISTERING]
        self._warm_after_registration = [a for a in waiting if a not in settled]
        for account in settled:
            self._warm_up_now(account)

    def _warm_up_now(self, account: AccountEntry) -> None:
        if account.profile.media.end_to_end == "off" or self.unavailable_reason() is not None:
            return
        identity = self.identity_for(account)

        async def warm() -> None:
            # softphone.e2e.media first: a call placed meanwhile imports it on the
            # engine thread and waits on its module lock until aiortc is fully loaded
            # here; importing part of aiortc first would let both threads import
            # aiortc's circular modules at once ("partially initialized module").
            import softphone.e2e.media  # noqa: F401
            from softphone import long_lived

            long_lived.freeze()  # aiortc, av and their codecs: tens of thousands of objects

            dtls = importlib.import_module("aiortc.rtcdtlstransport")  # loaded by now
            certificate = identity.rtc_certificate()
            # The first DTLS context of a process costs a few ms more than the next
            # (OpenSSL's one-time set-up): pay it here, not in the first handshake.
            # A private method: if aiortc drops it, only this warm-up is lost.
            with contextlib.suppress(AttributeError):
                profiles = dtls.SRTP_PROFILES
                certificate._create_ssl_context(srtp_profiles=profiles)

        self._media_loop().submit(warm())

    def _media_loop(self) -> MediaLoop:
        if self._loop is None:
            from softphone.e2e.loop import MediaLoop

            loop = MediaLoop()
            loop.start()
            self._loop = loop
        return self._loop

    def identity_for(self, account: AccountEntry) -> DtlsIdentity:
        given = getattr(account, "e2e_identity", None)
        if given is not None:
            return given
        if account.account_id not in self._identities:
            from softphone.e2e.identity import generate_identity

            # Without a stored identity, one for this run: calls are still end to end
            # and verifiable by SAS, but the next run presents another certificate.
            self._identities[account.account_id] = generate_identity()
        return self._identities[account.account_id]

    # -- choosing ------------------------------------------------------------------

    def plan(self, account: AccountEntry, remote_uri: str) -> tuple[E2eMode, PeerE2eFacts, str]:
        address = peer_address(remote_uri)
        facts = self._engine.gate.e2e_peer(address)
        return call_mode(account.profile.media.end_to_end, facts), facts, address

    def _new_call(self, entry: CallEntry, role: str, mode, facts, address) -> E2eCall:
        from softphone.engine.calls import CLOCK_RATE

        return E2eCall(
            role=role,
            mode=mode,
            facts=facts,
            peer=address,
            bridge=AudioBridge(CLOCK_RATE),
            identity=self.identity_for(entry.account),
        )

    def _new_session(self, entry: CallEntry, e: E2eCall) -> E2eSession:
        from softphone.e2e.media import E2eSession, PatternSource, SessionConfig

        profile = entry.account.profile
        config = SessionConfig(
            audio_codecs=profile.media.e2e_codecs,
            video=profile.media.e2e_video,
            host_addresses=profile.nat.media_addresses,
            stun_servers=profile.nat.stun_servers,
        )
        factory = self._engine.video_source or PatternSource
        source = factory() if profile.media.e2e_video else None
        call_id = entry.call_id
        # Every session gets one: a peer may send video to a call that offered none
        # (aiortc answers an offered video line sendrecv), and a slot nobody reads
        # costs nothing (media.video_slot).
        remote_video = self._engine.video_slots.open(call_id)

        def notify(kind: str, value: Any) -> None:  # e2e-media loop thread
            self._engine.post(lambda: self._on_session_event(call_id, session, kind, value))

        session = E2eSession(
            e.identity, config, e.bridge, notify, video_source=source, remote_video=remote_video
        )
        e.session = session
        return session

    def _submit(self, entry: CallEntry, coro, done: Callable[[Any], None]) -> None:
        """Run `coro` on the media loop; `done(result)` runs on the engine thread, and a
        failure ends the call."""
        call_id = entry.call_id

        def finished(future) -> None:  # e2e-media loop thread
            self._engine.post(lambda: self._after(call_id, future, done))

        self._media_loop().submit(coro).add_done_callback(finished)

    def _after(self, call_id: str, future, done: Callable[[Any], None]) -> None:
        entry = self._calls.find(call_id)
        if entry is None or entry.ended or entry.e2e is None:
            return
        if future.cancelled():
            self._fail(entry, "end-to-end media could not be set up: cancelled")
            return
        # exception(), not result(): raised here, the error's traceback would take in this
        # frame, whose `future` holds the error - a reference cycle (with the call's
        # entry) left to a collection on any thread.
        error = future.exception()
        if error is not None:
            self._fail(
                entry, f"end-to-end media could not be set up: {type(error).__name__}: {error}"
            )
            return
        done(future.result())

    # -- outgoing ------------------------------------------------------------------

    def start_outgoing(self, entry: CallEntry, dial: Callable[[], None]) -> None:
        """Dial now (SDES only) or after the end-to-end offer is ready."""
        mode, facts, address = self.plan(entry.account, entry.remote_uri)
        if mode is E2eMode.OFF:
            dial()
            return
        missing = self.unavailable_reason()
        if missing:
            decision = decide_fallback(
                mode, f"this installation cannot make end-to-end calls: {missing}"
            )
            if not decision.allowed:
                self._calls.end_unsent(
                    entry, decision.reason, security=True, cause=ev.EndCause.E2E_REQUIRED
                )
                return
            dial()
            return
        e = self._new_call(entry, "offerer", mode, facts, address)
        entry.e2e = e
        session = self._new_session(entry, e)
        self._submit(entry, session.create_offer(), lambda sdp: self._offer_ready(entry, sdp, dial))

    def _offer_ready(self, entry: CallEntry, aiortc_sdp: str, dial: Callable[[], None]) -> None:
        e = entry.e2e
        e.offerer = sas.Offerer(e.identity.fingerprint)
        e.sections = wire.local_sections(aiortc_sdp, commit=e.offerer.commit_attribute)
        e.slots = tuple(range(1, 1 + len(e.sections)))
        e.state = E2eState.OFFERED
        dial()

    def cancel_unsent(self, entry: CallEntry) -> bool:
        """Hang-up before the INVITE went out: end the call here."""
        e = entry.e2e
        if e is None or e.state is not E2eState.PREPARING:
            return False
        self._calls.end_unsent(
            entry, "hung up before the call was placed", cause=ev.EndCause.CANCELLED_UNSENT
        )
        return True

    def on_invite_response(self, entry: CallEntry, message: str) -> None:
        """A response to our INVITE or re-INVITE carrying an SDP (raw SIP text)."""
        e = entry.e2e
        if e is None or e.state in (E2eState.SDES, E2eState.ENDED):
            return
        from softphone.engine.sdp import sdp_from_sip_message

        try:
            remote = wire.peer_e2e(sdp_from_sip_message(message))
        except wire.WireError as err:
            self._fail(entry, f"the peer's end-to-end answer is malformed: {err}")
            return
        if e.state is E2eState.OFFERED:
            self._on_first_answer(entry, e, remote)
        elif remote is None or not remote.accepted:
            self._fail(entry, "a re-INVITE answer dropped the end-to-end media")
        else:
            self._check_same_peer(entry, e, remote)

    def _on_first_answer(self, entry: CallEntry, e: E2eCall, remote: wire.PeerE2e | None) -> None:
        if remote is None or not remote.accepted:
            self._fall_back(entry, e, "the peer answered without end-to-end encryption")
            return
        if remote.nonce is None:
            self._fail(entry, "the peer's end-to-end answer carries no nonce (x-e2e-nonce)")
            return
        try:
            e.sas = e.offerer.on_answer(remote.nonce, remote.fingerprint)
        except sas.SasError as err:
            self._fail(entry, f"the peer's end-to-end answer is malformed: {err}")
            return
        e.remote = remote
        e.state = E2eState.NEGOTIATED
        e.deadline = time.monotonic() + CONNECT_TIMEOUT_S
        self._submit(
            entry,
            e.session.accept_answer(remote.aiortc_sdp, remote.fingerprint),
            lambda _none: None,
        )
        self._maybe_reveal(entry)
        self._attach_audio(entry, e)

    def _fall_back(self, entry: CallEntry, e: E2eCall, why: str) -> None:
        decision = decide_fallback(e.mode, why)
        if not decision.allowed:
            self._fail(entry, decision.reason, ev.EndCause.E2E_REQUIRED)
            return
        log.info("call %s: %s", entry.call_id, decision.reason)
        e.state = E2eState.SDES
        self._close_session(e)
        if e.media_deferred:
            e.media_deferred = False
            self._calls.on_call_media_state(entry.call_id)

    def transfer_refusal(self, entry: CallEntry, target: str):
        """A Decision refusing a transfer (REFER) whose call would have to be end to end."""
        mode, _facts, _address = self.plan(entry.account, target)
        decision = decide_fallback(mode, "a call we are asked to transfer to is placed as SDES")
        return None if decision.allowed else decision

    # -- incoming ------------------------------------------------------------------

    def on_incoming(self, entry: CallEntry, offer: str) -> tuple[str, ev.EndCause] | None:
        """Decide an incoming call's kind from its offer; returns a refusal reason and
        its code."""
        refusal = self._incoming(entry, offer)
        if refusal is None:
            return None
        if isinstance(refusal, tuple):
            return refusal
        return refusal, ev.EndCause.E2E_SETUP_FAILED

    def _incoming(self, entry: CallEntry, offer: str) -> str | tuple[str, ev.EndCause] | None:
        mode, facts, address = self.plan(entry.account, entry.remote_uri)
        try:
            remote = wire.peer_e2e(offer)
        except wire.WireError as err:
            return f"the caller's end-to-end offer is malformed: {err}"
        offered = remote is not None and remote.accepted
        missing = self.unavailable_reason() if offered and mode is not E2eMode.OFF else None
        if not offered or mode is E2eMode.OFF or missing:
            why = "the caller offers only SDES-SRTP"
            if missing:
                why = f"this installation cannot take end-to-end calls: {missing}"
            decision = decide_fallback(mode, why)
            return None if decision.allowed else (decision.reason, ev.EndCause.E2E_REQUIRED)
        if remote.commit is None:
            return "the caller's end-to-end offer carries no commitment (x-e2e-commit)"
        if 0 in remote.slots:
            return "the caller's end-to-end offer puts its lines where the SDES line must be"
        e = self._new_call(entry, "answerer", mode, facts, address)
        try:
            e.answerer = sas.Answerer.from_offer(
                remote.commit, remote.fingerprint, e.identity.fingerprint
            )
        except sas.SasError as err:
            return f"the caller's end-to-end offer is malformed: {err}"
        e.remote, e.slots, e.state = remote, remote.slots, E2eState.RINGING
        entry.e2e = e
        return None

    def answer(self, entry: CallEntry, code: int, send: Callable[[str | None], None]) -> bool:
        """Answer an end-to-end call (True), once aiortc's answer is ready; False: not ours."""
        e = entry.e2e
        if e is None or e.state is not E2eState.RINGING or code != 200:
            return False
        if e.pjsua_answer is None:
            self._fail(entry, "pjsua built no SDES answer to carry the end-to-end one")
            return True
        e.state = E2eState.ANSWERING
        session = self._new_session(entry, e)
        coro = session.create_answer(e.remote.aiortc_sdp, e.remote.fingerprint)
        self._submit(entry, coro, lambda sdp: self._answer_ready(entry, sdp, send))
        return True

    def _answer_ready(
        self, entry: CallEntry, aiortc_sdp: str, send: Callable[[str | None], None]
    ) -> None:
        e = entry.e2e
        try:
            e.sections = wire.local_sections(aiortc_sdp, nonce=e.answerer.nonce_attribute)
            text = wire.merge(e.pjsua_answer, e.sections, e.slots, inactive_first=True)
            reason = None if plaintext_ok(entry) else plaintext_reason(text)
            if reason:
                raise ValueError(reason)
        except Exception as err:
            self._fail(entry, f"could not build the end-to-end answer: {err}")
            return
        e.state = E2eState.NEGOTIATED
        e.deadline = time.monotonic() + CONNECT_TIMEOUT_S
        send(text)
        self._attach_audio(entry, e)

    # -- SDPs we send --------------------------------------------------------------

    def on_sdp_created(self, entry: CallEntry, prm: pj.OnCallSdpCreatedParam, text: str) -> None:
        """Put our lines into the SDP pjsua is about to send (after the plaintext guard)."""
        e = entry.e2e
        if e is None or e.state in (E2eState.SDES, E2eState.ENDED):
            return
        if e.role == "answerer" and e.state in (E2eState.RINGING, E2eState.ANSWERING):
            e.pjsua_answer = text  # the 180 went out without SDP; the 200 carries ours
            return
        if e.sections is None:
            return
        try:
            first_offer = e.role == "offerer" and e.state is E2eState.OFFERED
            answering, e.reoffer = e.reoffer, None
            direction = _direction(entry.local_hold, answering)
            ours = (
                e.sections
                if first_offer
                else [wire.with_direction(s, direction) for s in e.sections]
            )
            # Only our first offer keeps m-line 0 live (so an ordinary peer can answer
            # it); afterwards it stays inactive, or pjmedia would start SDES media
            # between two apps that already talk end to end.
            merged = wire.merge(text, ours, e.slots, inactive_first=not first_offer)
            # the SDES line must stay as safe as pjsua made it (the plaintext guard
            # judged pjsua's own SDP by the same rule just before)
            reason = None if plaintext_ok(entry) else plaintext_reason(merged)
            if reason:
                raise ValueError(reason)
        except Exception as err:
            prm.sdp.wholeSdp = _spoil(text)
            self._fail(entry, f"could not build the end-to-end SDP: {type(err).__name__}: {err}")
            return
        prm.sdp.wholeSdp = merged

    def check_sent(self, entry: CallEntry, message: str) -> None:
        """The INVITE or 200 as it left: our lines must be in it. pjsua2 keeps its own
        SDP when ours does not parse; that must never pass unnoticed."""
        e = entry.e2e
        if e is None or e.sections is None or e.state in (E2eState.SDES, E2eState.ENDED):
            return
        if "\r\n\r\n" in message and wire.E2E_PROTO not in message:
            self._fail(entry, "pjsua sent its own SDP instead of the end-to-end one")

    # -- re-offers ------------------------------------------------------------------

    def check_reoffer(self, entry: CallEntry, text: str) -> str | None:
        """Why a re-offer on an end-to-end call must be refused (488), or None."""
        e = entry.e2e
        if e is None or not e.owns_media or e.remote is None:
            return None
        try:
            remote = wire.peer_e2e(text)
        except wire.WireError as err:
            return f"re-offer has malformed end-to-end lines: {err}"
        if remote is None or not remote.accepted:
            return "re-offer drops end-to-end encryption"
        problem = self._same_peer_problem(e, remote)
        if problem:
            return problem
        e.remote_hold = remote.direction in ("sendonly", "inactive")
        e.reoffer = remote  # the answer pjsua builds next answers this
        self._apply_hold(entry)
        return None

    def _same_peer_problem(self, e: E2eCall, remote: wire.PeerE2e) -> str | None:
        first = e.remote
        if remote.fingerprint != first.fingerprint:
            return "re-offer changes the peer's end-to-end certificate"
        if remote.ice_ufrag != first.ice_ufrag:
            return "re-offer restarts ICE, which end-to-end calls do not support"
        if remote.slots != first.slots or remote.kinds != first.kinds:
            return "re-offer changes the end-to-end media lines"
        for name in ("commit", "nonce"):
            if getattr(remote, name) not in (None, getattr(first, name)):
                return f"re-offer changes the end-to-end {name}"
        return None

    def _check_same_peer(self, entry: CallEntry, e: E2eCall, remote: wire.PeerE2e) -> None:
        problem = self._same_peer_problem(e, remote)
        if problem:
            self._fail(entry, problem.replace("re-offer", "re-INVITE answer"))

    # -- hold -----------------------------------------------------------------------

    def on_local_hold(self, entry: CallEntry) -> None:
        self._apply_hold(entry)

    def _apply_hold(self, entry: CallEntry, emit: bool = True) -> None:
        e = entry.e2e
        if e is None or e.session is None or e.state is not E2eState.CONNECTED:
            return
        flowing = not entry.local_hold and not e.remote_hold
        e.session.receiving = flowing
        if not flowing:
            e.bridge.clear()
        self._media_loop().submit(e.session.set_sending(flowing))
        if emit:
            self._emit_media(entry, e)

    def set_video(self, entry: CallEntry, on: bool) -> None:
        e = entry.e2e
        if e is None or e.session is None or e.state is not E2eState.CONNECTED:
            raise LookupError(f"call {entry.call_id} has no end-to-end media")
        if not entry.account.profile.media.e2e_video:
            raise LookupError(f"call {entry.call_id} negotiated no video")
        self._media_loop().submit(e.session.set_video(on))

    # -- pjsua's media state ---------------------------------------------------------

    def owns_media_state(self, entry: CallEntry) -> bool:
        """True when pjsua's media callback must not run the SDES path for this call."""
        e = entry.e2e
        if e is None or not e.owns_media:
            return False
        if e.state is E2eState.OFFERED:
            # pjsua reports the answer's media before the raw answer reaches us
            # (onCallTsxState comes last): decide once it has.
            e.media_deferred = True
        return True

    # -- the session's reports ----------------------------------------------------------

    def _on_session_event(self, call_id: str, session: E2eSession, kind: str, value: Any) -> None:
        entry = self._calls.find(call_id)
        if entry is None or entry.ended or entry.e2e is None or entry.e2e.session is not session:
            return
        e = entry.e2e
        if kind == "connected":
            self._on_connected(entry, e, value)
        elif kind == "failed":
            self._fail(entry, value)
        elif kind == "first-audio":
            if entry.first_rtp is None:
                entry.first_rtp = value
        elif kind == "video-frame":
            width, height, count = value
            e.video_frames = count
            self._calls.emit(ev.CallVideoDidArrive(call_id, width, height, count))

    def _on_connected(self, entry: CallEntry, e: E2eCall, connected: Connected) -> None:
        if e.state is not E2eState.NEGOTIATED:
            return
        if connected.remote_fingerprint != e.remote.fingerprint:
            why = "the peer's DTLS certificate is not the one its SDP names"
            self._fail(entry, why, ev.EndCause.E2E_PEER_CERTIFICATE)
            return
        e.connected, e.state, e.deadline = connected, E2eState.CONNECTED, None
        e.identity_status = identity_status(
            e.facts.verified_fingerprint, connected.remote_fingerprint
        )
        e.verified = e.identity_status == "known"
        if e.identity_status == "changed":  # said first, before anything shows the call up
            log.warning(
                "call %s: %s presents another certificate than the one verified",
                entry.call_id,
                e.peer,
            )
            self._calls.emit(
                ev.CallPeerIdentityDidChange(
                    entry.call_id,
                    e.peer,
                    colon(e.facts.verified_fingerprint),
                    colon(connected.remote_fingerprint),
                )
            )
        self._attach_audio(entry, e)
        self._apply_hold(entry, emit=False)
        self._emit_media(entry, e)
        if e.role == "answerer" and e.sas is None:
            e.reveal_deadline = time.monotonic() + REVEAL_TIMEOUT_S
        self._show_sas(entry, e)

    def _attach_audio(self, entry: CallEntry, e: E2eCall) -> None:
        """Put the call's port into the conference bridge, once both SDPs are known.

        Before DTLS is up (and checked by the session) nothing of it leaves: the
        session sends silence and drops what it receives, then starts from the newest
        frame. Attaching it this early, while ICE and DTLS run, means the first packet
        after the handshake already carries the call's audio (measured: it used to be
        the engine's round trip plus a conference tick, 20-40 ms, later)."""
        if e.port is not None or entry.ended or e.state is E2eState.ENDED:
            return  # (a port attached after `on_ended` would never be parked)
        port = PjE2ePort(e.bridge)
        port.create(f"e2e-{entry.call_id}")
        e.port = port
        self._calls.connect_audio(entry, port)

    def _emit_media(self, entry: CallEntry, e: E2eCall) -> None:
        c = e.connected
        media = ev.MediaSecurity(
            encrypted=True,
            profile=c.profile,
            suite=c.srtp_profile,
            keying="dtls",
            end_to_end=True,
            plaintext_allowed=entry.account.profile.media.allows_plaintext,
            verified=e.verified,
            peer_fingerprint=colon(c.remote_fingerprint),
        )
        entry.media = media
        self._calls.emit(
            ev.CallMediaDidChange(
                entry.call_id,
                media,
                c.audio_codec,
                c.clock_rate,
                local_hold=entry.local_hold,
                remote_hold=e.remote_hold,
                signalling=self._calls.signalling(entry),
            )
        )

    # -- the users' verdict ------------------------------------------------------------

    # -- statistics -------------------------------------------------------------------

    def request_stats(self, entry: CallEntry) -> bool:
        e = entry.e2e
        if e is None or e.state is not E2eState.CONNECTED or e.session is None:
            return False
        c = e.connected

        def done(counters: dict) -> None:
            rx, lost = int(counters.get("rx_packets", 0)), int(counters.get("rx_lost", 0))
            expected = rx + lost
            jitter_ms = counters.get("jitter", 0.0) * 1000.0 / c.clock_rate if c.clock_rate else 0.0
            self._calls.emit(
                ev.CallStatsDidUpdate(
                    entry.call_id,
                    ev.MediaStats(
                        rx_packets=rx,
                        tx_packets=int(counters.get("tx_packets", 0)),
                        rx_lost=lost,
                        rx_loss_pct=round(100.0 * lost / expected, 2) if expected else 0.0,
                        jitter_ms=round(jitter_ms, 2),
                        rtt_ms=None,
                        codec=c.audio_codec,
                        clock_rate=c.clock_rate,
                        concealed_frames=int(counters.get("concealed", 0)),
                    ),
                )
            )

        self._submit(entry, e.session.stats(), done)
        return True

    # -- timers, endings --------------------------------------------------------------

    def tick(self, entry: CallEntry, now: float) -> None:
        e = entry.e2e
        if e is None:
            return
        if e.deadline is not None and now > e.deadline and e.state is E2eState.NEGOTIATED:
            e.deadline = None
            why = f"end-to-end media did not connect within {CONNECT_TIMEOUT_S:.0f} s"
            self._fail(entry, why, ev.EndCause.E2E_TIMEOUT)
        self._tick_reveal(entry, e, now)

    def _fail(
        self, entry: CallEntry, reason: str, cause: ev.EndCause = ev.EndCause.E2E_SETUP_FAILED
    ) -> None:
        e = entry.e2e
        if e is not None and e.state is E2eState.PREPARING:
            self._close_session(e)
            e.state = E2eState.ENDED
            self._calls.end_unsent(entry, reason, security=True, cause=cause)
            return
        self._calls.fail_security(entry, reason, cause)

    def on_ended(self, entry: CallEntry) -> PjE2ePort | None:
        """The call is over: stop its session; returns the bridge port to park."""
        e = entry.e2e
        if e is None:
            return None
        e.state = E2eState.ENDED
        self._close_session(e)
        self._engine.video_slots.release(entry.call_id)
        e.bridge.clear()
        port, e.port = e.port, None
        return port

    def _close_session(self, e: E2eCall) -> None:
        session, e.session = e.session, None
        if session is not None and self._loop is not None:
            with contextlib.suppress(RuntimeError):
                self._closing.append(self._loop.submit(session.close()))
        self._closing = [f for f in self._closing if not f.done()]

    def shutdown(self, timeout: float = 3.0) -> None:
        """After every call ended: let the sessions close, then stop the media loop."""
        if self._loop is None:
            return
        deadline = time.monotonic() + timeout
        for future in self._closing:
            with contextlib.suppress(Exception):
                future.result(max(deadline - time.monotonic(), 0.01))
        self._closing.clear()
        self._loop.stop()
        self._loop = None
