"""The SMS access line: Twilio's messaging webhook walking the intake one question per text."""
