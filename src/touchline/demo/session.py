"""One demo visit as the browser tracker would report it: the landing page view, SPA
navigations, engagement (scroll depth, heartbeats, engaged time, video milestones, JS errors),
clicks, form fills that identify the visitor before `lead_submitted` fires, and sign-ins on a
person's other device."""

from __future__ import annotations

import hashlib
import math
import random
import uuid
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from touchline.demo import catalog
from touchline.demo.catalog import Arrival, Campaign
from touchline.ingest.protocol import Consent, EventType, Identity, RawEvent, Revenue

HEARTBEAT_MS = 60_000
SCROLL_MILESTONES = (25, 50, 75, 90)
DEPOSIT_MXN = 1000.0
VIDEO_MILESTONES = (25, 50, 75, 100)
VIDEO_PLAY_SHARE = 0.4  # visitors of a treatment page who play its video (if they stay 20 s)
JS_ERROR_RATES = {"/book": 0.05, "/contact": 0.03}  # per page view; elsewhere:
JS_ERROR_RATE = 0.01
# Time on page by channel, relative to the rest: in-app browsers and banners bring glances;
# search, newsletters and referrals bring readers (so engagement-weighted credit differs).
ATTENTION = {
    "Paid Social": 0.7,
    "Display": 0.6,
    "Organic Search": 1.25,
    "Email": 1.3,
    "Referral": 1.15,
}


@dataclass(frozen=True, slots=True)
class Visitor:
    """One browser on one device; the person's contact details are shared by their devices."""

    anonymous_id: str
    device: str
    user_agent: str
    ip: str
    country: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""

    def in_app(self, user_agent: str) -> Visitor:
        return replace(self, user_agent=user_agent)


@dataclass(frozen=True, slots=True)
class Session:
    visitor: Visitor
    arrival: Arrival
    campaign: Campaign | None
    landing: str
    referrer: str
    returning: bool
    consent: Consent | None
    bot: bool = False
    signs_in: bool = False  # a returning patient signs in to the portal (identify)


def session_events(rng: random.Random, session: Session, start_ms: int) -> list[RawEvent]:
    recorder = _Recorder(rng, session, start_ms)
    if session.bot:
        recorder.crawl()
    else:
        recorder.browse()
    return recorder.events


def landing_query(rng: random.Random, arrival: Arrival, campaign: Campaign | None) -> str:
    """The query string of an ad or newsletter link: UTMs and the platform's click id."""
    params: list[tuple[str, str]] = []
    if arrival.source:
        params += [("utm_source", arrival.source), ("utm_medium", arrival.medium)]
    if campaign:
        params.append(("utm_campaign", campaign.name))
        if campaign.contents:
            params.append(("utm_content", rng.choice(campaign.contents)))
        if campaign.terms:
            params.append(("utm_term", rng.choice(campaign.terms)))
    if arrival.click_id:
        params.append((arrival.click_id, _click_id(rng, arrival.click_id)))
    return urlencode(params)


def _click_id(rng: random.Random, kind: str) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
    body = "".join(rng.choices(alphabet, k=60 if kind == "fbclid" else 40))
    return f"IwAR{body}" if kind == "fbclid" else f"Cj0KCQ{body}"


