"""Calls: the registry of live pjsua2 Call objects and everything done to them.

Engine thread only. Every Call object is held here from creation until pjsip
has reported DISCONNECTED *and* the callback that said so has returned; it is
then dropped at the next loop turn (`reap`), never inside its own callback.

Security rules enforced here (the profile decides only whether plaintext is
allowed, never whether to check):
- an incoming offer without SRTP is answered 488 before it rings;
- SDP we are about to send without SRTP ends the call (the DTLS trap: this
  pjsua2 build silently offers RTP/AVP when asked for DTLS keying);
- once media runs, pjmedia's real transport state is read back; unencrypted
  media ends the call unless the profile allows plaintext;
- a re-INVITE/UPDATE that would drop or weaken SRTP is refused with 488;
- an SDP that cannot be read (pjsua2 passes SDPs over 1 KiB to callbacks as "";
  `pjsdp.sdp_text` prints them again) is treated as unsafe, never as fine.

End-to-end calls (the other kind of media session) are chosen and run by
`e2e_calls.E2eCalls`, which this module calls at fixed points; the checks above
apply to them too (their SDES line 0 and their X-E2E lines are judged alike).
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import pjsua2 as pj

from softphone.engine import commands as cmd
from softphone.engine import events as ev
from softphone.engine.e2e_calls import E2eCalls
from softphone.engine.e2e_state import E2eCall, E2eState
from softphone.engine.pjobjects import PjAnalyzerPort, PjCall, destroy_media_port
from softphone.engine.pjsdp import sdp_text
from softphone.engine.sdp import (
    offered_suites,
    plaintext_reason,
    sdp_from_sip_message,
    suite_strength,
)
from softphone.engine.tone import analyse_tone
from softphone.engine.verification import proto_name, srtp_states_from_dump
from softphone.policy.decision import Decision
from softphone.policy.end_to_end import E2eMode
from softphone.policy.inbound import refusal_code

if TYPE_CHECKING:
    from softphone.engine.accounts import AccountEntry, Accounts
    from softphone.engine.engine import Engine

log = logging.getLogger(__name__)

CLOCK_RATE = 16000
PORT_GRACE_S = 1.0  # many clock ticks (20 ms) for the bridge to apply a port's removal
_STATE = {
    pj.PJSIP_INV_STATE_CALLING: ev.CallState.CALLING,
    pj.PJSIP_INV_STATE_INCOMING: ev.CallState.INCOMING,
    pj.PJSIP_INV_STATE_EARLY: ev.CallState.EARLY,
    pj.PJSIP_INV_STATE_CONNECTING: ev.CallState.CONNECTING,
    pj.PJSIP_INV_STATE_CONFIRMED: ev.CallState.CONFIRMED,
    pj.PJSIP_INV_STATE_DISCONNECTED: ev.CallState.DISCONNECTED,
}


@dataclass(eq=False)
class CallEntry:
    call_id: str
    account: AccountEntry
    direction: ev.Direction
    remote_uri: str
    pj: PjCall
    started: float = field(default_factory=time.monotonic)
    confirmed: float | None = None
    first_rtp: float | None = None
    state: ev.CallState = ev.CallState.CALLING
    media: ev.MediaSecurity | None = None
    security_failure: str | None = None
    end_cause: ev.EndCause | None = None  # the engine ended it: why, as a code
    hangup_pending: int = 0  # SIP code to hang up with at the next loop turn
    muted: bool = False
    local_hold: bool = False
    echo: bool = False  # loopback peer: send back what arrives
    conference: set[str] = field(default_factory=set)
    source_spec: cmd.AudioSource = field(default_factory=cmd.AudioSource)
    record_path: Path | None = None
    analyze: tuple[int, ...] = ()
    devices: bool = False  # connected to the sound devices
    source: pj.AudioMedia | None = None
    recorder: pj.AudioMediaRecorder | None = None
    analyzer: PjAnalyzerPort | None = None
    audio_index: int = -1
    redirect_pending: bool = False
    consult_call_id: str | None = None  # attended transfer: the call that replaces us
    ended: bool = False
    e2e: E2eCall | None = None  # end-to-end media (None: pjmedia SDES)

    @property
    def live(self) -> bool:
        return not self.ended


class Calls:
    def __init__(self, engine: Engine, accounts: Accounts) -> None:
        self._engine = engine
        self._accounts = accounts
        self._calls: dict[str, CallEntry] = {}
        self._dead: list[CallEntry] = []
        self._parked_ports: list[tuple[float, pj.AudioMedia]] = []
        self._e2e = E2eCalls(engine, self)

    # ------------------------------------------------------------ queries

    def get(self, call_id: str) -> CallEntry:
        try:
            return self._calls[call_id]
        except KeyError:
            raise LookupError(f"no call {call_id}") from None

    def find(self, call_id: str) -> CallEntry | None:
        return self._calls.get(call_id)

    def live_count(self) -> int:
        return len(self._calls) + len(self._dead)

    def parked_ports(self) -> int:
        return len(self._parked_ports)

    def entries(self) -> list[CallEntry]:
        return list(self._calls.values())

    def poll_ms(self) -> int:
        """How long the loop may wait in pjsip: short while a call waits for its first RTP
        (timed by polling stream statistics), long otherwise, during calls too: commands
        wake it, pjsip's events end the wait, and what the turns check after it (stream
        health, parked ports, end-to-end deadlines) is on a scale of seconds. Turning
        every 20 ms in a call cost the engine thread ~0.5 % of a core (bench/audio.py cpu)."""
        # (end-to-end calls are not polled: their media loop wakes the engine; one that
        # fell back to SDES is pjmedia's again, and was timed 20 ms late when left out)
        if any(
            e.first_rtp is None and not e.ended and _pjmedia_carries(e)
            for e in self._calls.values()
        ):
            return 2
        return 200

    def _emit(self, event: ev.Event) -> None:
        self._engine.emit(event)

    emit = _emit  # for e2e_calls

    def signalling(self, entry: CallEntry) -> ev.SignallingSecurity:
        return self._accounts.signalling_for(entry.account)

    # ----------------------------------------------------------- commands

    def make_call(self, c: cmd.MakeCall) -> None:
        acc = self._accounts.get(c.account_id)
        check = self._engine.gate.dial(acc.profile, c.uri, c.authorization)
        if check.request_uri is None:
            # Refused before anything exists: no Call object, no INVITE.
            self._refuse_dial(c.call_id, c.uri, "call", check.decision)
            return
        uri = check.request_uri
        self._accounts.check_media_capability(acc)
        entry = CallEntry(
            c.call_id,
            acc,
            ev.Direction.OUTGOING,
            uri,
            PjCall(acc.pj, c.call_id, self),
            source_spec=c.source,
            record_path=c.record,
            analyze=c.analyze,
            devices=c.devices,
        )
        self._prepare_media(entry)
        self._calls[c.call_id] = entry
        self._emit(ev.CallDidStart(c.call_id, acc.account_id, uri, ev.Direction.OUTGOING))
        entry.started = time.monotonic()
        # An end-to-end offer is prepared (off this thread) before the INVITE goes out.
        self._e2e.start_outgoing(entry, lambda: self._dial(entry))

    def _dial(self, entry: CallEntry) -> None:
        self._engine.codecs.apply(entry.account.profile.media.codecs)
        try:
            entry.pj.makeCall(entry.remote_uri, self._op_param(entry))
        except pj.Error as e:
            self.end_unsent(entry, f"call failed: {e.reason}", cause=ev.EndCause.NOT_SENT)

    def _op_param(self, entry: CallEntry) -> pj.CallOpParam:
        prm = pj.CallOpParam(True)
        if entry.e2e is not None:
            prm.opt.audioCount = entry.e2e.audio_count
        return prm

    def end_unsent(
        self,
        entry: CallEntry,
        reason: str,
        *,
        security: bool = False,
        cause: ev.EndCause | None = None,
    ) -> None:
        """End a call that has no dialog (the INVITE never went out)."""
        if entry.ended:
            return
        entry.end_cause = entry.end_cause or cause
        if security:
            entry.security_failure = reason
            log.warning("call %s refused: %s", entry.call_id, reason)
            self._emit(ev.CallSecurityDidFail(entry.call_id, reason, cause))
        self._calls.pop(entry.call_id, None)
        self._release_media(entry)
        self._e2e.on_ended(entry)
        self._dead.append(entry)
        entry.ended = True
        self._emit(
            ev.CallDidEnd(
                entry.call_id,
                0,
                reason,
                0.0,
                security_failure=entry.security_failure,
                cause=entry.end_cause,
            )
        )

    def answer(self, c: cmd.Answer) -> None:
        entry = self.get(c.call_id)
        self._engine.audio.stop_ring(c.call_id)
        if c.code == 200 and c.hold_others:
            for other in self._calls.values():
                busy = other is not entry and other.state == ev.CallState.CONFIRMED
                if busy and not other.local_hold and c.call_id not in other.conference:
                    self._hold(other)
        entry.source_spec, entry.record_path, entry.analyze = c.source, c.record, c.analyze
        entry.devices = c.devices
        self._prepare_media(entry)
        self._engine.codecs.apply(entry.account.profile.media.codecs)
        entry.started = time.monotonic()
        if not self._e2e.answer(entry, c.code, lambda sdp: self._send_answer(entry, c.code, sdp)):
            self._send_answer(entry, c.code, None)

    def _send_answer(self, entry: CallEntry, code: int, sdp: str | None) -> None:
        if entry.ended:
            return
        prm = pj.CallOpParam(True)
        prm.statusCode = code
        if sdp is not None:
            prm.sdp.wholeSdp = sdp  # the end-to-end answer, built on pjsua's own
        entry.pj.answer(prm)

    def reject(self, c: cmd.Reject) -> None:
        self._hangup(self.get(c.call_id), c.code)

    def hangup(self, c: cmd.Hangup) -> None:
        entry = self.get(c.call_id)
        if not self._e2e.cancel_unsent(entry):
            self._hangup(entry, 0)

    def hangup_all(self) -> None:
        for entry in list(self._calls.values()):
            self._hangup(entry, 0)

    def hold(self, c: cmd.Hold) -> None:
        self._hold(self.get(c.call_id))

    def resume(self, c: cmd.Resume) -> None:
        entry = self.get(c.call_id)
        prm = self._op_param(entry)
        prm.opt.flag = pj.PJSUA_CALL_UNHOLD
        # set first: the re-offer's SDP is built inside reinvite() and must say so
        entry.local_hold = False
        try:
            entry.pj.reinvite(prm)
        except pj.Error:
            entry.local_hold = True
            raise
        self._e2e.on_local_hold(entry)

    def set_mute(self, c: cmd.SetMute) -> None:
        entry = self.get(c.call_id)
        entry.muted = c.muted
        audio = self._audio_of(entry)
        if audio is not None:
            # the bridge's level towards the call port is what the peer hears
            audio.adjustRxLevel(0.0 if c.muted else 1.0)

    def set_video(self, c: cmd.SetVideo) -> None:
        self._e2e.set_video(self.get(c.call_id), c.on)

    def confirm_sas(self, c: cmd.ConfirmSas) -> None:
        self._e2e.confirm(self.get(c.call_id), c.matched)

    def send_dtmf(self, c: cmd.SendDtmf) -> None:
        entry = self.get(c.call_id)
        if c.method == "info":
            prm = pj.CallSendDtmfParam()
            prm.method = pj.PJSUA_DTMF_METHOD_SIP_INFO
            prm.digits = c.digits
            prm.duration = 160
            entry.pj.sendDtmf(prm)
        else:
            entry.pj.dialDtmf(c.digits)

    def transfer_blind(self, c: cmd.TransferBlind) -> None:
        entry = self.get(c.call_id)
        # No PIN can ride on a transfer: the far end places that call, not us.
        check = self._engine.gate.dial(entry.account.profile, c.target, pin_possible=False)
        if check.request_uri is None:
            self._refuse_dial(c.call_id, c.target, "transfer", check.decision)
            return
        entry.pj.xfer(check.request_uri, pj.CallOpParam(True))

    def transfer_attended(self, c: cmd.TransferAttended) -> None:
        entry, target = self.get(c.call_id), self.get(c.target_call_id)
        entry.pj.xferReplaces(target.pj, pj.CallOpParam(True))
        entry.consult_call_id = target.call_id

    def conference(self, c: cmd.Conference) -> None:
        members = [self.get(i) for i in c.call_ids]
        for entry in members:
            entry.conference.update(m.call_id for m in members if m is not entry)
            if entry.local_hold:
                self.resume(cmd.Resume(entry.call_id))
        for entry in members:
            self._connect_conference(entry)
        self._emit(ev.ConferenceDidChange(tuple(c.call_ids)))

    def decide_redirect(self, c: cmd.DecideRedirect) -> None:
        entry = self.get(c.call_id)
        if not entry.redirect_pending:
            raise LookupError(f"call {c.call_id} has no pending redirect")
        entry.redirect_pending = False
        if c.accept:
            entry.pj.processRedirect(pj.PJSIP_REDIRECT_ACCEPT)
            return
        try:
            entry.pj.processRedirect(pj.PJSIP_REDIRECT_REJECT)
        except pj.Error as e:
            # pjsua ends the session and then reports that it has ended
            # (PJSIP_ESESSIONTERMINATED): that is the rejection succeeding.
            log.debug("redirect of %s rejected: %s", entry.call_id, e.reason)

    def request_stats(self, c: cmd.RequestStats) -> None:
        entry = self.get(c.call_id)
        if self._e2e.request_stats(entry):
            return  # reported when the media loop has counted
        stats = self.stats(entry)
        if stats is None:
            raise LookupError(f"call {c.call_id} has no active audio")
        self._emit(ev.CallStatsDidUpdate(c.call_id, stats))

    def analyze_audio(self, c: cmd.AnalyzeAudio) -> None:
        entry = self.get(c.call_id)
        if entry.analyzer is None:
            raise LookupError(f"call {c.call_id} was not set up for analysis")
        samples = entry.analyzer.recent(c.seconds)
        tones = tuple(
            ev.ToneMeasurement(r.frequency, r.level_dbfs, r.snr_db, r.detected)
            for r in (analyse_tone(samples, CLOCK_RATE, f) for f in c.frequencies)
        )
        first = entry.analyzer.first_sound_at
        self._emit(
            ev.CallAudioWasAnalyzed(
                c.call_id, tones, entry.analyzer.frames, _ms(entry.started, first)
            )
        )

    # -------------------------------------------------------- from accounts

    def incoming(self, acc: AccountEntry, prm: pj.OnIncomingCallParam) -> None:
        call_id = self._engine.new_id("in")
        entry = CallEntry(
            call_id, acc, ev.Direction.INCOMING, "", PjCall(acc.pj, call_id, self, prm.callId)
        )
        entry.state = ev.CallState.INCOMING
        entry.echo = acc.echo
        self._calls[call_id] = entry
        info = entry.pj.getInfo()
        entry.remote_uri = info.remoteUri
        self._emit(ev.CallDidStart(call_id, acc.account_id, info.remoteUri, ev.Direction.INCOMING))
        wrong = _wrong_transport(prm.rdata.wholeMsg, acc.profile.transport)
        if wrong:
            self._fail_security(entry, wrong, 403, ev.EndCause.WRONG_TRANSPORT)
            return
        if not acc.echo:
            decision = self._engine.gate.inbound(acc.profile, info.remoteUri)
            if not decision.allowed:
                self._refuse_inbound(entry, decision)
                return
        offer = sdp_from_sip_message(prm.rdata.wholeMsg)
        reason = plaintext_reason(offer) if not acc.profile.media.allows_plaintext else None
        if reason:
            why = f"caller offered unencrypted media: {reason}"
            self._fail_security(entry, why, 488, ev.EndCause.PEER_PLAINTEXT)
            return
        if not acc.echo:
            refusal = self._e2e.on_incoming(entry, offer)
            if refusal:
                self._fail_security(entry, refusal[0], 488, refusal[1])
                return
        if acc.auto_answer:
            self.answer(cmd.Answer(call_id, hold_others=False))
            return
        prm180 = pj.CallOpParam(True)
        prm180.statusCode = 180
        entry.pj.answer(prm180)
        waiting = any(
            e.state == ev.CallState.CONFIRMED for e in self._calls.values() if e is not entry
        )
        display = _display_name(info.remoteUri)
        self._emit(ev.CallDidArrive(call_id, acc.account_id, info.remoteUri, display, waiting))
        self._engine.audio.ring(call_id)

    # ------------------------------------------------------ pjsua callbacks

    def on_call_state(self, call_id: str) -> None:
        entry = self._calls.get(call_id)
        if entry is None:
            return
        info = entry.pj.getInfo()
        state = _STATE.get(info.state, ev.CallState.CALLING)
        entry.state = state
        if state == ev.CallState.CONFIRMED and entry.confirmed is None:
            entry.confirmed = time.monotonic()
            self._e2e.on_confirmed(entry)
        if state == ev.CallState.DISCONNECTED:
            self._ended(entry, info)
            return
        self._emit(
            ev.CallStateDidChange(
                call_id, state, info.lastStatusCode, info.lastReason, media=entry.media
            )
        )

    def on_call_media_state(self, call_id: str) -> None:
        entry = self._calls.get(call_id)
        if entry is None or entry.ended or self._e2e.owns_media_state(entry):
            return
        info = entry.pj.getInfo()
        audio = [m for m in info.media if m.type == pj.PJMEDIA_TYPE_AUDIO]
        active = [
            m
            for m in audio
            if m.status
            in (
                pj.PJSUA_CALL_MEDIA_ACTIVE,
                pj.PJSUA_CALL_MEDIA_REMOTE_HOLD,
                pj.PJSUA_CALL_MEDIA_LOCAL_HOLD,
            )
        ]
        if not active:
            return
        media = self._read_media_security(entry, active[0].index)
        entry.media = media
        if not media.encrypted and not media.plaintext_allowed:
            why = f"media is not encrypted ({media.profile})"
            self._fail_security(entry, why, 0, ev.EndCause.MEDIA_NOT_ENCRYPTED)
            return
        entry.audio_index = active[0].index
        entry.local_hold = active[0].status == pj.PJSUA_CALL_MEDIA_LOCAL_HOLD
        self._connect_media(entry, entry.pj.getAudioMedia(entry.audio_index))
        si = entry.pj.getStreamInfo(entry.audio_index)
        if active[0].status == pj.PJSUA_CALL_MEDIA_ACTIVE:
            self._start_stream(entry, si)
        self._emit(
            ev.CallMediaDidChange(
                call_id,
                media,
                si.codecName,
                si.codecClockRate,
                local_hold=entry.local_hold,
                remote_hold=active[0].status == pj.PJSUA_CALL_MEDIA_REMOTE_HOLD,
                signalling=self._accounts.signalling_for(entry.account),
            )
        )

    def on_call_sdp_created(self, call_id: str, prm: pj.OnCallSdpCreatedParam) -> None:
        entry = self._calls.get(call_id)
        if entry is None:
            return
        text = sdp_text(prm.sdp)
        if text and not sdp_text(prm.remSdp):  # an offer of ours, as pjsua built it
            self._accounts.note_dtls_offer(entry.account, text)
        if not entry.account.profile.media.allows_plaintext:
            reason = plaintext_reason(text) if text else "an SDP this engine cannot read"
            if reason is not None:
                # Never let this SDP negotiate plaintext: mark every audio line secure
                # without keys, so any peer must refuse it, and end the call.
                if text:
                    prm.sdp.wholeSdp = text.replace(" RTP/AVP ", " RTP/SAVP ")
                self._accounts.note_missing_keying(entry.account)
                why = f"this engine would send {reason}"
                self._fail_security(entry, why, 488, ev.EndCause.LOCAL_PLAINTEXT)
                return
        self._e2e.on_sdp_created(entry, prm, text)

    def on_call_rx_offer(self, call_id: str, prm: pj.OnCallRxOfferParam) -> None:
        entry = self._calls.get(call_id)
        if entry is None or entry.media is None or not entry.media.encrypted:
            return
        offer = sdp_text(prm.offer)
        reason = plaintext_reason(offer, entry.account.profile.media.allows_plaintext)
        if not offer:
            reason = "the re-offer cannot be read"
        elif reason is None and entry.e2e is not None and entry.e2e.owns_media:
            reason = self._e2e.check_reoffer(entry, offer)
        elif reason is None:
            suites = offered_suites(offer)
            strongest = max((suite_strength(s) for s in suites), default=None)
            if strongest is not None and strongest < suite_strength(entry.media.suite):
                reason = f"offer weakens SRTP from {entry.media.suite} to {', '.join(suites)}"
        if reason:
            prm.statusCode = 488
            self._emit(ev.CallOfferWasRefused(call_id, f"re-offer refused: {reason}"))

    def on_call_dtmf(self, call_id: str, digit: str, method: int) -> None:
        name = "info" if method == pj.PJSUA_DTMF_METHOD_SIP_INFO else "rfc4733"
        self._emit(ev.CallDtmfDidArrive(call_id, digit, name))

    def on_call_transfer_request(self, call_id: str, prm: pj.OnCallTransferRequestParam) -> None:
        entry = self._calls[call_id]
        check = self._engine.gate.transfer(entry.account.profile, prm.dstUri)
        decision = check.decision
        if check.request_uri is not None:
            # pjsua places a transferred call at once, with no time to prepare an
            # end-to-end offer: it is an SDES call, refused if it must be end to end.
            refusal = self._e2e.transfer_refusal(entry, prm.dstUri)
            if refusal is not None:
                decision = refusal
                check = replace(check, decision=refusal, request_uri=None)
        new_call_id = None
        if check.request_uri is not None:
            new_call_id = self._engine.new_id("xfer")
            new = CallEntry(
                new_call_id,
                entry.account,
                ev.Direction.OUTGOING,
                prm.dstUri,
                PjCall(entry.account.pj, new_call_id, self),
            )
            self._calls[new_call_id] = new
            prm.newCall = new.pj
            prm.statusCode = 202
        else:
            prm.statusCode = 603
            self._refuse_dial(call_id, prm.dstUri, "refer", decision)
        self._emit(
            ev.CallTransferWasRequested(
                call_id,
                prm.dstUri,
                decision.allowed,
                decision.reason,
                new_call_id,
                code=decision.code.value if decision.code else None,
                args=decision.args,
            )
        )

    def on_call_transfer_status(self, call_id: str, prm: pj.OnCallTransferStatusParam) -> None:
        self._emit(ev.CallTransferDidProgress(call_id, prm.statusCode, prm.reason, prm.finalNotify))
        if prm.finalNotify and 200 <= prm.statusCode < 300:
            prm.cont = False
            entry = self._calls.get(call_id)
            if entry is not None:
                entry.hangup_pending = 200
                # The target should end the replaced dialog itself; not every
                # UA does (baresip 1.0 keeps it up), so we end our leg of it.
                consult = self._calls.get(entry.consult_call_id or "")
                if consult is not None:
                    consult.hangup_pending = 200

    def on_call_redirected(self, call_id: str, target: str) -> int:
        entry = self._calls.get(call_id)
        if entry is None:
            return pj.PJSIP_REDIRECT_REJECT
        check = self._engine.gate.dial(entry.account.profile, target, pin_possible=False)
        if check.request_uri is None:
            self._refuse_dial(call_id, target, "redirect", check.decision)
            d = check.decision
            code = d.code.value if d.code else None
            self._emit(ev.CallRedirectWasRequested(call_id, target, False, d.reason, code, d.args))
            return pj.PJSIP_REDIRECT_REJECT
        entry.redirect_pending = True
        self._emit(ev.CallRedirectWasRequested(call_id, target))
        return pj.PJSIP_REDIRECT_PENDING

    def on_call_replace_request(self, call_id: str, prm: pj.OnCallReplaceRequestParam) -> None:
        # An INVITE with Replaces (we are the target of an attended transfer):
        # accepted, and surfaced through the new call's events.
        prm.statusCode = 200

    def on_call_replaced(self, call_id: str, prm: pj.OnCallReplacedParam) -> None:
        old = self._calls[call_id]
        new_id = self._engine.new_id("repl")
        new = CallEntry(
            new_id,
            old.account,
            ev.Direction.INCOMING,
            "",
            PjCall(old.account.pj, new_id, self, prm.newCallId),
        )
        self._calls[new_id] = new
        prm.newCall = new.pj
        self._emit(ev.CallDidStart(new_id, old.account.account_id, "", ev.Direction.INCOMING))
        # pjsua answers the replacing INVITE itself, at once: there is no time to build
        # an end-to-end answer, so the new call is SDES ("to the server only"), and is
        # ended if the replaced call required end to end.
        if old.e2e is not None and old.e2e.mode is E2eMode.REQUIRED:
            self._fail_security(
                new,
                "end-to-end encryption is required, and an attended transfer to us can only "
                "be answered with SDES",
                488,
                ev.EndCause.E2E_REQUIRED,
            )

    def on_call_tsx_state(self, call_id: str, prm: pj.OnCallTsxStateParam) -> None:
        entry = self._calls.get(call_id)
        if entry is None or entry.e2e is None or prm.e.type != pj.PJSIP_EVENT_TSX_STATE:
            return
        body = prm.e.body.tsxState
        tsx = body.tsx
        if tsx.method != "INVITE":
            return
        if body.type == pj.PJSIP_EVENT_RX_MSG and tsx.role == pj.PJSIP_ROLE_UAC:
            message = body.src.rdata.wholeMsg
            if 100 < tsx.statusCode < 300 and sdp_from_sip_message(message).strip():
                self._e2e.on_invite_response(entry, message)
        elif body.type == pj.PJSIP_EVENT_TX_MSG:
            message = body.src.tdata.wholeMsg
            sent_offer = tsx.role == pj.PJSIP_ROLE_UAC and message.startswith("INVITE ")
            sent_answer = tsx.role == pj.PJSIP_ROLE_UAS and message.startswith("SIP/2.0 200")
            if sent_offer or sent_answer:
                self._e2e.check_sent(entry, message)

    def on_instant_message(self, call_id: str, prm: pj.OnInstantMessageParam) -> None:
        entry = self._calls.get(call_id)
        if entry is not None:
            self._e2e.on_instant_message(entry, prm)

    def on_stream_created(self, call_id: str, prm: pj.OnStreamCreatedParam) -> None:
        self._engine.stream_starts.on_stream_created(call_id, prm.streamIdx, prm.stream)
        self._engine.narrowband.on_stream_created(call_id, prm, self._codec_of(call_id, prm))

    def _codec_of(self, call_id: str, prm: pj.OnStreamCreatedParam) -> str:
        """The encoding name the new stream sends, or "" if pjsua cannot tell yet."""
        entry = self._calls.get(call_id)
        try:
            return entry.pj.getStreamInfo(prm.streamIdx).codecName if entry else ""
        except pj.Error:
            return ""

    def on_stream_destroyed(self, call_id: str, stream_idx: int) -> None:
        self._engine.stream_starts.on_stream_destroyed(call_id, stream_idx)
        self._engine.narrowband.on_stream_destroyed(call_id, stream_idx)

    # ----------------------------------------------------------- per turn

    def tick(self) -> None:
        """Called by the engine loop after each libHandleEvents, outside callbacks."""
        self.reap()
        self._engine.narrowband.reap()
        self._e2e.warm_up_registered()
        now = time.monotonic()
        self._engine.stream_starts.tick(now)
        for entry in list(self._calls.values()):
            if entry.hangup_pending and not entry.ended:
                code, entry.hangup_pending = entry.hangup_pending, 0
                self._hangup(entry, code if code >= 300 else 0)
            elif entry.first_rtp is None and entry.audio_index >= 0:
                self._poll_first_rtp(entry, now)
            if not entry.ended:
                self._e2e.tick(entry, now)

    def park_port(self, port: pj.AudioMedia) -> None:
        """Keep a port no call uses any more until `reap` destroys it, after the grace."""
        self._parked_ports.append((time.monotonic(), port))

    def reap(self, port_grace_s: float = PORT_GRACE_S) -> None:
        while self._dead:
            entry = self._dead.pop()
            self._release_media(entry)
            entry.pj = None  # type: ignore[assignment]  # the last reference: C++ Call freed here
        cutoff = time.monotonic() - port_grace_s
        while self._parked_ports and self._parked_ports[0][0] <= cutoff:
            _parked_at, port = self._parked_ports.pop(0)
            destroy_media_port(port)  # never by dropping it: see destroy_media_port

    def shutdown(self) -> None:
        self.hangup_all()

    def warm_up(self, account: AccountEntry) -> None:
        self._e2e.warm_up(account)

    def shutdown_media(self) -> None:
        """After every call has ended: stop the end-to-end media loop."""
        self._e2e.shutdown()

    # ------------------------------------------------------------ helpers

    def _hangup(self, entry: CallEntry, code: int) -> None:
        if entry.ended:
            return
        prm = pj.CallOpParam(True)
        if code:
            prm.statusCode = code
        try:
            entry.pj.hangup(prm)
        except pj.Error as e:
            log.info("hangup of %s: %s", entry.call_id, e.reason)

    def _hold(self, entry: CallEntry) -> None:
        entry.local_hold = True  # first: the hold offer is built inside setHold()
        try:
            entry.pj.setHold(self._op_param(entry))
        except pj.Error:
            entry.local_hold = False
            raise
        self._e2e.on_local_hold(entry)

    def _refuse_dial(self, call_id: str, target: str, path: str, decision: Decision) -> None:
        log.info("dial refused (%s): %s", path, decision.reason)
        self._emit(
            ev.CallDialWasRefused(
                call_id,
                target,
                path,
                decision.verdict.value,
                decision.reason,
                decision.number_class,
                code=decision.code.value if decision.code else None,
                args=decision.args,
            )
        )

    def _refuse_inbound(self, entry: CallEntry, decision: Decision) -> None:
        # Answered at once, before it rings.
        code = refusal_code(decision)
        entry.hangup_pending = code
        log.info("incoming call %s refused by policy: %s", entry.call_id, decision.reason)
        self._emit(
            ev.IncomingCallWasRefused(
                entry.remote_uri,
                code,
                decision.reason,
                by_policy=True,
                caller=decision.target,
                reason_code=decision.code.value if decision.code else None,
            )
        )

    def fail_security(
        self, entry: CallEntry, reason: str, cause: ev.EndCause = ev.EndCause.E2E_SETUP_FAILED
    ) -> None:
        """End an end-to-end call that cannot be trusted (488 if not answered yet)."""
        self._fail_security(entry, reason, 488, cause)

    def _fail_security(self, entry: CallEntry, reason: str, code: int, cause: ev.EndCause) -> None:
        if entry.security_failure:
            return
        entry.security_failure = reason
        entry.end_cause = cause
        entry.hangup_pending = code or 488
        log.warning("call %s refused: %s", entry.call_id, reason)
        self._emit(ev.CallSecurityDidFail(entry.call_id, reason, cause))

    def _ended(self, entry: CallEntry, info: pj.CallInfo) -> None:
        entry.ended = True
        self._calls.pop(entry.call_id, None)
        self._engine.audio.stop_ring(entry.call_id)
        if entry.devices:
            self._engine.audio.disconnect(entry.call_id)
        port = self._e2e.on_ended(entry)
        if port is not None:
            self.park_port(port)
        for other_id in entry.conference:
            other = self._calls.get(other_id)
            if other:
                other.conference.discard(entry.call_id)
        self._dead.append(entry)
        reason = entry.security_failure or info.lastReason
        self._emit(
            ev.CallDidEnd(
                entry.call_id,
                info.lastStatusCode,
                reason,
                float(info.connectDuration.sec) + info.connectDuration.msec / 1000,
                media=entry.media,
                security_failure=entry.security_failure,
                first_rtp_ms=_ms(entry.started, entry.first_rtp),
                setup_ms=_ms(entry.started, entry.confirmed),
                cause=entry.end_cause,
            )
        )

    def _read_media_security(self, entry: CallEntry, index: int) -> ev.MediaSecurity:
        si = entry.pj.getStreamInfo(index)
        state = srtp_states_from_dump(entry.pj.dump(True, "")).get(index)
        # SRTP state as pjmedia runs it, not the SDP profile: with SRTP
        # "optional" pjsua offers RTP/AVP *with* a=crypto and SRTP is active.
        encrypted = bool(state and state.active)
        keying = "none"
        if encrypted:
            keying = "dtls" if proto_name(si.proto).startswith("UDP/TLS") else "sdes"
        return ev.MediaSecurity(
            encrypted=encrypted,
            profile=proto_name(si.proto),
            suite=state.suite if encrypted and state else None,
            keying=keying,
            end_to_end=False,  # pjmedia's SRTP is hop by hop: keys cross every proxy
            plaintext_allowed=entry.account.profile.media.allows_plaintext,
        )

    def _prepare_media(self, entry: CallEntry) -> None:
        spec = entry.source_spec
        if spec.wav and entry.source is None:
            player = pj.AudioMediaPlayer()
            player.createPlayer(str(spec.wav), 0 if spec.loop else pj.PJMEDIA_FILE_NO_LOOP)
            entry.source = player
        elif spec.tone_hz and entry.source is None:
            gen = pj.ToneGenerator()
            gen.createToneGenerator(CLOCK_RATE, 1)
            tones = pj.ToneDescVector()
            td = pj.ToneDesc()
            td.freq1 = spec.tone_hz[0]
            td.freq2 = spec.tone_hz[1] if len(spec.tone_hz) > 1 else 0
            td.on_msec, td.off_msec, td.volume = 1000, 0, 0
            tones.append(td)
            gen.play(tones, True)
            entry.source = gen
        if entry.record_path and entry.recorder is None:
            rec = pj.AudioMediaRecorder()
            rec.createRecorder(str(entry.record_path))
            entry.recorder = rec
        if entry.analyze and entry.analyzer is None:
            port = PjAnalyzerPort(CLOCK_RATE)
            port.create(f"analyzer-{entry.call_id}")
            entry.analyzer = port

    def connect_audio(self, entry: CallEntry, port: pj.AudioMedia) -> None:
        """An end-to-end call's bridge port takes the place of the call's stream."""
        self._connect_media(entry, port)

    def _audio_of(self, entry: CallEntry) -> pj.AudioMedia | None:
        if entry.e2e is not None and entry.e2e.port is not None:
            return entry.e2e.port
        if entry.audio_index >= 0:
            return entry.pj.getAudioMedia(entry.audio_index)
        return None

    def _connect_media(self, entry: CallEntry, aud: pj.AudioMedia) -> None:
        if entry.echo:
            aud.startTransmit(aud)
        if entry.source is not None:
            entry.source.startTransmit(aud)
        if entry.recorder is not None:
            aud.startTransmit(entry.recorder)
        if entry.analyzer is not None:
            aud.startTransmit(entry.analyzer)
        if entry.devices:
            self._engine.audio.connect(entry.call_id, aud)
        aud.adjustRxLevel(0.0 if entry.muted else 1.0)
        self._connect_conference(entry)

    def _start_stream(self, entry: CallEntry, si: pj.StreamInfo) -> None:
        """A new stream was just connected: it starts from what arrives now
        (engine/streamstart.py)."""
        index = entry.audio_index
        info = si.audCodecParam.info
        frame_ms = info.frameLen // max(1, info.frameLenDenum)
        seen = lambda: entry.pj.getStreamStat(index).jbuf  # noqa: E731
        starts = self._engine.stream_starts
        starts.connected(entry.call_id, index, seen, frame_ms, time.monotonic())

    def _connect_conference(self, entry: CallEntry) -> None:
        mine = self._audio_of(entry)
        if mine is None:
            return
        for other_id in entry.conference:
            other = self._calls.get(other_id)
            theirs = self._audio_of(other) if other else None
            if theirs is not None:
                mine.startTransmit(theirs)
                theirs.startTransmit(mine)

    def _release_media(self, entry: CallEntry) -> None:
        # pjmedia's conference bridge applies disconnections asynchronously, on its
        # clock thread: a port may still be mixed for a frame or two. Ports are
        # parked until the bridge has surely let go, then destroyed (`reap`) the one
        # safe way for a port with Python callbacks, `destroy_media_port`: the
        # bridge keeps calling every port it holds, connected or not.
        for name in ("source", "analyzer"):
            port = getattr(entry, name)
            if port is not None:
                self.park_port(port)
                setattr(entry, name, None)
        # The recorder (no Python callbacks) goes at once: pjmedia writes the WAV
        # header when the bridge applies its removal, on its clock, and pjsua stops
        # that clock 1 s after the last connection went, as long as a parked port
        # waits: parked, a recording stayed a 0-frame WAV until the engine stopped.
        # pjmedia holds the port by its group lock until the bridge lets go.
        if entry.recorder is not None:
            destroy_media_port(entry.recorder)
            entry.recorder = None

    def _poll_first_rtp(self, entry: CallEntry, now: float) -> None:
        try:
            stat = entry.pj.getStreamStat(entry.audio_index)
        except pj.Error:
            return
        if stat.rtcp.rxStat.pkt > 0:
            entry.first_rtp = now

    def stats(self, entry: CallEntry) -> ev.MediaStats | None:
        if entry.audio_index < 0 or entry.ended:
            return None
        stat = entry.pj.getStreamStat(entry.audio_index)
        si = entry.pj.getStreamInfo(entry.audio_index)
        rx, tx = stat.rtcp.rxStat, stat.rtcp.txStat
        expected = rx.pkt + rx.loss
        rtt = stat.rtcp.rttUsec
        return ev.MediaStats(
            rx_packets=rx.pkt,
            tx_packets=tx.pkt,
            rx_lost=rx.loss,
            rx_loss_pct=round(100.0 * rx.loss / expected, 2) if expected else 0.0,
            jitter_ms=round(rx.jitterUsec.mean / 1000.0, 2),
            rtt_ms=round(rtt.mean / 1000.0, 2) if rtt.n else None,
            codec=si.codecName,
            clock_rate=si.codecClockRate,
        )


def _ms(start: float, end: float | None) -> float | None:
    return None if end is None else round((end - start) * 1000.0, 1)


def _wrong_transport(message: str, expected: str) -> str | None:
    """Why a request must be refused: it reached us over another transport than the account's."""
    match = re.search(r"^(?:Via|v)\s*:\s*SIP/2\.0/(\w+)", message, re.IGNORECASE | re.MULTILINE)
    arrived = match.group(1).lower() if match else "unknown"
    if arrived == expected or (expected == "tls" and arrived == "wss"):
        return None
    return f"call arrived over {arrived.upper()}, this account only takes {expected.upper()}"


def _display_name(uri: str) -> str:
    uri = uri.strip()
    if uri.startswith('"'):
        return uri[1:].split('"', 1)[0]
    return ""


def _pjmedia_carries(entry: CallEntry) -> bool:
    """Whether pjmedia's SDES stream carries the call's audio (no end-to-end session)."""
    return entry.e2e is None or entry.e2e.state is E2eState.SDES
