"""The scorecard's pages, one module per area: ``month`` (an office's month: card, entry,
import, submission, review), ``indicators`` (library, targets, comparison, tables), ``plans``
(action plans) and ``reports`` (the month as a PDF)."""
