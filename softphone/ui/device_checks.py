"""A device check (microphone meter, speaker tone, echo test) run as a child process.

GUI thread. `QProcess` starts `python -m softphone.media.check_process …` and reads
its JSON lines as they come (the `readyRead` signal): nothing here waits. The child
owns its own PortAudio (see `media/check_process.py` for why), so opening a device,
which can take a while or hang on a broken driver, never happens on the GUI thread
and never touches a call's streams.

`stop()` closes the child's stdin, which makes it exit; a child that does not exit
within `KILL_AFTER_MS` is killed. The QProcess belongs to the bridge (which lives
until the app ends) rather than to the page that asked, so a page can close at once
while its child winds down; it deletes itself when the child has gone.
"""

from __future__ import annotations

import json
import logging

import shiboken6
from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, QTimer, Signal, Slot

from softphone.media.check_process import child_env, command

log = logging.getLogger(__name__)

KILL_AFTER_MS = 2000


class DeviceCheck(QObject):
    """One run of one check. Signals carry plain values; `ended` comes last, once."""

    deviceOpened = Signal(str)  # the device's label
    levelMeasured = Signal(float, float)  # rms, peak (dBFS)
    phaseChanged = Signal(str)  # "recording", "playing"
    succeeded = Signal(object)  # the child's "done" dict
    failed = Signal(str)  # words for the user
    ended = Signal()

    def __init__(self, owner: QObject, *args: str) -> None:
        super().__init__(owner)
        self.args = args
        self._done = False
        self._buffer = b""
        self._process = QProcess(owner)
        env = QProcessEnvironment()
        for key, value in child_env().items():
            env.insert(key, value)
        self._process.setProcessEnvironment(env)
        self._process.readyReadStandardOutput.connect(self._on_process_ready_read)
        self._process.finished.connect(self._on_process_finished)
        self._process.errorOccurred.connect(self._on_process_error_occurred)
        self._kill = QTimer(self._process, singleShot=True, interval=KILL_AFTER_MS)
        self._kill.timeout.connect(self._process.kill)
        self._process.setProcessChannelMode(QProcess.ProcessChannelMode.SeparateChannels)
        self._process.setStandardErrorFile(QProcess.nullDevice())

    def start(self) -> DeviceCheck:
        program, *argv = command(*self.args)
        self._process.start(program, argv)
        return self

    @property
    def running(self) -> bool:
        return not self._done

    def stop(self) -> None:
        """Ask the child to end (its stdin closes); no more signals from this run."""
        if self._done or not shiboken6.isValid(self):
            return
        self._done = True
        self.ended.emit()
        if self._process.state() != QProcess.ProcessState.NotRunning:
            self._process.closeWriteChannel()
            self._kill.start()

    # -- the child's output ----------------------------------------------------------

    @Slot()
    def _on_process_ready_read(self) -> None:
        self._buffer += bytes(self._process.readAllStandardOutput())
        *lines, self._buffer = self._buffer.split(b"\n")
        for line in lines:
            if self._done:
                return
            try:
                doc = json.loads(line)
            except ValueError:
                continue
            self._handle(doc)

    def _handle(self, doc: dict) -> None:
        if "rms" in doc:
            self.levelMeasured.emit(float(doc["rms"]), float(doc["peak"]))
        elif "phase" in doc:
            self.phaseChanged.emit(doc["phase"])
            if doc.get("device"):
                self.deviceOpened.emit(doc["device"])
        elif "device" in doc:
            self.deviceOpened.emit(doc["device"])
        elif "done" in doc:
            self.succeeded.emit(doc["done"])
            self._end()
        elif "error" in doc:
            self.failed.emit(str(doc["error"]))
            self._end()

    @Slot(int, QProcess.ExitStatus)
    def _on_process_finished(self, code: int, _status: QProcess.ExitStatus) -> None:
        self._on_process_ready_read()
        if not self._done:
            self.failed.emit(f"the check stopped unexpectedly (exit status {code})")
            self._end()
        self._kill.stop()
        self._process.deleteLater()
        self.deleteLater()

    @Slot(QProcess.ProcessError)
    def _on_process_error_occurred(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart and not self._done:
            self.failed.emit(f"the check could not start: {self._process.errorString()}")
            self._end()
            self._process.deleteLater()
            self.deleteLater()

    def _end(self) -> None:
        if not self._done:
            self._done = True
            self.ended.emit()
