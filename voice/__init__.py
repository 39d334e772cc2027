"""The access line by phone call: Twilio Voice webhooks over the one intake definition."""
