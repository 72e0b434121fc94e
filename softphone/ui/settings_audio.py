"""Settings → Audio: microphone, speaker and ringer by name, a live microphone level, a
speaker test tone, an echo test, the encrypted echo test call through the devices, and
the microphone's processing switches. GUI thread.

The device lists are the engine's (`AudioDevicesDidChange`, "name (host API)"): they
refresh by themselves when a device comes or goes. A chosen device that is not plugged
in stays listed as "not connected", so the choice survives an unplugged headset. The
checks run in a child process (`DeviceCheck`): the GUI thread never opens a device.
The meter runs only while this page is on screen. Choices reach the engine
(`SetAudioDevices`) when the dialog saves; the echo test call first applies what this
page shows, and the dialog puts the saved choice back if it is then cancelled.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from softphone.config.settings import AudioSettings
from softphone.engine import commands as cmd
from softphone.engine import events as ev
from softphone.ui import theme
from softphone.ui.context import UiContext
from softphone.ui.device_checks import DeviceCheck
from softphone.ui.device_text import (
    METER_FLOOR_DBFS,
    DeviceItem,
    chosen_index,
    device_items,
    meter_percent,
)

ECHO_SECONDS = 5
SWITCHES = ("echo_cancellation", "noise_suppression", "auto_gain")


class AudioPage(QWidget):
    """`lock_row(key, widget)` (the dialog's) disables a locked widget and returns the
    label that says why."""

    testCallRequested = Signal()

    def __init__(
        self, ctx: UiContext, lock_row: Callable[[str, QWidget], QLabel], parent=None
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._meter: DeviceCheck | None = None
        self._check: DeviceCheck | None = None  # the tone or the echo test
        self._last_level: tuple[float, float] | None = None
        audio = ctx.effective.settings.audio
        self.microphone_combo = self._combo(self.tr("Microphone"))
        self.speaker_combo = self._combo(self.tr("Speaker"))
        self.ringer_combo = self._combo(self.tr("Ringer"))
        self._chosen = {
            self.microphone_combo: audio.microphone,
            self.speaker_combo: audio.speaker,
            self.ringer_combo: audio.ringer,
        }
        self.devices_label = QLabel("")
        self.devices_label.setWordWrap(True)
        self.devices_label.hide()

        self.meter_bar = QProgressBar()
        self.meter_bar.setRange(0, 100)
        self.meter_bar.setValue(0)
        self.meter_bar.setFormat(self.tr("silent"))
        self.meter_bar.setAccessibleName(self.tr("Microphone level"))
        self.meter_bar.setMinimumWidth(260)
        self.meter_label = QLabel(self.tr("Speak: the bar follows your voice."))
        self.meter_label.setWordWrap(True)

        self.tone_button = QPushButton(self.tr("Play a test tone"))
        self.tone_button.setAccessibleName(self.tr("Play a test tone on the speaker"))
        self.echo_button = QPushButton(self.tr("Echo test (record 5 s, play back)"))
        self.echo_button.setAccessibleName(self.tr("Echo test: record five seconds, play back"))
        self.test_call_button = QPushButton(self.tr("Encrypted echo test call…"))
        self.test_call_button.setAccessibleName(
            self.tr("Encrypted echo test call through these devices")
        )
        self.test_call_button.setToolTip(
            self.tr(
                "Calls the app's own echo peer over TLS and SRTP with this microphone "
                "and speaker: you hear yourself through both encrypted legs."
            )
        )
        self.check_label = QLabel("")
        self.check_label.setWordWrap(True)
        self.check_label.hide()

        self.switch_checks: dict[str, QCheckBox] = {}
        texts = {
            "echo_cancellation": self.tr("Echo cancellation"),
            "noise_suppression": self.tr("Noise suppression"),
            "auto_gain": self.tr("Automatic gain"),
        }
        for key in SWITCHES:
            box = QCheckBox(texts[key])
            box.setAccessibleName(texts[key])
            box.setChecked(getattr(audio, key))
            self.switch_checks[key] = box

        devices = QGroupBox(self.tr("Devices"))
        form = QFormLayout(devices)
        form.addRow(self.tr("Microphone:"), self.microphone_combo)
        speaker_row = QHBoxLayout()
        speaker_row.addWidget(self.speaker_combo, 1)
        speaker_row.addWidget(self.tone_button)
        form.addRow(self.tr("Speaker:"), speaker_row)
        form.addRow(self.tr("Ringer:"), self.ringer_combo)
        form.addRow(self.devices_label)
        level = QGroupBox(self.tr("Microphone level"))
        lv = QVBoxLayout(level)
        lv.addWidget(self.meter_bar)
        lv.addWidget(self.meter_label)
        tests = QGroupBox(self.tr("Tests"))
        tl = QHBoxLayout(tests)
        tl.addWidget(self.echo_button)
        tl.addWidget(self.test_call_button)
        tl.addStretch(1)
        processing = QGroupBox(self.tr("Microphone processing"))
        pl = QVBoxLayout(processing)
        for key in SWITCHES:
            pl.addWidget(self.switch_checks[key])
            pl.addWidget(lock_row(f"audio.{key}", self.switch_checks[key]))
        layout = QVBoxLayout(self)
        layout.addWidget(devices)
        layout.addWidget(level)
        layout.addWidget(tests)
        layout.addWidget(self.check_label)
        layout.addWidget(processing)
        layout.addStretch(1)

        self.microphone_combo.activated.connect(self._on_microphone_combo_activated)
        for combo in (self.speaker_combo, self.ringer_combo):
            combo.activated.connect(self._on_combo_activated)
        self.tone_button.clicked.connect(self._on_tone_button_clicked)
        self.echo_button.clicked.connect(self._on_echo_button_clicked)
        self.test_call_button.clicked.connect(self.testCallRequested)
        ctx.bridge.audioDevicesChanged.connect(self._on_audio_devices_did_change)
        self._fill(ctx.bridge.audio_devices)
        if ctx.bridge.audio_devices is None:
            ctx.bridge.submit(cmd.ListAudioDevices())

    def _combo(self, name: str) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(name)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(28)
        return combo

    # -- device lists ----------------------------------------------------------------

    def _item_text(self, item: DeviceItem) -> str:
        if item.name is None:
            if item.label:
                return self.tr("System default — {0}").format(item.label)
            return self.tr("System default")
        if item.missing:
            return self.tr("{0} — not connected").format(item.name)
        return item.label

    def _fill(self, devices: ev.AudioDevicesDidChange | None) -> None:
        for combo, kind in (
            (self.microphone_combo, "input"),
            (self.speaker_combo, "output"),
            (self.ringer_combo, "output"),
        ):
            items = device_items(devices, kind, self._chosen[combo])
            combo.blockSignals(True)
            combo.clear()
            for item in items:
                combo.addItem(self._item_text(item), item.name)
                if item.missing:
                    combo.setItemData(
                        combo.count() - 1,
                        self.tr("Chosen, but not plugged in now: the system default is used"),
                        Qt.ItemDataRole.ToolTipRole,
                    )
            index = chosen_index(items, self._chosen[combo])
            combo.setCurrentIndex(index)
            combo.blockSignals(False)
            if index > 0 and not items[index].missing:
                # kept from now on by its key (a device's name, with a sound server's
                # own name added): a choice kept by description follows a new language
                self._chosen[combo] = items[index].name
        if devices is None:
            self._say_devices(self.tr("Looking for sound devices…"), "pending")
        elif devices.error:
            text = self.tr("Sound devices unavailable: {0}").format(devices.error)
            self._say_devices(text, "error")
        elif not devices.input_names and not devices.output_names:
            self._say_devices(self.tr("No sound devices found."), "error")
        else:
            self.devices_label.hide()

    def _say_devices(self, text: str, kind: str) -> None:
        self.devices_label.setText(text)
        theme.paint(self.devices_label, kind, pad=4)
        self.devices_label.show()

    @Slot(object)
    def _on_audio_devices_did_change(self, e: ev.AudioDevicesDidChange) -> None:
        self._fill(e)

    @Slot(int)
    def _on_combo_activated(self, _index: int) -> None:
        combo = self.sender()
        self._chosen[combo] = combo.currentData()

    @Slot(int)
    def _on_microphone_combo_activated(self, _index: int) -> None:
        self._chosen[self.microphone_combo] = self.microphone_combo.currentData()
        if self._meter is not None:
            self.start_meter()  # on the newly chosen microphone

    def chosen(self, user: AudioSettings, locked: dict[str, str]) -> AudioSettings:
        """The page's choices; locked switches keep the user's own value underneath."""
        switches = {
            key: getattr(user, key)
            if f"audio.{key}" in locked
            else self.switch_checks[key].isChecked()
            for key in SWITCHES
        }
        return AudioSettings(
            microphone=self._chosen[self.microphone_combo],
            speaker=self._chosen[self.speaker_combo],
            ringer=self._chosen[self.ringer_combo],
            **switches,
        )

    # -- the level meter -------------------------------------------------------------

    def start_meter(self) -> None:
        self.stop_meter()
        args = ["meter"]
        if self._chosen[self.microphone_combo] is not None:
            args += ["--device", self._chosen[self.microphone_combo]]
        self.meter_label.setText(self.tr("Opening the microphone…"))
        self._meter = DeviceCheck(self._ctx.bridge, *args)
        self._meter.deviceOpened.connect(self._on_meter_device_opened)
        self._meter.levelMeasured.connect(self._on_meter_level_measured)
        self._meter.failed.connect(self._on_meter_failed)
        self._meter.start()

    def stop_meter(self) -> None:
        meter, self._meter = self._meter, None
        if meter is not None:
            meter.stop()
        self.meter_bar.setValue(0)
        self.meter_bar.setFormat(self.tr("silent"))

    @property
    def level(self) -> tuple[float, float] | None:
        """The last level measured (rms, peak dBFS), for tests and accessibility."""
        return self._last_level

    @Slot(str)
    def _on_meter_device_opened(self, label: str) -> None:
        text = self.tr("Listening to {0}. Speak: the bar follows your voice.")
        self.meter_label.setText(text.format(label))

    @Slot(float, float)
    def _on_meter_level_measured(self, rms: float, peak: float) -> None:
        self._last_level = (rms, peak)
        self.meter_bar.setValue(meter_percent(rms))
        self.meter_bar.setFormat(
            self.tr("silent") if rms <= METER_FLOOR_DBFS else self.tr("{0:.0f} dBFS").format(rms)
        )

    @Slot(str)
    def _on_meter_failed(self, why: str) -> None:
        self._meter = None
        self.meter_label.setText(self.tr("No microphone level: {0}").format(why))

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._meter is None and self._check is None:
            self.start_meter()

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        self.stop_meter()

    def shutdown(self) -> None:
        """The dialog is closing: end every check."""
        self.stop_meter()
        check, self._check = self._check, None
        if check is not None:
            check.stop()

    # -- the tone and the echo test --------------------------------------------------

    def _run_check(self, *args: str) -> DeviceCheck:
        check = DeviceCheck(self._ctx.bridge, *args)
        check.phaseChanged.connect(self._on_check_phase_changed)
        check.succeeded.connect(self._on_check_succeeded)
        check.failed.connect(self._on_check_failed)
        self._check = check
        self.tone_button.setEnabled(False)
        self.echo_button.setEnabled(False)
        return check.start()

    @Slot()
    def _on_tone_button_clicked(self) -> None:
        args = ["tone", "--seconds", "2"]
        if self._chosen[self.speaker_combo] is not None:
            args += ["--device", self._chosen[self.speaker_combo]]
        self._say_check(self.tr("Playing a 440 Hz tone for 2 s…"), "busy")
        self._run_check(*args)

    @Slot()
    def _on_echo_button_clicked(self) -> None:
        self.stop_meter()  # the echo test records from the microphone itself
        args = ["echo", "--seconds", str(ECHO_SECONDS)]
        if self._chosen[self.microphone_combo] is not None:
            args += ["--mic", self._chosen[self.microphone_combo]]
        if self._chosen[self.speaker_combo] is not None:
            args += ["--speaker", self._chosen[self.speaker_combo]]
        self._say_check(self.tr("Opening the microphone…"), "busy")
        self._run_check(*args)

    @Slot(str)
    def _on_check_phase_changed(self, phase: str) -> None:
        if phase == "recording":
            self._say_check(self.tr("Recording {0} s: say something…").format(ECHO_SECONDS), "busy")
        elif phase == "playing":
            self._say_check(self.tr("Playing back what was recorded…"), "busy")

    @Slot(object)
    def _on_check_succeeded(self, done: dict) -> None:
        if "rms_dbfs" in done:
            level = float(done["rms_dbfs"])
            if level > METER_FLOOR_DBFS:
                text = self.tr("Echo test done: recorded at {0:.0f} dBFS and played back.")
                self._say_check(text.format(level), "ok")
            else:
                self._say_check(self.tr("Echo test done, but the microphone was silent."), "error")
        else:
            text = self.tr("Test tone played on {0}.")
            self._say_check(text.format(done.get("device", "?")), "ok")
        self._check_ended()

    @Slot(str)
    def _on_check_failed(self, why: str) -> None:
        self._say_check(self.tr("The test did not run: {0}").format(why), "error")
        self._check_ended()

    def _check_ended(self) -> None:
        self._check = None
        self.tone_button.setEnabled(True)
        self.echo_button.setEnabled(True)
        if self.isVisible() and self._meter is None:
            self.start_meter()

    def _say_check(self, text: str, kind: str) -> None:
        self.check_label.setText(text)
        theme.paint(self.check_label, kind, pad=4)
        self.check_label.show()
