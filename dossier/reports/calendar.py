"""Every deadline of every campaign as an all-day calendar event with reminders (.ics), so staff
see them in the calendar they already use. Stable UIDs: re-importing updates, not duplicates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from icalendar import Alarm, Calendar, Event

from dossier.campaign.load import load_campaign, round_ids
from dossier.reports.check import campaign_dirs
from dossier.vietnamese import date_short

REMINDER_DAYS = (14, 7, 3, 1)
FIXED_STAMP = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)  # DTSTAMP: deterministic output


def deadlines_calendar(paths: list[Path]) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//dossier//hạn nộp hồ sơ khen thưởng//VI")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Hạn hồ sơ thi đua, khen thưởng")
    for path in campaign_dirs(paths):
        for round_id in round_ids(path):
            campaign = load_campaign(path, round_id)
            for deadline in campaign.deadlines:
                calendar.add_component(_event(campaign, deadline))
    return calendar


def _event(campaign, deadline) -> Event:
    event = Event()
    scope = f"{campaign.id}-{campaign.round_id}" if campaign.round_id else campaign.id
    event.add("uid", f"{scope}-{deadline.id}@dossier")
    event.add("dtstamp", FIXED_STAMP)
    day = deadline.last_valid_day
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))
    event.add("summary", f"Hạn cuối: {deadline.label}")
    reading = "tính cả ngày đó" if deadline.inclusive else "không tính ngày đó"
    wording = deadline.wording or date_short(deadline.date)
    event.add("description", (
        f"Phong trào thi đua “{campaign.name}”. Kế hoạch: {wording} ({reading}); "
        f"ngày cuối cùng hợp lệ: {date_short(day)}."))
    for days in REMINDER_DAYS:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"Còn {days} ngày: {deadline.label}")
        alarm.add("trigger", dt.timedelta(days=-days))
        event.add_component(alarm)
    return event
