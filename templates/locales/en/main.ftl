# oneid — English. Every key here must exist in every other catalog (a test checks).
# Arguments: { $brand } is the brand's product name ("MINI ID"), { $client } an
# application's name, { $email } an address.

## Shared page parts
language-switch = Language
support-contact = Need help? Contact { $support }.
show-password = Show password
hide-password = Hide password
continue = Continue
cancel = Cancel
save = Save changes
back-to-account = Back to your account
sign-in = Sign in
sign-out = Sign out
reference = If you contact support, mention this reference: { $id }

## Errors
error-request-title = This request cannot be completed
error-request-message = The request from the application is not valid.
error-request-advice = Go back to the application you came from and try again. If it keeps happening, contact the application's support.
error-expired-title = This link has expired
error-expired-message = What you started is no longer valid: it took too long, or it was already completed.
error-expired-advice = Go back to the application you came from and start again.
error-form-title = The form could not be accepted
error-form-message = The form has expired.
error-unreadable-message = The form could not be read.
error-form-advice = Reload the page and try again.
error-busy-title = Too busy right now
error-busy-message = The service is handling a lot of requests at the moment.
error-busy-advice = Wait a few seconds and try again.
error-not-found-title = Page not found
error-not-found-message = There is nothing at this address.
error-not-found-advice = Check the address, or go back to the application you came from.
error-internal-title = Something went wrong
error-internal-message = The service could not complete your request.
error-internal-advice = Try again in a moment.
error-too-many-title = Too many requests
error-too-many-message = This address has sent too many forms in a short time.
error-too-many-advice = Wait a minute and try again.
error-client-id-repeated = The request names more than one application (client_id is repeated).
error-client-id-missing = The request does not say which application it comes from (client_id is missing).
error-unknown-client = The application that sent you here is not registered with this service.
error-redirect-uri-repeated = The request names more than one return address (redirect_uri is repeated).
error-redirect-uri-unregistered = The return address in the request is not registered for this application.
error-redirect-uri-missing = The request does not say where to return to (redirect_uri is missing).
error-logout-title = The sign-out request cannot be completed
error-logout-advice = Return to the application and try again, or close your browser to end your session.
error-logout-malformed = The sign-out request is malformed (a parameter is repeated).
error-logout-hint = The application's sign-out request could not be verified.
error-logout-audience = The sign-out request names an application that the ID token was not issued to.
error-logout-redirect = The return address in the sign-out request is not registered for this application.

## Sign in
login-title = Sign in
login-to-continue = to continue to { $client }
login-email = Email address
login-password = Password
login-submit = Sign in
login-cancel = Cancel and return to { $client }
login-forgot = Forgot your password?
login-no-account = No account yet?
login-register = Register now
login-error-credentials = The email address or password is not correct.
login-error-form-expired = Your sign-in form expired. Please enter your details again.
login-error-not-activated = Your account is not activated yet. Use the link in the email we sent you, or get a new one.
login-resend-activation = Send a new activation email
login-error-locked = Too many failed sign-in attempts. Try again in { $minutes } minutes, or reset your password.
login-error-pow = Several attempts failed. Please enter your password again; your browser will do a short security check.

## Consent
consent-title = Allow access
consent-heading = Allow { $client } access?
consent-signed-in-as = Signed in as { $email }. { $client } asks to:
consent-allow = Allow
consent-deny = Deny
scope-openid = Confirm who you are
scope-profile = See your name and preferred language
scope-email = See your email address
scope-phone = See your phone number
scope-address = See your postal address
scope-offline-access = Keep access while you are not using it, until you sign out of it or revoke it
scope-other = Use your account for: { $scope }

## Returning to the application (form post)
form-post-title = Returning to the application
form-post-heading = Returning to the application…

## Sign out
logout-title = Sign out
logout-heading = Sign out?
logout-asks = { $client } asks to sign you out.
logout-question = Do you want to sign out of { $brand }?
logout-question-as = Do you want to sign out of { $brand } as { $email }?
logout-done-title = Signed out
logout-done-heading = You are signed out
logout-done-text = You can close this window, or sign in again.

## Home
home-title = Your account
home-signed-in = You are signed in
home-signed-in-as = Signed in as { $email }.
home-welcome = Welcome
home-not-signed-in = You are not signed in.

## Registration
register-title = Create your { $brand }
register-intro = One account for all { $brand } services.
register-email = Email address
register-password = Password
register-password-hint = At least { $min } characters. Long passphrases are best; avoid passwords you use elsewhere.
register-salutation = Salutation
salutation-none = (none)
salutation-ms = Ms
salutation-mr = Mr
salutation-mx = Mx
register-given-name = First name
register-family-name = Last name
register-country = Country of residence
register-language = Preferred language
register-optional = Optional
register-phone = Mobile number
register-phone-hint = With country code, for example +44 7700 900123.
register-address = Postal address
register-street = Street and house number
register-postal-code = Postal code
register-city = City
register-terms = I accept the terms of use.
register-terms-link = Read the terms of use
register-submit = Create account
register-have-account = Already have an account?
register-closed = New accounts cannot be created here. Ask the service's support.
registered-title = Check your email
registered-text = We sent an email to { $email }. Open the link in it to activate your account. The link is valid for 24 hours.
registered-no-email = No email? Check your spam folder, or ask for a new one.