@dataclass(slots=True)
class _Recorder:
    rng: random.Random
    session: Session
    clock_ms: int
    session_id: str = ""
    url: str = ""
    events: list[RawEvent] = field(default_factory=list)
    # Video plays, JS errors and sign-ins draw from their own generator: the other events of a
    # visit keep the ids they had before those were added.
    extras: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.session_id = self._uuid()
        self.extras = random.Random(f"{self.session_id}/extras")

    def browse(self) -> None:
        session, rng = self.session, self.rng
        pages = 1 if rng.random() < 0.55 else 2 + min(int(rng.expovariate(0.45)), 8)
        path = session.landing
        for number in range(pages):
            self.page_view(path, first=number == 0)
            if number == 0:
                self.first_page_extras()
                if session.signs_in:
                    self.sign_in()
            self.dwell(path, bounce=pages == 1)
            if path in catalog.BOOKING_PATHS and rng.random() < self.conversion_rate():
                self.form_fill(path)
                return
            if rng.random() < 0.12:
                self.emit(EventType.TRACK, "cta_clicked", payload={"button": "book_now"})
            path = self.next_path(path)

    def crawl(self) -> None:
        path = self.session.landing
        for _ in range(self.rng.randint(1, 3)):
            self.page_view(path, first=True)
            self.clock_ms += self.rng.randrange(500, 4000)
            path = self.rng.choice(catalog.BROWSABLE)

    def page_view(self, path: str, *, first: bool, query: str = "", referrer: str = "") -> None:
        session = self.session
        if first and not query:
            query = landing_query(self.rng, session.arrival, session.campaign)
        previous = self.url
        self.url = f"{catalog.SITE}{path}" + (f"?{query}" if query else "")
        payload = None if first else {"navigation": "spa"}
        self.emit(
            EventType.PAGE_VIEW,
            "page_view",
            referrer=referrer or (session.referrer if first else previous),
            title=catalog.PAGES[path].title,
            payload=payload,
        )

    def first_page_extras(self) -> None:
        if self.session.consent is not None:
            self.emit(EventType.CONSENT, "consent", consent=self.session.consent)
        if self.rng.random() < 0.5:
            vitals = {"lcp": self.rng.randrange(900, 4200), "cls": round(self.rng.random() / 5, 3)}
            self.emit(EventType.ENGAGEMENT, "web_vitals", payload=vitals)
        if self.session.landing == "/" and self.rng.random() < 0.5:
            banner = {"element": "#hero-offer", "variant": self.rng.choice(("a", "b"))}
            self.emit(EventType.IMPRESSION, "impression", payload=banner)

    def dwell(self, path: str, *, bounce: bool) -> None:
        """Time on the page: scroll milestones, a heartbeat per engaged minute, video progress
        and errors, and the rest of the engaged time when the visitor leaves (so the reports
        sum to the total)."""
        rng = self.rng
        typical = (12 if bounce else 40) * ATTENTION.get(self.session.arrival.channel, 1.0)
        seconds = min(900.0, max(3.0, rng.lognormvariate(math.log(typical), 0.8)))
        engaged_ms = int(seconds * 1000 * rng.uniform(0.45, 0.95))
        depth = rng.choice((10, 25, 40, 60, 80, 100))
        start = self.clock_ms
        for index, milestone in enumerate(m for m in SCROLL_MILESTONES if m <= depth):
            self.clock_ms = start + int(seconds * 1000 * (index + 1) / 6)
            self.emit(EventType.ENGAGEMENT, "scroll_depth", payload={"percent": milestone})
        for beat in range(engaged_ms // HEARTBEAT_MS):
            self.clock_ms = start + (beat + 1) * HEARTBEAT_MS
            self.emit(EventType.ENGAGEMENT, "heartbeat", payload={"engaged_ms": HEARTBEAT_MS})
        self.watch(path, start, seconds)
        self.fail(path, start, seconds)
        self.clock_ms = start + int(seconds * 1000)
        rest = {"engaged_ms": engaged_ms % HEARTBEAT_MS, "max_scroll_percent": depth}
        self.emit(EventType.ENGAGEMENT, "page_engagement", payload=rest)
        self.clock_ms += self.rng.randrange(200, 1500)

    def watch(self, path: str, start: int, seconds: float) -> None:
        """Some visitors of a treatment page play its video: a report per milestone reached."""
        video = catalog.VIDEO_PAGES.get(path)
        if video is None or seconds < 20 or self.extras.random() >= VIDEO_PLAY_SHARE:
            return
        reached = self.extras.randint(1, len(VIDEO_MILESTONES))
        for index, milestone in enumerate(VIDEO_MILESTONES[:reached]):
            self.clock_ms = start + int(seconds * 1000 * (index + 1) / (reached + 1))
            payload = {"video": video, "provider": "native", "percent": milestone}
            self.emit(EventType.ENGAGEMENT, "video_progress", payload=payload, rng=self.extras)

    def fail(self, path: str, start: int, seconds: float) -> None:
        """Now and then a script throws (the booking widget most often)."""
        if self.extras.random() >= JS_ERROR_RATES.get(path, JS_ERROR_RATE):
            return
        message, source = self.extras.choice(catalog.JS_ERRORS)
        self.clock_ms = start + int(seconds * 1000 * self.extras.random())
        payload = {"message": message, "source": f"{catalog.SITE}{source}"}
        self.emit(EventType.ENGAGEMENT, "js_error", payload=payload, rng=self.extras)

    def sign_in(self) -> None:
        """A returning patient signs in to the portal on their other device: `identify` with
        the patient id and contact details links this browser to the person."""
        person = self.session.visitor
        identity = Identity(
            email=person.email,
            phone=person.phone,
            first_name=person.first_name,
            last_name=person.last_name,
            user_id=patient_id(person.email),
        )
        self.emit(EventType.IDENTIFY, "identify", identity=identity, rng=self.extras)

    def conversion_rate(self) -> float:
        rate = {"Paid Search": 0.16, "Email": 0.14, "Paid Social": 0.11}.get(
            self.session.arrival.channel, 0.08
        )
        return rate + (0.05 if self.session.returning else 0.0)

    def form_fill(self, path: str) -> None:
        """What auto-capture does on submit: identify() first, then `lead_submitted`."""
        person, rng = self.session.visitor, self.rng
        has_email = rng.random() < 0.92
        identity = Identity(
            email=person.email if has_email else None,
            # Without an email the form must have had a phone field, or nothing identifies.
            phone=person.phone if not has_email or rng.random() < 0.6 else None,
            first_name=person.first_name,
            last_name=person.last_name,
        )
        self.emit(EventType.IDENTIFY, "identify", identity=identity)
        form = "booking-form" if path == "/book" else "contact-form"
        self.emit(EventType.TRACK, "lead_submitted", payload={"form_id": form, "path": path})
        if path == "/book" and rng.random() < 0.55:
            self.clock_ms += rng.randrange(20_000, 120_000)
            self.emit(EventType.TRACK, "appointment_booked", payload={"widget": "calendly"})
            if rng.random() < 0.35:
                self.deposit()

    def deposit(self) -> None:
        """A booking deposit paid on Stripe Checkout: the return never starts a new touch."""
        self.clock_ms += self.rng.randrange(60_000, 240_000)
        checkout = f"cs_live_{self._uuid().replace('-', '')}"
        self.page_view(
            "/thank-you",
            first=True,
            query=f"session_id={checkout}",
            referrer="https://checkout.stripe.com/",
        )
        self.emit(
            EventType.TRACK, "stripe_checkout_completed", payload={"checkout_session_id": checkout}
        )
        self.emit(
            EventType.REVENUE, "deposit_paid", revenue=Revenue(amount=DEPOSIT_MXN, currency="MXN")
        )

    def next_path(self, path: str) -> str:
        options = catalog.PAGES[path].next_paths
        if options and self.rng.random() < 0.8:
            return options[min(int(self.rng.expovariate(1.2)), len(options) - 1)]
        return self.rng.choice(catalog.BROWSABLE)

    def emit(
        self, kind: EventType, name: str, *, rng: random.Random | None = None, **fields: Any
    ) -> None:
        self.clock_ms += 1  # distinct, ordered timestamps within a visit
        visitor = self.session.visitor
        self.events.append(
            RawEvent(
                event_id=self._uuid(rng or self.rng),
                type=kind,
                anonymous_id=visitor.anonymous_id,
                timestamp=self.clock_ms,
                name=name,
                session_id=self.session_id,
                url=self.url,
                ip=visitor.ip,
                user_agent=visitor.user_agent,
                **fields,
            )
        )

    def _uuid(self, rng: random.Random | None = None) -> str:
        return str(uuid.UUID(int=(rng or self.rng).getrandbits(128), version=4))


def patient_id(email: str) -> str:
    """The clinic's patient id for a person (stable: the same on every device)."""
    return "pat_" + hashlib.sha256(email.encode()).hexdigest()[:12]
