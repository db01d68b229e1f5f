"""The directory of businesses and how they are found: the businesses, their GSTINs and
names (`businesses`, `aliases`), who the debtor of a filing is (`debtors`), the admins'
load of an authoritative directory (`import_businesses`), merges and the duplicate finder,
and search (`search`, and `identities`: what a search shows). The name index that search
reads is `registry.search_index`."""
