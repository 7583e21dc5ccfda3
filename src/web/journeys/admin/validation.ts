import { z } from 'zod';

/** Raw organisation form fields (the service validates their meaning). */
export const organisationFormSchema = z.object({
  name: z.string().optional(),
  typeCode: z.string().optional(),
  officialCode: z.string().optional(),
  emailDomain: z.string().optional(),
  oidcIssuer: z.string().optional(),
  oidcClientId: z.string().optional(),
  oidcClientSecret: z.string().optional(),
  active: z.string().optional(),
});

const blankToUndefined = (v: unknown) => (v === '' ? undefined : v);

export const practitionerFilterSchema = z.object({
  organisationId: z.preprocess(blankToUndefined, z.uuid().optional()).catch(undefined),
  text: z.preprocess(blankToUndefined, z.string().trim().max(100).optional()).catch(undefined),
  status: z.preprocess(blankToUndefined, z.enum(['invited', 'active', 'deactivated']).optional()).catch(undefined),
});
