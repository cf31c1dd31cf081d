# oneid — Deutsch. Jeder Schlüssel hier muss in jedem anderen Katalog vorhanden sein (ein Test prüft das).
# Argumente: { $brand } ist der Produktname der Marke ("MINI ID"), { $client } der Name
# einer Anwendung, { $email } eine Adresse.

## Gemeinsame Seitenelemente
language-switch = Sprache
support-contact = Brauchen Sie Hilfe? Wenden Sie sich an { $support }.
show-password = Passwort anzeigen
hide-password = Passwort verbergen
continue = Weiter
cancel = Abbrechen
save = Änderungen speichern
back-to-account = Zurück zu Ihrem Konto
sign-in = Anmelden
sign-out = Abmelden
reference = Wenn Sie sich an den Support wenden, nennen Sie bitte diese Referenz: { $id }

## Fehler
error-request-title = Diese Anfrage kann nicht ausgeführt werden
error-request-message = Die Anfrage der Anwendung ist ungültig.
error-request-advice = Kehren Sie zu der Anwendung zurück, von der Sie gekommen sind, und versuchen Sie es erneut. Falls das Problem weiterhin besteht, wenden Sie sich an den Support der Anwendung.
error-expired-title = Dieser Link ist abgelaufen
error-expired-message = Der begonnene Vorgang ist nicht mehr gültig: Er hat zu lange gedauert oder wurde bereits abgeschlossen.
error-expired-advice = Kehren Sie zu der Anwendung zurück, von der Sie gekommen sind, und beginnen Sie erneut.
error-form-title = Das Formular konnte nicht angenommen werden
error-form-message = Das Formular ist abgelaufen.
error-unreadable-message = Das Formular konnte nicht gelesen werden.
error-form-advice = Laden Sie die Seite neu und versuchen Sie es erneut.
error-busy-title = Derzeit stark ausgelastet
error-busy-message = Der Dienst bearbeitet im Moment sehr viele Anfragen.
error-busy-advice = Warten Sie einige Sekunden und versuchen Sie es erneut.
error-not-found-title = Seite nicht gefunden
error-not-found-message = Unter dieser Adresse ist nichts zu finden.
error-not-found-advice = Prüfen Sie die Adresse oder kehren Sie zu der Anwendung zurück, von der Sie gekommen sind.
error-internal-title = Etwas ist schiefgelaufen
error-internal-message = Der Dienst konnte Ihre Anfrage nicht ausführen.
error-internal-advice = Versuchen Sie es gleich noch einmal.
error-too-many-title = Zu viele Anfragen
error-too-many-message = Von dieser Adresse wurden in kurzer Zeit zu viele Formulare gesendet.
error-too-many-advice = Warten Sie eine Minute und versuchen Sie es erneut.
error-client-id-repeated = Die Anfrage nennt mehr als eine Anwendung (client_id ist mehrfach angegeben).
error-client-id-missing = Die Anfrage gibt nicht an, von welcher Anwendung sie stammt (client_id fehlt).
error-unknown-client = Die Anwendung, die Sie hierher weitergeleitet hat, ist bei diesem Dienst nicht registriert.
error-redirect-uri-repeated = Die Anfrage nennt mehr als eine Rücksprungadresse (redirect_uri ist mehrfach angegeben).
error-redirect-uri-unregistered = Die Rücksprungadresse in der Anfrage ist für diese Anwendung nicht registriert.
error-redirect-uri-missing = Die Anfrage gibt nicht an, wohin zurückgekehrt werden soll (redirect_uri fehlt).
error-logout-title = Die Abmeldeanfrage kann nicht ausgeführt werden
error-logout-advice = Kehren Sie zur Anwendung zurück und versuchen Sie es erneut, oder schließen Sie Ihren Browser, um Ihre Sitzung zu beenden.
error-logout-malformed = Die Abmeldeanfrage ist fehlerhaft (ein Parameter ist mehrfach angegeben).
error-logout-hint = Die Abmeldeanfrage der Anwendung konnte nicht überprüft werden.
error-logout-audience = Die Abmeldeanfrage nennt eine Anwendung, für die das ID-Token nicht ausgestellt wurde.
error-logout-redirect = Die Rücksprungadresse in der Abmeldeanfrage ist für diese Anwendung nicht registriert.

