"""Pure policy decisions: what may be dialled, accepted, followed, recorded, logged."""

from softphone.policy.decision import Decision

__all__ = ["Decision"]
