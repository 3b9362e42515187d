"""The operator's client companies (companies), what their licence allows (licences)
and how their console and e-mails look (branding)."""