## Anmelden
login-title = Anmelden
login-to-continue = und weiter zu { $client }
login-email = E-Mail-Adresse
login-password = Passwort
login-submit = Anmelden
login-cancel = Abbrechen und zurück zu { $client }
login-forgot = Passwort vergessen?
login-no-account = Noch kein Konto?
login-register = Jetzt registrieren
login-error-credentials = E-Mail-Adresse oder Passwort ist nicht korrekt.
login-error-form-expired = Ihr Anmeldeformular ist abgelaufen. Bitte geben Sie Ihre Daten erneut ein.
login-error-not-activated = Ihr Konto ist noch nicht aktiviert. Verwenden Sie den Link in der E-Mail, die wir Ihnen gesendet haben, oder fordern Sie einen neuen an.
login-resend-activation = Neue Aktivierungs-E-Mail senden
login-error-locked = Zu viele fehlgeschlagene Anmeldeversuche. Versuchen Sie es in { $minutes } Minuten erneut, oder setzen Sie Ihr Passwort zurück.
login-error-pow = Mehrere Versuche sind fehlgeschlagen. Bitte geben Sie Ihr Passwort erneut ein; Ihr Browser führt eine kurze Sicherheitsprüfung durch.

## Einwilligung
consent-title = Zugriff erlauben
consent-heading = { $client } Zugriff erlauben?
consent-signed-in-as = Angemeldet als { $email }. { $client } möchte:
consent-allow = Erlauben
consent-deny = Ablehnen
scope-openid = Ihre Identität bestätigen
scope-profile = Ihren Namen und Ihre bevorzugte Sprache sehen
scope-email = Ihre E-Mail-Adresse sehen
scope-phone = Ihre Telefonnummer sehen
scope-address = Ihre Postanschrift sehen
scope-offline-access = Den Zugriff behalten, auch wenn Sie die Anwendung gerade nicht nutzen, bis Sie sich dort abmelden oder den Zugriff widerrufen
scope-other = Ihr Konto verwenden für: { $scope }

## Rückkehr zur Anwendung (Form Post)
form-post-title = Rückkehr zur Anwendung
form-post-heading = Sie werden zur Anwendung zurückgeleitet…

## Abmelden
logout-title = Abmelden
logout-heading = Abmelden?
logout-asks = { $client } möchte Sie abmelden.
logout-question = Möchten Sie sich von Ihrer { $brand } abmelden?
logout-question-as = Möchten Sie sich als { $email } von Ihrer { $brand } abmelden?
logout-done-title = Abgemeldet
logout-done-heading = Sie sind abgemeldet
logout-done-text = Sie können dieses Fenster schließen oder sich erneut anmelden.

## Startseite
home-title = Ihr Konto
home-signed-in = Sie sind angemeldet
home-signed-in-as = Angemeldet als { $email }.
home-welcome = Willkommen
home-not-signed-in = Sie sind nicht angemeldet.

## Registrierung
register-title = Erstellen Sie Ihre { $brand }
register-intro = Ein Konto für alle Dienste mit { $brand }.
register-email = E-Mail-Adresse
register-password = Passwort
register-password-hint = Mindestens { $min } Zeichen. Lange Passphrasen sind am besten; verwenden Sie keine Passwörter, die Sie bereits anderswo nutzen.
register-salutation = Anrede
salutation-none = (keine Angabe)
salutation-ms = Frau
salutation-mr = Herr
salutation-mx = Divers
register-given-name = Vorname
register-family-name = Nachname
register-country = Wohnsitzland
register-language = Bevorzugte Sprache
register-optional = Optional
register-phone = Mobilnummer
register-phone-hint = Mit Ländervorwahl, zum Beispiel +44 7700 900123.
register-address = Postanschrift
register-street = Straße und Hausnummer
register-postal-code = Postleitzahl
register-city = Ort
register-terms = Ich akzeptiere die Nutzungsbedingungen.
register-terms-link = Nutzungsbedingungen lesen
register-submit = Konto erstellen
register-have-account = Sie haben bereits ein Konto?
register-closed = Hier können keine neuen Konten erstellt werden. Wenden Sie sich an den Support des Dienstes.
registered-title = Prüfen Sie Ihr E-Mail-Postfach
registered-text = Wir haben eine E-Mail an { $email } gesendet. Öffnen Sie den darin enthaltenen Link, um Ihr Konto zu aktivieren. Der Link ist 24 Stunden gültig.
registered-no-email = Keine E-Mail erhalten? Sehen Sie in Ihrem Spam-Ordner nach oder fordern Sie eine neue an.

