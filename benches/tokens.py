#!/usr/bin/env python3
"""Signs a user in through oneid's real authorization code flow (login form, CSRF
token, PKCE) and writes tokens for the load benchmark: one access token and N refresh
tokens from N separate grants (later grants use prompt=none on the same session).

usage: tokens.py ISSUER CLIENT_ID CLIENT_SECRET REDIRECT_URI EMAIL PASSWORD N OUT_DIR
"""
import os, sys

from flow import Browser

issuer, client_id, secret, redirect_uri, email, password, count, out = sys.argv[1:9]
browser = Browser(issuer, client_id, secret, redirect_uri)
first = browser.sign_in(email, password)
refresh_tokens = [first["refresh_token"]]
while len(refresh_tokens) < int(count):
    refresh_tokens.append(browser.exchange(*browser.code(prompt_none=True))["refresh_token"])
with open(os.path.join(out, "access_token"), "w") as f:
    f.write(first["access_token"])
with open(os.path.join(out, "refresh_tokens"), "w") as f:
    f.write("\n".join(refresh_tokens) + "\n")
