"""Files members, debtors and applicants upload: checked by their content, stored under
names of our own, never served from a public path (`evidence`), and the ones no row names
any more swept away by the worker (`orphans`)."""
