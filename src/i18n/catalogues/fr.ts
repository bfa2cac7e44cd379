import type { Catalogue } from './index.js';

/** French, addressing the user as "vous". Keys and placeholders as in en.ts. */
export const fr: Catalogue = {
  'layout.skipLink': 'Aller au contenu',
  'layout.demoBadge': 'Mode démo',
  'layout.demoBadgeTitle': 'Aucun ancien système n’est configuré',
  'layout.reference': 'Référence : {id}',

  'common.cancel': 'Annuler',
  'common.cancelAndReturn': 'Annuler et revenir à {client}',
  'common.continue': 'Continuer',
  'common.confirm': 'Confirmer',
  'common.done': 'Terminé',
  'common.backToSignIn': 'Retour à la connexion',
  'common.newPassword': 'Nouveau mot de passe',
  'common.newPasswordAgain': 'Nouveau mot de passe, à nouveau',
  'common.passwordHint': 'Au moins {min} caractères.',
  'common.passwordsDiffer': 'Les deux mots de passe ne sont pas identiques.',
  'common.codeFromApp': 'Code de l’application',
  'common.cannotScan': 'Impossible de scanner ? Saisissez plutôt cette clé dans l’application : {secret}',
  'common.securityPageLink': 'La page de sécurité de votre compte',

  'signIn.title': 'Connexion',
  'signIn.lead': 'pour continuer vers {client}',
  'signIn.login': 'Nom d’utilisateur ou e-mail',
  'signIn.password': 'Mot de passe',
  'signIn.submit': 'Se connecter',
  'signIn.passkeyOr': 'Ou, sans rien saisir :',
  'signIn.forgot': 'Mot de passe oublié ?',
  'signIn.newHere': 'Nouveau ici ? {link}',
  'signIn.createAccount': 'Créer un compte',
  'signIn.error.wrongCredentials': 'Nom d’utilisateur ou mot de passe incorrect.',
  'signIn.error.tooMany': 'Trop de tentatives. Veuillez patienter quelques minutes, puis réessayer.',
  'signIn.error.unavailable': 'La connexion est temporairement indisponible. Veuillez réessayer dans quelques minutes.',
  'signIn.error.cannotSignIn': 'Ce compte ne peut pas se connecter pour le moment. Veuillez contacter le support.',
  'signIn.error.migrationRejected':
    'Votre compte n’a pas pu être transféré vers le nouveau système. Veuillez contacter le support.',
  'signIn.error.passkeyRefused':
    'Cette clé d’accès ne vous a pas connecté. Réessayez, ou connectez-vous avec votre mot de passe.',
  'signIn.error.passkeyExpired': 'Cela a pris trop de temps. Réessayez avec la clé d’accès.',

  'passkey.use': 'Utiliser une clé d’accès',
  'passkey.add': 'Ajouter une clé d’accès',
  'passkey.script.notAllowed': 'Aucune clé d’accès n’a été utilisée. Vous pouvez réessayer.',
  'passkey.script.alreadyRegistered': 'Cet authentificateur possède déjà une clé d’accès ici.',
  'passkey.script.failed': 'Les clés d’accès n’ont pas fonctionné dans ce navigateur. Vous pouvez réessayer.',

  'signUp.title': 'Créer votre compte',
  'signUp.lead': 'pour {client}',
  'signUp.username': 'Nom d’utilisateur',
  'signUp.usernameHint': 'Lettres, chiffres et . _ - uniquement ; pas d’espaces.',
  'signUp.email': 'E-mail',
  'signUp.givenName': 'Prénom (facultatif)',
  'signUp.familyName': 'Nom (facultatif)',
  'signUp.password': 'Mot de passe',
  'signUp.submit': 'Créer le compte',
  'signUp.haveAccount': 'Vous avez déjà un compte, ici ou dans l’ancien système ? {link}',
  'signUp.signIn': 'Se connecter',
  'signUp.error.taken':
    'Un compte avec ce nom d’utilisateur ou cet e-mail existe déjà. Connectez-vous plutôt avec votre mot de passe actuel.',
  'signUp.error.unavailable': 'L’inscription est temporairement indisponible. Veuillez réessayer plus tard.',

  'form.correctFields': 'Veuillez corriger les champs signalés.',
  'form.sentence': '{problem}.',
  'field.username': 'Le nom d’utilisateur',
  'field.email': 'L’adresse e-mail',
  'field.givenName': 'Le prénom',
  'field.familyName': 'Le nom de famille',
  'field.password': 'Le mot de passe',
  'field.newPassword': 'Le nouveau mot de passe',
  'field.generic': 'Ce champ',
  'problem.required': 'Ce champ est obligatoire',
  'problem.notEmail': 'Saisissez une adresse e-mail, par exemple name@example.com',
  'problem.tooShort': '{field} doit comporter au moins {min} caractères',
  'problem.tooLong': '{field} doit comporter au plus {max} caractères',
  'problem.invisible': '{field} ne doit pas contenir de caractères de contrôle ou invisibles',
  'problem.spacesOrAt': '{field} ne doit contenir ni espaces ni « @ »',
  'problem.onlyDots': '{field} ne doit pas être composé uniquement de points',
  'problem.mixedScripts':
    '{field} ne doit pas mélanger des lettres d’écritures différentes, comme le latin et le cyrillique',
  'problem.commonPassword':
    '{field} fait partie des mots de passe les plus courants ; choisissez-en un plus difficile à deviner',
  'problem.ownLogin': '{field} ne doit être ni votre nom d’utilisateur ni votre e-mail',
  'problem.taken': '{field} appartient déjà à un autre compte : veuillez faire un autre choix',
  'problem.invalid': '{field} n’est pas valide',

  'chooseLogins.title': 'Choisissez comment vous connecter',
  'chooseLogins.heading': 'Vous y êtes presque',
  'chooseLogins.lead': 'Votre compte de l’ancien système est prêt à être transféré vers {client}.',
  'chooseLogins.usernameTaken':
    'Un autre compte utilise déjà le nom d’utilisateur {username} ici (les noms ne distinguent pas majuscules et minuscules). Choisissez le nom d’utilisateur avec lequel vous vous connecterez désormais.',
  'chooseLogins.emailTaken':
    'Un autre compte utilise déjà l’adresse e-mail {email} ici. Indiquez une autre adresse pour votre compte.',
  'chooseLogins.newUsername': 'Nouveau nom d’utilisateur',
  'chooseLogins.newUsernameHint':
    'Ni espaces ni « @ ». Vous pourrez toujours vous connecter avec votre adresse e-mail.',
  'chooseLogins.email': 'Adresse e-mail',
  'chooseLogins.error.unavailable':
    'Nous ne pouvons pas vérifier ce nom pour le moment. Veuillez réessayer dans quelques minutes.',

  'consent.title': 'Autoriser l’accès ?',
  'consent.lead': '{client} souhaite :',
  'consent.signedInAs': 'Connecté en tant que {username}.',
  'consent.allow': 'Autoriser',
  'consent.deny': 'Refuser',
  'scope.openid': 'Vous connecter avec votre compte',
  'scope.profile': 'Voir votre nom et votre nom d’utilisateur',
  'scope.email': 'Voir votre adresse e-mail',
  'scope.roles': 'Voir vos rôles',
  'scope.migration': 'Voir quand votre compte a été transféré vers ce service',
  'scope.offline_access': 'Rester connecté pendant votre absence',
  'scope.unknown': 'Utiliser l’autorisation « {scope} »',
  'scope.claim': 'Voir votre information « {claim} »',
  'scope.resource': 'Appeler {resource} avec : {scopes}',

  'changePassword.title': 'Choisir un nouveau mot de passe',
  'changePassword.lead':
    'Votre mot de passe est trop facile à deviner. Choisissez-en un nouveau pour continuer vers {client}.',
  'changePassword.hint': 'Au moins {min} caractères, et pas un mot de passe courant.',
  'changePassword.submit': 'Changer le mot de passe et continuer',

  'secondFactor.title': 'Validation en deux étapes',
  'secondFactor.leadTotp':
    'Saisissez le code à 6 chiffres de votre application d’authentification pour continuer vers {client}.',
  'secondFactor.leadRecovery': 'Saisissez l’un de vos codes de récupération pour continuer vers {client}.',
  'secondFactor.leadPasskey': 'Utilisez l’une de vos clés d’accès pour continuer vers {client}.',
  'secondFactor.passkeyOr': 'Ou utilisez l’une de vos clés d’accès :',
  'secondFactor.passkeyFallback':
    'Votre deuxième étape est une clé d’accès, ce qui nécessite un navigateur avec JavaScript prenant en charge les clés d’accès. Ce navigateur ne permet pas de franchir cette étape : connectez-vous depuis un navigateur qui le permet.',
  'secondFactor.code': 'Code',
  'secondFactor.hintTotp': 'Téléphone perdu ? Saisissez plutôt l’un de vos codes de récupération.',
  'secondFactor.hintRecovery': 'Chaque code de récupération ne fonctionne qu’une fois.',
  'secondFactor.submit': 'Valider et continuer',
  'secondFactor.error.wrongCode':
    'Ce code n’est pas correct. Saisissez le code actuel de votre application, ou l’un de vos codes de récupération.',
  'secondFactor.error.passkeyRefused':
    'Cette clé d’accès n’a pas été acceptée. Réessayez avec une clé d’accès de ce compte.',
  'secondFactor.error.passkeyExpired': 'Cela a pris trop de temps. Réessayez avec la clé d’accès.',
  'secondFactor.error.tooManyCodes.one': 'Trop de codes erronés. Réessayez dans {count} minute.',
  'secondFactor.error.tooManyCodes.other': 'Trop de codes erronés. Réessayez dans {count} minutes.',
  'secondFactor.error.tooManyAttempts.one': 'Trop de tentatives échouées. Réessayez dans {count} minute.',
  'secondFactor.error.tooManyAttempts.other': 'Trop de tentatives échouées. Réessayez dans {count} minutes.',

  'setupSecondFactor.title': 'Configurer la validation en deux étapes',
  'setupSecondFactor.lead':
    '{client} demande un code d’une application d’authentification à chaque connexion. Scannez ce code avec l’application, puis saisissez le code à 6 chiffres qu’elle affiche.',
  'setupSecondFactor.error.wrongCode':
    'Ce code n’est pas correct : saisissez le code que votre application affiche maintenant.',
  'setupSecondFactor.error.expired':
    'Cette configuration a expiré. Scannez ce nouveau code et saisissez le code affiché.',
  'setupSecondFactorDone.title': 'La validation en deux étapes est activée',
  'setupSecondFactorDone.codes':
    'Conservez ces codes de récupération en lieu sûr : chacun vous connecte une fois si vous perdez votre téléphone. Ils ne sont affichés que maintenant.',
  'setupSecondFactorDone.noCodes':
    'Votre application d’authentification est configurée. Vous pouvez créer de nouveaux codes de récupération sur la page de sécurité de votre compte.',
  'setupSecondFactorDone.continue': 'Continuer vers {client}',

  'passkeyOffer.title': 'Ajouter une clé d’accès',
  'passkeyOffer.lead':
    'Connectez-vous à {client} plus vite et de façon plus sûre la prochaine fois : avec une clé d’accès, votre empreinte, votre visage ou le verrouillage de votre écran remplace votre mot de passe.',
  'passkeyOffer.later': 'Pas maintenant',
  'passkeyOffer.never': 'Ne plus me demander',
  'passkeyOffer.aside':
    'Vous pourrez ajouter ou supprimer des clés d’accès plus tard sur la page de sécurité de votre compte.',
  'passkeyOffer.error.notAdded':
    'La clé d’accès n’a pas été ajoutée. Vous pouvez réessayer, ou continuer sans clé d’accès.',
  'passkeyOffer.error.expired': 'Cela a pris trop de temps. Réessayez, ou continuez sans clé d’accès.',
  'passkeyOffer.error.alreadyRegistered':
    'Cet authentificateur possède déjà une clé d’accès ici. Essayez-en un autre, ou continuez sans.',

  'verifyEmailRequired.title': 'Confirmez votre adresse e-mail',
  'verifyEmailRequired.lead':
    '{client} a besoin d’une adresse e-mail confirmée. Ouvrez le lien que nous avons envoyé à {email}, puis continuez.',
  'verifyEmailRequired.leadNoEmail':
    '{client} a besoin d’une adresse e-mail confirmée, et votre compte n’en a pas. Ajoutez-en une sur {link}, confirmez-la, puis continuez.',
  'verifyEmailRequired.securityPage': 'la page de sécurité de votre compte',
  'verifyEmailRequired.continue': 'Je l’ai confirmée : continuer',
  'verifyEmailRequired.resend': 'Renvoyer le lien',
  'verifyEmailRequired.notConfirmed':
    '{email} n’est pas encore confirmée : ouvrez le lien que nous y avons envoyé, puis continuez.',

  'verifyEmail.title': 'Confirmez votre adresse e-mail',
  'verifyEmail.lead':
    'Confirmez que cette adresse est bien la vôtre : les applications auxquelles vous vous connectez sauront qu’elle est vérifiée.',
  'verifyEmail.submit': 'Confirmer mon adresse e-mail',
  'verifyEmail.doneTitle': 'Votre adresse e-mail est confirmée',
  'verifyEmail.doneLead': '{email} est vérifiée. Vous pouvez fermer cette page.',
  'verifyEmail.invalidTitle': 'Ce lien ne fonctionne pas',
  'verifyEmail.invalidLead':
    'Il a expiré, a déjà été utilisé, ou votre adresse e-mail a changé depuis son envoi. Demandez-en un nouveau sur la page de sécurité de votre compte.',
  'verifyEmail.notice.sent': 'Un lien pour confirmer votre adresse est en route vers {email}.',
  'verifyEmail.notice.recentlySent': 'Un lien vient d’être envoyé : cherchez-le dans votre boîte de réception.',

  'mail.verifyEmail.subject': 'Confirmez votre adresse e-mail pour {product}',
  'mail.verifyEmail.why': 'veuillez confirmer que ceci est votre adresse e-mail pour votre compte {product}.',
  'mail.verifyEmail.whyChange': 'veuillez confirmer que ceci est la nouvelle adresse e-mail de votre compte {product}.',
  'mail.verifyEmail.body.one':
    'Bonjour {name},\n\n{why} Ouvrez ce lien dans un délai de {count} heure :\n\n{link}\n\nSi vous n’avez pas de compte de ce type, ignorez cet e-mail.\n',
  'mail.verifyEmail.body.other':
    'Bonjour {name},\n\n{why} Ouvrez ce lien dans un délai de {count} heures :\n\n{link}\n\nSi vous n’avez pas de compte de ce type, ignorez cet e-mail.\n',
  'mail.emailChanged.subject': 'Votre adresse e-mail pour {product} a changé',
  'mail.emailChanged.body':
    'Bonjour {name},\n\nl’adresse e-mail de votre compte {product} est désormais {email}.\nSi vous ne l’avez pas modifiée, contactez votre administrateur.\n',

  'forgotPassword.title': 'Réinitialiser votre mot de passe',
  'forgotPassword.lead':
    'Saisissez votre nom d’utilisateur ou votre e-mail. Si nous le connaissons, nous vous envoyons un lien pour choisir un nouveau mot de passe, même si votre compte se trouve encore dans l’ancien système.',
  'forgotPassword.login': 'Nom d’utilisateur ou e-mail',
  'forgotPassword.submit': 'M’envoyer un lien',
  'forgotPasswordSent.title': 'Consultez vos e-mails',
  'forgotPasswordSent.lead':
    'Si un compte correspond à votre saisie, nous avons envoyé un lien à son adresse e-mail. Il n’est valable que peu de temps et une seule fois.',
  'resetPassword.title': 'Choisir un nouveau mot de passe',
  'resetPassword.submit': 'Changer le mot de passe',
  'resetPassword.error.unavailable':
    'Ce service est temporairement indisponible. Veuillez réessayer dans quelques minutes.',
  'resetDone.askAgain': 'Demander un nouveau lien',
  'resetDone.expiredTitle': 'Ce lien ne peut pas être utilisé',
  'resetDone.expiredMessage': 'Il a expiré ou a déjà été utilisé. Demandez-en un nouveau.',
  'resetDone.rejectedTitle': 'Votre compte n’a pas pu être transféré',
  'resetDone.rejectedMessage':
    'Votre compte n’a pas pu être transféré vers le nouveau système. Veuillez contacter le support.',
  'resetDone.doneTitle': 'Mot de passe modifié',
  'resetDone.doneHeading': 'Votre mot de passe a été modifié',
  'resetDone.doneSignIn': 'Vous pouvez maintenant vous connecter avec votre nouveau mot de passe.',
  'resetDone.doneGoBack':
    'Revenez à l’application que vous utilisiez et connectez-vous avec votre nouveau mot de passe.',
  'resetDone.signIn': 'Se connecter',
  'resetDone.signInTo': 'Se connecter à {client}',
  'mail.passwordReset.subject': 'Réinitialisez votre mot de passe {product}',
  'mail.passwordReset.body.one':
    'Bonjour {name},\n\nquelqu’un (vous, espérons-le) a demandé à réinitialiser le mot de passe de votre compte {product}.\nOuvrez ce lien dans un délai de {count} minute pour en choisir un nouveau :\n\n{link}\n\nSi ce n’était pas vous, ignorez cet e-mail : votre mot de passe reste inchangé.\n',
  'mail.passwordReset.body.other':
    'Bonjour {name},\n\nquelqu’un (vous, espérons-le) a demandé à réinitialiser le mot de passe de votre compte {product}.\nOuvrez ce lien dans un délai de {count} minutes pour en choisir un nouveau :\n\n{link}\n\nSi ce n’était pas vous, ignorez cet e-mail : votre mot de passe reste inchangé.\n',

  'logout.title': 'Se déconnecter ?',
  'logout.question': 'Voulez-vous vous déconnecter de {product} ?',
  'logout.questionClient': 'Voulez-vous vous déconnecter de {product} et revenir à {client} ?',
  'logout.yes': 'Oui, me déconnecter',
  'logout.no': 'Non, rester connecté',
  'loggedOut.title': 'Déconnecté',
  'loggedOut.heading': 'Vous êtes déconnecté',
  'loggedOut.lead': 'Vous vous êtes déconnecté de {product}. Vous pouvez fermer cette page.',
  'loggedOut.leadClient': 'Vous vous êtes déconnecté de {product} et de {client}. Vous pouvez fermer cette page.',

  'error.code': 'Code d’erreur : {code}',
  'error.notFound.heading': 'Il n’y a pas de page ici',
  'error.notFound.message':
    'L’adresse est peut-être mal saisie, ou la page a été déplacée. Revenez à l’application d’où vous venez.',
  'error.unavailable.heading': 'Temporairement indisponible',
  'error.unavailable.message': 'Le service est temporairement indisponible. Veuillez réessayer dans un instant.',
  'error.expired.heading': 'Cette page de connexion a expiré',
  'error.expired.message': 'Revenez à l’application et recommencez la connexion.',
  'error.badRequest.heading': 'Cette demande comporte une erreur',
  'error.unhandled.heading': 'Cette demande n’a pas pu être traitée',
  'error.server.heading': 'Une erreur s’est produite',
  'error.server.message':
    'Une erreur inattendue s’est produite. Veuillez réessayer ; si le problème persiste, contactez le support.',
  'error.formExpired.heading': 'Ce formulaire a expiré',
  'error.formExpired.message': 'Revenez en arrière, rechargez la page et réessayez.',
  'error.protocol.title': 'Erreur de connexion',
  'error.protocol.heading': 'Cette demande de connexion ne peut pas aboutir',
  'error.protocol.message': 'L’application a envoyé une demande qui ne peut pas être traitée.',
  'error.invalidClient.heading': 'Cette application n’est pas enregistrée auprès de ce service de connexion',
  'error.invalidClient.message':
    'L’application qui vous a envoyé ici n’est pas connue de ce service de connexion. Veuillez en informer ses développeurs.',
  'error.invalidRedirectUri.heading': 'Cette application n’est pas configurée correctement',
  'error.invalidRedirectUri.message':
    'L’application a demandé à vous renvoyer vers une adresse qu’elle n’a pas enregistrée. Veuillez en informer ses développeurs.',

  'security.title': 'Sécurité de la connexion',
  'security.email.heading': 'Adresse e-mail',
  'security.email.confirmed': '{email} est confirmée.',
  'security.email.unconfirmed':
    '{email} n’est pas encore confirmée : les applications la considèrent comme non vérifiée.',
  'security.email.sendLink': 'M’envoyer un lien pour la confirmer',
  'security.email.newLabel': 'Nouvelle adresse e-mail',
  'security.email.label': 'Adresse e-mail',
  'security.email.hint': 'Elle remplace l’adresse actuelle dès que vous ouvrez le lien que nous y envoyons.',
  'security.email.change': 'Changer d’adresse e-mail',
  'security.email.notAnAddress': 'Ce n’est pas une adresse e-mail.',
  'security.email.linkSent': 'Un lien est en route vers {email} : votre adresse changera dès que vous l’aurez ouvert.',
  'security.totp.heading': 'Application d’authentification',
  'security.totp.since':
    'Configurée le {date}. La connexion demande un code de l’application après votre mot de passe.',
  'security.totp.remove': 'Supprimer l’application d’authentification',
  'security.totp.none':
    'Non configurée. Avec une application comme Google Authenticator, Aegis ou 1Password, la connexion demande aussi un code que seul votre téléphone possède.',
  'security.totp.setUp': 'Configurer une application d’authentification',
  'security.totp.expired': 'Cette configuration a expiré. Recommencez.',
  'security.totp.done': 'Votre application d’authentification est configurée.',
  'security.totp.removed': 'Votre application d’authentification a été supprimée.',
  'security.recovery.heading': 'Codes de récupération',
  'security.recovery.left.one':
    '{count} code de récupération inutilisé. Chacun vous connecte une fois si vous perdez votre téléphone.',
  'security.recovery.left.other':
    '{count} codes de récupération inutilisés. Chacun vous connecte une fois si vous perdez votre téléphone.',
  'security.recovery.renew': 'Créer de nouveaux codes de récupération',
  'security.passkeys.heading': 'Clés d’accès',
  'security.passkeys.none':
    'Pas encore de clé d’accès. Une clé d’accès vous connecte avec votre empreinte, votre visage ou le code de votre appareil au lieu de votre mot de passe et d’un code.',
  'security.passkeys.added': 'ajoutée le {date}',
  'security.passkeys.addedUsed': 'ajoutée le {date}, utilisée pour la dernière fois le {lastUsed}',
  'security.passkeys.remove': 'Supprimer la clé d’accès {label}',
  'security.passkeys.defaultLabel': 'Clé d’accès',
  'security.passkeys.label': 'Nom de la clé d’accès (facultatif)',
  'security.passkeys.labelHint': 'Par exemple l’appareil sur lequel elle se trouve : « Portable », « Téléphone ».',
  'security.passkeys.fallback':
    'Pour ajouter une clé d’accès, il faut un navigateur avec JavaScript qui prend en charge les clés d’accès.',
  'security.passkeys.unavailable': 'Les clés d’accès nécessitent que ce site soit ouvert par son nom de domaine.',
  'security.passkeys.registered':
    'Votre clé d’accès a été ajoutée. Vous pouvez vous connecter avec elle seule, sans votre mot de passe.',
  'security.passkeys.expired': 'Cela a pris trop de temps. Réessayez d’ajouter la clé d’accès.',
  'security.passkeys.refused': 'Cette clé d’accès n’a pas pu être ajoutée. Réessayez.',
  'security.passkeys.alreadyRegistered': 'Cette clé d’accès est déjà ajoutée.',
  'security.passkeys.removed': 'La clé d’accès a été supprimée.',
  'security.passkeys.alreadyRemoved': 'Cette clé d’accès avait déjà été supprimée.',
  'security.appsLink': 'Applications autorisées',
  'security.password.heading': 'Mot de passe',
  'security.password.change': 'Changer le mot de passe',
  'security.password.differ': 'Les deux mots de passe ne sont pas identiques : rien n’a été modifié.',
  'security.password.refused': '{problem} : rien n’a été modifié.',
  'security.password.changed': 'Votre mot de passe a été modifié.',
  'security.sessions.heading': 'Sessions',
  'security.sessions.lead':
    'Connecté sur un ordinateur que vous n’utilisez plus, ou téléphone perdu ? Mettez fin à toutes les sessions : chaque application et chaque navigateur devra se reconnecter.',
  'security.sessions.end': 'Se déconnecter partout',

  'recoveryCodes.title': 'Vos codes de récupération',
  'recoveryCodes.lead':
    'Chaque code vous connecte une fois si vous perdez votre téléphone. Conservez-les en lieu sûr : ils ne sont affichés que maintenant.',
  'recoveryCodes.afterSetup':
    'Votre application d’authentification est configurée. Conservez ces codes de récupération',
  'recoveryCodes.renewed': 'Vos nouveaux codes de récupération (les anciens ne fonctionnent plus)',
  'totpSetup.title': 'Configurer une application d’authentification',
  'totpSetup.lead':
    'Scannez ce code avec votre application d’authentification, puis saisissez le code à 6 chiffres qu’elle affiche.',
  'totpSetup.error.wrongCode':
    'Ce code n’est pas correct : saisissez le code que votre application affiche maintenant.',

  'apps.title': 'Applications autorisées',
  'apps.lead':
    'Ces applications peuvent vous connecter sans vous redemander votre accord. Si vous en retirez une, elle vous le redemandera la prochaine fois.',
  'apps.none': 'Vous n’avez encore autorisé aucune application.',
  'apps.signInOnly': 'connexion uniquement',
  'apps.revoke': 'Retirer l’accès de {app}',

  // The account pages: profile, sessions, erasure.
  'account.nav.label': 'Votre compte',
  'account.nav.profile': 'Profil',
  'account.nav.security': 'Sécurité de connexion',
  'account.nav.apps': 'Applications',
  'account.nav.sessions': 'Sessions',
  'account.profile.title': 'Votre compte',
  'account.profile.username': "Nom d'utilisateur",
  'account.profile.email': 'E-mail',
  'account.profile.verified': 'confirmée',
  'account.profile.unverified': 'pas encore confirmée',
  'account.profile.none': 'aucune',
  'account.profile.name': 'Nom complet',
  'account.profile.givenName': 'Prénom',
  'account.profile.familyName': 'Nom',
  'account.profile.since': 'Compte créé le',
  'account.profile.moved': "Repris de l'ancien système le",
  'account.profile.changeHint': 'Votre adresse e-mail et votre mot de passe se modifient sous {security}.',
  'account.profile.deleteHeading': 'Supprimer votre compte',
  'account.profile.deleteLink': 'Supprimer votre compte et tout ce qu’il contient',
  'field.name': 'Le nom complet',
  'account.profile.namesHeading': 'Votre nom',
  'account.profile.namesHint': 'La façon dont les applications vous saluent. Laissez un champ vide pour le retirer.',
  'account.profile.save': 'Enregistrer',
  'account.profile.saved': 'Votre profil est enregistré.',
  'account.sessions.title': 'Où vous êtes connecté',
  'account.sessions.lead':
    'Chaque navigateur ou appareil connecté à votre compte. Mettez fin à ceux que vous ne reconnaissez pas.',
  'account.sessions.thisBrowser': 'Ce navigateur',
  'account.sessions.otherBrowser': 'Un autre navigateur ou appareil',
  'account.sessions.signedInAt': 'Connecté le {time}',
  'account.sessions.apps': 'Applications : {apps}',
  'account.sessions.end': 'Déconnecter cette session',
  'account.sessions.endAll': 'Se déconnecter partout, ici aussi',
  'account.delete.title': 'Supprimer votre compte',
  'account.delete.lead': 'La suppression de votre compte est définitive.',
  'account.delete.what.data': 'Votre profil, votre mot de passe et vos méthodes de connexion sont effacés.',
  'account.delete.what.sessions': 'Vous êtes déconnecté de chaque application où vous étiez connecté.',
  'account.delete.what.legacy':
    "Votre compte dans l'ancien système n'est plus repris ici : si vous souhaitez le retrouver, contactez le support.",
  'account.delete.confirmLabel': "Pour confirmer, saisissez votre nom d'utilisateur ({username})",
  'account.delete.mismatch': "Ce n'est pas votre nom d'utilisateur : rien n'a été supprimé.",
  'account.delete.submit': 'Supprimer mon compte',
  'account.delete.cancel': 'Garder mon compte',
  'account.deleted.title': 'Votre compte est supprimé',
  'account.deleted.lead': 'Votre compte {product} et ses données sont effacés, et vous êtes déconnecté partout.',

  'outbox.title': 'Boîte d’envoi',
  'outbox.lead':
    'Aucun serveur SMTP n’est configuré : les e-mails sont donc conservés ici au lieu d’être envoyés (démo et développement uniquement).',
  'outbox.empty': 'Aucun e-mail pour le moment.',
  'outbox.to': 'À {to}, {at}',
};
