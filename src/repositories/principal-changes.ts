/**
 * A counter that moves on after every write that can change who an authenticated caller is or
 * whether they may still authenticate: an account's status, roles or teams, an organisation, an
 * API token revoked. A cache of principals (AuthService, decision 0011) records the counter before
 * it reads and treats an entry as stale once the counter has moved, so such a change takes effect
 * at once in this process. It is moved on after the write has committed, so a reader that started
 * before the write can never keep what it read.
 *
 * It is one counter for the whole process (every database handle): a change anywhere empties every
 * cache, which is only ever too cautious. Other processes do not see it (decision 0011).
 */
let generation = 0;

export function principalsChanged(): void {
  generation += 1;
}

export function principalGeneration(): number {
  return generation;
}
