# oneid — français. Chaque clé présente ici doit exister dans tous les autres catalogues (un test le vérifie).
# Arguments : { $brand } est le nom du produit de la marque (« MINI ID »), { $client } le nom
# d’une application, { $email } une adresse.

## Éléments communs des pages
language-switch = Langue
support-contact = Besoin d’aide ? Contactez { $support }.
show-password = Afficher le mot de passe
hide-password = Masquer le mot de passe
continue = Continuer
cancel = Annuler
save = Enregistrer les modifications
back-to-account = Retour à votre compte
sign-in = Se connecter
sign-out = Se déconnecter
reference = Si vous contactez l’assistance, indiquez cette référence : { $id }

## Erreurs
error-request-title = Cette demande ne peut pas aboutir
error-request-message = La demande envoyée par l’application n’est pas valide.
error-request-advice = Revenez à l’application d’où vous venez et réessayez. Si le problème persiste, contactez l’assistance de l’application.
error-expired-title = Ce lien a expiré
error-expired-message = L’opération que vous avez commencée n’est plus valable : elle a pris trop de temps, ou elle a déjà été menée à bien.
error-expired-advice = Revenez à l’application d’où vous venez et recommencez.
error-form-title = Le formulaire n’a pas pu être accepté
error-form-message = Le formulaire a expiré.
error-unreadable-message = Le formulaire n’a pas pu être lu.
error-form-advice = Rechargez la page et réessayez.
error-busy-title = Service momentanément surchargé
error-busy-message = Le service traite actuellement un grand nombre de demandes.
error-busy-advice = Patientez quelques secondes et réessayez.
error-not-found-title = Page introuvable
error-not-found-message = Il n’y a rien à cette adresse.
error-not-found-advice = Vérifiez l’adresse, ou revenez à l’application d’où vous venez.
error-internal-title = Une erreur s’est produite
error-internal-message = Le service n’a pas pu traiter votre demande.
error-internal-advice = Réessayez dans un instant.
error-too-many-title = Trop de demandes
error-too-many-message = Cette adresse a envoyé trop de formulaires en peu de temps.
error-too-many-advice = Patientez une minute, puis réessayez.
error-client-id-repeated = La demande désigne plus d’une application (client_id est répété).
error-client-id-missing = La demande n’indique pas de quelle application elle provient (client_id est manquant).
error-unknown-client = L’application d’où vous venez n’est pas enregistrée auprès de ce service.
error-redirect-uri-repeated = La demande indique plus d’une adresse de retour (redirect_uri est répété).
error-redirect-uri-unregistered = L’adresse de retour indiquée dans la demande n’est pas enregistrée pour cette application.
error-redirect-uri-missing = La demande n’indique pas où revenir (redirect_uri est manquant).
error-logout-title = La demande de déconnexion ne peut pas aboutir
error-logout-advice = Revenez à l’application et réessayez, ou fermez votre navigateur pour mettre fin à votre session.
error-logout-malformed = La demande de déconnexion est mal formée (un paramètre est répété).
error-logout-hint = La demande de déconnexion de l’application n’a pas pu être vérifiée.
error-logout-audience = La demande de déconnexion désigne une application pour laquelle le jeton d’identité (ID token) n’a pas été émis.
error-logout-redirect = L’adresse de retour indiquée dans la demande de déconnexion n’est pas enregistrée pour cette application.

## Connexion
login-title = Connexion
login-to-continue = pour continuer vers { $client }
login-email = Adresse e-mail
login-password = Mot de passe
login-submit = Se connecter
login-cancel = Annuler et revenir à { $client }
login-forgot = Mot de passe oublié ?
login-no-account = Pas encore de compte ?
login-register = Inscrivez-vous
login-error-credentials = L’adresse e-mail ou le mot de passe est incorrect.
login-error-form-expired = Votre formulaire de connexion a expiré. Veuillez saisir à nouveau vos informations.
login-error-not-activated = Votre compte n’est pas encore activé. Utilisez le lien figurant dans l’e-mail que nous vous avons envoyé, ou demandez-en un nouveau.
login-resend-activation = Envoyer un nouvel e-mail d’activation
login-error-locked = Trop de tentatives de connexion ont échoué. Réessayez dans { $minutes } minutes, ou réinitialisez votre mot de passe.
login-error-pow = Plusieurs tentatives ont échoué. Saisissez à nouveau votre mot de passe ; votre navigateur effectuera une courte vérification de sécurité.

