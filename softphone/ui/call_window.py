"""The in-call window: who, state and timer, security badge, network quality, and the
controls (mute, hold, keypad, blind transfer, a second call for an attended transfer or
a conference, hang up). GUI thread.

Everything shown comes from the engine's events for this call; every button is a
command. Statistics are asked for every 2 s (`RequestStats`) while media flows. A
blind-transfer target goes through the dial policy first (`CallLauncher`), and the
engine checks it again. The SAS panel appears when the media is end to end; the
code comes with `CallSasDidBecomeReady`, and the users' answer goes back as
`ConfirmSas`; a contact presenting another identity than the one verified raises the
red `IdentityWarning` at the top before anyone talks (`e2e_text` says what each
stage shows). With video, `CallVideoPanel` turns the camera on and off. A call for
an appointment says which one, and when the appointment has a verification phrase
the provider checks it here (`PhrasePanel`). The window shows the patient, so it
closes by itself `CLOSE_AFTER_END_MS` after the call ended (seed 000, "Terminating the
Call": close every window with the patient's details). When calls use the sound
devices, a row shows the microphone and speaker in use, switches them mid-call and
says when one went away (`CallDevicesRow`).

Opening a window must not stall the GUI thread when a call starts, when the engine's
threads want the GIL too (and building and first showing a window calls into Python
over and over, each time taking the GIL): `SpareCallWindow` keeps one window built
ahead, in small steps between other events, warmed (polished, laid out, its native
window created, painted once off screen) and hidden; `bind` gives it its call. A
window built for a call at once (`CallWindow(ctx, launcher, call_id, remote_uri)`) is
the same window.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QApplication,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from softphone.engine import commands as cmd
from softphone.engine import events as ev
from softphone.schedule.appointment import Appointment
from softphone.ui import theme
from softphone.ui.call_devices import CallDevicesRow
from softphone.ui.call_flow import CallLauncher
from softphone.ui.call_legs import SecondLegPanel
from softphone.ui.call_video import CallVideoPanel
from softphone.ui.context import UiContext
from softphone.ui.dial_pad import KEYS
from softphone.ui.e2e_text import call_end_reason, identity_warning, mismatch_line, sas_view
from softphone.ui.i18n import QT_TRANSLATE_NOOP
from softphone.ui.notify_text import caller_address
from softphone.ui.phrase_panel import PhrasePanel
from softphone.ui.quality import rate
from softphone.ui.reason_text import call_end_reason as end_reason
from softphone.ui.reason_text import dial_refusal, security_failure_text
from softphone.ui.security_badge import IdentityWarning, SasPanel, SecurityBadge
from softphone.ui.security_text import describe
from softphone.ui.today_text import incoming_text

STATS_INTERVAL_MS = 2000
CLOSE_AFTER_END_MS = 4000
_STATE_WORDS = {
    ev.CallState.CALLING: QT_TRANSLATE_NOOP("CallWindow", "Calling…"),
    ev.CallState.INCOMING: QT_TRANSLATE_NOOP("CallWindow", "Ringing…"),
    ev.CallState.EARLY: QT_TRANSLATE_NOOP("CallWindow", "Ringing…"),
    ev.CallState.CONNECTING: QT_TRANSLATE_NOOP("CallWindow", "Connecting…"),
    ev.CallState.CONFIRMED: QT_TRANSLATE_NOOP("CallWindow", "Connected"),
    ev.CallState.DISCONNECTED: QT_TRANSLATE_NOOP("CallWindow", "Ended"),
}


def clock(seconds: float) -> str:
    s = int(seconds)
    return (
        f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"
        if s >= 3600
        else f"{s // 60:02d}:{s % 60:02d}"
    )


class CallWindow(QWidget):
    sasConfirmed = Signal(str, bool)  # call id, whether the codes matched
    windowClosed = Signal(str)  # call id

    def __init__(
        self,
        ctx: UiContext,
        launcher: CallLauncher,
        call_id: str | None,
        remote_uri: str = "",
        parent: QWidget | None = None,
        *,
        appointment: Appointment | None = None,
        build: bool = True,
    ) -> None:
        """A window for `call_id`; with None, one for a call to come (`bind` gives it
        its call). `build=False` leaves the widgets to `build_steps` (a spare's)."""
        super().__init__(parent, Qt.WindowType.Window)
        self._ctx = ctx
        self._launcher = launcher
        self.call_id = call_id
        self.appointment: Appointment | None = None
        self.ended = False
        self._connected_at: float | None = None
        self._media: ev.MediaSecurity | None = None
        self._signalling: ev.SignallingSecurity | None = None
        # the last end-to-end event of each kind for this call (e2e_text.sas_view)
        self._sas_ready: ev.CallSasDidBecomeReady | None = None
        self._identity_changed: ev.CallPeerIdentityDidChange | None = None
        self._verification: ev.CallVerificationDidChange | None = None
        self._steps: Iterator[None] | None = self._build_steps()
        if build or call_id is not None:
            self.finish_building()
        if call_id is not None:
            self.bind(call_id, remote_uri, appointment=appointment)

    # -- layout ----------------------------------------------------------------------

    def build_steps(self) -> Iterator[None]:
        """The widgets, one part per step (each a few ms): a spare is built between other
        events. Nothing to do once built."""
        while self._steps is not None:
            try:
                next(self._steps)
            except StopIteration:
                self._steps = None
                return
            yield

    def finish_building(self) -> None:
        for _ in self.build_steps():
            pass

    def _build_steps(self) -> Iterator[None]:
        self.peer_label = QLabel("")
        font = QFont(self.peer_label.font())
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.peer_label.setFont(font)
        self.state_label = QLabel(self.tr("Calling…"))
        self.timer_label = QLabel("00:00")
        self.timer_label.setFont(QFont("DejaVu Sans Mono", font.pointSize()))
        self.quality_label = QLabel(rate(None).text)
        theme.paint(self.quality_label, "unknown", pad=4)
        yield
        self.badge = SecurityBadge()
        yield
        self.sas_panel = SasPanel()
        self.sas_panel.hide()
        yield
        self.mute_button = QPushButton(self.tr("Mute"))
        self.hold_button = QPushButton(self.tr("Hold"))
        self.keypad_button = QPushButton(self.tr("Keypad"))
        self.transfer_button = QPushButton(self.tr("Transfer…"))
        self.add_call_button = QPushButton(self.tr("Add call…"))
        self.add_call_button.setToolTip(
            self.tr("Consult before a transfer, or add a conference call")
        )
        for button in (self.mute_button, self.hold_button, self.keypad_button):
            button.setCheckable(True)
        self.hangup_button = QPushButton(self.tr("Hang up"))
        self.hangup_button.setStyleSheet(
            "QPushButton { background: #c62828; color: white; font-weight: bold; "
            "border-radius: 6px; padding: 8px; } QPushButton:disabled { background: #b9a0a0; }"
        )
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.hide()
        yield
        self.legs = SecondLegPanel(self._ctx, self._launcher, self.call_id)
        self.legs.hide()
        yield
        self.devices_row = CallDevicesRow(self._ctx) if self._ctx.sound_devices else None
        yield
        self.keypad = QWidget()
        grid = QGridLayout(self.keypad)
        self.dtmf_buttons: dict[str, QPushButton] = {}
        for i, (digit, _letters) in enumerate(KEYS):
            button = QPushButton(digit)
            button.setProperty("digit", digit)
            button.clicked.connect(self._on_dtmf_clicked)
            self.dtmf_buttons[digit] = button
            grid.addWidget(button, i // 3, i % 3)
        self.keypad.hide()
        self.transfer_box = QWidget()
        self.transfer_edit = QLineEdit()
        self.transfer_edit.setAccessibleName(self.tr("Transfer to"))
        self.transfer_edit.setPlaceholderText(self.tr("Transfer to (number or SIP address)"))
        self.transfer_go = QPushButton(self.tr("Transfer"))
        row = QHBoxLayout(self.transfer_box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.transfer_edit, 1)
        row.addWidget(self.transfer_go)
        self.transfer_box.hide()
        self.message_label = QLabel("")
        self.message_label.setWordWrap(True)
        self.message_label.hide()
        self.appointment_label = QLabel("")
        self.appointment_label.setWordWrap(True)
        self.appointment_label.hide()
        self.phrase_panel: PhrasePanel | None = None  # an appointment's, made by `bind`
        yield

        top = QHBoxLayout()
        who = QVBoxLayout()
        who.addWidget(self.peer_label)
        who.addWidget(self.state_label)
        top.addLayout(who, 1)
        top.addWidget(self.timer_label, 0, Qt.AlignmentFlag.AlignTop)
        controls = QHBoxLayout()
        for button in (self.mute_button, self.hold_button, self.keypad_button):
            controls.addWidget(button)
        controls.addWidget(self.transfer_button)
        controls.addWidget(self.add_call_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.appointment_label)
        layout.addWidget(self.badge)
        layout.addWidget(self.sas_panel)
        layout.addWidget(self.quality_label)
        if self.devices_row is not None:
            layout.addWidget(self.devices_row)
        layout.addLayout(controls)
        layout.addWidget(self.keypad)
        layout.addWidget(self.transfer_box)
        layout.addWidget(self.legs)
        layout.addWidget(self.message_label)
        layout.addWidget(self.hangup_button)
        layout.addWidget(self.close_button)
        self.setMinimumWidth(460)

        self.mute_button.toggled.connect(self._on_mute_button_toggled)
        self.hold_button.toggled.connect(self._on_hold_button_toggled)
        self.keypad_button.toggled.connect(self.keypad.setVisible)
        self.transfer_button.clicked.connect(self._on_transfer_button_clicked)
        self.add_call_button.clicked.connect(self._on_add_call_button_clicked)
        self.legs.holdChanged.connect(self.show_held)
        self.transfer_go.clicked.connect(self._on_transfer_go_clicked)
        self.transfer_edit.returnPressed.connect(self._on_transfer_go_clicked)
        self.hangup_button.clicked.connect(self._on_hangup_button_clicked)
        self.close_button.clicked.connect(self.close)
        self.sas_panel.sasConfirmed.connect(self._on_sas_panel_sas_confirmed)
        yield
        self._build_end_to_end(layout)
        yield
        self._tick = QTimer(self, interval=1000)
        self._tick.timeout.connect(self._on_tick_timeout)
        self._stats_timer = QTimer(self, interval=STATS_INTERVAL_MS)
        self._stats_timer.timeout.connect(self._on_stats_timer_timeout)
        self.close_timer = QTimer(self, singleShot=True, interval=CLOSE_AFTER_END_MS)
        self.close_timer.timeout.connect(self.close)
        b = self._ctx.bridge
        b.callStateChanged.connect(self._on_call_state_did_change)
        b.callMediaChanged.connect(self._on_call_media_did_change)
        b.callStatsUpdated.connect(self._on_call_stats_did_update)
        b.callSecurityFailed.connect(self._on_call_security_did_fail)
        b.callDialRefused.connect(self._on_call_dial_was_refused)
        b.callTransferProgressed.connect(self._on_call_transfer_did_progress)
        b.callEnded.connect(self._on_call_did_end)
        b.commandFailed.connect(self._on_command_did_fail)
        b.callSasReady.connect(self._on_call_sas_did_become_ready)
        b.callPeerIdentityChanged.connect(self._on_call_peer_identity_did_change)
        b.callVerificationChanged.connect(self._on_call_verification_did_change)
        b.callVideoArrived.connect(self._on_call_video_did_arrive)
        self.badge.show_view(describe(None, None))

    def warm_steps(self) -> Iterator[None]:
        """After `build_steps`, what showing it would do first, done ahead (a spare's):
        style and layout, the native window (hidden), and one paint of each part into a
        pixmap (fonts loaded; the first calls from Qt into each widget's Python wrapper,
        which take the GIL, made). Measured with another thread busy in Python, showing
        a spare stalled the GUI thread ~75 ms built only, ~33 ms polished and laid out,
        ~12 ms painted once as well (a new window: ~160 ms)."""
        self.ensurePolished()
        self.layout().activate()
        yield
        self.winId()
        yield
        parts = [self.badge, self.sas_panel, self.legs, self.keypad, self.video_panel]
        parts += [self.identity_banner, self.transfer_box]
        if self.devices_row is not None:
            parts.append(self.devices_row)
        for part in parts:
            part.grab()
            yield
        self.grab()

    def bind(
        self, call_id: str, remote_uri: str, *, appointment: Appointment | None = None
    ) -> None:
        """Give the window its call (once): who, and the appointment it is for."""
        if self.call_id is not None and self.call_id != call_id:
            raise ValueError(f"this window is for call {self.call_id}, not {call_id}")
        self.finish_building()
        self.call_id = call_id
        self.legs.call_id = call_id
        self.video_panel.call_id = call_id
        self.setWindowTitle(self.tr("Call — {peer}").format(peer=caller_address(remote_uri)))
        self.peer_label.setText(caller_address(remote_uri))
        self.peer_label.setToolTip(remote_uri)
        if self.devices_row is not None:
            self.devices_row.reset()  # a spare's row may have noted a switch before the call
        self.appointment = a = appointment
        if a is not None:
            self.appointment_label.setText(incoming_text(a, True))
            theme.paint(self.appointment_label, "info", pad=4)
            self.appointment_label.show()
            if a.phrase_hash:
                self.phrase_panel = PhrasePanel(self._ctx.bridge, a.phrase_hash)
                layout = self.layout()
                layout.insertWidget(layout.indexOf(self.appointment_label) + 1, self.phrase_panel)

    def _build_end_to_end(self, layout: QVBoxLayout) -> None:
        """The identity warning above the badge; the camera under the quality line."""
        self.state_label.setWordWrap(True)  # a security failure's reason is long
        self.identity_banner = IdentityWarning()
        layout.insertWidget(layout.indexOf(self.badge), self.identity_banner)
        self.video_panel = CallVideoPanel(self._ctx, self.call_id)
        layout.insertWidget(layout.indexOf(self.quality_label) + 1, self.video_panel)

    def _say(self, text: str, kind: str = "info") -> None:
        self.message_label.setText(text)
        theme.paint(self.message_label, kind, pad=4)
        self.message_label.show()
        theme.grow_to_fit(self)

    def _submit(self, command: cmd.Command) -> None:
        if not self.ended:
            self._ctx.bridge.submit(command)

    # -- controls --------------------------------------------------------------------

    @Slot(bool)
    def _on_mute_button_toggled(self, muted: bool) -> None:
        self.mute_button.setText(self.tr("Unmute") if muted else self.tr("Mute"))
        self._submit(cmd.SetMute(self.call_id, muted))

    @Slot(bool)
    def _on_hold_button_toggled(self, held: bool) -> None:
        self.hold_button.setText(self.tr("Resume") if held else self.tr("Hold"))
        self._submit(cmd.Hold(self.call_id) if held else cmd.Resume(self.call_id))

    @Slot()
    def _on_dtmf_clicked(self) -> None:
        self._submit(cmd.SendDtmf(self.call_id, self.sender().property("digit")))

    @Slot()
    def _on_transfer_button_clicked(self) -> None:
        self.transfer_box.setVisible(not self.transfer_box.isVisible())
        if self.transfer_box.isVisible():
            self.transfer_edit.setFocus()

    @Slot()
    def _on_add_call_button_clicked(self) -> None:
        self.legs.setVisible(not self.legs.isVisible())
        if self.legs.isVisible():
            self.legs.target_edit.setFocus()
        theme.grow_soon(self)

    @Slot(bool)
    def show_held(self, held: bool) -> None:
        """The call was put on hold (or off it) by another control: show it, send nothing."""
        self.hold_button.blockSignals(True)
        self.hold_button.setChecked(held)
        self.hold_button.setText(self.tr("Resume") if held else self.tr("Hold"))
        self.hold_button.blockSignals(False)

    @Slot()
    def _on_transfer_go_clicked(self) -> None:
        target = self.transfer_edit.text().strip()
        if not target:
            return
        refusal = self._launcher.transfer_refusal(target)
        if refusal is not None:
            self._say(self.tr("Not transferred: {reason}").format(reason=refusal), "error")
            return
        self._say(self.tr("Transferring to {target}…").format(target=target), "busy")
        self._submit(cmd.TransferBlind(self.call_id, target))

    @Slot()
    def _on_hangup_button_clicked(self) -> None:
        self._submit(cmd.Hangup(self.call_id))
        self.hangup_button.setEnabled(False)
        self.state_label.setText(self.tr("Hanging up…"))

    @Slot(bool)
    def _on_sas_panel_sas_confirmed(self, matched: bool) -> None:
        if not self.ended:
            self._ctx.bridge.confirm_sas(self.call_id, matched)
        self.sasConfirmed.emit(self.call_id, matched)

    @Slot()
    def _on_tick_timeout(self) -> None:
        if self._connected_at is not None:
            self.timer_label.setText(clock(time.monotonic() - self._connected_at))

    @Slot()
    def _on_stats_timer_timeout(self) -> None:
        self._submit(cmd.RequestStats(self.call_id))

    # -- engine events ---------------------------------------------------------------

    @Slot(object)
    def _on_call_state_did_change(self, e: ev.CallStateDidChange) -> None:
        if e.call_id != self.call_id or self.ended:
            return
        self.state_label.setText(
            self.tr(_STATE_WORDS[e.state]) if e.state in _STATE_WORDS else str(e.state)
        )
        if e.state is ev.CallState.CONFIRMED and self._connected_at is None:
            self._connected_at = time.monotonic()
            self._tick.start()

    @Slot(object)
    def _on_call_media_did_change(self, e: ev.CallMediaDidChange) -> None:
        if e.call_id != self.call_id or self.ended:
            return
        self._media, self._signalling = e.media, e.signalling or self._signalling
        self.badge.show_view(describe(self._media, self._signalling))
        if e.media.end_to_end:
            self._show_sas()
        self.video_panel.media_changed(e.media, held=e.local_hold or e.remote_hold)
        theme.grow_to_fit(self)
        if e.local_hold:
            self.state_label.setText(self.tr("On hold"))
        elif e.remote_hold:
            self.state_label.setText(self.tr("Held by the other side"))
        elif self._connected_at is not None:
            self.state_label.setText(self.tr("Connected"))
        if not self._stats_timer.isActive():
            self._stats_timer.start()
            self._on_stats_timer_timeout()

    @Slot(object)
    def _on_call_stats_did_update(self, e: ev.CallStatsDidUpdate) -> None:
        if e.call_id != self.call_id:
            return
        view = rate(e.stats)
        self.quality_label.setText(view.text)
        theme.paint(self.quality_label, view.quality.value, pad=4)

    @Slot(object)
    def _on_call_security_did_fail(self, e: ev.CallSecurityDidFail) -> None:
        if e.call_id == self.call_id:
            why = security_failure_text(e)
            self._say(self.tr("Ending the call: {reason}").format(reason=why), "error")

    @Slot(object)
    def _on_call_dial_was_refused(self, e: ev.CallDialWasRefused) -> None:
        if e.call_id == self.call_id:
            not_done = (
                self.tr("Not called: {reason}")
                if e.path == "call"
                else self.tr("Not transferred: {reason}")
            )
            self._say(not_done.format(reason=dial_refusal(e)), "error")

    @Slot(object)
    def _on_call_transfer_did_progress(self, e: ev.CallTransferDidProgress) -> None:
        if e.call_id == self.call_id:
            kind = "ok" if 200 <= e.code < 300 else "error" if e.final else "busy"
            self._say(
                self.tr("Transfer: {code} {reason}").format(code=e.code, reason=e.reason), kind
            )

    @Slot(object)
    def _on_command_did_fail(self, e: ev.CommandDidFail) -> None:
        if e.call_id == self.call_id and e.command != "RequestStats":
            self._say(
                self.tr("{command} failed: {error}").format(command=e.command, error=e.error),
                "error",
            )

    @Slot(object)
    def _on_call_did_end(self, e: ev.CallDidEnd) -> None:
        if e.call_id != self.call_id:
            return
        self.ended = True
        self.video_panel.end()
        self._tick.stop()
        self._stats_timer.stop()
        why = end_reason(e) or self.tr("ended")
        self.state_label.setText(
            self.tr("Call ended — {reason} ({duration})").format(
                reason=why, duration=clock(e.duration)
            )
        )
        # The engine's own words, with their technical details, for whoever supports it.
        self.state_label.setToolTip((e.security_failure or e.reason) if e.cause else "")
        for button in (
            self.mute_button,
            self.hold_button,
            self.keypad_button,
            self.transfer_button,
            self.add_call_button,
            self.hangup_button,
        ):
            button.setEnabled(False)
        self.keypad.hide()
        self.transfer_box.hide()
        self.legs.hide()
        if self.phrase_panel is not None:
            self.phrase_panel.hide()
        self.hangup_button.hide()
        if self.devices_row is not None:
            self.devices_row.end()
        self.close_button.show()
        self.close_timer.start()  # the patient's details do not stay on screen

    # -- end-to-end verification ---------------------------------------------------------

    def _show_sas(self) -> None:
        self.sas_panel.show_view(
            sas_view(self._sas_ready, self._identity_changed, self._verification)
        )
        self.sas_panel.show()
        theme.grow_soon(self)

    @Slot(object)
    def _on_call_sas_did_become_ready(self, e: ev.CallSasDidBecomeReady) -> None:
        if e.call_id != self.call_id or self.ended:
            return
        self._sas_ready = e
        self._show_sas()

    @Slot(object)
    def _on_call_peer_identity_did_change(self, e: ev.CallPeerIdentityDidChange) -> None:
        """LOUD, before anyone talks: the banner, the window raised, the taskbar flashing."""
        if e.call_id != self.call_id or self.ended:
            return
        self._identity_changed = e
        self.identity_banner.show_warning(identity_warning(e))
        if self._sas_ready is not None or self.sas_panel.isVisible():
            self._show_sas()
        self.raise_()
        self.activateWindow()
        QApplication.alert(self)
        theme.grow_soon(self)

    @Slot(object)
    def _on_call_verification_did_change(self, e: ev.CallVerificationDidChange) -> None:
        if e.call_id != self.call_id:
            return
        self._verification = e
        media = self._media
        if media is not None and media.end_to_end and (e.verified or e.mismatch):
            # the badge follows at once (the engine's media event confirms it)
            self._media = replace(media, verified=e.verified)
            view = describe(self._media, self._signalling)
            if e.mismatch:
                view = replace(view, end_to_end=mismatch_line())
            self.badge.show_view(view)
        if e.verified and self._identity_changed is not None:
            self.identity_banner.hide()  # compared again and confirmed
        if e.mismatch:
            self._say(call_end_reason(e), "error")
        self._show_sas()

    @Slot(object)
    def _on_call_video_did_arrive(self, e: ev.CallVideoDidArrive) -> None:
        if e.call_id == self.call_id and not self.ended:
            self.video_panel.video_arrived(e)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        theme.grow_soon(self)

    def closeEvent(self, event) -> None:
        if self.call_id is None:  # a spare, never bound: no call to end
            super().closeEvent(event)
            return
        if not self.ended:
            self._ctx.bridge.submit(cmd.Hangup(self.call_id))  # closing the window hangs up
        super().closeEvent(event)
        self.windowClosed.emit(self.call_id)


SPARE_STEP_MS = 0  # between two steps of building a spare: other events go first


class SpareCallWindow(QObject):
    """One call window built ahead, hidden, for the next call. GUI thread.

    `prepare` builds it in steps of a few ms each (`CallWindow.build_steps`, then
    `warm_steps`), one per event-loop turn, so nothing else waits long for it; `take`
    hands it over (None while it is not ready: the caller builds a window at once, as
    before) and starts the next one `after_ms` later. Building stops when `close`d.
    """

    def __init__(self, ctx: UiContext, launcher: CallLauncher, parent: QObject | None = None):
        super().__init__(parent)
        self._ctx = ctx
        self._launcher = launcher
        self._window: CallWindow | None = None  # being built, or ready
        self._steps: Iterator[None] | None = None
        self._ready = False
        self._closed = False
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self._on_timer_timeout)

    @property
    def ready(self) -> bool:
        return self._ready

    def prepare(self, after_ms: int = 0) -> None:
        """Start building a spare `after_ms` from now, unless one is built or on its way."""
        if self._closed or self._window is not None or self._timer.isActive():
            return
        self._timer.start(after_ms)

    def take(self, after_ms: int = 1000) -> CallWindow | None:
        """The spare, if it is ready (unbound: the caller binds it); the next one follows."""
        if not self._ready:
            return None
        window, self._window, self._steps, self._ready = self._window, None, None, False
        self.prepare(after_ms)
        return window

    def renew(self, after_ms: int = 0) -> None:
        """Build the spare again (the settings changed: a window opened from now on
        speaks the language just chosen)."""
        if self._closed or (self._window is None and not self._timer.isActive()):
            return  # none wanted yet
        self._timer.stop()
        self._drop()
        self.prepare(after_ms)

    def close(self) -> None:
        """No more spares; the one there is goes."""
        self._closed = True
        self._timer.stop()
        self._drop()

    def _drop(self) -> None:
        window, self._window, self._steps, self._ready = self._window, None, None, False
        if window is not None:
            window.deleteLater()

    @Slot()
    def _on_timer_timeout(self) -> None:
        if self._closed or self._ready:
            return
        if self._window is None:
            self._window = CallWindow(self._ctx, self._launcher, None, build=False)
            self._steps = self._all_steps(self._window)
        else:
            try:
                next(self._steps)
            except StopIteration:
                self._steps = None
                self._ready = True
                return
        self._timer.start(SPARE_STEP_MS)

    @staticmethod
    def _all_steps(window: CallWindow) -> Iterator[None]:
        yield from window.build_steps()
        yield from window.warm_steps()
