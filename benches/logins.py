#!/usr/bin/env python3
"""Whole password sign-ins through oneid's authorization code flow (the login page,
its CSRF token, the password POST, the redirect with the code, the code exchange).

  logins.py latency ISSUER CLIENT SECRET REDIRECT PASSWORD USERS N
      N sign-ins one after another, each as a random one of the USERS seeded accounts
      (user0000001@bench.example.com ...) in a new browser; prints p50/p99 in ms.
  logins.py load ISSUER CLIENT SECRET REDIRECT PASSWORD USERS THREADS SECONDS
      THREADS browsers signing in again and again for SECONDS, each as its own account
      on a browser it used before (a returning user); prints sign-ins/s and p50/p99.
Output: one line "flows_per_s p50_ms p99_ms errors".
"""
import random, sys, threading, time

from flow import Browser

mode, issuer, client, secret, redirect, password, users = sys.argv[1:8]
users = int(users)


def email(i):
    return "user%07d@bench.example.com" % i


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] if values else 0.0


def once(browser, address):
    started = time.perf_counter()
    tokens = browser.sign_in(address, password)
    if "access_token" not in tokens:
        raise RuntimeError(tokens)
    return (time.perf_counter() - started) * 1000


if mode == "latency":
    n = int(sys.argv[8])
    times, errors = [], 0
    for _ in range(n):
        try:
            times.append(once(Browser(issuer, client, secret, redirect), email(random.randint(1, users))))
        except Exception as e:  # noqa: BLE001 - counted and reported
            errors += 1
            print("error:", e, file=sys.stderr)
    print("%.1f %.1f %.1f %d" % (len(times) / (sum(times) / 1000) if times else 0, percentile(times, 0.5), percentile(times, 0.99), errors))
else:
    threads, seconds = int(sys.argv[8]), float(sys.argv[9])
    times, errors, lock = [], [0], threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker(index):
        browser = Browser(issuer, client, secret, redirect)
        address = email(index % users + 1)
        once(browser, address)  # the first sign-in makes this a known browser
        while time.perf_counter() < deadline:
            browser.forget_session()
            try:
                took = once(browser, address)
                with lock:
                    times.append(took)
            except Exception as e:  # noqa: BLE001
                with lock:
                    errors[0] += 1
                print("error:", e, file=sys.stderr)

    started = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - started
    print("%.1f %.1f %.1f %d" % (len(times) / elapsed, percentile(times, 0.5), percentile(times, 0.99), errors[0]))
