#!/usr/bin/python3
"""An independent computation of the escalation triggers (docs/triggers.md),
straight from the canonical files (episodes.csv, rhi.jsonl), written without
the engine's code, for tests/engine/triggers_test.cpp.

usage: triggers_check.py WORLD_DIR AS_OF [key=value ...]
  AS_OF   UTC, YYYY-MM-DDTHH:MM:SSZ; thresholds as in the area settings
          (repeat_episodes=3 repeat_window_days=90 long_missing_hours=24
          looked_after_escalation_hours=48 not_located_days=7 rhi_due_hours=72)

Prints {"triggers": {code: {child: [episode ids in reported order]}},
        "episodes_considered": n}.
"""

import csv
import json
import sys
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Europe/London")


def utc(text):
    """A canonical date-time: with an offset as given, else local time."""
    if not text:
        return None
    text = text.replace("Z", "+00:00")
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL)
    return moment.astimezone(timezone.utc)


def main():
    world, as_of_text = sys.argv[1], sys.argv[2]
    t = {
        "repeat_episodes": 3,
        "repeat_window_days": 90,
        "long_missing_hours": 24,
        "looked_after_escalation_hours": 48,
        "not_located_days": 7,
        "rhi_due_hours": 72,
    }
    for arg in sys.argv[3:]:
        key, value = arg.split("=")
        t[key] = int(value)
    as_of = utc(as_of_text)

    episodes = []
    with open(f"{world}/episodes.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            reported = utc(row["reported_at"])
            if reported > as_of or row["category"] == "absent":
                continue
            returned = utc(row["returned_at"])
            if returned is not None and returned > as_of:
                returned = None
            episodes.append({
                "id": row["episode_id"],
                "child": row["child_id"],
                "reported": reported,
                "start": utc(row["last_seen_at"]) or reported,
                "returned": returned,
                "looked_after": row["looked_after"] == "Y",
            })

    rhis = {}
    with open(f"{world}/rhi.jsonl", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            rhis.setdefault(r.get("episode_id"), []).append(r)

    hits = {code: {} for code in ("repeat_missing", "long_missing", "looked_after_long_missing",
                                  "not_located", "rhi_graded_high", "rhi_late")}

    def hit(code, episode):
        hits[code].setdefault(episode["child"], set()).add(episode["id"])

    for e in episodes:
        duration = (e["returned"] or as_of) - e["start"]
        if duration > timedelta(hours=t["long_missing_hours"]):
            hit("long_missing", e)
        if e["looked_after"] and duration > timedelta(hours=t["looked_after_escalation_hours"]):
            hit("looked_after_long_missing", e)
        if duration > timedelta(days=t["not_located_days"]):
            hit("not_located", e)
        interviews = rhis.get(e["id"], [])
        for r in interviews:
            when = utc(r.get("conducted_at")) or utc(r.get("offered_at")) or utc(r.get("referred_at"))
            if r.get("risk_of_repeat") == "high" and (when is None or when <= as_of):
                hit("rhi_graded_high", e)
        if e["returned"] is not None:
            due = e["returned"] + timedelta(hours=t["rhi_due_hours"])
            if due <= as_of:
                done = [r for r in interviews if r.get("outcome") == "completed"
                        and r.get("conducted_at") and utc(r["conducted_at"]) <= due]
                if not done:
                    hit("rhi_late", e)

    by_child = {}
    for e in episodes:
        by_child.setdefault(e["child"], []).append(e)
    n, window = t["repeat_episodes"], timedelta(days=t["repeat_window_days"])
    for child, mine in by_child.items():
        mine.sort(key=lambda e: (e["reported"], e["id"]))
        for i in range(len(mine) - n + 1):
            if mine[i + n - 1]["reported"] - mine[i]["reported"] <= window:
                for e in mine[i:i + n]:
                    hit("repeat_missing", e)

    order = {e["id"]: (e["reported"], e["id"]) for e in episodes}
    out = {code: {child: sorted(ids, key=order.get) for child, ids in children.items()}
           for code, children in hits.items()}
    print(json.dumps({"triggers": out, "episodes_considered": len(episodes)}))


if __name__ == "__main__":
    main()
