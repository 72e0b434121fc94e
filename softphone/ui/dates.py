"""Dates and times as the UI writes them, in its language. Pure, any thread.

`strftime` would name days and months in the C locale's English whatever the UI's
language; these helpers take the names and the order of the parts from the
translation instead ("Mon 23 Nov 14:05" in English, "11月23日 周一 14:05" in
Chinese). Times are always 24-hour "HH:MM". Pass aware datetimes already in the zone
to show (`astimezone()`).
"""

from __future__ import annotations

from datetime import datetime

from softphone.ui.i18n import QT_TRANSLATE_NOOP, translate

_WEEKDAYS = (
    QT_TRANSLATE_NOOP("Dates", "Monday"),
    QT_TRANSLATE_NOOP("Dates", "Tuesday"),
    QT_TRANSLATE_NOOP("Dates", "Wednesday"),
    QT_TRANSLATE_NOOP("Dates", "Thursday"),
    QT_TRANSLATE_NOOP("Dates", "Friday"),
    QT_TRANSLATE_NOOP("Dates", "Saturday"),
    QT_TRANSLATE_NOOP("Dates", "Sunday"),
)
_WEEKDAYS_SHORT = (
    QT_TRANSLATE_NOOP("Dates", "Mon"),
    QT_TRANSLATE_NOOP("Dates", "Tue"),
    QT_TRANSLATE_NOOP("Dates", "Wed"),
    QT_TRANSLATE_NOOP("Dates", "Thu"),
    QT_TRANSLATE_NOOP("Dates", "Fri"),
    QT_TRANSLATE_NOOP("Dates", "Sat"),
    QT_TRANSLATE_NOOP("Dates", "Sun"),
)
_MONTHS = (
    QT_TRANSLATE_NOOP("Dates", "January"),
    QT_TRANSLATE_NOOP("Dates", "February"),
    QT_TRANSLATE_NOOP("Dates", "March"),
    QT_TRANSLATE_NOOP("Dates", "April"),
    QT_TRANSLATE_NOOP("Dates", "May"),
    QT_TRANSLATE_NOOP("Dates", "June"),
    QT_TRANSLATE_NOOP("Dates", "July"),
    QT_TRANSLATE_NOOP("Dates", "August"),
    QT_TRANSLATE_NOOP("Dates", "September"),
    QT_TRANSLATE_NOOP("Dates", "October"),
    QT_TRANSLATE_NOOP("Dates", "November"),
    QT_TRANSLATE_NOOP("Dates", "December"),
)
_MONTHS_SHORT = (
    QT_TRANSLATE_NOOP("Dates", "Jan"),
    QT_TRANSLATE_NOOP("Dates", "Feb"),
    QT_TRANSLATE_NOOP("Dates", "Mar"),
    QT_TRANSLATE_NOOP("Dates", "Apr"),
    QT_TRANSLATE_NOOP("Dates", "May", "month, short"),
    QT_TRANSLATE_NOOP("Dates", "Jun"),
    QT_TRANSLATE_NOOP("Dates", "Jul"),
    QT_TRANSLATE_NOOP("Dates", "Aug"),
    QT_TRANSLATE_NOOP("Dates", "Sep"),
    QT_TRANSLATE_NOOP("Dates", "Oct"),
    QT_TRANSLATE_NOOP("Dates", "Nov"),
    QT_TRANSLATE_NOOP("Dates", "Dec"),
)


def _parts(moment: datetime) -> dict[str, str]:
    return {
        "weekday": translate("Dates", _WEEKDAYS[moment.weekday()]),
        "weekday_short": translate("Dates", _WEEKDAYS_SHORT[moment.weekday()]),
        "day": f"{moment.day:02d}",
        "day_number": str(moment.day),
        "month": translate("Dates", _MONTHS[moment.month - 1]),
        "month_short": translate(
            "Dates", _MONTHS_SHORT[moment.month - 1], "month, short" if moment.month == 5 else None
        ),
        "month_number": str(moment.month),
        "time": moment.strftime("%H:%M"),
    }


def hm(moment: datetime) -> str:
    return moment.strftime("%H:%M")


def short_date_time(moment: datetime) -> str:
    """ "23 Nov 14:05" (history)."""
    return translate("Dates", "{day} {month_short} {time}").format(**_parts(moment))


def day_date_time(moment: datetime) -> str:
    """ "Mon 23 Nov 14:05" (an appointment's start)."""
    return translate("Dates", "{weekday_short} {day} {month_short} {time}").format(**_parts(moment))


def long_day(moment: datetime) -> str:
    """ "Monday 23 November" (a day's heading)."""
    return translate("Dates", "{weekday} {day} {month}").format(**_parts(moment))
