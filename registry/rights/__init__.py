"""The reported business's and every person's rights over the data the registry holds
(the DPDP Act 2023: the registry is a data fiduciary): requests for access, correction and
erasure answered within 90 days (`requests`)."""
