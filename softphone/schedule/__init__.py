"""Scheduled calls: appointments, their windows, iCalendar import/export, and who is
expected to call now (`reachability`)."""
