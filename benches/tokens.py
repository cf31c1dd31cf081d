#!/usr/bin/env python3
"""Signs a user in through oneid's real authorization code flow (login form, CSRF
token, PKCE) and writes tokens for the load benchmark: one access token and N refresh
tokens from N separate grants (later grants use prompt=none on the same session).

usage: tokens.py ISSUER CLIENT_ID CLIENT_SECRET REDIRECT_URI EMAIL PASSWORD N OUT_DIR
"""
import base64, hashlib, html, http.cookiejar, json, os, re, secrets, sys, urllib.parse, urllib.request

issuer, client_id, secret, redirect_uri, email, password, count, out = sys.argv[1:9]
count = int(count)


class StopAtClient(urllib.request.HTTPRedirectHandler):
    """Follows redirects on the issuer; a redirect to the client ends the navigation."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if not newurl.startswith(issuer):
            raise Left(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class Left(Exception):
    def __init__(self, url):
        self.url = url


jar = http.cookiejar.CookieJar()
browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), StopAtClient())


def hidden(page, name):
    match = re.search(r'name="%s" value="([^"]*)"' % name, page)
    return html.unescape(match.group(1)) if match else None


def code_for(prompt_none):
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    params = {"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri, "state": "s",
              "scope": "openid email offline_access", "code_challenge": challenge, "code_challenge_method": "S256"}
    if prompt_none:
        params["prompt"] = "none"
    try:
        page = browser.open(issuer + "/authorize?" + urllib.parse.urlencode(params)).read().decode()
        form = {"csrf": hidden(page, "csrf"), "request": hidden(page, "request"), "email": email, "password": password}
        browser.open(issuer + "/login", urllib.parse.urlencode(form).encode())
    except Left as left:
        query = urllib.parse.parse_qs(urllib.parse.urlparse(left.url).query)
        if "code" not in query:
            sys.exit("no code: %s" % left.url)
        return query["code"][0], verifier
    sys.exit("the sign-in did not return to the client")


def exchange(code, verifier):
    body = urllib.parse.urlencode({"grant_type": "authorization_code", "code": code,
                                   "redirect_uri": redirect_uri, "code_verifier": verifier}).encode()
    request = urllib.request.Request(issuer + "/token", body)
    request.add_header("Authorization", "Basic " + base64.b64encode(("%s:%s" % (client_id, secret)).encode()).decode())
    return json.load(urllib.request.urlopen(request))


first = exchange(*code_for(False))
refresh_tokens = [first["refresh_token"]]
while len(refresh_tokens) < count:
    refresh_tokens.append(exchange(*code_for(True))["refresh_token"])
with open(os.path.join(out, "access_token"), "w") as f:
    f.write(first["access_token"])
with open(os.path.join(out, "refresh_tokens"), "w") as f:
    f.write("\n".join(refresh_tokens) + "\n")
