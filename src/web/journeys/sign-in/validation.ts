import { z } from 'zod';

export const signInSchema = z.object({
  email: z.string({ error: 'Enter your email address' }).trim().min(1, 'Enter your email address').max(254),
  password: z.string({ error: 'Enter your password' }).min(1, 'Enter your password').max(256, 'Password must be 256 characters or fewer'),
});

export const securityCodeSchema = z.object({
  code: z
    .string({ error: 'Enter the security code' })
    .transform((v) => v.replace(/\s/g, ''))
    .pipe(z.string().min(1, 'Enter the security code').regex(/^\d{6}$/, 'Enter the 6-digit security code from your authenticator app')),
});

export const invitationSchema = z.object({
  password: z.string({ error: 'Enter a password' }).min(1, 'Enter a password'),
  confirmPassword: z.string({ error: 'Enter the password again' }).min(1, 'Enter the password again'),
});

