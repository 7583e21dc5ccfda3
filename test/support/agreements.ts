import { hashPassword } from '../../src/auth/password.ts';
import { generateTotpSecret } from '../../src/auth/totp.ts';
import { newId } from '../../src/ids.ts';
import { DEMO_PASSWORD } from '../../src/services/demo-service.ts';
import type { TestApp } from './app.ts';

/**
 * The demo has one information-governance lead (children's services). Agreements are signed by
 * the IG lead of each party, so the agreement tests add IG leads to other demo organisations:
 * demo accounts with the demo password and an authenticator, so they can sign in like the others.
 */
export async function addIgLead(t: TestApp, organisationName: string, email: string, displayName: string): Promise<string> {
  const org = (await t.services.repositories.organisations.list()).find((o) => o.name === organisationName);
  if (!org) throw new Error(`No demo organisation ${organisationName}`);
  const id = newId();
  const now = new Date();
  await t.services.repositories.users.insert(
    {
      id,
      organisationId: org.id,
      email,
      displayName,
      jobTitle: 'Data protection officer',
      phone: null,
      status: 'active',
      passwordHash: await hashPassword(DEMO_PASSWORD),
      isDemo: true,
      roles: ['ig_lead'],
      teamIds: [],
    },
    now,
  );
  await t.services.repositories.users.setTotp(id, t.services.secretBox.encrypt(generateTotpSecret()), null, now);
  return id;
}

export async function organisationId(t: TestApp, name: string): Promise<string> {
  const org = (await t.services.repositories.organisations.list()).find((o) => o.name === name);
  if (!org) throw new Error(`No demo organisation ${name}`);
  return org.id;
}