## Proof of work
pow-working = Checking your browser before sending…
pow-failed = The security check did not complete. Please submit the form again.
pow-needs-script = This form needs JavaScript for a short security check.

## Field errors
field-required = Please fill in this field.
field-too-long = This is too long.
field-invalid-characters = This contains characters that are not allowed.
email-invalid = Enter an email address like name@example.com.
password-too-short = Use at least { $min } characters.
password-too-long = Use at most { $max } characters.
password-weak = This password is too easy to guess. Try a longer phrase of unrelated words.
password-personal = Do not use your email address or name in your password.
password-mismatch = The current password is not correct.
phone-invalid = Enter a mobile number with its country code, like +44 7700 900123.
country-invalid = Choose a country from the list.
choice-invalid = Choose one of the options.
terms-required = Please accept the terms of use to create an account.

## Activation
activate-title = Activate your account
activated-notice = Your account is active. Welcome!
activation-invalid-title = This activation link cannot be used
activation-invalid-text = The link has expired or was already used. If your account is not active yet, ask for a new link.
resend-title = Get a new activation email
resend-intro = Enter the email address you registered with.
resend-submit = Send activation email
resend-sent = If an account with that address waits for activation, we have sent a new link to it. You can ask again in a minute.

## Forgotten password
forgot-title = Reset your password
forgot-intro = Enter your email address and we will send you a link to choose a new password.
forgot-submit = Send link
forgot-sent-title = Check your email
forgot-sent-text = If an account with that address exists, we have sent it a link to choose a new password. The link is valid for one hour.
reset-title = Choose a new password
reset-new-password = New password
reset-submit = Save new password
reset-done-title = Password changed
reset-done-text = Your password was changed and you were signed out everywhere. Sign in with your new password.
reset-invalid-title = This reset link cannot be used
reset-invalid-text = The link has expired or was already used. Ask for a new one.

## Account
account-title = Your account
account-personal-data = Personal data
account-security = Sign-in and security
account-email-label = Email address
account-change-email = Change email address
account-change-password = Change password
account-download = Download my data
account-download-text = A JSON file with your profile, consents, sessions and account history.
account-delete = Delete account
account-saved = Your changes are saved.
account-current-password = Current password
account-new-email = New email address
email-change-title = Change your email address
email-change-intro = We will send a confirmation link to the new address. Your address changes only when you open that link.
email-change-submit = Send confirmation link
email-change-sent = We sent a confirmation link to { $email }. Your address changes when you open it.
email-change-taken = This address cannot be used for your account.
email-changed-notice = Your email address is now { $email }.
email-change-invalid-title = This confirmation link cannot be used
email-change-invalid-text = The link has expired or was already used, or the address is now taken. Ask for a new one from your account.
password-change-title = Change your password
password-change-submit = Change password
password-changed-notice = Your password was changed. Other sessions were signed out.
delete-title = Delete your account
delete-warning = This deletes your { $brand } and your personal data for good. You will be signed out of every application.
delete-confirm = Enter your password to confirm.
delete-submit = Delete my account for good
deleted-title = Your account is deleted
deleted-text = Your account and your personal data were deleted. Goodbye!

## Countries (ISO 3166-1)
country-AT = Austria
country-AU = Australia
country-BE = Belgium
country-BG = Bulgaria
country-BR = Brazil
country-CA = Canada
country-CH = Switzerland
country-CN = China
country-CY = Cyprus
country-CZ = Czechia
country-DE = Germany
country-DK = Denmark
country-EE = Estonia
country-ES = Spain
country-FI = Finland
country-FR = France
country-GB = United Kingdom
country-GR = Greece
country-HR = Croatia
country-HU = Hungary
country-IE = Ireland
country-IN = India
country-IS = Iceland
country-IT = Italy
country-JP = Japan
country-KR = South Korea
country-LI = Liechtenstein
country-LT = Lithuania
country-LU = Luxembourg
country-LV = Latvia
country-MC = Monaco
country-MT = Malta
country-MX = Mexico
country-NL = Netherlands
country-NO = Norway
country-NZ = New Zealand
country-PL = Poland
country-PT = Portugal
country-RO = Romania
country-SE = Sweden
country-SG = Singapore
country-SI = Slovenia
country-SK = Slovakia
country-TR = Türkiye
country-US = United States
country-ZA = South Africa