## Proof of Work
pow-working = Ihr Browser wird vor dem Senden geprüft…
pow-failed = Die Sicherheitsprüfung wurde nicht abgeschlossen. Bitte senden Sie das Formular erneut ab.
pow-needs-script = Dieses Formular benötigt JavaScript für eine kurze Sicherheitsprüfung.

## Fehler in Eingabefeldern
field-required = Bitte füllen Sie dieses Feld aus.
field-too-long = Diese Eingabe ist zu lang.
field-invalid-characters = Diese Eingabe enthält unzulässige Zeichen.
email-invalid = Geben Sie eine E-Mail-Adresse wie name@example.com ein.
password-too-short = Verwenden Sie mindestens { $min } Zeichen.
password-too-long = Verwenden Sie höchstens { $max } Zeichen.
password-weak = Dieses Passwort ist zu leicht zu erraten. Versuchen Sie es mit einer längeren Folge von Wörtern, die nichts miteinander zu tun haben.
password-personal = Verwenden Sie weder Ihre E-Mail-Adresse noch Ihren Namen in Ihrem Passwort.
password-mismatch = Das aktuelle Passwort ist nicht korrekt.
phone-invalid = Geben Sie eine Mobilnummer mit Ländervorwahl ein, zum Beispiel +44 7700 900123.
country-invalid = Wählen Sie ein Land aus der Liste.
choice-invalid = Wählen Sie eine der Optionen.
terms-required = Bitte akzeptieren Sie die Nutzungsbedingungen, um ein Konto zu erstellen.

## Aktivierung
activate-title = Konto aktivieren
activated-notice = Ihr Konto ist aktiv. Willkommen!
activation-invalid-title = Dieser Aktivierungslink kann nicht verwendet werden
activation-invalid-text = Der Link ist abgelaufen oder wurde bereits verwendet. Falls Ihr Konto noch nicht aktiv ist, fordern Sie einen neuen Link an.
resend-title = Neue Aktivierungs-E-Mail anfordern
resend-intro = Geben Sie die E-Mail-Adresse ein, mit der Sie sich registriert haben.
resend-submit = Aktivierungs-E-Mail senden
resend-sent = Falls ein Konto mit dieser Adresse auf seine Aktivierung wartet, haben wir einen neuen Link an diese Adresse gesendet. Sie können in einer Minute erneut einen Link anfordern.

## Passwort vergessen
forgot-title = Passwort zurücksetzen
forgot-intro = Geben Sie Ihre E-Mail-Adresse ein. Wir senden Ihnen dann einen Link, mit dem Sie ein neues Passwort festlegen können.
forgot-submit = Link senden
forgot-sent-title = Prüfen Sie Ihr E-Mail-Postfach
forgot-sent-text = Falls ein Konto mit dieser Adresse existiert, haben wir einen Link dorthin gesendet, mit dem Sie ein neues Passwort festlegen können. Der Link ist eine Stunde gültig.
reset-title = Neues Passwort festlegen
reset-new-password = Neues Passwort
reset-submit = Neues Passwort speichern
reset-done-title = Passwort geändert
reset-done-text = Ihr Passwort wurde geändert und Sie wurden überall abgemeldet. Melden Sie sich mit Ihrem neuen Passwort an.
reset-invalid-title = Dieser Link zum Zurücksetzen kann nicht verwendet werden
reset-invalid-text = Der Link ist abgelaufen oder wurde bereits verwendet. Fordern Sie einen neuen an.

