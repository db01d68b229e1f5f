"""The credit report: what it holds (`credit_report`), the risk score and its factors
(`scoring`), and its printable PDF (`pdf`)."""
