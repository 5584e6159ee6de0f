#!/usr/bin/env python3
"""Independent check of the panel pack's figures (issue 9; docs/report.md).

Recomputes every table of `waymark report` that is counted from episodes and
Return Home Interviews straight from the canonical files of a synthetic world
(episodes.csv, rhi.jsonl), with nothing but the Python standard library, and
compares each figure with the pack's CSVs. Written from the definitions in
docs/report.md, not from the engine's code.

    report_check.py WORLD PACK --since YYYY-MM-DD --until YYYY-MM-DD
                    [--time-zone Europe/London] [--due-hours 72]
                    [--clock return_time|referral_time]

Exits 0 when every figure matches, 1 listing the differences otherwise. Only
for the analyst profile (the others hide or pseudonymise what is compared).
"""

import argparse
import csv
import json
import sys
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo


def parse_time(text, zone):
    """A canonical date-time: with an offset or Z as given, else local time in
    `zone` (the earlier instant when ambiguous, the offset before the change
    when skipped: Python's fold=0). Returns an aware UTC datetime or None."""
    if text is None or text == "":
        return None
    text = text.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone, fold=0)
    return value.astimezone(timezone.utc)


def parse_bool(text):
    if text is None:
        return None
    if isinstance(text, bool):
        return text
    t = str(text).strip().lower()
    if t in ("y", "true", "1"):
        return True
    if t in ("n", "false", "0"):
        return False
    return None


def yes_no(value):
    return "not_recorded" if value is None else ("yes" if value else "no")


class Tally:
    def __init__(self):
        self.records = 0
        self.children = set()

    def add(self, child):
        self.records += 1
        if child:
            self.children.add(child)


