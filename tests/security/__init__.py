"""Platform security (issue 18): keys, limits, audit chain, logs, hostile input, lists."""
