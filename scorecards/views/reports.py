"""Placeholder until this area's pages land (being written now)."""

from django.http import Http404


def card_pdf_view(request, **kwargs):
    raise Http404