## Konto
account-title = Ihr Konto
account-personal-data = Persönliche Daten
account-security = Anmeldung und Sicherheit
account-email-label = E-Mail-Adresse
account-change-email = E-Mail-Adresse ändern
account-change-password = Passwort ändern
account-download = Meine Daten herunterladen
account-download-text = Eine JSON-Datei mit Ihrem Profil, Ihren Einwilligungen, Ihren Sitzungen und dem Verlauf Ihres Kontos.
account-delete = Konto löschen
account-saved = Ihre Änderungen wurden gespeichert.
account-current-password = Aktuelles Passwort
account-new-email = Neue E-Mail-Adresse
email-change-title = E-Mail-Adresse ändern
email-change-intro = Wir senden einen Bestätigungslink an die neue Adresse. Ihre Adresse wird erst geändert, wenn Sie diesen Link öffnen.
email-change-submit = Bestätigungslink senden
email-change-sent = Wir haben einen Bestätigungslink an { $email } gesendet. Ihre Adresse wird geändert, sobald Sie ihn öffnen.
email-change-taken = Diese Adresse kann für Ihr Konto nicht verwendet werden.
email-changed-notice = Ihre E-Mail-Adresse lautet jetzt { $email }.
email-change-invalid-title = Dieser Bestätigungslink kann nicht verwendet werden
email-change-invalid-text = Der Link ist abgelaufen oder wurde bereits verwendet, oder die Adresse ist inzwischen vergeben. Fordern Sie in Ihrem Konto einen neuen an.
password-change-title = Passwort ändern
password-change-submit = Passwort ändern
password-changed-notice = Ihr Passwort wurde geändert. Ihre anderen Sitzungen wurden abgemeldet.
delete-title = Konto löschen
delete-warning = Dadurch werden Ihre { $brand } und Ihre persönlichen Daten endgültig gelöscht. Sie werden von allen Anwendungen abgemeldet.
delete-confirm = Geben Sie zur Bestätigung Ihr Passwort ein.
delete-submit = Mein Konto endgültig löschen
deleted-title = Ihr Konto wurde gelöscht
deleted-text = Ihr Konto und Ihre persönlichen Daten wurden gelöscht. Auf Wiedersehen!

## Länder (ISO 3166-1)
country-AT = Österreich
country-AU = Australien
country-BE = Belgien
country-BG = Bulgarien
country-BR = Brasilien
country-CA = Kanada
country-CH = Schweiz
country-CN = China
country-CY = Zypern
country-CZ = Tschechien
country-DE = Deutschland
country-DK = Dänemark
country-EE = Estland
country-ES = Spanien
country-FI = Finnland
country-FR = Frankreich
country-GB = Vereinigtes Königreich
country-GR = Griechenland
country-HR = Kroatien
country-HU = Ungarn
country-IE = Irland
country-IN = Indien
country-IS = Island
country-IT = Italien
country-JP = Japan
country-KR = Südkorea
country-LI = Liechtenstein
country-LT = Litauen
country-LU = Luxemburg
country-LV = Lettland
country-MC = Monaco
country-MT = Malta
country-MX = Mexiko
country-NL = Niederlande
country-NO = Norwegen
country-NZ = Neuseeland
country-PL = Polen
country-PT = Portugal
country-RO = Rumänien
country-SE = Schweden
country-SG = Singapur
country-SI = Slowenien
country-SK = Slowakei
country-TR = Türkei
country-US = Vereinigte Staaten
country-ZA = Südafrika

