"""Ways to reach a person besides email: SMS and WhatsApp, each behind one `Channel`
interface, chosen by `SMS_URL` / `WHATSAPP_URL` (a `file:///dir` sink or a provider's HTTP
endpoint), with SMS texts kept to one or two segments."""
