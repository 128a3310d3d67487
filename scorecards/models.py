"""Models arrive with the scorecards issue; see the app config."""
