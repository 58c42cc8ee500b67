/** A moment as the reader's locale writes it. */
export const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : 'never');

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/** How far `iso` is from now in words ("in 7 days", "3 hours ago"), rounded to its largest unit. */
export function fromNow(iso: string, now = Date.now()): string {
  const ms = new Date(iso).getTime() - now;
  const format = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  for (const [unit, size] of UNITS) {
    if (Math.abs(ms) >= size) return format.format(Math.round(ms / size), unit);
  }
  return ms >= 0 ? 'in less than a minute' : 'just now';
}

/** An expiry in words for a person: whether it has passed, how far off it is, and when exactly. */
export function expiryWords(iso: string, now = Date.now()): { expired: boolean; text: string } {
  const expired = new Date(iso).getTime() <= now;
  return {
    expired,
    text: `${expired ? 'expired' : 'expires'} ${fromNow(iso, now)} (${when(iso)})`,
  };
}
