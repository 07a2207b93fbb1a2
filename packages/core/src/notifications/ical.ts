/**
 * iCalendar (RFC 5545) invites for consultations, as iTIP (RFC 5546) messages: `METHOD:REQUEST`
 * for a new or moved consultation, `METHOD:CANCEL` when it is cancelled. The UID is the
 * consultation's, so calendar clients update one event instead of adding another; SEQUENCE grows
 * with every change. Times are UTC (`...Z`): no VTIMEZONE to get wrong, and every client shows them
 * in its own zone.
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
