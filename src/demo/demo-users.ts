import type { LegacyUserRecord } from './legacy-service.js';

/**
 * The demo legacy system's users, in the legacy system's own field names. Their passwords are printed at start and
 * in the README: they exist only to be typed into the hosted sign-in page.
 */
export const DEMO_USERS: readonly LegacyUserRecord[] = [
  {
    password: 'wonderland',
    profile: {
      uid: 'L-1001',
      user_name: 'alice',
      mail: 'alice@example.com',
      first: 'Alice',
      last: 'Liddell',
      roles: ['staff'],
      mail_confirmed: true,
    },
    note: 'migrates on first sign-in',
  },
  {
    password: 'can-we-fix-it',
    profile: {
      uid: 'L-1002',
      user_name: 'bob',
      mail: 'Bob.Builder@Example.com',
      first: 'Bob',
      last: 'Builder',
      roles: ['customer'],
      mail_confirmed: 'Y',
    },
    note: 'sign in with the email in any case; "Y" becomes email_verified true',
  },
  {
    password: 'higher further faster',
    profile: {
      uid: 'L-1003',
      user_name: 'carol',
      mail: 'carol@example.com',
      first: 'Carol',
      last: 'Danvers',
      roles: ['admin', 'staff', 'pilot'],
      mail_confirmed: false,
    },
    note: 'roles are renamed by the mapping; "pilot" is dropped',
  },
  {
    password: 'open-the-pod-bay-doors',
    status: 'locked',
    profile: { uid: 'L-1004', user_name: 'dave', mail: 'dave@example.com', first: 'Dave', last: 'Bowman', roles: [] },
    note: 'locked in the legacy system: refused, nothing stored',
  },
  {
    password: 'no-valid-email',
    profile: { uid: 'L-1005', user_name: 'erin', mail: 'erin at example dot com', first: 'Erin', last: 'Brockovich' },
    note: 'profile fails validation (bad email): "could not be moved"',
  },
];

/**
 * A legacy user with two-step verification in the legacy system (a TOTP secret, as an authenticator app holds it):
 * their first sign-in here asks for the app's code before it completes. Kept apart from `DEMO_USERS`, whose number
 * the demo's pages and their tests count; the suites that need frank add him.
 */
export const DEMO_TOTP_USER: LegacyUserRecord = {
  password: 'two-steps-ahead',
  profile: {
    uid: 'L-1006',
    user_name: 'frank',
    mail: 'frank@example.com',
    first: 'Frank',
    last: 'Abagnale',
    roles: ['customer'],
    mail_confirmed: true,
    totp_secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
  },
  note: 'had two-step verification in the legacy system: asked for the code of the same authenticator app',
};
