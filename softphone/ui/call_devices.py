"""The in-call device row: which microphone and speaker the call is on, a menu to switch
either mid-call, and what happened when a device went away. GUI thread.

Choosing in the menu submits `SetAudioDevices` (the engine moves the call's stream at
once) and keeps the choice in settings, written on a worker thread. What the row shows
comes only from the engine: `AudioDeviceDidSwitch` (a call started, the user switched,
a fallback: "Headset disconnected — using Speakers") and `AudioDeviceDidFail`. The
device streams are shared by all calls, so every call window shows the same devices.
"""

from __future__ import annotations

import functools
from dataclasses import replace

from PySide6.QtCore import Slot
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QToolButton, QVBoxLayout, QWidget

from softphone.config.settings import effective_settings, save_settings
from softphone.engine import commands as cmd
from softphone.engine import events as ev
from softphone.ui import theme
from softphone.ui.bridge import JobResult
from softphone.ui.context import UiContext
from softphone.ui.device_text import (
    ROLE_KIND,
    SwitchNotice,
    device_items,
    is_chosen,
    switch_notice,
)

ROLES = ("microphone", "speaker")


class CallDevicesRow(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._in_use: dict[str, str] = self._devices_in_use()
        self.status_label = QLabel("")
        self.status_label.setWordWrap(True)
        self.status_label.setAccessibleName(self.tr("Sound devices in use"))
        self.notice_label = QLabel("")
        self.notice_label.setWordWrap(True)
        self.notice_label.hide()
        self.menu = QMenu(self)
        self.menu.setAccessibleName(self.tr("Switch sound devices"))
        self.devices_button = QToolButton()
        self.devices_button.setText(self.tr("Devices"))
        self.devices_button.setAccessibleName(self.tr("Switch microphone or speaker"))
        self.devices_button.setToolTip(self.tr("Switch the microphone or the speaker of this call"))
        self.devices_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.devices_button.setMenu(self.menu)
        self.role_actions: dict[str, list[QAction]] = {role: [] for role in ROLES}
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.status_label, 1)
        row.addWidget(self.devices_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.notice_label)
        self.menu.aboutToShow.connect(self._on_menu_about_to_show)
        b = ctx.bridge
        b.audioDeviceSwitched.connect(self._on_audio_device_did_switch)
        b.audioDeviceFailed.connect(self._on_audio_device_did_fail)
        b.audioDevicesChanged.connect(self._on_audio_devices_did_change)
        self._show_status()
        self.rebuild_menu()

    def _devices_in_use(self) -> dict[str, str]:
        return {role: e.name for role, e in self._ctx.bridge.audio_in_use.items() if role in ROLES}

    def reset(self) -> None:
        """As if built now: the devices in use now, no notice (a window built ahead of
        its call may have heard of a switch before the call)."""
        self._in_use = self._devices_in_use()
        self._show_status()
        self.notice_label.setText("")
        self.notice_label.hide()

    # -- the menu --------------------------------------------------------------------

    def rebuild_menu(self) -> None:
        """The menu from the engine's last device list; the saved choice checked."""
        self.menu.clear()
        devices = self._ctx.bridge.audio_devices
        audio = self._ctx.settings.audio
        titles = {"microphone": self.tr("Microphone"), "speaker": self.tr("Speaker")}
        for role in ROLES:
            self.menu.addSection(titles[role])
            group = QActionGroup(self.menu)
            group.setExclusive(True)
            self.role_actions[role] = []
            chosen = getattr(audio, role)
            for item in device_items(devices, ROLE_KIND[role], chosen):
                if item.name is None:
                    text = self.tr("System default")
                    if item.label:
                        text = self.tr("System default — {0}").format(item.label)
                elif item.missing:
                    text = self.tr("{0} — not connected").format(item.name)
                else:
                    text = item.label
                action = QAction(text, self.menu)
                action.setCheckable(True)
                action.setChecked(is_chosen(item, chosen))
                action.setEnabled(not item.missing)
                action.setData((role, item.name, item.label))
                action.triggered.connect(self._on_device_action_triggered)
                group.addAction(action)
                self.menu.addAction(action)
                self.role_actions[role].append(action)
        if devices is None:
            waiting = self.menu.addAction(self.tr("Looking for sound devices…"))
            waiting.setEnabled(False)

    @Slot()
    def _on_menu_about_to_show(self) -> None:
        if self._ctx.bridge.audio_devices is None:
            self._ctx.bridge.submit(cmd.ListAudioDevices())
        self.rebuild_menu()

    @Slot(object)
    def _on_audio_devices_did_change(self, _e: ev.AudioDevicesDidChange) -> None:
        if not self.menu.isVisible():
            self.rebuild_menu()

    @Slot()
    def _on_device_action_triggered(self) -> None:
        role, name, label = self.sender().data()
        self.choose(role, name, label)

    def choose(self, role: str, name: str | None, label: str = "") -> None:
        """Move this role to `name` (None: the system default), now and from now on;
        `label` is what the user picked (a kept name can carry a server's name)."""
        settings = self._ctx.settings
        settings = replace(settings, audio=replace(settings.audio, **{role: name}))
        self._ctx.settings = settings
        audio = effective_settings(settings, self._ctx.admin).settings.audio
        self._ctx.bridge.submit(cmd.SetAudioDevices.from_settings(audio))
        shown = (label or name) if name is not None else self.tr("the system default")
        what = self.tr("Switching to {0}…").format(shown)
        self._notify(what, "busy")
        job = functools.partial(save_settings, settings, self._ctx.settings_file)
        self._ctx.bridge.run_in_background(job, self._done_save)

    def _done_save(self, result: JobResult) -> None:
        if not result.ok:
            self._notify(self.tr("The choice was not saved: {0}").format(result.error), "error")

    # -- engine events ---------------------------------------------------------------

    @Slot(object)
    def _on_audio_device_did_switch(self, e: ev.AudioDeviceDidSwitch) -> None:
        if e.role not in ROLES:
            return
        notice = switch_notice(e, self._in_use.get(e.role))
        self._in_use[e.role] = e.name
        self._show_status()
        text = self.notice_text(notice)
        if notice.warns:
            self._notify(text, "busy")
        elif notice.kind in ("back", "switched"):
            self._notify(text, "ok")

    @Slot(object)
    def _on_audio_device_did_fail(self, e: ev.AudioDeviceDidFail) -> None:
        if e.role not in ROLES:
            return
        self._in_use.pop(e.role, None)
        self._show_status()
        what = self.tr("No microphone") if e.role == "microphone" else self.tr("No speaker")
        self._notify(f"{what}: {e.reason}", "error")

    def notice_text(self, n: SwitchNotice) -> str:
        if n.kind == "disconnected":
            return self.tr("{0} disconnected — using {1}").format(n.previous, n.name)
        if n.kind == "unavailable":
            if n.previous:
                return self.tr("{0} is not available — using {1}").format(n.previous, n.name)
            return self.tr("Using {0}").format(n.name)
        if n.kind == "back":
            return self.tr("{0} is back — using it again").format(n.name)
        if n.role == "microphone":
            return self.tr("Microphone: {0}").format(n.name)
        return self.tr("Speaker: {0}").format(n.name)

    def _show_status(self) -> None:
        mic = self._in_use.get("microphone") or "–"
        speaker = self._in_use.get("speaker") or "–"
        self.status_label.setText(self.tr("Microphone: {0} · Speaker: {1}").format(mic, speaker))

    def _notify(self, text: str, kind: str) -> None:
        self.notice_label.setText(text)
        theme.paint(self.notice_label, kind, pad=4)
        self.notice_label.show()
        theme.grow_soon(self.window())

    def end(self) -> None:
        """The call ended: nothing left to switch."""
        self.devices_button.setEnabled(False)
