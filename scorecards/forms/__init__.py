"""The scorecard's forms, one module per area like the views: ``month``, ``indicators``,
``plans``."""
