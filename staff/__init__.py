"""Staff channel: sign-in, the queue, the intake page, actions and admin lists (``/staff/``)."""