## Consentement
consent-title = Autoriser l’accès
consent-heading = Autoriser l’accès à { $client } ?
consent-signed-in-as = Compte connecté : { $email }. { $client } demande l’autorisation de :
consent-allow = Autoriser
consent-deny = Refuser
scope-openid = Confirmer votre identité
scope-profile = Voir votre nom et votre langue préférée
scope-email = Voir votre adresse e-mail
scope-phone = Voir votre numéro de téléphone
scope-address = Voir votre adresse postale
scope-offline-access = Conserver l’accès même lorsque vous ne l’utilisez pas, jusqu’à ce que vous vous en déconnectiez ou que vous révoquiez cet accès
scope-other = Utiliser votre compte pour : { $scope }

## Retour à l’application (form post)
form-post-title = Retour à l’application
form-post-heading = Retour à l’application…

## Déconnexion
logout-title = Déconnexion
logout-heading = Se déconnecter ?
logout-asks = { $client } demande à vous déconnecter.
logout-question = Voulez-vous vous déconnecter de { $brand } ?
logout-question-as = Voulez-vous vous déconnecter de { $brand } en tant que { $email } ?
logout-done-title = Déconnexion effectuée
logout-done-heading = Votre session est fermée
logout-done-text = Vous pouvez fermer cette fenêtre, ou vous reconnecter.

## Accueil
home-title = Votre compte
home-signed-in = Votre session est ouverte
home-signed-in-as = Compte connecté : { $email }.
home-welcome = Bienvenue
home-not-signed-in = Aucune session n’est ouverte.

## Inscription
register-title = Créer votre { $brand }
register-intro = Un seul compte pour tous les services { $brand }.
register-email = Adresse e-mail
register-password = Mot de passe
register-password-hint = Au moins { $min } caractères. Les longues phrases de passe sont idéales ; évitez les mots de passe que vous utilisez ailleurs.
register-salutation = Civilité
salutation-none = (aucune)
salutation-ms = Mme
salutation-mr = M.
salutation-mx = Mx
register-given-name = Prénom
register-family-name = Nom
register-country = Pays de résidence
register-language = Langue préférée
register-optional = Facultatif
register-phone = Numéro de mobile
register-phone-hint = Avec l’indicatif du pays, par exemple +44 7700 900123.
register-address = Adresse postale
register-street = Rue et numéro
register-postal-code = Code postal
register-city = Ville
register-terms = J’accepte les conditions d’utilisation.
register-terms-link = Lire les conditions d’utilisation
register-submit = Créer un compte
register-have-account = Vous avez déjà un compte ?
register-closed = Il n’est pas possible de créer de nouveaux comptes ici. Adressez-vous à l’assistance du service.
registered-title = Consultez vos e-mails
registered-text = Nous avons envoyé un e-mail à { $email }. Ouvrez le lien qu’il contient pour activer votre compte. Ce lien est valable 24 heures.
registered-no-email = Pas d’e-mail ? Vérifiez votre dossier de courrier indésirable, ou demandez-en un nouveau.

## Preuve de travail
pow-working = Vérification de votre navigateur avant l’envoi…
pow-failed = La vérification de sécurité n’a pas abouti. Veuillez envoyer à nouveau le formulaire.
pow-needs-script = Ce formulaire nécessite JavaScript pour une courte vérification de sécurité.

## Erreurs de saisie
field-required = Veuillez remplir ce champ.
field-too-long = Cette saisie est trop longue.
field-invalid-characters = Cette saisie contient des caractères non autorisés.
email-invalid = Saisissez une adresse e-mail du type nom@example.com.
password-too-short = Utilisez au moins { $min } caractères.
password-too-long = Utilisez au maximum { $max } caractères.
password-weak = Ce mot de passe est trop facile à deviner. Essayez une phrase plus longue, composée de mots sans rapport entre eux.
password-personal = N’utilisez ni votre adresse e-mail ni votre nom dans votre mot de passe.
password-mismatch = Le mot de passe actuel est incorrect.
phone-invalid = Saisissez un numéro de mobile avec l’indicatif du pays, par exemple +44 7700 900123.
country-invalid = Choisissez un pays dans la liste.
choice-invalid = Choisissez l’une des options.
terms-required = Veuillez accepter les conditions d’utilisation pour créer un compte.

