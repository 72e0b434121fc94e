"""The registration watchdog (`Accounts.tick`): a registration pjsua stops reporting on
is sent again, and reported as failed in the end, never left "registering"."""

from __future__ import annotations

from types import SimpleNamespace

import pjsua2 as pj

from softphone.engine import accounts as acc_mod
from softphone.engine import events as ev
from softphone.engine.accounts import AccountEntry, Accounts


class FakeAccount:
    def __init__(self, busy: bool = False) -> None:
        self.sent: list[bool] = []
        self.busy = busy

    def setRegistration(self, renew: bool) -> None:
        if self.busy:
            error = pj.Error()
            error.reason = "Object is busy (PJSIP_EBUSY)"
            raise error
        self.sent.append(renew)


def registering(busy: bool = False):
    emitted: list = []
    accounts = Accounts(SimpleNamespace(emit=emitted.append))
    entry = AccountEntry("acc", None, "alice", FakeAccount(busy), 0, ("sdes",))
    accounts._accounts["acc"] = entry
    accounts._registering(entry)
    return accounts, entry, emitted


def test_nothing_happens_while_the_outcome_may_still_come():
    accounts, entry, emitted = registering()
    accounts.tick(entry.registering_since + acc_mod.RETRY_AFTER_S - 0.1)
    assert entry.pj.sent == [] and emitted == []


def test_a_silent_registration_is_sent_again_every_few_seconds():
    accounts, entry, emitted = registering()
    t0 = entry.registering_since
    accounts.tick(t0 + acc_mod.RETRY_AFTER_S)
    accounts.tick(t0 + acc_mod.RETRY_AFTER_S + 1)  # not again at once
    accounts.tick(t0 + 2 * acc_mod.RETRY_AFTER_S)
    assert entry.pj.sent == [True, True]
    assert emitted == [] and entry.state is ev.RegistrationState.REGISTERING


def test_an_outcome_stops_the_watchdog():
    accounts, entry, emitted = registering()
    t0 = entry.registering_since
    prm = SimpleNamespace(code=200, reason="OK", expiration=300)
    accounts.signalling_for = lambda _entry: None
    accounts._on_reg_state("acc", prm)
    accounts.tick(t0 + acc_mod.GIVE_UP_S + 1)
    assert entry.pj.sent == []
    assert [e.state for e in emitted] == [ev.RegistrationState.REGISTERED]


def test_a_registration_never_answered_is_reported_failed_once():
    accounts, entry, emitted = registering(busy=True)  # pjsua refuses each new REGISTER
    t0 = entry.registering_since
    accounts.tick(t0 + acc_mod.RETRY_AFTER_S)  # busy: quietly waits on
    accounts.tick(t0 + acc_mod.GIVE_UP_S)
    accounts.tick(t0 + acc_mod.GIVE_UP_S + 10)
    assert len(emitted) == 1
    failed = emitted[0]
    assert failed.state is ev.RegistrationState.FAILED
    assert failed.failure is ev.RegistrationFailure.UNREACHABLE
    assert "did not answer within 40 s" in failed.reason
    assert entry.state is ev.RegistrationState.FAILED
