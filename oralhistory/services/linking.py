"""Context links: the timeline events and places a passage speaks of, and why we think so.

Rules read each passage and propose links; an archivist confirms or rejects them, or adds one.
The rules know no narrator, event or place by name. What they look for is data: the
gazetteer's spellings, each event's dates, places, `cues` and `organisations` (from
`transcripts/timeline.yaml`), the spellings in `names.yaml`, and the testimony's interview
date, from which "one year ago" is counted back.

The rules, by the name each reason gives:

- `place-name`: the passage names a place, in any spelling the gazetteer knows.
- `place-event`: the passage names a place fine enough to locate an event (a district, a town,
  a crossing; not a country, a city or an area made of such places), and an event there falls
  in the time the testimony tells of: from the earliest event it speaks of to the interview.
- `relative-date`: "one year ago", "a year later", "last year", "on the anniversary", counted
  back from the interview date, land within an event.
- `named-event`: the passage uses words the timeline gives for an event or its period ("the
  evacuation", "barrel bombs").
- `organisation`: the passage names an organisation that the event's summary names.

An event after the interview is never proposed: nobody speaks of what has not happened yet.
"""

from __future__ import annotations

from ..errors import LinkError
from .link_decisions import (
    DECISIONS,
    MAX_DECISIONS,
    Decided,
    add_link,
    decide_link,
    decide_links,
    target_label,
)
from .link_reasons import digest, event_span, relative_dates
from .link_rules import Rules, propose
from .link_store import link_testimonies, link_testimony

__all__ = [
    "DECISIONS",
    "MAX_DECISIONS",
    "Decided",
    "LinkError",
    "Rules",
    "add_link",
    "decide_link",
    "decide_links",
    "digest",
    "event_span",
    "link_testimonies",
    "link_testimony",
    "propose",
    "relative_dates",
    "target_label",
]