## E-Mails
email-greeting = Guten Tag { $name },
email-greeting-anonymous = Guten Tag,
email-ignore = Falls Sie das nicht waren, können Sie diese E-Mail ignorieren.
email-link-fallback = Falls die Schaltfläche nicht funktioniert, kopieren Sie diesen Link in Ihren Browser:
email-signature = Ihr { $brand }-Team
email-activation-subject = Aktivieren Sie Ihre { $brand }
email-activation-text = Vielen Dank für Ihre Registrierung. Bitte bestätigen Sie Ihre E-Mail-Adresse, um Ihr Konto zu aktivieren.
email-activation-button = Jetzt aktivieren
email-activation-expiry = Der Link ist 24 Stunden gültig.
email-already-registered-subject = Jemand hat versucht, sich mit Ihrer Adresse zu registrieren
email-already-registered-text = Jemand, vielleicht Sie selbst, hat versucht, mit dieser E-Mail-Adresse eine neue { $brand } zu erstellen. Sie haben bereits ein Konto.
email-already-registered-action = Falls Sie Ihr Passwort vergessen haben, können Sie hier ein neues festlegen:
email-already-registered-button = Passwort zurücksetzen
email-password-reset-subject = Passwort Ihrer { $brand } zurücksetzen
email-password-reset-text = Wir haben eine Anfrage erhalten, ein neues Passwort für Ihr Konto festzulegen.
email-password-reset-button = Neues Passwort festlegen
email-password-reset-expiry = Der Link ist eine Stunde gültig und kann nur einmal verwendet werden.
email-password-changed-subject = Das Passwort Ihrer { $brand } wurde geändert
email-password-changed-text = Das Passwort Ihres Kontos wurde soeben geändert, und Sie wurden überall abgemeldet.
email-password-changed-warning = Falls Sie das nicht selbst waren, setzen Sie Ihr Passwort umgehend zurück und wenden Sie sich an den Support.
email-email-change-subject = Bestätigen Sie Ihre neue E-Mail-Adresse
email-email-change-text = Bitte bestätigen Sie, dass diese Adresse die E-Mail-Adresse Ihrer { $brand } werden soll.
email-email-change-button = Adresse bestätigen
email-email-changed-subject = Die E-Mail-Adresse Ihrer { $brand } wurde geändert
email-email-changed-text = Die E-Mail-Adresse Ihres Kontos wurde in { $email } geändert. An diese Adresse werden keine Nachrichten zu Ihrem Konto mehr gesendet.
email-account-deleted-subject = Ihre { $brand } wurde gelöscht
email-account-deleted-text = Ihr Konto und Ihre persönlichen Daten wurden wie gewünscht gelöscht. Vielen Dank, dass Sie bei uns waren.
email-account-locked-subject = Ihre { $brand } wurde nach fehlgeschlagenen Anmeldeversuchen gesperrt
email-account-locked-text = Jemand hat mehrmals ein falsches Passwort für Ihr Konto eingegeben, daher haben wir es für { $minutes } Minuten gesperrt. In Browsern, in denen Sie sich schon angemeldet haben, können Sie sich weiterhin anmelden.
email-account-locked-action = Wenn Sie das nicht waren, wählen Sie ein neues Passwort:

