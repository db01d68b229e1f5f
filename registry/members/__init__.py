"""Members and what they do for themselves: applying and being verified, users and
their logins (`accounts`), passwords, API keys, the dashboard of their own complaints,
and the watchlist that alerts them about businesses they care about."""
