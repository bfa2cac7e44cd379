import type { Catalogue } from './index.js';

/** German, addressing the user formally ("Sie"). Keys and placeholders as in en.ts. */
export const de: Catalogue = {
  'layout.skipLink': 'Zum Inhalt springen',
  'layout.demoBadge': 'Demomodus',
  'layout.demoBadgeTitle': 'Es ist kein Altsystem eingerichtet',
  'layout.reference': 'Referenz: {id}',

  'common.cancel': 'Abbrechen',
  'common.cancelAndReturn': 'Abbrechen und zurück zu {client}',
  'common.continue': 'Weiter',
  'common.confirm': 'Bestätigen',
  'common.done': 'Fertig',
  'common.backToSignIn': 'Zurück zur Anmeldung',
  'common.newPassword': 'Neues Passwort',
  'common.newPasswordAgain': 'Neues Passwort wiederholen',
  'common.passwordHint': 'Mindestens {min} Zeichen.',
  'common.passwordsDiffer': 'Die beiden Passwörter stimmen nicht überein.',
  'common.codeFromApp': 'Code aus der App',
  'common.cannotScan': 'Scannen klappt nicht? Geben Sie stattdessen diesen Schlüssel in der App ein: {secret}',
  'common.securityPageLink': 'Sicherheitsseite Ihres Kontos',

  'signIn.title': 'Anmelden',
  'signIn.lead': 'um mit {client} fortzufahren',
  'signIn.login': 'Benutzername oder E-Mail-Adresse',
  'signIn.password': 'Passwort',
  'signIn.submit': 'Anmelden',
  'signIn.passkeyOr': 'Oder ganz ohne Tippen:',
  'signIn.forgot': 'Passwort vergessen?',
  'signIn.newHere': 'Neu hier? {link}',
  'signIn.createAccount': 'Konto erstellen',
  'signIn.error.wrongCredentials': 'Benutzername oder Passwort ist falsch.',
  'signIn.error.tooMany': 'Zu viele Versuche. Bitte warten Sie einige Minuten und versuchen Sie es dann erneut.',
  'signIn.error.unavailable':
    'Die Anmeldung ist vorübergehend nicht möglich. Bitte versuchen Sie es in einigen Minuten erneut.',
  'signIn.error.cannotSignIn':
    'Mit diesem Konto ist eine Anmeldung derzeit nicht möglich. Bitte wenden Sie sich an den Support.',
  'signIn.error.migrationRejected':
    'Ihr Konto konnte nicht in das neue System übernommen werden. Bitte wenden Sie sich an den Support.',
  'signIn.error.passkeyRefused':
    'Mit diesem Passkey hat die Anmeldung nicht geklappt. Versuchen Sie es erneut oder melden Sie sich mit Ihrem Passwort an.',
  'signIn.error.passkeyExpired': 'Das hat zu lange gedauert. Versuchen Sie es noch einmal mit dem Passkey.',

  'passkey.use': 'Passkey verwenden',
  'passkey.add': 'Passkey hinzufügen',
  'passkey.script.notAllowed': 'Es wurde kein Passkey verwendet. Sie können es erneut versuchen.',
  'passkey.script.alreadyRegistered': 'Auf diesem Authenticator gibt es hier bereits einen Passkey.',
  'passkey.script.failed':
    'Passkeys haben in diesem Browser gerade nicht funktioniert. Sie können es erneut versuchen.',

  'signUp.title': 'Konto erstellen',
  'signUp.lead': 'für {client}',
  'signUp.username': 'Benutzername',
  'signUp.usernameHint': 'Nur Buchstaben, Ziffern und . _ -; keine Leerzeichen.',
  'signUp.email': 'E-Mail-Adresse',
  'signUp.givenName': 'Vorname (optional)',
  'signUp.familyName': 'Nachname (optional)',
  'signUp.password': 'Passwort',
  'signUp.submit': 'Konto erstellen',
  'signUp.haveAccount': 'Sie haben bereits ein Konto, hier oder im alten System? {link}',
  'signUp.signIn': 'Anmelden',
  'signUp.error.taken':
    'Es gibt bereits ein Konto mit diesem Benutzernamen oder dieser E-Mail-Adresse. Melden Sie sich stattdessen mit Ihrem bisherigen Passwort an.',
  'signUp.error.unavailable':
    'Die Registrierung ist vorübergehend nicht möglich. Bitte versuchen Sie es später erneut.',

  'form.correctFields': 'Bitte korrigieren Sie die markierten Felder.',
  'form.sentence': '{problem}.',
  'field.username': 'Der Benutzername',
  'field.email': 'Die E-Mail-Adresse',
  'field.givenName': 'Der Vorname',
  'field.familyName': 'Der Nachname',
  'field.password': 'Das Passwort',
  'field.newPassword': 'Das neue Passwort',
  'field.generic': 'Dieses Feld',
  'problem.required': 'Dieses Feld ist ein Pflichtfeld',
  'problem.notEmail': 'Geben Sie eine E-Mail-Adresse ein, etwa name@example.com',
  'problem.tooShort': '{field} muss mindestens {min} Zeichen lang sein',
  'problem.tooLong': '{field} darf höchstens {max} Zeichen lang sein',
  'problem.invisible': '{field} darf keine Steuer- oder unsichtbaren Zeichen enthalten',
  'problem.spacesOrAt': '{field} darf keine Leerzeichen und kein „@“ enthalten',
  'problem.onlyDots': '{field} darf nicht nur aus Punkten bestehen',
  'problem.mixedScripts':
    '{field} darf keine Buchstaben verschiedener Schriften mischen, etwa lateinische und kyrillische',
  'problem.commonPassword':
    '{field} gehört zu den häufigsten Passwörtern; wählen Sie eines, das schwerer zu erraten ist',
  'problem.ownLogin': '{field} darf nicht Ihr Benutzername oder Ihre E-Mail-Adresse sein',
  'problem.taken': '{field} wird bereits von einem anderen Konto verwendet: Bitte wählen Sie etwas anderes',
  'problem.invalid': '{field} ist ungültig',

  'chooseLogins.title': 'Wählen Sie, wie Sie sich anmelden',
  'chooseLogins.heading': 'Fast geschafft',
  'chooseLogins.lead': 'Ihr Konto aus dem alten System ist bereit für den Umzug zu {client}.',
  'chooseLogins.usernameTaken':
    'Ein anderes Konto verwendet hier bereits den Benutzernamen {username} (Groß- und Kleinschreibung wird bei Namen nicht unterschieden). Wählen Sie den Benutzernamen, mit dem Sie sich künftig anmelden.',
  'chooseLogins.emailTaken':
    'Ein anderes Konto verwendet hier bereits die E-Mail-Adresse {email}. Geben Sie eine andere Adresse für Ihr Konto an.',
  'chooseLogins.newUsername': 'Neuer Benutzername',
  'chooseLogins.newUsernameHint':
    'Keine Leerzeichen und kein „@“. Sie können sich weiterhin auch mit Ihrer E-Mail-Adresse anmelden.',
  'chooseLogins.email': 'E-Mail-Adresse',
  'chooseLogins.error.unavailable':
    'Wir können diesen Namen gerade nicht prüfen. Bitte versuchen Sie es in einigen Minuten erneut.',

  'consent.title': 'Zugriff erlauben?',
  'consent.lead': '{client} möchte:',
  'consent.signedInAs': 'Angemeldet als {username}.',
  'consent.allow': 'Erlauben',
  'consent.deny': 'Ablehnen',
  'scope.openid': 'Sie mit Ihrem Konto anmelden',
  'scope.profile': 'Ihren Namen und Benutzernamen sehen',
  'scope.email': 'Ihre E-Mail-Adresse sehen',
  'scope.roles': 'Ihre Rollen sehen',
  'scope.migration': 'Sehen, wann Ihr Konto zu diesem Dienst umgezogen ist',
  'scope.offline_access': 'Angemeldet bleiben, während Sie nicht da sind',
  'scope.unknown': 'Die Berechtigung „{scope}“ nutzen',
  'scope.claim': 'Ihre Angabe „{claim}“ sehen',
  'scope.resource': '{resource} aufrufen mit: {scopes}',

  'changePassword.title': 'Neues Passwort wählen',
  'changePassword.lead': 'Ihr Passwort ist zu leicht zu erraten. Wählen Sie ein neues, um mit {client} fortzufahren.',
  'changePassword.hint': 'Mindestens {min} Zeichen, kein häufig verwendetes Passwort.',
  'changePassword.submit': 'Passwort ändern und fortfahren',

  'secondFactor.title': 'Bestätigung in zwei Schritten',
  'secondFactor.leadTotp':
    'Geben Sie den 6-stelligen Code aus Ihrer Authenticator-App ein, um mit {client} fortzufahren.',
  'secondFactor.leadRecovery': 'Geben Sie einen Ihrer Wiederherstellungscodes ein, um mit {client} fortzufahren.',
  'secondFactor.leadPasskey': 'Verwenden Sie einen Ihrer Passkeys, um mit {client} fortzufahren.',
  'secondFactor.passkeyOr': 'Oder verwenden Sie einen Ihrer Passkeys:',
  'secondFactor.passkeyFallback':
    'Ihr zweiter Schritt ist ein Passkey, und dafür braucht es einen Browser mit JavaScript, der Passkeys unterstützt. Mit diesem Browser ist dieser Schritt nicht möglich: Melden Sie sich mit einem anderen an.',
  'secondFactor.code': 'Code',
  'secondFactor.hintTotp': 'Telefon verloren? Geben Sie stattdessen einen Ihrer Wiederherstellungscodes ein.',
  'secondFactor.hintRecovery': 'Jeder Wiederherstellungscode funktioniert nur einmal.',
  'secondFactor.submit': 'Bestätigen und fortfahren',
  'secondFactor.error.wrongCode':
    'Dieser Code stimmt nicht. Geben Sie den aktuellen Code aus Ihrer App oder einen Ihrer Wiederherstellungscodes ein.',
  'secondFactor.error.passkeyRefused':
    'Dieser Passkey wurde nicht akzeptiert. Versuchen Sie es erneut mit einem Passkey dieses Kontos.',
  'secondFactor.error.passkeyExpired': 'Das hat zu lange gedauert. Versuchen Sie es noch einmal mit dem Passkey.',
  'secondFactor.error.tooManyCodes.one': 'Zu viele falsche Codes. Versuchen Sie es in {count} Minute erneut.',
  'secondFactor.error.tooManyCodes.other': 'Zu viele falsche Codes. Versuchen Sie es in {count} Minuten erneut.',
  'secondFactor.error.tooManyAttempts.one':
    'Zu viele fehlgeschlagene Versuche. Versuchen Sie es in {count} Minute erneut.',
  'secondFactor.error.tooManyAttempts.other':
    'Zu viele fehlgeschlagene Versuche. Versuchen Sie es in {count} Minuten erneut.',

  'setupSecondFactor.title': 'Bestätigung in zwei Schritten einrichten',
  'setupSecondFactor.lead':
    '{client} verlangt bei jeder Anmeldung einen Code aus einer Authenticator-App. Scannen Sie diesen Code mit der App und geben Sie dann den 6-stelligen Code ein, den sie anzeigt.',
  'setupSecondFactor.error.wrongCode': 'Dieser Code stimmt nicht: Geben Sie den Code ein, den Ihre App jetzt anzeigt.',
  'setupSecondFactor.error.expired':
    'Diese Einrichtung ist abgelaufen. Scannen Sie diesen neuen Code und geben Sie den angezeigten Code ein.',
  'setupSecondFactorDone.title': 'Die Bestätigung in zwei Schritten ist aktiv',
  'setupSecondFactorDone.codes':
    'Bewahren Sie diese Wiederherstellungscodes sicher auf: Jeder meldet Sie einmal an, falls Sie Ihr Telefon verlieren. Sie werden nur jetzt angezeigt.',
  'setupSecondFactorDone.noCodes':
    'Ihre Authenticator-App ist eingerichtet. Neue Wiederherstellungscodes können Sie auf der Sicherheitsseite Ihres Kontos erstellen.',
  'setupSecondFactorDone.continue': 'Weiter zu {client}',

  'passkeyOffer.title': 'Passkey hinzufügen',
  'passkeyOffer.lead':
    'Melden Sie sich beim nächsten Mal schneller und sicherer bei {client} an: Mit einem Passkey ersetzen Fingerabdruck, Gesichtserkennung oder Bildschirmsperre Ihr Passwort.',
  'passkeyOffer.later': 'Jetzt nicht',
  'passkeyOffer.never': 'Nicht mehr fragen',
  'passkeyOffer.aside': 'Sie können Passkeys später auf der Sicherheitsseite Ihres Kontos hinzufügen oder entfernen.',
  'passkeyOffer.error.notAdded':
    'Der Passkey wurde nicht hinzugefügt. Sie können es erneut versuchen oder ohne Passkey fortfahren.',
  'passkeyOffer.error.expired': 'Das hat zu lange gedauert. Versuchen Sie es erneut oder fahren Sie ohne Passkey fort.',
  'passkeyOffer.error.alreadyRegistered':
    'Auf diesem Authenticator gibt es hier bereits einen Passkey. Versuchen Sie einen anderen oder fahren Sie ohne fort.',

  'verifyEmailRequired.title': 'Bestätigen Sie Ihre E-Mail-Adresse',
  'verifyEmailRequired.lead':
    '{client} benötigt eine bestätigte E-Mail-Adresse. Öffnen Sie den Link, den wir an {email} gesendet haben, und fahren Sie dann fort.',
  'verifyEmailRequired.leadNoEmail':
    '{client} benötigt eine bestätigte E-Mail-Adresse, und Ihr Konto hat keine. Fügen Sie auf der {link} eine hinzu, bestätigen Sie sie und fahren Sie dann fort.',
  'verifyEmailRequired.securityPage': 'Sicherheitsseite Ihres Kontos',
  'verifyEmailRequired.continue': 'Ich habe sie bestätigt: weiter',
  'verifyEmailRequired.resend': 'Link erneut senden',
  'verifyEmailRequired.notConfirmed':
    '{email} ist noch nicht bestätigt: Öffnen Sie den Link, den wir dorthin gesendet haben, und fahren Sie dann fort.',

  'verifyEmail.title': 'Bestätigen Sie Ihre E-Mail-Adresse',
  'verifyEmail.lead':
    'Bestätigen Sie, dass diese Adresse Ihnen gehört: Anwendungen, bei denen Sie sich anmelden, sehen sie dann als bestätigt.',
  'verifyEmail.submit': 'Meine E-Mail-Adresse bestätigen',
  'verifyEmail.doneTitle': 'Ihre E-Mail-Adresse ist bestätigt',
  'verifyEmail.doneLead': '{email} ist bestätigt. Sie können diese Seite schließen.',
  'verifyEmail.invalidTitle': 'Dieser Link funktioniert nicht',
  'verifyEmail.invalidLead':
    'Er ist abgelaufen, wurde bereits verwendet, oder Ihre E-Mail-Adresse hat sich seit dem Versand geändert. Fordern Sie auf der Sicherheitsseite Ihres Kontos einen neuen an.',
  'verifyEmail.notice.sent': 'Ein Link zur Bestätigung Ihrer Adresse ist unterwegs an {email}.',
  'verifyEmail.notice.recentlySent': 'Soeben wurde ein Link gesendet: Sehen Sie in Ihrem Postfach nach.',

  'mail.verifyEmail.subject': 'Bestätigen Sie Ihre E-Mail-Adresse für {product}',
  'mail.verifyEmail.why': 'bitte bestätigen Sie, dass dies Ihre E-Mail-Adresse für Ihr Konto bei {product} ist.',
  'mail.verifyEmail.whyChange':
    'bitte bestätigen Sie, dass dies die neue E-Mail-Adresse Ihres Kontos bei {product} ist.',
  'mail.verifyEmail.body.one':
    'Hallo {name},\n\n{why} Öffnen Sie diesen Link innerhalb von {count} Stunde:\n\n{link}\n\nWenn Sie kein solches Konto haben, ignorieren Sie diese E-Mail.\n',
  'mail.verifyEmail.body.other':
    'Hallo {name},\n\n{why} Öffnen Sie diesen Link innerhalb von {count} Stunden:\n\n{link}\n\nWenn Sie kein solches Konto haben, ignorieren Sie diese E-Mail.\n',
  'mail.emailChanged.subject': 'Ihre E-Mail-Adresse für {product} wurde geändert',
  'mail.emailChanged.body':
    'Hallo {name},\n\ndie E-Mail-Adresse Ihres Kontos bei {product} lautet jetzt {email}.\nWenn Sie sie nicht geändert haben, wenden Sie sich an Ihre Administration.\n',

  'forgotPassword.title': 'Passwort zurücksetzen',
  'forgotPassword.lead':
    'Geben Sie Ihren Benutzernamen oder Ihre E-Mail-Adresse ein. Wenn wir sie kennen, senden wir Ihnen einen Link, mit dem Sie ein neues Passwort wählen können, auch wenn Ihr Konto noch im alten System ist.',
  'forgotPassword.login': 'Benutzername oder E-Mail-Adresse',
  'forgotPassword.submit': 'Link senden',
  'forgotPasswordSent.title': 'Sehen Sie in Ihrem Postfach nach',
  'forgotPasswordSent.lead':
    'Wenn es zu Ihrer Eingabe ein Konto gibt, haben wir einen Link an dessen E-Mail-Adresse gesendet. Er ist nur kurze Zeit und nur einmal gültig.',
  'resetPassword.title': 'Neues Passwort wählen',
  'resetPassword.submit': 'Passwort ändern',
  'resetPassword.error.unavailable':
    'Das ist vorübergehend nicht möglich. Bitte versuchen Sie es in einigen Minuten erneut.',
  'resetDone.askAgain': 'Neuen Link anfordern',
  'resetDone.expiredTitle': 'Dieser Link kann nicht verwendet werden',
  'resetDone.expiredMessage': 'Er ist abgelaufen oder wurde bereits verwendet. Fordern Sie einen neuen an.',
  'resetDone.rejectedTitle': 'Ihr Konto konnte nicht übernommen werden',
  'resetDone.rejectedMessage':
    'Ihr Konto konnte nicht in das neue System übernommen werden. Bitte wenden Sie sich an den Support.',
  'resetDone.doneTitle': 'Passwort geändert',
  'resetDone.doneHeading': 'Ihr Passwort wurde geändert',
  'resetDone.doneSignIn': 'Sie können sich jetzt mit Ihrem neuen Passwort anmelden.',
  'resetDone.doneGoBack':
    'Kehren Sie zu der Anwendung zurück, die Sie verwendet haben, und melden Sie sich mit Ihrem neuen Passwort an.',
  'resetDone.signIn': 'Anmelden',
  'resetDone.signInTo': 'Bei {client} anmelden',
  'mail.passwordReset.subject': 'Ihr Passwort für {product} zurücksetzen',
  'mail.passwordReset.body.one':
    'Hallo {name},\n\njemand (hoffentlich Sie) hat das Zurücksetzen des Passworts Ihres Kontos bei {product} angefordert.\nÖffnen Sie diesen Link innerhalb von {count} Minute, um ein neues zu wählen:\n\n{link}\n\nWenn Sie das nicht waren, ignorieren Sie diese E-Mail: Ihr Passwort bleibt unverändert.\n',
  'mail.passwordReset.body.other':
    'Hallo {name},\n\njemand (hoffentlich Sie) hat das Zurücksetzen des Passworts Ihres Kontos bei {product} angefordert.\nÖffnen Sie diesen Link innerhalb von {count} Minuten, um ein neues zu wählen:\n\n{link}\n\nWenn Sie das nicht waren, ignorieren Sie diese E-Mail: Ihr Passwort bleibt unverändert.\n',

  'logout.title': 'Abmelden?',
  'logout.question': 'Möchten Sie sich von {product} abmelden?',
  'logout.questionClient': 'Möchten Sie sich von {product} abmelden und zu {client} zurückkehren?',
  'logout.yes': 'Ja, abmelden',
  'logout.no': 'Nein, angemeldet bleiben',
  'loggedOut.title': 'Abgemeldet',
  'loggedOut.heading': 'Sie sind abgemeldet',
  'loggedOut.lead': 'Sie haben sich von {product} abgemeldet. Sie können diese Seite schließen.',
  'loggedOut.leadClient': 'Sie haben sich von {product} und {client} abgemeldet. Sie können diese Seite schließen.',

  'error.code': 'Fehlercode: {code}',
  'error.notFound.heading': 'Diese Seite gibt es nicht',
  'error.notFound.message':
    'Die Adresse ist vielleicht falsch geschrieben, oder die Seite wurde verschoben. Kehren Sie zu der Anwendung zurück, von der Sie kamen.',
  'error.unavailable.heading': 'Vorübergehend nicht verfügbar',
  'error.unavailable.message':
    'Der Dienst ist vorübergehend nicht verfügbar. Bitte versuchen Sie es gleich noch einmal.',
  'error.expired.heading': 'Diese Anmeldeseite ist abgelaufen',
  'error.expired.message': 'Kehren Sie zur Anwendung zurück und beginnen Sie die Anmeldung erneut.',
  'error.badRequest.heading': 'Mit dieser Anfrage stimmt etwas nicht',
  'error.unhandled.heading': 'Diese Anfrage konnte nicht bearbeitet werden',
  'error.server.heading': 'Etwas ist schiefgegangen',
  'error.server.message':
    'Ein unerwarteter Fehler ist aufgetreten. Bitte versuchen Sie es erneut; wenn er wieder auftritt, wenden Sie sich an den Support.',
  'error.formExpired.heading': 'Dieses Formular ist abgelaufen',
  'error.formExpired.message': 'Gehen Sie zurück, laden Sie die Seite neu und versuchen Sie es erneut.',
  'error.protocol.title': 'Fehler bei der Anmeldung',
  'error.protocol.heading': 'Diese Anmeldung kann nicht abgeschlossen werden',
  'error.protocol.message': 'Die Anwendung hat eine Anfrage gesendet, die nicht bearbeitet werden kann.',
  'error.invalidClient.heading': 'Diese Anwendung ist bei diesem Anmeldedienst nicht registriert',
  'error.invalidClient.message':
    'Die Anwendung, die Sie hierher geschickt hat, ist diesem Anmeldedienst nicht bekannt. Bitte informieren Sie ihre Entwickler.',
  'error.invalidRedirectUri.heading': 'Diese Anwendung ist nicht richtig eingerichtet',
  'error.invalidRedirectUri.message':
    'Die Anwendung möchte Sie an eine Adresse zurückschicken, die sie nicht registriert hat. Bitte informieren Sie ihre Entwickler.',

  'security.title': 'Anmeldesicherheit',
  'security.email.heading': 'E-Mail-Adresse',
  'security.email.confirmed': '{email} ist bestätigt.',
  'security.email.unconfirmed': '{email} ist noch nicht bestätigt: Anwendungen sehen sie als unbestätigt.',
  'security.email.sendLink': 'Link zur Bestätigung senden',
  'security.email.newLabel': 'Neue E-Mail-Adresse',
  'security.email.label': 'E-Mail-Adresse',
  'security.email.hint': 'Sie ersetzt die aktuelle, sobald Sie den Link öffnen, den wir an sie senden.',
  'security.email.change': 'E-Mail-Adresse ändern',
  'security.email.notAnAddress': 'Das ist keine E-Mail-Adresse.',
  'security.email.linkSent': 'Ein Link ist unterwegs an {email}: Ihre Adresse ändert sich, sobald Sie ihn öffnen.',
  'security.totp.heading': 'Authenticator-App',
  'security.totp.since':
    'Eingerichtet am {date}. Bei der Anmeldung wird nach Ihrem Passwort ein Code aus der App abgefragt.',
  'security.totp.remove': 'Authenticator-App entfernen',
  'security.totp.none':
    'Nicht eingerichtet. Mit einer App wie Google Authenticator, Aegis oder 1Password wird bei der Anmeldung zusätzlich ein Code abgefragt, den nur Ihr Telefon kennt.',
  'security.totp.setUp': 'Authenticator-App einrichten',
  'security.totp.expired': 'Diese Einrichtung ist abgelaufen. Beginnen Sie von vorn.',
  'security.totp.done': 'Ihre Authenticator-App ist eingerichtet.',
  'security.totp.removed': 'Ihre Authenticator-App wurde entfernt.',
  'security.recovery.heading': 'Wiederherstellungscodes',
  'security.recovery.left.one':
    '{count} unbenutzter Wiederherstellungscode. Jeder meldet Sie einmal an, falls Sie Ihr Telefon verlieren.',
  'security.recovery.left.other':
    '{count} unbenutzte Wiederherstellungscodes. Jeder meldet Sie einmal an, falls Sie Ihr Telefon verlieren.',
  'security.recovery.renew': 'Neue Wiederherstellungscodes erstellen',
  'security.passkeys.heading': 'Passkeys',
  'security.passkeys.none':
    'Noch kein Passkey. Ein Passkey meldet Sie per Fingerabdruck, Gesichtserkennung oder Geräte-PIN an, statt mit Passwort und Code.',
  'security.passkeys.added': 'hinzugefügt am {date}',
  'security.passkeys.addedUsed': 'hinzugefügt am {date}, zuletzt verwendet am {lastUsed}',
  'security.passkeys.remove': 'Passkey {label} entfernen',
  'security.passkeys.defaultLabel': 'Passkey',
  'security.passkeys.label': 'Name des Passkeys (optional)',
  'security.passkeys.labelHint': 'Etwa das Gerät, auf dem er liegt: „Laptop“, „Telefon“.',
  'security.passkeys.fallback':
    'Zum Hinzufügen eines Passkeys braucht es einen Browser mit JavaScript, der Passkeys unterstützt.',
  'security.passkeys.unavailable':
    'Passkeys funktionieren nur, wenn diese Seite über ihren Domainnamen aufgerufen wird.',
  'security.passkeys.registered':
    'Ihr Passkey wurde hinzugefügt. Sie können sich allein damit anmelden, ohne Ihr Passwort.',
  'security.passkeys.expired': 'Das hat zu lange gedauert. Versuchen Sie erneut, den Passkey hinzuzufügen.',
  'security.passkeys.refused': 'Dieser Passkey konnte nicht hinzugefügt werden. Versuchen Sie es erneut.',
  'security.passkeys.alreadyRegistered': 'Dieser Passkey ist bereits hinzugefügt.',
  'security.passkeys.removed': 'Der Passkey wurde entfernt.',
  'security.passkeys.alreadyRemoved': 'Dieser Passkey war bereits entfernt.',
  'security.appsLink': 'Erlaubte Anwendungen',
  'security.password.heading': 'Passwort',
  'security.password.change': 'Passwort ändern',
  'security.password.differ': 'Die beiden Passwörter stimmen nicht überein: Es wurde nichts geändert.',
  'security.password.refused': '{problem}: Es wurde nichts geändert.',
  'security.password.changed': 'Ihr Passwort wurde geändert.',
  'security.sessions.heading': 'Sitzungen',
  'security.sessions.lead':
    'Noch an einem Computer angemeldet, den Sie nicht mehr nutzen, oder ein Telefon verloren? Beenden Sie alle Sitzungen: Jede Anwendung und jeder Browser muss sich dann neu anmelden.',
  'security.sessions.end': 'Überall abmelden',

  'recoveryCodes.title': 'Ihre Wiederherstellungscodes',
  'recoveryCodes.lead':
    'Jeder Code meldet Sie einmal an, falls Sie Ihr Telefon verlieren. Bewahren Sie sie sicher auf: Sie werden nur jetzt angezeigt.',
  'recoveryCodes.afterSetup': 'Ihre Authenticator-App ist eingerichtet. Bewahren Sie diese Wiederherstellungscodes auf',
  'recoveryCodes.renewed': 'Ihre neuen Wiederherstellungscodes (die alten gelten nicht mehr)',
  'totpSetup.title': 'Authenticator-App einrichten',
  'totpSetup.lead':
    'Scannen Sie diesen Code mit Ihrer Authenticator-App und geben Sie dann den 6-stelligen Code ein, den sie anzeigt.',
  'totpSetup.error.wrongCode': 'Dieser Code stimmt nicht: Geben Sie den Code ein, den Ihre App jetzt anzeigt.',

  'apps.title': 'Erlaubte Anwendungen',
  'apps.lead':
    'Diese Anwendungen dürfen Sie anmelden, ohne erneut zu fragen. Wenn Sie eine Erlaubnis zurücknehmen, fragt die Anwendung beim nächsten Mal wieder.',
  'apps.none': 'Sie haben noch keiner Anwendung etwas erlaubt.',
  'apps.signInOnly': 'nur Anmeldung',
  'apps.revoke': 'Zugriff für {app} widerrufen',

  // The account pages: profile, sessions, erasure.
  'account.nav.label': 'Ihr Konto',
  'account.nav.profile': 'Profil',
  'account.nav.security': 'Anmeldesicherheit',
  'account.nav.apps': 'Apps',
  'account.nav.sessions': 'Sitzungen',
  'account.profile.title': 'Ihr Konto',
  'account.profile.username': 'Benutzername',
  'account.profile.email': 'E-Mail',
  'account.profile.verified': 'bestätigt',
  'account.profile.unverified': 'noch nicht bestätigt',
  'account.profile.none': 'keine',
  'account.profile.name': 'Name',
  'account.profile.givenName': 'Vorname',
  'account.profile.familyName': 'Nachname',
  'account.profile.since': 'Konto seit',
  'account.profile.moved': 'Aus dem bisherigen System übernommen',
  'account.profile.changeHint': 'E-Mail-Adresse und Passwort ändern Sie unter {security}.',
  'account.profile.deleteHeading': 'Konto löschen',
  'account.profile.deleteLink': 'Ihr Konto und alle seine Daten löschen',
  'field.name': 'Der Name',
  'account.profile.namesHeading': 'Ihr Name',
  'account.profile.namesHint': 'So sprechen Anwendungen Sie an. Lassen Sie ein Feld leer, um es zu entfernen.',
  'account.profile.save': 'Speichern',
  'account.profile.saved': 'Ihr Profil ist gespeichert.',
  'account.sessions.title': 'Wo Sie angemeldet sind',
  'account.sessions.lead':
    'Jeder Browser und jedes Gerät, das bei Ihrem Konto angemeldet ist. Beenden Sie, was Sie nicht kennen.',
  'account.sessions.thisBrowser': 'Dieser Browser',
  'account.sessions.otherBrowser': 'Ein anderer Browser oder ein anderes Gerät',
  'account.sessions.signedInAt': 'Angemeldet {time}',
  'account.sessions.apps': 'Apps: {apps}',
  'account.sessions.end': 'Dort abmelden',
  'account.sessions.endAll': 'Überall abmelden, auch hier',
  'account.delete.title': 'Konto löschen',
  'account.delete.lead': 'Das Löschen Ihres Kontos kann nicht rückgängig gemacht werden.',
  'account.delete.what.data': 'Ihr Profil, Ihr Passwort und Ihre Anmeldemethoden werden gelöscht.',
  'account.delete.what.sessions': 'Sie werden bei jeder Anwendung abgemeldet, bei der Sie angemeldet sind.',
  'account.delete.what.legacy':
    'Ihr Konto im bisherigen System wird nicht erneut übernommen: Wenn Sie es zurückmöchten, wenden Sie sich an den Support.',
  'account.delete.confirmLabel': 'Geben Sie zur Bestätigung Ihren Benutzernamen ein ({username})',
  'account.delete.mismatch': 'Das ist nicht Ihr Benutzername: Es wurde nichts gelöscht.',
  'account.delete.submit': 'Mein Konto löschen',
  'account.delete.cancel': 'Konto behalten',
  'account.deleted.title': 'Ihr Konto ist gelöscht',
  'account.deleted.lead': 'Ihr {product}-Konto und seine Daten sind gelöscht, und Sie sind überall abgemeldet.',

  'outbox.title': 'Postausgang',
  'outbox.lead':
    'Es ist kein SMTP-Server eingerichtet, daher werden E-Mails hier aufbewahrt statt versendet (nur für Demo und Entwicklung).',
  'outbox.empty': 'Noch keine E-Mails.',
  'outbox.to': 'An {to}, {at}',
};
