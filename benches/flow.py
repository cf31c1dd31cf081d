"""A browser for oneid's authorization code flow, for the load benchmark: the login
form with its CSRF token, PKCE, and the code exchanged at the token endpoint."""
import base64, hashlib, html, http.cookiejar, json, re, secrets, urllib.parse, urllib.request


class Left(Exception):
    """A redirect away from the issuer: the answer to the client."""

    def __init__(self, url):
        self.url = url


class Browser:
    def __init__(self, issuer, client_id, secret, redirect_uri):
        self.issuer, self.client_id, self.secret, self.redirect_uri = issuer, client_id, secret, redirect_uri
        self.jar = http.cookiejar.CookieJar()
        issuer_prefix = issuer

        class StopAtClient(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, req, fp, code, msg, headers, newurl):
                if not newurl.startswith(issuer_prefix):
                    raise Left(newurl)
                return super().redirect_request(req, fp, code, msg, headers, newurl)

        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), StopAtClient())

    def forget_session(self):
        """Signs out of oneid in this browser, keeping the device cookie (a returning user)."""
        for cookie in list(self.jar):
            if cookie.name == "oneid_session":
                self.jar.clear(cookie.domain, cookie.path, cookie.name)

    def code(self, email=None, password=None, prompt_none=False):
        """A code from /authorize: through the login form, or silently with prompt=none."""
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        params = {"response_type": "code", "client_id": self.client_id, "redirect_uri": self.redirect_uri, "state": "s",
                  "scope": "openid email offline_access", "code_challenge": challenge, "code_challenge_method": "S256"}
        if prompt_none:
            params["prompt"] = "none"
        try:
            page = self.opener.open(self.issuer + "/authorize?" + urllib.parse.urlencode(params)).read().decode()
            form = {"csrf": hidden(page, "csrf"), "request": hidden(page, "request"), "email": email, "password": password}
            self.opener.open(self.issuer + "/login", urllib.parse.urlencode(form).encode()).read()
        except Left as left:
            query = urllib.parse.parse_qs(urllib.parse.urlparse(left.url).query)
            if "code" not in query:
                raise RuntimeError("no code: %s" % left.url)
            return query["code"][0], verifier
        raise RuntimeError("the sign-in did not return to the client")

    def exchange(self, code, verifier):
        body = urllib.parse.urlencode({"grant_type": "authorization_code", "code": code,
                                       "redirect_uri": self.redirect_uri, "code_verifier": verifier}).encode()
        request = urllib.request.Request(self.issuer + "/token", body)
        request.add_header("Authorization", "Basic " + base64.b64encode(("%s:%s" % (self.client_id, self.secret)).encode()).decode())
        return json.load(urllib.request.urlopen(request))

    def sign_in(self, email, password):
        """The whole flow: login form, code, tokens."""
        return self.exchange(*self.code(email, password))


def hidden(page, name):
    match = re.search(r'name="%s" value="([^"]*)"' % name, page)
    return html.unescape(match.group(1)) if match else None