## Emails
email-greeting = Hello { $name },
email-greeting-anonymous = Hello,
email-ignore = If this was not you, you can ignore this email.
email-link-fallback = If the button does not work, copy this link into your browser:
email-signature = Your { $brand } team
email-activation-subject = Activate your { $brand }
email-activation-text = Thank you for registering. Please confirm your email address to activate your account.
email-activation-button = Activate now
email-activation-expiry = The link is valid for 24 hours.
email-already-registered-subject = Someone tried to register with your address
email-already-registered-text = Someone, perhaps you, tried to create a new { $brand } with this email address. You already have an account.
email-already-registered-action = If you have forgotten your password, you can choose a new one here:
email-already-registered-button = Reset password
email-password-reset-subject = Reset your { $brand } password
email-password-reset-text = We received a request to choose a new password for your account.
email-password-reset-button = Choose a new password
email-password-reset-expiry = The link is valid for one hour and works once.
email-password-changed-subject = Your { $brand } password was changed
email-password-changed-text = The password of your account was just changed, and you were signed out everywhere.
email-password-changed-warning = If you did not do this, reset your password right away and contact support.
email-email-change-subject = Confirm your new email address
email-email-change-text = Please confirm that this address should become the email address of your { $brand }.
email-email-change-button = Confirm address
email-email-changed-subject = Your { $brand } email address was changed
email-email-changed-text = The email address of your account was changed to { $email }. This address will no longer receive messages about your account.
email-account-deleted-subject = Your { $brand } was deleted
email-account-deleted-text = Your account and your personal data were deleted, as you asked. Thank you for having been with us.
email-account-locked-subject = Your { $brand } was locked after failed sign-in attempts
email-account-locked-text = Someone entered a wrong password for your account several times, so we locked it for { $minutes } minutes. On browsers where you signed in before, you can still sign in.
email-account-locked-action = If this was not you, choose a new password:

## Second factors
code-title = Enter your security code
code-intro = We sent a 6-digit code to { $email }.
code-label = Security code
code-resend = Send a new code
code-resent = We sent a new code.
code-too-soon = A code was sent less than a minute ago. Check your email, or try again shortly.
code-wrong = This code is not correct.
code-unusable = This code has expired or was tried too often. Ask for a new one.
account-two-factor = Two-factor authentication
security-email-otp-on = Two-factor authentication by email is on: every sign-in asks for a code sent to your address.
security-email-otp-off = Turn on two-factor authentication: every sign-in will also ask for a code sent to your address.
security-enable = Turn on
security-disable = Turn off
security-enable-code-intro = To confirm, enter the code we sent to { $email }.
security-enabled-notice = Two-factor authentication is on.
security-disabled-notice = Two-factor authentication is off.
email-code-subject = Your { $brand } security code
email-code-text = Your security code is:
email-code-expiry = It is valid for 10 minutes. Never share it with anyone, not even support.
email-two-factor-enabled-subject = Two-factor authentication was turned on for your { $brand }
email-two-factor-enabled-text = From now on, signing in asks for a code sent to this address.
email-two-factor-disabled-subject = Two-factor authentication was turned off for your { $brand }
email-two-factor-disabled-text = Signing in no longer asks for a code. If you did not do this, reset your password right away.
totp-title = Authenticator app
totp-login-intro = Enter the 6-digit code from your authenticator app.
totp-code-label = Code from the app
totp-use-recovery = Lost your phone? Use a recovery code instead.
totp-recovery-label = Recovery code
totp-wrong = This code is not correct.
totp-enrol-intro = Scan this QR code with an authenticator app (such as FreeOTP, Aegis or Google Authenticator), then enter the code it shows.
totp-secret-label = Or type this key into the app:
totp-active = An authenticator app is set up. Each sign-in asks for its code.
totp-codes-left = Recovery codes left: { $count }
totp-remove = Remove the authenticator app
totp-new-codes = Make new recovery codes
totp-confirm = Set up
recovery-codes-title = Your recovery codes
recovery-codes-intro = Each code signs you in once if you lose your phone. Keep them somewhere safe: they are shown only now.
totp-removed-notice = The authenticator app was removed.
email-new-sign-in-subject = New sign-in to your { $brand }
email-new-sign-in-text = Your account was just used to sign in on a browser it has not been used on before:
email-new-sign-in-details = { $when } · { $browser } · { $address }
email-new-sign-in-if-you = If this was you, there is nothing to do.
email-new-sign-in-button = This wasn’t me
not-me-title = Secure your account
not-me-invalid-title = This link cannot be used
not-me-invalid-text = The link has expired or was already used. To be safe, reset your password.
sms-code = { $code } is your { $brand } code. It is valid for 10 minutes. Never share it.
login-identifier = Email address or mobile number
phone-title = Phone ID
phone-intro = Verify your mobile number to sign in with it instead of your email address.
phone-none = Add your mobile number in your personal data first.
phone-verified = { $number } is verified: you can sign in with it.
phone-unverified = { $number } is not verified yet.
phone-send = Send a code by text message
phone-sent = We sent a code to { $number }.
phone-taken = This number already signs in to another account.
phone-verify = Verify
