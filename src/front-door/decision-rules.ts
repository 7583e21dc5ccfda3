/**
 * What a threshold decision must say (pure): the level of need and the outcome must fit each other,
 * and each outcome needs its particulars (the advice given, the service signposted to, the lead
 * professional). Errors are by field, for forms and the API alike.
 */

export const LEVELS = ['universal', 'early_help', 'child_in_need', 'child_protection'] as const;
export type Level = (typeof LEVELS)[number];
export const OUTCOMES = ['nfa_advice', 'signpost', 'early_help', 'social_care_assessment', 'strategy_discussion'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** The outcomes that fit each level of need. */
export const OUTCOMES_BY_LEVEL: Readonly<Record<Level, readonly Outcome[]>> = {
  universal: ['nfa_advice', 'signpost'],
  early_help: ['signpost', 'early_help'],
  child_in_need: ['social_care_assessment', 'early_help'],
  child_protection: ['strategy_discussion', 'social_care_assessment'],
};

export interface ThresholdDecisionInput {
  level: Level;
  outcome: Outcome;
  rationale: string;
  advice?: string | undefined;
  serviceId?: string | undefined;
  serviceName?: string | undefined;
  leadProfessional?: string | undefined;
}

export function decisionProblems(d: ThresholdDecisionInput): Record<string, string> {
  const problems: Record<string, string> = {};
  if (!OUTCOMES_BY_LEVEL[d.level].includes(d.outcome)) {
    problems.outcome = `That outcome does not fit the level of need: at ${d.level.replace(/_/g, ' ')} choose ${OUTCOMES_BY_LEVEL[d.level].map((o) => o.replace(/_/g, ' ')).join(' or ')}`;
  }
  if (d.rationale.trim().length < 20) problems.rationale = 'Give the rationale for the decision, in at least 20 characters';
  if (d.outcome === 'nfa_advice' && !d.advice?.trim()) problems.advice = 'Say what advice was given';
  if (d.outcome === 'signpost' && !d.serviceName?.trim()) problems.serviceName = 'Choose or name the service the family is signposted to';
  if (d.outcome === 'early_help' && !d.leadProfessional?.trim()) problems.leadProfessional = 'Name the lead professional for early help';
  return problems;
}
