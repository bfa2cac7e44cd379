/**
 * The source catalogue: every text the hosted pages, their mails and their error pages show a user, in English. Its
 * keys are the key set of every other catalogue (`MessageKey`); a key missing there falls back to this text.
 *
 * Plain text with `{name}` placeholders, never HTML: a view that needs markup around a placeholder (a bold client
 * name, a link) passes it as markup through `t.html` (src/i18n/translator.ts). Keys ending in `.one` / `.other` are
 * plural forms, chosen by `t.plural` with the locale's rules.
 */
export const en = {
  // The frame of every page (views/layout.ejs).
  'layout.skipLink': 'Skip to content',
  'layout.demoBadge': 'Demo mode',
  'layout.demoBadgeTitle': 'No legacy system is configured',
  'layout.reference': 'Reference: {id}',

  // Shared by several pages.
  'common.cancel': 'Cancel',
  'common.cancelAndReturn': 'Cancel and return to {client}',
  'common.continue': 'Continue',
  'common.confirm': 'Confirm',
  'common.done': 'Done',
  'common.backToSignIn': 'Back to sign in',
  'common.newPassword': 'New password',
  'common.newPasswordAgain': 'New password, again',
  'common.passwordHint': 'At least {min} characters.',
  'common.passwordsDiffer': 'The two passwords are not the same.',
  'common.codeFromApp': 'Code from the app',
  'common.cannotScan': 'Cannot scan? Enter this key in the app instead: {secret}',
  'common.securityPageLink': "Your account's security page",

  // The sign-in page.
  'signIn.title': 'Sign in',
  'signIn.lead': 'to continue to {client}',
  'signIn.login': 'Username or email',
  'signIn.password': 'Password',
  'signIn.submit': 'Sign in',
  'signIn.passkeyOr': 'Or, with nothing to type:',
  'signIn.forgot': 'Forgot your password?',
  'signIn.newHere': 'New here? {link}',
  'signIn.createAccount': 'Create an account',
  'signIn.error.wrongCredentials': 'Wrong username or password.',
  'signIn.error.tooMany': 'Too many attempts. Please wait a few minutes and try again.',
  'signIn.error.unavailable': 'Sign-in is temporarily unavailable. Please try again in a few minutes.',
  'signIn.error.cannotSignIn': 'This account cannot sign in at the moment. Please contact support.',
  'signIn.error.migrationRejected': 'Your account could not be moved to the new system. Please contact support.',
  'signIn.error.passkeyRefused': 'That passkey did not sign you in. Try again, or sign in with your password.',
  'signIn.error.passkeyExpired': 'That took too long. Try the passkey again.',

  // Passkeys, wherever they are offered (the texts of /assets/passkeys.js too).
  'passkey.use': 'Use a passkey',
  'passkey.add': 'Add a passkey',
  'passkey.script.notAllowed': 'No passkey was used. You can try again.',
  'passkey.script.alreadyRegistered': 'This authenticator already has a passkey here.',
  'passkey.script.failed': 'Passkeys did not work in this browser just now. You can try again.',

  // Sign-up.
  'signUp.title': 'Create your account',
  'signUp.lead': 'for {client}',
  'signUp.username': 'Username',
  'signUp.usernameHint': 'Letters, digits and . _ - only; no spaces.',
  'signUp.email': 'Email',
  'signUp.givenName': 'First name (optional)',
  'signUp.familyName': 'Last name (optional)',
  'signUp.password': 'Password',
  'signUp.submit': 'Create account',
  'signUp.haveAccount': 'Already have an account, here or in the old system? {link}',
  'signUp.signIn': 'Sign in',
  'signUp.error.taken':
    'An account with this username or email already exists. Sign in with your existing password instead.',
  'signUp.error.unavailable': 'Sign-up is temporarily unavailable. Please try again later.',

  // Form problems: a sentence per field (its subject and what is wrong), and one above the form.
  'form.correctFields': 'Please correct the highlighted fields.',
  'form.sentence': '{problem}.',
  'field.username': 'The username',
  'field.email': 'The email address',
  'field.givenName': 'The first name',
  'field.familyName': 'The last name',
  'field.password': 'The password',
  'field.newPassword': 'The new password',
  'field.generic': 'This field',
  'problem.required': 'This field is required',
  'problem.notEmail': 'Enter an email address, like name@example.com',
  'problem.tooShort': '{field} must be at least {min} characters',
  'problem.tooLong': '{field} must be at most {max} characters',
  'problem.invisible': '{field} must not contain control or invisible characters',
  'problem.spacesOrAt': '{field} must not contain spaces or "@"',
  'problem.onlyDots': '{field} must contain more than dots',
  'problem.mixedScripts': '{field} must not mix letters of different scripts, such as Latin and Cyrillic',
  'problem.commonPassword': '{field} is one of the most common passwords; choose one that is harder to guess',
  'problem.ownLogin': '{field} must not be your username or email',
  'problem.taken': '{field} is already used by another account: please choose another',
  'problem.invalid': '{field} is not valid',

  // Choosing new logins when the legacy ones are taken here.
  'chooseLogins.title': 'Choose how you sign in',
  'chooseLogins.heading': 'Almost there',
  'chooseLogins.lead': 'Your account from the old system is ready to move to {client}.',
  'chooseLogins.usernameTaken':
    'Another account here already uses the username {username} (names here do not tell capital from small letters). Choose the username you will sign in with from now on.',
  'chooseLogins.emailTaken':
    'Another account here already uses the email address {email}. Give another address for your account.',
  'chooseLogins.newUsername': 'New username',
  'chooseLogins.newUsernameHint': 'No spaces or "@". You can still use your email address to sign in.',
  'chooseLogins.email': 'Email address',
  'chooseLogins.error.unavailable': 'We cannot check that name right now. Please try again in a few minutes.',

  // Consent.
  'consent.title': 'Allow access?',
  'consent.lead': '{client} would like to:',
  'consent.signedInAs': 'Signed in as {username}.',
  'consent.allow': 'Allow',
  'consent.deny': 'Deny',
  'scope.openid': 'Sign you in with your account',
  'scope.profile': 'See your name and username',
  'scope.email': 'See your email address',
  'scope.roles': 'See your roles',
  'scope.migration': 'See when your account was moved to this service',
  'scope.offline_access': 'Stay signed in while you are away',
  'scope.unknown': 'Use the "{scope}" permission',
  'scope.claim': 'See your {claim}',
  'scope.resource': 'Call {resource} with: {scopes}',

  // A weak legacy password replaced inside a sign-in.
  'changePassword.title': 'Choose a new password',
  'changePassword.lead': 'Your password is too easy to guess. Choose a new one to continue to {client}.',
  'changePassword.hint': 'At least {min} characters, not a common one.',
  'changePassword.submit': 'Change password and continue',

  // The second step of a sign-in.
  'secondFactor.title': 'Two-step verification',
  'secondFactor.leadTotp': 'Enter the 6-digit code from your authenticator app to continue to {client}.',
  'secondFactor.leadRecovery': 'Enter one of your recovery codes to continue to {client}.',
  'secondFactor.leadPasskey': 'Use one of your passkeys to continue to {client}.',
  'secondFactor.passkeyOr': 'Or use one of your passkeys:',
  'secondFactor.passkeyFallback':
    'Your second step is a passkey, and using one needs a browser with JavaScript that supports passkeys. This browser cannot pass this step: sign in from one that can.',
  'secondFactor.code': 'Code',
  'secondFactor.hintTotp': 'Lost your phone? Enter one of your recovery codes instead.',
  'secondFactor.hintRecovery': 'Each recovery code works once.',
  'secondFactor.submit': 'Verify and continue',
  'secondFactor.error.wrongCode':
    'That code is not right. Enter the current code from your app, or one of your recovery codes.',
  'secondFactor.error.passkeyRefused': 'That passkey was not accepted. Try again with a passkey of this account.',
  'secondFactor.error.passkeyExpired': 'That took too long. Try the passkey again.',
  'secondFactor.error.tooManyCodes.one': 'Too many wrong codes. Try again in {count} minute.',
  'secondFactor.error.tooManyCodes.other': 'Too many wrong codes. Try again in {count} minutes.',
  'secondFactor.error.tooManyAttempts.one': 'Too many failed attempts. Try again in {count} minute.',
  'secondFactor.error.tooManyAttempts.other': 'Too many failed attempts. Try again in {count} minutes.',

  // Setting up an authenticator app inside a sign-in.
  'setupSecondFactor.title': 'Set up two-step verification',
  'setupSecondFactor.lead':
    '{client} asks for a code from an authenticator app at every sign-in. Scan this code with the app, then enter the 6-digit code it shows.',
  'setupSecondFactor.error.wrongCode': 'That code is not right: enter the code your app shows now.',
  'setupSecondFactor.error.expired': 'That setup expired. Scan this new code and enter the code it shows.',
  'setupSecondFactorDone.title': 'Two-step verification is on',
  'setupSecondFactorDone.codes':
    'Keep these recovery codes somewhere safe: each signs you in once if you lose your phone. They are shown only now.',
  'setupSecondFactorDone.noCodes':
    "Your authenticator app is set up. You can make new recovery codes on your account's security page.",
  'setupSecondFactorDone.continue': 'Continue to {client}',

  // The offer of a passkey at the end of a sign-in.
  'passkeyOffer.title': 'Add a passkey',
  'passkeyOffer.lead':
    'Sign in to {client} faster and more safely next time: with a passkey, your fingerprint, face or screen lock replaces your password.',
  'passkeyOffer.later': 'Not now',
  'passkeyOffer.never': "Don't ask me again",
  'passkeyOffer.aside': "You can add or remove passkeys later on your account's security page.",
  'passkeyOffer.error.notAdded': 'The passkey was not added. You can try again, or continue without one.',
  'passkeyOffer.error.expired': 'That took too long. Try again, or continue without a passkey.',
  'passkeyOffer.error.alreadyRegistered':
    'This authenticator already has a passkey here. Try another, or continue without one.',

  // A client that requires a confirmed email address.
  'verifyEmailRequired.title': 'Confirm your email address',
  'verifyEmailRequired.lead':
    '{client} needs a confirmed email address. Open the link we sent to {email}, then continue.',
  'verifyEmailRequired.leadNoEmail':
    '{client} needs a confirmed email address, and your account has none. Add one on {link}, confirm it, then continue.',
  'verifyEmailRequired.securityPage': "your account's security page",
  'verifyEmailRequired.continue': 'I have confirmed it: continue',
  'verifyEmailRequired.resend': 'Send the link again',
  'verifyEmailRequired.notConfirmed': '{email} is not confirmed yet: open the link we sent to it, then continue.',

  // The page an email verification link opens.
  'verifyEmail.title': 'Confirm your email address',
  'verifyEmail.lead': 'Confirm that this address is yours: applications you sign in to will know it is verified.',
  'verifyEmail.submit': 'Confirm my email address',
  'verifyEmail.doneTitle': 'Your email address is confirmed',
  'verifyEmail.doneLead': '{email} is verified. You can close this page.',
  'verifyEmail.invalidTitle': 'This link does not work',
  'verifyEmail.invalidLead':
    "It has expired, was used already, or your email address has changed since it was sent. Ask for a new one on your account's security page.",
  'verifyEmail.notice.sent': 'A link to confirm your address is on its way to {email}.',
  'verifyEmail.notice.recentlySent': 'A link was sent a moment ago: look for it in your mailbox.',

  // Mails about the email address.
  'mail.verifyEmail.subject': 'Confirm your email address for {product}',
  'mail.verifyEmail.why': 'please confirm that this is your email address for your {product} account.',
  'mail.verifyEmail.whyChange': 'please confirm that this is the new email address of your {product} account.',
  'mail.verifyEmail.body.one':
    'Hello {name},\n\n{why} Open this link within {count} hour:\n\n{link}\n\nIf you have no such account, ignore this email.\n',
  'mail.verifyEmail.body.other':
    'Hello {name},\n\n{why} Open this link within {count} hours:\n\n{link}\n\nIf you have no such account, ignore this email.\n',
  'mail.emailChanged.subject': 'Your email address for {product} has changed',
  'mail.emailChanged.body':
    'Hello {name},\n\nthe email address of your {product} account is now {email}.\nIf you did not change it, contact your administrator.\n',

  // Forgot password, and the reset link's pages.
  'forgotPassword.title': 'Reset your password',
  'forgotPassword.lead':
    'Enter your username or email. If we know it, we send you a link to choose a new password, also if your account is still in the old system.',
  'forgotPassword.login': 'Username or email',
  'forgotPassword.submit': 'Send me a link',
  'forgotPasswordSent.title': 'Check your email',
  'forgotPasswordSent.lead':
    'If an account exists for what you entered, we have sent a link to its email address. It works for a short while and only once.',
  'resetPassword.title': 'Choose a new password',
  'resetPassword.submit': 'Change password',
  'resetPassword.error.unavailable': 'This is temporarily unavailable. Please try again in a few minutes.',
  'resetDone.askAgain': 'Ask for a new link',
  'resetDone.expiredTitle': 'This link cannot be used',
  'resetDone.expiredMessage': 'It has expired or was already used. Ask for a new one.',
  'resetDone.rejectedTitle': 'Your account could not be moved',
  'resetDone.rejectedMessage': 'Your account could not be moved to the new system. Please contact support.',
  'resetDone.doneTitle': 'Password changed',
  'resetDone.doneHeading': 'Your password has been changed',
  'resetDone.doneSignIn': 'You can now sign in with your new password.',
  'resetDone.doneGoBack': 'Go back to the application you were using and sign in with your new password.',
  'resetDone.signIn': 'Sign in',
  'resetDone.signInTo': 'Sign in to {client}',
  'mail.passwordReset.subject': 'Reset your {product} password',
  'mail.passwordReset.body.one':
    'Hello {name},\n\nsomeone (hopefully you) asked to reset the password of your {product} account.\nOpen this link within {count} minute to choose a new one:\n\n{link}\n\nIf it was not you, ignore this email: your password stays as it is.\n',
  'mail.passwordReset.body.other':
    'Hello {name},\n\nsomeone (hopefully you) asked to reset the password of your {product} account.\nOpen this link within {count} minutes to choose a new one:\n\n{link}\n\nIf it was not you, ignore this email: your password stays as it is.\n',

  // Signing out (oidc-provider's logout pages) and "sign out everywhere".
  'logout.title': 'Sign out?',
  'logout.question': 'Do you want to sign out of {product}?',
  'logout.questionClient': 'Do you want to sign out of {product} and return to {client}?',
  'logout.yes': 'Yes, sign me out',
  'logout.no': 'No, stay signed in',
  'loggedOut.title': 'Signed out',
  'loggedOut.heading': 'You are signed out',
  'loggedOut.lead': 'You have signed out of {product}. You can close this page.',
  'loggedOut.leadClient': 'You have signed out of {product} and {client}. You can close this page.',

  // Error pages.
  'error.code': 'Error code: {code}',
  'error.notFound.heading': 'There is no page here',
  'error.notFound.message':
    'The address may be mistyped, or the page has moved. Go back to the application you came from.',
  'error.unavailable.heading': 'Temporarily unavailable',
  'error.unavailable.message': 'The service is temporarily unavailable. Please try again in a moment.',
  'error.expired.heading': 'This sign-in page has expired',
  'error.expired.message': 'Go back to the application and start signing in again.',
  'error.badRequest.heading': 'Something is wrong with this request',
  'error.unhandled.heading': 'This request could not be handled',
  'error.server.heading': 'Something went wrong',
  'error.server.message': 'An unexpected error occurred. Please try again; if it keeps happening, contact support.',
  'error.formExpired.heading': 'This form has expired',
  'error.formExpired.message': 'Go back, reload the page and try again.',
  'error.protocol.title': 'Sign-in error',
  'error.protocol.heading': 'This sign-in request cannot be completed',
  'error.protocol.message': 'The application sent a request that cannot be handled.',
  'error.invalidClient.heading': 'This application is not registered with this sign-in service',
  'error.invalidClient.message':
    'The application that sent you here is not known to this sign-in service. Please tell its developers.',
  'error.invalidRedirectUri.heading': 'This application is not set up correctly',
  'error.invalidRedirectUri.message':
    'The application asked to have you sent back to an address it has not registered. Please tell its developers.',

  // The account's security page.
  'security.title': 'Sign-in security',
  'security.email.heading': 'Email address',
  'security.email.confirmed': '{email} is confirmed.',
  'security.email.unconfirmed': '{email} is not confirmed yet: applications see it as unverified.',
  'security.email.sendLink': 'Send me a link to confirm it',
  'security.email.newLabel': 'New email address',
  'security.email.label': 'Email address',
  'security.email.hint': 'It replaces the current one once you open the link we send to it.',
  'security.email.change': 'Change email address',
  'security.email.notAnAddress': 'That is not an email address.',
  'security.email.linkSent': 'A link is on its way to {email}: your address changes once you open it.',
  'security.totp.heading': 'Authenticator app',
  'security.totp.since': 'Set up on {date}. Signing in asks for a code from the app after your password.',
  'security.totp.remove': 'Remove the authenticator app',
  'security.totp.none':
    'Not set up. With an app such as Google Authenticator, Aegis or 1Password, signing in also asks for a code only your phone has.',
  'security.totp.setUp': 'Set up an authenticator app',
  'security.totp.expired': 'That setup expired. Start again.',
  'security.totp.done': 'Your authenticator app is set up.',
  'security.totp.removed': 'Your authenticator app is removed.',
  'security.recovery.heading': 'Recovery codes',
  'security.recovery.left.one': '{count} unused recovery code. Each one signs you in once if you lose your phone.',
  'security.recovery.left.other': '{count} unused recovery codes. Each one signs you in once if you lose your phone.',
  'security.recovery.renew': 'Make new recovery codes',
  'security.passkeys.heading': 'Passkeys',
  'security.passkeys.none':
    'No passkey yet. A passkey signs you in with your fingerprint, face or device PIN instead of your password and a code.',
  'security.passkeys.added': 'added on {date}',
  'security.passkeys.addedUsed': 'added on {date}, last used on {lastUsed}',
  'security.passkeys.remove': 'Remove the passkey {label}',
  'security.passkeys.defaultLabel': 'Passkey',
  'security.passkeys.label': 'Name for the passkey (optional)',
  'security.passkeys.labelHint': 'Such as the device it is on: "Laptop", "Phone".',
  'security.passkeys.fallback': 'Adding a passkey needs a browser with JavaScript that supports passkeys.',
  'security.passkeys.unavailable': 'Passkeys need this site to be reached by its domain name.',
  'security.passkeys.registered': 'Your passkey is added. You can sign in with it alone, without your password.',
  'security.passkeys.expired': 'That took too long. Try adding the passkey again.',
  'security.passkeys.refused': 'That passkey could not be added. Try again.',
  'security.passkeys.alreadyRegistered': 'That passkey is already added.',
  'security.passkeys.removed': 'The passkey is removed.',
  'security.passkeys.alreadyRemoved': 'That passkey was already removed.',
  'security.appsLink': 'Apps you allowed',
  'security.password.heading': 'Password',
  'security.password.change': 'Change password',
  'security.password.differ': 'The two passwords are not the same: nothing was changed.',
  'security.password.refused': '{problem}: nothing was changed.',
  'security.password.changed': 'Your password is changed.',
  'security.sessions.heading': 'Sessions',
  'security.sessions.lead':
    'Signed in on a computer you no longer use, or lost a phone? End every session: each application and browser must sign in again.',
  'security.sessions.end': 'Sign out everywhere',

  // Recovery codes and the authenticator app, from the account's security page.
  'recoveryCodes.title': 'Your recovery codes',
  'recoveryCodes.lead':
    'Each code signs you in once if you lose your phone. Keep them somewhere safe: they are shown only now.',
  'recoveryCodes.afterSetup': 'Your authenticator app is set up. Keep these recovery codes',
  'recoveryCodes.renewed': 'Your new recovery codes (the old ones no longer work)',
  'totpSetup.title': 'Set up an authenticator app',
  'totpSetup.lead': 'Scan this code with your authenticator app, then enter the 6-digit code it shows.',
  'totpSetup.error.wrongCode': 'That code is not right: enter the code your app shows now.',

  // The applications a user allowed.
  'apps.title': 'Apps you allowed',
  'apps.lead': 'These applications may sign you in without asking again. Take one back and it asks you next time.',
  'apps.none': 'You have not allowed any application yet.',
  'apps.signInOnly': 'sign-in only',
  'apps.revoke': 'Revoke access for {app}',

  // The account pages: profile, sessions, erasure.
  'account.nav.label': 'Your account',
  'account.nav.profile': 'Profile',
  'account.nav.security': 'Sign-in security',
  'account.nav.apps': 'Apps',
  'account.nav.sessions': 'Sessions',
  'account.profile.title': 'Your account',
  'account.profile.username': 'Username',
  'account.profile.email': 'Email',
  'account.profile.verified': 'confirmed',
  'account.profile.unverified': 'not confirmed yet',
  'account.profile.none': 'none',
  'account.profile.name': 'Name',
  'account.profile.givenName': 'Given name',
  'account.profile.familyName': 'Family name',
  'account.profile.since': 'Account since',
  'account.profile.moved': 'Moved from the former system',
  'account.profile.changeHint': 'Your email address and password change under {security}.',
  'account.profile.deleteHeading': 'Delete your account',
  'account.profile.deleteLink': 'Delete your account and everything it holds',
  'field.name': 'The name',
  'account.profile.namesHeading': 'Your name',
  'account.profile.namesHint': 'How applications greet you. Leave a field empty to remove it.',
  'account.profile.save': 'Save',
  'account.profile.saved': 'Your profile is saved.',
  'account.sessions.title': 'Where you are signed in',
  'account.sessions.lead': 'Each browser or device signed in to your account. End any you do not recognise.',
  'account.sessions.thisBrowser': 'This browser',
  'account.sessions.otherBrowser': 'Another browser or device',
  'account.sessions.signedInAt': 'Signed in {time}',
  'account.sessions.apps': 'Apps: {apps}',
  'account.sessions.end': 'Sign out there',
  'account.sessions.endAll': 'Sign out everywhere, here too',
  'account.delete.title': 'Delete your account',
  'account.delete.lead': 'Deleting your account cannot be undone.',
  'account.delete.what.data': 'Your profile, your password and your sign-in methods are erased.',
  'account.delete.what.sessions': 'Every application you signed in to is signed out.',
  'account.delete.what.legacy':
    'Your account in the former system is not moved here again: if you ever want it back, ask support.',
  'account.delete.confirmLabel': 'To confirm, type your username ({username})',
  'account.delete.mismatch': 'That is not your username: nothing was deleted.',
  'account.delete.submit': 'Delete my account',
  'account.delete.cancel': 'Keep my account',
  'account.deleted.title': 'Your account is deleted',
  'account.deleted.lead': 'Your {product} account and what it held are erased, and you are signed out everywhere.',

  // Demo and development: mail kept instead of sent.
  'outbox.title': 'Outbox',
  'outbox.lead':
    'No SMTP server is configured, so mail is kept here instead of being sent (demo and development only).',
  'outbox.empty': 'No mail yet.',
  'outbox.to': 'To {to}, {at}',
} as const;
