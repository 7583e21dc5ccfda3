/**
 * Re-referrals (pure): a contact about a child or adult already the subject of a contact decided in
 * the twelve months before it arrived. The earlier outcome is what the hub needs to see.
 */

export interface EarlierContact {
  contactId: string;
  reference: string;
  subjectId: string;
  receivedAt: Date;
  decidedAt: Date | null;
  outcome: string | null;
}

/** The same instant twelve calendar months earlier (29 February falls back to 28 February). */
export function twelveMonthsBefore(at: Date): Date {
  const d = new Date(at.getTime());
  const month = d.getUTCMonth();
  d.setUTCFullYear(d.getUTCFullYear() - 1);
  if (d.getUTCMonth() !== month) d.setUTCDate(0);
  return d;
}

/**
 * The most recent earlier contact with a decision about any of the people concerned, received
 * within the twelve months before `receivedAt` (and before it), or null. The contact itself is excluded.
 */
export function findReReferral(
  contact: { contactId: string; receivedAt: Date; subjectIds: readonly string[] },
  earlier: readonly EarlierContact[],
): EarlierContact | null {
  const since = twelveMonthsBefore(contact.receivedAt).getTime();
  const subjects = new Set(contact.subjectIds);
  let best: EarlierContact | null = null;
  for (const e of earlier) {
    if (e.contactId === contact.contactId || !subjects.has(e.subjectId) || e.decidedAt === null || e.outcome === null) continue;
    const at = e.receivedAt.getTime();
    if (at < since || at >= contact.receivedAt.getTime()) continue;
    if (!best || at > best.receivedAt.getTime()) best = e;
  }
  return best;
}
