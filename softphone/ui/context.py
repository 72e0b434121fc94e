"""What the windows share: the bridge, the policy and settings in force, the stores.

GUI thread. Built once by `app.run_gui` (or by a test) and handed to each window:
no singletons. Services that may be missing (no secret store unlocked, no database,
no account) are None, and every window says so instead of failing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from softphone.config.admin_policy import AdminPolicy
from softphone.config.profile import SipProfile
from softphone.config.settings import Effective, Settings, effective_settings
from softphone.directory.contacts import ContactDirectory
from softphone.e2e.trust import PeerTrust
from softphone.history.recorder import HistoryRecorder
from softphone.media.camera_feed import CameraFeed
from softphone.policy.inbound import InboundMode
from softphone.policy.pin import PinAuthority
from softphone.schedule.live import LiveSchedule
from softphone.security.secret_store import SecretStore
from softphone.storage.database import LocalDatabase
from softphone.tasks.policy import DialReport, check_dial
from softphone.ui.bridge import EngineBridge
from softphone.ui.dial_advice import DialAdvice, advise, clean_typed


@dataclass
class AccountInfo:
    """The account the engine was given: its id there, profile and user."""

    account_id: str
    profile: SipProfile
    username: str

    @property
    def address(self) -> str:
        return f"{self.username}@{self.profile.domain}"


@dataclass
class UiContext:
    bridge: EngineBridge
    admin: AdminPolicy = field(default_factory=AdminPolicy)
    settings: Settings = field(default_factory=Settings)
    settings_file: Path | None = None  # None: the user's settings.json
    store: SecretStore | None = None
    database: LocalDatabase | None = None
    recorder: HistoryRecorder | None = None
    trust: PeerTrust | None = None  # end-to-end verification per peer (needs the database)
    camera: CameraFeed | None = None  # the configured camera, shared with the engine
    pins: PinAuthority | None = None
    role: str | None = None  # dialing role; None: the policy's default
    account: AccountInfo | None = None
    directory: ContactDirectory | None = None  # the local contacts (needs the database)
    schedule: LiveSchedule | None = None  # appointments as the engine's inbound check sees them
    # Puts "who may call me" into force in the engine (same caller facts); None in tests
    # of widgets that have no engine policy to change.
    apply_inbound_mode: Callable[[InboundMode], None] | None = None
    # Calls use the microphone and speaker (the app: True; widget tests: no devices).
    sound_devices: bool = False
    cameras: Any = None  # settings_camera.CameraAccess; None: the real cameras

    @property
    def effective(self) -> Effective:
        return effective_settings(self.settings, self.admin)

    def dial_report(self, text: str) -> DialReport | None:
        """The engine's own decision for `text` under this account's dial plan."""
        if self.account is None:
            return None
        return check_dial(clean_typed(text), self.account.profile, self.admin, self.role)

    def dial_advice(self, text: str) -> DialAdvice:
        return advise(text, self.dial_report(text))