def read_pack_table(pack, table_id):
    path = Path(pack) / "csv" / f"{table_id}.csv"
    with open(path, newline="", encoding="utf-8") as f:
        lines = [line for line in f if not line.startswith("#")]
    rows = list(csv.reader(lines))
    header = rows[0]
    assert header[:2] == ["key", "label"], f"{path}: header {header}"
    table = {}
    for row in rows[1:]:
        if len(row[0]) > 1 and row[0][0] == "'" and row[0][1] in "=+-@\t\r":
            row[0] = row[0][1:]  # the formula guard of base/csv.hpp
        table[row[0]] = {c: (int(v) if v != "" else None) for c, v in zip(header[2:], row[2:])}
    return header[2:], table


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("world")
    ap.add_argument("pack")
    ap.add_argument("--since", required=True)
    ap.add_argument("--until", required=True)
    ap.add_argument("--time-zone", default="Europe/London")
    ap.add_argument("--due-hours", type=int, default=72)
    ap.add_argument("--clock", default="return_time", choices=["return_time", "referral_time"])
    a = ap.parse_args()

    zone = ZoneInfo(a.time_zone)
    first = date.fromisoformat(a.since)
    last = date.fromisoformat(a.until)

    def local(moment):
        return moment.astimezone(zone)

    # ---- The period's episodes.
    episodes = {}
    with open(Path(a.world) / "episodes.csv", newline="", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            reported = parse_time(row["reported_at"], zone)
            if not first <= local(reported).date() <= last:
                continue
            episodes[row["episode_id"]] = {
                "child": row["child_id"],
                "reported": reported,
                "last_seen": parse_time(row.get("last_seen_at"), zone),
                "returned": parse_time(row.get("returned_at"), zone),
                "setting": row["setting"],
                "looked_after": parse_bool(row.get("looked_after")),
                "placement_area": row.get("placement_area") or "not_recorded",
                "risk_grade": row.get("risk_grade") or "not_recorded",
                "safe_and_well": parse_bool(row.get("safe_and_well")),
            }
    # ---- Their interviews.
    rhis = []
    with open(Path(a.world) / "rhi.jsonl", encoding="utf-8-sig") as f:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line)
            if r.get("episode_id") in episodes:
                rhis.append(r)

    expected = {}  # table id -> {key: {column: value}}

    def episode_table(table_id, key_of, only=None):
        tallies = defaultdict(Tally)
        total = Tally()
        for e in episodes.values():
            if only and not only(e):
                continue
            tallies[key_of(e)].add(e["child"])
            total.add(e["child"])
        rows = {k: {"episodes": t.records, "children": len(t.children)} for k, t in tallies.items()}
        rows["total"] = {"episodes": total.records, "children": len(total.children)}
        expected[table_id] = rows

    episode_table("episodes_by_setting", lambda e: e["setting"])
    episode_table("episodes_by_looked_after", lambda e: yes_no(e["looked_after"]))
    episode_table("episodes_by_placement_area", lambda e: e["placement_area"])
    episode_table("episodes_by_risk_grade", lambda e: e["risk_grade"])
    episode_table("safe_and_well", lambda e: yes_no(e["safe_and_well"]),
                  only=lambda e: e["returned"] is not None)

    def start(e):
        return local(e["last_seen"] or e["reported"])

    episode_table("episodes_by_hour", lambda e: f"{start(e).hour:02d}")
    episode_table("episodes_by_weekday", lambda e: start(e).strftime("%a"))
    episode_table("episodes_by_month", lambda e: local(e["reported"]).strftime("%Y-%m"))

    # Repeat missing.
    per_child = defaultdict(int)
    for e in episodes.values():
        per_child[e["child"]] += 1

    def bucket(n):
        return "1" if n == 1 else "2" if n == 2 else "3-4" if n <= 4 else "5-9" if n <= 9 else "10+"

    repeat = defaultdict(lambda: {"children": 0, "episodes": 0})
    for n in per_child.values():
        repeat[bucket(n)]["children"] += 1
        repeat[bucket(n)]["episodes"] += n
    repeat["total"] = {"children": len(per_child), "episodes": sum(per_child.values())}
    expected["repeat_missing"] = dict(repeat)

    # ---- Return Home Interviews.
    def offered(r):
        return r.get("offered_at") not in (None, "") or r.get("outcome") in (
            "completed", "declined", "parent_refused")

    def accepted(r):
        return r.get("outcome") == "completed" or r.get("conducted_at") not in (None, "")

    def completed(r):
        return r.get("outcome") == "completed"

    def within(r):
        if not completed(r) or not r.get("conducted_at"):
            return False
        e = episodes[r["episode_id"]]
        clock = e["returned"]
        if a.clock == "referral_time" and r.get("referred_at"):
            clock = parse_time(r["referred_at"], zone)  # the referral, else the return
        if clock is None:
            return False
        return parse_time(r["conducted_at"], zone) <= clock + timedelta(hours=a.due_hours)

    funnel = defaultdict(Tally)
    for e in episodes.values():
        if e["returned"] is not None:
            funnel["returned"].add(e["child"])
    for r in rhis:
        c = r["child_id"]
        funnel["rhis"].add(c)
        for name, test in (("offered", offered), ("accepted", accepted),
                           ("completed", completed), ("within_due", within)):
            if test(r):
                funnel[name].add(c)
        outcome = r.get("outcome")
        if outcome and outcome != "completed":
            funnel[outcome].add(c)
        elif not outcome:
            funnel["no_outcome"].add(c)
    expected["rhi_funnel"] = {k: {"count": t.records, "children": len(t.children)}
                              for k, t in funnel.items()}

    by_setting = defaultdict(lambda: defaultdict(int))
    for r in rhis:
        s = episodes[r["episode_id"]]["setting"]
        for name, test in (("offered", offered), ("accepted", accepted),
                           ("completed", completed), ("within_due", within)):
            if test(r):
                by_setting[s][name] += 1
                by_setting["total"][name] += 1
    expected["rhi_by_setting"] = {k: dict(v) for k, v in by_setting.items()}

    def rhi_table(table_id, key_of, only):
        tallies = defaultdict(Tally)
        total = Tally()
        for r in rhis:
            if only(r):
                tallies[key_of(r)].add(r["child_id"])
                total.add(r["child_id"])
        rows = {k: {"interviews": t.records, "children": len(t.children)} for k, t in tallies.items()}
        rows["total"] = {"interviews": total.records, "children": len(total.children)}
        expected[table_id] = rows

    def reason(r):
        text = (r.get("decline_reason") or "").strip(" \t")
        return text if text else "not_recorded"

    rhi_table("rhi_mode", lambda r: r.get("mode") or "not_recorded", completed)
    rhi_table("rhi_declined_reasons", reason, lambda r: r.get("outcome") == "declined")
    rhi_table("rhi_parent_refused_reasons", reason, lambda r: r.get("outcome") == "parent_refused")

    def factor_table(table_id, codes_of):
        tallies = defaultdict(Tally)
        for r in rhis:
            for code in set(codes_of(r)):
                tallies[code].add(r["child_id"])
        expected[table_id] = {k: {"interviews": t.records, "children": len(t.children)}
                              for k, t in tallies.items()}

    factor_table("push_factors", lambda r: r.get("push_factors") or [])
    factor_table("pull_factors", lambda r: r.get("pull_factors") or [])
    factor_table("rhi_high_risk",
                 lambda r: [k for k, v in (r.get("high_risk") or {}).items() if v is True])

    # ---- Data quality counted from the records.
    quality = defaultdict(int)
    for e in episodes.values():
        if e["returned"] is None:
            quality["still_missing"] += 1
        if e["risk_grade"] == "not_recorded":
            quality["no_risk_grade"] += 1
    for r in rhis:
        if completed(r) and not r.get("conducted_at"):
            quality["rhi_completed_undated"] += 1
        if not r.get("outcome"):
            quality["rhi_no_outcome"] += 1
        if completed(r):
            e = episodes[r["episode_id"]]
            clock = e["returned"] or (a.clock == "referral_time" and r.get("referred_at"))
            if not clock:
                quality["rhi_no_clock_start"] += 1
    expected["data_quality"] = {k: {"records": v} for k, v in quality.items()}
    quality_keys = {"still_missing", "no_risk_grade", "rhi_completed_undated", "rhi_no_outcome",
                    "rhi_no_clock_start"}

    # ---- Compare.
    problems = []
    compared = 0
    for table_id, rows in expected.items():
        columns, actual = read_pack_table(a.pack, table_id)
        keys = set(rows) | set(actual)
        if table_id == "data_quality":
            keys = {k for k in keys if k in quality_keys}
        for key in sorted(keys):
            want = rows.get(key, {})
            got = actual.get(key, {})
            for column in columns:
                w = want.get(column, 0)
                g = got.get(column, 0) if got else 0
                compared += 1
                if w != g:
                    problems.append(f"{table_id} [{key}] {column}: pack {g}, expected {w}")
    if problems:
        print("\n".join(problems))
        print(f"{len(problems)} of {compared} figures differ")
        return 1
    print(f"all {compared} figures of {len(expected)} tables match "
          f"({len(episodes)} episodes, {len(rhis)} interviews)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
