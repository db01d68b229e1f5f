"""The directory of businesses and how they are found: the businesses, their GSTINs and
names (`businesses`), who the debtor of a filing is (`debtors`), the admins' load of an
authoritative directory (`import_businesses`), merges and the duplicate finder, and
search with its name index (`search`, `identities`; the index tables `name_index`, read
by `database_index`, or by a worker's in-memory `index_copy` through `copied_index`)."""