## Activation
activate-title = Activer votre compte
activated-notice = Votre compte est activé. Bienvenue !
activation-invalid-title = Ce lien d’activation ne peut pas être utilisé
activation-invalid-text = Le lien a expiré ou a déjà été utilisé. Si votre compte n’est pas encore activé, demandez un nouveau lien.
resend-title = Recevoir un nouvel e-mail d’activation
resend-intro = Saisissez l’adresse e-mail utilisée lors de votre inscription.
resend-submit = Envoyer l’e-mail d’activation
resend-sent = Si un compte associé à cette adresse attend d’être activé, nous y avons envoyé un nouveau lien. Vous pourrez refaire une demande dans une minute.

## Mot de passe oublié
forgot-title = Réinitialiser votre mot de passe
forgot-intro = Saisissez votre adresse e-mail : nous vous enverrons un lien pour choisir un nouveau mot de passe.
forgot-submit = Envoyer le lien
forgot-sent-title = Consultez vos e-mails
forgot-sent-text = Si un compte associé à cette adresse existe, nous y avons envoyé un lien pour choisir un nouveau mot de passe. Ce lien est valable une heure.
reset-title = Choisir un nouveau mot de passe
reset-new-password = Nouveau mot de passe
reset-submit = Enregistrer le nouveau mot de passe
reset-done-title = Mot de passe modifié
reset-done-text = Votre mot de passe a été modifié et toutes vos sessions ont été fermées. Connectez-vous avec votre nouveau mot de passe.
reset-invalid-title = Ce lien de réinitialisation ne peut pas être utilisé
reset-invalid-text = Le lien a expiré ou a déjà été utilisé. Demandez-en un nouveau.

## Compte
account-title = Votre compte
account-personal-data = Données personnelles
account-security = Connexion et sécurité
account-email-label = Adresse e-mail
account-change-email = Modifier l’adresse e-mail
account-change-password = Modifier le mot de passe
account-download = Télécharger mes données
account-download-text = Un fichier JSON contenant votre profil, vos consentements, vos sessions et l’historique de votre compte.
account-delete = Supprimer le compte
account-saved = Vos modifications ont été enregistrées.
account-current-password = Mot de passe actuel
account-new-email = Nouvelle adresse e-mail
email-change-title = Modifier votre adresse e-mail
email-change-intro = Nous enverrons un lien de confirmation à la nouvelle adresse. Votre adresse ne sera modifiée qu’une fois ce lien ouvert.
email-change-submit = Envoyer le lien de confirmation
email-change-sent = Nous avons envoyé un lien de confirmation à { $email }. Votre adresse sera modifiée dès que vous l’aurez ouvert.
email-change-taken = Cette adresse ne peut pas être utilisée pour votre compte.
email-changed-notice = Votre adresse e-mail est désormais { $email }.
email-change-invalid-title = Ce lien de confirmation ne peut pas être utilisé
email-change-invalid-text = Le lien a expiré ou a déjà été utilisé, ou l’adresse est désormais déjà prise. Demandez-en un nouveau depuis votre compte.
password-change-title = Modifier votre mot de passe
password-change-submit = Modifier le mot de passe
password-changed-notice = Votre mot de passe a été modifié. Vos autres sessions ont été fermées.
delete-title = Supprimer votre compte
delete-warning = Cette action supprime définitivement votre { $brand } et vos données personnelles. Vos sessions seront fermées dans toutes les applications.
delete-confirm = Saisissez votre mot de passe pour confirmer.
delete-submit = Supprimer définitivement mon compte
deleted-title = Votre compte a été supprimé
deleted-text = Votre compte et vos données personnelles ont été supprimés. Au revoir !

