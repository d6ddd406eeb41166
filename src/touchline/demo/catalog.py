"""What the demo clinic's traffic is made of: pages, arrivals per channel, campaigns, real user
agents, and public networks that geolocate to each country in DB-IP City Lite."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

SITE: Final = "https://democlinic.example"


@dataclass(frozen=True, slots=True)
class Page:
    path: str
    title: str
    # Where a visitor tends to go next from here (SPA navigation), most likely first.
    next_paths: tuple[str, ...] = ()


PAGES: Final[dict[str, Page]] = {
    page.path: page
    for page in (
        Page("/", "Demo Clinic | Dental care in Mexico City", ("/services", "/book", "/doctors")),
        Page("/services", "Our services", ("/services/dental-implants", "/services/whitening")),
        Page(
            "/services/dental-implants",
            "Dental implants",
            ("/pricing", "/book", "/doctors", "/contact"),
        ),
        Page("/services/whitening", "Teeth whitening", ("/pricing", "/book", "/contact")),
        Page("/services/orthodontics", "Orthodontics & aligners", ("/pricing", "/book")),
        Page("/services/checkup", "General check-up", ("/book", "/pricing")),
        Page("/pricing", "Prices", ("/book", "/contact", "/services")),
        Page("/doctors", "Our doctors", ("/book", "/about")),
        Page("/about", "About the clinic", ("/doctors", "/contact")),
        Page("/blog", "Blog", ("/blog/implants-vs-bridges", "/blog/whitening-myths")),
        Page("/blog/implants-vs-bridges", "Implants vs bridges", ("/services/dental-implants",)),
        Page("/blog/whitening-myths", "5 whitening myths", ("/services/whitening", "/blog")),
        Page("/blog/first-visit", "What to expect at your first visit", ("/book", "/blog")),
        Page("/contact", "Contact us", ("/book",)),
        Page("/book", "Book an appointment", ("/contact",)),
        Page("/thank-you", "Thank you", ()),
    )
}

BOOKING_PATHS: Final = frozenset({"/book", "/contact"})
# Treatment pages with an explainer video (the tracker reports its progress milestones).
VIDEO_PAGES: Final = {
    "/services/dental-implants": "implants-explained",
    "/services/orthodontics": "aligners-in-60-seconds",
    "/services/whitening": "whitening-before-after",
}
# Uncaught errors the booking widget and the chat bubble throw now and then.
JS_ERRORS: Final = (
    ("TypeError: Cannot read properties of undefined (reading 'slots')", "/js/booking-widget.js"),
    ("ReferenceError: Intercom is not defined", "/js/chat.js"),
    ("NetworkError when attempting to fetch resource.", "/js/booking-widget.js"),
)
# Pages a visitor (or crawler) may wander to; /thank-you is reached only from a checkout.
BROWSABLE: Final = tuple(path for path in PAGES if path != "/thank-you")


@dataclass(frozen=True, slots=True)
class Campaign:
    name: str
    landing: str
    contents: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()


META_CAMPAIGNS: Final = (
    Campaign(
        "implants_spring_promo",
        "/services/dental-implants",
        ("carousel_before_after", "video_testimonial", "static_price_offer"),
    ),
    Campaign("whitening_lookalike", "/services/whitening", ("reel_smile", "static_2x1")),
    Campaign("retargeting_site_visitors", "/book", ("dynamic_offer", "reminder_story")),
)
TIKTOK_CAMPAIGNS: Final = (Campaign("aligners_awareness", "/services/orthodontics", ("ugc_1",)),)
GOOGLE_CAMPAIGNS: Final = (
    Campaign("brand_search", "/", ("rsa_brand",), ("demo clinic", "demo clinic cdmx")),
    Campaign(
        "implants_search",
        "/services/dental-implants",
        ("rsa_implants",),
        ("dental implants mexico city", "implantes dentales precio", "implant dentist near me"),
    ),
    Campaign("emergency_dentist", "/contact", ("rsa_emergency",), ("emergency dentist cdmx",)),
)
BING_CAMPAIGNS: Final = (
    Campaign("implants_search_bing", "/services/dental-implants", ("rsa_1",), ("dental implants",)),
)
EMAIL_CAMPAIGNS: Final = (
    Campaign("monthly_newsletter", "/blog/first-visit"),
    Campaign("checkup_reminder", "/services/checkup"),
    Campaign("whitening_offer", "/services/whitening"),
)
DISPLAY_CAMPAIGNS: Final = (
    Campaign("implants_remarketing_gdn", "/services/dental-implants", ("banner_300x250",)),
)
AFFILIATE_CAMPAIGNS: Final = (Campaign("partner_discount", "/pricing"),)


@dataclass(frozen=True, slots=True)
class Arrival:
    """One way visitors reach the site, and the channel the pipeline must classify it as."""

    channel: str
    weight: float
    referrers: tuple[str, ...] = ("",)
    source: str = ""
    medium: str = ""
    campaigns: tuple[Campaign, ...] = ()
    click_id: str = ""
    landings: tuple[str, ...] = ("/",)
    in_app: str = ""  # "facebook" / "instagram": mobile visitors arrive in the app's browser


ARRIVALS: Final = (
    Arrival(
        "Paid Social",
        0.17,
        ("https://l.facebook.com/", "https://lm.facebook.com/", ""),
        "facebook",
        "paid",
        META_CAMPAIGNS,
        "fbclid",
        in_app="facebook",
    ),
    Arrival(
        "Paid Social",
        0.06,
        ("https://l.instagram.com/", ""),
        "instagram",
        "paid",
        META_CAMPAIGNS,
        "fbclid",
        in_app="instagram",
    ),
    Arrival("Paid Social", 0.02, ("",), "tiktok", "paid", TIKTOK_CAMPAIGNS, "ttclid"),
    Arrival(
        "Paid Search",
        0.13,
        ("https://www.google.com/",),
        "google",
        "cpc",
        GOOGLE_CAMPAIGNS,
        "gclid",
    ),
    Arrival(
        "Paid Search", 0.02, ("https://www.bing.com/",), "bing", "cpc", BING_CAMPAIGNS, "msclkid"
    ),
    Arrival(
        "Organic Search",
        0.17,
        (
            "https://www.google.com/",
            "https://www.google.com.mx/",
            "https://www.google.com/",
            "https://www.bing.com/",
            "https://duckduckgo.com/",
            "https://search.yahoo.com/",
        ),
        landings=("/", "/services/dental-implants", "/blog/implants-vs-bridges", "/pricing"),
    ),
    Arrival(
        "Organic Social",
        0.07,
        (
            "https://www.facebook.com/",
            "https://m.facebook.com/",
            "https://www.instagram.com/",
            "https://t.co/",
            "https://www.linkedin.com/",
            "https://www.reddit.com/",
        ),
        landings=("/", "/blog/whitening-myths", "/blog/first-visit"),
    ),
    Arrival("Email", 0.06, ("",), "newsletter", "email", EMAIL_CAMPAIGNS),
    Arrival(
        "Referral",
        0.06,
        (
            "https://www.doctoralia.com.mx/clinicas/demo-clinic",
            "https://www.topdoctors.mx/dentistas/cdmx/",
            "https://guiasaludcdmx.example/mejores-dentistas",
        ),
        landings=("/", "/doctors", "/book"),
    ),
    Arrival("Direct", 0.16, landings=("/", "/", "/book", "/pricing")),
    Arrival("Display", 0.03, ("",), "gdn", "display", DISPLAY_CAMPAIGNS),
    Arrival("Display", 0.01, ("",), "healthnews", "banner", DISPLAY_CAMPAIGNS),
    Arrival("Affiliate", 0.03, ("",), "dentalsavings", "affiliate", AFFILIATE_CAMPAIGNS),
)

# How returning visitors come back: mostly typing the address, a newsletter, retargeting.
RETURN_ARRIVALS: Final = tuple(
    a for a in ARRIVALS if a.channel in {"Direct", "Email", "Organic Search", "Paid Social"}
)

# (user agent, device, weight) — real strings from current browsers.
DESKTOP_AGENTS: Final = (
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36",
        0.46,
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
        0.14,
    ),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0", 0.07),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/18.1 Safari/605.1.15",
        0.16,
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36",
        0.14,
    ),
    (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/130.0.0.0 Safari/537.36",
        0.03,
    ),
)
MOBILE_AGENTS: Final = (
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
        0.33,
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
        0.07,
    ),
    (
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Mobile Safari/537.36",
        0.45,
    ),
    (
        "Mozilla/5.0 (Linux; Android 14; SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) "
        "SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
        0.15,
    ),
)
TABLET_AGENTS: Final = (
    (
        "Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.6 Mobile/15E148 Safari/604.1",
        0.6,
    ),
    (
        "Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36",
        0.4,
    ),
)
# In-app browsers of paid-social clicks on phones.
IN_APP_AGENTS: Final = {
    "facebook": "Mozilla/5.0 (Linux; Android 14; moto g84 5G Build/U1TCS34.32-56-3; wv) "
    "AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/130.0.6723.107 Mobile "
    "Safari/537.36 [FB_IAB/FB4A;FBAV/489.0.0.49.84;]",
    "instagram": "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 Instagram 357.0.0.25.101 (iPhone15,3; iOS 18_1; es_MX; "
    "es; scale=3.00; 1290x2796; 661234567)",
}
DEVICE_WEIGHTS: Final = (("mobile", 0.56), ("desktop", 0.37), ("tablet", 0.07))
AGENTS: Final = {"desktop": DESKTOP_AGENTS, "mobile": MOBILE_AGENTS, "tablet": TABLET_AGENTS}

# Crawlers the pipeline drops, and AI agents it keeps and tags.
BOT_AGENTS: Final = (
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
)
AI_AGENTS: Final = (
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; ChatGPT-User/1.0; "
    "+https://openai.com/bot",
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; PerplexityBot/1.0; "
    "+https://perplexity.ai/perplexitybot)",
)

# Public /24 networks (first three octets) that DB-IP City Lite places in each country and
# city; tests/test_demo.py checks every one against the vendored database.
NETWORKS: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "MX": (
        ("187.152.110", "Mexico City"),
        ("189.185.183", "Mexico City"),
        ("201.163.97", "Mexico City"),
        ("201.142.31", "Mexico City"),
        ("187.251.197", "Mexico City"),
        ("189.199.76", "Guadalajara"),
        ("187.213.48", "Zapopan"),
        ("189.209.91", "Monterrey"),
        ("177.241.185", "Toluca"),
        ("189.212.181", "Queretaro City"),
        ("187.189.33", "Puebla City"),
        ("187.175.58", "Merida"),
        ("189.196.81", "Tijuana"),
        ("201.108.103", "Cancun"),
        ("177.245.226", "Leon"),
    ),
    "US": (
        ("68.135.62", "Los Angeles"),
        ("75.16.220", "Houston"),
        ("76.85.120", "San Antonio"),
        ("96.196.197", "Chicago"),
        ("98.125.104", "New York"),
        ("73.24.191", "Phoenix"),
        ("68.7.19", "San Diego"),
    ),
    "CO": (("181.245.51", "Bogota"), ("190.165.28", "Medellin")),
    "ES": (("95.125.244", "Madrid"), ("79.154.1", "Barcelona")),
    "AR": (("181.90.81", "Buenos Aires"),),
    "CL": (("190.46.156", "Santiago"),),
    "PE": (("190.216.122", "Lima"),),
    "CA": (("142.57.154", "Toronto"), ("24.71.23", "Calgary")),
    "GT": (("181.189.157", "Guatemala City"),),
    "GB": (("82.219.69", "Manchester"),),
}
COUNTRY_WEIGHTS: Final = (
    ("MX", 0.72),
    ("US", 0.11),
    ("CO", 0.04),
    ("GT", 0.03),
    ("ES", 0.025),
    ("AR", 0.02),
    ("CL", 0.015),
    ("PE", 0.015),
    ("CA", 0.015),
    ("GB", 0.01),
)

FIRST_NAMES: Final = (
    "María", "José", "Guadalupe", "Juan", "Fernanda", "Luis", "Sofía", "Carlos", "Valeria",
    "Miguel", "Daniela", "Jorge", "Ana", "Diego", "Camila", "Alejandro", "Lucía", "Ricardo",
)  # fmt: skip
LAST_NAMES: Final = (
    "Hernández", "García", "Martínez", "López", "González", "Pérez", "Rodríguez", "Sánchez",
    "Ramírez", "Cruz", "Flores", "Gómez", "Morales", "Vázquez", "Reyes", "Jiménez",
)  # fmt: skip
EMAIL_DOMAINS: Final = ("example.com", "example.net", "example.org")
