// Type declarations of the @atribu/tracker API (module.js), written by hand: the npm package
// (/tracker.tgz) ships them as index.d.ts and index.d.cts (decision 0901). Option names and
// types are the spec's (CHECKLIST §2.2, methods §2.3); a test checks that every export of
// module.js is declared here and that these six named types exist.
/// <reference lib="dom" />

/** Free-form event properties: they become the event's `payload`. */
export type Properties = Record<string, unknown>;

/** The kinds of event the tracker sends (docs/tracking-protocol.md, event types). */
export type EventType =
  | "page_view"
  | "track"
  | "identify"
  | "revenue"
  | "engagement"
  | "impression"
  | "self_describing"
  | "consent";

export type SessionMode = "inactivity_only" | "inactivity_or_source_change";

export type ConsentMode = "none" | "required" | "strict";

/** What a `customProperties` function is called with, for each event. */
export interface PropertiesContext {
  /** The path of the page the event is about. */
  path: string;
  url: string;
  type: EventType;
  name: string;
}

/** `[{ match, widget }]`: a postMessage whose data contains `match` is a booking from `widget`. */
export interface BookingPattern {
  match: string;
  widget: string;
}

/** The visitor's consent (`setConsent`); attached to every later event. */
export interface ConsentPayload {
  analytics?: boolean;
  marketing?: boolean;
}

/** Who the visitor is. camelCase or snake_case; fields travel snake_case. */
export interface IdentifyInput {
  email?: string;
  phone?: string;
  firstName?: string;
  lastName?: string;
  /** Your own user id (as `setUserId`). */
  userId?: string;
  first_name?: string;
  last_name?: string;
  user_id?: string;
  name?: string;
}

/**
 * `track()`'s second argument: the event's properties themselves (the npm form), or
 * `{ payload: {...} }` (the script-tag form).
 */
export type TrackOptions = Properties | { payload: Properties };

/** `trackSelfDescribing()`'s input. */
export interface SelfDescribingEvent {
  eventSchema: string;
  /** Default 1. */
  schemaVersion?: number;
  payload?: Properties;
}

/** `observeImpression()`'s options. */
export interface ImpressionOptions {
  /** The visible fraction that counts, in (0, 1]; default 0.5. */
  threshold?: number;
}

/** An event as sent to `POST /api/tracking/collect`, as `transformRequest` sees it. */
export interface TrackingEvent {
  event_id: string;
  type: EventType;
  name: string;
  /** Epoch milliseconds. */
  timestamp: number;
  anonymous_id: string;
  session_id: string;
  url: string;
  referrer: string;
  /** The path of the page the event is about (given to `transformRequest`, not sent). */
  path?: string;
  /** Always an object inside `transformRequest`. */
  payload: Properties;
  title?: string;
  user_id?: string;
  consent?: ConsentPayload;
  identity?: {
    email?: string;
    phone?: string;
    first_name?: string;
    last_name?: string;
    name?: string;
    user_id?: string;
  };
  revenue?: { amount: number; currency: string };
  [field: string]: unknown;
}

/** `init()`'s options (CHECKLIST §2.2). */
export interface AtribuConfig {
  /** The profile's ingest key (`trk_…`); without it the tracker does nothing. */
  trackingKey: string;
  /** Origin of the collect endpoint. Default: the page's origin. */
  apiHost?: string;
  /** Full collect URL. Default: `{apiHost}/api/tracking/collect`. */
  trackingEndpoint?: string;
  /** Mirror Meta Pixel `fbq('track', …)` calls for server-side deduplication. Default true. */
  interceptMetaFbq?: boolean;
  /** Also mirror the Pixel's PageView. Default false. */
  metaBridgePageview?: boolean;
  /** Session inactivity timeout, 1–120 minutes. Default 30. */
  sessionTimeoutMinutes?: number;
  /** Default `"inactivity_only"`. */
  sessionMode?: SessionMode;
  /** Engagement heartbeat interval; `0` or `false` disables. Default 60. */
  heartbeatIntervalSeconds?: number | false;
  /** Rage and dead clicks. Default true. */
  enableClickQuality?: boolean;
  /** LCP, FCP, CLS, INP, TTFB. Default true. */
  enableWebVitals?: boolean;
  /** Call-to-action visibility. Default true. */
  enableCtaTracking?: boolean;
  /** `<video>` (and Wistia) play, pause and milestones. Default true. */
  enableVideoTracking?: boolean;
  /** Path patterns (`*` matches anything) nothing is sent from or about: `["/admin/*"]`. */
  ignoredPages?: string[];
  /** Merged into every event's payload: an object, or a function of the event's context. */
  customProperties?:
    | Properties
    | ((context: PropertiesContext) => Properties | null | undefined);
  /** Each event before it is sent: return it (changed or not), or `null` to drop it. */
  transformRequest?: (event: TrackingEvent) => TrackingEvent | null;
  /** Custom booking widgets (Touchline's extension; the script's ATRIBU_BOOKING_PATTERNS). */
  bookingPatterns?: BookingPattern[];
  /** Consent gating (Touchline's extension). Default `"none"`. */
  consentMode?: ConsentMode;
  /**
   * Share the visitor's cookies across subdomains (Touchline's extension): `"auto"` or a parent
   * domain such as `"example.com"`. Default: this host only.
   */
  cookieDomain?: string;
}

/**
 * What `init()` returns. Where `window` is absent (server rendering) every method is a silent
 * no-op: `observeImpression` returns a function that does nothing, the getters `undefined`.
 */
export interface AtribuClient {
  /** A custom event (`snake_case` names recommended). */
  track(name: string, props?: TrackOptions): void;
  /** A revenue event; `currency` is an ISO 4217 code. */
  trackRevenue(eventName: string, amount: number, currency: string, data?: Properties): void;
  trackSelfDescribing(event: SelfDescribingEvent): void;
  /** Links the visitor to a person; repeat it freely. */
  identify(input: IdentifyInput): void;
  /** A page view now (single-page apps). */
  page(): void;
  setUserId(id: string): void;
  /** An `impression` once the element is visible enough; returns the cleanup function. */
  observeImpression(
    target: string | Element | null | undefined,
    payload?: Properties,
    options?: ImpressionOptions,
  ): () => void;
  /** Persisted, and attached to every later event. */
  setConsent(consent: ConsentPayload): void;
  /** Sends the queued events now. */
  flush(): void;
  /** Clears the stored identifiers (logout). */
  reset(): void;
  /** The visitor's id; `undefined` on the server and before `init()`. */
  getAnonymousId(): string | undefined;
  /** The session's id; `undefined` on the server and before `init()`. */
  getSessionId(): string | undefined;
}

/** Starts the tracker once (later calls return the same client); a no-op client without `window`. */
export declare function init(options: AtribuConfig): AtribuClient;

// The active client's methods: calls made in the browser before init() run once it has.
export declare const track: AtribuClient["track"];
export declare const trackRevenue: AtribuClient["trackRevenue"];
export declare const trackSelfDescribing: AtribuClient["trackSelfDescribing"];
export declare const identify: AtribuClient["identify"];
export declare const page: AtribuClient["page"];
export declare const setUserId: AtribuClient["setUserId"];
export declare const observeImpression: AtribuClient["observeImpression"];
export declare const setConsent: AtribuClient["setConsent"];
export declare const flush: AtribuClient["flush"];
export declare const reset: AtribuClient["reset"];
export declare const getAnonymousId: AtribuClient["getAnonymousId"];
export declare const getSessionId: AtribuClient["getSessionId"];

/** The tracker's version: 12 hex digits of its sources' SHA-256. */
export declare const VERSION: string;
