/**
 * iCalendar (RFC 5545) invites for consultations, as iTIP (RFC 5546) messages: `METHOD:REQUEST`
 * for a new or moved consultation, `METHOD:CANCEL` when it is cancelled. The UID is the
 * consultation's, so calendar clients update one event instead of adding another; SEQUENCE grows
 * with every change. Times are UTC (`...Z`): no VTIMEZONE to get wrong, and every client shows them
 * in its own zone.
 *
 * The subscription feeds (issue 14, `buildFeed`) use the same UID, SEQUENCE, folding and escaping,
 * as one `METHOD:PUBLISH` calendar with many events and no organizer or attendees (no e-mail
 * addresses in a URL-addressed document).
 */

export interface CalendarInvite {
  method: "REQUEST" | "CANCEL";
  uid: string;
  sequence: number;
  start: Date;
  end: Date;
  /** When this version of the event was made (DTSTAMP). */
  stamp: Date;
  summary: string;
  description: string;
  /** The consult room's URL (LOCATION and URL). */
  url?: string;
  /** Where it takes place, for an in-person consultation (LOCATION, instead of the room's URL). */
  location?: string;
  organizer: { name: string; email: string };
  attendee: { name: string; email: string };
}

/** `20310310T120000Z` */
export function icsDate(d: Date): string {
  return d
    .toISOString()
    .replace(/\.\d{3}Z$/, "Z")
    .replace(/[-:]/g, "");
}

/** TEXT values: backslash, semicolon, comma and newlines are escaped (RFC 5545 3.3.11). */
export function escapeText(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/;/g, "\\;").replace(/,/g, "\\,").replace(/\r?\n/g, "\\n");
}

/** A parameter value (CN): quoted, with the characters a quoted value cannot hold removed. */
function paramValue(value: string): string {
  const clean = [...value].filter((ch) => ch !== '"' && ch.charCodeAt(0) >= 0x20 && ch !== "\u007f").join("");
  return `"${clean}"`;
}

/** Folds a content line at 75 octets without splitting a UTF-8 character (RFC 5545 3.1). */
export function foldLine(line: string): string {
  const out: string[] = [];
  let current = "";
  let octets = 0;
  for (const ch of line) {
    const size = Buffer.byteLength(ch, "utf8");
    const limit = out.length === 0 ? 75 : 74; // continuation lines start with one space
    if (octets + size > limit) {
      out.push(current);
      current = "";
      octets = 0;
    }
    current += ch;
    octets += size;
  }
  out.push(current);
  return out.join("\r\n ");
}

export function buildInvite(invite: CalendarInvite): string {
  const cancelled = invite.method === "CANCEL";
  const lines = [
    "BEGIN:VCALENDAR",
    "PRODID:-//HealthFlow//Consultations//EN",
    "VERSION:2.0",
    "CALSCALE:GREGORIAN",
    `METHOD:${invite.method}`,
    "BEGIN:VEVENT",
    `UID:${invite.uid}`,
    `SEQUENCE:${invite.sequence}`,
    `DTSTAMP:${icsDate(invite.stamp)}`,
    `DTSTART:${icsDate(invite.start)}`,
    `DTEND:${icsDate(invite.end)}`,
    `SUMMARY:${escapeText(invite.summary)}`,
    `DESCRIPTION:${escapeText(invite.description)}`,
    ...(invite.location
      ? [`LOCATION:${escapeText(invite.location)}`]
      : invite.url
        ? [`LOCATION:${escapeText(invite.url)}`, `URL:${invite.url}`]
        : []),
    `ORGANIZER;CN=${paramValue(invite.organizer.name)}:mailto:${invite.organizer.email}`,
    `ATTENDEE;CN=${paramValue(invite.attendee.name)};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE:mailto:${invite.attendee.email}`,
    `STATUS:${cancelled ? "CANCELLED" : "CONFIRMED"}`,
    "TRANSP:OPAQUE",
    "END:VEVENT",
    "END:VCALENDAR",
  ];
  return `${lines.map(foldLine).join("\r\n")}\r\n`;
}

/** One event of a subscription feed (`buildFeed`). */
export interface FeedEvent {
  uid: string;
  sequence: number;
  start: Date;
  end: Date;
  /** DTSTAMP and LAST-MODIFIED: when the consultation last changed, so an unchanged feed is byte-identical. */
  stamp: Date;
  summary: string;
  description: string;
  url?: string;
  status: "CONFIRMED" | "CANCELLED";
}

export interface CalendarFeed {
  /** X-WR-CALNAME: the name a client shows for the subscription. */
  name: string;
  /** How often clients should poll (REFRESH-INTERVAL, RFC 7986, and X-PUBLISHED-TTL). */
  refreshMinutes: number;
  events: FeedEvent[];
}

/** A subscription feed (`METHOD:PUBLISH`): one VEVENT per consultation, CRLF line ends, folded. */
export function buildFeed(feed: CalendarFeed): string {
  const lines = [
    "BEGIN:VCALENDAR",
    "PRODID:-//HealthFlow//Calendar feed//EN",
    "VERSION:2.0",
    "CALSCALE:GREGORIAN",
    "METHOD:PUBLISH",
    `NAME:${escapeText(feed.name)}`,
    `X-WR-CALNAME:${escapeText(feed.name)}`,
    `REFRESH-INTERVAL;VALUE=DURATION:PT${feed.refreshMinutes}M`,
    `X-PUBLISHED-TTL:PT${feed.refreshMinutes}M`,
  ];
  for (const event of feed.events) {
    lines.push(
      "BEGIN:VEVENT",
      `UID:${event.uid}`,
      `SEQUENCE:${event.sequence}`,
      `DTSTAMP:${icsDate(event.stamp)}`,
      `LAST-MODIFIED:${icsDate(event.stamp)}`,
      `DTSTART:${icsDate(event.start)}`,
      `DTEND:${icsDate(event.end)}`,
      `SUMMARY:${escapeText(event.summary)}`,
      `DESCRIPTION:${escapeText(event.description)}`,
      ...(event.url ? [`LOCATION:${escapeText(event.url)}`, `URL:${event.url}`] : []),
      `STATUS:${event.status}`,
      `TRANSP:${event.status === "CANCELLED" ? "TRANSPARENT" : "OPAQUE"}`,
      "CLASS:PRIVATE",
      "END:VEVENT",
    );
  }
  lines.push("END:VCALENDAR");
  return `${lines.map(foldLine).join("\r\n")}\r\n`;
}