## Second factors
code-title = Geben Sie Ihren Sicherheitscode ein
code-intro = Wir haben einen 6-stelligen Code an { $email } gesendet.
code-label = Sicherheitscode
code-resend = Neuen Code senden
code-resent = Wir haben einen neuen Code gesendet.
code-too-soon = Vor weniger als einer Minute wurde ein Code gesendet. Prüfen Sie Ihre E-Mails oder versuchen Sie es gleich noch einmal.
code-wrong = Dieser Code ist nicht richtig.
code-unusable = Dieser Code ist abgelaufen oder wurde zu oft versucht. Fordern Sie einen neuen an.
account-two-factor = Zwei-Faktor-Authentifizierung
security-email-otp-on = Die Zwei-Faktor-Authentifizierung per E-Mail ist aktiv: Jede Anmeldung fragt nach einem Code, den wir an Ihre Adresse senden.
security-email-otp-off = Aktivieren Sie die Zwei-Faktor-Authentifizierung: Jede Anmeldung fragt dann zusätzlich nach einem Code, den wir an Ihre Adresse senden.
security-enable = Aktivieren
security-disable = Deaktivieren
security-enable-code-intro = Geben Sie zur Bestätigung den Code ein, den wir an { $email } gesendet haben.
security-enabled-notice = Die Zwei-Faktor-Authentifizierung ist aktiv.
security-disabled-notice = Die Zwei-Faktor-Authentifizierung ist deaktiviert.
email-code-subject = Ihr Sicherheitscode für { $brand }
email-code-text = Ihr Sicherheitscode lautet:
email-code-expiry = Er ist 10 Minuten gültig. Geben Sie ihn niemandem weiter, auch nicht dem Support.
email-two-factor-enabled-subject = Die Zwei-Faktor-Authentifizierung wurde für Ihre { $brand } aktiviert
email-two-factor-enabled-text = Ab jetzt fragt jede Anmeldung nach einem Code, den wir an diese Adresse senden.
email-two-factor-disabled-subject = Die Zwei-Faktor-Authentifizierung wurde für Ihre { $brand } deaktiviert
email-two-factor-disabled-text = Die Anmeldung fragt nicht mehr nach einem Code. Wenn Sie das nicht waren, setzen Sie Ihr Passwort sofort zurück.
totp-title = Authenticator-App
totp-login-intro = Geben Sie den 6-stelligen Code aus Ihrer Authenticator-App ein.
totp-code-label = Code aus der App
totp-use-recovery = Telefon verloren? Verwenden Sie stattdessen einen Wiederherstellungscode.
totp-recovery-label = Wiederherstellungscode
totp-wrong = Dieser Code ist nicht richtig.
totp-enrol-intro = Scannen Sie diesen QR-Code mit einer Authenticator-App (etwa FreeOTP, Aegis oder Google Authenticator) und geben Sie dann den angezeigten Code ein.
totp-secret-label = Oder geben Sie diesen Schlüssel in der App ein:
totp-active = Eine Authenticator-App ist eingerichtet. Jede Anmeldung fragt nach ihrem Code.
totp-codes-left = Verbleibende Wiederherstellungscodes: { $count }
totp-remove = Authenticator-App entfernen
totp-new-codes = Neue Wiederherstellungscodes erstellen
totp-confirm = Einrichten
recovery-codes-title = Ihre Wiederherstellungscodes
recovery-codes-intro = Jeder Code meldet Sie einmal an, falls Sie Ihr Telefon verlieren. Bewahren Sie sie sicher auf: Sie werden nur jetzt angezeigt.
totp-removed-notice = Die Authenticator-App wurde entfernt.
email-new-sign-in-subject = Neue Anmeldung bei Ihrer { $brand }
email-new-sign-in-text = Mit Ihrem Konto hat sich gerade jemand in einem Browser angemeldet, in dem es noch nie verwendet wurde:
email-new-sign-in-details = { $when } · { $browser } · { $address }
email-new-sign-in-if-you = Wenn Sie das waren, müssen Sie nichts tun.
email-new-sign-in-button = Das war ich nicht
not-me-title = Sichern Sie Ihr Konto
not-me-invalid-title = Dieser Link kann nicht verwendet werden
not-me-invalid-text = Der Link ist abgelaufen oder wurde bereits verwendet. Setzen Sie zur Sicherheit Ihr Passwort zurück.
sms-code = { $code } ist Ihr { $brand }-Code. Er ist 10 Minuten gültig. Geben Sie ihn niemandem weiter.
login-identifier = E-Mail-Adresse oder Mobilnummer
phone-title = Phone ID
phone-intro = Bestätigen Sie Ihre Mobilnummer, um sich damit statt mit Ihrer E-Mail-Adresse anzumelden.
phone-none = Fügen Sie zuerst Ihre Mobilnummer in Ihren persönlichen Daten hinzu.
phone-verified = { $number } ist bestätigt: Sie können sich damit anmelden.
phone-unverified = { $number } ist noch nicht bestätigt.
phone-send = Code per SMS senden
phone-sent = Wir haben einen Code an { $number } gesendet.
phone-taken = Mit dieser Nummer meldet man sich bereits bei einem anderen Konto an.
phone-verify = Bestätigen
