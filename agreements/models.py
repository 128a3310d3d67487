"""Models arrive with the agreements issue; see the app config."""
