/**
 * Who may see the involvements agencies' own systems sent: a feed's involvements records linked to a
 * person (src/feeds, src/services/linking-service.ts). Part of the one access policy; pure.
 *
 * An involvement recorded in Team Around has a role from a fixed list ("allocated social worker"),
 * and the involvements category shows it. An agency's system sends its own words for the role
 * ("child protection plan", "MARAC: high risk"), and those words are the agency's case information.
 * So a row is shown in full only to the agency that sent it, or where the decision opens that
 * agency's case category on a basis other than a disclosure. A disclosure carries chosen items and
 * never an agency's feed record.
 *
 * Knowing only *that* the agency is involved is involvement information, as it is for an involvement
 * recorded here. So where the viewer may know who is involved but not see the agency's records, the
 * agency is named as holding involvement records, with the reason and "ask them".
 *
 * Nothing is named to a viewer who may not know of the involvement: a current one needs the contacts
 * category (the contact minimum gives it), an ended one the involvements category beyond the viewer's
 * own organisation's, as for involvements recorded here.
 *
 * Sensitive services. A feed record names no service, so an organisation that runs a sensitive service
 * hidden from the viewer (no consent) could be speaking of it in any of its rows. Its rows are never
 * shown in full to other organisations. It is named as holding records only where the viewer may
 * already know of one of its visible involvements recorded here, and never where all of them are
 * hidden (`organisationsHiddenFrom`).
 */
import { involvementsBeyondOwnOrganisation, type DataCategory, type Decision, type Requester, type SubjectFacts } from './access-policy.ts';

export interface AgencyInvolvementFact {
  organisationId: string;
  organisationName: string;
  /** The sending organisation's case category (its type's). */
  caseCategory: DataCategory;
  endDate: string | null;
}

export interface AgencyInvolvementAccess<T extends AgencyInvolvementFact> {
  /** Rows shown in full; `contacts`: with the practitioner's work phone and email. */
  shown: Array<{ row: T; contacts: boolean }>;
  /** Agencies whose involvement records with the person exist but are not shown to the viewer, with why. */
  heldBy: Array<{ organisationId: string; organisationName: string; reason: string }>;
}

/** A category the decision opens on a basis other than a disclosure (a disclosure is exactly its items). */
export const openedFully = (d: Decision, c: DataCategory): boolean => d.allowed.includes(c) && d.basisByCategory[c] !== 'disclosure';

/** Organisations whose every involvement recorded with the person is hidden from the viewer: never named to them. */
export function organisationsHiddenFrom(facts: SubjectFacts, decision: Decision): Set<string> {
  const hidden = new Set(decision.hiddenInvolvementIds);
  const shown = new Set(facts.involvements.filter((i) => !hidden.has(i.id)).map((i) => i.organisationId));
  return new Set(facts.involvements.filter((i) => hidden.has(i.id) && !shown.has(i.organisationId)).map((i) => i.organisationId));
}

export function agencyInvolvementAccess<T extends AgencyInvolvementFact>(
  requester: Requester,
  facts: SubjectFacts,
  decision: Decision,
  rows: readonly T[],
  now: Date,
): AgencyInvolvementAccess<T> {
  const today = now.toISOString().slice(0, 10);
  const involvements = openedFully(decision, 'involvements');
  const contacts = openedFully(decision, 'contacts');
  const beyondOwn = involvementsBeyondOwnOrganisation(requester, facts, now);
  const hidden = new Set(decision.hiddenInvolvementIds);
  // Organisations running a service hidden from the viewer, and those with an involvement recorded
  // here that the viewer may know of (current: contacts; any: involvements beyond their own).
  const withHiddenService = new Set(facts.involvements.filter((i) => hidden.has(i.id)).map((i) => i.organisationId));
  const knownHere = new Set(
    facts.involvements.filter((i) => !hidden.has(i.id) && ((i.active && contacts) || (involvements && beyondOwn))).map((i) => i.organisationId),
  );

  const shown: AgencyInvolvementAccess<T>['shown'] = [];
  const heldBy = new Map<string, { organisationId: string; organisationName: string; reason: string }>();
  for (const row of rows) {
    const own = row.organisationId === requester.organisationId;
    if (own) {
      shown.push({ row, contacts: true });
      continue;
    }
    const sensitive = withHiddenService.has(row.organisationId);
    if (sensitive && !knownHere.has(row.organisationId)) continue;
    const current = row.endDate === null || row.endDate > today;
    // Whether the viewer may know of this involvement at all, as of one recorded here: a current one
    // through the contacts category (the contact minimum too); any through the involvements category
    // when it reaches beyond their own organisation's.
    if (!((current && contacts) || (involvements && beyondOwn))) continue;
    if (!sensitive && openedFully(decision, row.caseCategory)) {
      shown.push({ row, contacts });
      continue;
    }
    if (!heldBy.has(row.organisationId)) {
      // the same words as for any agency: a reason about the hidden service would reveal it
      const redacted = sensitive ? undefined : decision.redacted.find((x) => x.category === row.caseCategory)?.reason;
      const why = redacted ?? 'Your access does not cover their records.';
      heldBy.set(row.organisationId, { organisationId: row.organisationId, organisationName: row.organisationName, reason: why });
    }
  }
  return { shown, heldBy: [...heldBy.values()].sort((a, b) => a.organisationName.localeCompare(b.organisationName)) };
}
