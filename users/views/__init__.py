"""Pages of the users app, one module per concern: sign-in and front page, delegations,
the audit log and the access review."""
