"""The registry's domain: models, services and rules. No Flask in here."""