## Pays (ISO 3166-1)
country-AT = Autriche
country-AU = Australie
country-BE = Belgique
country-BG = Bulgarie
country-BR = Brésil
country-CA = Canada
country-CH = Suisse
country-CN = Chine
country-CY = Chypre
country-CZ = Tchéquie
country-DE = Allemagne
country-DK = Danemark
country-EE = Estonie
country-ES = Espagne
country-FI = Finlande
country-FR = France
country-GB = Royaume-Uni
country-GR = Grèce
country-HR = Croatie
country-HU = Hongrie
country-IE = Irlande
country-IN = Inde
country-IS = Islande
country-IT = Italie
country-JP = Japon
country-KR = Corée du Sud
country-LI = Liechtenstein
country-LT = Lituanie
country-LU = Luxembourg
country-LV = Lettonie
country-MC = Monaco
country-MT = Malte
country-MX = Mexique
country-NL = Pays-Bas
country-NO = Norvège
country-NZ = Nouvelle-Zélande
country-PL = Pologne
country-PT = Portugal
country-RO = Roumanie
country-SE = Suède
country-SG = Singapour
country-SI = Slovénie
country-SK = Slovaquie
country-TR = Turquie
country-US = États-Unis
country-ZA = Afrique du Sud

## E-mails
email-greeting = Bonjour { $name },
email-greeting-anonymous = Bonjour,
email-ignore = Si vous n’êtes pas à l’origine de cette demande, vous pouvez ignorer cet e-mail.
email-link-fallback = Si le bouton ne fonctionne pas, copiez ce lien dans votre navigateur :
email-signature = L’équipe { $brand }
email-activation-subject = Activez votre { $brand }
email-activation-text = Merci pour votre inscription. Veuillez confirmer votre adresse e-mail pour activer votre compte.
email-activation-button = Activer maintenant
email-activation-expiry = Ce lien est valable 24 heures.
email-already-registered-subject = Quelqu’un a tenté de s’inscrire avec votre adresse
email-already-registered-text = Quelqu’un, peut-être vous, a tenté de créer un nouveau { $brand } avec cette adresse e-mail. Vous avez déjà un compte.
email-already-registered-action = Si vous avez oublié votre mot de passe, vous pouvez en choisir un nouveau ici :
email-already-registered-button = Réinitialiser le mot de passe
email-password-reset-subject = Réinitialisez le mot de passe de votre { $brand }
email-password-reset-text = Nous avons reçu une demande de nouveau mot de passe pour votre compte.
email-password-reset-button = Choisir un nouveau mot de passe
email-password-reset-expiry = Ce lien est valable une heure et ne peut être utilisé qu’une seule fois.
email-password-changed-subject = Le mot de passe de votre { $brand } a été modifié
email-password-changed-text = Le mot de passe de votre compte vient d’être modifié, et toutes vos sessions ont été fermées.
email-password-changed-warning = Si vous n’êtes pas à l’origine de cette modification, réinitialisez immédiatement votre mot de passe et contactez l’assistance.
email-email-change-subject = Confirmez votre nouvelle adresse e-mail
email-email-change-text = Veuillez confirmer que cette adresse doit devenir l’adresse e-mail de votre { $brand }.
email-email-change-button = Confirmer l’adresse
email-email-changed-subject = L’adresse e-mail de votre { $brand } a été modifiée
email-email-changed-text = L’adresse e-mail de votre compte a été remplacée par { $email }. Vous ne recevrez plus de messages concernant votre compte à cette adresse.
email-account-deleted-subject = Votre { $brand } a été supprimé
email-account-deleted-text = Votre compte et vos données personnelles ont été supprimés, comme vous l’avez demandé. Merci de nous avoir fait confiance.
email-account-locked-subject = Votre { $brand } a été verrouillé après des tentatives de connexion échouées
email-account-locked-text = Quelqu’un a saisi plusieurs fois un mot de passe erroné pour votre compte ; nous l’avons donc verrouillé pendant { $minutes } minutes. Sur les navigateurs où vous vous êtes déjà connecté, vous pouvez toujours vous connecter.
email-account-locked-action = Si ce n’était pas vous, choisissez un nouveau mot de passe :

