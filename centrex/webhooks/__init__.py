"""A company's webhooks: subscriptions, the events calls raise (calls), delivery with
retries (delivery) and the address check that keeps them on the Internet (address)."""