## Second factors
code-title = Saisissez votre code de sécurité
code-intro = Nous avons envoyé un code à 6 chiffres à { $email }.
code-label = Code de sécurité
code-resend = Envoyer un nouveau code
code-resent = Nous avons envoyé un nouveau code.
code-too-soon = Un code a été envoyé il y a moins d’une minute. Consultez vos e-mails ou réessayez dans un instant.
code-wrong = Ce code n’est pas correct.
code-unusable = Ce code a expiré ou a été essayé trop souvent. Demandez-en un nouveau.
account-two-factor = Authentification à deux facteurs
security-email-otp-on = L’authentification à deux facteurs par e-mail est activée : chaque connexion demande un code envoyé à votre adresse.
security-email-otp-off = Activez l’authentification à deux facteurs : chaque connexion demandera aussi un code envoyé à votre adresse.
security-enable = Activer
security-disable = Désactiver
security-enable-code-intro = Pour confirmer, saisissez le code envoyé à { $email }.
security-enabled-notice = L’authentification à deux facteurs est activée.
security-disabled-notice = L’authentification à deux facteurs est désactivée.
email-code-subject = Votre code de sécurité { $brand }
email-code-text = Votre code de sécurité est :
email-code-expiry = Il est valable 10 minutes. Ne le communiquez à personne, pas même au support.
email-two-factor-enabled-subject = L’authentification à deux facteurs a été activée pour votre { $brand }
email-two-factor-enabled-text = Désormais, chaque connexion demande un code envoyé à cette adresse.
email-two-factor-disabled-subject = L’authentification à deux facteurs a été désactivée pour votre { $brand }
email-two-factor-disabled-text = La connexion ne demande plus de code. Si ce n’était pas vous, réinitialisez immédiatement votre mot de passe.
totp-title = Application d’authentification
totp-login-intro = Saisissez le code à 6 chiffres de votre application d’authentification.
totp-code-label = Code de l’application
totp-use-recovery = Téléphone perdu ? Utilisez plutôt un code de secours.
totp-recovery-label = Code de secours
totp-wrong = Ce code n’est pas correct.
totp-enrol-intro = Scannez ce code QR avec une application d’authentification (par exemple FreeOTP, Aegis ou Google Authenticator), puis saisissez le code affiché.
totp-secret-label = Ou saisissez cette clé dans l’application :
totp-active = Une application d’authentification est configurée. Chaque connexion demande son code.
totp-codes-left = Codes de secours restants : { $count }
totp-remove = Supprimer l’application d’authentification
totp-new-codes = Générer de nouveaux codes de secours
totp-confirm = Configurer
recovery-codes-title = Vos codes de secours
recovery-codes-intro = Chaque code vous permet de vous connecter une fois si vous perdez votre téléphone. Conservez-les en lieu sûr : ils ne sont affichés que maintenant.
totp-removed-notice = L’application d’authentification a été supprimée.
email-new-sign-in-subject = Nouvelle connexion à votre { $brand }
email-new-sign-in-text = Votre compte vient d’être utilisé pour se connecter depuis un navigateur jamais utilisé auparavant :
email-new-sign-in-details = { $when } · { $browser } · { $address }
email-new-sign-in-if-you = Si c’était vous, vous n’avez rien à faire.
email-new-sign-in-button = Ce n’était pas moi
not-me-title = Sécurisez votre compte
not-me-invalid-title = Ce lien ne peut pas être utilisé
not-me-invalid-text = Le lien a expiré ou a déjà été utilisé. Par précaution, réinitialisez votre mot de passe.
sms-code = { $code } est votre code { $brand }. Il est valable 10 minutes. Ne le communiquez à personne.
login-identifier = Adresse e-mail ou numéro de mobile
phone-title = Phone ID
phone-intro = Vérifiez votre numéro de mobile pour vous connecter avec lui au lieu de votre adresse e-mail.
phone-none = Ajoutez d’abord votre numéro de mobile dans vos données personnelles.
phone-verified = { $number } est vérifié : vous pouvez vous connecter avec.
phone-unverified = { $number } n’est pas encore vérifié.
phone-send = Envoyer un code par SMS
phone-sent = Nous avons envoyé un code au { $number }.
phone-taken = Ce numéro sert déjà à se connecter à un autre compte.
phone-verify = Vérifier
